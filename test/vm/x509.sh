#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Certificates (the x509 plugin, issue 10) on a real kernel: moon
# (192.0.2.1, LAN 10.1.0.0/16) and sun (192.0.2.2, LAN 10.2.0.0/16), a
# PKI made here by the openssl CLI (no key is committed): a root CA
# (ECDSA P-384) with a CRL, an intermediate CA (P-256) under it, end
# entities for moon and sun under the intermediate with subjectAltName
# DNS IDs, each side sending its certificate and the intermediate in CERT
# payloads and trusting only the root. Both sides fragment IKE messages at
# 576 bytes (RFC 7383), which every IKE_AUTH with a chain exceeds.
# One pairing per run; scenarios/x509-*.sh name them:
#   strongswan   charond on moon, strongSwan 5.9.8 on sun:
#     sw-initiates   strongSwan (ECDSA P-384) to charond (RSA 2048)
#     cd-initiates   charond (Ed25519) to strongSwan (ECDSA P-256)
#     refused-*      strongSwan initiates with a certificate of another
#                    CA, an expired one, a revoked one (the root's CRL),
#                    one whose SANs lack its ID: charond refuses each
#     refused-responder  charond initiates, strongSwan answers with the
#                    other CA's certificate: charond refuses it, its
#                    DELETE removes the CHILD SA strongSwan installed
#     sha1-*         strongSwan without RFC 7427 (its settings reloaded
#                    with charon.signature_authentication = no), RSA on
#                    both: it signs AUTH method 1 with SHA-1 and checks
#                    method 1 with SHA-1 only. Without allow_sha1
#                    neither direction comes up: charond refuses
#                    strongSwan's SHA-1 in one line saying how to allow
#                    it, strongSwan refuses charond's SHA-256; with
#                    allow_sha1: yes on moon both directions do
#     certreq-*      moon's key certified under root and by Other CA;
#                    strongSwan holds one of them, names it in its
#                    CERTREQ, and charond sends the certificate that
#                    chains to it, in both roles (RFC 7296 3.7)
#   charond      charond on both:
#     cd-cd          moon (ECDSA P-256) to sun (ECDSA P-384)
#     refused-*      the same four, moon presenting them to sun
#     refused-responder  moon refuses sun's certificate of the other CA
# An accepted case: IKE_AUTH fragmented both ways on the wire (tcpdump on
# moon: several Encrypted Fragment payloads, type 53, each datagram at
# most 576 bytes), two SAs in each kernel with crossed SPIs, a ping
# between the LANs counted by both ends' SAs, `charonctl --json list-sas`
# naming the peer's ID, and nothing left after the DELETE.
# A refused case: AUTHENTICATION_FAILED reaches the initiator, charond's
# log says why in one line, neither kernel holds an SA or a policy.
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/charond.sh"
# shellcheck source=/dev/null
. "${0%/*}/strongswan.sh"
# shellcheck source=../lib/pki.sh
. "${0%/*}/../lib/pki.sh"
vm_require_guest

pairing=${1:?pairing}
case $pairing in
strongswan | charond) ;;
*) fail "unknown pairing $pairing" ;;
esac
CTL=$CHAROND_BUILD/bin/charonctl
M=192.0.2.1 S=192.0.2.2
IKE=aes128gcm16-prfsha256-ecp256 ESP=aes128gcm16
ALG='rfc4106(gcm(aes))'
FRAG=576
P=/tmp/pki
CAP=/tmp/ike.pcap

finish() {
	st=$?
	set +e
	[ -z "${capid:-}" ] || { kill "$capid" 2>/dev/null; wait "$capid"; }
	if [ "$st" != 0 ]; then
		for h in moon sun; do
			echo "--- $h: ip -s xfrm state; ip xfrm policy"
			ip -n "$h" -s xfrm state 2>/dev/null | sed 's/^/  | /'
			vm_xfrm_policies "$h" 2>/dev/null | sed 's/^/  | /'
		done
	fi
	cp "$CAP" "$VM_OUT/" 2>/dev/null
	for h in moon sun; do
		[ -f "$CD_DIR/$h/pid" ] || continue
		cd_stop "$h" || :
		cp "$CD_DIR/$h/log" "$VM_OUT/charond-$h.log" 2>/dev/null || :
		[ "$st" = 0 ] || { cd_log "$h" | tail -n 40; }
	done
	sw_cleanup "$st"
	vm_cleanup
	exit "$st"
}
trap finish EXIT

phase() {
	read -r up _ </proc/uptime
	echo "--- $* (uptime ${up%.*} s)"
}

