#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What a booth's root needs for updates, installed by the image recipe:
#   install-root.sh ROOTDIR BOARD [KEYRING]
# ROOTDIR/etc/rauc/system.conf (system-conf.sh BOARD), /etc/rauc/keyring.pem
# (KEYRING, else RELAIS_BUNDLE_KEYRING, else the development certificate of
# $O/keys/dev, with a warning) and /usr/lib/relais/rauc-bootslot.
set -eu
me=install-root
here=$(cd "$(dirname "$0")" && pwd)
die() {
	echo "$me: $*" >&2
	exit 1
}
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: install-root.sh ROOTDIR qemu-arm64|rpi4|rpi5 [KEYRING]" >&2
	exit 2
fi
root=$1 board=$2 keyring=${3:-${RELAIS_BUNDLE_KEYRING:-}}
[ -d "$root" ] || die "$root: no such folder"
conf=$("$here/system-conf.sh" "$board") || exit 2
if [ -z "$keyring" ]; then
	keyring=$("$here/devkey.sh" "${O:-build}") || die "no development key pair"
	echo "$me: WARNING: $root trusts the DEVELOPMENT key ($keyring): never ship this image" >&2
fi
[ -r "$keyring" ] || die "cannot read the keyring $keyring"
grep -q -- "-----BEGIN CERTIFICATE-----" "$keyring" || die "$keyring holds no PEM certificate"
# a keyring with a private key in it would hand the signing key to every booth
! grep -q -- "PRIVATE KEY-----" "$keyring" || die "$keyring holds a private key: give the CA certificate only"
mkdir -p "$root/etc/rauc" "$root/usr/lib/relais"
printf '%s\n' "$conf" >"$root/etc/rauc/system.conf"
cp "$keyring" "$root/etc/rauc/keyring.pem"
cp "$here/rauc-bootslot" "$root/usr/lib/relais/rauc-bootslot"
chmod 0644 "$root/etc/rauc/system.conf" "$root/etc/rauc/keyring.pem"
chmod 0755 "$root/usr/lib/relais/rauc-bootslot"
