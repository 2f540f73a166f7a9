#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The l2tp plugin's data path, without xl2tpd (test/vm/l2tp.sh has the
# whole gateway): alice, bob and carol behind one masquerading NAT
# (test/vm/nat.sh), each with strongSwan 5.9.8 and an IKEv1 transport SA
# for udp/1701, each sending L2TP-like datagrams from UDP port 1701, the
# way Windows does; charond on sun is the server, `l2tp: true`, remote
# %any. After decryption the three clients' datagrams are the same
# five-tuple (public:1701 -> sun:1701). A UDP server on sun's 1701
# answers each datagram to whoever it came from. Passes when:
#   - each client gets its own answers, through its own SA, while the
#     others are up (and again after each new one joins);
#   - sun's server saw three different peers (public:49152+slot);
#   - sun's policies for them carry three different marks;
#   - plain UDP to sun's 1701 from the NAT's address is dropped;
#   - when bob's SA is deleted, his map entries and conntrack entries go,
#     and alice and carol keep working;
#   - when charond stops, its nftables table goes.
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
# shellcheck source=/dev/null
. "${0%/*}/../strongswan.sh"
# shellcheck source=/dev/null
. "${0%/*}/../nat.sh"
vm_require_guest

SUN=$NAT_SUN PUB=$NAT_PUBLIC
IKE=aes256-sha1-modp2048 ESP=aes128-sha1
PSK='l2tp group key, not a secret'
CLIENTS="alice bob carol"

finish() {
	st=$?
	set +e
	if [ "$st" != 0 ]; then
		for h in sun nat; do
			echo "--- $h: ip -s xfrm state; ip xfrm policy"
			ip -n "$h" -s xfrm state 2>/dev/null | sed 's/^/  | /'
			ip -n "$h" xfrm policy 2>/dev/null | sed 's/^/  | /'
		done
		vm_in sun nft list ruleset 2>&1 | sed 's/^/  sun nft | /'
		vm_in sun conntrack -L 2>&1 | sed 's/^/  sun ct | /'
		sed 's/^/  server | /' /tmp/l2tp-server.log 2>/dev/null
		cd_log sun | tail -n 60
	fi
	[ ! -f "$CD_DIR/sun/pid" ] || cd_stop sun || :
	sw_cleanup "$st"
	vm_cleanup
	exit "$st"
}
trap finish EXIT

nat_topology alice bob carol
nat_masq plain

# sun: an L2TP/IPsec server as l2tp-server.yaml has it.
mkdir -p "$CD_DIR/sun"
cat >"$CD_DIR/sun.yaml" <<EOF
daemon:
  listen: ["$SUN"]
  plugin_dir: "@PLUGIN_DIR@"
  retransmit: {timeout: 2s, base: 1.8, tries: 4}
connections:
  l2tp:
    version: 1
    local_addrs: ["$SUN"]
    proposals: [$IKE]
    local: {auth: psk}
    remote: {auth: psk}
    children:
      l2tp:
        l2tp: true
        esp_proposals: [$ESP]
        rekey_time: 0
secrets:
  psk:
    - secret: "$PSK"
EOF
cd_start sun "$CD_DIR/sun.yaml"

# The server: answers every datagram to its sender, logs each sender.
cat >/tmp/l2tp-server.py <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 1701))
while True:
    data, peer = s.recvfrom(2048)
    print("%s:%d %s" % (peer[0], peer[1], data.decode()), flush=True)
    s.sendto(b"reply to " + data, peer)
EOF
vm_in sun python3 -S /tmp/l2tp-server.py "$SUN" >/tmp/l2tp-server.log 2>&1 &

# talk CLIENT: CLIENT sends its name from its 1701 and prints the answer.
talk() {
	ip=$(ip -n "$1" -4 -o addr show eth0 | awk '{ sub(/\/.*/, "", $4); print $4 }')
	vm_in "$1" python3 -S -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 1701))
s.settimeout(1)
for i in range(3):
    s.sendto(sys.argv[3].encode(), (sys.argv[2], 1701))
    try:
        print(s.recvfrom(2048)[0].decode())
        break
    except socket.timeout:
        pass' "$ip" "$SUN" "$1"
}

talks() {
	assert_eq "$1 gets its own answer" "$(talk "$1")" "reply to $1"
}

