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
# The charon logs (large) and the raw material stay out of git, under
# build/ikev2-capture/<scenario>/ (override with CAPTURE_LOGS).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
logs=${CAPTURE_LOGS:-$top/build/ikev2-capture}
all_scenarios="gcm-ecp256 cbc-modp3072 ipv6 frag pubkey-ed25519 pubkey-rsa
    pubkey-ecdsa"

# Documentation addresses only (RFC 5737, RFC 3849).
moon4=192.0.2.1
sun4=192.0.2.2
moon6=2001:db8::1
sun6=2001:db8::2

# Namespace names carry our pid so that concurrent runs do not collide.
ns_i=ikecap-moon-$$
ns_r=ikecap-sun-$$
work=
dumpcap_pid=
charon_pids=

log() {
	printf 'capture: %s\n' "$*" >&2
}

die() {
	log "error: $*"
	exit 1
}

# --- cleanup ------------------------------------------------------------------

# Stop what this script started (by pid) and remove its namespaces.
stop_processes() {
	if [ -n "$dumpcap_pid" ]; then
		kill -INT "$dumpcap_pid" 2>/dev/null || true
		wait "$dumpcap_pid" 2>/dev/null || true
		dumpcap_pid=
	fi
	for pid in $charon_pids; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	charon_pids=
	for ns in "$ns_i" "$ns_r"; do
		if ip netns list 2>/dev/null | grep -q "^$ns\\b"; then
			ip netns delete "$ns" || true
		fi
	done
}

cleanup() {
	stop_processes
	if [ -n "$work" ] && [ -z "${CAPTURE_KEEP_WORK:-}" ]; then
		rm -rf "$work"
	fi
}

# --- scenarios ----------------------------------------------------------------

# Each scenario sets these variables, read by run_scenario:
#   family      4 or 6: the outer (IKE) address family
#   ike_i/r     the initiator's / responder's IKE proposals
#   esp         ESP proposals (both sides)
#   mode        tunnel or transport
#   ts_i/ts_r   traffic selectors of moon / sun (empty: the host itself)
#   inner_i/r   an address for moon / sun inside ts_i/ts_r, to send
#               a datagram through the CHILD SA (empty: the host's own)
#   inner_i_vip yes if inner_i is the virtual IP that charon installs
#   conn_i/r    extra lines for moon's / sun's connection section
#   child_i/r   extra lines for moon's / sun's child section
#   extra_r     extra top-level swanctl.conf sections of sun (pools)
#   charon_x    extra strongswan.conf charon settings (both sides)
#   steps       what to do once the IKE SA is up (see run_steps)
#   kernel_esp  yes if the scenario needs the kernel's ESP
#   pki         empty: the PSK; else certificates with keys of this kind
#               (ed25519, rsa, ecdsa; see make_pki)
#   pubkey      the auth constraint of both sides with a pki
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

# --- configuration ------------------------------------------------------------

# strongswan.conf for one instance: own plugins, vici socket and log.
# $1 = instance directory, $2 = kernel backend (netlink or libipsec)
write_strongswan_conf() {
	if [ "$2" = libipsec ]; then
		kernel_plugins="kernel-libipsec kernel-netlink"
	else
		kernel_plugins=kernel-netlink
	fi
	cat >"$1/strongswan.conf" <<EOF
charon {
	load = random nonce openssl kdf pem pkcs1 x509 pubkey hmac gcm $kernel_plugins socket-default vici
	# Patience for a slow (emulated) peer rather than retransmissions.
	retransmit_timeout = 15
	$charon_x
	# ike = 4 logs g^ir, SKEYSEED and the SK_* keys (and, from 3 up,
	# the octets an AUTH covers), chd = 4 the CHILD SA keys.
	filelog {
		charon {
			path = $1/charon.log
			append = no
			flush_line = yes
			default = 1
			ike = 4
			chd = 4
			cfg = 2
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
	plugins {
		vici {
			socket = unix://$1/charon.vici
		}
		# No MOBIKE address updates triggered by addresses and
		# routes coming up at random moments (IPv6 DAD, the TUN
		# device, CHILD SA routes): the captures stay the same
		# from one run to the next.
		kernel-netlink {
			roam_events = no
		}
	}
}
charon-systemd {
	journal {
		default = -1
	}
}
swanctl {
	load = pem pkcs1 pkcs8 openssl x509 pubkey
}
EOF
}

# The certificates of a pubkey scenario in dir $1: a self-signed CA
# (ca.key, ca.pem) and end entities moon and sun (<side>.key, <side>.pem)
# with their FQDN as subjectAltName, all with keys of kind $2.
make_pki() {
	case $2 in
	ed25519) set -- "$1" -algorithm ED25519 ;;
	rsa) set -- "$1" -algorithm RSA -pkeyopt rsa_keygen_bits:2048 ;;
	ecdsa) set -- "$1" -algorithm EC -pkeyopt ec_paramgen_curve:P-256 ;;
	*) die "unknown key kind '$2'" ;;
	esac
	dir=$1
	shift
	# Ed25519 signs without a separate digest.
	md=-sha256
	[ "$1 $2" != "-algorithm ED25519" ] || md=
	openssl genpkey "$@" -out "$dir/ca.key" 2>/dev/null
	openssl req -x509 -new -key "$dir/ca.key" $md -days 3650 \
	    -subj "/O=charond test/CN=Capture CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    -out "$dir/ca.pem"
	for side in moon sun; do
		openssl genpkey "$@" -out "$dir/$side.key" 2>/dev/null
		cat >"$dir/$side.ext" <<EOF
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:$side.example.org
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
		openssl req -new -key "$dir/$side.key" \
		    -subj "/O=charond test/CN=$side.example.org" |
		    openssl x509 -req -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
		    $md -days 3650 -extfile "$dir/$side.ext" \
		    -out "$dir/$side.pem" 2>/dev/null
	done
}

