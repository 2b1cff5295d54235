#!/usr/bin/env bash
# test-fuzz-lib.sh — the deterministic slice of the libFuzzer targets (tests/fuzz/lib/):
# `make fuzz-slice` replays every saved corpus file (seeds, and crash-* reproducers of
# findings) and makes a fixed-seed run of each target, built with clang and
# -fsanitize=fuzzer,address,undefined. A crash, a hang past 10 s, a leak or any
# sanitizer report fails the target. One result per target. Without clang the suite
# fails: the fuzzers cannot be built (scripts/deps.sh installs it).
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
if ! command -v clang >/dev/null; then
	echo "FAIL clang is not installed: cannot build the libFuzzer targets (scripts/deps.sh installs it)"
	echo "fuzz-lib: 0 passed, 1 failed"
	exit 1
fi
out=$(make --no-print-directory BUILD="$BUILD" fuzz-build 2>&1) || {
	echo "$out" | tail -20
	echo "FAIL building the libFuzzer targets"
	echo "fuzz-lib: 0 passed, 1 failed"
	exit 1
}
out=$(make --no-print-directory BUILD="$BUILD" fuzz-slice 2>&1)
echo "$out" | grep -v '^make'
pass=$(grep -c '^PASS ' <<<"$out")
fail=$(grep -c '^FAIL ' <<<"$out")
[ "$pass" -eq 0 ] && [ "$fail" -eq 0 ] && fail=1
echo "fuzz-lib: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
