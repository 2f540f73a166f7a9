#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/setup-rate.sh [N [ROUNDS [DAEMON...]]]: how fast charond and
# strongSwan 5.9.8 set up N tunnels, and what the tunnels cost them in
# memory and CPU time, side by side in the test VM (test/vm/run.sh runs
# it; bench/run.sh and `make bench` do that). N defaults to 100, ROUNDS
# to 3, the DAEMONs to "charond strongswan" (every other round in the
# opposite order); the report gives each figure's median over the rounds.
#
# Two hosts, network namespaces joined by a veth pair: sun (192.0.2.2) is
# a gateway; moon holds N addresses (198.51.100.1-254, then
# 203.0.113.1-254) and from each one initiates one tunnel to sun: an IKE
# SA of its own (PSK, aes128gcm16-prfsha256-ecp256) with a CHILD SA of its
# own (aes128gcm16, tunnel mode) between 10.(64+i/256).(i%256).0/24 on
# moon and 10.(128+i/256).(i%256).0/24 on sun. Each connection is one
# entry in each daemon's configuration, on both hosts. Per daemon and
# round, the same daemon on both hosts:
#
#  1. both daemons start without any connection and are measured idle
#     ("empty"): VmRSS and RssAnon from /proc/PID/status, Pss from
#     /proc/PID/smaps_rollup, and the bytes malloc()ed and not freed
#     (glibc's malloc_stats(), called through gdb; left out without gdb);
#  2. both load their N connections, with no start action (charond:
#     `charonctl load` of the new file; strongSwan: `swanctl --load-all`),
#     and are measured idle again ("before");
#  3. moon's daemon is restarted without connections; the CPU time of
#     both daemons (utime + stime in /proc/PID/stat) is read;
#  4. the clock starts and moon's daemon is told to load its N
#     connections, now with start_action start, by the same command as
#     in 2; each daemon initiates every connection as it loads it;
#  5. the clock stops at the kernel's event for the 2N-th SA installed in
#     moon (`ip -ts xfrm monitor`: nothing polls, nothing steals CPU);
#  6. 2 s later both daemons are measured ("after") and checked: each
#     kernel holds exactly 2N SAs, all with keys; each daemon reports N
#     IKE SAs and N CHILD SAs; pings pass through the first and the last
#     tunnel. nftables on sun counts the IKE packets (UDP 500 and 4500)
#     both ways: 4 per tunnel unless something was retransmitted.
#
# Prints a table and writes the figures, per round and their medians, as
# JSON to $VM_OUT/bench.json. A failed check fails the run (status 1) and
# prints the end of the daemons' logs.
set -eu
set -o pipefail

# shellcheck source=/dev/null # checked on its own
. test/vm/lib.sh
# shellcheck source=/dev/null
. test/vm/strongswan.sh
vm_require_guest

N=${1:-${BENCH_N:-100}}
ROUNDS=${2:-${BENCH_ROUNDS:-3}}
[ $# -le 2 ] || { shift 2; BENCH_DAEMONS=$*; }
DAEMONS=${BENCH_DAEMONS:-charond strongswan}
for x in "$N" "$ROUNDS"; do
	case $x in
	'' | *[!0-9]*) fail "N and ROUNDS are numbers, not '$x'" ;;
	esac
done
if [ "$N" -lt 1 ] || [ "$N" -gt 508 ]; then
	fail "N must be 1 to 508 (moon's addresses)"
fi
[ "$ROUNDS" -ge 1 ] || fail "ROUNDS must be at least 1"
for d in $DAEMONS; do
	case $d in
	charond | strongswan) ;;
	*) fail "unknown daemon '$d' (charond, strongswan)" ;;
	esac
done

CHAROND_BUILD=${CHAROND_BUILD:-build/gcc}
CHAROND=$PWD/$CHAROND_BUILD/bin/charond
CHARONCTL=$PWD/$CHAROND_BUILD/bin/charonctl
PLUGINS=$PWD/$CHAROND_BUILD/plugins
for f in "$CHAROND" "$CHARONCTL"; do
	[ -x "$f" ] || fail "build first: no $f"