# --- the PKI -------------------------------------------------------------------
phase "x509 $pairing: a PKI made with the openssl CLI"
mkdir -p "$P"
# mkca NAME CN CURVE: a CA with `openssl ca`'s database (dates, CRLs).
mkca() {
	pki_ca_dir "$P/$1"
	openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$3" \
	    -out "$P/$1/ca.key" 2>/dev/null
}
# selfsign NAME CN: NAME's self-signed CA certificate.
selfsign() {
	openssl req -x509 -key "$P/$1/ca.key" -out "$P/$1/ca.pem" -days 60 \
	    -subj "/O=Example/CN=$2" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null ||
	    fail "openssl: the $1 CA"
}
# key NAME KIND: $P/NAME.key, PKCS#8 PEM.
key() {
	case $2 in
	rsa) set -- "$1" -algorithm RSA -pkeyopt rsa_keygen_bits:2048 ;;
	p256) set -- "$1" -algorithm EC -pkeyopt ec_paramgen_curve:P-256 ;;
	p384) set -- "$1" -algorithm EC -pkeyopt ec_paramgen_curve:P-384 ;;
	ed25519) set -- "$1" -algorithm ed25519 ;;
	esac
	k=$1
	shift
	openssl genpkey "$@" -out "$P/$k.key" 2>/dev/null ||
	    fail "openssl: key $k"
}
# cert CA NAME KEY SAN [openssl ca options]: $P/NAME.pem, issued by CA.
cert() {
	ca=$1 name=$2 k=$3 san=$4
	shift 4
	openssl req -new -key "$P/$k.key" -out "$P/$name.csr" \
	    -subj "/O=Example/CN=${name%%-*}" -addext "subjectAltName=$san" \
	    2>/dev/null || fail "openssl: request for $name"
	openssl ca -batch -config "$P/$ca/ca.cnf" -extensions ee \
	    -in "$P/$name.csr" -out "$P/$name.pem" -notext "$@" 2>/dev/null ||
	    fail "openssl: certificate $name"
}

mkca root "Root CA" P-384
selfsign root "Root CA"
mkca inter "Inter CA" P-256
openssl req -new -key "$P/inter/ca.key" -subj "/O=Example/CN=Inter CA" \
    -out "$P/inter/ca.csr" 2>/dev/null || fail "openssl: inter request"
openssl ca -batch -config "$P/root/ca.cnf" -extensions inter \
    -in "$P/inter/ca.csr" -out "$P/inter/ca.pem" -notext 2>/dev/null ||
    fail "openssl: the intermediate CA"
mkca other "Other CA" P-256
selfsign other "Other CA"
if [ "$pairing" = strongswan ]; then
	goods="moon:rsa moon:ed25519 sun:p384 sun:p256 sun:rsa"
	bad=sun
else
	goods="moon:p256 sun:p384"
	bad=moon
fi
for g in $goods; do
	h=${g%:*} kt=${g#*:}
	key "$h-$kt" "$kt"
	cert inter "$h-$kt" "$h-$kt" "DNS:$h.example.org"
done
# The refused ones, all on one P-256 key of the host presenting them.
key "$bad-bad" p256
cert other "$bad-other" "$bad-bad" "DNS:$bad.example.org"
cert root "$bad-expired" "$bad-bad" "DNS:$bad.example.org" \
    -startdate 20200101000000Z -enddate 20210101120000Z
cert root "$bad-revoked" "$bad-bad" "DNS:$bad.example.org"
cert inter "$bad-wrongsan" "$bad-bad" "DNS:other.example.org"
openssl ca -batch -config "$P/root/ca.cnf" -revoke "$P/$bad-revoked.pem" \
    2>/dev/null || fail "openssl: revoke"
openssl ca -batch -config "$P/root/ca.cnf" -gencrl -out "$P/root/crl.pem" \
    2>/dev/null || fail "openssl: CRL"
pass "PKI: root (P-384, CRL), intermediate (P-256), end entities $goods," \
    "refused ones for $bad"

# --- the network -------------------------------------------------------------------
vm_host moon sun
vm_link moon eth0 $M/24 sun eth0 $S/24
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via $S
ip -n sun route add 10.1.0.0/16 via $M

# Every IKE datagram on moon's link, for the fragments.
vm_in moon tcpdump -i eth0 -n -U -Z root -w "$CAP" udp port 500 or \
    udp port 4500 2>/tmp/cap.err &
capid=$!
i=0
until grep -q "listening on" /tmp/cap.err 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "tcpdump did not start"
	sleep 0.1
done

# --- charond ---------------------------------------------------------------------
# cd_conf_x HOST CERT KEY [PEER_ID]: HOST's charond config: one connection
# "site" to the other host, its end-entity certificate CERT (with the
# intermediate when CERT is the intermediate's) and KEY, trusting only
# the root (with its CRL), expecting PEER_ID (default the other host's).
cd_conf_x() {
	if [ "$1" = moon ]; then
		me=$M peer=$S lts=10.1.0.0/16 rts=10.2.0.0/16 pid=sun
	else
		me=$S peer=$M lts=10.2.0.0/16 rts=10.1.0.0/16 pid=moon
	fi
	certs=$P/$2.pem
	case $2 in
	*-other | *-expired | *-revoked) ;;
	*) certs="$certs, $P/inter/ca.pem" ;;
	esac
	mkdir -p "$CD_DIR/$1"
	cat >"$CD_DIR/$1.yaml" <<EOF
daemon:
  listen: ["$me"]
  plugin_dir: "@PLUGIN_DIR@"
  fragment_size: $FRAG
  retransmit: {timeout: 2s, base: 1.8, tries: 3}
authorities:
  root:
    cacert: $P/root/ca.pem
    crl: $P/root/crl.pem
connections:
  site:
    local_addrs: ["$me"]
    remote_addrs: ["$peer"]
    proposals: [$IKE]
    local: {auth: pubkey, id: $1.example.org, certs: [$certs], key: $P/$3.key}
    remote: {auth: pubkey, id: ${4:-$pid.example.org}, ca: root}
    children:
      net:
        local_ts: [$lts]
        remote_ts: [$rts]
        esp_proposals: [$ESP]
