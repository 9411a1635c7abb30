#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boots a qemu-arm64 booth image: run-qemu.sh IMAGE [QEMU OPTIONS...].
# QEMU's virt machine, emulated (TCG: no KVM needed), Debian's U-Boot for it
# (u-boot-qemu) as firmware, the serial console on standard output. The
# network is QEMU's user network with restrict=on: the guest reaches nothing
# outside (add hostfwd=/guestfwd= options for the switchboard on the host).
# A virtio GPU (PCI: the modern transport its driver needs; virt's MMIO
# transports are legacy) gives the booth a DRM device for SDL's kmsdrm (nothing is
# shown: -nographic); a virtio RNG feeds the kernel's entropy for the
# booth's key. The image is written to (relais/bootstate): pass -snapshot
# to keep it. The network options can be replaced: RELAIS_QEMU_NET.
set -euo pipefail
img=${1:?usage: run-qemu.sh IMAGE [QEMU OPTIONS...]}
shift
uboot=/usr/lib/u-boot/qemu_arm64/u-boot.bin
[[ -f $uboot ]] || { echo "run-qemu: $uboot missing (apt-get install u-boot-qemu)" >&2; exit 1; }
command -v qemu-system-aarch64 >/dev/null || { echo "run-qemu: qemu-system-aarch64 missing (apt-get install qemu-system-arm)" >&2; exit 1; }
exec qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1024 -nographic \
	-bios "$uboot" \
	-drive if=none,file="$img",format=raw,id=disk -device virtio-blk-device,drive=disk \
	-netdev "${RELAIS_QEMU_NET:-user,id=net,restrict=on}" -device virtio-net-device,netdev=net \
	-device virtio-gpu-pci -device virtio-rng-pci \
	"$@"
