#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sets up the build host for `make image` (Debian 12, amd64, root): installs
# host-packages.txt when missing and lets the kernel run arm64 programs
# through qemu-user-static (binfmt_misc), which mmdebstrap needs to run the
# arm64 packages' maintainer scripts. Cheap when everything is there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
arch=${1:-arm64}

mapfile -t wanted < <(grep -Ev '^\s*(#|$)' "$here/host-packages.txt")
missing=()
for p in "${wanted[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	if [[ $(id -u) -ne 0 ]]; then
		echo "image: missing Debian packages: ${missing[*]} (run make image as root)" >&2
		exit 1
	fi
	echo "image: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# binfmt_misc: on a host without systemd-binfmt (a container) nothing has
# registered qemu-user-static's handlers; register the one we need, with the
# F flag so that it also works inside the chroot.
if ! arch-test "$arch" >/dev/null 2>&1; then
	case $arch in
	arm64) qarch=aarch64 ;;
	*)
		echo "image: no binfmt_misc recipe for architecture '$arch'" >&2
		exit 1
		;;
	esac
	bm=/proc/sys/fs/binfmt_misc
	[[ -e $bm/register ]] || mount -t binfmt_misc binfmt_misc "$bm" ||
		{ echo "image: cannot mount binfmt_misc (a container without that right?): $arch programs cannot run here" >&2; exit 1; }
	conf=/usr/lib/binfmt.d/qemu-$qarch.conf
	[[ -f $conf ]] || { echo "image: $conf missing (qemu-user-static)" >&2; exit 1; }
	[[ -e $bm/qemu-$qarch ]] && echo -1 >"$bm/qemu-$qarch"
	# Debian's line names a wrapper; the static emulator itself needs no
	# library from the chroot (F: opened now, by the host)
	sed "s|:[^:]*:[A-Z]*\$|:/usr/bin/qemu-$qarch-static:OCF|" "$conf" >"$bm/register"
	arch-test "$arch" >/dev/null || { echo "image: $arch programs still do not run after registering qemu-$qarch" >&2; exit 1; }
	echo "image: registered qemu-$qarch-static with binfmt_misc"
fi