EOF
}

# ctl HOST ARGS...: charonctl against HOST's charond; output in $out,
# status in $rc.
ctl() {
	h=$1
	shift
	rc=0
	out=$("$CTL" -S "$CD_DIR/$h/ctl.sock" "$@" 2>&1) || rc=$?
}

# cd_load HOST: HOST's charond (re)loads its config; started if none runs.
cd_load() {
	if [ -f "$CD_DIR/$1/pid" ] && kill -0 "$(cat "$CD_DIR/$1/pid")" \
	    2>/dev/null; then
		ctl "$1" load
		[ $rc -eq 0 ] || fail "$1: charonctl load: exit $rc: $out"
		return 0
	fi
	ip netns exec "$1" "$CHAROND_BUILD/bin/charond" \
	    -c "$CD_DIR/$1/charond.yaml" -S "$CD_DIR/$1/ctl.sock" \
	    --log-level debug >>"$CD_DIR/$1/log" 2>&1 &
	echo $! >"$CD_DIR/$1/pid"
	i=0
	until "$CTL" -S "$CD_DIR/$1/ctl.sock" version >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -ge 100 ] || ! kill -0 "$(cat "$CD_DIR/$1/pid")" \
		    2>/dev/null; then
			cd_log "$1"
			fail "charond on $1 does not answer"
		fi
		sleep 0.1
	done
}
# cd_reload HOST: the config cd_conf_x wrote, with the plugin directory,
# where HOST's charond reads it; then cd_load.
cd_reload() {
	sed "s|@PLUGIN_DIR@|$PWD/$CHAROND_BUILD/plugins|" "$CD_DIR/$1.yaml" \
	    >"$CD_DIR/$1/charond.yaml"
	cd_load "$1"
}

# --- strongSwan on sun -------------------------------------------------------------
# sw_x509 CERT [ID]: sun's swanctl.conf: connection gw to moon with CERT
# (and its key), fragmentation; it sends its certificate and intermediate
# when asked (send_cert's default, ifasked), as charond's CERTREQ does.
sw_x509() {
	sw_conf sun <<EOF
connections {
	gw {
		local_addrs = $S
		remote_addrs = $M
		proposals = $IKE
		fragmentation = yes
		local {
			auth = pubkey
			certs = $1.pem
			id = ${2:-sun.example.org}
		}
		remote {
			auth = pubkey
			id = moon.example.org
		}
		children {
			net {
				local_ts = 10.2.0.0/16
				remote_ts = 10.1.0.0/16
				esp_proposals = $ESP
			}
		}
	}
}
EOF
}

# --- checks ------------------------------------------------------------------------
nsas() {
	ip -n "$1" xfrm state | grep -c '^src' || :
}

# IKE_AUTH datagrams whose first payload is an Encrypted Fragment (53),
# on port 500 (IKE header at udp[8]) or 4500 after the non-ESP marker
# (at udp[12]; strongSwan moves there in IKE_AUTH for MOBIKE): next
# payload at byte 16 of the header, exchange type at 18 (35, IKE_AUTH),
# flags at 19 (0x20: a response).
F500='udp port 500 and udp[24] = 53 and udp[26] = 35'
F4500='udp port 4500 and udp[8:4] = 0 and udp[28] = 53 and udp[30] = 35'
FREQ="(($F500 and udp[27] & 0x20 = 0) or ($F4500 and udp[31] & 0x20 = 0))"
FRSP="(($F500 and udp[27] & 0x20 != 0) or ($F4500 and udp[31] & 0x20 != 0))"

# ncap FILTER: the number of captured packets FILTER matches.
ncap() {
	tcpdump -r "$CAP" -n "$1" 2>/dev/null | grep -c . || :
}

# frag_base: the fragments captured so far (FB_REQ, FB_RSP), so that
# frag_count counts the next case's only.
frag_base() {
	sleep 0.3
	FB_REQ=$(ncap "$FREQ")
	FB_RSP=$(ncap "$FRSP")
}

# frag_count WHAT: since frag_base, at least two fragments of the
# IKE_AUTH request and two of the response on the wire; no fragment
# datagram larger than $FRAG bytes, ever.
frag_count() {
	sleep 0.3
	req=$(($(ncap "$FREQ") - FB_REQ))
	rsp=$(($(ncap "$FRSP") - FB_RSP))
	big=$(ncap "($FREQ or $FRSP) and ip[2:2] > $FRAG")
	if [ "$req" -lt 2 ] || [ "$rsp" -lt 2 ]; then
		tcpdump -r "$CAP" -n 2>/dev/null | tail -n 20 | sed 's/^/  | /'
	fi
	assert_ge "$1: IKE_AUTH request as Encrypted Fragments (53) on the wire" \
	    "$req" 2
	assert_ge "$1: IKE_AUTH response as Encrypted Fragments (53)" "$rsp" 2
	[ "$big" = 0 ] || fail "$1: $big fragments larger than $FRAG bytes"
	pass "$1: every fragment datagram at most $FRAG bytes"
}

