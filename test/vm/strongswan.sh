# shellcheck shell=sh
# SPDX-License-Identifier: ISC
#
# strongSwan as a test peer inside the VM, sourced (POSIX sh) after lib.sh:
#
#   . "${0%/*}/../lib.sh"
#   . "${0%/*}/../strongswan.sh"
#   vm_host moon sun
#   ...
#   sw_start sun
#   sw_psk sun local=192.0.2.2 remote=192.0.2.1 \
#       local_id=sun.example.org remote_id=moon.example.org \
#       ike=aes128gcm16-prfsha256-ecp256 esp=aes128gcm16 \
#       local_ts=10.2.0.0/16 remote_ts=10.1.0.0/16
#   sw_load sun
#   ... (our daemon on moon initiates; or strongSwan on moon:)
#   sw_initiate moon net || fail "moon could not initiate"
#
# One charon daemon (charon-systemd, which writes no pid file of its own)
# per test host, in that host's network namespace. Each has a directory,
# $SW_ROOT/HOST (/tmp/strongswan/HOST), holding all its state:
#   strongswan.conf  written by sw_start (STRONGSWAN_CONF points here)
#   swanctl.conf     written by sw_conf / sw_psk, loaded by sw_load
#   x509/ private/ x509ca/ ...  swanctl's credential directories
#                    (SWANCTL_DIR is this directory)
#   charon.vici      the daemon's vici socket, which swanctl talks to
#   charon.pid       the daemon's pid, written by sw_start
#   charon.log       the daemon's log (ike, knl, cfg, chd at level 2)
#   charon.out       its stdout and stderr (empty unless it crashed)
# The daemons talk over the namespaces' links only; swanctl reaches them
# through their sockets in the file system, from the guest's own namespace.
#
# Sourcing replaces lib.sh's EXIT trap with one that stops the daemons,
# copies their logs to $VM_OUT (kept by run.sh when the scenario fails),
# prints the end of each log if the scenario failed, then runs vm_cleanup.
# A scenario with an EXIT trap of its own calls sw_exit_trap from it.
#
# Setup functions (sw_start, sw_conf, sw_psk, sw_load) call fail on error;
# the ones a test may expect to fail (sw_initiate, sw_terminate...) return
# swanctl's status instead. Process starts cost 0.1 to 0.3 s each under
# TCG, so what every scenario runs sticks to shell builtins where it can.

SW_ROOT=${SW_ROOT:-/tmp/strongswan}
# Seconds swanctl waits for an initiation or termination, and sw_start for
# a daemon's socket; generous because everything is slow under TCG.
SW_TIMEOUT=${SW_TIMEOUT:-30}
# The pre-shared key sw_psk uses when not told otherwise. Test data only.
SW_PSK=${SW_PSK:-'charond test PSK, not a secret'}
# Plugins every daemon loads: the openssl plugin brings the algorithms
# (AES-GCM/CBC, SHA-2, ECP, Curve25519, ChaCha20-Poly1305, MODP), the
# others nonces, credentials (PEM, PKCS#1/8, X.509), the kernel interface,
# the IKE sockets and vici. An explicit list keeps the start quick and the
# log free of plugins that are not installed.
SW_PLUGINS=${SW_PLUGINS:-'random nonce openssl pem pkcs1 pkcs8 x509 pubkey
revocation constraints kdf hmac kernel-netlink socket-default vici'}
# Hosts with a daemon started by sw_start and not yet stopped.
SW_HOSTS=

# sw_dir HOST: the directory of HOST's daemon.
sw_dir() {
	echo "$SW_ROOT/$1"
}

# sw_ctl HOST ARGS...: swanctl ARGS against HOST's daemon (its socket, its
# strongswan.conf for swanctl's own plugins, its credential directories).
sw_ctl() {
	sw_c=$SW_ROOT/$1
	shift
	STRONGSWAN_CONF=$sw_c/strongswan.conf SWANCTL_DIR=$sw_c \
	    swanctl "$@" --uri "unix://$sw_c/charon.vici"
}

# sw_now: set SW_NOW to the guest's clock in whole seconds (for deadlines;
# polling loops whose steps start processes cannot count their sleeps).
sw_now() {
	read -r SW_NOW _ </proc/uptime
	SW_NOW=${SW_NOW%.*}
}

# sw_pid HOST: set SW_PID to the pid of HOST's daemon; fails if none runs.
sw_pid() {
	SW_PID=
	[ -f "$SW_ROOT/$1/charon.pid" ] || return 1
	read -r SW_PID <"$SW_ROOT/$1/charon.pid" || return 1
	sw_alive "$SW_PID"
}

# sw_alive PID: the process exists and is not a zombie (a daemon that died
# stays one until the scenario's shell reaps it, and kill -0 succeeds on it).
sw_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	read -r sw_st <"/proc/$1/stat" 2>/dev/null || return 1
	# "PID (COMM) STATE ...", where COMM may hold spaces and parentheses.
	sw_st=${sw_st##*) }
	case $sw_st in
	Z* | X* | '') return 1 ;;
	esac
}

