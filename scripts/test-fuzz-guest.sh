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
exec scripts/fuzz-guest.sh --seeds 40 --from 1 --modes "0 3" --n 16 --max-insns 4000000 \
	--timeout "$tmo" --jobs "${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}" --quiet
