#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds a booth disk image: build.sh BOARD OUTDIR (`make image BOARD=...`).
#   1. host set-up (install-deps.sh: packages, qemu-user-static + binfmt_misc)
#   2. an arm64 sysroot of -dev packages (mmdebstrap), kept between builds
#   3. relais-booth and its tools cross-compiled against it (Debian's
#      aarch64-linux-gnu-gcc), installed into a staging folder
#   4. the root folder OUTDIR/root (mmdebstrap, Debian 12 arm64), then
#      customize.sh (units, accounts, fstab) and check-root.sh
#   5. partitions (genimage, board/BOARD/genimage.cfg), the block map
#      (bmaptool), the package list OUTDIR/relais-BOARD.packages
# Environment: RELAIS_MIRROR (default http://deb.debian.org/debian; a
# snapshot.debian.org URL pins a date), RELAIS_SECURITY_MIRROR (likewise,
# "none" leaves it out), SOURCE_DATE_EPOCH (default: the commit's time),
# RELAIS_IMAGE_CACHE (default OUTDIR/../image-cache: the sysroot and the .deb
# cache, shared by the boards of one architecture).
set -euo pipefail
if (($# != 2)); then
	echo "usage: build.sh BOARD OUTDIR" >&2
	exit 2
fi
board=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
conf=$top/board/$board/image.conf
if [[ ! -f $conf ]]; then
	echo "image: board '$board' has no image recipe ($conf); boards with one:" \
		"$(cd "$top/board" && ls -d */image.conf 2>/dev/null | cut -d/ -f1 | tr '\n' ' ')" >&2
	exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "image: run as root (mmdebstrap's root mode, chroot, binfmt_misc)" >&2
	exit 1
fi
# shellcheck source=../../qemu-arm64/image.conf
source "$conf"
mkdir -p "$2"
out=$(cd "$2" && pwd)
mirror=${RELAIS_MIRROR:-http://deb.debian.org/debian}
security=${RELAIS_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
suite=bookworm
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}
version=$(sed -n 's/^RELAIS_VERSION := //p' "$top/Makefile")
build_id=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)

t_start=$SECONDS
t_step=$SECONDS
step() {
	echo "image: [$((SECONDS - t_start))s] $*"
	t_step=$SECONDS
}
took() { echo "image:   done in $((SECONDS - t_step))s"; }
pkgs() { grep -Ev '^\s*(#|$)' "$1" | tr '\n' ' '; }

# image.conf may add archive components (the Pi firmware is in
# non-free-firmware) and suites (a backports kernel): the root gets them, the
# sysroot never does, so that every board of one architecture shares it.
components=${COMPONENTS:-main}
base_sources=("deb $mirror $suite main" "deb $mirror $suite-updates main")
[[ $security == none ]] || base_sources+=("deb $security $suite-security main")
sources=("deb $mirror $suite $components" "deb $mirror $suite-updates $components")
[[ $security == none ]] || sources+=("deb $security $suite-security $components")
for s in ${EXTRA_SUITES:-}; do
	sources+=("deb $mirror $s $components")
done
# the sysroot and the .deb cache of this architecture, shared between boards
# (one board's build locks the sysroot while it makes or reads it)
cache=${RELAIS_IMAGE_CACHE:-$(dirname "$out")/image-cache}/$ARCH
mkdir -p "$cache/debs"

# mmdebstrap with the architecture's .deb cache (a second build, of any
# board, downloads nothing that did not change): TARGET, the packages of $2
# (comma list), the name of the array of apt sources lines, then any extra
# options.
mmdeb() {
	local target=$1 include=$2
	local -n srcs=$3
	shift 3
	mmdebstrap --mode=root --variant=minbase --architectures="$ARCH" \
		--include="$include" \
		--aptopt='Acquire::Retries "3"' \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--skip=download/empty \
		--setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
		--setup-hook="sync-in $cache/debs /var/cache/apt/archives/" \
		--customize-hook="sync-out /var/cache/apt/archives $cache/debs" \
		"$@" "$suite" "$target" "${srcs[@]}"
}

step "host set-up"
"$here/install-deps.sh" "$ARCH"

# --- 2. the sysroot ----------------------------------------------------------
sysroot=$cache/sysroot
want=$(sha256sum "$here/sysroot-packages.txt" | cut -c1-16)
exec 8>"$cache/.lock"
flock -x 8
# a build folder of before the shared cache: move its sysroot and .debs over
if [[ ! -e $sysroot && $(cat "$out/sysroot/.relais-sysroot" 2>/dev/null) == "$want" ]]; then
	mv "$out/sysroot" "$sysroot"
fi
if [[ -d $out/cache/debs-$ARCH ]]; then
	find "$out/cache/debs-$ARCH" -maxdepth 1 -name '*.deb' -exec mv -n -t "$cache/debs" {} +
	rm -rf "$out/cache/debs-$ARCH"
fi
if [[ $(cat "$sysroot/.relais-sysroot" 2>/dev/null) != "$want" ]]; then
	step "sysroot: mmdebstrap $ARCH -dev packages into $sysroot"
	rm -rf "$sysroot"
	mmdeb "$sysroot" "$(pkgs "$here/sysroot-packages.txt" | tr ' ' ',' | sed 's/,$//')" base_sources
	echo "$want" >"$sysroot/.relais-sysroot"
	took
else
	step "sysroot: $sysroot is up to date"
fi
# read-only from here on: other boards may read it at the same time
flock -s 8

# --- 3. the cross build ------------------------------------------------------
step "cross build: relais-booth, relais-boothctl, relaisctl for $ARCH"
fw=$out/firmware
pcdirs=$sysroot/usr/lib/$CROSS/pkgconfig:$sysroot/usr/share/pkgconfig:$sysroot/usr/lib/pkgconfig
env PKG_CONFIG_SYSROOT_DIR="$sysroot" PKG_CONFIG_LIBDIR="$pcdirs" PKG_CONFIG_PATH= \
	make -C "$top" --no-print-directory -j"${RELAIS_JOBS:-2}" O="$fw" BOARD="$DEFCONFIG" \
	CC="$CROSS-gcc --sysroot=$sysroot" \
	"$fw/bin/relais-booth" "$fw/bin/relais-boothctl" "$fw/bin/relaisctl" \
	$(for po in "$top"/assets/i18n/*.po; do
		l=$(basename "$po" .po)
		echo "$fw/locale/$l/LC_MESSAGES/relais-booth.mo"
	done)
took
file -b "$fw/bin/relais-booth" | grep -q "ARM aarch64" ||
	{ echo "image: $fw/bin/relais-booth is not an $ARCH program" >&2; exit 1; }

stage=$out/stage
rm -rf "$stage"
mkdir -p "$stage/relais/usr/bin" "$stage/relais/usr/share/relais/pipelines" "$stage/relais/usr/share/relais/questions"
for b in relais-booth relais-boothctl relaisctl; do
	"$CROSS-strip" -o "$stage/relais/usr/bin/$b" "$fw/bin/$b"
done
cp -r "$fw/locale" "$stage/relais/usr/share/relais/locale"
cp -r "$top"/pipelines/*/ "$stage/relais/usr/share/relais/pipelines/"
cp "$top/assets/questions/default.ini" "$stage/relais/usr/share/relais/questions/"

# The libraries the programs load, as Debian packages of the sysroot: the
# image installs exactly those (no -dev package, no guessing a soname).
libpkgs=$(for b in "$stage"/relais/usr/bin/*; do
	"$CROSS-objdump" -p "$b" | awk '$1 == "NEEDED" { print $2 }'
done | sort -u | while read -r so; do
	dpkg-query --admindir="$sysroot/var/lib/dpkg" -S "*/$so" 2>/dev/null | head -1 | cut -d: -f1
done | sort -u | tr '\n' ' ')
[[ -n $libpkgs ]] || { echo "image: found no library package for the booth's NEEDED entries" >&2; exit 1; }
echo "image:   libraries from: $libpkgs"
flock -u 8

# --- 4. the root folder ------------------------------------------------------
root=$out/root
include=$(echo "$(pkgs "$here/packages.txt") $BOARD_PACKAGES $libpkgs" | tr -s ' ' ',' | sed 's/^,//;s/,$//')
# The mmdebstrap root before customize.sh, kept as a tarball keyed by what
# makes it (packages, mirrors, initramfs modules): a build that changed only
# the booth, the units or the partitions reuses it (RELAIS_FRESH_ROOT=1 makes
# it anew, against the archive of the day).
# A board's own step in making its root (image.conf's ROOT_HOOK, a script of
# board/BOARD/): mmdebstrap runs it after the essential packages and at the
# end, MMDEBSTRAP_HOOK saying which; the script is part of the root's key.
root_hook=() hook_sum=
if [[ -n ${ROOT_HOOK:-} ]]; then
	h=$top/board/$board/$ROOT_HOOK
	[[ -x $h ]] || { echo "image: image.conf's ROOT_HOOK $h is not an executable" >&2; exit 1; }
	root_hook=(--essential-hook="$h" --customize-hook="$h")
	hook_sum=hook=$(sha256sum <"$h" | cut -c1-16)
fi
# the initrd's own scripts (initramfs/): copied in before the kernel's
# package makes the initrd, so part of the key
initramfs_dir=$here/initramfs
initramfs_sum=initramfs=$(cat "$initramfs_dir"/* | sha256sum | cut -c1-16)
base_key=$(printf '%s\n' "$include" "$mirror" "$security" "$INITRD_MODULES" "base-v1" "$initramfs_sum" \
	${COMPONENTS:+"components=$components"} ${EXTRA_SUITES:+"suites=$EXTRA_SUITES"} ${hook_sum:+"$hook_sum"} |
	sha256sum | cut -c1-16)
base=$out/cache/root-base-$ARCH.tar
mkdir -p "$out/cache"
rm -rf "$root"
if [[ ${RELAIS_FRESH_ROOT:-0} != 1 && -f $base && $(cat "$base.key" 2>/dev/null) == "$base_key" ]]; then
	step "root: the mmdebstrap root of $(date -u -r "$base" '+%F %T UTC') ($base; RELAIS_FRESH_ROOT=1 makes it anew)"
	mkdir -p "$root"
	tar -C "$root" --numeric-owner --xattrs --xattrs-include="*" -xf "$base"
	cp "$base.apt-dates" "$out/apt-dates"
	took
else
	step "root: mmdebstrap Debian 12 $ARCH into $root"
	# initramfs-tools: only the modules the board needs to find its root
	# (image.conf's INITRD_MODULES) instead of "most": under qemu-user the
	# default copies and compresses thousands of modules, twice (12 min each)
	mmdeb "$root" "$include" sources "${root_hook[@]}" \
		--essential-hook='mkdir -p "$1"/etc/initramfs-tools/conf.d "$1"/usr/share/initramfs-tools/modules.d' \
		--essential-hook="echo MODULES=list > \"\$1\"/etc/initramfs-tools/conf.d/relais" \
		--essential-hook="printf '%s\\n' $INITRD_MODULES > \"\$1\"/usr/share/initramfs-tools/modules.d/relais" \
		--essential-hook='mkdir -p "$1"/etc/initramfs-tools/scripts/local-bottom' \
		--essential-hook="copy-in $initramfs_dir/relais-machine-id /etc/initramfs-tools/scripts/local-bottom/" \
		--customize-hook='sed -n "s/^Date: //p" "$1"/var/lib/apt/lists/*_InRelease > "$1"/../apt-dates'
	rm -f "$base" "$base.key"
	tar -C "$root" --numeric-owner --xattrs --xattrs-include="*" -cf "$base.tmp" .
	mv "$base.tmp" "$base"
	cp "$out/apt-dates" "$base.apt-dates"
	echo "$base_key" >"$base.key"
	took
fi
step "root: customize (units, accounts, fstab, data partition)"
RELAIS_BOARD=$board RELAIS_SERIAL_CONSOLE=${SERIAL_CONSOLE:-} \
	RELAIS_VERSION=$version RELAIS_BUILD_ID=$build_id "$here/customize.sh" "$root" "$top" "$stage"
step "root: static checks"
"$here/check-root.sh" "$root"

# --- 5. partitions -----------------------------------------------------------
step "partitions: genimage board/$board/genimage.cfg"
name=relais-$board
"$top/board/$board/stage-boot.sh" "$root" "$stage"
rm -rf "$out/genimage-tmp" "$out/genimage-out" "$out/$name.img" "$out/$name.img.bmap"
mkdir -p "$stage/empty"
(cd "$stage" && genimage --config "$top/board/$board/genimage.cfg" --rootpath "$stage/empty" \
	--tmppath "$out/genimage-tmp" --inputpath "$stage" --outputpath "$out/genimage-out") >"$out/genimage.log" 2>&1 ||
	{ tail -20 "$out/genimage.log" >&2; echo "image: genimage failed (log: $out/genimage.log)" >&2; exit 1; }
mv "$out/genimage-out/disk.img" "$out/$name.img"
# slot A's two halves, what `make bundle` packs (board/common/rauc/)
mv "$out/genimage-out/boot_a.vfat" "$out/boot.vfat"
mv "$out/genimage-out/system_a.ext4" "$out/rootfs.ext4"
rm -rf "$out/genimage-tmp" "$out/genimage-out"
bmaptool -q create -o "$out/$name.img.bmap" "$out/$name.img"
took

dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Package}=${Version}\n' | LC_ALL=C sort >"$out/$name.packages"
{
	echo "board=$board"
	echo "relais=$version ($build_id)"
	echo "mirror=$mirror"
	echo "security=$security"
	sort -u "$out/apt-dates" | sed 's/^/archive-date=/'
	echo "source-date-epoch=$SOURCE_DATE_EPOCH"
	echo "packages-sha256=$(sha256sum <"$out/$name.packages" | cut -c1-64)"
} >"$out/$name.buildinfo"
rm -f "$out/apt-dates"

npkg=$(wc -l <"$out/$name.packages")
apparent=$(stat -c %s "$out/$name.img")
mapped=$(sed -n 's|.*<MappedBlocksCount> *\([0-9]*\).*|\1|p' "$out/$name.img.bmap")
bsize=$(sed -n 's|.*<BlockSize> *\([0-9]*\).*|\1|p' "$out/$name.img.bmap")
echo
echo "image: $out/$name.img: $((apparent / 1048576)) MiB on the card," \
	"$((mapped * bsize / 1048576)) MiB of data to write ($out/$name.img.bmap)"
echo "image: $npkg Debian packages installed (list: $out/$name.packages; $out/$name.buildinfo)"
echo "image: built in $((SECONDS - t_start))s"