# sw_start HOST [DIR] [-n] [-r] [-c LINE]... [-p PLUGIN]... [-l LEVELS]
#   Start a charon daemon in HOST's namespace and wait until its vici
#   socket answers (SW_TIMEOUT seconds at most).
#   DIR  its directory, if not $SW_ROOT/HOST (which then links to DIR)
#   -n   do not wait: call sw_wait_ready later, so that several daemons
#        start side by side
#   -r   let charon install routes (table 220) for its CHILD SAs; without
#        it install_routes = no and no routing rule: the scenario routes
#        the traffic itself, as it must for our daemon
#   -c   a line for strongswan.conf's charon section, e.g.
#        -c 'retransmit_timeout = 2' -c 'plugins { kernel-netlink {
#        roam_events = yes } }' (later settings win over earlier ones)
#   -p   one more plugin to load (kernel-libipsec, updown, eap-md5...)
#   -l   log levels after "default = 1, ike = 2, knl = 2, cfg = 2,
#        chd = 2", comma-separated: -l 'ike = 4, enc = 3' (4 logs keys)
sw_start() {
	sw_h=$1
	shift
	sw_d=
	if [ $# -gt 0 ]; then
		case $1 in
		-*) ;;
		*)
			sw_d=$1
			shift
			;;
		esac
	fi
	sw_routes=no sw_extra='' sw_plugins=$SW_PLUGINS sw_wait=yes
	sw_levels='default = 1, ike = 2, knl = 2, cfg = 2, chd = 2'
	OPTIND=1
	while getopts nrc:p:l: sw_o; do
		case $sw_o in
		n) sw_wait=no ;;
		r) sw_routes=yes ;;
		c) sw_extra="$sw_extra
	$OPTARG" ;;
		p) sw_plugins="$sw_plugins $OPTARG" ;;
		l) sw_levels="$sw_levels, $OPTARG" ;;
		*) fail "sw_start $sw_h: bad option" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -eq 0 ] || fail "sw_start $sw_h: unexpected argument '$1'"
	! sw_pid "$sw_h" || fail "sw_start: $sw_h already runs one ($SW_PID)"

	# Mode 700: credentials may be written there.
	if [ -n "$sw_d" ]; then
		# shellcheck disable=SC2174 # only the last one needs 700
		mkdir -p -m 700 "$SW_ROOT" "$sw_d" ||
		    fail "sw_start: cannot create $sw_d"
		sw_d=$(cd "$sw_d" && pwd -P)
		# Everything else finds the directory by the host's name.
		if [ "$sw_d" != "$(cd "$SW_ROOT" && pwd -P)/$sw_h" ]; then
			[ ! -e "$SW_ROOT/$sw_h" ] || [ -L "$SW_ROOT/$sw_h" ] ||
			    fail "sw_start: $SW_ROOT/$sw_h is not $sw_d"
			ln -sfn "$sw_d" "$SW_ROOT/$sw_h"
		fi
	else
		sw_d=$SW_ROOT/$sw_h
		# shellcheck disable=SC2174 # only the last one needs 700
		[ -d "$sw_d" ] || mkdir -p -m 700 "$sw_d" ||
		    fail "sw_start: cannot create $sw_d"
	fi
	[ -e "$sw_d/swanctl.conf" ] || : >"$sw_d/swanctl.conf"
	# A socket left by a killed daemon would pass for a live one.
	[ ! -e "$sw_d/charon.vici" ] || rm -f "$sw_d/charon.vici"

	# Without install_routes, charon would still add an "ip rule" for its
	# table 220: routing_table = 0 keeps the host's routing untouched.
	if [ "$sw_routes" = yes ]; then
		sw_routing=
	else
		sw_routing='
	install_routes = no
	routing_table = 0'
	fi
	# The plugin list may span lines, strongswan.conf wants it on one:
	# split into words, joined again by $* with single spaces.
	sw_oldifs=$IFS
	IFS=' 	
