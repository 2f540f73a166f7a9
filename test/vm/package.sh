#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The Debian package (make deb) on the guest, as on a fresh Debian 12:
# installed with apt under a real systemd, which starts the service from
# the package's unit (Type=notify: the start returns only after charond's
# READY=1); charonctl answers a non-root member of the group charond and
# refuses a non-member; `systemctl reload` reloads; purging stops the
# service and leaves nothing behind (files, the group, /run/charond,
# systemd's enablement links, /var/lib/charond of daemon.save_keys).
# The unit's sandbox is checked on the running process (capabilities,
# seccomp, what it may write); what follows runs inside it.
# In between, package-user.sh does what a new user does: a connection in
# conf.d, systemctl reload, a failed initiation explained in one journal
# line, a typo the reload refuses, then the tunnel up; and
# package-l2tp.sh follows docs/l2tp-ipsec-server.md to a connected
# L2TP/IPsec client.
#
# Run by make check-package:  test/vm/run.sh test/vm/package.sh DEB
#
# The guest's /usr is the host's, read-only: an overlay (changes in
# tmpfs, like those of /etc and /var) lets dpkg write there. Its PID 1 is
# guest-init.sh, so systemd runs as PID 1 of a PID namespace of its own
# (as in a container: `container=` set), booted to a target that wants
# sysinit.target only; what a container's boot has no use for and which
# takes long under emulation is masked (tmpfiles' walk of the 9p root).
# The host image's policy-rc.d, which forbids starting services (a
# Docker convention, absent from a real Debian), is removed in the
# overlay. All of it is the guest's and gone at power-off.
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/lib.sh"
vm_require_guest
[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: $0 CHAROND_DEB" >&2; exit 2; }
DEB=$1

SD_PID=
cleanup() {
	[ -z "$SD_PID" ] || kill -KILL "$SD_PID" 2>/dev/null || :
	vm_cleanup
}
trap cleanup EXIT

# sd CMD...: CMD in systemd's PID and mount namespaces.
sd() { nsenter -t "$SD_PID" -m -p "$@"; }

# --- a writable /usr, a clean slate ------------------------------------------
o=/run/overlay/usr
mkdir -p "$o/upper" "$o/work"
mount -t overlay -o "lowerdir=/usr,upperdir=$o/upper,workdir=$o/work" \
    overlay/usr /usr || fail "no overlay on /usr"
rm -f /usr/sbin/policy-rc.d
if dpkg-query -W charond >/dev/null 2>&1 || getent group charond >/dev/null
then
	fail "charond is installed on the host already: not a clean slate"
fi
pass "charond is not installed, there is no group charond"

# --- systemd ------------------------------------------------------------------
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup
for u in systemd-tmpfiles-setup.service systemd-timesyncd.service \
    systemd-pcrphase.service systemd-pcrphase-sysinit.service \
    systemd-update-utmp.service; do
	ln -sf /dev/null "/etc/systemd/system/$u"
done
cat >/etc/systemd/system/charond-vm.target <<'UNIT'
[Unit]
Description=charond's package test (test/vm/package.sh)
Requires=sysinit.target
After=sysinit.target
UNIT
unshare --pid --fork --mount-proc env container=charond-vm \
    /lib/systemd/systemd --system --unit=charond-vm.target \
    --log-target=console --show-status=no >"$VM_OUT/systemd.log" 2>&1 &
i=0
while [ -z "$SD_PID" ]; do
	SD_PID=$(pgrep -x systemd | head -n 1) || :
	i=$((i + 1))
	[ $i -lt 100 ] || fail "systemd did not start"
	sleep 0.1
done
i=0
until [ -S /run/systemd/private ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "systemd's private socket did not appear"
	sleep 0.1
done
st=$(sd timeout 120 systemctl is-system-running --wait 2>&1) || :
case $st in
running | degraded) pass "systemd runs as PID 1 of its namespace ($st)" ;;
*)
	tail -n 30 "$VM_OUT/systemd.log"
	fail "systemd did not finish starting: $st"
	;;
esac

