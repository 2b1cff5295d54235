#!/usr/bin/env bash
# speed-kernel.sh — host speed on kernel work (a benchmark, not a test): the guest's
# syscall, pgfault, forkwait and exec programs under native, hvm/shadow and hvm/nested,
# each beside qemu-system-i386 (TCG) running the same image with the same command
# line, interleaved, several times; prints the medians of wall and user time and the
# ratio ringlab/QEMU (below 1: ringlab is faster).
#   usage: scripts/speed-kernel.sh [runs]     (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BENCH=${BENCH:-$BUILD/bench}
K=$BUILD/guest/kernel.elf
runs=${1:-5}
[ -x "$BENCH" ] && [ -f "$K" ] || { echo "speed-kernel: build first (make)" >&2; exit 2; }
command -v qemu-system-i386 >/dev/null || { echo "speed-kernel: qemu-system-i386 is not installed" >&2; exit 2; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# time CMD...: append "wall user" of one run to $t/cur
timed() { /usr/bin/time -f "%e %U" -o "$t/one" "$@" >/dev/null 2>&1 || true; tail -n 1 "$t/one" >>"$t/cur"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

programs=("syscall n=2000000" "pgfault n=20000" "forkwait n=5000" "exec n=1500")
configs=("native:p4-2006" "hvm/shadow:p4-2006" "hvm/nested:nehalem-2009")
printf "%-18s %-11s %9s %9s %9s %9s %8s %8s\n" program config "wall s" "user s" "QEMU wall" "QEMU user" "wall x" "user x"
for p in "${programs[@]}"; do
	for c in "${configs[@]}"; do
		cfg=${c%%:*}; prof=${c##*:}
		: >"$t/r"; : >"$t/q"
		for ((i = 0; i < runs; i++)); do
			: >"$t/cur"; timed "$BENCH" boot "$K" --config "$cfg" --profile "$prof" --cmdline "$p"; cat "$t/cur" >>"$t/r"
			: >"$t/cur"; timed qemu-system-i386 -kernel "$K" -append "$p" -serial stdio -display none \
				-no-reboot -m 128 -device isa-debug-exit,iobase=0xf4,iosize=4; cat "$t/cur" >>"$t/q"
		done
		rw=$(cut -d' ' -f1 "$t/r" | median); ru=$(cut -d' ' -f2 "$t/r" | median)
		qw=$(cut -d' ' -f1 "$t/q" | median); qu=$(cut -d' ' -f2 "$t/q" | median)
		printf "%-18s %-11s %9s %9s %9s %9s %8s %8s\n" "$p" "$cfg" "$rw" "$ru" "$qw" "$qu" \
			"$(awk "BEGIN {printf \"%.2f\", $rw / ($qw > 0 ? $qw : 0.01)}")" \
			"$(awk "BEGIN {printf \"%.2f\", $ru / ($qu > 0 ? $qu : 0.01)}")"
	done
done
echo "medians of $runs interleaved runs; time is host time; x = ringlab / QEMU (below 1: ringlab faster)"
