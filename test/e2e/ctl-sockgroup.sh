#!/bin/sh
# SPDX-License-Identifier: ISC
#
# daemon.socket_group: the control socket gets that group (mode 0660) and
# its members may use it; an unknown group is a configuration error with
# its position. A socket directory that anyone but root (or the daemon's
# user) and that group may write to is refused: whoever can write there
# can put their own socket in place of ours. The daemon does not start.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

e2e_conf moon 127.0.0.1 192.0.2.2
sed -i 's/^daemon:$/daemon:\n  socket_group: users/' "$W/moon.yaml"
grp=$(getent group users | cut -d: -f3)

# run_in DIR: charond with its socket in DIR, for at most 5 s; $rc.
run_in() {
	rc=0
	timeout 5 "$CHAROND" -c "$W/moon.yaml" -S "$1/moon.sock" \
	    >"$W/refused.log" 2>&1 || rc=$?
}

mkdir -m 0777 "$W/open"
chmod 1777 "$W/open"
run_in "$W/open"
check "a world-writable directory: charond exits 1 at once" test "$rc" = 1
expect_in "$W/refused.log" "$W/open" "the log names the directory"
expect_in "$W/refused.log" "mode 1777" "and says what is wrong with it"
check "no socket was left there" test ! -e "$W/open/moon.sock"

mkdir -m 0770 "$W/other"
chgrp nogroup "$W/other"
run_in "$W/other"
check "writable by a group other than socket_group: refused" test "$rc" = 1

mkdir -m 0755 "$W/owned"
chown nobody "$W/owned"
run_in "$W/owned"
check "owned by somebody else: refused" test "$rc" = 1

# The directory writable by the socket's group, or by root only: fine.
mkdir -m 0770 "$W/run"
chgrp users "$W/run"
"$CHAROND" -c "$W/moon.yaml" -S "$W/run/moon.sock" >"$W/moon.log" 2>&1 &
echo $! >"$W/moon.pid"
rm -f "$W/moon.sock"
ln -s run/moon.sock "$W/moon.sock"
i=0
until [ -S "$W/run/moon.sock" ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "charond did not come up with a group directory"
	sleep 0.1
done
alive moon
check "the socket is mode 0660, owner root, group socket_group" \
    test "$(stat -c '%a %U %g' "$W/run/moon.sock")" = "660 root $grp"
expect_in "$W/moon.log" "group users" "the log names the group"
rc=0
setpriv --reuid=nobody --regid=nogroup --groups="$grp" \
    "$CHARONCTL" -S "$W/run/moon.sock" version >"$W/out" 2>"$W/err" || rc=$?
expect_rc 0 "a member of socket_group may use it"
rc=0
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$CHARONCTL" -S "$W/run/moon.sock" version >"$W/out" 2>"$W/err" || rc=$?
expect_rc 3 "a stranger may not"
e2e_stop moon

# A root-only directory (the default /run/charond) with socket_group.
mkdir -m 0755 "$W/root"
e2e_start moon
check "0755 root:root is fine too" test \
    "$(stat -c '%a %g' "$W/moon.sock")" = "660 $grp"
e2e_stop moon

sed -i 's/socket_group: users/socket_group: no-such-group/' "$W/moon.yaml"
rc=0
"$CHAROND" -c "$W/moon.yaml" --check-config >"$W/out" 2>&1 || rc=$?
expect_rc 2 "an unknown group: --check-config exits 2"
expect_in "$W/out" "$W/moon.yaml:2:17: error: unknown group 'no-such-group'" \
    "with FILE:LINE:COL"
run_in "$W/root"
check "and charond does not start (exit 2)" test "$rc" = 2
