#!/bin/sh
# SPDX-License-Identifier: ISC
#
# strongswan-baseline.sh's tunnel6 case: strongSwan to strongSwan over
# IPv6 (2001:db8::1 <-> 2001:db8::2), one tunnel mode CHILD SA carrying
# both 10.1.0.0/16 <-> 10.2.0.0/16 and 2001:db8:1::/48 <-> 2001:db8:2::/48,
# aes256gcm16-prfsha384-ecp384 with ESP aes256gcm16. A scenario of its own
# so that each VM run stays short and make check-vm names the failing case.
set -eu
exec "${0%/*}/strongswan-baseline.sh" tunnel6