# tunnel WHAT: two SAs on each host, crossed SPIs, a ping from moon's LAN
# to sun's counted by both, each charond naming its peer's ID.
tunnel() {
	if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
		fail "$1: not two SAs on each host"
	fi
	stm=$(vm_xfrm_states moon)
	sts=$(vm_xfrm_states sun)
	printf '%s\n' "$stm" | sed 's/^/  moon: /'
	printf '%s\n' "$sts" | sed 's/^/  sun:  /'
	om=$(printf '%s\n' "$stm" | awk -v a=$M '$1 == a && $3 == "esp" { print $4 }')
	is=$(printf '%s\n' "$sts" | awk -v a=$M '$1 == a && $3 == "esp" { print $4 }')
	im=$(printf '%s\n' "$stm" | awk -v a=$S '$1 == a && $3 == "esp" { print $4 }')
	os=$(printf '%s\n' "$sts" | awk -v a=$S '$1 == a && $3 == "esp" { print $4 }')
	if [ -z "$om" ] || [ -z "$im" ] || [ "$om" != "$is" ] ||
	    [ "$im" != "$os" ]; then
		fail "$1: SPIs do not pair up"
	fi
	assert_contains "$stm" "esp $om tunnel $ALG" "$1: moon's SA $om is tunnel $ALG"
	assert_contains "$sts" "esp $os tunnel $ALG" "$1: sun's SA $os is tunnel $ALG"
	assert_ok "$1: moon's LAN pings sun's through ESP" \
	    vm_in moon ping -c 3 -i 0.2 -W 2 -q -I 10.1.0.1 10.2.0.1
	pk=$(vm_xfrm_states sun | awk -v p="$om" '$4 == p { print $7 }')
	assert_ge "$1: sun's inbound SA counts the pings" "$pk" 3
	pk=$(vm_xfrm_states moon | awk -v p="$im" '$4 == p { print $7 }')
	assert_ge "$1: moon's inbound SA counts the answers" "$pk" 3
	if [ "$pairing" = strongswan ]; then
		r=$(sw_list_sas sun 2>/dev/null)
		assert_contains "$r" "remote 'moon.example.org' @ $M" \
		    "$1: strongSwan's list-sas names moon.example.org"
	fi
	for h in moon sun; do
		[ -f "$CD_DIR/$h/pid" ] || continue
		[ $h = moon ] && pid=sun || pid=moon
		ctl $h --json list-sas
		r=$(printf '%s' "$out" | jq -r '.ike_sas[] |
		    "\(.state) \(.remote.id) \(.children | length)"')
		[ "$r" = "ESTABLISHED $pid.example.org 1" ] ||
		    fail "$1: $h's list-sas: '$r': $out"
		pass "$1: $h's charonctl list-sas: ESTABLISHED with $pid.example.org"
	done
}

# empty WHAT: no SA and no policy on either host.
empty() {
	cd_wait_states moon 0 || :
	cd_wait_states sun 0 || :
	for h in moon sun; do
		[ "$(nsas $h)" = 0 ] || fail "$1: SAs left on $h"
		[ -z "$(vm_xfrm_policies $h)" ] ||
		    { vm_xfrm_policies $h; fail "$1: policies left on $h"; }
	done
	pass "$1: no SA, no policy on moon or sun"
}

# said HOST TEXT WHAT: HOST's charond logged TEXT (a line with it) since
# the case began (line L0 of its log).
said() {
	if ! tail -n +"$((L0 + 1))" "$CD_DIR/$1/log" | grep -q -F -- "$2"; then
		tail -n +"$((L0 + 1))" "$CD_DIR/$1/log" | tail -n 30 |
		    sed 's/^/  | /'
		fail "$3 (no \"$2\" in $1's log)"
	fi
	pass "$3"
}
mark() {
	L0=$(wc -l <"$CD_DIR/$1/log")
}

today=$(date -u +%Y-%m-%d)
# The refused certificates: NAME, the line the verifier logs.
refusals() {
	b=$1
	cat <<EOF
$b-other|peer certificate CN=$b,O=Example issued by CN=Other CA,O=Example: no trusted authority (connection site trusts root)
$b-expired|peer certificate CN=$b,O=Example expired 2021-01-01 12:00:00 UTC
$b-revoked|peer certificate CN=$b,O=Example revoked $today (CRL of root)
$b-wrongsan|its identity is not backed by its credentials: peer ID $b.example.org not in its certificate (SANs: other.example.org)
EOF
}

if [ "$pairing" = strongswan ]; then
	# strongSwan's credentials: its own certificates and keys, the
	# root and the intermediate (from which it builds its chain and
	# sends the intermediate).
	sw_start sun -n -c "fragment_size = $FRAG"
	d=$(sw_dir sun)
	mkdir -p "$d/x509" "$d/x509ca" "$d/private"
	cp "$P/root/ca.pem" "$d/x509ca/root.pem"
	cp "$P/inter/ca.pem" "$d/x509ca/inter.pem"
	for f in sun-p384 sun-p256 sun-rsa sun-other sun-expired \
	    sun-revoked sun-wrongsan; do
		cp "$P/$f.pem" "$d/x509/"
	done
	cp "$P/sun-p384.key" "$P/sun-p256.key" "$P/sun-rsa.key" \
	    "$P/sun-bad.key" "$d/private/"

	# --- sw-initiates: strongSwan (P-384) to charond (RSA) --------------
	phase "sw-initiates: strongSwan (ECDSA P-384) initiates to charond (RSA 2048)"
	cd_conf_x moon moon-rsa moon-rsa
	cd_reload moon
	sw_wait_ready sun
	sw_x509 sun-p384
	sw_load sun
	frag_base
	mark moon
	out=$(sw_initiate sun net gw 2>&1) ||
	    { printf '%s\n' "$out" | tail -n 20; fail "sw-initiates: swanctl --initiate"; }
	pass "sw-initiates: swanctl --initiate"
	tunnel sw-initiates
	frag_count sw-initiates
	said moon "peer certificate CN=sun,O=Example, ecdsa-with-SHA384" \
	    "sw-initiates: charond verified strongSwan's P-384 chain"
	said moon "peer 'sun.example.org' authenticated" \
	    "sw-initiates: charond authenticated sun.example.org"
	sw_log sun | grep -q 'received issuer cert "O=Example, CN=Inter CA"' ||
	    fail "sw-initiates: strongSwan got no intermediate from charond"
	pass "sw-initiates: strongSwan received the intermediate from charond"
	# strongSwan's send_cert is its default, ifasked: charond's CERTREQ
	# (in IKE_SA_INIT, naming the root) is what made it send its chain.
	sw_log sun | grep -q 'received cert request for "O=Example, CN=Root CA"' ||
	    fail "sw-initiates: strongSwan got no CERTREQ for the root"
	pass "sw-initiates: strongSwan got charond's CERTREQ for the root"
	sw_log sun | grep -q "authentication of 'moon.example.org' with RSA_EMSA_PSS_SHA2_256" ||
	    fail "sw-initiates: strongSwan did not verify an RSASSA-PSS signature"
	pass "sw-initiates: strongSwan verified charond's RSASSA-PSS (RFC 7427) signature"
	grep -q 'received fragment #' "$(sw_dir sun)/charon.log" ||
	    fail "sw-initiates: strongSwan logged no fragment received"
	pass "sw-initiates: strongSwan reassembled charond's fragments"
	assert_ok "sw-initiates: strongSwan terminates" sw_terminate sun gw
	empty sw-initiates

	# --- cd-initiates: charond (Ed25519) to strongSwan (P-256) ------------
	phase "cd-initiates: charond (Ed25519) initiates to strongSwan (ECDSA P-256)"
	cd_conf_x moon moon-ed25519 moon-ed25519
	cd_reload moon
	sw_x509 sun-p256
	sw_load sun
	frag_base
	mark moon
	ctl moon --json initiate --child net --timeout 30
	[ $rc -eq 0 ] || fail "cd-initiates: charonctl initiate: exit $rc: $out"
	pass "cd-initiates: charonctl initiate"
	tunnel cd-initiates
	frag_count cd-initiates
	said moon "peer certificate CN=sun,O=Example, ecdsa-with-SHA256" \
	    "cd-initiates: charond verified strongSwan's P-256 chain"
	sw_log sun | grep -q "authentication of 'moon.example.org' with ED25519 successful" ||
	    { sw_log sun 30; fail "cd-initiates: strongSwan did not verify Ed25519"; }
	pass "cd-initiates: strongSwan verified charond's Ed25519 signature"
	ctl moon --json terminate --ike site --timeout 20
	[ $rc -eq 0 ] || fail "cd-initiates: terminate: exit $rc: $out"
	empty cd-initiates

	# --- refused: strongSwan presents bad certificates --------------------
	cd_conf_x moon moon-rsa moon-rsa
	cd_reload moon
	refusals sun >/tmp/refusals
	while IFS='|' read -r c why; do
		w=refused-${c#sun-}
		phase "$w: strongSwan presents $c.pem"
		sw_x509 "$c"
		sw_load sun
		mark moon
		n0=$(grep -c . "$(sw_dir sun)/charon.log")
		if out=$(sw_initiate sun net gw 2>&1); then
			fail "$w: strongSwan's initiate succeeded"
		fi
		pass "$w: strongSwan's initiate failed"
		tail -n +"$((n0 + 1))" "$(sw_dir sun)/charon.log" |
		    grep -q 'received AUTHENTICATION_FAILED notify error' ||
		    { sw_log sun 20; fail "$w: strongSwan got no AUTHENTICATION_FAILED"; }
		pass "$w: strongSwan received AUTHENTICATION_FAILED"
		said moon "peer 'sun.example.org' failed authentication: $why" \
		    "$w: charond says why"
		n=$(tail -n +"$((L0 + 1))" "$CD_DIR/moon/log" |
		    grep -c "failed authentication" || :)
		[ "$n" = 1 ] || fail "$w: $n lines of failed authentication, not 1"
		pass "$w: in one line"
		empty "$w"
	done </tmp/refusals

	# --- refused-responder: charond refuses strongSwan's answer ----------
	# strongSwan, as the responder, installs its CHILD SA with its
	# IKE_AUTH response: charond's DELETE must take it away.
	phase "refused-responder: charond initiates, strongSwan answers with sun-other.pem"
	sw_x509 sun-other
	sw_load sun
	mark moon
	n0=$(grep -c . "$(sw_dir sun)/charon.log")
	ctl moon --json initiate --child net --timeout 20
	[ $rc -ne 0 ] || fail "refused-responder: moon's initiate succeeded"
	code=$(printf '%s' "$out" | jq -r '.code' 2>/dev/null || :)
	[ "$code" = AUTH_FAILED ] ||
	    fail "refused-responder: initiate failed with '$out', not AUTH_FAILED"
	pass "refused-responder: moon's initiate fails with AUTH_FAILED"
	said moon "peer 'sun.example.org' failed authentication: peer certificate CN=sun,O=Example issued by CN=Other CA,O=Example: no trusted authority (connection site trusts root)" \
	    "refused-responder: charond says why"
	empty refused-responder
	tail -n +"$((n0 + 1))" "$(sw_dir sun)/charon.log" |
	    grep -q 'received DELETE for IKE_SA' ||
	    { sw_log sun 20; fail "refused-responder: strongSwan got no DELETE"; }
	pass "refused-responder: strongSwan received charond's DELETE"

	# --- sha1-*: strongSwan without RFC 7427 ------------------------------
	# The same daemon, its settings reloaded: with signature_authentication
	# off it sends no SIGNATURE_HASH_ALGORITHMS and ignores ours, so both
	# ends use the classic RSA method 1.
	phase "sha1: strongSwan reloads with charon.signature_authentication = no (RSA on both)"
	sed -i 's/^charon {$/charon {\n\tsignature_authentication = no/' \
	    "$(sw_dir sun)/strongswan.conf"
	sw_ctl sun --reload-settings >/dev/null ||
	    fail "sha1: swanctl --reload-settings"
	sw_x509 sun-rsa
	sw_load sun
	cd_conf_x moon moon-rsa moon-rsa
	cd_reload moon
	refused="peer 'sun.example.org' failed authentication: its RSA signature (AUTH method 1) uses SHA-1: SHA-1 signatures are refused; the peer should use RFC 7427 signatures (allow_sha1: yes on connection site accepts them)"

	phase "sha1-refused: strongSwan initiates, method 1 with SHA-1; moon without allow_sha1"
	mark moon
	n0=$(grep -c . "$(sw_dir sun)/charon.log")
	if out=$(sw_initiate sun net gw 2>&1); then
		fail "sha1-refused: strongSwan's initiate succeeded"
	fi
	pass "sha1-refused: strongSwan's initiate failed"
	swl=$(tail -n +"$((n0 + 1))" "$(sw_dir sun)/charon.log")
	# Its log names the method, not the hash: charond's line below
	# shows the DigestInfo's SHA-1.
	printf '%s\n' "$swl" | grep -q "authentication of 'sun.example.org' (myself) with RSA signature successful" ||
	    { printf '%s\n' "$swl" | tail -n 20; fail "sha1-refused: strongSwan did not sign with AUTH method 1 (RSA signature)"; }
	! printf '%s\n' "$swl" | grep -q "supported signature hash algorithms" ||
	    fail "sha1-refused: strongSwan still exchanges SIGNATURE_HASH_ALGORITHMS"
	pass "sha1-refused: strongSwan signed with AUTH method 1 (RSA signature), no SIGNATURE_HASH_ALGORITHMS"
	printf '%s\n' "$swl" | grep -q 'received AUTHENTICATION_FAILED notify error' ||
	    { sw_log sun 20; fail "sha1-refused: strongSwan got no AUTHENTICATION_FAILED"; }
	pass "sha1-refused: strongSwan received AUTHENTICATION_FAILED"
	said moon "$refused" "sha1-refused: charond says why and how to allow it"
	n=$(tail -n +"$((L0 + 1))" "$CD_DIR/moon/log" |
	    grep -c "failed authentication" || :)
	[ "$n" = 1 ] || fail "sha1-refused: $n lines of failed authentication, not 1"
	pass "sha1-refused: in one line"
	empty sha1-refused

	# charond signs method 1 with SHA-256 here: strongSwan 5.9.8 checks
	# method 1 with SHA-1 only ("signature validation failed") and
	# answers AUTHENTICATION_FAILED; nothing is installed.
	phase "sha1-refused-cd: charond initiates without allow_sha1"
	mark moon
	n0=$(grep -c . "$(sw_dir sun)/charon.log")
	ctl moon --json initiate --child net --timeout 20
	[ $rc -ne 0 ] || fail "sha1-refused-cd: moon's initiate succeeded"
	code=$(printf '%s' "$out" | jq -r '.code' 2>/dev/null || :)
	[ "$code" = AUTH_FAILED ] ||
	    fail "sha1-refused-cd: initiate failed with '$out', not AUTH_FAILED"
	pass "sha1-refused-cd: moon's initiate fails with AUTH_FAILED"
	said moon "RSA signature (AUTH method 1) with SHA-256; a peer that checks method 1 with SHA-1 only will refuse it (allow_sha1: yes on connection site signs with SHA-1)" \
	    "sha1-refused-cd: charond says its method 1 SHA-256 may be refused, and why"
	tail -n +"$((n0 + 1))" "$(sw_dir sun)/charon.log" |
	    grep -q "signature validation failed" ||
	    { sw_log sun 20; fail "sha1-refused-cd: strongSwan did not refuse charond's SHA-256"; }
	pass "sha1-refused-cd: strongSwan refuses method 1 with SHA-256 (signature validation failed)"
	said moon "IKE_AUTH refused by $S: AUTHENTICATION_FAILED" \
	    "sha1-refused-cd: moon received AUTHENTICATION_FAILED"
	empty sha1-refused-cd

	phase "sha1-allowed: moon with allow_sha1: yes"
	sed -i 's|^  site:$|  site:\n    allow_sha1: yes|' "$CD_DIR/moon.yaml"
	cd_reload moon
	mark moon
	n0=$(grep -c . "$(sw_dir sun)/charon.log")
	out=$(sw_initiate sun net gw 2>&1) ||
	    { printf '%s\n' "$out" | tail -n 20; fail "sha1-allowed-sw: swanctl --initiate"; }
	pass "sha1-allowed-sw: strongSwan initiates, the tunnel comes up"
	tunnel sha1-allowed-sw
	said moon "SHA-1 signature (RSA PKCS#1 v1.5 with SHA1) accepted because the connection allows it (allow_sha1)" \
	    "sha1-allowed-sw: charond accepted strongSwan's SHA-1, saying why"
	said moon "RSA signature (AUTH method 1) with SHA-1, as the connection allows (allow_sha1)" \
	    "sha1-allowed-sw: charond signed method 1 with SHA-1"
	tail -n +"$((n0 + 1))" "$(sw_dir sun)/charon.log" |
	    grep -q "authentication of 'moon.example.org' with RSA.* successful" ||
	    { sw_log sun 30; fail "sha1-allowed-sw: strongSwan did not verify charond's method 1"; }
	pass "sha1-allowed-sw: strongSwan verified charond's RSA signature"
	assert_ok "sha1-allowed-sw: strongSwan terminates" sw_terminate sun gw
	empty sha1-allowed-sw

	mark moon
	n0=$(grep -c . "$(sw_dir sun)/charon.log")
	ctl moon --json initiate --child net --timeout 30
	[ $rc -eq 0 ] || fail "sha1-allowed-cd: charonctl initiate: exit $rc: $out"
	pass "sha1-allowed-cd: charond initiates, the tunnel comes up"
	tunnel sha1-allowed-cd
	said moon "SHA-1 signature (RSA PKCS#1 v1.5 with SHA1) accepted because the connection allows it (allow_sha1)" \
	    "sha1-allowed-cd: charond accepted strongSwan's SHA-1, saying why"
	tail -n +"$((n0 + 1))" "$(sw_dir sun)/charon.log" |
	    grep -q "authentication of 'moon.example.org' with RSA.* successful" ||
	    { sw_log sun 30; fail "sha1-allowed-cd: strongSwan did not verify charond's method 1"; }
	pass "sha1-allowed-cd: strongSwan verified charond's SHA-1 method 1"
	ctl moon --json terminate --ike site --timeout 20
	[ $rc -eq 0 ] || fail "sha1-allowed-cd: terminate: exit $rc: $out"
	empty sha1-allowed-cd

	# strongSwan back to RFC 7427 for what follows (Ed25519 needs it).
	sed -i '/^\tsignature_authentication = no$/d' "$(sw_dir sun)/strongswan.conf"
	sw_ctl sun --reload-settings >/dev/null ||
	    fail "certreq: swanctl --reload-settings"

	# --- certreq-*: charond sends the certificate strongSwan asks for -----
	# moon's Ed25519 key certified twice: by the intermediate (under
	# root) and by Other CA. strongSwan holds one CA at a time (its
	# CERTREQ names every CA it holds, as responder before it knows the
	# connection), so only the certificate that chains to it is
	# accepted; charond must pick it though it is not written first.
	cert other moon-oth moon-ed25519 "DNS:moon.example.org"
	# certreq_case WHAT CERTS ISSUER: moon trusting root and other,
	# its certs CERTS; in both roles the tunnel comes up and charond
	# said it sent the certificate of ISSUER as the CERTREQ asked.
	certreq_case() {
		cd_conf_x moon moon-ed25519 moon-ed25519
		sed -i -e "s|certs: \[[^]]*\]|certs: [$2]|" \
		    -e "s|, ca: root}|}|" \
		    -e "s|^authorities:\$|authorities:\n  other:\n    cacert: $P/other/ca.pem|" \
		    "$CD_DIR/moon.yaml"
		cd_reload moon
		for who in sw cd; do
			w="$1-$who-initiates"
			phase "$w: charond must send its certificate issued by $3"
			mark moon
			n0=$(grep -c . "$(sw_dir sun)/charon.log")
			if [ $who = sw ]; then
				out=$(sw_initiate sun net gw 2>&1) ||
				    { printf '%s\n' "$out" | tail -n 20; fail "$w: swanctl --initiate"; }
			else
				ctl moon --json initiate --child net --timeout 30
				[ $rc -eq 0 ] || fail "$w: charonctl initiate: exit $rc: $out"
			fi
			pass "$w: up"
			cd_wait_states moon 2 || fail "$w: not two SAs on moon"
			said moon "sending certificate CN=moon,O=Example (issuer CN=$3,O=Example): the peer's CERTREQ names CN=" \
			    "$w: charond sent its certificate from $3, as the CERTREQ asked"
			tail -n +"$((n0 + 1))" "$(sw_dir sun)/charon.log" |
			    grep -q "authentication of 'moon.example.org' with ED25519 successful" ||
			    { sw_log sun 30; fail "$w: strongSwan did not accept moon's certificate"; }
			pass "$w: strongSwan accepted it"
			ctl moon --json terminate --ike site --timeout 20
			[ $rc -eq 0 ] || fail "$w: terminate: exit $rc: $out"
			empty "$w"
		done
	}
	# strongSwan holds root and inter: the second certificate written.
	sw_x509 sun-p256
	sw_load sun
	certreq_case certreq-root \
	    "$P/moon-oth.pem, $P/moon-ed25519.pem, $P/inter/ca.pem" "Inter CA"
	# strongSwan holds Other CA alone (and a certificate of it): the
	# last written.
	rm "$d/x509ca/root.pem" "$d/x509ca/inter.pem"
	cp "$P/other/ca.pem" "$d/x509ca/other.pem"
	sw_ctl sun --load-creds --clear --noprompt >/dev/null ||
	    fail "strongSwan: swanctl --load-creds --clear"
	sw_x509 sun-other
	sw_load sun
	certreq_case certreq-other \
	    "$P/moon-ed25519.pem, $P/inter/ca.pem, $P/moon-oth.pem" "Other CA"
	pass "x509 strongswan: done"
else
	# --- cd-cd: charond (P-256) to charond (P-384) -------------------------
	phase "cd-cd: charond (ECDSA P-256) initiates to charond (ECDSA P-384)"
	cd_conf_x sun sun-p384 sun-p384
	cd_reload sun
	cd_conf_x moon moon-p256 moon-p256
	cd_reload moon
	frag_base
	mark sun
	ctl moon --json initiate --child net --timeout 30
	[ $rc -eq 0 ] || fail "cd-cd: charonctl initiate: exit $rc: $out"
	pass "cd-cd: charonctl initiate"
	tunnel cd-cd
	frag_count cd-cd
	said sun "peer certificate CN=moon,O=Example, ecdsa-with-SHA256" \
	    "cd-cd: sun verified moon's chain (through the intermediate it sent)"
	grep -q "peer certificate CN=sun,O=Example, ecdsa-with-SHA384" \
	    "$CD_DIR/moon/log" || fail "cd-cd: moon did not verify sun's P-384 chain"
	pass "cd-cd: moon verified sun's P-384 chain"
	ctl moon --json terminate --ike site --timeout 20
	[ $rc -eq 0 ] || fail "cd-cd: terminate: exit $rc: $out"
	empty cd-cd

	# --- refused: moon presents bad certificates ----------------------------
	refusals moon >/tmp/refusals
	while IFS='|' read -r c why; do
		w=refused-${c#moon-}
		phase "$w: moon presents $c.pem"
		if [ "$c" = moon-wrongsan ]; then
			# charond refuses at load a local ID its certificate
			# lacks: load a good one, then change the file under
			# it (read at the next use).
			cp "$P/moon-revoked.pem" "$P/moon-live.pem"
			cd_conf_x moon moon-live moon-bad
			cd_reload moon
			cp "$P/moon-wrongsan.pem" "$P/moon-live.pem.new"
			mv "$P/moon-live.pem.new" "$P/moon-live.pem"
		else
			cd_conf_x moon "$c" moon-bad
			cd_reload moon
		fi
		mark sun
		m0=$(wc -l <"$CD_DIR/moon/log")
		ctl moon --json initiate --child net --timeout 20
		[ $rc -ne 0 ] || fail "$w: moon's initiate succeeded"
		code=$(printf '%s' "$out" | jq -r '.code' 2>/dev/null || :)
		[ "$code" = AUTH_FAILED ] ||
		    fail "$w: moon's initiate failed with '$out', not AUTH_FAILED"
		pass "$w: moon's initiate fails with AUTH_FAILED"
		tail -n +"$((m0 + 1))" "$CD_DIR/moon/log" |
		    grep -q "IKE_AUTH refused by $S: AUTHENTICATION_FAILED: the peer did not accept our identity or credentials (we sent identity 'moon.example.org')\$" ||
		    fail "$w: moon did not receive AUTHENTICATION_FAILED"
		pass "$w: moon received AUTHENTICATION_FAILED from sun"
		said sun "peer 'moon.example.org' failed authentication: $why" \
		    "$w: sun's charond says why"
		n=$(tail -n +"$((L0 + 1))" "$CD_DIR/sun/log" |
		    grep -c "failed authentication" || :)
		[ "$n" = 1 ] || fail "$w: $n lines of failed authentication, not 1"
		pass "$w: in one line"
		empty "$w"
	done </tmp/refusals

	# --- refused-responder: moon refuses sun's answer ----------------------
	phase "refused-responder: moon initiates, sun answers with sun-other.pem"
	key sun-bad p256
	cert other sun-other sun-bad "DNS:sun.example.org"
	cd_conf_x sun sun-other sun-bad
	cd_reload sun
	cd_conf_x moon moon-p256 moon-p256
	cd_reload moon
	mark moon
	ctl moon --json initiate --child net --timeout 20
	[ $rc -ne 0 ] || fail "refused-responder: moon's initiate succeeded"
	code=$(printf '%s' "$out" | jq -r '.code' 2>/dev/null || :)
	[ "$code" = AUTH_FAILED ] ||
	    fail "refused-responder: initiate failed with '$out', not AUTH_FAILED"
	pass "refused-responder: moon's initiate fails with AUTH_FAILED"
	said moon "peer 'sun.example.org' failed authentication: peer certificate CN=sun,O=Example issued by CN=Other CA,O=Example: no trusted authority (connection site trusts root)" \
	    "refused-responder: moon's charond says why"
	empty refused-responder
	pass "x509 charond: done"
fi
phase "x509 $pairing: done"