done
command -v mawk >/dev/null || fail "mawk is needed (Debian's default awk)"
W=/tmp/bench
rm -rf "$W"
mkdir -p "$W"
OUT=${VM_OUT:-$W}
IKE=aes128gcm16-prfsha256-ecp256
ESP=aes128gcm16
PSK='charond bench PSK, not a secret'
# Seconds to wait for the N tunnels before giving up.
LIMIT=${BENCH_LIMIT:-$((120 + 2 * N))}
TCK=$(getconf CLK_TCK)

# --- addresses ---------------------------------------------------------------
moon_addr() {
	if [ "$1" -le 254 ]; then
		echo "198.51.100.$1"
	else
		echo "203.0.113.$(($1 - 254))"
	fi
}
moon_net() { echo "10.$((64 + $1 / 256)).$(($1 % 256)).0/24"; }
sun_net() { echo "10.$((128 + $1 / 256)).$(($1 % 256)).0/24"; }
# The first address of a /24 ("10.64.1.1" for "10.64.1.0/24").
host1() {
	local n=${1%/24}
	echo "${n%.0}.1"
}

# --- /proc readings, without starting processes ------------------------------
# mem PID: "RSS ANON PSS" in kB: VmRSS and RssAnon (the private part:
# heap, stacks) from status, Pss from smaps_rollup.
mem() {
	local k v _ rss=0 anon=0 pss=0
	while read -r k v _; do
		case $k in
		VmRSS:) rss=$v ;;
		RssAnon:) anon=$v ;;
		esac
	done <"/proc/$1/status"
	while read -r k v _; do
		[ "$k" = Pss: ] && pss=$v
	done <"/proc/$1/smaps_rollup"
	echo "$rss $anon $pss"
}

# cpu PID: utime + stime of the whole process (all threads), in ticks
cpu() {
	local s
	read -r s <"/proc/$1/stat"
	# "PID (COMM) STATE PPID ...": utime and stime are fields 14 and 15.
	s=${s##*) }
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- $s
	echo $((${12} + ${13}))
}

# usec: $EPOCHREALTIME as an integer in microseconds
usec() {
	local t=$EPOCHREALTIME
	echo "${t%.*}${t#*.}"
}

# Complete (keyed) SAs, and all SAs, in HOST's kernel: "COMPLETE ALL".
sa_count() {
	ip -n "$1" xfrm state | mawk '
	    /^src / { all++ } /^\taead / { done++ }
	    END { print done + 0, all + 0 }'
}

# IKE packets sun received and sent (UDP 500 and 4500): "IN OUT".
ike_packets() {
	ip netns exec sun nft list counters table inet bench | mawk '
	    /counter ike_in/ { c = "in" } /counter ike_out/ { c = "out" }
	    $1 == "packets" { n[c] = $2 }
	    END { print n["in"] + 0, n["out"] + 0 }'
}

# UDP datagrams HOST's kernel dropped because a socket's receive buffer
# was full (RcvbufErrors in /proc/net/snmp, the netstat -su counter).
udp_drops() {
	# shellcheck disable=SC2016 # awk's $i
	ip netns exec "$1" mawk '$1 == "Udp:" {
	    if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
	    print $c["RcvbufErrors"] }' /proc/net/snmp
}

# --- the test network -------------------------------------------------------
vm_host moon sun
vm_link moon eth0 192.0.2.1/24 sun eth0 192.0.2.2/24
{
	i=1
	while [ "$i" -le "$N" ]; do
		echo "address add $(moon_addr "$i")/24 dev eth0"
		i=$((i + 1))
	done
} >"$W/moon-addrs"
ip -n moon -batch "$W/moon-addrs" || fail "cannot add moon's addresses"
ip -n sun route add 198.51.100.0/24 via 192.0.2.1
ip -n sun route add 203.0.113.0/24 via 192.0.2.1
# Hosts inside the first and the last tunnel, for the pings.
lan_m="$(host1 "$(moon_net 1)")/24"
lan_s="$(host1 "$(sun_net 1)")/24"
if [ "$N" -gt 1 ]; then
	lan_m="$lan_m,$(host1 "$(moon_net "$N")")/24"
	lan_s="$lan_s,$(host1 "$(sun_net "$N")")/24"
fi
vm_dummy moon lan "$lan_m"
vm_dummy sun lan "$lan_s"
ip -n moon route add 10.128.0.0/9 via 192.0.2.2
ip -n sun route add 10.64.0.0/10 via 192.0.2.1
# The kernel builds its rfc4106(gcm(aes)) instance on first use, which
# takes a second under TCG: not for the first daemon to pay.
ip -n moon xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 \
    mode tunnel aead 'rfc4106(gcm(aes))' \
    0x000102030405060708090a0b0c0d0e0f10111213 128
