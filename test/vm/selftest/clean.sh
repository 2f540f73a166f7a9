#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Fixture of group.sh: passes only if nothing dirty.sh left is there.
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
vm_require_guest
assert_eq "no network namespace" "$(ip netns list)" ""
assert_eq "no dummy9" "$(ip -o link show dummy9 2>/dev/null)" ""
assert_eq "no SA" "$(ip xfrm state)" ""
assert_eq "no policy" "$(ip xfrm policy | grep -v socket)" ""
assert_eq "no nftables table" "$(nft list tables)" ""
assert_eq "no files" "$(ls -d /tmp/charond /run/leftover /dev/shm/leftover \
    /etc/leftover /root/leftover 2>/dev/null)" ""
assert_eq "no mount on /var/tmp" "$(grep ' /var/tmp ' /proc/mounts)" ""
assert_eq "no sleep left" "$(pgrep -x sleep)" ""
assert_eq "hostname" "$(hostname)" vm
assert_ok "a host again" vm_host moon
echo out >"$VM_OUT/clean.out" || fail "cannot write \$VM_OUT"
echo "clean: all clean"