# swanctl.conf for one side.
# $1 = dir, $2 = local addr, $3 = remote addr, $4 = local id, $5 = remote id,
# $6 = IKE proposals, $7 = local TS, $8 = remote TS, $9 = encap (yes/no),
# ${10} = conn extras, ${11} = child extras, ${12} = extra sections
write_swanctl_conf() {
	cat >"$1/swanctl.conf" <<EOF
connections {
	gw {
		local_addrs = $2
		remote_addrs = $3
		proposals = $6
		encap = $9
		${10}
		local {
			$auth_local
			id = $4
		}
		remote {
			$auth_remote
			id = $5
		}
		children {
			net {
				mode = $mode
				esp_proposals = $esp
				local_ts = ${7:-dynamic}
				remote_ts = ${8:-dynamic}
				${11}
			}
		}
	}
}
$secrets
${12}
EOF
}

# The authentication lines of write_swanctl_conf for side $1 (moon or
# sun) from the scenario's pki and pubkey, in auth_local, auth_remote and
# secrets; with a pki, the side's credentials from make_pki's directory
# $2 go where swanctl --file finds them: the directories x509ca, x509 and
# private next to the swanctl.conf in $3.
auth_conf() {
	if [ -z "$pki" ]; then
		auth_local="auth = psk"
		auth_remote="auth = psk"
		secrets="secrets {
	ike-moon-sun {
		id-moon = moon.example.org
		id-sun = sun.example.org
		secret = \"not a secret, test data only\"
	}
}"
		return
	fi
	mkdir -p "$3/x509ca" "$3/x509" "$3/private"
	cp "$2/ca.pem" "$3/x509ca/ca.pem"
	cp "$2/$1.pem" "$3/x509/$1.pem"
	cp "$2/$1.key" "$3/private/$1.key"
	auth_local="auth = $pubkey
			certs = $1.pem"
	auth_remote="auth = $pubkey"
	secrets=
}

# --- running the daemons ------------------------------------------------------

# swanctl against one instance: $1 = instance dir, then swanctl arguments.
sw() {
	dir=$1
	shift
	STRONGSWAN_CONF="$dir/strongswan.conf" swanctl "$@" \
	    --uri "unix://$dir/charon.vici"
}

# Wait up to $2 tenths of a second for command "$1" to succeed.
wait_for() {
	i=0
	while ! eval "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -le "$2" ] || return 1
		sleep 0.1
	done
}

# $1 = namespace, $2 = instance dir
start_charon() {
	ip netns exec "$1" env STRONGSWAN_CONF="$2/strongswan.conf" \
	    /usr/sbin/charon-systemd >"$2/charon.out" 2>&1 &
	charon_pids="$charon_pids $!"
	wait_for "[ -S '$2/charon.vici' ]" 100 ||
	    die "charon in $1 did not start (see $2/charon.out)"
	sw "$2" --load-all --file "$2/swanctl.conf" >"$2/load.out" 2>&1 ||
	    die "swanctl --load-all failed (see $2/load.out)"
}

