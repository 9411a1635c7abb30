#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# RAUC's hook in the bundles of the Pi boards (mkbundle.sh puts it in as
# hook.sh; README.md beside it). A bundle carries one boot image, slot A's,
# whose cmdline.txt says root=PARTLABEL=system_a rauc.slot=A: the Pi
# firmware passes that file to the kernel as it is, so once the image is
# written into a slot's boot partition, its command line is made that
# slot's (slot-post-install, RAUC_SLOT_BOOTNAME A or B). Without it, slot
# B's new kernel would boot slot A's old root.
# Anything else than a boot slot with a cmdline.txt is left as it is (no
# cmdline.txt: the boot loader makes the command line, as on qemu-arm64).
# A cmdline.txt without root=PARTLABEL=system_a|b and rauc.slot=A|B fails
# the install (RAUC then keeps the running slot as the one to boot).
set -u
me=bundle-hook
die() {
	echo "$me: $*" >&2
	exit 1
}
[ "${1:-}" = slot-post-install ] || exit 0
[ "${RAUC_SLOT_CLASS:-}" = boot ] || exit 0
f=${RAUC_SLOT_MOUNT_POINT:?}/cmdline.txt
[ -e "$f" ] || exit 0
case ${RAUC_SLOT_BOOTNAME:-} in
A) s=a ;;
B) s=b ;;
*) die "slot ${RAUC_SLOT_NAME:-?} has the boot name '${RAUC_SLOT_BOOTNAME:-}', not A or B: cannot name its root in cmdline.txt" ;;
esac
line=$(head -n 1 "$f") || die "cannot read $f"
# whole words only: ' word ' with the line padded by spaces
case " $line " in
*" root=PARTLABEL=system_a "* | *" root=PARTLABEL=system_b "*) ;;
*) die "$f has no root=PARTLABEL=system_a|b: cannot point it at slot $RAUC_SLOT_BOOTNAME's root" ;;
esac
case " $line " in
*" rauc.slot=A "* | *" rauc.slot=B "*) ;;
*) die "$f has no rauc.slot=A|B: cannot make it slot $RAUC_SLOT_BOOTNAME's" ;;
esac
new=$(printf ' %s \n' "$line" | sed -e "s/ root=PARTLABEL=system_[ab] / root=PARTLABEL=system_$s /g" \
	-e "s/ rauc\\.slot=[AB] / rauc.slot=$RAUC_SLOT_BOOTNAME /g" -e 's/^ //' -e 's/ $//')
# written whole or not at all: the old file stays until the rename
tmp=$f.tmp
{ printf '%s\n' "$new" >"$tmp" && sync "$tmp" && mv -f "$tmp" "$f"; } || {
	rm -f "$tmp"
	die "cannot write $f"
}
sync "$RAUC_SLOT_MOUNT_POINT" 2>/dev/null || true
echo "$me: $f: root=PARTLABEL=system_$s rauc.slot=$RAUC_SLOT_BOOTNAME"
