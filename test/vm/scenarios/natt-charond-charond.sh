#!/bin/sh
# SPDX-License-Identifier: ISC
# NAT traversal, charond behind a fully-random NAT initiating to charond on sun: tunnel,
# two clients, keepalives, a NAT remap, transport, encap without NAT
# (see test/vm/natt.sh).
exec sh "${0%/*}/../natt.sh" charond-charond
