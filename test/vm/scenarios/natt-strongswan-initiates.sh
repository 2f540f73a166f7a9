#!/bin/sh
# SPDX-License-Identifier: ISC
# NAT traversal, strongSwan 5.9.8 on alice and bob behind the NAT initiating, charond on sun: tunnel,
# two clients, keepalives, a NAT remap, transport, encap without NAT
# (see test/vm/natt.sh).
exec sh "${0%/*}/../natt.sh" strongswan-initiates