# --- install: the service starts, Type=notify -----------------------------
# apt's _apt user must be able to read it; apt resolves the dependencies
# (all installed here: the guest has no network).
mkdir -p /tmp/pkg
cp "$DEB" /tmp/pkg/
chmod -R a+rX /tmp/pkg
deb=/tmp/pkg/${DEB##*/}
assert_ok "apt-get install ./${DEB##*/} installs the package" \
    sd env DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb"
assert_ok "the service is active" sd systemctl is-active --quiet charond
assert_ok "and enabled" sd systemctl is-enabled --quiet charond
out=$(sd systemctl show -p Type -p MainPID -p NRestarts charond)
assert_contains "$out" "Type=notify" "the unit is Type=notify"
pid=$(echo "$out" | sed -n 's/^MainPID=//p')
[ "$pid" -gt 0 ] 2>/dev/null || fail "no main PID: $out"
assert_contains "$(sd cat "/proc/$pid/cmdline" | tr '\0' ' ')" \
    "/usr/sbin/charond" "systemd's main process is /usr/sbin/charond (PID $pid in its namespace)"
# A Type=notify service is active only once it said READY=1.
assert_contains "$(sd systemctl show -p ActiveState -p SubState charond)" \
    "SubState=running" "systemd counts it started and running (READY=1)"
assert_ok "the default configuration passes --check-config" \
    /usr/sbin/charond --check-config
# The unit's sandbox (etc/charond.service), as the kernel holds it for the
# running process: the rest of this test (the socket's group, a reload,
# SAs and policies installed for a ping) then runs inside it.
tab=$(printf '\t')
st=$(sd cat "/proc/$pid/status")
assert_contains "$st" "CapBnd:${tab}0000000000001401" \
    "charond keeps CAP_CHOWN, CAP_NET_BIND_SERVICE and CAP_NET_ADMIN alone"
assert_contains "$st" "NoNewPrivs:${tab}1" "NoNewPrivileges"
assert_contains "$st" "Seccomp:${tab}2" "a system call filter"
# mount_opts DIR: the options of the mount charond sees at DIR (the last
# one mounted there), "" if none is.
mi=$(sd cat "/proc/$pid/mountinfo")
mount_opts() { echo "$mi" | awk -v d="$1" '$5 == d { o = $6 } END { print o }'; }
# The guest's /etc, /var and /usr are writable overlays (see above);
# /run stays writable under ProtectSystem=strict, as systemd leaves it.
for d in /etc /var /usr; do
	case $(mount_opts $d) in
	ro*) ;;
	*) fail "$d is writable for charond ($(mount_opts $d)): $mi" ;;
	esac
done
pass "/etc, /var and /usr are read-only for charond (ProtectSystem=strict)"
for d in /run/charond /var/lib/charond; do
	case $(mount_opts $d) in
	rw*) ;;
	*) fail "$d is not writable for charond: $mi" ;;
	esac
done
pass "but /run/charond and /var/lib/charond are"
assert_contains "$(stat -c '%a %U' /var/lib/charond)" "700 root" \
    "/var/lib/charond is root's, 0700 (StateDirectory, for daemon.save_keys)"
gid=$(getent group charond | cut -d: -f3)
[ -n "$gid" ] || fail "no group charond"
pass "the group charond exists (gid $gid)"
assert_contains "$(stat -c '%a %U %G' /run/charond)" "755 root root" \
    "/run/charond is root's, 0755 (RuntimeDirectory)"
assert_contains "$(stat -c '%a %U %G %F' /run/charond/charond.sock)" \
    "660 root charond socket" "the control socket is 0660, group charond"
for f in /usr/sbin/charond /usr/bin/charonctl /usr/lib/charond/psk.so \
    /usr/share/man/man8/charond.8.gz /usr/share/man/man8/charonctl.8.gz \
    /usr/share/man/man5/charond.yaml.5.gz /etc/charond/charond.yaml \
    /lib/systemd/system/charond.service; do
	[ -e "$f" ] || fail "$f is missing"
done
pass "binaries, plugin, manuals, unit and configuration installed"
assert_ok "systemd-analyze verify finds nothing wrong in the unit" \
    sd systemd-analyze verify --man=no /lib/systemd/system/charond.service

