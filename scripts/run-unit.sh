#!/usr/bin/env bash
# run-unit.sh — run every cmocka unit-test binary given, from the repository root, and
# close with one "N passed, M failed" line (counting test binaries).
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0
for t in "$@"; do
	if "$t" >"$t.log" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL $t"; tail -n 30 "$t.log"
	fi
done
grep -h -E '^\[  (PASSED|FAILED)' "${@/%/.log}" 2>/dev/null | awk '{n[$2]+=$4} END {for (k in n) printf "unit tests %s %d\n", k, n[k]}'
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
