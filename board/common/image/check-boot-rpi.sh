#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Static checks of a Raspberry Pi booth image's partitions and boot files,
# the things the Pi firmware, the kernel and RAUC each find by a number or
# a name that another file gives: check-boot-rpi.sh IMAGE BOARD_DIR.
# Run by make check (tests/integration/test-check-boot-rpi.c) on
# build/rpi4|rpi5/relais-*.img when there is one. Needs no root: sfdisk
# reads the table of the file, mtools its FAT partitions. Each failed check
# is one line on standard error; exit 1 if any failed, 2 on bad usage.
#   - GPT; partitions 1-6 named config, boot_a, boot_b, system_a, system_b,
#     data (autoboot.txt, cmdline.txt and RAUC's system.conf name them so);
#     1-3 of the FAT type, 4-5 arm64 root and 6 Linux data (systemd-repart
#     grows the one Linux-data partition), every one on a 4 MiB boundary
#   - the config partition: both copies of relais/bootstate whole as
#     rauc-bootslot reads them, autoboot.txt within the firmware's 512 bytes and exactly
#     what rauc-bootslot writes for that state (tryboot_a_b=1, the
#     primary's boot partition, the other one on a try)
#   - each good slot's boot partition (bootstate's order): config.txt and
#     the same as tryboot.txt (read by firmware older than tryboot_a_b),
#     config.txt's kernel= and initramfs files there, the kernel an arm64 Image, the
#     board's firmware files and device trees (BOARD_DIR/image.conf), a
#     one-line cmdline.txt with root=PARTLABEL=system_<its slot>,
#     rauc.slot=<its slot>, a console= and rootwait
set -uo pipefail
if (($# != 2)); then
	echo "usage: check-boot-rpi.sh IMAGE BOARD_DIR" >&2
	exit 2
fi
img=$1 board_dir=$2
here=$(cd "$(dirname "$0")" && pwd)
[[ -f $img ]] || {
	echo "check-boot: $img: no such image file" >&2
	exit 2
}
[[ -f $board_dir/image.conf ]] || {
	echo "check-boot: $board_dir has no image.conf" >&2
	exit 2
}
RPI_FIRMWARE='' RPI_DTBS=''
# shellcheck source=../../rpi4/image.conf
source "$board_dir/image.conf"
PATH=$PATH:/usr/sbin
export MTOOLS_SKIP_CHECK=1
fails=0
fail() {
	echo "check-boot: FAIL: $*" >&2
	fails=$((fails + 1))
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relais-check-boot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- the partition table -------------------------------------------------------
want=(config boot_a boot_b system_a system_b data)
table=$(sfdisk -d "$img" 2>"$tmp/err") || {
	fail "$img has no partition table sfdisk can read: $(head -1 "$tmp/err")"
	exit 1
}
grep -q '^label: gpt$' <<<"$table" || fail "the partition table is not GPT (the layout names its partitions)"
start=()
n=0
while IFS= read -r line; do
	[[ $line == "$img"* ]] || continue
	n=$((n + 1))
	s=$(sed -n 's/.*start= *\([0-9]*\).*/\1/p' <<<"$line")
	type=$(sed -n 's/.*type= *\([0-9A-Fa-f-]*\).*/\1/p' <<<"$line")
	name=$(sed -n 's/.*name="\([^"]*\)".*/\1/p' <<<"$line")
	start[n]=$s
	if ((n <= 6)) && [[ $name != "${want[n - 1]}" ]]; then
		fail "partition $n is named '$name', not '${want[n - 1]}'"
	fi
	if ((n <= 3)) && [[ ${type^^} != EBD0A0A2-B9E5-4433-87C0-68B6B72699C7 ]]; then
		fail "partition $n ($name) is of type $type, not FAT (Microsoft basic data): the firmware boots only FAT"
	fi
	# systemd-repart grows the one Linux-data partition to the card's end
	if ((n == 4 || n == 5)) && [[ ${type^^} != B921B045-1DF0-41C3-AF44-4C6F280D3FAE ]]; then
		fail "partition $n ($name) is of type $type, not arm64 root: systemd-repart would take a root slot for the data partition it grows"
	fi
	if ((n == 6)) && [[ ${type^^} != 0FC63DAF-8483-4772-8E79-3D69D8477DE4 ]]; then
		fail "partition $n ($name) is of type $type, not Linux data: systemd-repart would not grow it"
	fi
	((s * 512 % 4194304 == 0)) || fail "partition $n ($name) starts at sector $s, not on a 4 MiB boundary"
done <<<"$table"
((n == 6)) || fail "the table has $n partitions, not 6 (${want[*]})"
((n >= 3)) || exit 1

# Copies file $2 of partition $1 to $3; fails quietly (1) when it is absent.
fat_get() {
	mcopy -n -i "$img@@$((start[$1] * 512))" "::$2" "$3" 2>/dev/null
}

# --- the config partition --------------------------------------------------------
mkdir -p "$tmp/config/relais"
got=0
for n in 0 1; do
	fat_get 1 "/relais/bootstate.$n" "$tmp/config/relais/bootstate.$n" && got=$((got + 1))
done
if ((got == 0)); then
	fail "the config partition has no relais/bootstate.0 nor relais/bootstate.1"
	exit 1
fi
bootslot() {
	RELAIS_BOOTSTATE=$tmp/config/relais/bootstate RELAIS_BOOTSLOT_CMDLINE=/dev/null \
		RELAIS_BOOTSLOT_AUTOBOOT=/nonexistent "$here/../rauc/rauc-bootslot" "$@"
}
bootslot get-primary >/dev/null 2>"$tmp/err"
if [[ -s $tmp/err ]]; then
	# both copies whole in a new image (the booth would fall back to the
	# slot that booted, or to the other copy; an image has neither excuse)
	fail "relais/bootstate is damaged: $(sed "s|$tmp/config/||g" "$tmp/err")"
	exit 1
fi
order=$(bootslot show | sed -n 's/^order=//p')
if ! fat_get 1 /autoboot.txt "$tmp/autoboot.txt"; then
	fail "the config partition has no autoboot.txt: the firmware would boot the first FAT partition with start4.elf or config.txt, with no A/B"
else
	size=$(wc -c <"$tmp/autoboot.txt")
	((size <= 512)) || fail "autoboot.txt has $size bytes; the firmware reads 512"
	# what the backend writes for this state
	bootslot autoboot >"$tmp/expect-autoboot.txt"
	cmp -s "$tmp/autoboot.txt" "$tmp/expect-autoboot.txt" ||
		fail "autoboot.txt is not what rauc-bootslot writes for this bootstate (order=$order): '$(tr '\n' ' ' <"$tmp/autoboot.txt")' instead of '$(tr '\n' ' ' <"$tmp/expect-autoboot.txt")'"
fi

# --- the good slots' boot partitions ----------------------------------------------
for slot in $order; do
	lower=${slot,,}
	part=2
	[[ $slot == B ]] && part=3
	what="boot_$lower (partition $part, slot $slot)"
	dir=$tmp/boot_$lower
	mkdir -p "$dir"
	if ! mdir -i "$img@@$((start[part] * 512))" :: >/dev/null 2>&1; then
		fail "$what has no FAT file system, but bootstate's order=$order boots it"
		continue
	fi
	if ! fat_get "$part" /config.txt "$dir/config.txt"; then
		fail "$what has no config.txt: the firmware does not take it as a boot partition"
		continue
	fi
	if ! fat_get "$part" /tryboot.txt "$dir/tryboot.txt"; then
		fail "$what has no tryboot.txt: a firmware older than tryboot_a_b reads it instead of config.txt on a try"
	elif ! cmp -s "$dir/config.txt" "$dir/tryboot.txt"; then
		fail "$what: tryboot.txt differs from config.txt: a try would not boot what a normal boot does"
	fi
	# the kernel and initramfs lines that apply to every board ([all] or
	# no section yet)
	kernel=$(awk '/^\[/{s=$0} (s=="" || s=="[all]") && sub(/^kernel=/,"") {print}' "$dir/config.txt" | tail -1)
	initrd=$(awk '/^\[/{s=$0} (s=="" || s=="[all]") && $1=="initramfs" {print $2}' "$dir/config.txt" | tail -1)
	if [[ -z $kernel ]]; then
		fail "$what: config.txt names no kernel= (the firmware would look for kernel8.img)"
	elif ! fat_get "$part" "/$kernel" "$dir/kernel"; then
		fail "$what: config.txt's kernel=$kernel is not on the partition"
	elif [[ $(dd if="$dir/kernel" bs=1 skip=56 count=4 2>/dev/null) != $'ARM\x64' ]]; then
		fail "$what: $kernel is not an arm64 kernel Image"
	fi
	if [[ -z $initrd ]]; then
		fail "$what: config.txt names no initramfs (Debian's kernel needs its initrd for the SD card's modules)"
	elif ! fat_get "$part" "/$initrd" "$dir/initrd"; then
		fail "$what: config.txt's initramfs $initrd is not on the partition"
	elif [[ ! -s $dir/initrd ]]; then
		fail "$what: $initrd is empty"
	fi
	for f in $RPI_FIRMWARE $RPI_DTBS; do
		fat_get "$part" "/$f" "$dir/x" || fail "$what: $f is missing"
	done
	if ! fat_get "$part" /cmdline.txt "$dir/cmdline.txt"; then
		fail "$what has no cmdline.txt"
		continue
	fi
	lines=$(wc -l <"$dir/cmdline.txt")
	((lines <= 1)) || fail "$what: cmdline.txt has $lines lines; the firmware passes only the first to the kernel"
	read -r -a words <"$dir/cmdline.txt"
	declare -A seen=()
	for w in "${words[@]}"; do
		seen[${w%%=*}]=${seen[${w%%=*}]:+${seen[${w%%=*}]} }${w#*=}
	done
	[[ ${seen[root]:-} == "PARTLABEL=system_$lower" ]] ||
		fail "$what: cmdline.txt has root=${seen[root]:-(none)}, not root=PARTLABEL=system_$lower"
	[[ ${seen[rauc.slot]:-} == "$slot" ]] ||
		fail "$what: cmdline.txt has rauc.slot=${seen[rauc.slot]:-(none)}, not rauc.slot=$slot (RAUC and rauc-bootslot read the booted slot there)"
	[[ -n ${seen[console]:-} ]] || fail "$what: cmdline.txt has no console= (the serial console)"
	[[ -n ${seen[rootwait]+x} ]] || fail "$what: cmdline.txt has no rootwait (the SD card probes after the kernel looks for its root)"
	unset seen
done

if ((fails)); then
	echo "check-boot: $fails check(s) failed on $img" >&2
	exit 1
fi
echo "check-boot: $img: partitions, config partition and boot partitions of slot(s) $order are consistent"
