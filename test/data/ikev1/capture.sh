#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Regenerate the IKEv1 reference captures under test/data/ikev1/: two
# strongSwan daemons negotiate IKEv1 (Main Mode, Quick Mode, Informational
# exchanges) with each other, tshark dissects and decrypts what went over
# the wire, and the keys strongSwan derived are taken from its debug log.
#
#   sh test/data/ikev1/capture.sh [SCENARIO...]
#
# Without arguments every scenario is captured: main-psk windows-l2tp
# main-cert natt-dpd. Needs what test/data/ikev2/capture.sh needs (root,
# charon-systemd, strongswan-swanctl, libcharon-extra-plugins, tshark,
# python3, openssl, and for the scenarios that need the kernel's ESP on a
# kernel without it qemu-system-x86, linux-image-amd64, busybox-static and
# cpio). The namespaces, daemons, dumpcap and QEMU guest are those of
# test/data/capture-lib.sh; see test/data/ikev1/README.md for the result.
#
# The charon logs (large) and the raw material stay out of git, under
# build/ikev1-capture/<scenario>/ (override with CAPTURE_LOGS).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
logs=${CAPTURE_LOGS:-$top/build/ikev1-capture}
all_scenarios="main-psk windows-l2tp main-cert natt-dpd"

# ike = 4 logs g^xy, SKEYID, SKEYID_d/_a/_e, the encryption key and the
# Quick Mode KEYMAT; chd = 4 the CHILD SA keys as installed.
log_levels="ike = 4
			chd = 4
			cfg = 2"
ike_version=1
# A retransmitted encrypted message would be a copy that tshark decrypts
# with the wrong IV (it chains IVs per message ID): give the slow QEMU
# guest time enough never to retransmit.
retransmit_timeout=60

# After a CHILD SA rekeying, the line of moon's log that says the old SA
# is gone.
rekey_done="closing CHILD_SA net{1} "

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
	esp_r=
	id_i=
	id_r=
	force_encap=no
	dgram_sport=0
	dgram_dport=9
	case $1 in
	main-psk)
		# PSK, PFS, a Quick Mode rekey and both DELETEs; the
		# kernel's ESP, so that nothing is UDP-encapsulated.
		ike_i=aes128-sha256-modp2048
		ike_r=$ike_i
		esp=aes128-sha256-modp2048
		ts_i=10.1.0.0/16
		ts_r=10.2.0.0/16
		inner_i=10.1.0.1
		inner_r=10.2.0.1
		kernel_esp=yes
		steps="traffic rekey-child terminate-child terminate-ike"
		# IKEv1 SAs stay until they expire after a rekeying unless
		# this is set: delete the old one right away.
		charon_x="delete_rekeyed = yes"
		;;
	windows-l2tp)
		# What a Windows L2TP/IPsec client offers (clients.md),
		# restricted to MODP groups: sun picks one that is not the
		# first. Its IP address as ID, transport mode for L2TP.
		ike_i="aes256-sha1-modp2048, aes128-sha1-modp2048"
		ike_i="$ike_i, aes256-sha256-modp2048, 3des-sha1-modp2048"
		ike_i="$ike_i, aes256-sha1-modp1024, aes128-sha1-modp1024"
		ike_i="$ike_i, 3des-sha1-modp1024"
		ike_r=aes256-sha256-modp2048
		esp="aes256-sha1, aes128-sha1, 3des-sha1"
		esp_r=aes128-sha1
		mode=transport
		ts_i="dynamic[udp/1701]"
		ts_r="dynamic[udp/1701]"
		id_i=192.0.2.1
		id_r=192.0.2.2
		dgram_sport=1701
		dgram_dport=1701
		# As behind a NAT: UDP-Encapsulated-Transport, NAT-OA.
		force_encap=yes
		kernel_esp=yes
		;;
	main-cert)
		# RSA certificates: CERT, CERTREQ and SIG in Main Mode.
		pki=rsa
		ike_i=aes128-sha256-modp2048
		ike_r=$ike_i
		esp=aes128-sha256
		ts_i=10.1.0.0/16
		ts_r=10.2.0.0/16
		inner_i=10.1.0.1
		inner_r=10.2.0.1
		# Unfragmented (strongSwan would split message 5 into its
		# IKEv1 fragments, payload 132, which tshark does not
		# reassemble).
		conn_i="send_cert = always
		fragmentation = no"
		conn_r=$conn_i
		kernel_esp=yes
		steps="terminate-ike"
		;;
	natt-dpd)
		# NAT-T forced (faked NAT-D hashes, port 4500, UDP-
		# Encapsulated-Tunnel) and DPD every 2 s while idle, by moon
		# only so that the exchange goes the same way every time.
		# An IKE lifetime over 65535 s, which takes a TLV attribute.
		ike_i=aes256-sha1-modp2048
		ike_r=$ike_i
		esp=aes128-sha1
		ts_i=10.1.0.0/16
		ts_r=10.2.0.0/16
		inner_i=10.1.0.1
		inner_r=10.2.0.1
		force_encap=yes
		conn_i="dpd_delay = 2s
		rekey_time = 24h"
		conn_r="rekey_time = 24h"
		steps="traffic wait-dpd terminate-ike"
		;;
	*)
		die "unknown scenario '$1'"
		;;
	esac
	# Main Mode only.
	conn_i="aggressive = no
		$conn_i"
	conn_r="aggressive = no
		$conn_r"
}

