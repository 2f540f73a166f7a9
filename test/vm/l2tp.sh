# shellcheck shell=sh
# SPDX-License-Identifier: ISC
#
# An L2TP/IPsec gateway and its clients inside the VM, sourced (POSIX sh)
# after lib.sh, charond.sh, strongswan.sh and nat.sh:
#
#   l2tp_topology alice                 # or nat_topology alice bob carol
#   l2tp_server_start                   # charond + xl2tpd LNS on sun
#   l2tp_client alice windows           # strongSwan + xl2tpd LAC + pppd
#   l2tp_ping alice                     # across PPP, counted by both SAs
#   l2tp_client_stop alice
#   l2tp_server_empty "after alice left"
#
# The server is "sun" (192.0.2.2): charond with etc/examples/l2tp-server.yaml
# and xl2tpd with etc/examples/xl2tpd.conf and options.xl2tpd, each used as
# an admin would copy them (what l2tp_server_conf changes is listed there).
# A client is a host with strongSwan 5.9.8's charon (IKEv1, ESP in
# transport mode for its L2TP datagrams, proposals as one of the built-in
# clients makes them: windows, macos, android, ../shared/docs/clients.md),
# an xl2tpd LAC and the pppd it starts. The PPP user is the host's name, its
# secret in /etc/ppp/chap-secrets (the guest's overlay: shared by all).
#
# Every daemon keeps its files under $L2TP_DIR/HOST/: xl2tpd.conf, pid,
# control (the pipe "c l2tp" dials on), xl2tpd.log; pppd's options for a
# client. All pppd log to $L2TP_DIR/ppp.log (a logfile line added to the
# guest's /etc/ppp/options). Sourcing sets an EXIT trap that, when the
# scenario fails, prints the ends of these logs and both kernels' state,
# copies the logs to $VM_OUT, then stops everything (sw_cleanup,
# vm_cleanup).

L2TP_DIR=${L2TP_DIR:-/tmp/l2tp}
L2TP_SERVER=192.0.2.2
# The server's network namespace: sun, or (package-l2tp.sh) the guest's
# own, attached under a name.
L2TP_HOST=${L2TP_HOST:-sun}
# The sample's group secret, used as it stands (test data, like the rest).
L2TP_PSK='change me to a long random group secret'
# etc/examples/xl2tpd.conf's "local ip" and the start of its "ip range".
L2TP_LOCAL=10.10.0.1
L2TP_POOL=10.10.0.

# l2tp_topology CLIENT: sun (192.0.2.2) and one client (192.0.2.10) on one
# link, no router: ESP goes plain. (Behind a NAT: nat.sh's nat_topology.)
l2tp_topology() {
	vm_host sun "$1"
	vm_link sun eth0 "$L2TP_SERVER/24" "$1" eth0 192.0.2.10/24
}

# l2tp_addr HOST: HOST's address on eth0 (its only link).
l2tp_addr() {
	# shellcheck disable=SC2016 # awk's $n, not the shell's
	ip -n "$1" -4 -o addr show dev eth0 |
	    awk '{ sub(/\/.*/, "", $4); print $4; exit }'
}

