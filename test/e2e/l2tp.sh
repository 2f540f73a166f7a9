#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The l2tp plugin's netfilter state, on the host (daemon.kernel none: no
# SAs, but the child filters run and nftables is real in this network
# namespace). sun is an L2TP/IPsec server (remote_addrs %any, an IKEv1
# child with l2tp: true), moon its client (remote_addrs names sun). When
# moon's child comes up, sun's table `ip charond-l2tp` holds moon's
# address and its reqid's mark, zone and port, and sun's line says so;
# moon, a client, has no such state. A rekey keeps the one entry; when
# the child goes, the entries go; when sun stops, its table goes.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

l2tp_conf() {
	e2e_conf "$1" "$2" "$3" "one key" aes128-sha1-modp2048
	sed -i -e 's|^daemon:$|daemon:\n  kernel: none|' \
	    -e 's|^  site:$|  site:\n    version: 1|' \
	    -e 's|esp_proposals: \[aes128gcm16\]|esp_proposals: [aes128-sha1]|' \
	    -e '/local_ts: \[10.1.0.0\/16\]/d' \
	    -e 's|remote_ts: \[10.2.0.0/16\]|l2tp: true|' "$W/$1.yaml"
}
l2tp_conf moon 127.0.0.1 127.0.0.2
l2tp_conf sun 127.0.0.2 '"%any"'
e2e_start sun
e2e_start moon

table() { nft -j list table ip charond-l2tp 2>/dev/null || true; }
# The elements of set SET in the table, as "key:value" words.
elems() {
	table | python3 -c 'import json, sys
t = sys.stdin.read()
out = []
for o in (json.loads(t)["nftables"] if t else []):
    s = o.get("set") or o.get("map")
    if s and s["name"] == sys.argv[1]:
        for e in s.get("elem", []):
            out.append(json.dumps(e, sort_keys=True).replace(" ", ""))
print(" ".join(out))' "$1"
}

check "no table before any L2TP client" test -z "$(table)"
# The config check looks at xl2tpd: not running in this namespace.
expect_in "$W/sun.log" "warning: xl2tpd is not listening on UDP/1701" \
    "sun warns, at the child's l2tp key, that xl2tpd is not listening"
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "moon's L2TP child comes up"
expect_in "$W/sun.log" "nftables table ip charond-l2tp set up" "sun's line"
expect_in "$W/sun.log" "L2TP client 127.0.0.1 (CHILD SA net of 'site', reqid" \
    "sun names its client"
check "sun's client-addrs holds moon" test "$(elems client-addrs)" = '"127.0.0.1"'
ctl sun --json list-sas
reqid_line=$(grep -o "reqid [0-9]*) is 127.0.0.1:[0-9]*" "$W/sun.log" | head -1)
echo "$reqid_line"
marks=$(elems reqid-mark)
echo "reqid-mark: $marks"
check "one reqid-mark entry" test "$(echo "$marks" | wc -w)" = 1
check "its mark is the one sun's line names" \
    sh -c "nft list map ip charond-l2tp reqid-mark | grep -q '$(grep -o 'mark 0x06a5[0-9a-f]*' "$W/sun.log" | head -1 | cut -d' ' -f2)'"
nft list table ip charond-l2tp
check "one zone entry" test "$(elems reqid-zone | wc -w)" = 1
check "one port entry" test "$(elems reqid-port | wc -w)" = 1
check "one addr.port entry" test "$(elems addr-port-mark | wc -w)" = 1

# A rekey by either side: the same client, the same one entry.
ctl sun --json list-sas
ike=$(jget 'd["ike_sas"][0]["id"]' <"$W/out")
id=$(jget '[c["id"] for c in d["ike_sas"][0]["children"]
    if c["state"] == "INSTALLED"][0]' <"$W/out")
ctl sun --json rekey --ike-id "$ike" --child-id "$id"
expect_rc 0 "sun rekeys the child"
sleep 0.5
check "still one reqid-mark entry after the rekey" \
    test "$(elems reqid-mark)" = "$marks"

