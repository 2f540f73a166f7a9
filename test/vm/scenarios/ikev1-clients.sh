#!/bin/sh
# SPDX-License-Identifier: ISC
# IKEv1: charond against strongSwan, case "clients" (see test/vm/ikev1.sh).
exec sh "${0%/*}/../ikev1.sh" clients