# l2tp_server_conf OUT [DPD_DELAY]: the server's charond config, from the
# sample, with what the tests need and nothing else:
#   - daemon.plugin_dir (charond.sh's @PLUGIN_DIR@: the build tree's
#     plugins) and daemon.retransmit 1 s, x1.5, 3 tries (the sample keeps
#     the default; a DPD probe then gives up after some 5 s, not 60)
#   - DPD_DELAY, if given, instead of the sample's dpd delay of 30 s
#   - L2TP_ANDROID=1: aes256-sha1-modp1024 appended to the proposals, as the
#     sample's comment tells an admin to do for Android <= 11
l2tp_server_conf() {
	l2_sed='s|^daemon:$|daemon:\n  plugin_dir: "@PLUGIN_DIR@"\n  retransmit: {timeout: 1s, base: 1.5, tries: 3}|'
	[ -z "${2:-}" ] || l2_sed="$l2_sed
s|dpd: {delay: 30s,|dpd: {delay: $2,|"
	[ "${L2TP_ANDROID:-0}" != 1 ] || l2_sed="$l2_sed
/^      - aes128-sha1-modp2048\$/a\\      - aes256-sha1-modp1024"
	sed "$l2_sed" etc/examples/l2tp-server.yaml >"$1" ||
	    fail "cannot write $1"
}

# l2tp_lac_conf OUT LOCAL: charond as an L2TP/IPsec client (beside an
# xl2tpd LAC) at LOCAL towards the server: IKEv1 with what Windows offers,
# ESP in transport mode for its L2TP datagrams (`l2tp: true`, which on a
# connection that names its server proposes remote udp/1701, as Windows
# does), brought up at start.
l2tp_lac_conf() {
	l2_child='        l2tp: true'
	cat >"$1" <<EOF || fail "cannot write $1"
daemon:
  plugin_dir: "@PLUGIN_DIR@"
  retransmit: {timeout: 1s, base: 1.5, tries: 3}
connections:
  l2tp:
    version: 1
    local_addrs: ["$2"]
    remote_addrs: ["$L2TP_SERVER"]
    proposals: [aes256-sha1-ecp384, aes128-sha1-ecp256, aes256-sha1-modp2048,
                aes128-sha1-modp2048]
    local: {auth: psk}
    remote: {auth: psk}
    children:
      l2tp:
        mode: transport
$l2_child
        esp_proposals: [aes256-sha1, aes128-sha1]
        start_action: start
secrets:
  psk:
    - secret: "$L2TP_PSK"
EOF
}

# l2tp_ppp_setup: the users' CHAP secrets (one line serves the server's
# check and the client's answer: any server name) and pppd's log file,
# once per boot.
l2tp_ppp_setup() {
	[ ! -f "$L2TP_DIR/.ppp" ] || return 0
	mkdir -p "$L2TP_DIR" /etc/ppp
	{
		echo "# Written by test/vm/l2tp.sh: client server secret addresses"
		for l2_u in alice bob carol; do
			echo "$l2_u * \"$l2_u's PPP secret\" *"
		done
	} >/etc/ppp/chap-secrets || fail "cannot write /etc/ppp/chap-secrets"
	chmod 600 /etc/ppp/chap-secrets
	# Debian's /etc/ppp/options stays (an admin's server has it too);
	# pppd has no syslog to write to in the guest.
	printf 'logfile %s\ndebug\n' "$L2TP_DIR/ppp.log" >>/etc/ppp/options ||
	    fail "cannot add pppd's log file"
	: >"$L2TP_DIR/.ppp"
}

# l2tp_xl2tpd HOST: start an xl2tpd in HOST's namespace with
# $L2TP_DIR/HOST/xl2tpd.conf, its own pid file and control pipe; wait
# until the pipe exists (xl2tpd makes it once it listens).
l2tp_xl2tpd() {
	l2_d=$L2TP_DIR/$1
	rm -f "$l2_d/control" "$l2_d/pid"
	ip netns exec "$1" xl2tpd -D -c "$l2_d/xl2tpd.conf" -p "$l2_d/pid" \
	    -C "$l2_d/control" >>"$l2_d/xl2tpd.log" 2>&1 &
	echo $! >"$l2_d/xl2tpd.pid"
	l2_i=0
	until [ -p "$l2_d/control" ]; do
		[ $l2_i -lt 100 ] ||
		    { cat "$l2_d/xl2tpd.log"; fail "xl2tpd on $1 did not start"; }
		sleep 0.1
		l2_i=$((l2_i + 1))
	done
}

# l2tp_xl2tpd_stop HOST: SIGTERM HOST's xl2tpd (it closes its tunnels and
# pppd go with them) and wait until it is gone.
l2tp_xl2tpd_stop() {
	[ -f "$L2TP_DIR/$1/xl2tpd.pid" ] || return 0
	read -r l2_p <"$L2TP_DIR/$1/xl2tpd.pid"
	rm -f "$L2TP_DIR/$1/xl2tpd.pid"
	kill -TERM "$l2_p" 2>/dev/null || return 0
	l2_i=0
	while kill -0 "$l2_p" 2>/dev/null && [ $l2_i -lt 50 ]; do
		sleep 0.1
		l2_i=$((l2_i + 1))
	done
	kill -KILL "$l2_p" 2>/dev/null || :
	wait "$l2_p" 2>/dev/null || :
}

# l2tp_lns_start: sun's xl2tpd with the samples: xl2tpd.conf copied as it
# is (the pid file and control pipe moved by xl2tpd's -p and -C),
# options.xl2tpd where xl2tpd.conf names it, /etc/ppp/options.xl2tpd.
l2tp_lns_start() {
	mkdir -p "$L2TP_DIR/sun"
	l2tp_ppp_setup
	cp etc/examples/xl2tpd.conf "$L2TP_DIR/sun/xl2tpd.conf" ||
	    fail "cannot copy the xl2tpd sample"
	cp etc/examples/options.xl2tpd /etc/ppp/options.xl2tpd ||
	    fail "cannot copy the pppd options sample"
	l2tp_xl2tpd sun
}

# l2tp_server_start [CONF]: on sun, charond with CONF (default: the sample
# through l2tp_server_conf) and the LNS (l2tp_lns_start).
l2tp_server_start() {
	mkdir -p "$L2TP_DIR/sun"
	if [ -z "${1:-}" ]; then
		l2tp_server_conf "$L2TP_DIR/sun/charond.yaml"
		set -- "$L2TP_DIR/sun/charond.yaml"
	fi
	cd_start sun "$1"
	l2tp_lns_start
	# charond is up once its control socket answers.
	l2_i=0
	until l2tp_ctl version >/dev/null 2>&1; do
		[ $l2_i -lt 100 ] || { cd_log sun; fail "charond on sun did not start"; }
		sleep 0.1
		l2_i=$((l2_i + 1))
	done
}

# l2tp_ctl ARGS...: charonctl against sun's charond.
l2tp_ctl() {
	"$CHAROND_BUILD/bin/charonctl" -S "$CD_DIR/sun/ctl.sock" "$@"
}

# l2tp_spis HOST: "IN OUT", the SPIs (8 hex digits) of HOST's installed
# l2tp pair, from its strongSwan or, if it runs none, its charond.
l2tp_spis() {
	if sw_pid "$1"; then
		sw_spis "$1" l2tp
	else
		"$CHAROND_BUILD/bin/charonctl" -S "$CD_DIR/$1/ctl.sock" --json \
		    list-sas 2>/dev/null | jq -r '[.ike_sas[].children[] |
		    select(.state == "INSTALLED")][0] | "\(.spi_in) \(.spi_out)"'
	fi
}

# l2tp_profile PROFILE: set L2_IKE, L2_ESP, L2_LTS (the client's local
# selector) and L2_PORT (its L2TP source port) as that built-in client
# offers them (../shared/docs/clients.md; test/vm/ikev1.sh's clients case).
l2tp_profile() {
	case $1 in
	windows)
		L2_IKE=aes256-sha1-ecp384,aes128-sha1-ecp256,aes256-sha1-modp2048,aes128-sha1-modp2048,aes256-sha1-modp1024,3des-sha1-modp1024
		L2_ESP=aes256-sha1,aes128-sha1
		L2_LTS='dynamic[udp/1701]' L2_PORT=1701
		;;
	macos)
		L2_IKE=aes256-sha256-modp2048,aes256-sha1-modp2048,aes256-md5-modp2048,aes256-sha512-modp2048,aes256-sha256-modp1536,aes256-sha1-modp1536,aes256-sha256-modp1024,aes256-sha1-modp1024,3des-sha1-modp1024
		L2_ESP=aes128-sha1
		# A high source port, as macOS picks one at random.
		L2_LTS='dynamic[udp]' L2_PORT=50123
		;;
	android)
		L2_IKE=aes256-sha256-modp1024,aes128-sha256-modp1024,3des-sha256-modp1024,aes256-sha1-modp1024,aes128-sha1-modp1024,3des-sha1-modp1024,aes256-md5-modp1024
		L2_ESP=aes256-sha1,aes128-sha1
		L2_LTS='dynamic[udp/1701]' L2_PORT=1701
		;;
	*) fail "unknown client profile '$1'" ;;
	esac
}

