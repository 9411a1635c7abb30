#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs libFuzzer harnesses built in BUILD/fuzz (README.md), one at a time.
# Usage: run.sh BUILD check|long SECONDS [NAME...]   (no NAME: every harness)
#   check  replays tests/fuzz/regressions/NAME/ (each input once), then
#          fuzzes SECONDS from the committed corpus into a scratch copy
#   long   fuzzes SECONDS into BUILD/fuzz/corpus/NAME (kept between runs)
# Either way a crash, a sanitizer report or a leak fails the harness and
# its input is written to BUILD/fuzz/crashes/NAME/. The last line of each
# run's statistics (execs, cov, ft) goes to BUILD/fuzz/stats/NAME.txt.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run.sh BUILD check|long SECONDS [NAME...]}" && pwd)
mode=${2:-check}
seconds=${3:-5}
shift 3 2>/dev/null || shift $#
names=("$@")
if ((${#names[@]} == 0)); then
	for f in "$here"/fuzz-*.c; do
		n=$(basename "$f" .c)
		names+=("${n#fuzz-}")
	done
fi
# leaks are crashes; UBSan stops at the first report (-fno-sanitize-recover)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logs=$build/fuzz/logs
mkdir -p "$logs" "$build/fuzz/stats"
rc=0
for name in "${names[@]}"; do
	bin=$build/fuzz/fuzz-$name
	log=$logs/$name.log
	crashes=$build/fuzz/crashes/$name
	mkdir -p "$crashes"
	if [[ ! -x $bin ]]; then
		printf '  FAIL  fuzz-%-34s not built (make fuzz-build)\n' "$name"
		rc=1
		continue
	fi
	opts=()
	[[ -f $here/$name.options ]] && read -r -a opts <"$here/$name.options"
	[[ -f $here/$name.dict ]] && opts+=("-dict=$here/$name.dict")
	t0=$SECONDS
	: >"$log"
	# the regressions first: each a crash once, each must pass now
	reg=$here/regressions/$name
	nreg=0
	if [[ $mode == check && -d $reg ]] && compgen -G "$reg/*" >/dev/null; then
		nreg=$(find "$reg" -type f | wc -l)
		if ! (cd "$crashes" && "$bin" "${opts[@]}" -runs=1 "$reg"/*) >>"$log" 2>&1; then
			printf '  FAIL  fuzz-%-34s a regression input fails again (log: %s)\n' "$name" "$log"
			grep -E 'ERROR|CRITICAL|SUMMARY|Running:' "$log" | tail -5 | sed 's/^/        /'
			rc=1
			continue
		fi
	fi
	if [[ $mode == long ]]; then
		work=$build/fuzz/corpus/$name
		mkdir -p "$work"
	else
		work=$(mktemp -d)
	fi
	# check: bounded in runs too, so that a fast harness on a fast machine
	# does not stretch make check
	runs=${FUZZ_RUNS:-$([[ $mode == check ]] && echo 2000000 || echo -1)}
	# an input that takes over 30 s is a finding too (a slow-input attack)
	(cd "$crashes" && "$bin" "${opts[@]}" -timeout=30 -max_total_time="$seconds" -runs="$runs" \
		-print_final_stats=1 -artifact_prefix="$crashes/" "$work" "$here/corpus/$name") >>"$log" 2>&1
	status=$?
	[[ $mode == long ]] || rm -rf "$work"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*')
	ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*')
	printf '%s %s mode=%s seconds=%s execs=%s cov=%s ft=%s regressions=%s status=%s\n' "$(date -u +%FT%TZ)" \
		"$name" "$mode" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$nreg" "$status" >>"$build/fuzz/stats/$name.txt"
	if ((status != 0)); then
		printf '  FAIL  fuzz-%-34s %3ds  (exit %d, input in %s; log: %s)\n' "$name" $((SECONDS - t0)) "$status" \
			"$crashes" "$log"
		grep -E '==ERROR|CRITICAL|SUMMARY|runtime error' "$log" | head -5 | sed 's/^/        /'
		rc=1
	else
		printf '  PASS  fuzz-%-34s %3ds  (%s execs, cov %s, ft %s, %d regressions)\n' "$name" $((SECONDS - t0)) \
			"${execs:-?}" "${cov:-?}" "${ft:-?}" "$nreg"
	fi
done
exit $rc
