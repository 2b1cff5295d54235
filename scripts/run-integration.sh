#!/usr/bin/env bash
# run-integration.sh — the end-to-end suites: the guest on QEMU and on ringlab, the
# differential test kernels, bench boot's behaviour on good and bad input. Each suite
# prints its own "name: N passed, M failed" line; this script sums them.
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build} BENCH=${BENCH:-build/bench}
pass=0; fail=0
for s in scripts/test-*.sh; do
	[ -e "$s" ] || continue
	if "$s"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL suite $s"; fi
done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
