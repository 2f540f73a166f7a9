#!/bin/sh
# SPDX-License-Identifier: ISC
#
# strongswan-baseline.sh's transport4 case: strongSwan to strongSwan in
# transport mode between 192.0.2.1 and 192.0.2.2, aes256-sha256-modp3072
# with ESP aes256-sha256. A scenario of its own so that each VM run stays
# short and make check-vm names the case that failed.
set -eu
exec "${0%/*}/strongswan-baseline.sh" transport4
