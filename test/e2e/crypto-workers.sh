#!/bin/sh
# SPDX-License-Identifier: ISC
#
# daemon.crypto_workers: sun (127.0.0.2) computes its IKE_SA_INIT key
# exchanges on two worker threads, moon (127.0.0.1) on its event loop
# (0). Both bring up IKE SAs in each role; stats (text, JSON, Prometheus)
# show the workers and count their jobs, the answering side only; a
# reload cannot change the number; a bad value is refused where written.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

e2e_conf sun 127.0.0.2 127.0.0.1
sed -i 's|^daemon:$|daemon:\n  kernel: none\n  crypto_workers: 2|' "$W/sun.yaml"
sed -i -e 's|local_ts: \[10.1.0.0/16\]|local_ts: [10.2.0.0/16]|' \
    -e 's|remote_ts: \[10.2.0.0/16\]|remote_ts: [10.1.0.0/16]|' "$W/sun.yaml"
e2e_conf moon 127.0.0.1 127.0.0.2
sed -i 's|^daemon:$|daemon:\n  kernel: none\n  crypto_workers: 0|' "$W/moon.yaml"
e2e_start sun
e2e_start moon

# crypto N: (workers, queued, jobs) of N.
crypto() {
	ctl "$1" --json stats
	jget '(d["crypto"]["workers"], d["crypto"]["queued"],
	    d["crypto"]["jobs"])' <"$W/out"
}
check "sun starts with 2 workers, nothing done" test \
    "$(crypto sun)" = "(2, 0, 0)"
check "moon, crypto_workers 0, has none" test "$(crypto moon)" = "(0, 0, 0)"

ctl moon --json initiate --child net --timeout 10
expect_rc 0 "moon initiates: IKE SA and CHILD SA up, sun answering"
check "sun's answer was computed by a worker" test \
    "$(crypto sun)" = "(2, 0, 1)"
expect_in "$W/sun.log" "IKE_SA_INIT answered with group" \
    "sun logs its answer"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"

ctl sun --json initiate --child net --timeout 10
expect_rc 0 "sun initiates: up, moon answering on its loop"
check "sun's own key exchange as initiator is no job" test \
    "$(crypto sun)" = "(2, 0, 1)"
check "and moon still has none" test "$(crypto moon)" = "(0, 0, 0)"

ctl sun stats
expect_in "$W/out" "crypto:    2 key exchange worker(s), 0 queued, 1 done" \
    "charonctl stats says so"
ctl sun stats --prometheus
expect_in "$W/out" "charond_crypto_workers 2" "Prometheus: the workers"
expect_in "$W/out" "charond_crypto_jobs_total 1" "and the jobs"

sed -i 's|^  crypto_workers: 2$|  crypto_workers: 1|' "$W/sun.yaml"
ctl sun --json load
expect_rc 0 "a reload with crypto_workers: 1 is applied otherwise"
check "but crypto_workers needs a restart" test \
    "$(jget 'd["restart_required"]' <"$W/out")" = "['daemon.crypto_workers']"
check "sun keeps its 2 workers" test "$(crypto sun)" = "(2, 0, 1)"

sed 's|crypto_workers: 1|crypto_workers: 65|' "$W/sun.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
expect_rc 2 "crypto_workers: 65 is refused"
expect_in "$W/out" "bad.yaml:3:19: error:" "with FILE:LINE:COL"

e2e_stop moon
e2e_stop sun
