#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Makes a signed RAUC bundle (verity format) of a board's boot and root
# images: `make bundle BOARD=...`, or mkbundle.sh BOARD VERSION. README.md here.
#
#   O                    build folder (build): images in $O/BOARD/, the
#                        bundle $O/BOARD/relais-BOARD-VERSION.raucb
#   RELAIS_BUNDLE_ROOTFS root image (ext4), default $O/BOARD/rootfs.ext4
#   RELAIS_BUNDLE_BOOT   boot image (vfat), default $O/BOARD/boot.vfat
#   RELAIS_BUNDLE_KEY    signing key and certificate (PEM files or PKCS#11
#   RELAIS_BUNDLE_CERT   URLs); none: a development pair in $O/keys/dev/
#   RELAIS_BUNDLE_KEYRING the booths' keyring: the bundle is checked against
#                        it once made (default: the development certificate)
set -eu
me=mkbundle
here=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "$me: $*" >&2
	exit 1
}

[ $# -eq 2 ] || {
	echo "usage: mkbundle.sh BOARD VERSION (make bundle BOARD=...)" >&2
	exit 2
}
board=$1 version=$2
case $board in
qemu-arm64 | rpi4 | rpi5) ;;
*) die "unknown board '$board' (qemu-arm64, rpi4 or rpi5)" ;;
esac
case $version in
'' | *[!A-Za-z0-9.+_~-]*) die "version '$version' may only have letters, digits and . + _ ~ -" ;;
esac
O=${O:-build}
out=$O/$board
rootfs=${RELAIS_BUNDLE_ROOTFS:-$out/rootfs.ext4}
boot=${RELAIS_BUNDLE_BOOT:-$out/boot.vfat}

for t in rauc mksquashfs dumpe2fs fsck.fat openssl; do
	command -v $t >/dev/null || [ -x /usr/sbin/$t ] || die "$t is missing (board/host/packages.txt: make deps)"
done
PATH=$PATH:/usr/sbin

# Images: made by `make image BOARD=...`; never faked here.
[ -f "$rootfs" ] || die "no root image $rootfs: build it first with 'make image BOARD=$board' (or set RELAIS_BUNDLE_ROOTFS)"
[ -f "$boot" ] || die "no boot image $boot: build it first with 'make image BOARD=$board' (or set RELAIS_BUNDLE_BOOT)"
# an image cut short or of the wrong kind would be written to a booth's slot
info=$(dumpe2fs -h "$rootfs" 2>/dev/null) || die "$rootfs is not an ext4 file system image"
bcount=$(echo "$info" | sed -n 's/^Block count: *//p')
bsize=$(echo "$info" | sed -n 's/^Block size: *//p')
size=$(wc -c <"$rootfs")
[ $((bcount * bsize)) -le "$size" ] ||
	die "$rootfs is cut short: its file system needs $((bcount * bsize)) bytes, the file has $size"
fsck.fat -n "$boot" >/dev/null 2>&1 || die "$boot is not a sound FAT file system image (fsck.fat -n $boot says why)"

key=${RELAIS_BUNDLE_KEY:-} cert=${RELAIS_BUNDLE_CERT:-} keyring=${RELAIS_BUNDLE_KEYRING:-}
if [ -n "$key" ] || [ -n "$cert" ]; then
	if [ -z "$key" ] || [ -z "$cert" ]; then die "RELAIS_BUNDLE_KEY and RELAIS_BUNDLE_CERT go together"; fi
	for f in "$key" "$cert"; do
		case $f in pkcs11:*) ;; *) [ -r "$f" ] || die "cannot read $f" ;; esac
	done
else
	cert=$("$here/devkey.sh" "$O") || die "no development key pair"
	key=${cert%.crt}.key
	keyring=${keyring:-$cert}
	cat >&2 <<-WARN
		********************************************************************
		$me: WARNING: signed with the DEVELOPMENT key $key
		$me: (no RELAIS_BUNDLE_KEY/RELAIS_BUNDLE_CERT given). Booths accept
		$me: it only if their keyring holds $cert: never ship
		$me: that keyring; a fleet's key stays offline (README.md, "Update").
		********************************************************************
	WARN
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/relais-bundle.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/in"
# hard links when possible: a root image is big
ln "$rootfs" "$work/in/rootfs.ext4" 2>/dev/null || cp "$rootfs" "$work/in/rootfs.ext4"
ln "$boot" "$work/in/boot.vfat" 2>/dev/null || cp "$boot" "$work/in/boot.vfat"
# The Pi firmware hands the boot partition's cmdline.txt to the kernel as it
# is: once written into a slot, the boot image is made that slot's by the
# bundle's hook (bundle-hook.sh). qemu-arm64's boot script makes its own.
hooks=
case $board in
rpi4 | rpi5)
	cp "$here/bundle-hook.sh" "$work/in/hook.sh"
	hooks=post-install
	;;
esac
cat >"$work/in/manifest.raucm" <<EOM
[update]
compatible=relais-booth-$board
version=$version
description=Relais booth $board

[bundle]
format=verity
${hooks:+
[hooks]
filename=hook.sh
}
[image.rootfs]
filename=rootfs.ext4

[image.boot]
filename=boot.vfat
${hooks:+hooks=$hooks}
EOM

mkdir -p "$out"
bundle=$out/relais-$board-$version.raucb
rm -f "$bundle.tmp"
rauc bundle --cert="$cert" --key="$key" ${keyring:+--signing-keyring="$keyring"} \
	"$work/in" "$bundle.tmp" >"$work/log" 2>&1 || {
	cat "$work/log" >&2
	rm -f "$bundle.tmp"
	die "rauc bundle failed"
}
mv "$bundle.tmp" "$bundle"
echo "$me: $bundle ($(wc -c <"$bundle") bytes, compatible relais-booth-$board, version $version)"
