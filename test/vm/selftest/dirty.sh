#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Fixture of group.sh: leaves behind everything the next scenario of a
# group must not see, then fails with status 3.
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
vm_require_guest
trap - EXIT # keep the namespace: guest-init.sh must delete it
ip netns add leftover
ip link add dummy9 type dummy
ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 \
    mode tunnel aead 'rfc4106(gcm(aes))' \
    0x0102030405060708090a0b0c0d0e0f1011121314 128
ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out
nft add table ip leftover
mkdir -p /tmp/charond /run/leftover /dev/shm/leftover
echo x >/tmp/charond/leftover
echo x >/etc/leftover
echo x >/root/leftover
mount -t tmpfs leftover /var/tmp
hostname leftover
setsid sleep 1000 &
echo "dirty: left everything"
exit 3
