#!/usr/bin/env bash
# deps.sh — install the Debian packages ringlab builds and tests with, if any is missing.
#
# As root it runs apt-get; otherwise it prints the one command to run and fails.
# Safe to run repeatedly: it does nothing when every package is present.
set -euo pipefail

packages=(gcc make binutils libc6-dev gcc-multilib liblua5.4-dev libcmocka-dev
	  libsqlite3-dev qemu-system-x86 gnuplot-nox parallel libpapi-dev python3 clang libclang-rt-14-dev pkg-config
	  libcapstone-dev)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "ringlab: missing packages: ${missing[*]}" >&2
	echo "run as root: apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "ringlab: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