'
	# shellcheck disable=SC2086 # split on purpose
	set -- $sw_plugins
	sw_plugins=$*
	# The levels, one "group = level" per line.
	IFS=,
	# shellcheck disable=SC2086 # split on purpose
	set -- $sw_levels
	IFS=$sw_oldifs
	sw_levels=
	for sw_x in "$@"; do
		sw_x=${sw_x#"${sw_x%%[! ]*}"}
		sw_levels="$sw_levels
			$sw_x"
	done
	cat >"$sw_d/strongswan.conf" <<EOF || fail "sw_start: cannot write $sw_d"
# Written by test/vm/strongswan.sh for test host $sw_h.
charon {
	load = $sw_plugins$sw_routing
	plugins {
		vici {
			socket = unix://$sw_d/charon.vici
		}
		kernel-netlink {
			# Addresses come and go as a scenario sets up its
			# hosts; no MOBIKE updates because of that.
			roam_events = no
		}
	}
	filelog {
		charon {
			path = $sw_d/charon.log
			append = yes
			flush_line = yes
			time_format = %H:%M:%S
			time_add_ms = yes
			ike_name = yes$sw_levels
		}
	}
	# No syslog and no journal in the guest: the file is the log.
	syslog {
		daemon {
			default = -1
		}
	}$sw_extra
}
charon-systemd {
	journal {
		default = -1
	}
}
swanctl {
	load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey
}
EOF
	sw_now
	echo "--- started at uptime ${SW_NOW}s" >>"$sw_d/charon.log"
	# The subshell, ip netns exec and the daemon are one process, exec'd
	# in turn: $! is charon's pid.
	(
		STRONGSWAN_CONF=$sw_d/strongswan.conf
		export STRONGSWAN_CONF
		exec ip netns exec "$sw_h" /usr/sbin/charon-systemd
	) </dev/null >>"$sw_d/charon.out" 2>&1 &
	echo $! >"$sw_d/charon.pid"
	SW_HOSTS="$SW_HOSTS $sw_h"
	[ "$sw_wait" = no ] || sw_wait_ready "$sw_h"
}

# sw_wait_ready HOST...: wait until each HOST's daemon answers on its
# socket; fail the scenario, showing its log, if one died or stays mute
# for SW_TIMEOUT seconds.
sw_wait_ready() {
	sw_now
	sw_end=$((SW_NOW + SW_TIMEOUT))
	for sw_x in "$@"; do
		# The socket appears while the plugins load (testing for it
		# costs no process); --stats then waits until the daemon
		# takes requests.
		until [ -S "$SW_ROOT/$sw_x/charon.vici" ] &&
		    sw_ctl "$sw_x" --stats >/dev/null 2>&1; do
			if ! sw_pid "$sw_x"; then
				sw_log "$sw_x"
				cat "$SW_ROOT/$sw_x/charon.out"
				fail "strongSwan on $sw_x died while starting"
			fi
			sw_now
			if [ "$SW_NOW" -ge "$sw_end" ]; then
				sw_log "$sw_x"
				fail "strongSwan on $sw_x did not answer" \
				    "within ${SW_TIMEOUT}s"
			fi
			sleep 0.1
		done
	done
}

