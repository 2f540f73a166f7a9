#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKEv1 Main Mode with certificates (RFC 2409 5.1, RFC 4754) between
# charond (moon, 192.0.2.1) and strongSwan 5.9.8 (sun, 192.0.2.2,
# swanctl `version = 1`), a PKI made here by the openssl CLI (no key is
# committed): one CA (ECDSA P-256), end entities with subjectAltName DNS
# IDs. The ISAKMP SA alone (no Quick Mode yet in charond):
#   sw-rsa      strongSwan initiates, RSA 2048 on both ends (method 3)
#   cd-rsa      charond initiates, RSA on both ends
#   sw-ecdsa    strongSwan initiates, ECDSA P-256 on both ends (method 9)
#   cd-ecdsa    charond initiates, ECDSA P-256 on both ends
#   refused     strongSwan initiates with a certificate of a CA charond
#               does not trust: charond's one line, no SA on its side
# Each accepted case: `swanctl --list-sas` shows the IKEv1 SA ESTABLISHED
# with moon.example.org, `charonctl --json list-sas` shows version 1
# ESTABLISHED with sun.example.org, charond's log names strongSwan's
# certificate and the method, strongSwan's log the successful
# verification of charond's signature and charond's CERTREQ (strongSwan
# sends its certificate only when asked: send_cert's default, ifasked).
#
# Run: test/vm/run.sh test/vm/scenarios/ikev1-cert-strongswan.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
# shellcheck source=/dev/null
. "${0%/*}/../strongswan.sh"
# shellcheck source=/dev/null
. "${0%/*}/../../lib/pki.sh"
vm_require_guest

CTL=$CHAROND_BUILD/bin/charonctl
M=192.0.2.1 S=192.0.2.2
IKE=aes128-sha256-modp2048
P=/tmp/pki

finish() {
	st=$?
	set +e
	if [ -f "$CD_DIR/moon/pid" ]; then
		cd_stop moon || :
		cp "$CD_DIR/moon/log" "$VM_OUT/charond-moon.log" 2>/dev/null
		[ "$st" = 0 ] || { cd_log moon | tail -n 40; }
	fi
	sw_cleanup "$st"
	vm_cleanup
	exit "$st"
}
trap finish EXIT

phase() {
	read -r up _ </proc/uptime
	echo "--- $* (uptime ${up%.*} s)"
}

# --- the PKI ------------------------------------------------------------------
phase "a PKI made with the openssl CLI"
mkdir -p "$P"
# mkca NAME CN: a self-signed P-256 CA with `openssl ca`'s database.
mkca() {
	pki_ca_dir "$P/$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$P/$1/ca.key" -out "$P/$1/ca.pem" -days 60 \
	    -subj "/O=Example/CN=$2" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null ||
	    fail "openssl: CA $1"
}
# ee CA NAME KIND SAN: $P/NAME.key and $P/NAME.pem, issued by CA.
ee() {
	case $3 in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$P/$2.key" 2>/dev/null ;;
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$P/$2.key" 2>/dev/null ;;
	esac || fail "openssl: key $2"
	openssl req -new -key "$P/$2.key" -out "$P/$2.csr" \
	    -subj "/O=Example/CN=${2%%-*}" -addext "subjectAltName=$4" \
	    2>/dev/null || fail "openssl: request $2"
	openssl ca -batch -config "$P/$1/ca.cnf" -extensions ee \
	    -in "$P/$2.csr" -out "$P/$2.pem" -notext 2>/dev/null ||
	    fail "openssl: certificate $2"
}
mkca ca "Test CA"
mkca other "Other CA"
for kt in rsa p256; do
	ee ca "moon-$kt" $kt DNS:moon.example.org
	ee ca "sun-$kt" $kt DNS:sun.example.org
done
ee other sun-other p256 DNS:sun.example.org
pass "PKI: Test CA, RSA and P-256 end entities, one of Other CA"

# --- the network ----------------------------------------------------------------
vm_host moon sun
vm_link moon eth0 $M/24 sun eth0 $S/24

