# SPDX-License-Identifier: ISC
# shellcheck shell=sh
#
# Sourceable helpers for scenarios that run charond inside the VM:
#   cd_start HOST CONFIG    start charond in HOST with CONFIG (its
#                           @PLUGIN_DIR@ replaced by the build tree's)
#   cd_stop HOST            SIGTERM, wait for a clean exit
#   cd_log HOST             print HOST's charond log
#   cd_wait_states HOST N   wait (10 s at most) for N SAs in HOST's kernel
# charond and its plugins come from $CHAROND_BUILD (default build/gcc),
# built on the host before the VM boots.

CHAROND_BUILD=${CHAROND_BUILD:-build/gcc}
CD_DIR=${CD_DIR:-/tmp/charond}

cd_start() {
	mkdir -p "$CD_DIR/$1"
	sed "s|@PLUGIN_DIR@|$PWD/$CHAROND_BUILD/plugins|" "$2" \
	    >"$CD_DIR/$1/charond.yaml"
	ip netns exec "$1" "$CHAROND_BUILD/bin/charond" \
	    -c "$CD_DIR/$1/charond.yaml" -S "$CD_DIR/$1/ctl.sock" \
	    --log-level debug \
	    >"$CD_DIR/$1/log" 2>&1 &
	echo $! >"$CD_DIR/$1/pid"
}

cd_stop() {
	cd_pid=$(cat "$CD_DIR/$1/pid")
	kill -TERM "$cd_pid" 2>/dev/null || return 0
	cd_i=0
	while kill -0 "$cd_pid" 2>/dev/null && [ $cd_i -lt 50 ]; do
		sleep 0.1
		cd_i=$((cd_i + 1))
	done
	! kill -0 "$cd_pid" 2>/dev/null
}

cd_log() {
	echo "--- charond log of $1"
	sed 's/^/  | /' "$CD_DIR/$1/log"
}

cd_wait_states() {
	cd_i=0
	while [ "$(ip -n "$1" xfrm state | grep -c '^src')" -ne "$2" ]; do
		[ $cd_i -lt 100 ] || return 1
		sleep 0.1
		cd_i=$((cd_i + 1))
	done
}

# cd_conf FILE LOCAL REMOTE IKE ESP MODE PSK START [LOCAL_TS REMOTE_TS]:
# write a one-connection config ("site", child "net") for LOCAL talking to
# REMOTE with the given IKE and ESP proposals, tunnel|transport MODE, the
# PSK, start_action START (start|none) and, in tunnel mode, the subnets.
# The identities are the addresses. CD_REKEY and CD_IKE_REKEY, if set, are
# the child's and the connection's rekey_time; CD_VERSION the IKE version;
# CD_WORKERS daemon.crypto_workers (2).
cd_conf() {
	{
		echo "daemon:"
		echo "  listen: [\"$2\"]"
		echo "  plugin_dir: \"@PLUGIN_DIR@\""
		echo "  retransmit: {timeout: 2s, base: 1.8, tries: 4}"
		# The guest has one CPU, so the default would be none: the
		# answers to strongSwan's IKE_SA_INITs go through the
		# workers' path, as on a gateway.
		echo "  crypto_workers: ${CD_WORKERS:-2}"
		echo "connections:"
		echo "  site:"
		echo "    local_addrs: [\"$2\"]"
		echo "    remote_addrs: [\"$3\"]"
		echo "    proposals: [$4]"
		[ -z "${CD_IKE_REKEY:-}" ] || echo "    rekey_time: $CD_IKE_REKEY"
		[ -z "${CD_VERSION:-}" ] || echo "    version: $CD_VERSION"
		echo "    local: {auth: psk}"
		echo "    remote: {auth: psk}"
		echo "    children:"
		echo "      net:"
		echo "        mode: $6"
		echo "        esp_proposals: [$5]"
		echo "        start_action: $8"
		[ -z "${CD_REKEY:-}" ] || echo "        rekey_time: $CD_REKEY"
		if [ -n "${9:-}" ]; then
			echo "        local_ts: [\"$9\"]"
			echo "        remote_ts: [\"${10}\"]"
		fi
		echo "secrets:"
		echo "  psk:"
		echo "    - secret: \"$7\""
	} >"$1"
}
