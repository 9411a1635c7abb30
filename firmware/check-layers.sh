#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The build's layering rule (firmware/README.md), checked before anything is
# compiled. The compiler already refuses a system header outside a file's
# tier (each tier gets only its own packages' include paths); this script
# refuses what include paths cannot: a core-library or switchboard file
# including a header of the shared library's GStreamer tier.
# Usage: check-layers.sh MEDIA_SOURCES...   (the .c files of the media tier)
set -uo pipefail
cd "$(dirname "$0")/.."
declare -A media_h=()
for c in "$@"; do
	media_h[$(basename "${c%.c}.h")]=1
done
# headers of the tier without a .c of their own (media-private.h)
for h in firmware/lib/media*.h; do
	media_h[$(basename "$h")]=1
done
bad=0
# core library files: firmware/lib minus the media tier (its .c and .h)
files=()
for f in firmware/lib/*.[ch]; do
	b=$(basename "$f")
	b=${b%.c}
	[[ -n ${media_h[${b%.h}.h]:-} ]] && continue
	files+=("$f")
done
files+=(firmware/switchboard/*.[ch])
for f in "${files[@]}"; do
	while IFS= read -r line; do
		h=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$line")
		[[ -z $h ]] && continue
		if [[ -n ${media_h[$(basename "$h")]:-} ]]; then
			echo "layering: $f includes \"$h\", a header of the GStreamer tier (librelais-media):" >&2
			echo "          the switchboard and the core library must build without GStreamer" >&2
			bad=1
		fi
		case $h in
		*booth.h | */booth/* | ui.h | visitor.h | link.h | control.h)
			if [[ $f == firmware/lib/* || $f == firmware/switchboard/* ]]; then
				echo "layering: $f includes \"$h\", a header of relais-booth" >&2
				bad=1
			fi
			;;
		esac
	done < <(grep -E '^[[:space:]]*#[[:space:]]*include' "$f")
done
exit $bad
