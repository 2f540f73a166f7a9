#!/bin/sh
# SPDX-License-Identifier: ISC
# charond against strongSwan, case "strongswan-initiates" (see test/vm/interop.sh).
exec sh "${0%/*}/../interop.sh" strongswan-initiates
