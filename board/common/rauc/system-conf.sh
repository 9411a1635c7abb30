#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Prints RAUC's /etc/rauc/system.conf for a board, from system.conf.in:
#   system-conf.sh BOARD [--data-dir DIR] [--keyring FILE] [--backend FILE]
# (the options are for tests on a host; the image takes the defaults).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
me=system-conf.sh
[ $# -ge 1 ] || {
	echo "usage: $me qemu-arm64|rpi4|rpi5 [--data-dir DIR] [--keyring FILE] [--backend FILE]" >&2
	exit 2
}
board=$1
shift
# the slots' partitions (2 and 3 boot, 4 and 5 system, GPT)
case $board in
qemu-arm64) # virtio-blk of QEMU's virt machine, always vda
	boot_a=/dev/vda2 boot_b=/dev/vda3 system_a=/dev/vda4 system_b=/dev/vda5 ;;
rpi4 | rpi5)
	# by GPT name: the mainline device trees of Debian's kernels give the
	# SD card no mmc alias, so it is mmcblk0 or mmcblk1 depending on which
	# controller (the card's or Wi-Fi's) probes first
	d=/dev/disk/by-partlabel
	boot_a=$d/boot_a boot_b=$d/boot_b system_a=$d/system_a system_b=$d/system_b ;;
*)
	echo "$me: unknown board '$board' (qemu-arm64, rpi4 or rpi5)" >&2
	exit 2
	;;
esac
data_dir=/data/rauc keyring=/etc/rauc/keyring.pem backend=/usr/lib/relais/rauc-bootslot
while [ $# -ge 2 ]; do
	case $1 in
	--data-dir) data_dir=$2 ;;
	--keyring) keyring=$2 ;;
	--backend) backend=$2 ;;
	*) break ;;
	esac
	shift 2
done
[ $# -eq 0 ] || {
	echo "$me: unexpected argument '$1'" >&2
	exit 2
}
sed -e "s|@COMPATIBLE@|relais-booth-$board|" -e "s|@BOOT_A@|$boot_a|" -e "s|@BOOT_B@|$boot_b|" \
	-e "s|@SYSTEM_A@|$system_a|" -e "s|@SYSTEM_B@|$system_b|" -e "s|@DATA_DIR@|$data_dir|" \
	-e "s|@KEYRING@|$keyring|" -e "s|@BACKEND@|$backend|" "$here/system.conf.in"
