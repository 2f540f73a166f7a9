# SPDX-License-Identifier: ISC
#
# What the IKEv1 and IKEv2 capture scripts (test/data/ikev*/capture.sh) have
# in common: sourced by them, never run on its own. It runs two strongSwan
# daemons in network namespaces (or, for scenarios that need the kernel's
# ESP on a kernel without it, in a throwaway QEMU guest), records the veth
# with dumpcap and reads keys out of the charon logs.
#
# The sourcing script sets, before sourcing:
#   here           its own directory (the guest re-runs $here/capture.sh)
#   logs           where the raw material of each scenario goes
#   all_scenarios  the scenarios run when none is named
#   log_levels     the filelog group levels of strongswan.conf (lines)
#   ike_version    1 or 2, the connections' `version`
#   rekey_done     what moon logs once a rekeyed CHILD SA is gone
#   retransmit_timeout  strongSwan's first retransmission timeout (s;
#                  default 15)
# and defines:
#   scenario NAME  sets the scenario variables below
#   extract NAME RAW OUT  turns raw dir RAW into test data directory OUT
# then calls capture_main "$@".
#
# The scenario variables, read by run_scenario:
#   family      4 or 6: the outer (IKE) address family
#   ike_i/r     the initiator's / responder's IKE proposals
#   esp         ESP proposals (moon; sun too unless esp_r is set)
#   esp_r       sun's ESP proposals if they differ (optional)
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
# and, optional (empty or unset: the default):
#   id_i/id_r   the IDs of moon / sun (moon.example.org, sun.example.org)
#   force_encap yes: UDP encapsulation even with the kernel's ESP
#   dgram_sport, dgram_dport  the datagram's ports (any, 9)
# shellcheck disable=SC2154

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
	retransmit_timeout = ${retransmit_timeout:-15}
	$charon_x
	filelog {
		charon {
			path = $1/charon.log
			append = no
			flush_line = yes
			default = 1
			$log_levels
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
		version = $ike_version
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
				esp_proposals = $esp_side
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
		id-moon = $id_moon
		id-sun = $id_sun
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
s.bind((sys.argv[1], int(sys.argv[3])))
s.sendto(b"charond test datagram", (sys.argv[2], int(sys.argv[4])))
' "$2" "$3" "${dgram_sport:-0}" "${dgram_dport:-9}"
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
			# moon has deleted the old CHILD SA (rekey_done: what
			# moon's log says then).
			sw "$1" --rekey --child net >/dev/null
			wait_for "grep -q '$rekey_done' '$1/charon.log'" 300 ||
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
		wait-dpd)
			# Quiet until moon has had the answer to its first
			# DPD request (the scenario sets a short dpd_delay),
			# then on at once, so that there is only one.
			wait_for "grep -q 'N(DPD_ACK)' '$1/charon.log'" 300 ||
			    die "no DPD exchange"
			;;
		*)
			die "unknown step '$step'"
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
	# The IDs: FQDNs unless the scenario sets id_i/id_r.
	id_moon=${id_i:-moon.example.org}
	id_sun=${id_r:-sun.example.org}
	encap=${force_encap:-no}
	[ "$backend" = netlink ] || encap=yes

	for side in moon sun; do
		write_strongswan_conf "$work/$side" "$backend"
	done
	if [ -n "$pki" ]; then
		mkdir -p "$raw/pki"
		make_pki "$raw/pki" "$pki"
	fi
	auth_conf moon "$raw/pki" "$work/moon"
	esp_side=$esp
	write_swanctl_conf "$work/moon" "$src_i" "$src_r" "$id_moon" "$id_sun" \
	    "$ike_i" "$ts_i" "$ts_r" "$encap" "$conn_i" "$child_i" ""
	auth_conf sun "$raw/pki" "$work/sun"
	# sun's ESP proposals, if the scenario gives it others (esp_r).
	esp_side=${esp_r:-$esp}
	write_swanctl_conf "$work/sun" "$src_r" "$src_i" "$id_sun" "$id_moon" \
	    "$ike_r" "$ts_r" "$ts_i" "$encap" "$conn_r" "$child_r" "$extra_r"
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
	echainiv cbc aesni_intel sha256_generic hmac sha1_generic des3_ede"

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

# Every "<label> => N bytes" dump in charon log $2, one hex string a line,
# in log order.
log_dumps() {
	i=1
	while :; do
		d=$(log_dump "$1" "$2" "$i")
		[ -n "$d" ] || break
		echo "$d"
		i=$((i + 1))
	done
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

# --- main ---------------------------------------------------------------------

# The whole run: check the tools, capture every scenario named in "$@" (all
# of all_scenarios if none), on this kernel or in a QEMU guest, and extract
# each into $here/<scenario>. As the guest's init: run guest_main instead.
capture_main() {
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
		# CAPTURE_NO_VM=1 tries such a scenario on this kernel's
		# userspace ESP instead (with UDP encapsulation, which changes
		# the exchanges: for checking the steps, not for test data).
		if [ "$kernel_esp" = yes ] && [ "$local_backend" = libipsec ] &&
		    [ -z "${CAPTURE_NO_VM:-}" ]; then
			run_in_vm "$scen" "$raw"
			raw=$raw/raw
		else
			log "$scen: capturing"
			run_scenario "$scen" "$raw" "$local_backend"
		fi
		extract "$scen" "$raw" "$here/$scen"
		log "$scen: done"
	done
}
