#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charonctl export-keys --wireshark: moon and sun (the demo configs, as in
# charond-psk.sh: AES-GCM for IKE and ESP; then AES-CBC with HMAC-SHA2-256
# for both) bring a tunnel up and ping through it while dumpcap records
# moon's link; then moon's keys are
# exported and tshark, given the two files in a throwaway profile, must
# show the IKE_AUTH payloads (IDi, AUTH, SA, TSi) and the ICMP inside ESP,
# which it cannot without them. The files are 0600 and charonctl warns.
# moon also runs with daemon.save_keys: the files it appended to as the
# SAs came up hold the same rows, are 0600 too, and decrypt the same;
# after the second leg they hold both legs' SAs, and decrypt the second.
#
# Run: test/vm/run.sh test/vm/scenarios/wireshark-keys.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
vm_require_guest
if ! command -v tshark >/dev/null || ! command -v dumpcap >/dev/null; then
	echo "SKIP: wireshark-keys: tshark/dumpcap not installed" \
	    "(apt-get install tshark; test/vm/setup.sh does)" >&2
	exit 0
fi
trap 'kill "$(cat "$CD_DIR/dumpcap.pid" 2>/dev/null)" 2>/dev/null || :; vm_cleanup' EXIT

vm_host moon sun
vm_link moon eth0 192.0.2.1/24 sun eth0 192.0.2.2/24
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1

