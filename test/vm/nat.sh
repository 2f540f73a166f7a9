# shellcheck shell=sh
# SPDX-License-Identifier: ISC
#
# A real NAT between test hosts, sourced (POSIX sh) after lib.sh:
#
#   . "${0%/*}/../lib.sh"
#   . "${0%/*}/../nat.sh"
#   nat_topology alice bob          # the clients behind the NAT
#   nat_masq plain                  # or random, range LO-HI, off
#   ...
#   nat_flush                       # forget every mapping (conntrack -F)
#
#   alice 10.1.0.10 --+
#                     br0 10.1.0.1  [nat]  eth1 192.0.2.1 ---- eth0 192.0.2.2 sun
#   bob   10.1.0.20 --+  (bridge)  masquerade                   lan 10.2.0.1/16
#
# The clients (the first at 10.1.0.10, the second at 10.1.0.20, a third,
# if any, at 10.1.0.30; eth0, default route via 10.1.0.1) share a private LAN, a bridge in the router
# "nat". The router masquerades what leaves its public side (eth1,
# 192.0.2.1) as nat_masq says; sun (192.0.2.2, eth0) is on the public
# side with a LAN of its own (dummy "lan", 10.2.0.1/16) and a route to
# 10.1.0.0/24 through the router, which matters only without the NAT
# (nat_masq off). sun routes to nothing else: what it answers goes to the
# NAT's public address.
#
# The router forwards no plain ESP (protocol 50): a tunnel through it
# must use UDP encapsulation or carry nothing. Its nftables counters,
# read with nat_count NAME, see every forwarded packet before the
# masquerade (from the LAN, "out") or after it (to the LAN, "in"):
#   esp_dropped    plain ESP, dropped
#   nat_t_out      UDP to port 4500 from the LAN (ESP in UDP, IKE, keepalives)
#   nat_t_in       UDP from port 4500 to the LAN
#   keepalive_out  NAT keepalives from the LAN (UDP 4500 -> 4500, one 0xFF byte)
#   ike_out        UDP to port 500 from the LAN
# The counters survive nat_masq (only the nat table is replaced).

# The router's public address, sun's address, the clients' addresses.
NAT_PUBLIC=192.0.2.1
NAT_SUN=192.0.2.2
NAT_CLIENTS=

# nat_topology CLIENT...: one to three clients behind the NAT, the router
# "nat" and sun (see above). Forwarding on the router only; no NAT yet
# (nat_masq).
nat_topology() {
	case $# in
	1 | 2 | 3) ;;
	*) fail "nat_topology: one to three clients" ;;
	esac
	vm_host nat sun "$@"
	ip -n nat link add br0 type bridge || fail "no bridge on the router"
	vm_addr nat br0 10.1.0.1/24
	ip -n nat link set br0 up || fail "cannot bring up nat/br0"
	nat_i=10
	for nat_c in "$@"; do
		vm_link "$nat_c" eth0 "10.1.0.$nat_i/24" nat "lan$nat_i" ""
		ip -n nat link set "lan$nat_i" master br0 ||
		    fail "cannot bridge $nat_c's link"
		ip -n "$nat_c" route add default via 10.1.0.1 ||
		    fail "no default route on $nat_c"
		NAT_CLIENTS="$NAT_CLIENTS 10.1.0.$nat_i"
		nat_i=$((nat_i + 10))
	done
	vm_link nat eth1 "$NAT_PUBLIC/24" sun eth0 "$NAT_SUN/24"
	vm_dummy sun lan 10.2.0.1/16
	ip -n sun route add 10.1.0.0/24 via "$NAT_PUBLIC" ||
	    fail "no route to the LAN on sun"
	vm_forward nat
	# Counters and the ESP drop, in a table nat_masq leaves alone.
	vm_in nat nft -f - <<'EOF' || fail "cannot set the router's filter"
table ip count {
	counter esp_dropped { }
	counter nat_t_out { }
	counter nat_t_in { }
	counter keepalive_out { }
	counter ike_out { }
	chain forward {
		type filter hook forward priority filter; policy accept;
		ip protocol esp counter name esp_dropped drop
		iifname "br0" udp dport 4500 counter name nat_t_out
		iifname "br0" udp dport 4500 udp sport 4500 udp length 9 @th,64,8 0xff counter name keepalive_out
		oifname "br0" udp sport 4500 counter name nat_t_in
		iifname "br0" udp dport 500 counter name ike_out
	}
}
EOF
}

