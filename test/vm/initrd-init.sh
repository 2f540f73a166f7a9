#!/bin/sh
# SPDX-License-Identifier: ISC
#
# /init of the test VM's initramfs (busybox sh, PID 1). Its only job is to
# mount the host's root filesystem, shared read-only over virtio-9p, and
# switch_root into it, running the guest init named by vm_init= on the
# kernel command line. run.sh packs this file with busybox and the kernel
# modules that 9p needs, numbered in load order under /mods.
#
# switch_root, not chroot: the kernel's module auto-loader runs
# /sbin/modprobe from the real root, and only there does it find the
# host's /lib/modules.
export PATH=/bin

die() {
	echo "vm initramfs: $*"
	# No exit status for run.sh to find: it reports the failure.
	echo o >/proc/sysrq-trigger
	while :; do sleep 1; done
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The initramfs has no /dev/console node, so the kernel may have started
# us without a console; reopen it now that devtmpfs has one.
exec </dev/console >/dev/console 2>&1
# The BIOS leaves its last line unterminated.
echo

for m in /mods/*.ko; do
	[ -e "$m" ] || continue
	insmod "$m" || die "insmod $m failed"
done

# The root is read-only and nothing on the host should change under a
# short test run, so loose caching is safe and saves many round trips.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose \
    host /newroot || die "cannot mount the host's root over 9p"

init=
read -r cmdline </proc/cmdline
for w in $cmdline; do
	case $w in
	vm_init=*) init=${w#vm_init=} ;;
	esac
done
[ -n "$init" ] || die "no vm_init= on the kernel command line"
[ -e "/newroot$init" ] || die "$init not found on the host's root"

# Carry the pseudo filesystems over (mounting over the read-only root's
# directories writes nothing to it).
for d in dev proc sys; do
	mount --move "/$d" "/newroot/$d" || die "cannot move /$d"
done
exec switch_root /newroot /bin/sh "$init"