# Proof that systemd waits for READY=1: without NOTIFY_SOCKET in charond's
# environment, the start times out.
mkdir -p /run/systemd/system/charond.service.d
printf '[Service]\nUnsetEnvironment=NOTIFY_SOCKET\nTimeoutStartSec=5\n' \
    >/run/systemd/system/charond.service.d/no-notify.conf
sd systemctl daemon-reload
assert_fails "without NOTIFY_SOCKET the start times out" \
    sd systemctl restart charond
rm -r /run/systemd/system/charond.service.d
sd systemctl daemon-reload
assert_ok "with it, it starts again" sd systemctl restart charond
pid=$(sd systemctl show -p MainPID --value charond)

# --- charonctl as a member of the group, and not ----------------------------
out=$(setpriv --reuid=nobody --regid=nogroup --groups="$gid" \
    charonctl version 2>&1) || fail "charonctl version as a member: $out"
echo "$out" | sed 's/^/  /'
assert_contains "$out" "charond 0.1.0" "charonctl version answers nobody in group charond"
assert_contains "$out" "psk" "with the packaged psk plugin loaded"
if out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
    charonctl version 2>&1); then
	fail "charonctl answers nobody outside the group: $out"
fi
pass "nobody outside the group is refused: $out"
assert_contains "$out" "adduser USER charond, then log in again" \
    "and told how to get in"
out=$(charonctl list-conns 2>&1) || fail "list-conns: $out"
pass "list-conns answers root (the default has no connections)"

# --- systemctl reload = SIGHUP --------------------------------------------
assert_ok "systemctl reload charond" sd systemctl reload charond
assert_ok "still active after the reload" sd systemctl is-active --quiet charond
new=$(sd systemctl show -p MainPID --value charond)
[ "$new" = "$pid" ] || fail "the reload restarted charond ($pid, now $new)"
pass "the same process ($pid)"
assert_contains "$(sd journalctl -u charond --no-pager 2>&1)" \
    "reloading /etc/charond/charond.yaml" "charond reloaded its file"

# --- a new user's first tunnel: wrong key, a typo, then up -----------------
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/package-user.sh"
# The user's own file: dpkg leaves what it did not install (it says
# "directory not empty so not removed"); a user who purges removes it.
rm /etc/charond/conf.d/site.yaml

# --- the L2TP/IPsec guide, followed as a new admin would ----------------------
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/package-l2tp.sh"

# --- purge: nothing left ----------------------------------------------------
# What daemon.save_keys would have left in the directory the default
# configuration suggests (it is off there): the purge removes it.
mkdir -m 0700 -p /var/lib/charond/keys
: >/var/lib/charond/keys/esp_sa
assert_ok "apt-get purge removes the package" \
    sd env DEBIAN_FRONTEND=noninteractive apt-get purge -y charond
assert_fails "the service is gone" sd systemctl is-active --quiet charond
if sd kill -0 "$pid" 2>/dev/null; then
	fail "charond ($pid) still runs"
fi
pass "charond ($pid) has exited"
assert_fails "the group charond is gone" getent group charond
[ ! -e /run/charond ] || fail "/run/charond is left: $(ls -la /run/charond)"
pass "/run/charond is gone"
assert_fails "dpkg knows no charond" dpkg-query -W charond
# Everything written since boot is in the overlays' upper directories
# (and /run); no path may still name charond.
left=$(find /run/overlay/usr/upper /run/overlay/etc/upper \
    /run/overlay/var/upper /run/overlay/root/upper /run \
    \( -path /run/overlay -o -path /run/vm \) -prune -o \
    -name '*charond*' -print 2>/dev/null |
    grep -v '/etc/upper/systemd/system/charond-vm.target$' || :)
[ -z "$left" ] || fail "left behind after the purge: $left"
pass "no file or directory named charond is left (/usr, /etc, /var, /root, /run)"
for f in /etc/group /etc/gshadow /etc/passwd; do
	if grep -q '^charond:' "$f"; then
		fail "$f still names charond"
	fi
done
pass "/etc/group, /etc/gshadow and /etc/passwd name no charond"
