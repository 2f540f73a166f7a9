#!/bin/sh
# SPDX-License-Identifier: ISC
# charond against strongSwan, case "invalid-ke" (see test/vm/interop.sh).
exec sh "${0%/*}/../interop.sh" invalid-ke
