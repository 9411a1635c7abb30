#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: prints the speed and memory figures (not a pass/fail test).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
export RELAIS_TOP=$top RELAIS_BUILD=$build RELAIS_PIPELINES_DIR=$top/pipelines
echo "== media engine, back to back in one process (C offerer and answerer)"
"$build/tests/integration/test-media-loopback" -p /media/loopback 2>&1 | grep -E "^# (timings|.*: sent)" || true
echo
echo "== booth + switchboard + Chromium adviser"
cd "$top/tests/e2e" && node bench-call.mjs
echo
echo "== the same call with the booth's touch UI drawing (1280x800, SDL offscreen, software renderer)"
cd "$top/tests/e2e" && SDL_VIDEODRIVER=offscreen node bench-ui.mjs
echo
echo "== glass-to-glass latency both ways, booth <-> Chromium adviser (booth with RELAIS_MEDIA_STAMP=1)"
cd "$top/tests/e2e" && node bench-latency.mjs
