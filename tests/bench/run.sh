#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench / make bench-quick: relais-booth against a Chromium kiosk doing
# the same calls in the same run (kiosk.mjs), then every other part of the
# benchmark that is there, then one table of every $(O)/bench/*.json
# (table.mjs). A figure, not a pass/fail test: see README.md here.
#
#   tests/bench/run.sh BUILD [full|quick]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
mode=${2:-full}
export RELAIS_TOP=$top RELAIS_BUILD=$build RELAIS_PIPELINES_DIR=$top/pipelines
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
mkdir -p "$build/bench"
rm -f "$build/bench/kiosk.json"
started=$(date +%s)
case $mode in
quick)
	# one case, few calls, both booths: under 3 minutes
	export BENCH_CASES=${BENCH_CASES:-640x480-VP8-ui} BENCH_CALLS=${BENCH_CALLS:-4} \
		BENCH_LONG=${BENCH_LONG:-2} BENCH_WINDOW_S=${BENCH_WINDOW_S:-10} BENCH_G2G_CALLS=${BENCH_G2G_CALLS:-1}
	;;
full) ;;
*)
	echo "usage: $0 BUILD [full|quick]" >&2
	exit 2
	;;
esac
echo "== relais-booth against a Chromium kiosk ($mode; progress on stderr)"
node "$top/tests/bench/kiosk.mjs" || echo "kiosk.mjs exited $? (its rows say what failed)"
# Other parts: tests/bench/part-NAME.sh BUILD MODE, each writing
# $(O)/bench/NAME.json in the same row form.
for part in "$top"/tests/bench/part-*.sh; do
	[ -x "$part" ] || continue
	echo "== $(basename "$part")"
	"$part" "$build" "$mode" || echo "$(basename "$part") exited $?"
done
echo
echo "== $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), $(( $(date +%s) - started )) s"
node "$top/tests/bench/table.mjs" "$build/bench"
