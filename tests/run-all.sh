#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the test suites against build folder $1: unit, fuzz, integration, e2e
# (or the one named in $2) and ends with one summary line "N passed, N failed".
# $2 = asan: the sanitizer pass (tests/sanitizer/README.md): the integration
# and e2e suites against an ASan+UBSan build folder $1 with LeakSanitizer on,
# then every sanitizer report of the run counted as a failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
only=${2:-all}
export RELAIS_TOP=$top RELAIS_BUILD=$build RELAIS_PIPELINES_DIR=$top/pipelines
# no sound card, no screen: nothing here may try to open one
export GST_DEBUG_NO_COLOR=1 SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
# every outgoing signaling message is checked against PROTOCOL.md's table; a
# message that breaks it aborts the program that built it (firmware/lib/Kconfig)
export RELAIS_PROTO_STRICT=1
logs=$build/test-logs
mkdir -p "$logs"
passed=0 failed=0
failures=()
# the e2e suite's whole-run limit (seconds: ~9 min on a loaded 2-core
# machine, 1.6 times that is room); the sanitizer pass is slower
e2e_limit=1500

if [[ $only == asan ]]; then
	# reports of this run only: a stale file from an earlier run must not fail it
	san_reports=$logs/sanitizer
	rm -rf "$san_reports"
	touch "$logs/.sanitizer-start" # the test logs of this run are newer
	# shellcheck source=sanitizer/env.sh
	source "$top/tests/sanitizer/env.sh" "$san_reports"
	e2e_limit=1800
	echo "== sanitizer pass (ASan+UBSan+LSan, $build; reports in $san_reports)"
fi

run_gtest() {
	local bin=$1 name
	name=$(basename "$bin")
	local log=$logs/$name.log
	local t0=$SECONDS
	GST_DEBUG_DUMP_DOT_DIR=$logs timeout -k 5 300 "$bin" >"$log" 2>&1
	local rc=$?
	local ok nok
	ok=$(grep -c '^ok ' "$log")
	nok=$(grep -c '^not ok ' "$log")
	if ((rc != 0 && nok == 0)); then nok=1; fi # crashed or timed out
	passed=$((passed + ok))
	failed=$((failed + nok))
	if ((nok)); then
		failures+=("$name (log: $log)")
		printf '  FAIL  %-40s %3ds  (%d ok, %d failed, exit %d)\n' "$name" $((SECONDS - t0)) "$ok" "$nok" "$rc"
		grep -E '^not ok|ERROR|Bail out' "$log" | head -5 | sed 's/^/        /'
	else
		printf '  PASS  %-40s %3ds  (%d ok)\n' "$name" $((SECONDS - t0)) "$ok"
	fi
	# a skipped case says why (g_test_skip): shown, never silent
	grep -E '^ok .*# SKIP' "$log" | sed 's/^/        /' | head -3
	return 0
}

# Left out of the sanitizer pass, each with why (shown, never silent):
# test-provision hashes the PIN at full strength (600 000 PBKDF2 rounds, one
# OpenSSL allocation each) in relaisctl and again in the test; with a full
# stack taken per allocation it does not end within its 300 s, and the fast
# unwinder would leave its processes' third-party leaks unsuppressible
san_skip=(test-provision)

suite() {
	local kind=$1
	echo "== $kind tests"
	for bin in "$build"/tests/"$kind"/test-*; do
		[[ -x $bin ]] || continue
		if [[ $only == asan && " ${san_skip[*]} " == *" $(basename "$bin") "* ]]; then
			echo "  SKIP  $(basename "$bin") (sanitizer pass: see san_skip in tests/run-all.sh)"
			continue
		fi
		run_gtest "$bin"
	done
}

