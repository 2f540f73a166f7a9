#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charonctl export-keys --wireshark DIR: root only, even for members of
# daemon.socket_group (refused, nothing written). moon and sun
# (127.0.0.1/2, daemon.kernel: none) bring up an IKE SA with a CHILD SA;
# each end exports the same ikev2_decryption_table row (SPIs, SK_e, the
# AES-GCM name Wireshark uses), both files are mode 0600 with a warning
# on stderr, and without a kernel there are no ESP keys, which it says.
# tshark reading a capture with them: test/vm/scenarios/wireshark-keys.sh.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

e2e_conf sun 127.0.0.2 127.0.0.1
sed -i -e 's|^daemon:$|daemon:\n  kernel: none\n  socket_group: users|' \
    -e 's|local_ts: \[10.1.0.0/16\]|local_ts: [10.2.0.0/16]|' \
    -e 's|remote_ts: \[10.2.0.0/16\]|remote_ts: [10.1.0.0/16]|' "$W/sun.yaml"
e2e_conf moon 127.0.0.1 127.0.0.2
sed -i 's|^daemon:$|daemon:\n  kernel: none\n  socket_group: users|' \
    "$W/moon.yaml"
grp=$(getent group users | cut -d: -f3)
e2e_start sun
e2e_start moon
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "moon and sun up with a CHILD SA"

mkdir -m 0777 "$W/member"
rc=0
setpriv --reuid=nobody --regid=nogroup --groups="$grp" \
    "$CHARONCTL" -S "$W/moon.sock" export-keys --wireshark "$W/member" \
    >"$W/out" 2>"$W/err" || rc=$?
check "a member of socket_group is refused (exit 3)" test "$rc" = 3
expect_in "$W/err" "only root may read the SAs' keys (PERMISSION_DENIED)" \
    "with a message saying why"
check "and nothing is written" test -z "$(ls "$W/member")"
rc=0
setpriv --reuid=nobody --regid=nogroup --groups="$grp" \
    "$CHARONCTL" -S "$W/moon.sock" version >/dev/null 2>&1 || rc=$?
expect_rc 0 "while the same member may use the socket"

ctl moon export-keys
expect_rc 2 "export-keys without --wireshark is a usage error"

for n in moon sun; do
	mkdir -p "$W/keys-$n"
	ctl "$n" export-keys --wireshark "$W/keys-$n"
	expect_rc 0 "root exports $n's keys"
	expect_in "$W/err" "WARNING" "$n: the warning on stderr"
	expect_in "$W/err" "secret keys" "$n: that says the files are secret"
	expect_in "$W/out" "1 IKE SA and 0 ESP SAs written" "$n: one IKE SA"
	expect_in "$W/out" "no ESP keys: the daemon runs with kernel: none" \
	    "$n: no ESP keys without a kernel, and it says so"
	for f in ikev2_decryption_table esp_sa; do
		check "$n: $f is mode 0600" \
		    test "$(stat -c %a "$W/keys-$n/$f")" = 600
	done
done
row() { grep -v '^#' "$W/keys-$1/ikev2_decryption_table"; }
check "moon and sun export the same row" test "$(row moon)" = "$(row sun)"
# shellcheck disable=SC2016 # a regular expression
check "the row: SPIs, 20-byte SK_e, the AEAD name, no SK_a" sh -c \
    'echo "$1" | grep -Eq "^[0-9a-f]{16},[0-9a-f]{16},[0-9a-f]{40},[0-9a-f]{40},\"AES-GCM-128 with 16 octet ICV \[RFC5282\]\",,,\"NONE \[RFC4306\]\"$"' \
    - "$(row moon)"
check "no ESP rows" test -z "$(grep -v '^#' "$W/keys-moon/esp_sa")"
ctl moon --json list-sas
spi=$(jget 'd["ike_sas"][0]["local"]["spi"]' <"$W/out")
case $(row moon) in
"$spi",*) pass "the row starts with the SA's SPIi" ;;
*) fail "the row does not start with SPIi $spi: $(row moon)" ;;
esac

e2e_stop moon
e2e_stop sun
