#!/bin/sh
# SPDX-License-Identifier: ISC
#
# systemd's Type=notify without systemd: a listener on a datagram socket
# named in $NOTIFY_SOCKET (a path, then an abstract '@' name) stands in
# for it. charond must send READY=1 only once its control socket answers
# and UDP 500 and 4500 are bound (the listener checks both the moment the
# datagram arrives), RELOADING=1 then READY=1 around a SIGHUP, STOPPING=1
# at SIGTERM; and nothing at all without NOTIFY_SOCKET.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

# listen ADDR LOG: print each datagram to LOG as "STATE ctl=OK|NO
# udp=OK|NO" (the control socket connects; 127.0.0.1:500 and :4500 are
# taken), until "STOPPING=1".
cat >"$W/listen.py" <<'PY'
import socket, sys
addr, log, ctl = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(log + ".ready", "w").close()
def ctl_ok():
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        c.connect(ctl)
        return "OK"
    except OSError:
        return "NO"
    finally:
        c.close()
def udp_ok():
    for port in (500, 4500):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return "NO"
        except OSError:
            pass
        finally:
            u.close()
    return "OK"
while True:
    m = s.recv(4096).decode()
    with open(log, "a") as f:
        f.write("%s ctl=%s udp=%s\n" % (m.replace("\n", ","), ctl_ok(), udp_ok()))
    if "STOPPING=1" in m:
        break
PY

e2e_conf moon 127.0.0.1 127.0.0.2

# run ADDR: listener at ADDR, charond with NOTIFY_SOCKET=ADDR, SIGHUP,
# SIGTERM; the listener's lines in $W/notify.log.
run() {
	rm -f "$W/notify.log" "$W/notify.log.ready" "$W/notify.sock"
	python3 "$W/listen.py" "$1" "$W/notify.log" "$W/moon.sock" &
	lpid=$!
	i=0
	while [ ! -e "$W/notify.log.ready" ]; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "the listener did not start"
		sleep 0.1
	done
	rm -f "$W/moon.sock"
	NOTIFY_SOCKET=$1 "$CHAROND" -c "$W/moon.yaml" -S "$W/moon.sock" \
	    --log-level debug >"$W/moon.log" 2>&1 &
	echo $! >"$W/moon.pid"
	i=0
	while ! grep -q '^READY=1' "$W/notify.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "no READY=1 at $1"
		sleep 0.1
	done
	kill -HUP "$(cat "$W/moon.pid")"
	i=0
	while [ "$(grep -c '^READY=1' "$W/notify.log")" -lt 2 ]; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "no READY=1 after the reload at $1"
		sleep 0.1
	done
	e2e_stop moon
	i=0
	while kill -0 "$lpid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "no STOPPING=1 at $1"
		sleep 0.1
	done
	sed 's/^/  notify: /' "$W/notify.log"
}

for a in "$W/notify.sock" "@charond-e2e-notify-$$"; do
	run "$a"
	check "$a: READY=1 first, with the control socket and UDP 500/4500 up" \
	    test "$(sed -n 1p "$W/notify.log")" = "READY=1 ctl=OK udp=OK"
	check "$a: RELOADING=1 at SIGHUP" \
	    test "$(sed -n 2p "$W/notify.log" | cut -d' ' -f1)" = RELOADING=1
	check "$a: READY=1 once reloaded" \
	    test "$(sed -n 3p "$W/notify.log" | cut -d' ' -f1)" = READY=1
	check "$a: STOPPING=1 at SIGTERM, and nothing more" \
	    test "$(sed -n '4,$p' "$W/notify.log" | cut -d' ' -f1)" = STOPPING=1
done

# Without NOTIFY_SOCKET: nothing sent, nothing logged about it.
rm -f "$W/notify.log" "$W/notify.log.ready"
python3 "$W/listen.py" "$W/quiet.sock" "$W/notify.log" "$W/moon.sock" &
lpid=$!
e2e_start moon
e2e_stop moon
kill "$lpid" 2>/dev/null || :
check "without NOTIFY_SOCKET nothing is sent" test ! -e "$W/notify.log"
check "nor logged" sh -c "! grep -q NOTIFY '$W/moon.log'"
# A bad value is logged, and the daemon runs on.
NOTIFY_SOCKET=relative/path e2e_start moon
e2e_stop moon
expect_in "$W/moon.log" "NOTIFY_SOCKET 'relative/path': not a socket path" \
    "a NOTIFY_SOCKET that is no path is logged; the daemon runs anyway"
