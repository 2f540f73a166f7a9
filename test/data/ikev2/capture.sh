#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Regenerate the IKEv2 reference captures under test/data/ikev2/: strongSwan
# talks to itself, tshark dissects (and decrypts) what went over the wire,
# and the keys strongSwan derived are taken from its debug log.
#
#   sh test/data/ikev2/capture.sh [SCENARIO...]
#
# Without arguments every scenario is captured: gcm-ecp256 cbc-modp3072 ipv6
# frag pubkey-ed25519 pubkey-rsa pubkey-ecdsa. Needs root (network
# namespaces), charon-systemd, strongswan-swanctl, libcharon-extra-plugins
# (kernel-libipsec), tshark, python3 and openssl (the certificates of the
# pubkey-* scenarios); scenarios that need the kernel's ESP (transport
# mode) also need qemu-system-x86, linux-image-amd64 and busybox-static
# when the running kernel lacks ESP.
#
# How it works, per scenario:
#   1. Two network namespaces, "moon" (the initiator, 192.0.2.1 and
#      2001:db8::1) and "sun" (the responder, 192.0.2.2 and 2001:db8::2),
#      joined by a veth pair.
#   2. One charon daemon per namespace. charon-systemd writes no pid file,
#      so two of them coexist as long as each has its own strongswan.conf
#      (STRONGSWAN_CONF), its own vici socket and its own log; everything
#      lives in a private temporary directory.
#   3. dumpcap records the veth; swanctl loads the connection, initiates,
#      optionally sends a datagram through the CHILD SA and rekeys it, then
#      terminates the CHILD SA and the IKE SA so that the DELETE exchanges
#      are captured too.
#   4. The per-scenario directory receives capture.pcap, one .bin (raw
#      message) and one .expect (tshark's dissection, normalized by
#      tshark2dump.py) per IKE message, and keys.txt (algorithms, SPIs,
#      nonces, g^ir and every key strongSwan logged). The pubkey-*
#      scenarios also receive the octets each side signed, as strongSwan
#      logged them, the capture's time, the CA certificate and both end
#      entities' private keys (test vectors, made afresh by each run).
#
# CHILD SAs are installed either by the kernel, when it has ESP, or else by
# strongSwan's userspace ESP (kernel-libipsec, which needs UDP encapsulation
# and supports tunnel mode only). A scenario that needs transport mode on a
# kernel without ESP runs inside a throwaway QEMU guest booting Debian's
# kernel with the host's root file system mounted read-only.
#
# The namespaces, the daemons, dumpcap, the QEMU guest and the reading of
# the logs are shared with the IKEv1 captures, in test/data/capture-lib.sh.
#
# The charon logs (large) and the raw material stay out of git, under
# build/ikev2-capture/<scenario>/ (override with CAPTURE_LOGS).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
logs=${CAPTURE_LOGS:-$top/build/ikev2-capture}
all_scenarios="gcm-ecp256 cbc-modp3072 ipv6 frag pubkey-ed25519 pubkey-rsa
    pubkey-ecdsa"

# ike = 4 logs g^ir, SKEYSEED and the SK_* keys (and, from 3 up, the octets
# an AUTH covers), chd = 4 the CHILD SA keys.
log_levels="ike = 4
			chd = 4
			cfg = 2"
ike_version=2

# After a CHILD SA rekeying, the line of moon's log that says the old SA
# is gone.
rekey_done="CHILD_SA closed"

# shellcheck source=test/data/capture-lib.sh
. "$here/../capture-lib.sh"

# --- scenarios ----------------------------------------------------------------

