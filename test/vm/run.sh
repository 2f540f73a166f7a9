#!/bin/bash
# SPDX-License-Identifier: ISC
#
# test/vm/run.sh SCRIPT [ARGS...]
# test/vm/run.sh --group SCRIPT...
# test/vm/run.sh --prepare
#
# Boots Debian's kernel under QEMU (TCG) with the host's / as the guest's
# read-only root and runs SCRIPT as root inside it, with ARGS, from the
# repository's top directory. The guest's console is streamed to stdout
# with each line prefixed "vm| ". The exit status is SCRIPT's, or:
#   124  the VM ran out of time (VM_TIMEOUT seconds, default 300)
#   125  the VM gave no exit status (boot failure, panic, QEMU error)
#
# --group runs several scenarios (no ARGS) in one boot, one after the
# other, each from a clean guest (guest-init.sh resets what the last one
# left), each with its own $VM_OUT (run.*/out/NAME) and time limit
# (VM_EACH_TIMEOUT); the console shows "vm init: scenario NAME begins"
# and "vm init: scenario NAME ends: exit status N (Ss)" around each, which
# run-all.sh splits the log by. The status is 0 if every one passed.
# --prepare only builds the cached initramfs and kernel (run-all.sh does
# it once before starting guests side by side).
#
# Environment:
#   VM_TIMEOUT  seconds for the whole run, boot included (default 300;
#               for a group 30 + (VM_EACH_TIMEOUT + 15) per scenario)
#   VM_EACH_TIMEOUT  seconds for each scenario of a group (default 280)
#   VM_MEM      guest memory (default 1024M)
#   VM_SMP      guest CPUs (default 1)
#   VM_KERNEL   guest kernel version (default: see setup.sh)
#   VM_APPEND   more kernel command line (e.g. loglevel=7 to see the boot)
#   VM_PVH=0    boot the bzImage rather than the vmlinux unpacked from it
#   VM_KEEP=1   keep build/vm/run.*/ (the job, status and $VM_OUT files)
#               even when SCRIPT succeeds
#   VM_SHELL=1  an interactive shell in the guest instead of SCRIPT
#               (which is then optional); exit the shell to power off
#
# The initramfs and the unpacked kernel are cached in build/vm/, one per
# kernel version.
set -eu
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
VM_MEM=${VM_MEM:-1024M}
VM_SMP=${VM_SMP:-1}
VM_SHELL=${VM_SHELL:-0}

say() { echo "vm: $*" >&2; }