mkdir -p "$CD_DIR"
CAP=$CD_DIR/link.pcapng
ip netns exec moon dumpcap -q -i eth0 -w "$CAP" >"$CD_DIR/dumpcap.log" 2>&1 &
echo $! >"$CD_DIR/dumpcap.pid"
i=0
while [ ! -s "$CAP" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$CAP" ] || { cat "$CD_DIR/dumpcap.log"; fail "dumpcap did not start"; }

# daemon.save_keys on moon: the rows appended as the SAs come up.
SK=$CD_DIR/saved-keys
sed "s|^daemon:\$|daemon:\n  save_keys: {dir: $SK}|" etc/demo/moon.yaml \
    >"$CD_DIR/moon-save-keys.yaml"
cd_start sun etc/demo/sun.yaml
sleep 0.5
cd_start moon "$CD_DIR/moon-save-keys.yaml"
if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
	cd_log moon
	cd_log sun
	fail "the tunnel did not come up"
fi
pass "tunnel up: two SAs on each host"
assert_ok "moon's LAN pings sun's LAN" \
    vm_in moon ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
sleep 0.5
kill -INT "$(cat "$CD_DIR/dumpcap.pid")"
sleep 0.5

WS=$CD_DIR/keys
mkdir -p "$WS"
ctl="$CHAROND_BUILD/bin/charonctl -S $CD_DIR/moon/ctl.sock"
# shellcheck disable=SC2086 # ctl is words
$ctl export-keys --wireshark "$WS" >"$CD_DIR/export.out" \
    2>"$CD_DIR/export.err" ||
    { cat "$CD_DIR/export.out" "$CD_DIR/export.err"; fail "export-keys"; }
sed 's/^/  /' "$CD_DIR/export.out"
assert_contains "$(cat "$CD_DIR/export.err")" "WARNING" \
    "export-keys warns on stderr that the files are secret"
assert_contains "$(cat "$CD_DIR/export.out")" "1 IKE SA and 2 ESP SAs" \
    "one IKE SA and both ESP SAs exported"
for f in ikev2_decryption_table esp_sa; do
	[ "$(stat -c %a "$WS/$f")" = 600 ] || fail "$f is not mode 0600"
	sed 's/^/  '"$f"': /; s/\([0-9a-f]\{8\}\)[0-9a-f]\{8,\}/\1.../g' \
	    "$WS/$f"
done
pass "both files are mode 0600"
m_out=$(vm_xfrm_states moon | awk '$1 == "192.0.2.1" { print $4 }')
m_in=$(vm_xfrm_states moon | awk '$1 == "192.0.2.2" { print $4 }')
assert_contains "$(cat "$WS/esp_sa")" \
    "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"$m_out\"" \
    "moon's outbound ESP SA row, with the kernel's SPI $m_out"
assert_contains "$(cat "$WS/esp_sa")" \
    "\"IPv4\",\"192.0.2.2\",\"192.0.2.1\",\"$m_in\"" \
    "moon's inbound ESP SA row, with the kernel's SPI $m_in"
assert_contains "$(cat "$WS/esp_sa")" \
    '"AES-GCM with 16 octet ICV [RFC4106]","0x' "ESP algorithm in Wireshark's name"
assert_contains "$(cat "$WS/ikev2_decryption_table")" \
    '"AES-GCM-128 with 16 octet ICV [RFC5282]"' "IKE algorithm in Wireshark's name"

# Without keys: the IKE_AUTH payloads and the ICMP inside ESP stay
# hidden (the SK payload names its first inner payload only as "Next
# payload"; the kernel hands the inbound packets it decrypted back to the
# capture, so the ICMP must be looked for inside ESP).
export HOME="$CD_DIR/home"
mkdir -p "$HOME"
plain=$(XDG_CONFIG_HOME="$CD_DIR/empty" tshark -r "$CAP" -V \
    -Y "isakmp.exchangetype == 35" 2>&1) || fail "tshark: $plain"
assert_contains "$plain" "Payload: Encrypted and Authenticated" \
    "the capture holds IKE_AUTH"
assert_not_contains "$plain" "Payload: Identification - Initiator" \
    "without the keys tshark shows no IDi"
plain=$(XDG_CONFIG_HOME="$CD_DIR/empty" tshark -r "$CAP" -Y "esp" 2>&1) ||
    fail "tshark: $plain"
assert_contains "$plain" "ESP (SPI=" "the capture holds ESP"
plain=$(XDG_CONFIG_HOME="$CD_DIR/empty" tshark -r "$CAP" \
    -Y "esp && icmp" 2>&1) || fail "tshark: $plain"
assert_not_contains "$plain" "Echo (ping)" \
    "without the keys tshark shows no ICMP inside ESP"

# With them, in a profile of their own.
mkdir -p "$CD_DIR/xdg/wireshark"
cp "$WS/ikev2_decryption_table" "$WS/esp_sa" "$CD_DIR/xdg/wireshark/"
ts() {
	XDG_CONFIG_HOME="$CD_DIR/xdg" tshark -r "$CAP" \
	    -o esp.enable_encryption_decode:TRUE "$@" 2>&1
}
auth=$(ts -V -Y "isakmp.exchangetype == 35") || fail "tshark: $auth"
echo "$auth" | grep -E "Payload: |Identification data|Traffic Selector" |
    sed 's/^/  tshark: /' | head -40
for p in "Identification - Initiator" "Authentication" \
    "Security Association" "Traffic Selector - Initiator" \
    "Traffic Selector - Responder" "Identification - Responder"; do
	assert_contains "$auth" "Payload: $p" "tshark decrypts IKE_AUTH: $p"
done
assert_contains "$auth" "moon.example.org" "tshark shows moon's IDi"
icmp=$(ts -Y "esp && icmp") || fail "tshark: $icmp"
echo "$icmp" | sed 's/^/  tshark: /'
n=$(echo "$icmp" | grep -c "Echo (ping) request" || true)
assert_ge "ICMP echo requests decrypted inside ESP" "$n" 3
n=$(echo "$icmp" | grep -c "Echo (ping) reply" || true)
assert_ge "ICMP echo replies decrypted inside ESP" "$n" 3

# The same with the files daemon.save_keys wrote as the SAs came up.
assert_contains "$(cat "$CD_DIR/moon/log")" "WARNING: daemon.save_keys is on" \
    "save_keys: moon warned at start that keys are written"
[ "$(stat -c %a "$SK")" = 700 ] || fail "$SK is not mode 0700"
rows() { grep -v '^#' "$1" | sort; }
for f in ikev2_decryption_table esp_sa; do
	[ "$(stat -c %a "$SK/$f")" = 600 ] || fail "saved $f is not mode 0600"
	[ "$(rows "$SK/$f")" = "$(rows "$WS/$f")" ] || {
		diff "$SK/$f" "$WS/$f" | sed 's/[0-9a-f]\{16,\}/.../g'
		fail "save_keys' $f differs from export-keys'"
	}
done
pass "save_keys: both files 0600 in a 0700 directory, the rows export-keys gives"
mkdir -p "$CD_DIR/xdg-saved/wireshark"
cp "$SK/ikev2_decryption_table" "$SK/esp_sa" "$CD_DIR/xdg-saved/wireshark/"
ts_saved() {
	XDG_CONFIG_HOME="$CD_DIR/xdg-saved" tshark -r "$CAP" \
	    -o esp.enable_encryption_decode:TRUE "$@" 2>&1
}
auth=$(ts_saved -V -Y "isakmp.exchangetype == 35") || fail "tshark: $auth"
for p in "Identification - Initiator" "Authentication" \
    "Traffic Selector - Initiator" "Identification - Responder"; do
	assert_contains "$auth" "Payload: $p" \
	    "save_keys' files: tshark decrypts IKE_AUTH: $p"
done
icmp=$(ts_saved -Y "esp && icmp") || fail "tshark: $icmp"
n=$(echo "$icmp" | grep -c "Echo (ping) request" || true)
assert_ge "save_keys' files: ICMP echo requests decrypted inside ESP" "$n" 3
n=$(echo "$icmp" | grep -c "Echo (ping) reply" || true)
assert_ge "save_keys' files: ICMP echo replies decrypted inside ESP" "$n" 3

cd_stop moon || fail "moon's charond did not exit"
cd_stop sun || fail "sun's charond did not exit"
pass "moon and sun stopped"

# Again with AES-CBC and HMAC-SHA2-256 for IKE and ESP: the integrity
# names and keys must be Wireshark's too.
cd_wait_states moon 0 || fail "SAs left on moon"
cd_wait_states sun 0 || fail "SAs left on sun"
cd_conf "$CD_DIR/moon-cbc.yaml" 192.0.2.1 192.0.2.2 aes256-sha256-modp2048 \
    aes128-sha256 tunnel "a cbc secret" start 10.1.0.0/16 10.2.0.0/16
cd_conf "$CD_DIR/sun-cbc.yaml" 192.0.2.2 192.0.2.1 aes256-sha256-modp2048 \
    aes128-sha256 tunnel "a cbc secret" none 10.2.0.0/16 10.1.0.0/16
sed -i "s|^daemon:\$|daemon:\n  save_keys: {dir: $SK}|" "$CD_DIR/moon-cbc.yaml"
CAP=$CD_DIR/link-cbc.pcapng
ip netns exec moon dumpcap -q -i eth0 -w "$CAP" >"$CD_DIR/dumpcap.log" 2>&1 &
echo $! >"$CD_DIR/dumpcap.pid"
i=0
while [ ! -s "$CAP" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
cd_start sun "$CD_DIR/sun-cbc.yaml"
sleep 0.5
cd_start moon "$CD_DIR/moon-cbc.yaml"
if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
	cd_log moon
	cd_log sun
	fail "the CBC tunnel did not come up"
fi
assert_ok "CBC: moon's LAN pings sun's LAN" \
    vm_in moon ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
sleep 0.5
kill -INT "$(cat "$CD_DIR/dumpcap.pid")"
sleep 0.5
rm -rf "$WS" "$CD_DIR/xdg"
mkdir -p "$WS" "$CD_DIR/xdg/wireshark"
# shellcheck disable=SC2086 # ctl is words
$ctl export-keys --wireshark "$WS" >"$CD_DIR/export.out" \
    2>"$CD_DIR/export.err" ||
    { cat "$CD_DIR/export.out" "$CD_DIR/export.err"; fail "export-keys"; }
assert_contains "$(cat "$WS/ikev2_decryption_table")" \
    '"AES-CBC-256 [RFC3602]"' "CBC: IKE encryption in Wireshark's name"
assert_contains "$(cat "$WS/ikev2_decryption_table")" \
    '"HMAC_SHA2_256_128 [RFC4868]"' "CBC: IKE integrity in Wireshark's name"
assert_contains "$(cat "$WS/esp_sa")" \
    '"AES-CBC [RFC3602]","0x' "CBC: ESP encryption in Wireshark's name"
assert_contains "$(cat "$WS/esp_sa")" \
    '"HMAC-SHA-256-128 [RFC4868]","0x' "CBC: ESP integrity in Wireshark's name"
cp "$WS/ikev2_decryption_table" "$WS/esp_sa" "$CD_DIR/xdg/wireshark/"
auth=$(ts -V -o esp.enable_authentication_check:TRUE \
    -Y "isakmp.exchangetype == 35") || fail "tshark: $auth"
for p in "Identification - Initiator" "Authentication" \
    "Traffic Selector - Initiator"; do
	assert_contains "$auth" "Payload: $p" "CBC: tshark decrypts IKE_AUTH: $p"
done
icmp=$(ts -o esp.enable_authentication_check:TRUE -V -Y "esp && icmp") ||
    fail "tshark: $icmp"
n=$(echo "$icmp" | grep -c "Echo (ping) request" || true)
assert_ge "CBC: ICMP echo requests decrypted inside ESP" "$n" 3
good=$(ts -o esp.enable_authentication_check:TRUE -Y "esp.icv_good == 1" \
    -T fields -e frame.number) || fail "tshark: $good"
n=$(echo "$good" | grep -c '^[0-9][0-9]*$' || true)
assert_ge "CBC: tshark finds the ESP ICVs good with the exported keys" "$n" 6
# save_keys appended the CBC SAs' rows to the first leg's.
n=$(grep -vc '^#' "$SK/ikev2_decryption_table" || true)
[ "$n" = 2 ] || fail "save_keys: $n IKE rows after two legs, not 2"
n=$(grep -vc '^#' "$SK/esp_sa" || true)
[ "$n" = 4 ] || fail "save_keys: $n ESP rows after two legs, not 4"
pass "save_keys: both legs' SAs in the files (2 IKE rows, 4 ESP rows)"
rm -rf "$CD_DIR/xdg-saved"
mkdir -p "$CD_DIR/xdg-saved/wireshark"
cp "$SK/ikev2_decryption_table" "$SK/esp_sa" "$CD_DIR/xdg-saved/wireshark/"
auth=$(ts_saved -V -Y "isakmp.exchangetype == 35") || fail "tshark: $auth"
assert_contains "$auth" "Payload: Identification - Initiator" \
    "CBC: save_keys' files: tshark decrypts IKE_AUTH"
good=$(ts_saved -o esp.enable_authentication_check:TRUE \
    -Y "esp.icv_good == 1" -T fields -e frame.number) || fail "tshark: $good"
n=$(echo "$good" | grep -c '^[0-9][0-9]*$' || true)
assert_ge "CBC: save_keys' files: the ESP ICVs are good" "$n" 6
cd_stop moon || fail "moon's charond did not exit"
cd_stop sun || fail "sun's charond did not exit"
pass "moon and sun stopped"
