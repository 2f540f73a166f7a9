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
# /tmp too: a checkout under the host's /tmp (as a CI clone may be) must
# stay visible, while scenarios write their state there.
modprobe overlay
# The overlays, fresh: new upper and work directories each time (GEN), so
# that a group's next scenario sees the host's files and nothing of the
# last one's, even if a lazily unmounted overlay is still being let go.
# (Few processes: each start costs 0.1 to 0.3 s under TCG, and a group
# remakes these before each scenario.)
overlays() {
	o=/run/overlay$1
	mkdir -p "$o/etc/upper" "$o/etc/work" "$o/var/upper" "$o/var/work" \
	    "$o/root/upper" "$o/root/work" "$o/tmp/upper" "$o/tmp/work"
	tmp_ok=0
	for d in /etc /var /root /tmp; do
		[ -d "$d" ] || continue
		if mount -t overlay -o \
		    "lowerdir=$d,upperdir=$o$d/upper,workdir=$o$d/work" \
		    "overlay$d" "$d"; then
			[ "$d" != /tmp ] || tmp_ok=1
		else
			say "overlay on $d failed, it stays read-only"
		fi
	done
	[ "$tmp_ok" = 1 ] ||
	    mount -t tmpfs -o mode=1777,nosuid,nodev tmp /tmp
	chmod 1777 /tmp
	# On Debian /var/run and /var/lock are symlinks into /run; elsewhere
	# /var/run gets its own tmpfs (after the overlay, which would hide it).
	[ -L /var/run ] || mount -t tmpfs -o mode=0755 varrun /var/run
}
overlays ""

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

# The job: VM_SCRIPT, VM_CWD, VM_SHELL and `set -- ARGS`, shell-quoted;
# for a group (run.sh --group), VM_GROUP (the scripts, space-separated)
# and VM_EACH_TIMEOUT (seconds each) instead of VM_SCRIPT and ARGS.
VM_GROUP='' VM_EACH_TIMEOUT=''
# shellcheck source=/dev/null
if ! . /run/vm/job; then
	say "cannot read the job file"
	poweroff_now
fi
export VM=1 VM_OUT=/run/vm/out VM_SCRIPT
cd "$VM_CWD" || say "cannot cd to $VM_CWD"

# run_script SCRIPT [ARGS...]: SCRIPT's status in rc.
run_script() {
	if [ -x "$1" ]; then
		${VM_EACH_TIMEOUT:+timeout -k 5 "$VM_EACH_TIMEOUT"} "$@" </dev/null
	else
		${VM_EACH_TIMEOUT:+timeout -k 5 "$VM_EACH_TIMEOUT"} /bin/sh "$@" </dev/null
	fi
	rc=$?
}

