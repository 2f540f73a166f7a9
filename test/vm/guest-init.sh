#!/bin/sh
# SPDX-License-Identifier: ISC
#
# PID 1 of the test VM, on the host's root filesystem (read-only over 9p)
# after switch_root. It makes the few places tools write to writable, loads
# the kernel modules scenarios need, runs the job run.sh left in the
# results share, records its exit status there and powers the VM off.
#
# Writable afterwards:
#   /run (= /var/run, /var/lock)       tmpfs
#   /etc /var /root /tmp               overlayfs: the host's files, with
#                                      changes kept in tmpfs
#   /dev /dev/pts /dev/shm             devtmpfs, devpts, tmpfs
#   $VM_OUT (/run/vm/out)              a host directory (build/vm/run.*/out)
# Everything else, including the repository, is the host's, read-only.
#
# No set -e: PID 1 must reach the power-off whatever fails. An exit
# would panic the kernel, which also ends QEMU (panic=-1, -no-reboot) but
# leaves no exit status.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
umask 022

say() { echo "vm init: $*"; }

poweroff_now() {
	sync
	mkfifo /run/halt 2>/dev/null
	# sysrq 'o' powers off at once; there is no init system to ask.
	echo o >/proc/sysrq-trigger
	# Wait with builtins only: the 9p root goes away during power-off,
	# so exec'ing sleep would print I/O errors. Opening a FIFO nobody
	# writes blocks for good.
	while :; do read -r _ </run/halt; done
}

# Kept in case the initramfs did not move them over.
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev

mount -t tmpfs -o mode=0755,nosuid,nodev run /run
mkdir -p /run/lock /dev/pts /dev/shm
# pppd and the tools driving it may want ptys: the guest's own devpts.
mount -t devpts -o mode=0620,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm

mkdir -p /run/vm
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 \
    results /run/vm; then
	say "cannot mount the results share"
	poweroff_now
fi

# An overlay lets a scenario write /etc/strongswan.conf or /var/lib/foo
# without touching the host; tmpfs alone would hide the host's files.
modprobe overlay
# /tmp too: a checkout under the host's /tmp (as a CI clone may be) must
# stay visible, while scenarios write their state there.
for d in /etc /var /root /tmp; do
	[ -d "$d" ] || continue
	o=/run/overlay$d
	mkdir -p "$o/upper" "$o/work"
	mount -t overlay -o "lowerdir=$d,upperdir=$o/upper,workdir=$o/work" \
	    "overlay$d" "$d" || say "overlay on $d failed, it stays read-only"
done
mountpoint -q /tmp || mount -t tmpfs -o mode=1777,nosuid,nodev tmp /tmp
chmod 1777 /tmp
# On Debian /var/run and /var/lock are symlinks into /run; elsewhere
# /var/run gets its own tmpfs (after the overlay, which would hide it).
[ -L /var/run ] || mount -t tmpfs -o mode=0755 varrun /var/run

# Loaded explicitly: the kernel's crypto auto-loading does not find the
# pieces of templates like rfc4106(gcm(aes)) by itself, and an SA then
# fails with "Requested type not found". Modules built in (cbc, hmac and
# sha256 in Debian's kernel) make modprobe succeed.
need="xfrm_user esp4 esp6 tunnel4 xfrm4_tunnel tunnel6 xfrm6_tunnel
aes_generic gcm ghash_generic ctr seqiv echainiv authenc cbc hmac
sha1_generic sha256_generic sha512_generic veth"
# Wanted by some scenarios or only a speed-up; a failure is just noted.
# The L2TP scenarios' xl2tpd uses the kernel's L2TP data path when
# l2tp_ppp (PPPoX socket PX_PROTO_OL2TP, with pppox, l2tp_core and
# l2tp_netlink under it) is there, and pppd its pppol2tp plugin on top
# of ppp_generic (/dev/ppp); ppp_async is for xl2tpd's fallback, pppd on
# a pty. Compression modules are left out: the example options say noccp.
want="aesni_intel chacha20poly1305 des3_ede xfrm_interface
l2tp_core l2tp_netlink l2tp_ppp pppox ppp_generic ppp_async"
# One modprobe per list: each process start costs time under TCG. Only
# when a list fails do we look for the culprits one by one.
load() {
	modprobe -a -q "$@" 2>/dev/null && return 0
	failed=
	for m in "$@"; do
		modprobe -q "$m" 2>/dev/null || failed="$failed $m"
	done
	return 1
}
# shellcheck disable=SC2086
load $need || say "could not load:$failed (scenarios needing them will fail)"
# shellcheck disable=SC2086
load $want || say "optional modules missing:$failed"

hostname vm
ip link set lo up
read -r up _ </proc/uptime
say "ready after ${up}s"

# The job: VM_SCRIPT, VM_CWD, VM_SHELL and `set -- ARGS`, shell-quoted.
# shellcheck source=/dev/null
if ! . /run/vm/job; then
	say "cannot read the job file"
	poweroff_now
fi
export VM=1 VM_OUT=/run/vm/out VM_SCRIPT
cd "$VM_CWD" || say "cannot cd to $VM_CWD"

if [ "$VM_SHELL" = 1 ]; then
	say "shell instead of $VM_SCRIPT \$VM_SCRIPT; exit to power off"
	# A real tty (not /dev/console) so bash gets job control.
	setsid -c /bin/bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
	rc=$?
elif [ -x "$VM_SCRIPT" ]; then
	"$VM_SCRIPT" "$@" </dev/null
	rc=$?
else
	/bin/sh "$VM_SCRIPT" "$@" </dev/null
	rc=$?
fi

echo "$rc" >/run/vm/rc
echo "vm init: exit status $rc"
poweroff_now