# sw_stop HOST: stop HOST's daemon (SIGTERM: charon deletes its SAs, sends
# DELETEs it does not wait for, and exits) and wait until it is gone;
# SIGKILL after 10 s. Its directory and log stay.
sw_stop() {
	sw_h=$1
	sw_rest=
	for sw_x in $SW_HOSTS; do
		[ "$sw_x" = "$sw_h" ] || sw_rest="$sw_rest $sw_x"
	done
	SW_HOSTS=$sw_rest
	sw_pid "$sw_h" || return 0
	sw_p=$SW_PID
	kill -TERM "$sw_p" 2>/dev/null || :
	sw_n=100
	while sw_alive "$sw_p" && [ "$sw_n" -gt 0 ]; do
		sleep 0.1
		sw_n=$((sw_n - 1))
	done
	if sw_alive "$sw_p"; then
		echo "strongSwan on $sw_h ignored SIGTERM; killing it" >&2
		kill -KILL "$sw_p" 2>/dev/null || :
	fi
	# Reap it if it is this shell's child (a no-op otherwise).
	wait "$sw_p" 2>/dev/null || :
	rm -f "$SW_ROOT/$sw_h/charon.pid"
	sw_now
	echo "--- stopped at uptime ${SW_NOW}s" >>"$SW_ROOT/$sw_h/charon.log"
}

# sw_log HOST [LINES]: print HOST's log (its last LINES lines), framed.
sw_log() {
	sw_f=$SW_ROOT/$1/charon.log
	echo "--- strongSwan log of $1 ($sw_f)${2:+, last $2 lines}"
	if [ -n "${2:-}" ]; then
		tail -n "$2" "$sw_f" 2>/dev/null
	else
		cat "$sw_f" 2>/dev/null
	fi
	echo "--- end of $1's log"
}

# sw_conf HOST [-a]: write swanctl.conf for HOST from stdin, replacing it
# (-a: appending to it). swanctl merges sections of the same name, so a
# file may hold several "connections { }" and "secrets { }" blocks.
sw_conf() {
	# shellcheck disable=SC2174 # only the last one needs 700
	[ -d "$SW_ROOT/$1" ] || mkdir -p -m 700 "$SW_ROOT/$1" ||
	    fail "sw_conf: cannot create $SW_ROOT/$1"
	if [ "${2:-}" = -a ]; then
		cat >>"$SW_ROOT/$1/swanctl.conf"
	else
		cat >"$SW_ROOT/$1/swanctl.conf"
	fi || fail "sw_conf: cannot write $SW_ROOT/$1/swanctl.conf"
}

