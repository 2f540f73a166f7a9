#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Makes sure this machine can boot the test VM: installs the Debian packages
# it needs (as root with apt-get; otherwise prints the exact command and
# fails), then prints on stdout the one thing callers need, the version of
# the guest kernel (everything else goes to stderr). Quick when all is there.
#
# The guest kernel is the newest Debian "-amd64" kernel in /boot whose
# modules are installed, never the host's running kernel (a custom build
# without ESP). VM_KERNEL=<version> overrides the choice.
set -eu

# What each package is for:
#   qemu-system-x86  the emulator (TCG; KVM guests hang on these machines)
#   linux-image-amd64 the guest kernel, with esp4/6, gcm, l2tp, ppp, 9p, veth
#   busybox-static   the initramfs's only program
#   cpio             packs the initramfs
#   kmod             modprobe, on the host (module dependencies for the
#                    initramfs) and in the guest
#   iproute2 nftables iputils-ping procps   what scenarios run in the guest
#   charon-systemd   strongSwan's IKE daemon, the peer our daemon is tested
#                    against (test/vm/strongswan.sh); unlike strongswan-charon
#                    it writes no fixed pid file, so several run side by side
#   strongswan-swanctl  swanctl and the vici plugin that drive it
#   libstrongswan-standard-plugins  the openssl plugin: ECP, Curve25519,
#                    ChaCha20-Poly1305, AES-GCM (only recommended by
#                    libstrongswan, so --no-install-recommends would skip it;
#                    libstrongswan-extra-plugins is not needed for these)
#   libcharon-extra-plugins  kernel-libipsec (userspace ESP) and the EAP
#                    methods, for scenarios that want them
#   python3          charonctl's JSON in scenarios, and test/tools/ikeforge.py
#                    (forged IKE datagrams: inject.sh, init-flood.sh)
#   tshark           dumpcap and tshark: wireshark-keys.sh decrypts a
#                    capture with the keys of charonctl export-keys
#   tcpdump conntrack  the NAT scenarios (test/vm/nat.sh): packets on the
#                    wire with their times (keepalives), the router's NAT
#                    mappings listed and flushed
#   jq               charonctl's JSON in the NAT scenarios
#   xl2tpd ppp       the L2TP/IPsec scenarios (test/vm/l2tp.sh): xl2tpd as
#                    the LNS beside charond and as each client's LAC, pppd
#                    (with its pppol2tp plugin) for the PPP sessions; the
#                    package's init script is disabled below, as the guest
#                    shares this root and must start nothing by itself
pkgs="qemu-system-x86 linux-image-amd64 busybox-static cpio kmod iproute2
nftables iputils-ping procps charon-systemd strongswan-swanctl
libstrongswan-standard-plugins libcharon-extra-plugins python3 tshark
tcpdump conntrack jq xl2tpd ppp"

# One dpkg-query for all packages keeps the common case fast.
missing=$(
	# shellcheck disable=SC2086
	dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2>/dev/null |
	    awk -v p="$pkgs" '$NF == "installed" { ok[$1] = 1 }
	        END { n = split(p, a, " ");
	              for (i = 1; i <= n; i++) if (!ok[a[i]]) printf " %s", a[i] }'
)

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "vm setup: missing Debian packages; run as root:" >&2
		echo "  apt-get install -y --no-install-recommends$missing" >&2
		exit 1
	fi
	echo "vm setup: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# apt's progress goes to stderr so stdout stays the kernel version.
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2
	# Installing xl2tpd enables (and, without a policy-rc.d, starts)
	# an LNS on UDP 1701 with the package's sample config: on this
	# machine it would only be in the way, and the scenarios start
	# their own instances with their own files.
	case " $missing " in
	*" xl2tpd "*)
		if [ -d /run/systemd/system ]; then
			systemctl disable --now xl2tpd >&2 2>/dev/null || :
		else
			invoke-rc.d xl2tpd stop >&2 2>/dev/null || :
		fi
		update-rc.d xl2tpd disable >&2 2>/dev/null || :
		;;
	esac
fi

pick_kernel() {
	for f in /boot/vmlinuz-*-amd64; do
		[ -e "$f" ] || continue
		v=${f#/boot/vmlinuz-}
		[ -f "/lib/modules/$v/modules.dep" ] && echo "$v"
	done | sort -V | tail -n 1
}

kver=${VM_KERNEL:-$(pick_kernel)}
if [ -z "$kver" ]; then
	echo "vm setup: no Debian -amd64 kernel with modules found" \
	    "(/boot/vmlinuz-*-amd64 and /lib/modules/<version>)" >&2
	exit 1
fi
if [ ! -f "/boot/vmlinuz-$kver" ] || [ ! -f "/lib/modules/$kver/modules.dep" ]
then
	echo "vm setup: kernel $kver lacks /boot/vmlinuz-$kver or its modules" >&2
	exit 1
fi
# Some systems install vmlinuz mode 0600: only root can boot it then.
if [ ! -r "/boot/vmlinuz-$kver" ]; then
	echo "vm setup: /boot/vmlinuz-$kver is not readable (run as root)" >&2
	exit 1
fi
echo "$kver"