ip -n moon xfrm state flush
ip netns exec sun nft -f - <<'EOF' || fail "cannot set up nftables on sun"
table inet bench {
	counter ike_in { }
	counter ike_out { }
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport { 500, 4500 } counter name ike_in
	}
	chain out {
		type filter hook output priority 0; policy accept;
		udp sport { 500, 4500 } counter name ike_out
	}
}
EOF

# --- configurations ----------------------------------------------------------
# charond_conf HOST START FILE: HOST's N connections t1..tN (children
# c1..cN) with start_action START.
charond_conf() {
	local h=$1 start=$2 i la ra lts rts
	{
		echo "daemon:"
		if [ "$h" = sun ]; then
			echo "  listen: [192.0.2.2]"
		else
			echo "  listen: [0.0.0.0]"
		fi
		echo "  plugin_dir: \"$PLUGINS\""
		echo "  log: {level: info}"
		echo "connections:"
		i=1
		while [ "$i" -le "$N" ]; do
			if [ "$h" = sun ]; then
				la=192.0.2.2 ra=$(moon_addr "$i")
				lts=$(sun_net "$i") rts=$(moon_net "$i")
			else
				la=$(moon_addr "$i") ra=192.0.2.2
				lts=$(moon_net "$i") rts=$(sun_net "$i")
			fi
			echo "  t$i:"
			echo "    version: 2"
			echo "    local_addrs: [$la]"
			echo "    remote_addrs: [$ra]"
			echo "    proposals: [$IKE]"
			echo "    local: {auth: psk}"
			echo "    remote: {auth: psk}"
			echo "    children:"
			echo "      c$i:"
			echo "        mode: tunnel"
			echo "        local_ts: [$lts]"
			echo "        remote_ts: [$rts]"
			echo "        esp_proposals: [$ESP]"
			echo "        start_action: $start"
			i=$((i + 1))
		done
		echo "secrets:"
		echo "  psk:"
		echo "    - secret: \"$PSK\""
	} >"$3"
}

# charond_empty FILE: no connections at all.
charond_empty() {
	{
		echo "daemon:"
		echo "  listen: [0.0.0.0]"
		echo "  plugin_dir: \"$PLUGINS\""
		echo "  log: {level: info}"
	} >"$1"
}

# swanctl_conf HOST START: the same for strongSwan, on stdout.
swanctl_conf() {
	local h=$1 start=$2 i la ra lts rts
	echo "connections {"
	i=1
	while [ "$i" -le "$N" ]; do
		if [ "$h" = sun ]; then
			la=192.0.2.2 ra=$(moon_addr "$i")
			lts=$(sun_net "$i") rts=$(moon_net "$i")
		else
			la=$(moon_addr "$i") ra=192.0.2.2
			lts=$(moon_net "$i") rts=$(sun_net "$i")
		fi
		cat <<EOF
	t$i {
		version = 2
		local_addrs = $la
		remote_addrs = $ra
		proposals = $IKE
		local {
			auth = psk
		}
		remote {
			auth = psk
		}
		children {
			c$i {
				mode = tunnel
				local_ts = $lts
				remote_ts = $rts
				esp_proposals = $ESP
				start_action = $start
			}
		}
	}
EOF
		i=$((i + 1))
	done
	echo "}"
	echo "secrets {"
	echo "	ike-bench {"
	echo "		secret = \"$PSK\""
	echo "	}"
	echo "}"
}

# --- charond -----------------------------------------------------------------
# cd_go HOST CONFIG: start charond in HOST; its pid in CD_PID_<HOST>.
cd_go() {
	local p
	ip netns exec "$1" "$CHAROND" -c "$2" -S "$W/charond-$1.sock" \
	    --log-level info >>"$W/charond-$1.log" 2>&1 &
	p=$!
	printf -v "CD_PID_$1" %s "$p"
}

cd_pid() {
	local v=CD_PID_$1
	echo "${!v:-}"
}

# cd_ready HOST: wait until HOST's charond answers on its control socket.
cd_ready() {
	local i=0 p
	p=$(cd_pid "$1")
	until "$CHARONCTL" -S "$W/charond-$1.sock" version >/dev/null 2>&1; do
		sw_alive "$p" || { tail -n 20 "$W/charond-$1.log"; fail "charond on $1 died"; }
		[ $i -lt 300 ] || fail "charond on $1 does not answer"
		sleep 0.1
		i=$((i + 1))
	done
}

