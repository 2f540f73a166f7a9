#!/bin/sh
# SPDX-License-Identifier: ISC
# Installs the Debian packages charond's build and tests need. As root it
# runs apt-get itself; otherwise it prints the exact command and fails.
set -eu

# debhelper, build-essential (dpkg-buildpackage's check of the build
# dependencies) and lintian: make deb and check-package (debian/).
pkgs="gcc make autoconf pkg-config python3 libssl-dev libmnl-dev libnftnl-dev libev-dev
libyaml-dev libjansson-dev check clang libclang-rt-14-dev zsh tshark
debhelper build-essential lintian"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages; run as root:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