up() {
	ip=$(ip -n "$1" -4 -o addr show eth0 | awk '{ sub(/\/.*/, "", $4); print $4 }')
	sw_start "$1"
	sw_psk "$1" version=1 conn=l2tp child=l2tp local="$ip" remote="$SUN" \
	    ike="$IKE" esp="$ESP" mode=transport \
	    local_ts='dynamic[udp/1701]' remote_ts='dynamic[udp/1701]' \
	    psk="$PSK"
	sw_load "$1"
	assert_ok "$1 brings up its L2TP SA behind the NAT" \
	    sw_initiate "$1" l2tp l2tp
}

n=0
for c in $CLIENTS; do
	up "$c"
	n=$((n + 1))
	cd_wait_states sun $((n * 2)) || fail "not $((n * 2)) SAs on sun"
	for t in $CLIENTS; do
		talks "$t"
		[ "$t" != "$c" ] || break
	done
done

# list-sas finds each pair's counters (the SAs carry no mark, only the
# policies do).
"$CHAROND_BUILD/bin/charonctl" -S "$CD_DIR/sun/ctl.sock" --json list-sas \
    >/tmp/l2tp-sas.json
assert_eq "list-sas counts traffic both ways on each client's pair" \
    "$(jq '[.ike_sas[].children[] | select(.packets_in > 0 and .packets_out > 0)] | length' /tmp/l2tp-sas.json)" 3
peers=$(awk '{ print $1 }' /tmp/l2tp-server.log | sort -u)
echo "sun's server saw: $peers"
assert_eq "sun's server saw three peers" "$(echo "$peers" | grep -c .)" 3
for p in $peers; do
	case $p in
	"$PUB":4915[3-9] | "$PUB":491[6-9]? | "$PUB":49[2-9]??) ;;
	*) fail "peer $p is not the NAT's address with a client's port" ;;
	esac
done
pass "each client is public:49152+slot to the server"
marks=$(ip -n sun xfrm policy | awk '$1 == "mark" { print $2 }' | sort -u)
assert_eq "sun's policies carry three marks" "$(echo "$marks" | grep -c .)" 3

# Plain L2TP from the NAT's address never reaches the server.
before=$(grep -c . /tmp/l2tp-server.log)
vm_in nat python3 -S -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"$PUB"'", 1701))
s.sendto(b"forged", ("'"$SUN"'", 1701))'
sleep 0.5
assert_eq "plain L2TP from a client's address is dropped" \
    "$(grep -c . /tmp/l2tp-server.log)" "$before"

# bob goes: his entries and conntrack entries go; the others go on.
bob_mark=$(grep -o 'L2TP client [0-9.]* (CHILD SA [^)]*) is [0-9.:]* to xl2tpd, mark 0x[0-9a-f]*' \
    "$CD_DIR/sun/log" | sed -n 2p | sed 's/.*mark //')
echo "bob's mark: $bob_mark"
assert_ge "bob's datagrams have conntrack entries with his mark" \
    "$(vm_in sun conntrack -L -m "$bob_mark" 2>/dev/null | grep -c src=)" 1
assert_ok "bob deletes his SA" sw_terminate bob l2tp
cd_wait_states sun 4 || fail "bob's SAs stay on sun"
i=0
while vm_in sun nft list map ip charond-l2tp reqid-mark | grep -q "$bob_mark" &&
    [ $i -lt 30 ]; do
	i=$((i + 1))
	sleep 0.1
done
if vm_in sun nft list map ip charond-l2tp reqid-mark | grep -q "$bob_mark"; then
	fail "bob's mark $bob_mark stays in the map"
fi
pass "bob's map entry went"
assert_eq "no conntrack entry with bob's mark" \
    "$(vm_in sun conntrack -L -m "$bob_mark" 2>/dev/null | grep -c src=)" 0
talks alice
talks carol
# The pid is our child's: reap it, or it lingers as a zombie.
cd_stop sun || :
wait "$(cat "$CD_DIR/sun/pid")" 2>/dev/null || :
rm -f "$CD_DIR/sun/pid"
grep -q "charond stopped" "$CD_DIR/sun/log" || fail "charond did not stop"
if vm_in sun nft list table ip charond-l2tp >/dev/null 2>&1; then
	fail "the table stays after charond stopped"
fi
pass "charond's table went with it"
