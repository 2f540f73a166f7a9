#!/bin/sh
# SPDX-License-Identifier: ISC
#
# daemon.save_keys: {dir: DIR}: moon and sun (127.0.0.1/2, kernel: none)
# with save_keys on moon only. --check-config and the start warn that
# keys are written; DIR is created 0700; once the IKE SA is up,
# DIR/ikev2_decryption_table (0600) holds its row, the very row
# export-keys gives; an IKE rekey appends the new SA's row; sun, without
# the option, writes nothing. A directory others may write to is refused
# (logged, nothing written); bad values are FILE:LINE:COL errors.
# ESP rows need a kernel with ESP: test/vm/scenarios/wireshark-keys.sh,
# which decrypts a capture with the files.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

K=$W/keys
e2e_conf sun 127.0.0.2 127.0.0.1
sed -i -e 's|^daemon:$|daemon:\n  kernel: none|' \
    -e 's|local_ts: \[10.1.0.0/16\]|local_ts: [10.2.0.0/16]|' \
    -e 's|remote_ts: \[10.2.0.0/16\]|remote_ts: [10.1.0.0/16]|' "$W/sun.yaml"
e2e_conf moon 127.0.0.1 127.0.0.2
sed -i "s|^daemon:\$|daemon:\n  kernel: none\n  save_keys: {dir: $K}|" \
    "$W/moon.yaml"

rc=0
"$CHAROND" --check-config -c "$W/moon.yaml" >"$W/out" 2>"$W/err" || rc=$?
expect_rc 0 "--check-config accepts save_keys"
expect_in "$W/err" "$W/moon.yaml:3:" "with a warning at its FILE:LINE"
expect_in "$W/err" "save_keys writes the keys of every IKE and ESP SA to $K" \
    "that says what is written where"

e2e_start sun
e2e_start moon
expect_in "$W/moon.log" "WARNING: daemon.save_keys is on" \
    "the start warns loudly"
expect_in "$W/moon.log" "whoever reads them can decrypt this traffic" \
    "and why"
check "nothing written before an SA is up" test ! -e "$K/ikev2_decryption_table"
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "moon and sun up"
check "DIR was created 0700" test "$(stat -c %a "$K")" = 700
check "ikev2_decryption_table is 0600" \
    test "$(stat -c %a "$K/ikev2_decryption_table")" = 600
rows() { grep -v '^#' "$1/ikev2_decryption_table"; }
check "one row, after the header" test "$(rows "$K" | wc -l)" = 1
expect_in "$K/ikev2_decryption_table" \
    "# Wireshark ikev2_decryption_table, appended by charond" \
    "the header says what the file is"
mkdir "$W/exp1"
ctl moon export-keys --wireshark "$W/exp1"
expect_rc 0 "export-keys"
check "the row is export-keys' row" test "$(rows "$K")" = "$(rows "$W/exp1")"
check "no ESP rows without a kernel" test ! -s "$K/esp_sa"

ctl moon --json list-sas
old=$(jget 'd["ike_sas"][0]["id"]' <"$W/out")
ctl moon rekey --ike-id "$old"
expect_rc 0 "moon rekeys the IKE SA"
i=0
while [ "$(rows "$K" | wc -l)" -lt 2 ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "no second row after the rekey"
	sleep 0.1
done
check "the rekey appended one row" test "$(rows "$K" | wc -l)" = 2
mkdir "$W/exp2"
ctl moon export-keys --wireshark "$W/exp2"
check "the new row is the new SA's" \
    test "$(rows "$K" | tail -n 1)" = "$(rows "$W/exp2")"
check "the first row stays" \
    test "$(rows "$K" | head -n 1)" = "$(rows "$W/exp1")"
check "sun, without save_keys, wrote nothing and warned not" \
    sh -c "! grep -q save_keys '$W/sun.log'"
e2e_stop moon

# A directory others may write to: refused, logged, nothing written.
chmod 0777 "$K"
rm -f "$K/ikev2_decryption_table"
e2e_start moon
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "up again"
expect_in "$W/moon.log" "save_keys: $K is writable by others" \
    "a world-writable DIR is refused, and logged"
check "nothing written there" test ! -e "$K/ikev2_decryption_table"
e2e_stop moon

# Bad values.
bad() {
	sed "s|  save_keys: .*|  save_keys: $1|" "$W/moon.yaml" >"$W/bad.yaml"
	rc=0
	"$CHAROND" --check-config -c "$W/bad.yaml" >"$W/out" 2>"$W/err" ||
	    rc=$?
	expect_rc 2 "save_keys: $1 is refused"
	expect_in "$W/err" "$W/bad.yaml:3:" "at its FILE:LINE:COL"
	expect_in "$W/err" "$2" "saying: $2"
}
bad "{}" "'save_keys' needs 'dir'"
bad "{dir: $K, ike: yes}" "ike"
bad "yes" "save_keys"
bad '{dir: ""}' "must not be empty"
e2e_stop sun