# A node:test suite: its folder under tests/ (where it runs), a whole-run
# limit in seconds, the lines of its output to show (a grep -E pattern),
# then its files (full paths: expanded here, not in that folder).
node_suite() {
	local kind=$1 limit=$2 show=$3
	shift 3
	# suite_name: a second run of the same folder keeps a log of its own
	local log=$logs/${suite_name:-$kind}.log
	(cd "$top/tests/$kind" && timeout -k 10 "$limit" node --test --test-concurrency=1 --test-reporter=spec "$@") >"$log" 2>&1
	local rc=$?
	local ok nok
	ok=$(sed -n 's/^ℹ pass \([0-9]*\)/\1/p' "$log" | tail -1)
	nok=$(sed -n 's/^ℹ fail \([0-9]*\)/\1/p' "$log" | tail -1)
	ok=${ok:-0}
	nok=${nok:-0}
	if ((rc != 0 && nok == 0)); then nok=1; fi
	passed=$((passed + ok))
	failed=$((failed + nok))
	grep -E "$show" "$log" | grep -vE '^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' | sed 's/^/  /'
	if ((nok)); then
		failures+=("${suite_name:-$kind} (log: $log)")
		tail -40 "$log"
	fi
}

if [[ $only == all ]]; then
	# one formatter for all C (STYLE.md); a diff here is a failed check
	echo "== format (clang-format $(clang-format --version | grep -o '[0-9][0-9.]*' | head -1))"
	if (cd "$top" && make -s format-check) >"$logs/format.log" 2>&1; then
		passed=$((passed + 1))
		echo "  PASS  clang-format"
	else
		failed=$((failed + 1))
		failures+=("format (log: $logs/format.log; fix with make format)")
		echo "  FAIL  clang-format"
		head -20 "$logs/format.log"
	fi
fi
# One PostgreSQL 15 for the whole unit run (tests/lib/pgfx.h: the store's
# tests make a database each on it), on a socket in a temp dir, stopped at
# the end. Not installed: those tests say so and skip, except in CI
# (RELAIS_TEST_PG_REQUIRED), where they must run.
pg_bin=/usr/lib/postgresql/15/bin
pg_dir=
pg_start() {
	[[ -x $pg_bin/initdb ]] || return 0
	pg_dir=$(mktemp -d /tmp/relais-pgrun-XXXXXX)
	local as=()
	if ((EUID == 0)); then
		chown postgres: "$pg_dir"
		as=(runuser -u postgres --)
	fi
	if "${as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres --locale=C -E UTF8 --no-sync \
		>"$logs/postgresql-initdb.log" 2>&1 &&
		"${as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -s \
			-o "-k $pg_dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off" start; then
		export RELAIS_TEST_PG_HOST=$pg_dir
		echo "  (PostgreSQL 15 for the unit tests on $pg_dir)"
	else
		echo "  PostgreSQL could not start: see $logs/postgresql-initdb.log; the store's tests start their own"
	fi
}
pg_stop() {
	[[ -n $pg_dir ]] || return 0
	local as=()
	((EUID == 0)) && as=(runuser -u postgres --)
	"${as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -s stop >/dev/null 2>&1
	rm -rf "$pg_dir"
	pg_dir=
	unset RELAIS_TEST_PG_HOST
}
[[ ${CI:-} == true ]] && export RELAIS_TEST_PG_REQUIRED=1
if [[ $only == all || $only == unit ]]; then
	trap pg_stop EXIT
	pg_start
	suite unit
	pg_stop
fi