# cd_halt HOST: SIGTERM and wait (SIGKILL after 20 s).
cd_halt() {
	local p i=0
	p=$(cd_pid "$1")
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null || :
	while sw_alive "$p" && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if sw_alive "$p"; then
		echo "charond on $1 ignored SIGTERM for 20 s; killing it"
		kill -KILL "$p" 2>/dev/null || :
	fi
	wait "$p" 2>/dev/null || :
	printf -v "CD_PID_$1" %s ""
}

# --- strongSwan ----------------------------------------------------------------
# Logging as close to charond's "info" as strongSwan has: level 1 for all.
SW_LEVELS='ike = 1, knl = 1, cfg = 1, chd = 1'

# --- the run ------------------------------------------------------------------
MON_PID='' AWK_PID=''
bench_exit() {
	rc=$?
	[ -z "$MON_PID" ] || kill "$MON_PID" 2>/dev/null || :
	[ -z "$AWK_PID" ] || kill "$AWK_PID" 2>/dev/null || :
	for h in moon sun; do
		cd_halt "$h" >/dev/null 2>&1 || :
		if [ -f "$W/charond-$h.log" ]; then
			cp "$W/charond-$h.log" "$OUT/charond-$h.log" 2>/dev/null || :
			if [ "$rc" != 0 ]; then
				echo "--- end of charond's log on $h"
				tail -n 30 "$W/charond-$h.log"
			fi
		fi
	done
	sw_cleanup "$rc"
	vm_cleanup
	exit "$rc"
}
trap bench_exit EXIT

# res D KEY VALUE: one figure of D's run in this round, as a line
# "D ROUND KEY VALUE" of $W/results.
ROUND=0
res() {
	echo "$1 $ROUND $2 $3" >>"$W/results"
}

# start_monitor: timestamped SA events of moon's kernel to $W/mon.log and,
# on fd 3, the timestamp of each SA added from the 2N-th on.
start_monitor() {
	rm -f "$W/mon.pipe" "$W/mon.fifo" "$W/mon.log"
	mkfifo "$W/mon.pipe" "$W/mon.fifo"
	# shellcheck disable=SC2016 # awk's $1
	mawk -W interactive -v want=$((2 * N)) -v logf="$W/mon.log" '
	    { print >> logf }
	    /^\[[^]]*\] (Updated )?src / {
		if (++n >= want) { print substr($1, 2, length($1) - 2); fflush() }
	    }' <"$W/mon.pipe" >"$W/mon.fifo" &
	AWK_PID=$!
	ip -n moon -ts xfrm monitor SA >"$W/mon.pipe" &
	MON_PID=$!
	exec 3<>"$W/mon.fifo"
}

stop_monitor() {
	kill "$MON_PID" 2>/dev/null || :
	wait "$MON_PID" 2>/dev/null || :
	MON_PID=
	exec 3<&-
	wait "$AWK_PID" 2>/dev/null || :
}

# wait_done: the time (us) the 2N-th SA reached moon's kernel with its keys,
# once moon holds exactly 2N complete SAs; empty after LIMIT seconds.
wait_done() {
	local ts end now c
	end=$(($(usec) + LIMIT * 1000000))
	while :; do
		now=$(usec)
		[ "$now" -lt "$end" ] || return 0
		read -r -t $(((end - now) / 1000000 + 1)) ts <&3 || return 0
		# One SA added per line: done when all of them have their keys.
		read -r c _ <<<"$(sa_count moon)"
		if [ "$c" -ge $((2 * N)) ]; then
			date -d "$ts" +%s%6N
			return 0
		fi
	done
}

# daemon_pid D HOST: the pid of D's daemon on HOST.
daemon_pid() {
	if [ "$1" = charond ]; then
		cd_pid "$2"
	else
		sw_pid "$2" || fail "strongSwan on $2 is not running"
		echo "$SW_PID"
	fi
}

