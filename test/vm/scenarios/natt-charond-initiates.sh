#!/bin/sh
# SPDX-License-Identifier: ISC
# NAT traversal, charond on alice and bob behind the NAT initiating, strongSwan 5.9.8 on sun: tunnel,
# two clients, keepalives, a NAT remap, transport, encap without NAT
# (see test/vm/natt.sh).
exec sh "${0%/*}/../natt.sh" charond-initiates