# --- extraction ---------------------------------------------------------------

# A field from the first line of .expect file $3 that starts with $1
# ("hdr", "nonce", ...): the value of key $2.
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

# The attributes of the first transform of the first SA payload in .expect
# file $1 as "type=value" words, values in decimal (TV attributes and
# TLV ones up to 4 octets).
sa_attributes() {
	awk '
	function hex(s,   i, n) {
		n = 0
		for (i = 1; i <= length(s); i++)
			n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	$1 == "xf" { nxf++ }
	nxf == 1 && $1 == "attr" {
		split($2, t, "="); split($4, v, "=")
		printf "%s=%.0f ", t[2], hex(v[2])
	}
	nxf > 1 { exit }' "$1"
}

# The value of attribute type $1 in sa_attributes output $2 (0 if absent).
attr_value() {
	for a in $2; do
		[ "${a%%=*}" != "$1" ] || { echo "${a#*=}"; return; }
	done
	echo 0
}

# The first proposal's SPI in .expect file $1.
prop_spi() {
	expect_field prop spi "$1"
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

	# Pass 1, without keys: Main Mode's cookies, nonces and the
	# transform sun selected (its SA payload in message 2).
	tshark -n -r "$raw/capture.pcap" -Y isakmp -T pdml \
	    >"$tmp/plain.pdml" 2>/dev/null
	python3 "$here/tshark2dump.py" --allow-undecrypted "$tmp/plain.pdml" \
	    "$tmp/plain" >/dev/null
	set -- "$1" "$tmp"/plain/*-main-*.expect
	[ $# -ge 7 ] || die "$1: fewer than 6 Main Mode messages"
	sa_r=$3 ke_i=$4 ke_r=$5
	grep -q '^pld type=1 ' "$sa_r" || die "$1: message 2 has no SA"
	icookie=$(expect_field hdr icookie "$sa_r")
	rcookie=$(expect_field hdr rcookie "$sa_r")
	ni=$(expect_field nonce data "$ke_i")
	nr=$(expect_field nonce data "$ke_r")
	attrs=$(sa_attributes "$sa_r")
	grep -q "${icookie}_i\\* ${rcookie}_r" "$raw/sas.txt" ||
	    die "$1: cookies $icookie/$rcookie are not those swanctl listed"

	gxy=$(logged_key "shared Diffie Hellman secret" "$raw")
	skeyid=$(logged_key SKEYID "$raw")
	skeyid_d=$(logged_key SKEYID_d "$raw")
	skeyid_a=$(logged_key SKEYID_a "$raw")
	skeyid_e=$(logged_key SKEYID_e "$raw")
	enc_key=$(logged_key "encryption key Ka" "$raw")
	iv=$(logged_key "initial IV" "$raw")
	hash_i=$(logged_key HASH_I "$raw")
	hash_r=$(logged_key HASH_R "$raw")
	for v in "$ni" "$nr" "$gxy" "$skeyid" "$skeyid_d" "$skeyid_a" \
	    "$skeyid_e" "$enc_key" "$iv" "$hash_i" "$hash_r"; do
		[ -n "$v" ] || die "$1: a Main Mode value is missing"
	done
	{
		echo "encr=$(attr_value 1 "$attrs")"
		echo "encr_bits=$(attr_value 14 "$attrs")"
		echo "hash=$(attr_value 2 "$attrs")"
		echo "auth=$(attr_value 3 "$attrs")"
		echo "group=$(attr_value 4 "$attrs")"
		echo "icookie=$icookie"
		echo "rcookie=$rcookie"
		echo "ni=$ni"
		echo "nr=$nr"
		echo "gxy=$gxy"
		echo "skeyid=$skeyid"
		echo "skeyid_d=$skeyid_d"
		echo "skeyid_a=$skeyid_a"
		echo "skeyid_e=$skeyid_e"
		echo "enc_key=$enc_key"
		echo "iv=$iv"
		echo "hash_i=$hash_i"
		echo "hash_r=$hash_r"
	} >"$out/keys.txt"

	# Pass 2, decrypting: the test data.
	tshark -n -r "$raw/capture.pcap" -Y isakmp -T pdml \
	    -o "uat:ikev1_decryption_table:$icookie,$enc_key" \
	    >"$tmp/dec.pdml" 2>/dev/null
	python3 "$here/tshark2dump.py" "$tmp/dec.pdml" "$out" >"$tmp/list"

	# IKEv1 encryption has no integrity check: prove the decryption by
	# the HASH payloads, every one of which must be a hash one of the
	# daemons logged computing.
	for label in HASH_I HASH_R "Hash(1)" "Hash(2)" "Hash(3)" Hash; do
		log_dumps "$label" "$raw/moon.log"
		log_dumps "$label" "$raw/sun.log"
	done >"$tmp/hashes"
	nhash=0
	sigs=
	# shellcheck disable=SC2013 # one hex word a line
	for h in $(sed -n 's/^hash data=//p' "$out"/*.expect); do
		grep -qx "$h" "$tmp/hashes" ||
		    die "$1: HASH $h was not logged (decryption wrong?)"
		nhash=$((nhash + 1))
	done

	# The Quick Modes, in order: the first message of each (moon's, with
	# an SA) and sun's answer (the same message ID).
	n=0
	for qi in "$out"/*-quick-i.expect; do
		[ -f "$qi" ] || continue
		grep -q '^pld type=1 ' "$qi" || continue
		mid=$(expect_field hdr mid "$qi")
		qr=
		for f in "$out"/*-quick-r.expect; do
			if [ -z "$qr" ] &&
			    [ "$(expect_field hdr mid "$f")" = "$mid" ]; then
				qr=$f
			fi
		done
		[ -n "$qr" ] || die "$1: Quick Mode $mid unanswered"
		n=$((n + 1))
		extract_quick "$1" "$raw" "$qi" "$qr" "qm$n" "$n" \
		    >>"$out/keys.txt"
	done
	[ "$n" -gt 0 ] || [ "$steps" = terminate-ike ] ||
	    die "$1: no Quick Mode"
	[ -z "$(log_dump "initiator SA seed" "$raw/moon.log" $((n + 1)))" ] ||
	    die "$1: more Quick Modes logged than captured"
	if [ -d "$raw/pki" ]; then
		extract_pki "$raw" "$out"
		check_sig "$1" moon "$hash_i" "$out" "$tmp"
		check_sig "$1" sun "$hash_r" "$out" "$tmp"
		sigs=", 2 SIG payloads"
	fi
	log "$1: $(tr '\n' ' ' <"$tmp/list")($nhash HASH payloads${sigs:-}" \
	    "checked)"
	rm -rf "$tmp"
	work=
	trap - EXIT
}

# The keys.txt lines of one Quick Mode: $1 = scenario, $2 = raw dir,
# $3/$4 = the .expect of its first two messages, $5 = the key prefix,
# $6 = its number in the logs. KEYMAT = prf(SKEYID_d, [g(qm)^xy |]
# protocol | SPI | Ni_b | Nr_b) (RFC 2409 5.5), the SPI being the one the
# receiving side chose; strongSwan logs that seed per direction, then the
# key material split into encryption and integrity keys.
extract_quick() {
	qni=$(expect_field nonce data "$3")
	qnr=$(expect_field nonce data "$4")
	spi_i=$(prop_spi "$3")
	spi_r=$(prop_spi "$4")
	attrs=$(sa_attributes "$4")
	xf=$(awk '$1 == "xf" { split($3, t, "="); print t[2]; exit }' "$4")
	seed_i=$(logged_key "initiator SA seed" "$2" "$6")
	seed_r=$(logged_key "responder SA seed" "$2" "$6")
	proto=$(expect_field prop proto "$4")
	proto=$(printf %02x "$proto")
	tail_i=$proto$spi_r$qni$qnr
	tail_r=$proto$spi_i$qni$qnr
	case $seed_i in
	*"$tail_i") ;;
	*) die "$1: $5's initiator seed is not [gxy] | proto | SPIr | Ni | Nr" ;;
	esac
	case $seed_r in
	*"$tail_r") ;;
	*) die "$1: $5's responder seed is not [gxy] | proto | SPIi | Ni | Nr" ;;
	esac
	gqm=${seed_i%"$tail_i"}
	[ "$gqm" = "${seed_r%"$tail_r"}" ] ||
	    die "$1: $5's seeds disagree on g(qm)^xy"
	if [ -n "$gqm" ]; then
		log_dumps "DH secret" "$2/moon.log" | grep -qx "$gqm" ||
		    die "$1: $5's g(qm)^xy is not a DH secret moon logged"
	fi
	encr_i=$(logged_key "encryption initiator key" "$2" "$6")
	integ_i=$(logged_key "integrity initiator key" "$2" "$6")
	encr_r=$(logged_key "encryption responder key" "$2" "$6")
	integ_r=$(logged_key "integrity responder key" "$2" "$6")
	echo "${5}_mid=$(expect_field hdr mid "$3")"
	echo "${5}_transform=$xf"
	echo "${5}_encr_bits=$(attr_value 6 "$attrs")"
	echo "${5}_auth=$(attr_value 5 "$attrs")"
	echo "${5}_encap=$(attr_value 4 "$attrs")"
	echo "${5}_group=$(attr_value 3 "$attrs")"
	echo "${5}_ni=$qni"
	echo "${5}_nr=$qnr"
	echo "${5}_gxy=$gqm"
	echo "${5}_spi_i=$spi_i"
	echo "${5}_spi_r=$spi_r"
	echo "${5}_seed_i=$seed_i"
	echo "${5}_seed_r=$seed_r"
	echo "${5}_encr_i=$encr_i"
	echo "${5}_integ_i=$integ_i"
	echo "${5}_encr_r=$encr_r"
	echo "${5}_integ_r=$integ_r"
}

# Main Mode's SIG payloads (RFC 2409 5.1) carry no IKE-level hash of their
# own: check instead that $2's SIG (in the message from moon or sun in
# test data dir $4) is HASH_I or HASH_R ($3) under $2's key, PKCS#1 v1.5
# without a DigestInfo, so that the decryption of messages 5 and 6 is
# proven as well. $1 = scenario, $5 = a scratch dir.
check_sig() {
	case $2 in
	moon) from=i ;;
	*) from=r ;;
	esac
	sig=$(sed -n 's/^sig data=//p' "$4"/*-main-"$from".expect)
	[ -n "$sig" ] || die "$1: no SIG from $2"
	python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' \
	    "$sig" >"$5/sig.bin"
	openssl pkey -in "$4/$2.key" -pubout -out "$5/pub.pem"
	got=$(openssl pkeyutl -verifyrecover -pubin -inkey "$5/pub.pem" \
	    -pkeyopt rsa_padding_mode:pkcs1 -in "$5/sig.bin" |
	    python3 -c 'import sys; print(sys.stdin.buffer.read().hex())')
	[ "$got" = "$3" ] || die "$1: $2's SIG does not sign its HASH"
}

# The certificate scenario's CA certificate (public) and end-entity keys
# (test vectors; the CA's key stays out) from raw dir $1 into $2, and the
# time of the capture (to check the chain at).
extract_pki() {
	cp "$1/pki/ca.pem" "$2/ca.pem"
	for side in moon sun; do
		cp "$1/pki/$side.key" "$2/$side.key"
	done
	chmod 644 "$2/ca.pem" "$2/moon.key" "$2/sun.key"
	echo "time=$(cat "$1/time")" >>"$2/keys.txt"
}

# --- main ---------------------------------------------------------------------

capture_main "$@"