# A firewall reload that flushes the ruleset takes our table with it:
# the next client's arrival makes it again, with moon in it too.
nft delete table ip charond-l2tp
l2tp_conf bob 127.0.0.3 127.0.0.2
e2e_start bob
ctl bob --json initiate --child net --timeout 10
expect_rc 0 "bob's L2TP child comes up"
expect_in "$W/sun.log" "was removed (a firewall reload that flushes the ruleset?): making it again" \
    "sun's line"
check "the table is back with moon's and bob's addresses" \
    test "$(elems client-addrs)" = '"127.0.0.1" "127.0.0.3"'
check "and two reqid-mark entries" test "$(elems reqid-mark | wc -w)" = 2
ctl bob --json terminate --ike site --timeout 10
expect_rc 0 "bob terminates"
e2e_stop bob

# Flushed while moon is the only client: sun notices by itself within
# its 10 s look and puts moon's entries back.
nft flush ruleset
i=0
while [ -z "$(elems reqid-mark)" ] && [ $i -lt 150 ]; do
	i=$((i + 1))
	sleep 0.1
done
check "sun made its table again with moon's entries" \
    test "$(elems reqid-mark)" = "$marks"

# The child goes: its entries go (conntrack flushed by its mark too).
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "moon terminates"
i=0
while [ -n "$(elems reqid-mark)" ] && [ $i -lt 30 ]; do
	i=$((i + 1))
	sleep 0.1
done
check "no reqid-mark entry once the client is gone" test -z "$(elems reqid-mark)"
check "no client address left" test -z "$(elems client-addrs)"
check "no addr.port entry left" test -z "$(elems addr-port-mark)"
expect_in "$W/sun.log" "L2TP client 127.0.0.1 (reqid" "sun's line on it"

# A reload that drops the connection closes its SAs: the client's entries
# go too, though the child is no longer in the configuration.
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "moon's L2TP child comes up again"
check "one reqid-mark entry again" test "$(elems reqid-mark | wc -w)" = 1
sed -i 's|^  site:$|  renamed:|' "$W/sun.yaml"
ctl sun --json load
expect_rc 0 "sun reloads without the connection 'site'"
i=0
while [ -n "$(elems reqid-mark)" ] && [ $i -lt 30 ]; do
	i=$((i + 1))
	sleep 0.1
done
check "no reqid-mark entry once the reload closed its SA" \
    test -z "$(elems reqid-mark)"
check "no client address left after the reload" test -z "$(elems client-addrs)"
e2e_stop moon
e2e_stop sun
check "sun's table went with it" test -z "$(table)"

# Without CAP_NET_ADMIN the table cannot be made: sun says so at start,
# and refuses the client's CHILD SA with the reason rather than install
# marked policies nothing would mark packets for.
real=$CHAROND
cat >"$W/charond-nocap" <<EOF
#!/bin/sh
exec setpriv --bounding-set -net_admin "$real" "\$@"
EOF
chmod +x "$W/charond-nocap"
CHAROND=$W/charond-nocap
l2tp_conf sun 127.0.0.2 '"%any"'
e2e_start sun
CHAROND=$real
expect_in "$W/sun.log" "several L2TP clients behind one NAT will fail" \
    "sun warns at start that it cannot use nftables"
e2e_start moon
# IKEv1: moon installs on message 2, sun refuses after message 3 and
# tells moon with a DELETE.
ctl moon --json initiate --child net --timeout 10
expect_in "$W/sun.log" "CHILD SA net of 'site' not installed: nftables:" \
    "sun's line says the CHILD SA was refused for nftables"
expect_in "$W/sun.log" "CHILD SA 'net' not installed here: DELETE of SPI" \
    "sun tells moon"
i=0
while :; do
	ctl moon --json list-sas
	n=$(jget 'sum(len(s["children"]) for s in d["ike_sas"])' <"$W/out")
	[ "$n" != 0 ] && [ $i -lt 30 ] || break
	i=$((i + 1))
	sleep 0.1
done
check "moon holds no CHILD SA: sun's DELETE took it down" test "$n" = 0
check "no table" test -z "$(table)"
e2e_stop moon
e2e_stop sun
