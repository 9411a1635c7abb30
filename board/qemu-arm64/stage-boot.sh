#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Lays out the FAT partitions' contents for qemu-arm64 (build.sh, step 5):
# stage-boot.sh ROOT STAGE fills STAGE/config (boot script, relais/bootstate.0/.1)
# and STAGE/boot (slot A's kernel and initrd) for genimage.cfg.
set -euo pipefail
root=$1 stage=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$stage/config" "$stage/boot"
mkdir -p "$stage/config/relais" "$stage/boot"
kernel=$(cd "$root/boot" && ls vmlinuz-* | sort -V | tail -1)
initrd=initrd.img-${kernel#vmlinuz-}
[[ -f $root/boot/$initrd ]] || { echo "stage-boot: $root/boot/$initrd missing (initramfs-tools?)" >&2; exit 1; }
cp "$root/boot/$kernel" "$stage/boot/vmlinuz"
cp "$root/boot/$initrd" "$stage/boot/initrd.img"
echo "${kernel#vmlinuz-}" >"$stage/boot/kernel-release"
# the boot-slot state (both copies): slot A primary and the only good one
# (B is empty until the first update), nothing to try
RELAIS_BOOTSTATE=$stage/config/relais/bootstate RELAIS_BOOTSLOT_CMDLINE=/dev/null \
	"$here/../common/rauc/rauc-bootslot" init A
rm -f "$stage/config/relais/.bootstate.lock"
# U-Boot's distro boot finds boot.scr on the first partition
mkimage -q -A arm64 -T script -C none -n "Relais A/B" -d "$here/boot.cmd" "$stage/config/boot.scr"