# Whether the running kernel can install ESP SAs (it has esp4 and esp6).
kernel_has_esp() {
	probe=ikecap-probe-$$
	ip netns add "$probe" || return 1
	ok=0
	for a in "192.0.2.1 192.0.2.2" "2001:db8::1 2001:db8::2"; do
		# shellcheck disable=SC2086 # split into source and destination
		set -- $a
		ip -n "$probe" xfrm state add src "$1" dst "$2" proto esp \
		    spi 0x1000 mode transport aead 'rfc4106(gcm(aes))' \
		    0x0102030405060708090a0b0c0d0e0f1011121314 128 \
		    2>/dev/null || ok=1
	done
	ip netns delete "$probe"
	return $ok
}

# Send one UDP datagram from $2 to $3 inside namespace $1.
send_datagram() {
	ip netns exec "$1" python3 -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(b"charond test datagram", (sys.argv[2], 9))
' "$2" "$3"
}

# The steps after initiation. $1 = moon's dir, $2 = raw output dir,
# $3 = sun's dir
run_steps() {
	for step in $steps; do
		case $step in
		traffic)
			# One datagram each way (sun's answer is an ICMP error
			# from the discard port, or nothing).
			send_datagram "$ns_i" "${inner_i:-$src_i}" \
			    "${inner_r:-$src_r}"
			sleep 1
			;;
		rekey-child)
			# swanctl only queues the rekeying; it is done once
			# moon has deleted the old CHILD SA.
			sw "$1" --rekey --child net >/dev/null
			wait_for "grep -q 'CHILD_SA closed' '$1/charon.log'" 300 ||
			    die "CHILD SA rekeying did not complete"
			sw "$1" --list-sas >"$2/sas-rekeyed.txt"
			;;
		terminate-child)
			sw "$1" --terminate --child net >/dev/null
			;;
		terminate-child-by-sun)
			sw "$3" --terminate --child net >/dev/null
			;;
		terminate-ike)
			sw "$1" --terminate --ike gw >/dev/null
			;;
		esac
	done
}

# Capture one scenario into raw dir $2 (pcap, logs, swanctl output), on the
# running kernel. $3 = kernel backend: netlink or libipsec.
run_scenario() {
	scenario "$1"
	raw=$2
	backend=$3
	work=$(mktemp -d /tmp/ikecap.XXXXXX)
	rm -rf "${raw:?}"
	mkdir -p "$raw" "$work/moon" "$work/sun"
	trap cleanup EXIT
	trap 'exit 1' INT TERM HUP

	ip netns add "$ns_i"
	ip netns add "$ns_r"
	ip link add cap0 netns "$ns_i" type veth peer name cap0 netns "$ns_r"
	for ns in "$ns_i" "$ns_r"; do
		ip -n "$ns" link set lo up
		ip -n "$ns" link set cap0 up
	done
	ip -n "$ns_i" addr add "$moon4/24" dev cap0
	ip -n "$ns_r" addr add "$sun4/24" dev cap0
	ip -n "$ns_i" addr add "$moon6/64" dev cap0 nodad
	ip -n "$ns_r" addr add "$sun6/64" dev cap0 nodad
	# Inner addresses to send traffic from and to.
	if [ -n "$inner_i" ] && [ "$inner_i_vip" = no ]; then
		ip -n "$ns_i" addr add "$inner_i" dev lo
	fi
	[ -z "$inner_r" ] || ip -n "$ns_r" addr add "$inner_r" dev lo

	if [ "$family" = 6 ]; then
		src_i=$moon6
		src_r=$sun6
	else
		src_i=$moon4
		src_r=$sun4
	fi
	# kernel-libipsec only does UDP-encapsulated ESP.
	encap=no
	[ "$backend" = netlink ] || encap=yes

	for side in moon sun; do
		write_strongswan_conf "$work/$side" "$backend"
	done
	if [ -n "$pki" ]; then
		mkdir -p "$raw/pki"
		make_pki "$raw/pki" "$pki"
	fi
	auth_conf moon "$raw/pki" "$work/moon"
	write_swanctl_conf "$work/moon" "$src_i" "$src_r" moon.example.org \
	    sun.example.org "$ike_i" "$ts_i" "$ts_r" "$encap" "$conn_i" \
	    "$child_i" ""
	auth_conf sun "$raw/pki" "$work/sun"
	write_swanctl_conf "$work/sun" "$src_r" "$src_i" sun.example.org \
	    moon.example.org "$ike_r" "$ts_r" "$ts_i" "$encap" "$conn_r" \
	    "$child_r" "$extra_r"
	start_charon "$ns_r" "$work/sun"
	start_charon "$ns_i" "$work/moon"

	# -P: classic pcap; -q: no packet counts. Only IKE and ESP matter.
	ip netns exec "$ns_i" dumpcap -q -P -i cap0 -f 'udp or esp' \
	    -w "$raw/capture.pcap" >"$work/dumpcap.out" 2>&1 &
	dumpcap_pid=$!
	wait_for "grep -q 'Capturing on' '$work/dumpcap.out'" 100 ||
	    die "dumpcap did not start"

	date +%s >"$raw/time"
	sw "$work/moon" --initiate --child net >"$raw/initiate.txt" 2>&1 ||
	    die "initiation failed (see $raw/initiate.txt)"
	sw "$work/moon" --list-sas >"$raw/sas.txt"
	run_steps "$work/moon" "$raw" "$work/sun"
	sleep 1
	stop_processes
	for side in moon sun; do
		cp "$work/$side/charon.log" "$raw/$side.log"
		cp "$work/$side/strongswan.conf" "$raw/$side-strongswan.conf"
		cp "$work/$side/swanctl.conf" "$raw/$side-swanctl.conf"
	done
	echo "$backend" >"$raw/backend"
	rm -rf "$work"
	work=
	trap - EXIT INT TERM HUP
}

