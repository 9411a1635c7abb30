#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Static checks of a booth's root folder: check-root.sh ROOTDIR. Run by the
# image build (build.sh) and by make check (tests/integration/test-check-root.c)
# against a built root when there is one. Each failed check is one line on
# standard error; exit 1 if any failed, 2 on bad usage. Reads only: symlinks
# are resolved inside ROOTDIR, never on the host.
#   - no default account: no account of uid 1000-65533, none of the names
#     images are known to ship (pi, debian, ubuntu, admin, user, ...)
#   - no password: every /etc/shadow field is '*', '!', '!*' or '!!' (no hash,
#     not empty), every /etc/passwd field is 'x' or '*'
#   - sshd, if there is one: PasswordAuthentication and
#     KbdInteractiveAuthentication set to no (OpenSSH's default is yes),
#     PermitEmptyPasswords not yes
#   - relais-booth.service installed and enabled (multi-user.target.wants),
#     not masked
#   - no login prompt on the screen: getty@tty1.service (or getty@.service)
#     masked
#   - the root file system mounted read-only (/etc/fstab), journald's logs
#     capped (SystemMaxUse=)
#   - an empty etc/machine-id and the initrd's script that keeps one on /data
set -uo pipefail
if (($# != 1)); then
	echo "usage: check-root.sh ROOTDIR" >&2
	exit 2
fi
r=${1%/}
if [[ ! -d $r/etc ]]; then
	echo "check-root: $1 is not a root folder (no etc/ in it)" >&2
	exit 2
fi
fails=0 checks=0
fail() {
	echo "check-root: FAIL: $*" >&2
	fails=$((fails + 1))
}
pass() { checks=$((checks + 1)); }

# Resolves $1 (an absolute path on the booth) inside the root folder,
# following symlinks as the booth would; prints the host path, or fails
# (a loop, or more than 40 links).
resolve() {
	local p=$1 n=0 t
	while [[ -L $r$p ]]; do
		((++n > 40)) && return 1
		t=$(readlink "$r$p")
		if [[ $t == /* ]]; then p=$t; else p=$(dirname "$p")/$t; fi
	done
	printf '%s\n' "$r$p"
}

# --- accounts --------------------------------------------------------------------
if [[ ! -f $r/etc/passwd ]]; then
	fail "etc/passwd is missing"
else
	while IFS=: read -r name pw uid _ _ _ shell; do
		[[ -z $name || $name == \#* ]] && continue
		if [[ -z $pw ]]; then
			fail "account '$name' has an empty password field in /etc/passwd: anybody can log in as it"
		elif [[ $pw != x && $pw != '*' ]]; then
			fail "account '$name' has a password hash in /etc/passwd: it must be 'x'"
		fi
		if [[ $uid =~ ^[0-9]+$ ]] && ((uid >= 1000 && uid < 65534)); then
			fail "account '$name' (uid $uid) is a person's account: a booth has none"
		fi
		case $name in
		pi | debian | ubuntu | admin | user | alarm | guest | kiosk | test | demo | linaro | odroid)
			fail "account '$name' is a known default account"
			;;
		esac
	done <"$r/etc/passwd"
	pass
fi
if [[ ! -f $r/etc/shadow ]]; then
	fail "etc/shadow is missing: every account's password state is unknown"
else
	while IFS=: read -r name pw _; do
		[[ -z $name || $name == \#* ]] && continue
		case $pw in
		'*' | '!' | '!*' | '!!') ;;
		'') fail "account '$name' has an empty password in /etc/shadow: anybody can log in as it" ;;
		*) fail "account '$name' has a password hash in /etc/shadow: no account may have a password" ;;
		esac
	done <"$r/etc/shadow"
	pass
fi

# --- SSH -------------------------------------------------------------------------
# sshd keeps the first value it reads for a keyword; Include is read where it
# stands; Match blocks apply conditionally, so a 'yes' in one is refused too.
declare -A sshval=()
sshd_read() {
	local f=$1 depth=$2 kw val rest inmatch=0 g
	((depth > 8)) && return
	while read -r kw val rest || [[ -n $kw ]]; do
		[[ -z $kw || $kw == \#* ]] && continue
		kw=${kw,,}
		val=${val%\"}
		val=${val#\"}
		case $kw in
		include)
			for g in $val $rest; do
				[[ $g == /* ]] || g=/etc/ssh/$g
				for inc in $r$g; do
					[[ -f $inc ]] && sshd_read "$inc" $((depth + 1))
				done
			done
			;;
		match) inmatch=1 ;;
		passwordauthentication | kbdinteractiveauthentication | challengeresponseauthentication | permitemptypasswords)
			[[ $kw == challengeresponseauthentication ]] && kw=kbdinteractiveauthentication
			if ((inmatch)); then
				[[ ${val,,} == yes ]] && fail "sshd: '$kw yes' in a Match block of ${f#"$r"}"
			elif [[ -z ${sshval[$kw]:-} ]]; then
				sshval[$kw]=${val,,}
			fi
			;;
		esac
	done <"$f"
}
sshd_bin=
for b in /usr/sbin/sshd /usr/bin/sshd /usr/sbin/dropbear; do
	[[ -e $r$b ]] && sshd_bin=$b
done
if [[ $sshd_bin == */dropbear ]]; then
	fail "dropbear is installed: its password logins cannot be checked here; a booth has OpenSSH or no SSH"
elif [[ -n $sshd_bin || -e $r/etc/ssh/sshd_config ]]; then
	if [[ ! -f $r/etc/ssh/sshd_config ]]; then
		fail "sshd is installed without /etc/ssh/sshd_config: password authentication is on by default"
	else
		sshd_read "$r/etc/ssh/sshd_config" 0
		[[ ${sshval[passwordauthentication]:-yes} == no ]] ||
			fail "sshd: PasswordAuthentication is ${sshval[passwordauthentication]:-not set (default yes)}: it must be no"
		[[ ${sshval[kbdinteractiveauthentication]:-yes} == no ]] ||
			fail "sshd: KbdInteractiveAuthentication is ${sshval[kbdinteractiveauthentication]:-not set (default yes)}: it must be no (PAM would ask for a password)"
		[[ ${sshval[permitemptypasswords]:-no} == no ]] ||
			fail "sshd: PermitEmptyPasswords is ${sshval[permitemptypasswords]}: it must be no"
	fi
	pass
fi

# --- units -----------------------------------------------------------------------
masked() { # unit: linked to /dev/null, or an empty file, in /etc/systemd/system
	local l=$r/etc/systemd/system/$1
	if [[ -L $l ]]; then
		[[ $(readlink "$l") == /dev/null ]]
	else
		[[ -f $l && ! -s $l ]]
	fi
}
# the booth, and the health check that keeps or rolls back an update
for unit in relais-booth.service relais-booth-health.service; do
	link=/etc/systemd/system/multi-user.target.wants/$unit
	if masked "$unit"; then
		fail "$unit is masked (etc/systemd/system/$unit -> /dev/null)"
	elif [[ ! -L $r$link && ! -e $r$link ]]; then
		case $unit in
		relais-booth.service) fail "$unit is not enabled (no $link): the booth would not start at boot" ;;
		*) fail "$unit is not enabled (no $link): an update would never be kept, every one rolled back" ;;
		esac
	else
		target=$(resolve "$link") || target=
		if [[ -z $target || ! -f $target ]]; then
			fail "$unit is enabled but $link leads to no unit file in the root folder"
		elif ! grep -q '^ExecStart=' "$target"; then
			fail "$unit (${target#"$r"}) has no ExecStart="
		fi
	fi
	pass
done
if masked getty@tty1.service || masked getty@.service; then
	pass
else
	fail "getty@tty1.service is not masked: a login prompt would show on the booth's screen"
fi

# --- updates --------------------------------------------------------------------------
# RAUC's system.conf (board/common/rauc): a compatible, our boot-slot backend
# present and executable, a keyring that is certificates only
conf=$r/etc/rauc/system.conf
if [[ ! -f $conf ]]; then
	fail "etc/rauc/system.conf is missing: the booth could not install any update"
else
	grep -q '^compatible=relais-booth-' "$conf" || fail "etc/rauc/system.conf has no compatible=relais-booth-BOARD"
	backend=$(sed -n 's/^bootloader-custom-backend=//p' "$conf" | tail -1)
	if ! grep -q '^bootloader=custom' "$conf" || [[ -z $backend ]]; then
		fail "etc/rauc/system.conf does not use the custom boot-slot backend (bootloader=custom, bootloader-custom-backend=)"
	elif [[ ! -x $r$backend ]]; then
		fail "the boot-slot backend $backend is not an executable in the root folder"
	fi
	# Debian's rauc holds the program only; install and mark-good go
	# through the service of rauc-service
	[[ -f $r/usr/share/dbus-1/system-services/de.pengutronix.rauc.service ]] ||
		fail "RAUC's D-Bus service is missing (the rauc-service package): rauc install and mark-good would fail"
	keyring=$(sed -n 's/^path=//p' "$conf" | head -1)
	if [[ -z $keyring || ! -f $r$keyring ]]; then
		fail "RAUC's keyring ${keyring:-(no path=)} is missing: no bundle could be verified"
	elif grep -q -- 'PRIVATE KEY-----' "$r$keyring"; then
		fail "RAUC's keyring $keyring holds a private key: every booth would hold the signing key"
	elif ! grep -q -- '-----BEGIN CERTIFICATE-----' "$r$keyring"; then
		fail "RAUC's keyring $keyring holds no certificate"
	fi
fi
pass

# --- mounts, logs -------------------------------------------------------------------
if [[ ! -f $r/etc/fstab ]]; then
	fail "etc/fstab is missing: the root file system would stay read-write"
else
	opts=$(awk '$1 !~ /^#/ && $2 == "/" { print $4 }' "$r/etc/fstab" | tail -1)
	if [[ -z $opts ]]; then
		fail "etc/fstab has no entry for / : the root file system would stay read-write"
	elif [[ ",$opts," != *,ro,* ]] || [[ ",$opts," == *,rw,* ]]; then
		fail "etc/fstab mounts / with '$opts': it must be read-only (ro)"
	fi
	pass
fi
cap=$(cat "$r"/etc/systemd/journald.conf "$r"/etc/systemd/journald.conf.d/*.conf \
	"$r"/usr/lib/systemd/journald.conf.d/*.conf 2>/dev/null | sed -n 's/^[[:space:]]*SystemMaxUse=[[:space:]]*//p' | tail -1)
if [[ -z $cap ]]; then
	fail "journald has no SystemMaxUse= (journald.conf.d): the logs could fill the data partition"
fi
pass
# one machine-id per booth, kept on /data by the initrd (initramfs/): the
# root's is empty (a fixed one would be every booth's), and the initrd's
# script is there to cover it (else a new one each boot: a new journal
# folder outside the cap, a new DHCP lease)
if [[ -s $r/etc/machine-id ]]; then
	fail "etc/machine-id is not empty: every booth made from this image would have the same machine id"
elif [[ ! -e $r/etc/machine-id ]]; then
	fail "etc/machine-id is missing: there is nothing to bind the booth's own machine id over"
fi
if [[ ! -x $r/etc/initramfs-tools/scripts/local-bottom/relais-machine-id ]]; then
	fail "etc/initramfs-tools/scripts/local-bottom/relais-machine-id is not an executable: the booth would get a new machine id at every boot"
fi
pass

if ((fails)); then
	echo "check-root: $1: $fails check(s) failed" >&2
	exit 1
fi
echo "check-root: $1: all $checks checks passed"
