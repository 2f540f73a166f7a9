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
	    -c "$CD_DIR/$1/charond.yaml" --log-level debug \
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