# --- charond on moon -------------------------------------------------------------
# cd_conf_v1 KEYNAME: moon's config, version 1, a transport child.
cd_conf_v1() {
	mkdir -p "$CD_DIR/moon"
	cat >"$CD_DIR/moon.yaml" <<EOF
daemon:
  listen: ["$M"]
  plugin_dir: "$PWD/$CHAROND_BUILD/plugins"
  retransmit: {timeout: 3s, base: 1.8, tries: 3}
authorities:
  test-ca:
    cacert: $P/ca/ca.pem
connections:
  site:
    version: 1
    local_addrs: ["$M"]
    remote_addrs: ["$S"]
    proposals: [$IKE]
    local: {auth: pubkey, id: moon.example.org, certs: [$P/$1.pem], key: $P/$1.key}
    remote: {auth: pubkey, id: sun.example.org, ca: test-ca}
    children:
      net:
        mode: transport
        esp_proposals: [aes128-sha256]
EOF
}

# ctl ARGS...: charonctl against moon's charond; $out, $rc.
ctl() {
	rc=0
	out=$("$CTL" -S "$CD_DIR/moon/ctl.sock" "$@" 2>&1) || rc=$?
}

# cd_load_v1 KEYNAME: moon's charond with that key, started or reloaded.
cd_load_v1() {
	cd_conf_v1 "$1"
	if [ -f "$CD_DIR/moon/pid" ]; then
		cp "$CD_DIR/moon.yaml" "$CD_DIR/moon/charond.yaml"
		ctl load
		[ $rc -eq 0 ] || fail "moon: charonctl load: exit $rc: $out"
		return 0
	fi
	cd_start moon "$CD_DIR/moon.yaml"
	i=0
	until "$CTL" -S "$CD_DIR/moon/ctl.sock" version >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cd_log moon; fail "charond on moon does not answer"; }
		sleep 0.1
	done
}

# --- strongSwan on sun -------------------------------------------------------------
sw_start sun -n
d=$(sw_dir sun)
mkdir -p "$d/x509" "$d/x509ca" "$d/private"
cp "$P/ca/ca.pem" "$d/x509ca/ca.pem"
sw_wait_ready sun

# sw_v1 CERT: sun's swanctl.conf, IKEv1 Main Mode with CERT, a transport
# child.
# Only that certificate and its key are loaded: strongSwan picks its
# IKEv1 method from the first private key its ID finds, whatever the
# connection's certs (phase1.c), so another key for sun.example.org
# would make it offer that key's method.
sw_v1() {
	rm -f "$d/x509/"* "$d/private/"*
	cp "$P/$1.pem" "$d/x509/"
	cp "$P/$1.key" "$d/private/"
	sw_ctl sun --load-creds --clear --noprompt >/dev/null ||
	    fail "strongSwan on sun could not reload its credentials"
	sw_conf sun <<EOF
connections {
	gw {
		version = 1
		local_addrs = $S
		remote_addrs = $M
		proposals = $IKE
		local {
			auth = pubkey
			certs = $1.pem
			id = sun.example.org
		}
		remote {
			auth = pubkey
			id = moon.example.org
		}
		children {
			net {
				mode = transport
				esp_proposals = aes128-sha256
			}
		}
	}
}
EOF
	sw_load sun
}

mark() {
	L0=$(wc -l <"$CD_DIR/moon/log")
	N0=$(grep -c . "$(sw_dir sun)/charon.log")
}

# said TEXT WHAT: moon's charond logged TEXT since mark.
said() {
	if ! tail -n +"$((L0 + 1))" "$CD_DIR/moon/log" | grep -q -F -- "$1"; then
		tail -n +"$((L0 + 1))" "$CD_DIR/moon/log" | tail -n 30 |
		    sed 's/^/  | /'
		fail "$2 (no \"$1\" in moon's log)"
	fi
	pass "$2"
}

# sw_said TEXT WHAT: strongSwan logged TEXT since mark.
sw_said() {
	if ! tail -n +"$((N0 + 1))" "$(sw_dir sun)/charon.log" |
	    grep -q -F -- "$1"; then
		sw_log sun 30
		fail "$2 (no \"$1\" in strongSwan's log)"
	fi
	pass "$2"
}