# sw_psk HOST [-a] KEY=VALUE...: write a swanctl.conf with one connection
# authenticated by a pre-shared key, one CHILD SA and the key (-a: append
# to the file, for several connections). KEYs, with their defaults:
#   conn=gw child=net      the names of the connection and the CHILD SA
#   local= remote=%any     local_addrs, remote_addrs (empty: %any);
#                          a responder may keep remote=%any
#   local_id= remote_id=   IKE identities (empty: the IP address, %any)
#   ike=default esp=default  proposals, e.g. aes128gcm16-prfsha256-ecp256
#                          and aes128gcm16 (esp=aes128gcm16-ecp256: PFS)
#   mode=tunnel            or transport
#   local_ts=dynamic remote_ts=dynamic  traffic selectors, comma-separated
#   psk=$SW_PSK            the key (0x... for hex)
#   version=2              IKE version (0: either, as a responder)
#   encap=no               yes: force UDP encapsulation of ESP
#   start_action=          none, trap or start (strongSwan's default: none)
#   conn_opt=LINE          a line for the connection section (repeatable),
#                          e.g. conn_opt='dpd_delay = 5s'
#   child_opt=LINE         a line for the CHILD section (repeatable),
#                          e.g. child_opt='rekey_time = 20s'
sw_psk() {
	sw_h=$1
	shift
	sw_app=
	if [ "${1:-}" = -a ]; then
		sw_app=-a
		shift
	fi
	sw_conn=gw sw_child=net sw_local='' sw_remote=%any sw_lid='' sw_rid=''
	sw_ike=default sw_esp=default sw_mode=tunnel sw_lts=dynamic
	sw_rts=dynamic sw_key=$SW_PSK sw_version=2 sw_encap=no sw_start_act=''
	sw_copts='' sw_chopts=''
	for sw_a in "$@"; do
		sw_v=${sw_a#*=}
		case $sw_a in
		conn=*) sw_conn=$sw_v ;;
		child=*) sw_child=$sw_v ;;
		local=*) sw_local=$sw_v ;;
		remote=*) sw_remote=$sw_v ;;
		local_id=*) sw_lid=$sw_v ;;
		remote_id=*) sw_rid=$sw_v ;;
		ike=*) sw_ike=$sw_v ;;
		esp=*) sw_esp=$sw_v ;;
		mode=*) sw_mode=$sw_v ;;
		local_ts=*) sw_lts=$sw_v ;;
		remote_ts=*) sw_rts=$sw_v ;;
		psk=*) sw_key=$sw_v ;;
		version=*) sw_version=$sw_v ;;
		encap=*) sw_encap=$sw_v ;;
		start_action=*) sw_start_act=$sw_v ;;
		conn_opt=*) sw_copts="$sw_copts
		$sw_v" ;;
		child_opt=*) sw_chopts="$sw_chopts
				$sw_v" ;;
		*) fail "sw_psk $sw_h: unknown setting '$sw_a'" ;;
		esac
	done
	[ -z "$sw_start_act" ] || sw_chopts="$sw_chopts
				start_action = $sw_start_act"
	# The key as a swanctl string, its quotes and backslashes escaped
	# (by sed only if there are any: it costs a process).
	case $sw_key in
	0x*) ;;
	*)
		case $sw_key in
		*[\"\\]*)
			sw_key=$(printf '%s' "$sw_key" | sed 's/["\\]/\\&/g')
			;;
		esac
		sw_key="\"$sw_key\""
		;;
	esac
	# A secret bound to both identities when they are known, so that
	# several connections may have different keys; otherwise one that
	# matches any peer.
	sw_ids=
	[ -z "$sw_lid" ] || sw_ids="
		id-local = $sw_lid"
	case $sw_rid in
	'' | %any) ;;
	*) sw_ids="$sw_ids
		id-remote = $sw_rid" ;;
	esac
	sw_conf "$sw_h" ${sw_app:+"$sw_app"} <<EOF
connections {
	$sw_conn {
		version = $sw_version
		local_addrs = ${sw_local:-%any}
		remote_addrs = ${sw_remote:-%any}
		proposals = $sw_ike
		encap = $sw_encap$sw_copts
		local {
			auth = psk${sw_lid:+
			id = $sw_lid}
		}
		remote {
			auth = psk
			id = ${sw_rid:-%any}
		}
		children {
			$sw_child {
				mode = $sw_mode
				esp_proposals = $sw_esp
				local_ts = $sw_lts
				remote_ts = $sw_rts$sw_chopts
			}
		}
	}
}
secrets {
	ike-$sw_conn {$sw_ids
		secret = $sw_key
	}
}
EOF
}

# sw_load HOST: load HOST's swanctl.conf and credentials into its daemon
# (swanctl --load-all: connections and secrets gone from the file are
# unloaded). Fails the scenario, showing swanctl's output, on any error.
sw_load() {
	sw_out=$(sw_ctl "$1" --load-all --noprompt \
	    --file "$SW_ROOT/$1/swanctl.conf" 2>&1) || {
		printf '%s\n' "$sw_out" | sed 's/^/  | /'
		fail "strongSwan on $1 could not load $SW_ROOT/$1/swanctl.conf"
	}
}

# sw_initiate HOST CHILD [IKE]: bring up CHILD (and its IKE SA if needed)
# and wait for the outcome (SW_TIMEOUT). CHILD "" with IKE: the IKE SA
# alone. swanctl's status; its log of the exchange goes to stdout.
sw_initiate() {
	sw_h=$1
	shift
	if [ -n "$1" ]; then
		sw_ctl "$sw_h" --initiate --child "$1" ${2:+--ike "$2"} \
		    --timeout "$SW_TIMEOUT"
	else
		sw_ctl "$sw_h" --initiate --ike "$2" --timeout "$SW_TIMEOUT"
	fi
}

