#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Who may use the control socket: root, the daemon's own user and members
# of the socket's group (that of its directory). The socket is mode 0660;
# behind that, the daemon checks every client's credentials (SO_PEERCRED,
# SO_PEERGROUPS), so a socket made world-writable by mistake still refuses
# strangers.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

# The sockets live in a directory of group "users" (gid 100).
mkdir "$W/run"
chgrp 100 "$W/run"
chmod 0750 "$W/run"
e2e_conf moon 127.0.0.1 192.0.2.2
rm -f "$W/moon.sock"
ln -s run/moon.sock "$W/moon.sock"
"$CHAROND" -c "$W/moon.yaml" -S "$W/run/moon.sock" >"$W/moon.log" 2>&1 &
echo $! >"$W/moon.pid"
sleep 0.5
alive moon

# as_nobody [GROUPS] ARGS...: charonctl as nobody with those supplementary
# groups ("-" for none).
as_nobody() {
	g=$1
	shift
	rc=0
	if [ "$g" = - ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    "$CHARONCTL" -S "$W/run/moon.sock" "$@" \
		    >"$W/out" 2>"$W/err" || rc=$?
	else
		setpriv --reuid=nobody --regid=nogroup --groups="$g" \
		    "$CHARONCTL" -S "$W/run/moon.sock" "$@" \
		    >"$W/out" 2>"$W/err" || rc=$?
	fi
}

st=$(stat -c '%a %U %g' "$W/run/moon.sock")
check "the socket is mode 0660, owner root, group of its directory" \
    test "$st" = "660 root 100"

as_nobody 100 version
expect_rc 0 "a member of the socket's group may use it"
as_nobody 100 --json list-conns
expect_rc 0 "and list connections"

as_nobody - version
expect_rc 3 "a stranger cannot reach the socket (exit 3)"

# Suppose an admin opened it up by mistake: the daemon still refuses.
chmod 0755 "$W/run"
chmod 0666 "$W/run/moon.sock"
as_nobody - version
expect_rc 3 "a stranger reaching a world-writable socket is refused"
expect_in "$W/err" "PERMISSION_DENIED" "with PERMISSION_DENIED"
expect_in "$W/moon.log" "control: refused a client (uid 65534" \
    "the daemon logs the refusal"
as_nobody 100 version
expect_rc 0 "a member of the group still gets in"
ctl moon --json stats
check "stats counts the refused client" test \
    "$(jget 'd["control"]["clients_refused"]' <"$W/out")" = 1

e2e_stop moon
