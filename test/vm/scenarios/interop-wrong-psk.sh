#!/bin/sh
# SPDX-License-Identifier: ISC
# charond against strongSwan, case "wrong-psk" (see test/vm/interop.sh).
exec sh "${0%/*}/../interop.sh" wrong-psk
