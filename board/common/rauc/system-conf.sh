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
# the disk the booth boots from, as the kernel names its partitions
case $board in
qemu-arm64) part=/dev/vda ;;      # virtio-blk of QEMU's virt machine, GPT
rpi4 | rpi5) part=/dev/mmcblk0p ;; # the SD card slot, MBR
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
sed -e "s|@COMPATIBLE@|relais-booth-$board|" -e "s|@PART@|$part|" -e "s|@DATA_DIR@|$data_dir|" \
	-e "s|@KEYRING@|$keyring|" -e "s|@BACKEND@|$backend|" "$here/system.conf.in"