# l2tp_ipsec HOST PROFILE: HOST's strongSwan (started if it is not)
# brings up the IKEv1 SA and the transport mode pair for UDP/1701 to the
# server as PROFILE's client would: connection and child "l2tp". Windows
# names itself by its (private) address, the others by theirs too
# (strongSwan's default).
l2tp_ipsec() {
	l2tp_profile "$2"
	sw_pid "$1" || sw_start "$1"
	sw_psk "$1" conn=l2tp child=l2tp version=1 local="$(l2tp_addr "$1")" \
	    remote="$L2TP_SERVER" local_id="$(l2tp_addr "$1")" ike="$L2_IKE" \
	    esp="$L2_ESP" mode=transport local_ts="$L2_LTS" \
	    remote_ts='dynamic[udp/1701]' psk="$L2TP_PSK"
	sw_load "$1"
	l2_out=$(sw_initiate "$1" l2tp l2tp 2>&1) || {
		printf '%s\n' "$l2_out" | tail -n 20 | sed 's/^/  | /'
		fail "$1 ($2): no IPsec SA with the server"
	}
}

# l2tp_lac HOST PORT: HOST's xl2tpd as a LAC from UDP port PORT to the
# server, its pppd authenticating as HOST; dial and wait for ppp0.
l2tp_lac() {
	l2_d=$L2TP_DIR/$1
	mkdir -p "$l2_d"
	l2tp_ppp_setup
	cat >"$l2_d/xl2tpd.conf" <<EOF || fail "cannot write $l2_d/xl2tpd.conf"
; Written by test/vm/l2tp.sh: $1's LAC
[global]
port = $2
access control = no

[lac l2tp]
lns = $L2TP_SERVER
pppoptfile = $l2_d/options
length bit = yes
autodial = no
redial = no
EOF
	# A client's pppd: any address the server gives, no authentication
	# asked of the server (Debian's /etc/ppp/options says auth), the
	# same MTU as the server's.
	cat >"$l2_d/options" <<EOF || fail "cannot write $l2_d/options"
name $1
noauth
refuse-pap
refuse-eap
noccp
mtu 1280
mru 1280
ipcp-accept-local
ipcp-accept-remote
nodefaultroute
EOF
	l2tp_xl2tpd "$1"
	echo "c l2tp" >"$l2_d/control" || fail "cannot dial on $1"
	l2tp_wait_ppp "$1"
}

