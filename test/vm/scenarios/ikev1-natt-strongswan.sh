#!/bin/sh
# SPDX-License-Identifier: ISC
# IKEv1 NAT traversal: strongSwan 5.9.8 on alice behind the NAT initiating
# transport for udp/1701 and a tunnel to charond on sun, then charond on
# alice initiating a tunnel to strongSwan on sun (see test/vm/ikev1-natt.sh).
exec sh "${0%/*}/../ikev1-natt.sh"
