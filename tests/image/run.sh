#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make check-image: runs check-image.test.mjs against build folder $1 (the
# host programs and $1/qemu-arm64/, the image make image just built). The
# serial consoles and the switchboard's log stay in the test's folder
# (printed at the end), the run's output in $1/test-logs/check-image.log.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
export RELAIS_TOP=$top RELAIS_BUILD=$build RELAIS_PIPELINES_DIR=$top/pipelines RELAIS_PROTO_STRICT=1
[[ -d $top/tests/e2e/node_modules ]] || (cd "$top/tests/e2e" && npm install --no-audit --no-fund >/dev/null)
mkdir -p "$build/test-logs"
log=$build/test-logs/check-image.log
cd "$top/tests/e2e"
# bounded: five boots, four installs under TCG
timeout -k 10 5400 node --test --test-concurrency=1 --test-reporter=spec ../image/check-image.test.mjs 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
echo "check-image: log $log; serial consoles: $(ls -d /tmp/relais-e2e-image-* 2>/dev/null | tail -1)"
exit "$rc"
