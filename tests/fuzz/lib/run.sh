#!/usr/bin/env bash
# run.sh — runs the libFuzzer targets built by fuzz.mk (make fuzz, make fuzz-slice).
#
#   run.sh fuzz  DIR SECONDS FLAGS TARGET...   fuzz each target for SECONDS
#   run.sh slice DIR RUNS    FLAGS TARGET...   replay the corpus, then RUNS fixed-seed runs
#
# DIR is $(BUILD)/fuzz, holding fuzz_<target>; corpora are tests/fuzz/corpus/<target>/,
# and the profile and workload targets also take the project's own profiles/*.lua and
# workloads/*.lua as seeds (read where they live, so the seeds follow every edit).
# In both modes the seeds (every corpus file not named crash-*) are given with
# -seed_inputs, so a reproducer of an open finding does not stop the fuzzing of
# everything else; the crash-* files are replayed one by one in the slice, each in its
# own process, and fail it until their bug is fixed. One line per target:
# "PASS fuzz_<target> ..." or "FAIL fuzz_<target> ..." with the sanitizer's summary
# and where the log and any crashing input are. Exits 1 if any target failed.
set -u
cd "$(dirname "$0")/../../.." || exit 1
mode=$1 dir=$2 amount=$3 flags=$4
shift 4

# -max_len per target: an instruction is at most 15 bytes (a few hundred cover many);
# the multiboot header is searched for in the first 8 KiB; profiles are ~5 KB, workloads
# < 1 KB; a results database is a few pages (seed-bench.db: 20 KB).
max_len() {
	case $1 in
	decode) echo 256 ;; loader) echo 16384 ;; profile) echo 16384 ;;
	workload) echo 4096 ;; results) echo 32768 ;; *) echo 4096 ;;
	esac
}

# live_seeds TARGET: the directory of real inputs a target also seeds from, if any
live_seeds() {
	case $1 in
	profile) echo profiles ;; workload) echo workloads ;;
	esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
common=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
fail=0

# summary LOG: the first sanitizer or libFuzzer error line of a log
summary() {
	grep -m1 -E 'INVARIANT FAILED|SUMMARY: |ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error' \
		"$1" | cut -c1-200
}

# run LOG CMD...: run CMD with its output in a scratch log appended to LOG; on failure
# print the summary of this run alone
run() {
	local log=$1 tmp rc
	shift
	tmp=$(mktemp)
	"$@" >"$tmp" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] && summary "$tmp"
	cat "$tmp" >>"$log"
	rm -f "$tmp"
	return "$rc"
}

for t in "$@"; do
	bin=$dir/fuzz_$t corpus=tests/fuzz/corpus/$t
	art=$dir/artifacts/$t logs=$dir/logs
	mkdir -p "$art" "$logs" "$dir/corpus/$t"
	if [ ! -x "$bin" ]; then
		echo "FAIL fuzz_$t: $bin is not built"; fail=1; continue
	fi
	seeds=$dir/seeds-$t.txt
	# shellcheck disable=SC2046 # live_seeds is one directory or none
	find "$corpus" $(live_seeds "$t") -maxdepth 1 -type f ! -name 'crash-*' 2>/dev/null | sort | paste -sd, |
		tr -d '\n' >"$seeds"
	seedarg=(); [ -s "$seeds" ] && seedarg=(-seed_inputs=@"$seeds")
	ml=$(max_len "$t")
	# shellcheck disable=SC2086 # FLAGS is a list of flags
	if [ "$mode" = fuzz ]; then
		log=$logs/$t-fuzz.log
		echo "fuzz_$t: fuzzing for ${amount}s (log $log)"
		"$bin" "${common[@]}" -max_len="$ml" -max_total_time="$amount" -artifact_prefix="$art/" \
			"${seedarg[@]}" $flags "$dir/corpus/$t" >"$log" 2>&1
		rc=$?
		execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1)
		if [ "$rc" -eq 0 ]; then
			ncorp=$(find "$dir/corpus/$t" -type f | wc -l)
			echo "PASS fuzz_$t: ${execs:-?} executions in ${amount}s, corpus $ncorp files"
		else
			echo "FAIL fuzz_$t: exit $rc after ${execs:-?} executions: $(summary "$log")"
			find "$art" -type f -newer "$bin" | head -3 | sed "s|^|    input: |"
			fail=1
		fi
		continue
	fi
	# slice: every saved file once, then a fixed-seed run
	log=$logs/$t-slice.log
	: >"$log"
	bad=() n=0
	while IFS= read -r f; do
		n=$((n + 1))
		echo "--- replay $f" >>"$log"
		s=$(run "$log" "$bin" "${common[@]}" "$f") || bad+=("$(basename "$f"): ${s:-failed}")
	done < <(find "$corpus" -maxdepth 1 -type f -name 'crash-*' | sort)
	nseed=$(tr ',' '\n' <"$seeds" | grep -c .)
	if [ "$nseed" -gt 0 ]; then
		# the seeds in one process (they must not crash either), then the fixed-seed run
		# shellcheck disable=SC2046 # one argument per seed file
		s=$(run "$log" "$bin" "${common[@]}" $(tr ',' ' ' <"$seeds")) || bad+=("a seed: ${s:-failed}")
	fi
	# shellcheck disable=SC2086 # FLAGS is a list of flags
	s=$(run "$log" "$bin" "${common[@]}" -max_len="$ml" -runs="$amount" -seed=1 -artifact_prefix="$art/" \
		"${seedarg[@]}" $flags) || bad+=("-runs=$amount -seed=1: ${s:-failed}")
	if [ ${#bad[@]} -eq 0 ]; then
		echo "PASS fuzz_$t: $((n + nseed)) corpus files, $amount fixed-seed runs"
	else
		echo "FAIL fuzz_$t: ${#bad[@]} failure(s) (log $log)"
		printf '    %s\n' "${bad[@]}"
		fail=1
	fi
done
exit $fail
