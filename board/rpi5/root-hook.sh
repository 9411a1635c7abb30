#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Pi 5's step in making its root (image.conf's ROOT_HOOK): mmdebstrap
# runs it after the essential packages and at the end, MMDEBSTRAP_HOOK
# saying which, with the root folder as $1.
#
# Why: the kernel comes from trixie-backports (README.md), and so does the
# linux-base it needs (4.17), whose linux-run-hooks runs a kernel's hooks of
# /etc/kernel/*.d and /usr/share/kernel/*.d with one run-parts call. Debian
# 12's run-parts (debianutils 5.7) takes exactly one directory ("run-parts:
# missing operand"), so the kernel's postinst fails and with it the build.
# While the root is made, /usr/sbin/run-parts (apt runs dpkg with PATH
# /usr/sbin:/usr/bin:/sbin:/bin, and the real one is /usr/bin/run-parts on
# Debian 12's merged /usr) runs the scripts of all the directories it is
# given as one list sorted by name, the first directory's script winning a
# name, as debianutils 5.21 does, through the real run-parts. It is removed
# at the end: a booth never installs a kernel (its root is read-only).
set -eu
root=${1:?usage: root-hook.sh ROOTDIR (run by mmdebstrap)}
shim=$root/usr/sbin/run-parts
mark="# relais: run-parts of several directories (board/rpi5/root-hook.sh)"
case ${MMDEBSTRAP_HOOK:-} in
essential)
	if [ -e "$shim" ]; then
		echo "root-hook: $shim exists already: not replaced" >&2
		exit 1
	fi
	{
		echo "#!/bin/sh"
		echo "$mark"
		cat <<'EOF'
# run-parts [OPTION...] DIR... on Debian 12, only while the Pi 5's root is
# made: several directories as one list sorted by name
set -eu
n=0
for a; do case $a in -*) ;; *) n=$((n + 1)) ;; esac; done
[ "$n" -gt 1 ] || exec /bin/run-parts "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count=$#
for a; do
	case $a in
	-*) set -- "$@" "$a" ;;
	*)
		for f in $(/bin/run-parts --list "$a"); do
			[ -e "$tmp/${f##*/}" ] || ln -s "$f" "$tmp/${f##*/}"
		done
		;;
	esac
done
shift "$count"
/bin/run-parts "$@" "$tmp"
EOF
	} >"$shim"
	chmod 0755 "$shim"
	;;
customize)
	# only our own: never a run-parts a package would have put there
	if [ -e "$shim" ]; then
		grep -qxF "$mark" "$shim" || {
			echo "root-hook: $shim is not ours: left, and the build stops" >&2
			exit 1
		}
		rm -f "$shim"
	fi
	;;
*)
	echo "root-hook: run by mmdebstrap as an essential or customize hook (MMDEBSTRAP_HOOK='${MMDEBSTRAP_HOOK:-}')" >&2
	exit 2
	;;
esac
