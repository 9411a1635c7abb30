# SPDX-License-Identifier: GPL-2.0-or-later
# Relais A/B boot for qemu-arm64 (U-Boot; mkimage makes boot.scr of it on the
# config partition, where U-Boot's distro boot finds it first). It reads the
# boot-slot state that rauc-bootslot writes (board/common/rauc/README.md):
# two copies, relais/bootstate.0 and .1, each a 512-byte checksummed U-Boot
# environment (seq, order, tryboot, pending), and takes the whole one with
# the higher seq. It boots `tryboot` once: the flag is cleared on the card,
# in the other copy with the next seq, before that slot's kernel starts,
# like the Pi firmware's one-shot tryboot, so a slot that dies boots the
# primary next time. Then the slots of `order`, in turn, if a kernel cannot
# be loaded. A copy cut short by a power cut fails its checksum and the
# other is used; with neither whole, A then B, and nothing is written.
setenv slot
setenv use
for n in 0 1; do
	setenv seq
	setenv order
	setenv tryboot
	setenv pending
	setenv ok
	if load virtio 0:1 ${kernel_addr_r} relais/bootstate.${n}; then
		if test "${filesize}" = "200"; then
			if env import -c ${kernel_addr_r} ${filesize} seq order tryboot pending; then
				setenv ok 1
			fi
		fi
	fi
	# a whole copy holds only values rauc-bootslot writes
	if test -n "${ok}"; then
		setenv ok
		if test "${order}" = "A B" || test "${order}" = "B A" || test "${order}" = "A" || test "${order}" = "B"; then
			if test -z "${tryboot}" || test "${tryboot}" = "A" || test "${tryboot}" = "B"; then
				if test -z "${pending}" || test "${pending}" = "A" || test "${pending}" = "B"; then
					if test -n "${seq}"; then
						setenv ok 1
					fi
				fi
			fi
		fi
	fi
	# seq is a number (setexpr refuses more than one word) kept in hex
	if test -n "${ok}"; then
		setenv ok
		if setexpr sq ${seq} + 0; then
			setenv ok 1
		fi
	fi
	if test -n "${ok}"; then
		setenv seq${n} ${sq}
		setenv order${n} ${order}
		setenv tryboot${n} ${tryboot}
		setenv pending${n} ${pending}
	else
		setenv seq${n}
		echo "relais: relais/bootstate.${n} is missing or damaged"
	fi
done
if test -n "${seq0}"; then
	setenv use 0
fi
if test -n "${seq1}"; then
	if test -z "${use}"; then
		setenv use 1
	elif test 0x${seq1} -gt 0x${seq0}; then
		setenv use 1
	fi
fi
setenv seq
setenv order
setenv tryboot
setenv pending
if test "${use}" = "0"; then
	setenv seq ${seq0}
	setenv order ${order0}
	setenv tryboot ${tryboot0}
	setenv pending ${pending0}
	setenv to 1
fi
if test "${use}" = "1"; then
	setenv seq ${seq1}
	setenv order ${order1}
	setenv tryboot ${tryboot1}
	setenv pending ${pending1}
	setenv to 0
fi
if test -z "${use}"; then
	echo "relais: no whole boot-slot state; trying slot A, then B"
	setenv order "A B"
fi
if test -n "${tryboot}"; then
	setenv slot ${tryboot}
	setenv tryboot
	# the other copy, with the next seq and without tryboot= (an absent
	# key means empty); pending= stays: it is how the slot's health check
	# knows this boot is its try
	setexpr seq 0x${seq} + 1
	setenv seq 0x${seq}
	env export -c -s 0x200 ${kernel_addr_r} seq order tryboot pending
	if fatwrite virtio 0:1 ${kernel_addr_r} relais/bootstate.${to} 0x200; then
		echo "relais: trying slot ${slot} once (relais/bootstate.${to}, seq ${seq})"
	else
		# the try would repeat at every boot: never boot it
		echo "relais: cannot write relais/bootstate.${to}; not trying slot ${slot}"
		setenv slot
	fi
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