# every libFuzzer harness (tests/fuzz/README.md): its regression inputs
# replayed, then a few seconds of fuzzing from its committed corpus, one
# harness at a time; `make check` builds them (make fuzz-build)
if [[ $only == all || $only == fuzz ]]; then
	echo "== fuzz (libFuzzer + ASan/UBSan/LSan, ${FUZZ_CHECK_SECONDS:-5} s each)"
	for src in "$top"/tests/fuzz/fuzz-*.c; do
		name=$(basename "$src" .c)
		name=${name#fuzz-}
		if "$top/tests/fuzz/run.sh" "$build" check "${FUZZ_CHECK_SECONDS:-5}" "$name"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			failures+=("fuzz-$name (log: $build/fuzz/logs/$name.log)")
		fi
	done
fi
[[ $only == all || $only == integration || $only == asan ]] && suite integration

if [[ $only == all || $only == e2e || $only == asan ]]; then
	echo "== e2e tests (Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'))"
	# the sanitizer pass may run a subset (RELAIS_SAN_E2E="call journey",
	# tests/sanitizer/README.md: the whole suite is slow under the sanitizers)
	e2e_files=("$top"/tests/e2e/*.test.mjs)
	rest_files=()
	if [[ $only == asan && -n ${RELAIS_SAN_E2E:-} && ${RELAIS_SAN_E2E} != all ]]; then
		e2e_files=()
		for n in $RELAIS_SAN_E2E; do
			if [[ ! -f $top/tests/e2e/$n.test.mjs ]]; then
				echo "RELAIS_SAN_E2E: no tests/e2e/$n.test.mjs" >&2
				exit 2
			fi
			e2e_files+=("$top/tests/e2e/$n.test.mjs")
		done
		for f in "$top"/tests/e2e/*.test.mjs; do
			[[ " $RELAIS_SAN_E2E " == *" $(basename "$f" .test.mjs) "* ]] || rest_files+=("$f")
		done
		echo "  (subset: $RELAIS_SAN_E2E)"
	fi
	node_suite e2e "$e2e_limit" '^\s*(✔|✖)' "${e2e_files[@]}"
	# RELAIS_SAN_E2E_REST=1: every other e2e file too, with AddressSanitizer's
	# fast unwinder and LeakSanitizer off (memory errors and undefined
	# behaviour; leaks are the subset's and the integration suite's job:
	# tests/sanitizer/README.md, "Two rounds")
	if [[ $only == asan && ${RELAIS_SAN_E2E_REST:-0} == 1 ]] && ((${#rest_files[@]})); then
		echo "== e2e tests, the other files: memory errors and undefined behaviour (leaks not checked)"
		full_options=$ASAN_OPTIONS
		ASAN_OPTIONS=${ASAN_OPTIONS/fast_unwind_on_malloc=0/fast_unwind_on_malloc=1}
		export ASAN_OPTIONS=${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0}
		suite_name=e2e-rest node_suite e2e "$e2e_limit" '^\s*(✔|✖)' "${rest_files[@]}"
		export ASAN_OPTIONS=$full_options
	fi
fi

# the network fault lab (tests/network, ~6 min): in `make check` when run
# as root (it makes network namespaces), and `make check-network`
if [[ $only == network || ($only == all && $(id -u) == 0) ]]; then
	echo "== network tests (namespaces, iptables $(iptables --version 2>/dev/null | awk '{print $2, $3}'))"
	# the results and the figures each scenario prints
	net_files=("$top"/tests/network/*.test.mjs)
	node_suite network 900 '^\s*(✔|✖|﹣|ℹ )' "${net_files[@]}"
elif [[ $only == all ]]; then
	echo "== network tests: skipped (they need root: network namespaces; make check-network)"
fi

# every process of the pass wrote its sanitizer findings to $san_reports:
# each distinct one (an ASan error, a UBSan runtime error, an unsuppressed
# leak) is a failure, shown here with the file that tells the whole story
if [[ $only == asan ]]; then
	echo "== sanitizer reports"
	python3 "$top/tests/sanitizer/reports.py" "$san_reports" >"$logs/sanitizer.log" 2>&1
	rc=$?
	cat "$logs/sanitizer.log"
	# GCC's UBSan runtime is a library of its own beside ASan's and writes
	# to stderr whatever log_path says: its reports are in the logs of the
	# tests whose processes it aborted
	find "$logs" -maxdepth 1 -name '*.log' ! -name sanitizer.log -newer "$logs/.sanitizer-start" \
		-exec grep -l 'runtime error:' {} + 2>/dev/null | while read -r f; do
		echo "  SANITIZER ubsan: $(grep -m1 'runtime error:' "$f" | cut -c1-200); in $f"
	done >>"$logs/sanitizer.log"
	grep '^  SANITIZER ubsan' "$logs/sanitizer.log"
	grep -q '^  SANITIZER ubsan' "$logs/sanitizer.log" && rc=1
	nrep=$(grep -c '^  SANITIZER ' "$logs/sanitizer.log")
	if ((rc != 0)); then
		((nrep == 0)) && nrep=1 # the reader itself failed
		failed=$((failed + nrep))
		failures+=("sanitizer: $nrep finding(s) (log: $logs/sanitizer.log)")
	else
		passed=$((passed + 1))
		echo "  PASS  no sanitizer report"
	fi
fi

echo
if ((${#failures[@]})); then
	echo "failed suites:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