# both_up WHAT METHOD SWSCHEME: the ISAKMP SA ESTABLISHED on both ends.
both_up() {
	sw_wait sun ESTABLISHED 10 || { sw_list_sas sun; fail "$1: strongSwan has no ESTABLISHED SA"; }
	r=$(sw_list_sas sun 2>/dev/null)
	printf '%s\n' "$r" | sed 's/^/  sun: /'
	assert_contains "$r" "ESTABLISHED, IKEv1" "$1: swanctl --list-sas: ESTABLISHED, IKEv1"
	assert_contains "$r" "remote 'moon.example.org' @ $M" \
	    "$1: strongSwan's list-sas names moon.example.org"
	ctl --json list-sas
	r=$(printf '%s' "$out" | jq -r '.ike_sas[] |
	    "\(.version) \(.state) \(.remote.id)"')
	[ "$r" = "1 ESTABLISHED sun.example.org" ] ||
	    fail "$1: moon's list-sas: '$r': $out"
	pass "$1: charonctl list-sas: version 1 ESTABLISHED with sun.example.org"
	said "peer certificate CN=sun,O=Example, $2, issued by CN=Test CA,O=Example" \
	    "$1: charond verified strongSwan's certificate and signature"
	sw_said "authentication of 'moon.example.org' with $3 successful" \
	    "$1: strongSwan verified charond's signature ($3)"
	sw_said "received cert request for 'O=Example, CN=Test CA'" \
	    "$1: strongSwan read charond's CERTREQ (the CA's DN)"
}

# down: no SA left on either end.
down() {
	ctl --json terminate --ike site --timeout 10 || :
	sw_terminate sun gw >/dev/null 2>&1 || :
	sw_wait_gone sun ESTABLISHED 10 || fail "$1: strongSwan keeps its SA"
	ctl --json list-sas
	[ "$(printf '%s' "$out" | jq '.ike_sas | length')" = 0 ] ||
	    fail "$1: moon keeps an SA: $out"
	pass "$1: no SA left"
}

# case NAME INITIATOR KIND METHOD SWSCHEME
run_case() {
	phase "$1: $2 initiates, $3 on both ends"
	cd_load_v1 "moon-$3"
	sw_v1 "sun-$3"
	mark
	if [ "$2" = strongswan ]; then
		out=$(sw_initiate sun net gw 2>&1) ||
		    { printf '%s\n' "$out" | tail -n 20; fail "$1: swanctl --initiate --child net"; }
		pass "$1: swanctl --initiate --child net"
	else
		ctl --json initiate --child net --timeout 30
		[ $rc -eq 0 ] || fail "$1: charonctl initiate: exit $rc: $out"
		pass "$1: charonctl initiate --child net"
	fi
	both_up "$1" "$4" "$5"
	{ cd_wait_states moon 2 && cd_wait_states sun 2; } ||
	    { ip -n moon xfrm state; cd_log moon; fail "$1: no Quick Mode pair in both kernels"; }
	pass "$1: Quick Mode's pair in both kernels"
	assert_ok "$1: ping through ESP" vm_in moon ping -c 2 -i 0.2 -W 2 "$S"
	down "$1"
	{ cd_wait_states moon 0 && cd_wait_states sun 0; } ||
	    fail "$1: SAs left in a kernel after the DELETEs"
	pass "$1: both kernels empty after the DELETEs"
}

run_case sw-rsa strongswan rsa "RSA signatures" RSA_EMSA_PKCS1_NULL
run_case cd-rsa charond rsa "RSA signatures" RSA_EMSA_PKCS1_NULL
run_case sw-ecdsa strongswan p256 "ECDSA signatures on P-256 (SHA-256)" \
    ECDSA_WITH_NULL
run_case cd-ecdsa charond p256 "ECDSA signatures on P-256 (SHA-256)" \
    ECDSA_WITH_NULL

# --- refused: a certificate of a CA charond does not trust ----------------------
phase "refused: strongSwan presents sun-other.pem"
cd_load_v1 moon-p256
sw_v1 sun-other
mark
if out=$(sw_initiate sun "" gw 2>&1); then
	fail "refused: strongSwan's initiate succeeded"
fi
pass "refused: strongSwan's initiate failed"
said "peer failed authentication in message 5: peer certificate CN=sun,O=Example issued by CN=Other CA,O=Example: no trusted authority (connection site trusts test-ca)" \
    "refused: charond says why in one line"
ctl --json list-sas
[ "$(printf '%s' "$out" | jq '.ike_sas | length')" = 0 ] ||
    fail "refused: moon keeps an SA: $out"
pass "refused: no SA on moon"