# l2tp_client HOST PROFILE: l2tp_ipsec, then l2tp_lac from PROFILE's port.
l2tp_client() {
	l2tp_ipsec "$1" "$2"
	l2tp_lac "$1" "$L2_PORT"
	pass "$1 ($2): IPsec up, ppp0 $(l2tp_ppp_addr "$1") on $1, $(l2tp_server_ppp "$(l2tp_ppp_addr "$1")") on $L2TP_HOST"
}

# l2tp_ppp_addr HOST: the address of HOST's ppp0 (empty: none yet).
l2tp_ppp_addr() {
	# shellcheck disable=SC2016 # awk's $n, not the shell's
	ip -n "$1" -4 -o addr show dev ppp0 2>/dev/null | awk '{ print $4; exit }'
}

# l2tp_server_ppp ADDR: sun's pppN whose peer is ADDR (empty: none).
l2tp_server_ppp() {
	# shellcheck disable=SC2016 # awk's $n, not the shell's
	ip -n "$L2TP_HOST" -4 -o addr show 2>/dev/null |
	    awk -v p="$1/32" '$5 == "peer" && $6 == p { print $2; exit }'
}

# l2tp_ppp_links HOST: HOST's PPP interfaces, one line each (none: empty).
l2tp_ppp_links() {
	ip -n "$1" -o link show 2>/dev/null | awk -F': ' '$2 ~ /^ppp/'
}

# l2tp_wait_ppp HOST [SECONDS]: wait (30 s) for HOST's ppp0 with an address
# from the server's pool and the server's pppN towards it.
l2tp_wait_ppp() {
	sw_now
	l2_end=$((SW_NOW + ${2:-30}))
	while :; do
		l2_a=$(l2tp_ppp_addr "$1")
		case $l2_a in
		"$L2TP_POOL"*)
			[ -z "$(l2tp_server_ppp "$l2_a")" ] || return 0
			;;
		esac
		sw_now
		[ "$SW_NOW" -lt "$l2_end" ] ||
		    fail "$1: no PPP link with the server within ${2:-30}s (ppp0: '$l2_a')"
		sleep 0.3
	done
}

# l2tp_packets HOST SPI: the packet counter of HOST's SA SPI (8 hex
# digits, as swanctl shows it), 0 if there is no such SA.
l2tp_packets() {
	vm_xfrm_states "$1" | awk -v p="0x$2" '$4 == p { n = $7 } END { print n + 0 }'
}