# --- the QEMU guest -----------------------------------------------------------

# Modules the guest loads from its initramfs to mount the host's root.
vm_boot_modules="virtio_pci 9pnet_virtio 9p"
# Modules the capture needs in the guest.
vm_run_modules="veth xfrm_user esp4 esp6 authenc gcm ghash_generic seqiv
	echainiv cbc aesni_intel sha256_generic hmac"

# $1 = kernel version: print the module files to insmod, dependencies first.
vm_module_files() {
	dep=/lib/modules/$1/modules.dep
	for m in $vm_boot_modules; do
		line=$(grep -E "(^|/)$m\\.ko(\\.xz|\\.zst)?:" "$dep") ||
		    die "module $m not found in $dep"
		# modules.dep lists a module's dependencies, transitively,
		# users before what they use: load them in reverse order.
		deps=$(echo "${line#*:}" | tr ' ' '\n' | sed '/^$/d' | tac)
		for f in $deps "${line%%:*}"; do
			echo "/lib/modules/$1/$f"
		done
	done | awk '!seen[$0]++'
}

# Boot a guest that runs scenario $1 into raw dir $2 and powers off.
run_in_vm() {
	kver=
	for k in /lib/modules/*; do
		k=${k##*/}
		[ -f "/boot/vmlinuz-$k" ] && kver=$k
	done
	[ -n "$kver" ] || die "no kernel for a guest: apt-get install linux-image-amd64"
	command -v qemu-system-x86_64 >/dev/null ||
	    die "apt-get install qemu-system-x86 (for the guest)"
	command -v cpio >/dev/null || die "apt-get install cpio (for the guest)"
	busybox=/bin/busybox
	if ! [ -x "$busybox" ] || ! "$busybox" --list | grep -qx switch_root
	then
		die "apt-get install busybox-static (for the guest)"
	fi
	rm -rf "${2:?}"
	mkdir -p "$2"
	vmdir=$(mktemp -d /tmp/ikecap-vm.XXXXXX)
	work=$vmdir
	trap cleanup EXIT
	mkdir -p "$vmdir/root/bin" "$vmdir/root/mods"
	cp "$busybox" "$vmdir/root/bin/busybox"
	n=10
	for f in $(vm_module_files "$kver"); do
		# busybox insmod wants plain .ko files.
		name=${f##*/}
		case $f in
		*.ko.xz) xz -dc "$f" >"$vmdir/root/mods/$n-${name%.xz}" ;;
		*.ko.zst) zstd -qdc "$f" >"$vmdir/root/mods/$n-${name%.zst}" ;;
		*) cp "$f" "$vmdir/root/mods/$n-$name" ;;
		esac
		n=$((n + 1))
	done
	# The initramfs mounts the host's root read-only over 9p and
	# switch_roots into it (so that modprobe finds the modules), running
	# this script as init in guest mode.
	cat >"$vmdir/root/init" <<EOF
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /dev /newroot
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
for m in /mods/*.ko; do /bin/busybox insmod \$m; done
/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 host /newroot
/bin/busybox umount /proc
exec /bin/busybox switch_root /newroot /bin/sh $here/capture.sh --guest
EOF
	chmod +x "$vmdir/root/init"
	(cd "$vmdir/root" && find . | cpio -o -H newc --quiet) |
	    gzip -1 >"$vmdir/initramfs.gz"
	log "$1: booting a QEMU guest (kernel $kver)"
	qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 \
	    -nographic -no-reboot -nic none \
	    -kernel "/boot/vmlinuz-$kver" -initrd "$vmdir/initramfs.gz" \
	    -append "console=ttyS0 panic=-1 quiet cryptomgr.notests ikecap_scenario=$1" \
	    -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	    -virtfs "local,path=$2,mount_tag=out,security_model=none" \
	    </dev/null >"$vmdir/console.log" 2>&1 || true
	cp "$vmdir/console.log" "$2/vm-console.log"
	rm -rf "$vmdir"
	work=
	trap - EXIT
	[ -f "$2/guest-ok" ] ||
	    die "$1: the guest failed (see $2/vm-console.log, $2/guest.log)"
}

# Inside the guest, as init: mount what the read-only root lacks, load the
# modules, capture the scenario named on the kernel command line into the
# writable share, power off.
guest_main() {
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev 2>/dev/null || true
	for d in /tmp /run /var/tmp; do
		mount -t tmpfs tmpfs "$d"
	done
	mkdir /tmp/out
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /tmp/out
	scen=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^ikecap_scenario=//p')
	{
		for m in $vm_run_modules; do
			modprobe "$m" || log "modprobe $m failed"
		done
		ip link set lo up
		if (run_scenario "$scen" /tmp/out/raw netlink); then
			: >/tmp/out/guest-ok
		fi
		lsmod
	} >/tmp/out/guest.log 2>&1
	sync
	echo o >/proc/sysrq-trigger
	sleep 10
}

# --- extraction ---------------------------------------------------------------

# The hex bytes of the first "<label> => N bytes @ ..." dump in charon log
# $2 (of the $3th, if given); empty if there is none. strongSwan prints %B values as a header line
# and then lines of 16 bytes ("   16: 0A 1B ...  ascii"), every line
# prefixed with the thread number and log group ("11[IKE] "). Continuation
# lines are matched by that prefix, and only as many hex pairs are taken as
# the header announced, so the ASCII column is never read as data.
log_dump() {
	awk -v want="$1" -v nth="${3:-1}" '
	state == 0 && match($0, /^ *[0-9]+\[[A-Z]+\] /) {
		prefix = substr($0, 1, RLENGTH)
		rest = substr($0, RLENGTH + 1)
		if (index(rest, want " => ") != 1 || ++seen < nth)
			next
		split(substr(rest, length(want) + 5), f, " ")
		left = f[1] + 0
		if (left == 0)
			exit
		state = 1
		next
	}
	state == 1 && index($0, prefix) == 1 {
		line = substr($0, length(prefix) + 1)
		if (!match(line, /^ *[0-9]+: /))
			next
		hex = substr(line, RLENGTH + 1)
		k = left < 16 ? left : 16
		for (i = 0; i < k; i++)
			out = out tolower(substr(hex, 3 * i + 1, 2))
		left -= k
		if (left == 0)
			exit
	}
	END { print out }
	' "$2"
}

# A key from moon's log, checked against sun's.
# $1 = label, $2 = raw dir, $3 = which dump of that label (default 1)
logged_key() {
	a=$(log_dump "$1" "$2/moon.log" "${3:-1}")
	b=$(log_dump "$1" "$2/sun.log" "${3:-1}")
	[ "$a" = "$b" ] || die "moon and sun logged different '$1'"
	echo "$a"
}

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

if [ "${1:-}" = --guest ]; then
	guest_main
	exit 0
fi

[ "$(id -u)" = 0 ] || die "run as root (network namespaces)"
for tool in ip swanctl tshark dumpcap python3 openssl; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done
[ -x /usr/sbin/charon-systemd ] || die "apt-get install charon-systemd"
[ -f /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] ||
    die "apt-get install libcharon-extra-plugins (kernel-libipsec)"

if kernel_has_esp; then
	local_backend=netlink
else
	local_backend=libipsec
fi
log "strongSwan $(dpkg-query -W -f '${Version}' charon-systemd 2>/dev/null)," \
    "$(tshark --version 2>/dev/null | head -n 1)"
log "this kernel: CHILD SAs via $local_backend"

# shellcheck disable=SC2086 # the list is split into scenario names
[ $# -gt 0 ] || set -- $all_scenarios
for scen in "$@"; do
	scenario "$scen"
	raw=$logs/$scen
	if [ "$kernel_esp" = yes ] && [ "$local_backend" = libipsec ]; then
		run_in_vm "$scen" "$raw"
		raw=$raw/raw
	else
		log "$scen: capturing"
		run_scenario "$scen" "$raw" "$local_backend"
	fi
	extract "$scen" "$raw" "$here/$scen"
	log "$scen: done"
done
