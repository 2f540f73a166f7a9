#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Bursts (daemon.kernel: none on both). moon has 24 connections whose
# child starts at once (start_action start) and daemon.start_in_flight 3:
# it says so in one line, has exactly 3 IKE SAs CONNECTING while sun is
# stopped, never more, and brings all 24 up once sun answers. sun, stopped (SIGSTOP) with a tiny receive_buffer,
# gets 2000 datagrams: once it runs again the kernel's drops on its
# socket show in stats (JSON, for humans, Prometheus) and one warning.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

e2e_conf sun 127.0.0.2 127.0.0.1
sed -i -e 's|local_ts: \[10.1.0.0/16\]|local_ts: [10.2.0.0/16]|' \
    -e 's|remote_ts: \[10.2.0.0/16\]|remote_ts: [10.1.0.0/16]|' \
    -e 's|^daemon:$|daemon:\n  kernel: none|' "$W/sun.yaml"
{
	cat <<EOF2
daemon:
  kernel: none
  listen: [127.0.0.1]
  plugin_dir: "$E2E_TOP/$E2E_B/plugins"
  retransmit: {timeout: 2s, base: 1.5, tries: 3}
  start_in_flight: 3
connections:
EOF2
	i=1
	while [ $i -le 24 ]; do
		cat <<EOF2
  c$i:
    local_addrs: [127.0.0.1]
    remote_addrs: [127.0.0.2]
    local: {auth: psk, id: moon.example.org}
    remote: {auth: psk}
    children:
      net:
        local_ts: [10.1.$i.0/24]
        remote_ts: [10.2.$i.0/24]
        esp_proposals: [aes128gcm16]
        start_action: start
EOF2
		i=$((i + 1))
	done
	cat <<EOF2
secrets:
  psk:
    - secret: "an e2e test secret"
EOF2
} >"$W/moon.yaml"
e2e_start sun
# sun answers nothing for a second: moon's first three wait on it, and
# the others must wait for them.
kill -STOP "$(cat "$W/sun.pid")"
e2e_start moon

# (CONNECTING, ESTABLISHED) on moon.
states() {
	ctl moon --json stats
	jget '(d["ike_sas"]["CONNECTING"], d["ike_sas"]["ESTABLISHED"])' <"$W/out"
}
sleep 1
check "while sun is silent, moon has exactly 3 IKE SAs CONNECTING" test \
    "$(states)" = "(3, 0)"
kill -CONT "$(cat "$W/sun.pid")"
max=0
i=0
while :; do
	s=$(states)
	c=$(echo "$s" | sed 's/^(\([0-9]*\), .*/\1/')
	[ "$c" -le "$max" ] || max=$c
	[ "$s" = "(0, 24)" ] && break
	i=$((i + 1))
	[ $i -lt 300 ] || fail "not all 24 up after 30 s: $s"
	sleep 0.1
done
pass "all 24 connections up"
check "never more than 3 CONNECTING at once (saw $max)" test "$max" -le 3
expect_in "$W/moon.log" "starting connections 3 at a time, 21 waiting (daemon.start_in_flight)" \
    "moon says it paces, in one line"

# A full receive buffer, counted.
ctl sun --json stats
check "no socket drops on sun yet" test \
    "$(jget 'd["input"]["socket_drops"]' <"$W/out")" = 0
sed -i 's|^daemon:$|daemon:\n  receive_buffer: 4096|' "$W/sun.yaml"
ctl sun load
expect_rc 0 "sun takes a 4 KiB receive buffer on reload"
kill -STOP "$(cat "$W/sun.pid")"
python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(2000):
    s.sendto(b"\0" * 200, ("127.0.0.2", 500))
PY
kill -CONT "$(cat "$W/sun.pid")"
sleep 0.5
# A datagram after the drops carries their count (SO_RXQ_OVFL): the log.
python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"\0" * 200, ("127.0.0.2", 500))'
sleep 0.3
ctl sun --json stats
drops=$(jget 'd["input"]["socket_drops"]' <"$W/out")
check "sun counts the datagrams its socket dropped ($drops)" test "$drops" -gt 1000
check "and the system's UDP RcvbufErrors" test \
    "$(jget 'd["input"]["udp_rcvbuf_errors"] >= 0' <"$W/out")" = True
expect_in "$W/sun.log" "IKE datagrams for a full receive buffer (daemon.receive_buffer)" \
    "sun warns of the drops"
ctl sun stats
expect_in "$W/out" "datagrams dropped for a full receive buffer" \
    "stats for humans shows them"
ctl sun stats --prometheus
expect_in "$W/out" "charond_socket_drops_total $drops" "and Prometheus"
alive sun

e2e_stop moon
e2e_stop sun