# heap PID FILE: the bytes the daemon PID has malloc()ed and not freed,
# as glibc's malloc_stats() prints them to its stderr (FILE); gdb makes it
# call that. Empty without gdb.
heap() {
	command -v gdb >/dev/null || return 0
	gdb -p "$1" -batch -ex 'call (void) malloc_stats()' >/dev/null 2>&1 ||
	    fail "gdb could not make $1 call malloc_stats()"
	# shellcheck disable=SC2016 # awk's $NF
	mawk '/^Total \(incl. mmap\):/ { t = 1; next }
	    t && /^in use bytes/ { v = $NF; t = 0 } END { print v }' "$2"
}

# measure D HOST WHEN: memory of HOST's daemon into D's results.
measure() {
	local p rss anon pss f
	p=$(daemon_pid "$1" "$2")
	sw_alive "$p" || fail "$1 on $2 died"
	read -r rss anon pss <<<"$(mem "$p")"
	res "$1" "${2}_rss_$3" "$rss"
	res "$1" "${2}_anon_$3" "$anon"
	res "$1" "${2}_pss_$3" "$pss"
	f=$W/charond-$2.log
	[ "$1" = charond ] || f=$SW_ROOT/$2/charon.out
	res "$1" "${2}_heap_$3" "$(heap "$p" "$f")"
}

# cpu_mark D HOST WHEN: CPU time of HOST's daemon so far.
cpu_mark() {
	res "$1" "${2}_cpu_$3" "$(cpu "$(daemon_pid "$1" "$2")")"
}

# log_mark D WHEN: lines in the logs of D's daemons so far.
log_mark() {
	if [ "$1" = charond ]; then
		res "$1" "log_$2" "$(cat "$W"/charond-*.log | wc -l)"
	else
		res "$1" "log_$2" "$(cat "$SW_ROOT"/*/charon.log | wc -l)"
	fi
}

# check_sas D: exactly 2N keyed SAs in each kernel, N IKE SAs and N CHILD
# SAs in each daemon, pings through the first and the last tunnel.
check_sas() {
	local d=$1 h c all ike child i m s sas
	for h in moon sun; do
		read -r c all <<<"$(sa_count "$h")"
		res "$d" "${h}_sas" "$c"
		if [ "$c" -ne $((2 * N)) ] || [ "$all" -ne $((2 * N)) ]; then
			fail "$d: $h's kernel holds $all SAs ($c with keys), not $((2 * N))"
		fi
		pass "$d: $h's kernel holds exactly $((2 * N)) SAs"
		if [ "$d" = charond ]; then
			# shellcheck disable=SC2016 # jq's $e
			sas=$("$CHARONCTL" -S "$W/charond-$h.sock" --json list-sas |
			    jq -r '[.ike_sas[] | select(.state == "ESTABLISHED")] as $e |
				"\($e | length) \([$e[].children[] |
				select(.state == "INSTALLED")] | length)"')
		else
			sas=$(sw_list_sas "$h" | mawk '
			    /, ESTABLISHED,/ { e++ } /, INSTALLED,/ { c++ }
			    END { print e + 0, c + 0 }')
		fi
		read -r ike child <<<"$sas"
		if [ "$ike" -ne "$N" ] || [ "$child" -ne "$N" ]; then
			fail "$d on $h reports $ike IKE SAs and $child CHILD SAs, not $N"
		fi
		pass "$d on $h reports $N IKE SAs and $N CHILD SAs"
		res "$d" "${h}_ike_sas" "$ike"
	done
	for i in 1 "$N"; do
		m=$(host1 "$(moon_net "$i")") s=$(host1 "$(sun_net "$i")")
		assert_ok "$d: ping through tunnel $i ($m -> $s)" \
		    vm_in moon ping -c 2 -i 0.2 -W 3 -I "$m" "$s"
		[ "$N" -gt 1 ] || break
	done
	res "$d" ping ok
}

# no_sas: nothing left in either kernel (a daemon that left SAs behind
# must not hand them to the next one).
no_sas() {
	local h
	for h in moon sun; do
		ip -n "$h" xfrm state flush
		ip -n "$h" xfrm policy flush
	done
}

# timed D: start moon's monitor, take the time, run "go_D" (which tells
# moon's initiator to start), wait for the tunnels, record the time.
timed() {
	local d=$1 t0 t1
	start_monitor
	# The monitor must listen before the first SA comes.
	sleep 1
	t0=$(usec)
	"go_$d"
	t1=$(wait_done)
	stop_monitor
	[ -n "$t1" ] || fail "$d: not all $N tunnels up after ${LIMIT}s" \
	    "($(sa_count moon | mawk '{ print $1 }') SAs with keys on moon)"
	res "$d" setup_us $((t1 - t0))
	# shellcheck disable=SC2016 # awk's $1
	t1=$(mawk '/^\[[^]]*\] (Updated )?src / {
	    print substr($1, 2, length($1) - 2); exit }' "$W/mon.log")
	res "$d" first_us $(($(date -d "$t1" +%s%6N) - t0))
}

