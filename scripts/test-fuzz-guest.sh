#!/usr/bin/env bash
# test-fuzz-guest.sh — a short, deterministic slice of the guest-side fuzzer for
# `make test`: seeds 1..40 of the randcode kernel (tests/fuzz/guest/randcode.c), 16
# snippets each, in ring 0 and ring 3, under native:p4-2006, hvm/shadow:p4-2006 and
# hvm/nested:nehalem-2009, bt/shadow:p4-2006, te/shadow:p4-2006, pv/shadow:p4-2006 and pv/direct:p4-2006 (or $CONFIGS; the
# randcode kernel is not paravirtualized, so under pv it runs as under te), with a small instruction budget. Strict:
# any host failure (signal, hang past the budget, unexpected status, sanitizer
# report) fails the suite; guest endings (triple fault, halt, budget, unimplemented)
# do not. The work is scripts/fuzz-guest.sh's; its last line is the suite's
# "fuzz-guest: N passed, M failed". About 30 s with the normal build on two CPUs;
# FUZZ_TIMEOUT (seconds per run, default 2, 10 for an ASan build) is the hang limit.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BENCH=${BENCH:-$BUILD/bench}
export BUILD BENCH
case $BENCH in *asan*) tmo=${FUZZ_TIMEOUT:-10} ;; *) tmo=${FUZZ_TIMEOUT:-2} ;; esac
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
pass=0 fail=0 st=0
run() { # fuzz-guest.sh ARGS...: its report, its counts added to the suite's
	local out
	out=$(scripts/fuzz-guest.sh "$@" --timeout "$tmo" --jobs "$jobs" --quiet 2>&1) || st=1
	printf '%s\n' "$out" | sed '$d'
	local last=${out##*$'\n'}
	[[ $last =~ fuzz-guest:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]] || { echo "$last"; st=1; return; }
	pass=$((pass + BASH_REMATCH[1])) fail=$((fail + BASH_REMATCH[2]))
}
run --seeds 40 --from 1 --modes "0 3" --n 16 --max-insns 4000000
# regressions: seeds whose random kernel code once crashed the host under bt/shadow (a
# descriptor read outside the run loop faulted and longjmp'ed into it after it returned)
for s in 5115 5247 5307; do
	run --configs bt/shadow:p4-2006 --seeds 1 --from "$s" --modes 0 --n 200 --max-insns 4000000
done
echo "fuzz-guest: $pass passed, $fail failed"
[ "$st" = 0 ] && [ "$fail" = 0 ]
