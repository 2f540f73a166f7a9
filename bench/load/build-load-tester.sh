#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Builds strongSwan's charon with its load-tester plugin, from Debian's
# source package, into build/load-tester/ (its own prefix: the system's
# strongSwan is neither used nor touched). bench/load/run.sh uses it as
# the initiator of the host benchmark, and as the reference responder.
#
#   bench/load/build-load-tester.sh [OUTDIR]     (root: apt-get install)
#
# The source comes through a private APT configuration (a deb-src list
# and lists directory of its own under OUTDIR/apt), so the machine's APT
# sources are left as they are. A second run with OUTDIR/prefix/libexec
# /ipsec/charon present does nothing. The build time goes to
# OUTDIR/build-time.txt.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/load-tester}
mkdir -p "$out"
out=$(cd "$out" && pwd)
prefix=$out/prefix
charon=$prefix/libexec/ipsec/charon

# Only what the benchmark needs: charon (IKEv2 only) with load-tester,
# vici and swanctl, the openssl plugin for the crypto, the nonce, random
# and kdf plugins around it, kernel-netlink for the addresses (its XFRM
# half is replaced by load-tester's fake_kernel, loaded first),
# socket-default, and the certificate plugins load-tester's features ask
# for; everything else (gmp, stroke, IKEv1, scepclient, ...) is off to
# keep the build short.
opts="--disable-defaults --enable-charon --enable-ikev2 --enable-swanctl
--enable-vici --enable-load-tester --enable-openssl --enable-nonce
--enable-random --enable-kdf --enable-socket-default --enable-kernel-netlink
--enable-pem --enable-pkcs1 --enable-pubkey --enable-x509
--enable-constraints --disable-static"
# shellcheck disable=SC2086,SC2116 # one line, single spaces
opts=$(echo $opts)

# Our own patches to load-tester (bench/load/patches/*.patch, applied in
# name order to the unpacked source): the ECDSA one lets its credential
# set use an ECDSA issuer key (suite cert-ecdsa of run.sh). Their hash is
# part of the build's stamp, so that a changed patch rebuilds.
patches=$(find "$top/bench/load/patches" -name '*.patch' 2>/dev/null |
	LC_ALL=C sort)
# shellcheck disable=SC2086 # a list of file names without spaces
phash=$(cat /dev/null $patches | sha256sum | cut -c1-16)
stamp="$opts patches:$phash"

# Built already, with these options and patches: nothing to do.
if [ -x "$charon" ] && [ -x "$prefix/sbin/swanctl" ] &&
	[ "$(cat "$out/configure-options" 2>/dev/null)" = "$stamp" ]; then
	echo "load-tester: $charon already built (rm -rf $out to rebuild)"
	exit 0
fi

# The Debian mirror and suite the machine already uses (deb822 or the
# one-line format): only Debian's repositories are reachable.
mirror=
suite=
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	u=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ { print $2; exit }' "$f")
	s=$(awk '/^Suites:/ { print $2; exit }' "$f")
	if [ -n "$u" ] && [ -n "$s" ]; then
		mirror=$u
		suite=$s
		break
	fi
done
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
	# shellcheck disable=SC2046 # two words, mirror and suite
	set -- $(awk '$1 == "deb" && $2 ~ /debian\/?$/ { print $2, $3; exit }' \
		/etc/apt/sources.list)
	mirror=${1:-}
	suite=${2:-}
fi
mirror=${LOAD_TESTER_MIRROR:-${mirror:-http://deb.debian.org/debian}}
suite=${LOAD_TESTER_SUITE:-${suite:-bookworm}}
security=${mirror%/debian}/debian-security
mirror=${mirror%/}

apt=$out/apt
mkdir -p "$apt/lists/partial" "$out/src"
{
	echo "deb-src $mirror $suite main"
	echo "deb-src $mirror $suite-updates main"
	echo "deb-src $security $suite-security main"
} >"$apt/sources.list"
set -- -o Dir::Etc::sourcelist="$apt/sources.list" \
	-o Dir::Etc::sourceparts=- -o Dir::State::Lists="$apt/lists"

start=$(date +%s)
echo "load-tester: deb-src from $mirror ($suite)"
apt-get "$@" update -q
# What configure below needs: a compiler, make, OpenSSL's headers (the
# openssl plugin does all the crypto); dpkg-dev unpacks the source, patch
# applies ours. Only the missing ones are installed: naming an installed
# package to apt-get would upgrade it (and its libraries, under the
# machine's other users).
missing=
for p in gcc make pkg-config libssl-dev dpkg-dev patch; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $missing
fi

cd "$out/src"
if ! ls strongswan_*.dsc >/dev/null 2>&1; then
	# The newest version first; the security archive's mirror may lack
	# its .dsc, then the point release's suite has one.
	apt-get "$@" source -q --download-only strongswan ||
		apt-get "$@" source -q --download-only "strongswan/$suite"
fi
# A tree unpacked without these patches (or with others) is unpacked
# again: the patches apply to Debian's source only.
src=$(ls -d "$out"/src/strongswan-*/ 2>/dev/null | head -n 1 || :)
if [ -z "$src" ] || [ "$(cat "$src/.charond-patches" 2>/dev/null)" != "$phash" ]
then
	rm -rf "$out"/src/strongswan-*/
	dpkg-source --no-check -x "$(ls strongswan_*.dsc | sort -V | tail -n 1)"
	src=$(ls -d "$out"/src/strongswan-*/ | head -n 1)
	for p in $patches; do
		echo "load-tester: applying $(basename "$p")"
		patch -d "$src" -p1 -s --no-backup-if-mismatch <"$p"
	done
	echo "$phash" >"$src/.charond-patches"
fi
fetched=$(date +%s)
cd "$src"
# Debian's patches are applied by dpkg-source (format 3.0 quilt). The
# build's output goes to OUTDIR/build.log.
rm -rf "$out/configure-options" "$prefix"
[ ! -f Makefile ] || make -s distclean >/dev/null 2>&1 || :
# shellcheck disable=SC2086 # opts is a list of words
./configure -q --prefix="$prefix" --sysconfdir="$prefix/etc" \
	--with-piddir="$out/run" $opts CFLAGS="-O2 -g" >"$out/build.log" 2>&1
nice -n 10 make -j2 >>"$out/build.log" 2>&1
make install >>"$out/build.log" 2>&1
echo "$stamp" >"$out/configure-options"
end=$(date +%s)

{
	echo "source: $(basename "$src") from $mirror ($suite)," \
	    "patches: $(for p in $patches; do basename "$p"; done | tr '\n' ' ' | sed 's/ $//')"
	echo "fetch_and_deps_s: $((fetched - start))"
	echo "configure_build_install_s: $((end - fetched))"
	echo "total_s: $((end - start))"
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "nproc: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/build-time.txt"
cat "$out/build-time.txt"
