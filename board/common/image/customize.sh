#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Turns a Debian root folder into a booth's read-only root (build.sh, step 4):
# customize.sh ROOT TOP STAGE. Runs on the build host, chroot-free: systemd's
# own --root options, files written in place. Also lays out STAGE/data, the
# first contents of the data partition.
set -euo pipefail
root=$1 top=$2 stage=$3
[[ -x $root/usr/lib/systemd/systemd ]] || { echo "customize: $root is no systemd root folder" >&2; exit 1; }
: "${RELAIS_BOARD:?}" "${RELAIS_VERSION:?}" "${RELAIS_BUILD_ID:?}"

# the programs, their pipelines, catalogs and questions (build.sh staged them)
cp -a "$stage/relais/." "$root/"
# no apt lists nor .debs in a read-only root
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb

# --- accounts ----------------------------------------------------------------
# the booth's user, made now: the root is read-only on the booth
install -m 0644 "$top/board/common/sysusers.d/relais.conf" "$root/usr/lib/sysusers.d/relais.conf"
systemd-sysusers --root="$root"
# no password for anybody: root locked ('*' is no hash), every other
# account as Debian made it; check-root.sh refuses any hash or empty field
sed -i 's/^root:[^:]*:/root:*:/' "$root/etc/shadow"

# --- units -------------------------------------------------------------------
# every booth unit of board/common/systemd (the switchboard's is for servers)
for u in "$top"/board/common/systemd/*; do
	case $(basename "$u") in relais-switchboard.*) continue ;; esac
	install -m 0644 "$u" "$root/usr/lib/systemd/system/"
	if grep -q '^\[Install\]' "$u"; then
		systemctl --root="$root" enable "$(basename "$u")" >/dev/null 2>&1
	fi
done
[[ -L $root/etc/systemd/system/multi-user.target.wants/relais-booth.service ]] ||
	{ echo "customize: relais-booth.service was not enabled" >&2; exit 1; }
# no login prompt on the screen nor on a switched VT; none on a serial
# console either (no account could log in there anyway)
systemctl --root="$root" mask getty@tty1.service serial-getty@.service >/dev/null 2>&1
mkdir -p "$root/etc/systemd/logind.conf.d"
printf '[Login]\nNAutoVTs=0\nReserveVT=0\n' >"$root/etc/systemd/logind.conf.d/relais.conf"
# DHCP on the wired interface; Wi-Fi comes from the settings file (booth.conf)
mkdir -p "$root/etc/systemd/network"
printf '[Match]\nType=ether\n\n[Network]\nDHCP=yes\n' >"$root/etc/systemd/network/20-wired.network"
systemctl --root="$root" enable systemd-networkd.service systemd-resolved.service \
	systemd-timesyncd.service >/dev/null 2>&1
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"

# --- updates: RAUC, the health check, the technician's stick ---------------
# system.conf for this board, the keyring (RELAIS_BUNDLE_KEYRING, else the
# development certificate, with a warning) and the boot-slot backend
# (the build folder of `make bundle`: build.sh keeps its output in $O/BOARD)
O=${O:-$(dirname "$(dirname "$stage")")} "$top/board/common/rauc/install-root.sh" "$root" "$RELAIS_BOARD"
install -m 0755 "$top/board/common/update/relais-booth-health" "$top/board/common/update/relais-update-stick" \
	"$root/usr/lib/relais/"
install -m 0644 "$top/board/common/update/90-relais-update-stick.rules" "$root/usr/lib/udev/rules.d/"
# the booth's own user may ask RAUC to install (an update sent from afar)
install -D -m 0644 "$top/board/common/update/relais-rauc-dbus.conf" "$root/usr/share/dbus-1/system.d/relais-rauc.conf"
# the data partition grows to the end of the card at first boot: the
# partition (systemd-repart: the one Linux-data partition, the last; the
# root slots have the arm64 root type and are left alone) then its file
# system (x-systemd.growfs below)
mkdir -p "$root/usr/lib/repart.d"
printf '# the data partition grows to fill the card (board/common/image/README.md)\n[Partition]\nType=linux-generic\n' \
	>"$root/usr/lib/repart.d/50-relais-data.conf"

# --- the read-only root and the data partition -----------------------------
# The root slot is never written on the booth: what must persist goes to the
# data partition (LABEL=RELAISDATA, /data) through bind mounts, shared by
# both slots so that the booth's key survives an update.
echo relais-booth >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\trelais-booth\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
# empty, not "uninitialized" (no first-boot presets on a read-only /etc):
# the initrd binds the booth's own id, kept on /data, over it
# (initramfs/relais-machine-id); without it PID 1 makes a transient one
: >"$root/etc/machine-id"
# D-Bus's own name for it, which systemd-tmpfiles would make at each boot
# on the read-only root (and fail, in the journal)
mkdir -p "$root/var/lib/dbus"
ln -sfn /etc/machine-id "$root/var/lib/dbus/machine-id"
mkdir -p "$root/data" "$root/boot/firmware"
cat >"$root/etc/fstab" <<'EOF'
# Relais booth (board/common/image/README.md). The root slot is read-only;
# /data is shared by both slots; /boot/firmware is the config partition
# (relais/booth.conf, relais/bootstate), the booth may rewrite its settings.
/dev/root	/	ext4	ro,noatime	0	0
LABEL=RELAISDATA	/data	ext4	rw,noatime,nodev,nosuid,errors=remount-ro,x-systemd.growfs	0	2
LABEL=RELAISCFG	/boot/firmware	vfat	rw,noatime,nodev,nosuid,noexec,uid=relais-booth,gid=root,fmask=0177,dmask=0077,flush	0	2
/data/relais-booth	/var/lib/relais-booth	none	bind,nofail,x-systemd.requires-mounts-for=/data	0	0
/data/journal	/var/log/journal	none	bind,nofail,x-systemd.requires-mounts-for=/data	0	0
/data/systemd	/var/lib/systemd	none	bind,nofail,x-systemd.requires-mounts-for=/data	0	0
/data/cache	/var/cache	none	bind,nofail,x-systemd.requires-mounts-for=/data	0	0
tmpfs	/tmp	tmpfs	nodev,nosuid,size=64M	0	0
tmpfs	/var/tmp	tmpfs	nodev,nosuid,size=32M	0	0
EOF
mkdir -p "$root/var/lib/relais-booth" "$root/var/log/journal"
# journald keeps its logs on /data, capped
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=persistent\nSystemMaxUse=64M\n' >"$root/etc/systemd/journald.conf.d/relais.conf"
# a board whose only screen for logs is a serial console (qemu-arm64): the
# journal goes there too, where a technician (or make check-image) reads it
if [[ -n ${RELAIS_SERIAL_CONSOLE:-} ]]; then
	printf '[Journal]\nForwardToConsole=yes\nTTYPath=/dev/%s\nMaxLevelConsole=info\n' "$RELAIS_SERIAL_CONSOLE" \
		>"$root/etc/systemd/journald.conf.d/relais-console.conf"
fi
# the same folders again whenever the data partition was made anew
cat >"$root/usr/lib/tmpfiles.d/relais-data.conf" <<'EOF'
# the data partition's folders (board/common/image/README.md)
d /data/relais-booth 0700 relais-booth relais-booth -
d /data/journal 2755 root systemd-journal -
d /data/systemd 0755 root root -
d /data/cache 0755 root root -
d /data/rauc 0755 root root -
EOF

# the data partition's first contents, with the root's own ids
data=$stage/data
rm -rf "$data"
mkdir -p "$data"
booth_uid=$(awk -F: '$1 == "relais-booth" { print $3 }' "$root/etc/passwd")
journal_gid=$(awk -F: '$1 == "systemd-journal" { print $3 }' "$root/etc/group")
install -d -m 0700 -o "$booth_uid" -g "$booth_uid" "$data/relais-booth"
install -d -m 2755 -o 0 -g "$journal_gid" "$data/journal"
cp -a "$root/var/lib/systemd" "$data/systemd"
cp -a "$root/var/cache" "$data/cache"
install -d -m 0755 "$data/rauc"

# --- what this is --------------------------------------------------------------
cat >"$root/etc/relais-release" <<EOF
RELAIS_VERSION=$RELAIS_VERSION
RELAIS_BUILD_ID=$RELAIS_BUILD_ID
RELAIS_BOARD=$RELAIS_BOARD
EOF