# l2tp_ping HOST [COUNT]: COUNT pings (3) from HOST's ppp0 to the server's
# PPP address and from the server to HOST's PPP address; both pass, and
# each of the four SAs of HOST's pair (on HOST and on sun) counted at
# least 2*COUNT packets meanwhile: the PPP link runs through ESP.
l2tp_ping() {
	l2_h=$1 l2_n=${2:-3}
	# shellcheck disable=SC2046 # "IN OUT"
	set -- $(l2tp_spis "$l2_h")
	[ $# -eq 2 ] || fail "$l2_h: its IKE daemon lists no l2tp CHILD SA"
	l2_in=$1 l2_out=$2
	l2_a=$(l2tp_ppp_addr "$l2_h")
	l2_b="$(l2tp_packets "$l2_h" "$l2_out") $(l2tp_packets "$l2_h" "$l2_in")
	    $(l2tp_packets "$L2TP_HOST" "$l2_out") $(l2tp_packets "$L2TP_HOST" "$l2_in")"
	assert_ok "$l2_h: ping from its ppp0 ($l2_a) to the server's $L2TP_LOCAL" \
	    vm_in "$l2_h" ping -c "$l2_n" -i 0.2 -W 2 "$L2TP_LOCAL"
	assert_ok "$l2_h: ping from $L2TP_HOST to $l2_h's $l2_a" \
	    vm_in "$L2TP_HOST" ping -c "$l2_n" -i 0.2 -W 2 "$l2_a"
	l2_e="$(l2tp_packets "$l2_h" "$l2_out") $(l2tp_packets "$l2_h" "$l2_in")
	    $(l2tp_packets "$L2TP_HOST" "$l2_out") $(l2tp_packets "$L2TP_HOST" "$l2_in")"
	# shellcheck disable=SC2086 # eight numbers: before, then after
	set -- $l2_b $l2_e
	assert_ge "$l2_h: its outbound SA $l2_out counted the pings" \
	    $(($5 - $1)) $((2 * l2_n))
	assert_ge "$l2_h: its inbound SA $l2_in counted the pings" \
	    $(($6 - $2)) $((2 * l2_n))
	assert_ge "$l2_h: $L2TP_HOST's inbound SA $l2_out counted the pings" \
	    $(($7 - $3)) $((2 * l2_n))
	assert_ge "$l2_h: $L2TP_HOST's outbound SA $l2_in counted the pings" \
	    $(($8 - $4)) $((2 * l2_n))
}

# l2tp_client_stop HOST: HOST hangs up (xl2tpd's "d l2tp": StopCCN to the
# server, pppd ends), its xl2tpd stops and its strongSwan deletes the SAs
# (a charond instead: stopped, which deletes them).
l2tp_client_stop() {
	l2_a=$(l2tp_ppp_addr "$1")
	[ ! -p "$L2TP_DIR/$1/control" ] || echo "d l2tp" >"$L2TP_DIR/$1/control"
	l2_i=0
	while [ -n "$(l2tp_ppp_addr "$1")" ] && [ $l2_i -lt 50 ]; do
		sleep 0.2
		l2_i=$((l2_i + 1))
	done
	l2tp_xl2tpd_stop "$1"
	if sw_pid "$1"; then
		sw_terminate "$1" l2tp >/dev/null 2>&1 ||
		    { sw_log "$1" 30; fail "$1: strongSwan could not terminate"; }
	else
		cd_stop "$1" || fail "$1: charond did not stop"
	fi
	# The server's pppN goes when its xl2tpd hears the StopCCN.
	l2_i=0
	while [ -n "$l2_a" ] && [ -n "$(l2tp_server_ppp "$l2_a")" ]; do
		[ $l2_i -lt 50 ] || fail "$1 hung up, but $L2TP_HOST keeps its PPP link to $l2_a"
		sleep 0.2
		l2_i=$((l2_i + 1))
	done
}

# l2tp_plugin_maps: the elements of the maps in sun's table ip
# charond-l2tp (the l2tp plugin's), as nft lists them ("elements = { ...");
# empty if none or no table. (No match is no failure: set -e.)
l2tp_plugin_maps() {
	vm_in "$L2TP_HOST" nft list table ip charond-l2tp 2>/dev/null |
	    grep 'elements = ' || :
}

# l2tp_plugin_conntrack: sun's conntrack entries with the l2tp plugin's
# marks (0x06a5xxxx), one per line; empty if none.
l2tp_plugin_conntrack() {
	vm_in "$L2TP_HOST" conntrack -L -m 0x06a50000/0xffff0000 2>/dev/null || :
}

# l2tp_server_empty WHAT [SECONDS [kernel]]: within SECONDS (10), sun's
# kernel holds no SA, no policy and (unless "kernel" is given: the IPsec
# state only) no pppN; the l2tp plugin's nftables maps are empty and no
# conntrack entry carries its mark.
l2tp_server_empty() {
	sw_now
	l2_end=$((SW_NOW + ${2:-10}))
	l2_what="no SA, policy or PPP link"
	[ "${3:-}" != kernel ] || l2_what="no SA or policy"
	while :; do
		l2_left=$(vm_xfrm_states "$L2TP_HOST"; vm_xfrm_policies "$L2TP_HOST"
		    [ "${3:-}" = kernel ] || l2tp_ppp_links "$L2TP_HOST")
		l2_left="$l2_left$(l2tp_plugin_maps)$(l2tp_plugin_conntrack)"
		[ -n "$l2_left" ] || break
		sw_now
		if [ "$SW_NOW" -ge "$l2_end" ]; then
			printf '%s\n' "$l2_left" | sed 's/^/  | /'
			fail "$L2TP_HOST is not empty $1 (above: what is left)"
		fi
		sleep 0.3
	done
	pass "$L2TP_HOST holds $l2_what $1"
}

# l2tp_dump: what a failed scenario needs to be understood.
l2tp_dump() {
	for l2_h in $VM_HOSTS; do
		case $l2_h in nat) continue ;; esac
		echo "--- $l2_h: ip -s xfrm state; policies; ppp"
		vm_xfrm_states "$l2_h" 2>/dev/null | sed 's/^/  | /'
		vm_xfrm_policies "$l2_h" 2>/dev/null | sed 's/^/  | /'
		ip -n "$l2_h" -4 -o addr show 2>/dev/null | grep ppp | sed 's/^/  | /'
	done
	for l2_f in "$L2TP_DIR"/*/xl2tpd.log; do
		[ -f "$l2_f" ] || continue
		echo "--- $l2_f (end)"
		tail -n 25 "$l2_f" | sed 's/^/  | /'
	done
	if [ -f "$L2TP_DIR/ppp.log" ]; then
		echo "--- $L2TP_DIR/ppp.log (end)"
		tail -n 40 "$L2TP_DIR/ppp.log" | sed 's/^/  | /'
	fi
	if [ -f "$CD_DIR/sun/log" ]; then
		echo "--- charond on sun (end)"
		tail -n 60 "$CD_DIR/sun/log" | sed 's/^/  | /'
	fi
}

# l2tp_exit_trap: the EXIT trap (see the top), keeping the status.
l2tp_exit_trap() {
	l2_rc=$?
	set +e
	[ "$l2_rc" = 0 ] || l2tp_dump
	for l2_f in "$L2TP_DIR"/*/xl2tpd.pid; do
		[ -f "$l2_f" ] || continue
		l2_h=${l2_f%/xl2tpd.pid}
		l2tp_xl2tpd_stop "${l2_h##*/}"
	done
	for l2_h in sun alice bob carol; do
		[ -f "$CD_DIR/$l2_h/pid" ] || continue
		cd_stop "$l2_h"
	done
	if [ -n "${VM_OUT:-}" ] && [ -d "$VM_OUT" ]; then
		for l2_f in "$L2TP_DIR"/*/xl2tpd.log "$L2TP_DIR/ppp.log"; do
			[ -f "$l2_f" ] || continue
			l2_h=${l2_f%/*}
			cp "$l2_f" "$VM_OUT/${l2_h##*/}-${l2_f##*/}" 2>/dev/null
		done
		for l2_f in "$CD_DIR"/*/log; do
			[ -f "$l2_f" ] || continue
			l2_h=${l2_f%/log}
			cp "$l2_f" "$VM_OUT/charond-${l2_h##*/}.log" 2>/dev/null
		done
	fi
	sw_cleanup "$l2_rc"
	vm_cleanup
	exit "$l2_rc"
}

trap l2tp_exit_trap EXIT
