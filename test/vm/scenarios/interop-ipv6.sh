#!/bin/sh
# SPDX-License-Identifier: ISC
# charond against strongSwan, case "ipv6" (see test/vm/interop.sh).
exec sh "${0%/*}/../interop.sh" ipv6
