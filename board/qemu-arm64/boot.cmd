# SPDX-License-Identifier: GPL-2.0-or-later
# Relais A/B boot for qemu-arm64 (U-Boot; mkimage makes boot.scr of it on the
# config partition, where U-Boot's distro boot finds it first). It reads
# relais/bootstate (order=A B, tryboot=SLOT) and boots `tryboot` once: the
# flag is cleared on the card before that slot's kernel starts, like the
# Pi firmware's one-shot tryboot, so a slot that dies boots the primary next
# time. Then the slots of `order`, in turn, if a kernel cannot be loaded.
setenv order "A B"
setenv tryboot
setenv pending
setenv slot
if load virtio 0:1 ${kernel_addr_r} relais/bootstate; then
	env import -t ${kernel_addr_r} ${filesize} order tryboot pending
fi
if test -n "${tryboot}"; then
	setenv slot ${tryboot}
	setenv tryboot
	# written back without tryboot= (an absent key means empty); pending=
	# stays: it is how the slot's health check knows this boot is its try
	env export -t ${kernel_addr_r} order pending
	fatwrite virtio 0:1 ${kernel_addr_r} relais/bootstate ${filesize}
	echo "relais: trying slot ${slot} once"
fi
for s in ${slot} ${order}; do
	setenv bootpart
	if test "${s}" = "A"; then setenv bootpart 2; setenv rootpart system_a; fi
	if test "${s}" = "B"; then setenv bootpart 3; setenv rootpart system_b; fi
	if test -n "${bootpart}"; then
		if load virtio 0:${bootpart} ${kernel_addr_r} vmlinuz; then
			if load virtio 0:${bootpart} ${ramdisk_addr_r} initrd.img; then
				setenv bootargs "root=PARTLABEL=${rootpart} ro rootwait console=ttyAMA0 rauc.slot=${s} panic=10"
				echo "relais: booting slot ${s}"
				booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ${fdtcontroladdr}
			fi
		fi
	fi
done
echo "relais: no slot could be booted"