# Each scenario sets the variables that test/data/capture-lib.sh lists.
scenario() {
	family=4
	ike_i=
	ike_r=
	esp=
	mode=tunnel
	ts_i=
	ts_r=
	inner_i=
	inner_r=
	inner_i_vip=no
	conn_i=
	conn_r=
	child_i=
	child_r=
	extra_r=
	charon_x=
	steps="traffic terminate-child terminate-ike"
	kernel_esp=no
	pki=
	pubkey=pubkey
	case $1 in
	gcm-ecp256)
		# AEAD everywhere; both sides send a vendor ID. sun, the
		# responder, deletes the CHILD SA: a request from the
		# original responder.
		ike_i=aes128gcm16-prfsha256-ecp256
		ike_r=$ike_i
		esp=aes128gcm16
		ts_i=10.1.0.0/16
		ts_r=10.2.0.0/16
		inner_i=10.1.0.1
		inner_r=10.2.0.1
		charon_x="send_vendor_id = yes"
		steps="traffic terminate-child-by-sun terminate-ike"
		;;
	cbc-modp3072)
		# moon's first proposal makes it send an ecp256 KE, which sun
		# rejects with INVALID_KE_PAYLOAD(modp3072); moon then retries.
		ike_i=aes256-sha256-ecp256-modp3072
		ike_r=aes256-sha256-modp3072
		esp=aes256-sha256
		mode=transport
		kernel_esp=yes
		steps="traffic rekey-child terminate-child terminate-ike"
		;;
	ipv6)
		# IPv6 outside and inside; moon asks for a virtual IPv6
		# address (CP request) that sun assigns from a pool.
		family=6
		ike_i=aes256gcm16-prfsha384-ecp384
		ike_r=$ike_i
		esp=aes256gcm16
		ts_i=dynamic
		ts_r=2001:db8:2::/48
		# The first address of the pool, which charon installs.
		inner_i=2001:db8:1::1
		inner_i_vip=yes
		inner_r=2001:db8:2::1
		conn_i="vips = ::"
		conn_r="pools = moonpool"
		extra_r="pools {
	moonpool {
		addrs = 2001:db8:1::/124
		dns = 2001:db8::53
	}
}"
		;;
	frag)
		# Tiny fragments make the IKE_AUTH messages go out as SKF
		# payloads (RFC 7383).
		ike_i=aes192-sha384-modp2048
		ike_r=$ike_i
		esp=aes128-sha1
		ts_i=10.1.0.0/16
		ts_r=10.2.0.0/16
		inner_i=10.1.0.1
		inner_r=10.2.0.1
		conn_i="fragmentation = force"
		conn_r=$conn_i
		charon_x="fragment_size = 200"
		;;
	pubkey-ed25519 | pubkey-rsa | pubkey-ecdsa)
		# Certificates (RFC 7427 signature authentication, method
		# 14, as both sides send SIGNATURE_HASH_ALGORITHMS), each
		# side sending its end entity's CERT and a CERTREQ for the
		# CA. Unfragmented, so that tshark decrypts the IKE_AUTH
		# messages; no traffic, to keep the capture small.
		pki=${1#pubkey-}
		ike_i=aes128gcm16-prfsha256-ecp256
		ike_r=$ike_i
		esp=aes128gcm16
		# Subnets, with an address in each for libipsec's routes:
		# kernel-libipsec cannot tunnel host to host.
		ts_i=10.1.0.0/16
		ts_r=10.2.0.0/16
		inner_i=10.1.0.1
		inner_r=10.2.0.1
		conn_i="fragmentation = no
		send_cert = always"
		conn_r=$conn_i
		steps="terminate-ike"
		# Ed25519 signs with the Identity hash; the others get
		# SHA-256 (RSA: RSASSA-PKCS1-v1_5 unless rsa_pss is set).
		[ "$pki" = ed25519 ] || pubkey="pubkey-sha256"
		;;
	*)
		die "unknown scenario '$1'"
		;;
	esac
}


expect_field() {
	awk -v kind="$1" -v key="$2" '
	$1 == kind {
		for (i = 2; i <= NF; i++)
			if (index($i, key "=") == 1) {
				print substr($i, length(key) + 2)
				exit
			}
	}' "$3"
}

# The transform IDs of the first proposal of the first SA payload in .expect
# file $1, as "encr bits integ prf dh" (0 for absent ones).
sa_transforms() {
	awk '
	$1 == "pld" {
		if (seen_sa)
			exit
		in_sa = seen_sa = ($2 == "type=33")
		next
	}
	in_sa && $1 == "prop" { nprop++ }
	in_sa && nprop == 1 && $1 == "xf" {
		split($2, t, "="); split($3, id, "="); split($4, kl, "=")
		v[t[2]] = id[2]
		if (t[2] == 1 && kl[2] != "-")
			bits = kl[2]
	}
	END {
		printf "%d %d %d %d %d\n", v[1], bits, v[3], v[2], v[4]
	}' "$1"
}

# The first ESP proposal charon log $1 says it selected, as transform IDs
# like sa_transforms prints them. Knows the algorithms the scenarios use.
logged_esp_transforms() {
	sed -n 's/.*selected proposal: ESP:\([A-Z0-9_/]*\).*/\1/p' "$1" |
	    head -n 1 | tr '/' '\n' | awk '
	/^AES_CBC_[0-9]+$/ { encr = 12; bits = substr($0, 9) }
	/^AES_GCM_16_[0-9]+$/ { encr = 20; bits = substr($0, 12) }
	$0 == "HMAC_SHA1_96" { integ = 2 }
	$0 == "HMAC_SHA2_256_128" { integ = 12 }
	$0 == "HMAC_SHA2_384_192" { integ = 13 }
	$0 == "HMAC_SHA2_512_256" { integ = 14 }
	END { if (encr) printf "%d %d %d 0 0\n", encr, bits, integ }'
}

