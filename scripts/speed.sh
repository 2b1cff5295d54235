#!/usr/bin/env bash
# speed.sh — the performance benchmark of issue 2 (not a test): run the compute-bound
# kernel (about 10^9 guest instructions) on ringlab and on qemu-system-i386 (TCG), and
# print ringlab's guest instructions per host second and both wall times.
#   usage: scripts/speed.sh [n]     (n scales the work; default 3400)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BENCH=${BENCH:-$BUILD/bench}
K=$BUILD/tests/diff/speed.elf
n=${1:-3400}
[ -x "$BENCH" ] && [ -f "$K" ] || { echo "speed: build first (make)" >&2; exit 2; }
j=$(mktemp)
t0=$(date +%s.%N)
st=0; "$BENCH" boot "$K" --cmdline "n=$n" --stats-json "$j" || st=$?
[ "$st" = 1 ] || { echo "speed: ringlab run failed (status $st)" >&2; exit 1; }
t1=$(date +%s.%N)
insns=$(grep -o '"guest_instructions": [0-9]*' "$j" | head -1 | grep -o '[0-9]*$')
host=$(grep -o '"host_seconds": [0-9.]*' "$j" | grep -o '[0-9.]*$')
rm -f "$j"
echo "ringlab: $insns guest instructions in $host s host time (run loop): $(awk "BEGIN {printf \"%.1f\", $insns / $host / 1e6}") M guest instructions per host second"
echo "ringlab: wall time including start-up: $(awk "BEGIN {printf \"%.3f\", $t1 - $t0}") s"
if command -v qemu-system-i386 >/dev/null; then
	q0=$(date +%s.%N)
	qemu-system-i386 -kernel "$K" -append "n=$n" -serial stdio -display none -no-reboot -m 128 \
		-device isa-debug-exit,iobase=0xf4,iosize=4 || true
	q1=$(date +%s.%N)
	qt=$(awk "BEGIN {printf \"%.3f\", $q1 - $q0}")
	echo "qemu-system-i386 (TCG): wall time $qt s"
	echo "ratio ringlab/QEMU wall time: $(awk "BEGIN {printf \"%.2f\", ($t1 - $t0) / $qt}")"
else
	echo "qemu-system-i386 not installed: no comparison" >&2
fi
