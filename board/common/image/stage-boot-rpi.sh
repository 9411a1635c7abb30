#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Lays out the FAT partitions of a Raspberry Pi 4 or 5 booth (build.sh, step
# 5, through board/rpi4|rpi5/stage-boot.sh):
#   stage-boot-rpi.sh BOARD_DIR ROOT STAGE
# STAGE/config (the config partition): autoboot.txt and relais/bootstate.0/.1,
# written by the RAUC backend itself (board/common/rauc/rauc-bootslot) so
# that the image starts with exactly what the booth will write later.
# STAGE/boot (slot A's boot partition): the board's config.txt (also as
# tryboot.txt), cmdline.txt for slot A, Debian's kernel and initrd under fixed names, the device trees
# and, on the Pi 4, the firmware of Debian's raspi-firmware.
# Settings from BOARD_DIR/image.conf: RPI_FIRMWARE, RPI_DTBS, KERNEL_CONSOLE,
# INITRD_MODULES. Each missing piece is one sentence and exit 1.
set -euo pipefail
me="stage-boot"
if (($# != 3)); then
	echo "usage: stage-boot-rpi.sh BOARD_DIR ROOT STAGE" >&2
	exit 2
fi
board_dir=$1 root=$2 stage=$3
here=$(cd "$(dirname "$0")" && pwd)
die() {
	echo "$me: $*" >&2
	exit 1
}
# shellcheck source=../../rpi4/image.conf
source "$board_dir/image.conf"
: "${RPI_DTBS:?}" "${KERNEL_CONSOLE:?}" "${INITRD_MODULES:?}"

rm -rf "${stage:?}/config" "${stage:?}/boot"
mkdir -p "$stage/config/relais" "$stage/boot"

# --- the kernel, its initrd and device trees ----------------------------------
mapfile -t kernels < <(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sort -V)
((${#kernels[@]})) || die "$root/boot has no vmlinuz-*: no kernel package in the root"
((${#kernels[@]} == 1)) || die "$root/boot has more than one kernel (${kernels[*]}): which one boots is ambiguous"
kver=${kernels[0]#vmlinuz-}
[[ -f $root/boot/initrd.img-$kver ]] || die "$root/boot/initrd.img-$kver missing (initramfs-tools?)"
# Debian 12's kernels keep their device trees in /usr/lib/linux-image-VERSION,
# the later ones in /usr/lib/modules/VERSION/dtb
dtbdir=
for d in "$root/usr/lib/linux-image-$kver/broadcom" "$root/usr/lib/modules/$kver/dtb/broadcom"; do
	[[ -d $d ]] && dtbdir=$d && break
done
[[ -n $dtbdir ]] || die "kernel $kver has no broadcom device trees in the root"
for dtb in $RPI_DTBS; do
	[[ -f $dtbdir/$dtb ]] || die "kernel $kver has no $dtb (in $dtbdir): it cannot run this board"
	cp "$dtbdir/$dtb" "$stage/boot/"
done
cp "$root/boot/vmlinuz-$kver" "$stage/boot/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$stage/boot/initrd.img"
echo "$kver" >"$stage/boot/kernel-release"

# MODULES=list makes initramfs-tools skip a name it does not find without a
# word: every module INITRD_MODULES names must be in the initrd, or built in
builtin=$root/usr/lib/modules/$kver/modules.builtin
# (initramfs-tools compresses with zstd when the root has it, else gzip)
case $(od -An -tx1 -N4 "$stage/boot/initrd.img" | tr -d ' ') in
28b52ffd) unpack="zstd -dcq" ;;
1f8b*) unpack="gzip -dc" ;;
fd377a58) unpack="xz -dc" ;;
*) die "$root/boot/initrd.img-$kver is no zstd, gzip or xz archive" ;;
esac
initrd_list=$($unpack <"$stage/boot/initrd.img" 2>/dev/null | cpio -it --quiet 2>/dev/null) ||
	die "cannot list $root/boot/initrd.img-$kver (not a compressed cpio archive?)"
for m in $INITRD_MODULES; do
	pat=${m//[-_]/[-_]}
	grep -q "/${pat}\.ko" <<<"$initrd_list" && continue
	grep -q "/${pat}\.ko\$" "$builtin" 2>/dev/null && continue
	die "the initrd of $kver has no module $m, and the kernel does not have it built in: the SD card may never be found"
done

# --- firmware, configuration, command line -----------------------------------
for f in ${RPI_FIRMWARE:-}; do
	[[ -f $root/usr/lib/raspi-firmware/$f ]] || die "$root/usr/lib/raspi-firmware/$f missing (raspi-firmware not installed?)"
	cp "$root/usr/lib/raspi-firmware/$f" "$stage/boot/"
done
cp "$board_dir/config.txt" "$stage/boot/config.txt"
# With autoboot.txt's tryboot_a_b=1 the EEPROM has the firmware read
# config.txt on a try too; a start4.elf older than that (Debian 12's
# raspi-firmware is of 2022-08, tryboot_a_b came with 2022-10) reads
# tryboot.txt instead: the same file under both names.
cp "$board_dir/config.txt" "$stage/boot/tryboot.txt"
# slot A's command line; RAUC writes slot B's boot partition with an update
sed -e "s/@CONSOLE@/$KERNEL_CONSOLE/" -e 's/@slot@/a/g' -e 's/@SLOT@/A/g' \
	"$board_dir/cmdline.txt.in" >"$stage/boot/cmdline.txt"
(($(wc -l <"$stage/boot/cmdline.txt") == 1)) || die "$board_dir/cmdline.txt.in must be one line (the firmware reads only the first)"
! grep -q @ "$stage/boot/cmdline.txt" || die "$board_dir/cmdline.txt.in has an unknown @...@ placeholder"

# The raspi-firmware package's kernel hook filled the root's /boot/firmware
# (the config partition's mount point on the booth) with a second copy of
# the kernel, initrd and device trees, hidden under the mount: not kept.
find "$root/boot/firmware" -mindepth 1 -delete

# --- the config partition: A primary, nothing to try -------------------------
# Seeded with slot A alone (slot B is empty until the first update), then
# rewritten by the backend, which writes autoboot.txt beside it because one
# exists: the firmware boots partition 2, and on a try partition 3.
: >"$stage/config/autoboot.txt"
RELAIS_BOOTSTATE=$stage/config/relais/bootstate RELAIS_BOOTSLOT_CMDLINE=/dev/null \
	"$here/../rauc/rauc-bootslot" init A
rm -f "$stage/config/relais/.bootstate.lock"
grep -qx 'boot_partition=2' "$stage/config/autoboot.txt" || die "rauc-bootslot wrote no autoboot.txt for slot A"