# tshark's names for the IKEv2 decryption table.
uat_encr() {
	case $1 in
	12) echo "AES-CBC-$2 [RFC3602]" ;;
	13) echo "AES-CTR-$2 [RFC5930]" ;;
	18) echo "AES-GCM-$2 with 8 octet ICV [RFC5282]" ;;
	19) echo "AES-GCM-$2 with 12 octet ICV [RFC5282]" ;;
	20) echo "AES-GCM-$2 with 16 octet ICV [RFC5282]" ;;
	*) die "tshark cannot decrypt ENCR $1" ;;
	esac
}

uat_integ() {
	case $1 in
	0) echo "NONE [RFC4306]" ;;
	1) echo "HMAC_MD5_96 [RFC2403]" ;;
	2) echo "HMAC_SHA1_96 [RFC2404]" ;;
	12) echo "HMAC_SHA2_256_128 [RFC4868]" ;;
	13) echo "HMAC_SHA2_384_192 [RFC4868]" ;;
	14) echo "HMAC_SHA2_512_256 [RFC4868]" ;;
	*) die "tshark cannot check INTEG $1" ;;
	esac
}

# Turn raw dir $2 of scenario $1 into test data directory $3.
extract() {
	raw=$2
	out=$3
	tmp=$(mktemp -d /tmp/ikecap-x.XXXXXX)
	work=$tmp
	trap cleanup EXIT
	mkdir -p "$out" "$tmp/plain"
	rm -f "$out"/*.bin "$out"/*.expect "$out/keys.txt"
	cp "$raw/capture.pcap" "$out/capture.pcap"
	chmod 644 "$out/capture.pcap"

	# Pass 1, without keys: the IKE SA's parameters, SPIs and nonces
	# from the IKE_SA_INIT exchange that succeeded (the response with an
	# SA payload) and the last request before it.
	tshark -n -r "$raw/capture.pcap" -Y isakmp -T pdml \
	    >"$tmp/plain.pdml" 2>/dev/null
	python3 "$here/tshark2dump.py" --allow-undecrypted "$tmp/plain.pdml" \
	    "$tmp/plain" >/dev/null
	resp=
	req=
	for f in "$tmp"/plain/*-init-*.expect; do
		case $f in
		*-i.expect) [ -n "$resp" ] || req=$f ;;
		*-r.expect)
			if [ -z "$resp" ] && grep -q '^pld type=33' "$f"; then
				resp=$f
			fi
			;;
		esac
	done
	if [ -z "$resp" ] || [ -z "$req" ]; then
		die "$1: no IKE_SA_INIT exchange"
	fi
	spi_i=$(expect_field hdr ispi "$resp")
	spi_r=$(expect_field hdr rspi "$resp")
	ni=$(expect_field nonce data "$req")
	nr=$(expect_field nonce data "$resp")
	# shellcheck disable=SC2046 # split into the five numbers
	set -- "$1" $(sa_transforms "$resp")
	encr=$2 encr_bits=$3 integ=$4 prf=$5 dh=$6
	grep -q "${spi_i}_i\\* ${spi_r}_r" "$raw/sas.txt" ||
	    die "$1: SPIs $spi_i/$spi_r are not those swanctl listed"

	# The secrets, from the logs.
	gir=$(logged_key "shared Diffie Hellman secret" "$raw")
	skeyseed=$(logged_key SKEYSEED "$raw")
	sk_d=$(logged_key "Sk_d secret" "$raw")
	sk_ai=$(logged_key "Sk_ai secret" "$raw")
	sk_ar=$(logged_key "Sk_ar secret" "$raw")
	sk_ei=$(logged_key "Sk_ei secret" "$raw")
	sk_er=$(logged_key "Sk_er secret" "$raw")
	sk_pi=$(logged_key "Sk_pi secret" "$raw")
	sk_pr=$(logged_key "Sk_pr secret" "$raw")
	for v in "$gir" "$skeyseed" "$sk_d" "$sk_ei" "$sk_er" "$sk_pi" \
	    "$sk_pr"; do
		[ -n "$v" ] || die "$1: a key is missing from the charon log"
	done
	if [ "$integ" != 0 ] && { [ -z "$sk_ai" ] || [ -z "$sk_ar" ]; }; then
		die "$1: SK_ai/SK_ar missing from the charon log"
	fi

	{
		echo "prf=$prf"
		echo "encr=$encr"
		echo "encr_bits=$encr_bits"
		echo "integ=$integ"
		echo "dh=$dh"
		echo "spi_i=$spi_i"
		echo "spi_r=$spi_r"
		echo "ni=$ni"
		echo "nr=$nr"
		echo "gir=$gir"
		echo "skeyseed=$skeyseed"
		echo "sk_d=$sk_d"
		echo "sk_ai=$sk_ai"
		echo "sk_ar=$sk_ar"
		echo "sk_ei=$sk_ei"
		echo "sk_er=$sk_er"
		echo "sk_pi=$sk_pi"
		echo "sk_pr=$sk_pr"
	} >"$out/keys.txt"

	# Pass 2, decrypting: the test data.
	uat="$spi_i,$spi_r,$sk_ei,$sk_er,\"$(uat_encr "$encr" "$encr_bits")\""
	uat="$uat,$sk_ai,$sk_ar,\"$(uat_integ "$integ")\""
	tshark -n -r "$raw/capture.pcap" -Y isakmp -T pdml \
	    -o "uat:ikev2_decryption_table:$uat" >"$tmp/dec.pdml" 2>/dev/null
	python3 "$here/tshark2dump.py" "$tmp/dec.pdml" "$out" >"$tmp/list"

	# The first CHILD SA (created with IKE_AUTH, so without PFS): its
	# transforms from the IKE_AUTH response, its keys from the logs. The
	# keying material's seed is Ni | Nr, which the log shows as well.
	auth_r=
	for f in "$out"/*-auth-r.expect; do
		[ -f "$f" ] && auth_r=$f
	done
	seed=$(logged_key seed "$raw")
	[ "$seed" = "$ni$nr" ] ||
	    die "$1: the CHILD SA seed in the log is not Ni | Nr"
	if [ -n "$auth_r" ] && grep -q '^pld type=33' "$auth_r"; then
		child_algs=$(sa_transforms "$auth_r")
	else
		# A fragmented IKE_AUTH response, which tshark does not
		# reassemble: the names strongSwan logged instead.
		log "$1: CHILD SA transforms taken from the charon log"
		child_algs=$(logged_esp_transforms "$raw/moon.log")
	fi
	if [ -n "$child_algs" ]; then
		# shellcheck disable=SC2086 # split into the five numbers
		set -- "$1" $child_algs
		{
			echo "child_encr=$2"
			echo "child_encr_bits=$3"
			echo "child_integ=$4"
			echo "child_encr_i=$(logged_key \
			    "encryption initiator key" "$raw")"
			echo "child_integ_i=$(logged_key \
			    "integrity initiator key" "$raw")"
			echo "child_encr_r=$(logged_key \
			    "encryption responder key" "$raw")"
			echo "child_integ_r=$(logged_key \
			    "integrity responder key" "$raw")"
		} >>"$out/keys.txt"
	fi
	[ ! -d "$raw/pki" ] || extract_pubkey "$1" "$raw" "$out"
	log "$1: $(tr '\n' ' ' <"$tmp/list")"
	rm -rf "$tmp"
	work=
	trap - EXIT
}

# What the pubkey scenarios add to test data directory $3 from raw dir $2.
# strongSwan logs (ike = 3) the octets it signs or checks, once when it
# builds its AUTH and once when it verifies the peer's: moon builds its
# own first, sun checks moon's first, so the first dump of each log is
# the initiator's octets and the second the responder's.
extract_pubkey() {
	label="octets = message + nonce + prf(Sk_px, IDx')"
	octets_i=$(logged_key "$label" "$2" 1)
	octets_r=$(logged_key "$label" "$2" 2)
	if [ -z "$octets_i" ] || [ -z "$octets_r" ]; then
		die "$1: the signed octets are missing from the charon log"
	fi
	[ -z "$(log_dump "$label" "$2/moon.log" 3)" ] ||
	    die "$1: moon logged more than two signed octets"
	{
		echo "octets_i=$octets_i"
		echo "octets_r=$octets_r"
		echo "time=$(cat "$2/time")"
	} >>"$3/keys.txt"
	# Public: the CA certificate. Test vectors: the end entities' keys
	# (the CA's key stays out).
	cp "$2/pki/ca.pem" "$3/ca.pem"
	for side in moon sun; do
		cp "$2/pki/$side.key" "$3/$side.key"
	done
	chmod 644 "$3/ca.pem" "$3/moon.key" "$3/sun.key"
}

# --- main ---------------------------------------------------------------------

capture_main "$@"