# after D: measure both daemons once the tunnels are up, then check them.
after() {
	local b
	sleep 2
	# CPU time and log lines first: heap's gdb adds to both.
	for h in moon sun; do
		cpu_mark "$1" "$h" after
	done
	log_mark "$1" after
	b=$(ike_packets)
	res "$1" ike_after "${b// /,}"
	res "$1" drops_after "$(udp_drops moon),$(udp_drops sun)"
	for h in moon sun; do
		measure "$1" "$h" after
	done
	check_sas "$1"
}

# before D: sun's daemon idle, with its connections; counters.
before() {
	local b
	measure "$1" sun before
	cpu_mark "$1" sun before
	b=$(ike_packets)
	res "$1" ike_before "${b// /,}"
	res "$1" drops_before "$(udp_drops moon),$(udp_drops sun)"
	log_mark "$1" before
}

go_charond() {
	"$CHARONCTL" -S "$W/charond-moon.sock" load >/dev/null ||
	    fail "charond on moon refused its configuration"
}

run_charond() {
	local h
	# Calibration: both daemons without connections, then with them
	# (no start action), idle.
	for h in moon sun; do
		charond_empty "$W/charond-$h.yaml"
		cd_go "$h" "$W/charond-$h.yaml"
	done
	cd_ready moon
	cd_ready sun
	sleep 1
	for h in moon sun; do
		measure charond "$h" empty
		charond_conf "$h" none "$W/charond-$h.yaml"
		"$CHARONCTL" -S "$W/charond-$h.sock" load >/dev/null ||
		    fail "charond on $h refused its configuration"
	done
	sleep 1
	measure charond moon before
	# moon again without connections, then the run.
	cd_halt moon
	charond_empty "$W/charond-moon.yaml"
	cd_go moon "$W/charond-moon.yaml"
	cd_ready moon
	sleep 1
	cpu_mark charond moon before
	before charond
	charond_conf moon start "$W/charond-moon.yaml"
	timed charond
	after charond
	cd_halt moon
	cd_halt sun
	no_sas
}

go_strongswan() {
	sw_load moon
}

run_strongswan() {
	local h
	# Calibration: both daemons without connections, then with them
	# (no start action), idle.
	for h in moon sun; do
		: | sw_conf "$h"
		sw_start "$h" -n -l "$SW_LEVELS"
	done
	sw_wait_ready moon sun
	sleep 1
	for h in moon sun; do
		measure strongswan "$h" empty
		swanctl_conf "$h" none | sw_conf "$h"
		sw_load "$h"
	done
	sleep 1
	measure strongswan moon before
	# moon again without connections, then the run.
	sw_stop moon
	: | sw_conf moon
	sw_start moon -l "$SW_LEVELS"
	sleep 1
	cpu_mark strongswan moon before
	before strongswan
	swanctl_conf moon start | sw_conf moon
	timed strongswan
	after strongswan
	sw_stop moon
	sw_stop sun
	no_sas
}

cd_version=$("$CHAROND" --version 2>/dev/null | mawk 'NR == 1 { print $2 }') || :
sw_version=$(dpkg-query -W -f '${Version}' charon-systemd 2>/dev/null) || :
echo "--- $N tunnels, $IKE / $ESP, PSK; daemons: $DAEMONS"
echo "--- kernel $(uname -r), $(nproc) CPU(s), $(mawk '/MemTotal/ { print $2 }' /proc/meminfo) kB"
: >"$W/results"
rev=
for d in $DAEMONS; do
	rev="$d $rev"
done
while [ "$ROUND" -lt "$ROUNDS" ]; do
	ROUND=$((ROUND + 1))
	order=$DAEMONS
	[ $((ROUND % 2)) = 1 ] || order=$rev
	for d in $order; do
		echo "--- round $ROUND of $ROUNDS: $d"
		"run_$d"
	done
done

