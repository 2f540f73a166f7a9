#!/bin/sh
# SPDX-License-Identifier: ISC
#
# daemon.kernel: none. moon (127.0.0.1) and sun (127.0.0.2) bring up an
# IKE SA with a CHILD SA on a host kernel without ESP: the kernel's part
# goes to charond's recorder. Each says so once at start; list-sas shows
# the CHILD SA INSTALLED on both ends with the SPIs crossed; a rekey of
# the CHILD SA replaces its SPIs; after terminate nothing is recorded.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

# Both keep no kernel state. sun first claims moon's selectors as its
# own, refusing the CHILD SA; then they are mirrored.
e2e_conf sun 127.0.0.2 127.0.0.1
sed -i 's|^daemon:$|daemon:\n  kernel: none|' "$W/sun.yaml"
e2e_conf moon 127.0.0.1 127.0.0.2
sed -i 's|^daemon:$|daemon:\n  kernel: none|' "$W/moon.yaml"
e2e_start sun
e2e_start moon

warning="kernel: none: no IPsec SA reaches the kernel; for benchmarks and tests only"
for n in moon sun; do
	check "$n warns once at start that nothing reaches the kernel" test \
	    "$(grep -cF "$warning" "$W/$n.log")" = 1
done

# recorded N: (SAs, policies) NAME's recorder holds.
recorded() {
	ctl "$1" --json stats
	jget '(d["kernel"]["sas"], d["kernel"]["policies"])' <"$W/out"
}

ctl moon --json initiate --child net --timeout 10
expect_rc 1 "a CHILD SA sun refuses (TS_UNACCEPTABLE) fails"
for n in moon sun; do
	check "$n holds no SPI of the refused CHILD SA" test \
	    "$(recorded "$n")" = "(0, 0)"
done
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "its IKE SA terminated"
sed -i -e 's|local_ts: \[10.1.0.0/16\]|local_ts: [10.2.0.0/16]|' \
    -e 's|remote_ts: \[10.2.0.0/16\]|remote_ts: [10.1.0.0/16]|' "$W/sun.yaml"
ctl sun load
expect_rc 0 "sun mirrors moon's selectors"

ctl moon --json initiate --child net --timeout 10
expect_rc 0 "initiate --child net: IKE SA and CHILD SA up"
id=$(jget 'd["ike_id"]' <"$W/out")

# The CHILD SAs of each end, as (state, spi_in, spi_out).
children() {
	ctl "$1" --json list-sas
	jget '[(c["state"], c["spi_in"], c["spi_out"])
	    for s in d["ike_sas"] for c in s["children"]]' <"$W/out"
}
moon_c=$(children moon)
sun_c=$(children sun)
check "moon lists one CHILD SA, INSTALLED" test \
    "$(echo "$moon_c" | python3 -c 'import ast, sys
c = ast.literal_eval(sys.stdin.read())
print(len(c), c[0][0])')" = "1 INSTALLED"
check "sun lists it INSTALLED, SPIs crossed (moon's in = sun's out)" test \
    "$(echo "$sun_c" | python3 -c 'import ast, sys
c = ast.literal_eval(sys.stdin.read())
print([(s, o, i) for (s, i, o) in c])')" = "$moon_c"
ctl moon list-sas
expect_in "$W/out" "INSTALLED" "list-sas for humans shows it INSTALLED"
ctl moon --json stats
check "stats: recorder holds 2 SAs and 3 policies on moon" test \
    "$(jget '(d["kernel"]["mode"], d["kernel"]["sas"],
	d["kernel"]["policies"], d["child_sas"]["INSTALLED"])' <"$W/out")" = \
    "('none', 2, 3, 1)"
ctl moon stats
expect_in "$W/out" "kernel:    none: 2 SAs and 3 policies recorded" \
    "stats for humans says what the recorder holds"

# Rekey the CHILD SA: new SPIs on both ends, still crossed.
ctl moon --json list-sas
cid=$(jget 'd["ike_sas"][0]["children"][0]["id"]' <"$W/out")
ctl moon --json rekey --ike-id "$id" --child-id "$cid"
expect_rc 0 "rekey of the CHILD SA starts"
i=0
while :; do
	new=$(children moon)
	# One CHILD SA, INSTALLED, with other SPIs than before.
	[ "$new" != "$moon_c" ] && [ "$(echo "$new" | python3 -c 'import ast, sys
c = ast.literal_eval(sys.stdin.read())
print(len(c) == 1 and c[0][0] == "INSTALLED")')" = True ] && break
	i=$((i + 1))
	[ $i -lt 50 ] || fail "no rekeyed CHILD SA after 5 s: $new"
	sleep 0.1
done
moon_c=$new
sleep 0.3
sun_c=$(children sun)
check "after the rekey sun has the new CHILD SA, SPIs crossed" test \
    "$(echo "$sun_c" | python3 -c 'import ast, sys
c = ast.literal_eval(sys.stdin.read())
print([(s, o, i) for (s, i, o) in c])')" = "$moon_c"
for n in moon sun; do
	check "$n: the old CHILD SA's SAs are gone, the policies kept" test \
	    "$(recorded "$n")" = "(2, 3)"
done

ctl moon --json terminate --ike-id "$id" --timeout 10
expect_rc 0 "terminate waits for the peer's answer to DELETE"
sleep 0.3
for n in moon sun; do
	ctl "$n" --json list-sas
	check "no SA left on $n" test "$(cat "$W/out")" = '{"ike_sas":[]}'
	check "nothing left recorded on $n" test "$(recorded "$n")" = "(0, 0)"
	check "$n logged no deletion of an SA it did not hold" \
	    sh -c "! grep -q 'not recorded' '$W/$n.log'"
done

# A value other than xfrm or none is refused where it is written.
sed 's|kernel: none|kernel: nowhere|' "$W/moon.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
expect_rc 2 "kernel: nowhere is refused"
expect_in "$W/out" \
    "bad.yaml:2:11: error: bad value 'nowhere' for 'kernel': expected xfrm|none" \
    "with FILE:LINE:COL"

# Changing it in a reload takes a restart.
sed -i 's|^  kernel: none$|  kernel: xfrm|' "$W/moon.yaml"
ctl moon --json load
expect_rc 0 "a reload with kernel: xfrm is applied otherwise"
check "but kernel needs a restart" test \
    "$(jget 'd["restart_required"]' <"$W/out")" = "['daemon.kernel']"
expect_in "$W/moon.log" "daemon.kernel changed in" \
    "the log says the running daemon keeps kernel: none"

e2e_stop moon
e2e_stop sun
