#!/bin/sh
# SPDX-License-Identifier: ISC
# charond against strongSwan, case "charond-initiates" (see test/vm/interop.sh).
exec sh "${0%/*}/../interop.sh" charond-initiates