# Whatever a scenario leaves, for the next one of a group: its processes
# (daemons, and any stray children of a killed scenario), network
# namespaces, the root namespace's links, SAs, policies, nftables rules
# and conntrack entries, mounts it made, files in /run, /dev/shm and the
# overlays (/etc /var /root /tmp). Kernel modules stay loaded: a loaded
# module only spares the next scenario the kernel's modprobe. Shell
# builtins where they do (globs over /sys, /run/netns, /proc/mounts):
# this runs before each scenario of a group, and every process started
# costs 0.1 to 0.3 s.
# root_links: the root namespace's links, space-separated, in links.
root_links() {
	links=
	for l in /sys/class/net/*; do links="$links ${l##*/}"; done
}
# own_mounts: the mount points (no spaces: /proc/mounts escapes them),
# latest last, in mounts.
own_mounts() {
	mounts=
	while read -r _ m _; do mounts="$mounts $m"; done </proc/mounts
}
reset_state() {
	# -1 from PID 1: every process but PID 1 (kernel threads ignore it).
	kill -KILL -1 2>/dev/null
	wait_no_processes
	# Namespaces, the root namespace's new links, its SAs and policies:
	# one ip.
	{
		for n in /run/netns/*; do
			[ -e "$n" ] && echo "netns delete ${n##*/}"
		done
		root_links
		for l in $links; do
			case " $links_start " in
			*" $l "*) ;;
			*) echo "link delete dev $l" ;;
			esac
		done
		printf 'xfrm state flush\nxfrm policy flush\nlink set lo up\n'
	} | ip -force -batch - >/dev/null 2>&1
	# nftables and conntrack only if loaded, and conntrack only if
	# the root namespace tracked anything.
	[ ! -d /sys/module/nf_tables ] || nft flush ruleset 2>/dev/null
	if [ -r /proc/net/nf_conntrack ] &&
	    read -r _ </proc/net/nf_conntrack 2>/dev/null; then
		conntrack -F >/dev/null 2>&1
	fi
	# Mounts the scenario made, deepest (longest path) first, and the
	# overlays, then remade with fresh upper directories.
	extra=
	own_mounts
	for m in $mounts; do
		case " $mounts_start " in
		*" $m "*) ;;
		*) extra="$m $extra" ;;
		esac
	done
	# shellcheck disable=SC2086 # a list of mount points
	umount -l $extra /tmp /root /var /etc 2>/dev/null
	set -- "/run/overlay$gen" /dev/shm/* /dev/shm/.[!.]*
	for f in /run/* /run/.[!.]*; do
		case $f in
		/run/vm | /run/overlay* | '/run/.[!.]*') ;;
		*) set -- "$@" "$f" ;;
		esac
	done
	rm -rf "$@" 2>/dev/null
	gen=$((${gen:-0} + 1))
	overlays "$gen"
	mkdir -p /run/lock
	read -r h </proc/sys/kernel/hostname
	[ "$h" = vm ] || hostname vm
	cd "$VM_CWD" || say "cannot cd to $VM_CWD"
}
# Processes other than PID 1 and kernel threads (no command line), not
# zombies; the kill is asynchronous, and busy overlays cannot be remade.
wait_no_processes() {
	n=0
	while [ "$n" -lt 50 ]; do
		left=
		for p in /proc/[0-9]*; do
			p=${p#/proc/}
			[ "$p" = 1 ] && continue
			[ -s "/proc/$p/cmdline" ] || continue
			read -r st <"/proc/$p/stat" 2>/dev/null || continue
			st=${st##*) }
			[ "${st%% *}" = Z ] || left="$left $p"
		done
		[ -z "$left" ] && return 0
		n=$((n + 1))
		sleep 0.1
	done
	say "processes left after the scenario:$left"
}
# uptime_cs: the guest's uptime in hundredths of a second, in cs.
uptime_cs() {
	read -r cs _ </proc/uptime
	cs=${cs%.*}${cs#*.}
	cs=${cs#"${cs%%[!0]*}"}
	cs=${cs:-0}
}
# secs FROM TO (hundredths): "S.s".
secs() {
	echo "$((($2 - $1) / 100)).$(((($2 - $1) % 100) / 10))"
}

if [ "$VM_SHELL" = 1 ]; then
	say "shell instead of $VM_SCRIPT \$VM_SCRIPT; exit to power off"
	# A real tty (not /dev/console) so bash gets job control.
	setsid -c /bin/bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
	rc=$?
elif [ -n "$VM_GROUP" ]; then
	# Each scenario between two lines run-all.sh splits the console by,
	# with its own $VM_OUT and status file; the group's status is 0 only
	# if every one passed.
	own_mounts
	mounts_start=$mounts
	root_links
	links_start=$links
	gen='' all=0 i=0
	for VM_SCRIPT in $VM_GROUP; do
		i=$((i + 1))
		name=${VM_SCRIPT##*/}
		name=${name%.sh}
		if [ "$i" -gt 1 ]; then
			uptime_cs
			r0=$cs
			reset_state
			uptime_cs
			say "clean state for the next scenario after $(secs "$r0" "$cs")s"
		fi
		VM_OUT=/run/vm/out/$name
		mkdir -p "$VM_OUT"
		uptime_cs
		t0=$cs
		say "scenario $name begins"
		run_script "$VM_SCRIPT"
		# Its leftovers go before the end line, so that nothing it
		# left running prints into the next scenario's log.
		kill -KILL -1 2>/dev/null
		wait_no_processes
		uptime_cs
		echo "$rc" >"/run/vm/rc.$name"
		[ "$rc" -eq 0 ] || all=1
		say "scenario $name ends: exit status $rc ($(secs "$t0" "$cs")s)"
	done
	rc=$all
else
	run_script "$VM_SCRIPT" "$@"
fi

echo "$rc" >/run/vm/rc
echo "vm init: exit status $rc"
poweroff_now