# --- the report --------------------------------------------------------------
# Per round: the figures derived from what was read; then, per daemon, the
# median of each over the rounds (the middle one; for an even count the
# mean of the middle two).
mawk -v n="$N" -v tck="$TCK" -v json="$OUT/bench.json" \
    -v kernel="$(uname -r)" -v cpus="$(nproc)" -v cdv="$cd_version" \
    -v swv="$sw_version" -v ike="$IKE" -v esp="$ESP" -v daemons="$DAEMONS" '
{ v[$1, $2, $3] = $4; if ($2 > nr) nr = $2 }
function g(k) { return v[d, r, k] }
# m(NAME, VALUE): one figure of daemon d in round r.
function m(name, x) { f[d, r, name] = x; names[name] = 1 }
function med(d, name,    i, j, k, t, a) {
	k = 0
	for (i = 1; i <= nr; i++)
		if ((d, i, name) in f)
			a[++k] = f[d, i, name]
	for (i = 2; i <= k; i++)		# insertion sort: a few rounds
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	if (k == 0)
		return 0
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
function hostjson(d, h, role) {
	return sprintf("\"%s\": {\"role\": \"%s\", " \
	    "\"rss_empty_kB\": %d, \"rss_before_kB\": %d, \"rss_after_kB\": %d, " \
	    "\"rss_kB_per_tunnel\": %.1f, \"anon_empty_kB\": %d, " \
	    "\"anon_before_kB\": %d, \"anon_after_kB\": %d, " \
	    "\"anon_kB_per_tunnel\": %.1f, \"anon_kB_per_connection\": %.1f, " \
	    "\"pss_empty_kB\": %d, \"pss_before_kB\": %d, \"pss_after_kB\": %d, " \
	    "\"pss_kB_per_tunnel\": %.1f, \"heap_empty_kB\": %.1f, " \
	    "\"heap_before_kB\": %.1f, \"heap_after_kB\": %.1f, " \
	    "\"heap_kB_per_tunnel\": %.2f, \"heap_kB_per_connection\": %.2f, " \
	    "\"cpu_s\": %.2f, \"sas\": %d, \"ike_sas\": %d}", h, role,
	    med(d, h "_rss_empty"), med(d, h "_rss_before"),
	    med(d, h "_rss_after"), med(d, h "_rss_pt"),
	    med(d, h "_anon_empty"), med(d, h "_anon_before"),
	    med(d, h "_anon_after"), med(d, h "_anon_pt"), med(d, h "_conf_pc"),
	    med(d, h "_pss_empty"), med(d, h "_pss_before"),
	    med(d, h "_pss_after"), med(d, h "_pss_pt"),
	    med(d, h "_heap_empty"), med(d, h "_heap_before"),
	    med(d, h "_heap_after"), med(d, h "_heap_pt"), med(d, h "_heap_pc"),
	    med(d, h "_cpu_s"),
	    med(d, h "_sas"), med(d, h "_ike_sas"))
}
END {
	nd = split(daemons, ds, " ")
	for (i = 1; i <= nd; i++) {
		d = ds[i]
		for (r = 1; r <= nr; r++) {
			if (!((d, r, "setup_us") in v))
				continue
			m("setup_s", g("setup_us") / 1e6)
			m("first_s", g("first_us") / 1e6)
			m("tps", n / (g("setup_us") / 1e6))
			split(g("ike_before"), b, ",")
			split(g("ike_after"), a, ",")
			m("pkts_in", a[1] - b[1])
			m("pkts_out", a[2] - b[2])
			split(g("drops_before"), b, ",")
			split(g("drops_after"), a, ",")
			m("moon_udp_drops", a[1] - b[1])
			m("sun_udp_drops", a[2] - b[2])
			m("logs", g("log_after") - g("log_before"))
			for (j = 1; j <= 2; j++) {
				h = j == 1 ? "moon" : "sun"
				for (k = split("rss anon pss", ks, " "); k; k--) {
					x = h "_" ks[k]
					m(x "_empty", g(x "_empty"))
					m(x "_before", g(x "_before"))
					m(x "_after", g(x "_after"))
					m(x "_pt", (g(x "_after") - g(x "_before")) / n)
				}
				m(h "_conf_pc", (g(h "_anon_before") - \
				    g(h "_anon_empty")) / n)
				x = h "_heap"
				m(x "_empty", g(x "_empty") / 1024)
				m(x "_before", g(x "_before") / 1024)
				m(x "_after", g(x "_after") / 1024)
				m(x "_pt", (g(x "_after") - g(x "_before")) / 1024 / n)
				m(x "_pc", (g(x "_before") - g(x "_empty")) / 1024 / n)
				m(h "_cpu_s", (g(h "_cpu_after") - \
				    g(h "_cpu_before")) / tck)
				m(h "_sas", g(h "_sas"))
				m(h "_ike_sas", g(h "_ike_sas"))
			}
		}
	}
	fmt = "%-10s %-4s %-9s %7s %7s %7s %9s %13s %12s %9s %14s %12s %6s\n"
	printf fmt, "daemon", "host", "role", "tunnels", "setup_s", "first_s",
	    "tunnels/s", "rss_before_kB", "rss_after_kB", "kB/tunnel",
	    "heap_kB/tunnel", "heap_kB/conn", "cpu_s"
	printf "{\n  \"tunnels\": %d,\n  \"rounds\": %d,\n" \
	    "  \"ike\": \"%s\",\n  \"esp\": \"%s\",\n  \"kernel\": \"%s\",\n" \
	    "  \"cpus\": %d,\n  \"versions\": {\"charond\": \"%s\", " \
	    "\"strongswan\": \"%s\"},\n  \"medians\": [", n, nr, ike, esp,
	    kernel, cpus, cdv, swv > json
	for (i = 1; i <= nd; i++) {
		d = ds[i]
		for (j = 1; j <= 2; j++) {
			h = j == 1 ? "moon" : "sun"
			printf fmt, d, h, (j == 1 ? "initiator" : "responder"), n,
			    sprintf("%.2f", med(d, "setup_s")),
			    sprintf("%.2f", med(d, "first_s")),
			    sprintf("%.1f", med(d, "tps")),
			    med(d, h "_rss_before"), med(d, h "_rss_after"),
			    sprintf("%.1f", med(d, h "_rss_pt")),
			    sprintf("%.1f", med(d, h "_heap_pt")),
			    sprintf("%.1f", med(d, h "_heap_pc")),
			    sprintf("%.2f", med(d, h "_cpu_s"))
		}
		printf "%s\n    {\"daemon\": \"%s\", \"tunnels\": %d, " \
		    "\"setup_s\": %.3f, \"first_tunnel_s\": %.3f, " \
		    "\"tunnels_per_s\": %.2f, \"ike_packets_to_sun\": %d, " \
		    "\"ike_packets_from_sun\": %d, \"udp_drops_moon\": %d, " \
		    "\"udp_drops_sun\": %d, \"log_lines\": %d,\n" \
		    "     \"hosts\": {%s,\n       %s}}", (i > 1 ? "," : ""), d, n,
		    med(d, "setup_s"), med(d, "first_s"), med(d, "tps"),
		    med(d, "pkts_in"), med(d, "pkts_out"),
		    med(d, "moon_udp_drops"), med(d, "sun_udp_drops"), med(d, "logs"),
		    hostjson(d, "moon", "initiator"),
		    hostjson(d, "sun", "responder") > json
	}
	printf "\n  ],\n  \"rounds_detail\": [" > json
	sep = ""
	for (r = 1; r <= nr; r++)
		for (i = 1; i <= nd; i++) {
			d = ds[i]
			if (!((d, r, "setup_s") in f))
				continue
			printf "%s\n    {\"daemon\": \"%s\", \"round\": %d", sep, d,
			    r > json
			for (x in names)
				printf ", \"%s\": %s", x, f[d, r, x] > json
			printf "}" > json
			sep = ","
			rounds = rounds sprintf("%-10s round %d: %6.2f s, first " \
			    "tunnel %5.2f s, CPU %5.2f + %5.2f s, IKE packets " \
			    "%d + %d, UDP drops %d + %d, %d log lines\n", d, r,
			    f[d, r, "setup_s"], f[d, r, "first_s"],
			    f[d, r, "moon_cpu_s"], f[d, r, "sun_cpu_s"],
			    f[d, r, "pkts_in"], f[d, r, "pkts_out"],
			    f[d, r, "moon_udp_drops"], f[d, r, "sun_udp_drops"],
			    f[d, r, "logs"])
		}
	printf "\n  ]\n}\n" > json
	printf "\n%s", rounds
}' "$W/results"
echo "--- JSON: \$VM_OUT/bench.json"