# sw_terminate HOST IKE: delete the IKE SA (and its CHILD SAs) of the
# connection named IKE, waiting for the peer's answer (SW_TIMEOUT).
sw_terminate() {
	sw_ctl "$1" --terminate --ike "$2" --timeout "$SW_TIMEOUT"
}

# sw_terminate_child HOST CHILD: delete the CHILD SA named CHILD only.
sw_terminate_child() {
	sw_ctl "$1" --terminate --child "$2" --timeout "$SW_TIMEOUT"
}

# sw_rekey_child HOST CHILD: rekey CHILD now. swanctl only queues it: use
# sw_wait to see the new SA.
sw_rekey_child() {
	sw_ctl "$1" --rekey --child "$2"
}

# sw_list_sas HOST [ARGS...]: swanctl --list-sas (e.g. --ike gw, --raw).
sw_list_sas() {
	sw_h=$1
	shift
	sw_ctl "$sw_h" --list-sas "$@"
}

# sw_spis HOST CHILD: "IN OUT", the SPIs (8 hex digits, no 0x) of HOST's
# first installed CHILD SA named CHILD, as swanctl --list-sas shows them;
# fails if there is none.
sw_spis() {
	# shellcheck disable=SC2016 # awk's $n, not the shell's
	sw_list_sas "$1" 2>/dev/null | awk -v c="$2:" '
	$1 == c && $2 ~ /^#/ { in_c = 1; next }
	in_c && $1 == "in" { i = $2 }
	in_c && $1 == "out" { o = $2; sub(/,$/, "", i); sub(/,$/, "", o)
	    print i, o; found = 1; exit }
	END { exit !found }'
}

# sw_wait HOST TEXT [SECONDS]: wait until HOST's swanctl --list-sas shows
# TEXT (e.g. "INSTALLED", "net: #"); SW_TIMEOUT seconds by default.
sw_wait() {
	sw_now
	sw_end=$((SW_NOW + ${3:-$SW_TIMEOUT}))
	while :; do
		case $(sw_list_sas "$1" 2>/dev/null) in
		*"$2"*) return 0 ;;
		esac
		sw_now
		[ "$SW_NOW" -lt "$sw_end" ] || return 1
		sleep 0.2
	done
}

# sw_wait_gone HOST TEXT [SECONDS]: wait until --list-sas no longer shows
# TEXT ("ESTABLISHED": no IKE SA left).
sw_wait_gone() {
	sw_now
	sw_end=$((SW_NOW + ${3:-$SW_TIMEOUT}))
	while :; do
		case $(sw_list_sas "$1" 2>/dev/null) in
		*"$2"*) ;;
		*) return 0 ;;
		esac
		sw_now
		[ "$SW_NOW" -lt "$sw_end" ] || return 1
		sleep 0.2
	done
}

# sw_cleanup [STATUS]: stop every daemon still running, copy each log to
# $VM_OUT/strongswan-HOST.log and, if STATUS is not 0, print the end of
# each log (SW_LOG_TAIL lines, default 25).
sw_cleanup() {
	for sw_x in $SW_HOSTS; do
		sw_stop "$sw_x"
	done
	sw_any=
	for sw_f in "$SW_ROOT"/*/charon.log; do
		[ -f "$sw_f" ] || continue
		sw_x=${sw_f%/charon.log}
		sw_x=${sw_x##*/}
		sw_any=yes
		if [ -n "${VM_OUT:-}" ] && [ -d "$VM_OUT" ]; then
			cp "$sw_f" "$VM_OUT/strongswan-$sw_x.log" 2>/dev/null || :
		fi
		[ "${1:-0}" = 0 ] || sw_log "$sw_x" "${SW_LOG_TAIL:-25}"
	done
	if [ "${1:-0}" != 0 ] && [ -n "$sw_any" ]; then
		echo "(whole strongSwan logs: \$VM_OUT/strongswan-HOST.log," \
		    "kept in build/vm/run.*/out/)"
	fi
}

# sw_exit_trap: the EXIT trap, keeping the scenario's exit status.
sw_exit_trap() {
	sw_rc=$?
	sw_cleanup "$sw_rc"
	vm_cleanup
	exit "$sw_rc"
}

trap sw_exit_trap EXIT
