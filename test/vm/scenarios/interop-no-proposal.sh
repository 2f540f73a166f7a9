#!/bin/sh
# SPDX-License-Identifier: ISC
# charond against strongSwan, case "no-proposal" (see test/vm/interop.sh).
exec sh "${0%/*}/../interop.sh" no-proposal