# nat_masq MODE: what the router does to the LAN's packets leaving eth1.
#   plain        masquerade: keeps a source port where it is free (the
#                first client's 500 and 4500 stay, a second gets others)
#   random       masquerade fully-random: every mapping a random port
#   range LO-HI  masquerade UDP to ports LO-HI only (to force new ports)
#   off          no NAT: plain routing (sun routes the LAN back)
# Existing mappings (conntrack entries) stay: see nat_flush.
nat_masq() {
	case $1 in
	plain) nat_r=masquerade ;;
	random) nat_r='masquerade fully-random' ;;
	range) nat_r="meta l4proto udp masquerade to :$2
		oifname \"eth1\" masquerade" ;;
	off) nat_r= ;;
	*) fail "nat_masq: unknown mode '$1'" ;;
	esac
	{
		# Declared first so that the delete never fails.
		echo 'table ip nat { }'
		echo 'delete table ip nat'
		[ -z "$nat_r" ] || cat <<EOF
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth1" $nat_r
	}
}
EOF
	} | vm_in nat nft -f - || fail "nat_masq $*: nft failed"
}

# nat_flush: forget every NAT mapping (the router's conntrack table): the
# next packet of each flow gets a new one, with a new port if nat_masq
# changed the range meanwhile (or fully-random).
nat_flush() {
	vm_in nat conntrack -F >/dev/null 2>&1 ||
	    fail "cannot flush the router's conntrack table"
}

# nat_mappings: the router's UDP mappings, one per line:
#   PRIVATE_SRC:SPORT PUBLIC_SRC:PUBLIC_SPORT DST:DPORT
nat_mappings() {
	# shellcheck disable=SC2016 # awk's $n, not the shell's
	vm_in nat conntrack -L -p udp 2>/dev/null | awk '
	{ delete v; n = 0
	  for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) {
		k = kv[1]; if (k in v) k = k "2"; v[k] = kv[2] }
	  print v["src"] ":" v["sport"], v["dst2"] ":" v["dport2"],
	      v["dst"] ":" v["dport"] }'
}

# nat_public_port PRIVATE_ADDR PRIVATE_PORT: the public port the router
# maps PRIVATE_ADDR:PRIVATE_PORT to (towards sun); empty if none.
nat_public_port() {
	nat_mappings | awk -v s="$1:$2" -v d="$NAT_SUN" '
	$1 == s && index($3, d ":") == 1 { p = $2; sub(/.*:/, "", p); print p; exit }'
}

# nat_count NAME: packets counted by the router's counter NAME (above).
nat_count() {
	vm_in nat nft list counter ip count "$1" 2>/dev/null |
	    awk '$1 == "packets" { print $2; exit }'
}

# nat_capture HOST IFACE FILE FILTER: capture on HOST's IFACE in the
# background (tcpdump, one line a packet with its time since the epoch)
# into FILE, with the pcap filter FILTER; nat_capture_stop ends it.
NAT_CAPTURES=
nat_capture() {
	vm_in "$1" tcpdump -i "$2" -n -l -tt -Z root -s 64 "$4" \
	    >"$3" 2>"$3.err" &
	NAT_CAPTURES="$NAT_CAPTURES $!"
	# tcpdump says "listening on" once its filter is in place.
	nat_i=0
	until grep -q "listening on" "$3.err" 2>/dev/null; do
		nat_i=$((nat_i + 1))
		[ $nat_i -lt 100 ] || fail "tcpdump on $1/$2 did not start"
		sleep 0.1
	done
}

nat_capture_stop() {
	for nat_p in $NAT_CAPTURES; do
		# TERM: background jobs of a script ignore SIGINT.
		kill -TERM "$nat_p" 2>/dev/null || :
		wait "$nat_p" 2>/dev/null || :
	done
	NAT_CAPTURES=
}

# nat_intervals FILE: the seconds between consecutive packets of a
# nat_capture file, one per line, with two decimals.
nat_intervals() {
	awk 'NF { if (t != "") printf "%.2f\n", $1 - t; t = $1 }' "$1"
}
