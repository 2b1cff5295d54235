#!/usr/bin/env bash
# test-diff.sh — the differential suite: every kernel in $BUILD/tests/diff runs on
# qemu-system-i386 (the reference machine) and on ringlab's bench boot under every
# configuration; their console output and exit status must be identical (the guest
# is the judge: a configuration changes costs, never results). On a mismatch the kernel
# is rerun with `verbose` on both to show the first differing cases. Without QEMU the
# suite fails loudly: it never passes without a reference.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BENCH=${BENCH:-$BUILD/bench}
QEMU=(qemu-system-i386 -serial stdio -display none -no-reboot -m 128
      -device isa-debug-exit,iobase=0xf4,iosize=4)
if ! command -v qemu-system-i386 >/dev/null; then
	echo "difftest: ERROR: qemu-system-i386 is not installed; the differential suite cannot run" >&2
	echo "difftest: 0 passed, 1 failed"
	exit 1
fi
pass=0; fail=0
t=$(mktemp -d)
CONFIGS=${CONFIGS:-"native:p4-2006 hvm/shadow:p4-2006 hvm/nested:nehalem-2009"}
for k in "$BUILD"/tests/diff/*.elf; do
	name=$(basename "$k" .elf)
	[ "$name" = speed ] && continue
	timeout 30 "${QEMU[@]}" -kernel "$k" >"$t/q" 2>/dev/null; qs=$?
	for conf in $CONFIGS; do
		cfg=${conf%%:*}; prof=${conf##*:}
		timeout 30 "$BENCH" boot "$k" --config "$cfg" --profile "$prof" >"$t/r" 2>"$t/re"; rs=$?
		if [ "$qs" = "$rs" ] && cmp -s "$t/q" "$t/r" && [ "$qs" = 1 ]; then
			pass=$((pass + 1)); echo "PASS $name [$cfg] ($(wc -l <"$t/q") lines)"
		else
			fail=$((fail + 1)); echo "FAIL $name [$cfg] (qemu status $qs, ringlab status $rs)"
			head -3 "$t/re"
			diff "$t/q" "$t/r" | head -10
			timeout 30 "${QEMU[@]}" -kernel "$k" -append verbose >"$t/qv" 2>/dev/null
			timeout 30 "$BENCH" boot "$k" --config "$cfg" --profile "$prof" --cmdline verbose >"$t/rv" 2>/dev/null
			diff "$t/qv" "$t/rv" | head -10
		fi
	done
done
rm -rf "$t"
echo "difftest: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