mode=one
case ${1:-} in
--group) mode=group; shift ;;
--prepare) mode=prepare; shift ;;
esac
if { [ $# -eq 0 ] && [ "$VM_SHELL" != 1 ] && [ "$mode" != prepare ]; } ||
    { [ "$mode" = group ] && [ "$VM_SHELL" = 1 ]; }; then
	echo "usage: $0 SCRIPT [ARGS...]   (or VM_SHELL=1 $0)" >&2
	echo "       $0 --group SCRIPT...  (several scenarios in one boot)" >&2
	echo "       $0 --prepare          (build the cached kernel and initramfs)" >&2
	exit 2
fi
VM_EACH_TIMEOUT=${VM_EACH_TIMEOUT:-280}
if [ "$mode" = group ]; then
	VM_TIMEOUT=${VM_TIMEOUT:-$((30 + $# * (VM_EACH_TIMEOUT + 15)))}
else
	VM_TIMEOUT=${VM_TIMEOUT:-300}
fi
# The kernel command line names guest-init.sh by its path.
case $here in
*[[:space:]]*)
	say "the repository's path must not contain white space: $here"
	exit 2
	;;
esac
# guest_path FILE: FILE's absolute path, if the guest can run it.
guest_path() {
	local p
	p=$(realpath -e "$1") || { say "no such script: $1"; return 2; }
	# The guest mounts tmpfs on these, hiding the host's files there.
	case $p in
	/run/* | /dev/* | /proc/* | /sys/*)
		say "$p is hidden inside the guest (tmpfs or pseudo fs);" \
		    "put it elsewhere"
		return 2
		;;
	esac
	printf '%s\n' "$p"
}
script=
group=
if [ "$mode" = group ]; then
	# The guest splits the list on spaces; names must be unique, as each
	# one's status file and $VM_OUT are named after it.
	for a in "$@"; do
		p=$(guest_path "$a") || exit 2
		case $p in
		*[[:space:]]*) say "no white space in a group's paths: $p"; exit 2 ;;
		esac
		n=$(basename "$p" .sh)
		case " $group " in
		*/"$n.sh "*) say "$n twice in the group"; exit 2 ;;
		esac
		group="${group:+$group }$p"
		count=$((${count:-0} + 1))
	done
	script=${group%% *}
	set --
elif [ $# -gt 0 ]; then
	script=$(guest_path "$1") || exit 2
	shift
fi

kver=$("$here/setup.sh")
cache=$top/build/vm
mkdir -p "$cache"

# --- the initramfs: busybox, /init and the modules needed to mount 9p -------
initrd=$cache/initramfs-$kver.cpio.gz

build_initramfs() {
	local tmp i ko name
	tmp=$(mktemp -d "$cache/initramfs.XXXXXX")
	mkdir -p "$tmp/bin" "$tmp/dev" "$tmp/proc" "$tmp/sys" "$tmp/newroot" \
	    "$tmp/mods"
	cp "$(command -v busybox)" "$tmp/bin/busybox"
	for a in sh mount insmod switch_root sleep; do
		ln -s busybox "$tmp/bin/$a"
	done
	install -m 0755 "$here/initrd-init.sh" "$tmp/init"
	# modprobe resolves the dependencies; the number keeps the load order
	# for the initramfs's plain insmod loop.
	i=10
	while read -r ko; do
		name=$(basename "$ko")
		name=${name%%.ko*}
		case $ko in
		*.ko.xz) xz -dc "$ko" ;;
		*.ko.zst) zstd -qdc "$ko" ;;
		*.ko.gz) gzip -dc "$ko" ;;
		*) cat "$ko" ;;
		esac >"$tmp/mods/$i-$name.ko"
		i=$((i + 1))
	done < <(modprobe -S "$kver" -a --show-depends virtio_pci 9pnet_virtio 9p |
	    awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
	(cd "$tmp" && find . | LC_ALL=C sort |
	    cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$initrd.tmp.$$"
	mv "$initrd.tmp.$$" "$initrd"
	rm -rf "$tmp"
}

if [ ! -s "$initrd" ] || [ "$here/initrd-init.sh" -nt "$initrd" ] ||
    [ "$0" -nt "$initrd" ]; then
	say "building $initrd"
	build_initramfs
fi

# --- the kernel: the bzImage, or better its vmlinux -------------------------
# QEMU starts an uncompressed vmlinux that has the PVH ELF note directly,
# skipping the bzImage's self-decompression, which takes 3 s of every boot
# under TCG. Debian ships only the bzImage, so unpack its payload once,
# keeping the bzImage if anything about it is unexpected.
is_pvh_vmlinux() {
	[ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = 177ELF ] &&
	    LC_ALL=C grep -qaP \
	    '\x04\0\0\0[\x04\x08]\0\0\0\x12\0\0\0Xen\0' "$1"
}

extract_vmlinux() {
	local img=$1 out=$2 m off
	# Magic of the payload's compression, and how to undo it.
	for m in '\xfd7zXZ\0:xz -dcq --single-stream' \
	    '\x28\xb5\x2f\xfd:zstd -dcq' '\x1f\x8b\x08\0:gzip -dcq'; do
		off=$(LC_ALL=C grep -obUaP "${m%%:*}" "$img" | head -n 1) || :
		[ -n "$off" ] || continue
		# Decompressors may complain about the data after the payload.
		tail -c "+$((${off%%:*} + 1))" "$img" |
		    ${m#*:} >"$out.tmp.$$" 2>/dev/null || :
		if is_pvh_vmlinux "$out.tmp.$$"; then
			mv "$out.tmp.$$" "$out"
			return 0
		fi
	done
	rm -f "$out.tmp.$$"
	return 1
}

kernel=/boot/vmlinuz-$kver
vmlinux=$cache/vmlinux-$kver
if [ "${VM_PVH:-1}" = 1 ]; then
	if [ -s "$vmlinux" ] && [ ! "$kernel" -nt "$vmlinux" ]; then
		kernel=$vmlinux
	elif extract_vmlinux "$kernel" "$vmlinux"; then
		kernel=$vmlinux
	else
		say "no PVH vmlinux in $kernel; booting the slower bzImage"
	fi
fi

if [ "$mode" = prepare ]; then
	say "kernel $kernel and initramfs $initrd ready"
	exit 0
fi

# --- the job, handed to the guest through a writable 9p share ---------------
run=$(mktemp -d "$cache/run.XXXXXX")
mkdir "$run/out"

# Single-quote for the guest's /bin/sh (bash's %q may produce $'...').
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
	echo "VM_SCRIPT=$(q "$script")"
	echo "VM_CWD=$(q "$top")"
	echo "VM_SHELL=$(q "$VM_SHELL")"
	if [ "$mode" = group ]; then
		echo "VM_GROUP=$(q "$group")"
		echo "VM_EACH_TIMEOUT=$(q "$VM_EACH_TIMEOUT")"
	fi
	printf 'set --'
	for a in "$@"; do printf ' %s' "$(q "$a")"; done
	echo
} >"$run/job"

# QEMU reads commas in -virtfs paths as option separators unless doubled.
qpath() { printf '%s' "${1//,/,,}"; }

# cryptomgr.notests: the kernel's crypto self-tests cost 3 s of each boot
# under TCG, and the kernel's crypto is not what we test. edd=off skips a
# BIOS probe.
cmdline="console=ttyS0 loglevel=3 panic=-1 cryptomgr.notests edd=off"
cmdline+=" vm_init=$here/guest-init.sh ${VM_APPEND:-}"

# -nic none: no network device (nor iPXE ROM); the guest makes its own
# networks in namespaces. The kernel line names guest-init by its host
# path, valid in the guest since its root is the host's.
qemu=(qemu-system-x86_64 -accel tcg -cpu max -m "$VM_MEM" -smp "$VM_SMP"
	-nographic -no-reboot -nic none
	-kernel "$kernel" -initrd "$initrd"
	-append "$cmdline"
	-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$(qpath "$run"),mount_tag=results,security_model=none,multidevs=remap")

start=$(date +%s)
st=0
if [ "$VM_SHELL" = 1 ]; then
	# Interactive: the console straight to the terminal. Ctrl-A X quits QEMU.
	timeout --foreground -k 10 "$VM_TIMEOUT" "${qemu[@]}" || st=$?
else
	if [ "$mode" = group ]; then
		say "booting $kver for a group of $count:" \
		    "${group//"$top"\//} (timeout ${VM_TIMEOUT}s, each" \
		    "${VM_EACH_TIMEOUT}s)"
	else
		say "booting $kver for ${script#"$top"/} (timeout ${VM_TIMEOUT}s)"
	fi
	# stdin from /dev/null keeps QEMU from putting the terminal in raw
	# mode; sed drops carriage returns and SeaBIOS's terminal resets.
	# --foreground: in timeout's default process group of its own, QEMU
	# would miss a Ctrl-C and outlive this script.
	timeout --foreground -k 10 "$VM_TIMEOUT" "${qemu[@]}" </dev/null |
	    sed -u 's/\r$//; s/\x1bc//g; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/^/vm| /' ||
	    st=$?
fi
elapsed=$(($(date +%s) - start))

# A group's statuses, as far as the guest got.
if [ "$mode" = group ]; then
	for p in $group; do
		n=$(basename "$p" .sh)
		if [ -s "$run/rc.$n" ]; then
			say "$n: exit status $(cat "$run/rc.$n")"
		else
			say "$n: no exit status"
		fi
	done
fi
if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
	say "TIMEOUT: killed QEMU after ${VM_TIMEOUT}s (VM_TIMEOUT); files in $run"
	exit 124
fi
if [ "$st" -eq 130 ] || [ "$st" -eq 143 ]; then
	say "interrupted; files in $run"
	exit "$st"
fi
if [ ! -s "$run/rc" ]; then
	say "no exit status from the guest (QEMU status $st, ${elapsed}s);" \
	    "files in $run"
	exit 125
fi
rc=$(cat "$run/rc")
case $rc in
'' | *[!0-9]*)
	say "bad exit status '$rc' from the guest; files in $run"
	exit 125
	;;
esac
if [ "$rc" -eq 0 ] && [ "${VM_KEEP:-0}" != 1 ]; then
	rm -rf "$run"
else
	say "files in $run"
fi
say "exit status $rc after ${elapsed}s"
exit "$rc"
