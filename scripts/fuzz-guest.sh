#!/usr/bin/env bash
# fuzz-guest.sh — the guest-side fuzzer's long run: the randcode kernel
# ($BUILD/tests/fuzz/randcode.elf, tests/fuzz/guest/randcode.c) runs seeded random
# code under every configuration, and the HOST must survive it.
#
# For each seed S in [--from, --from + --seeds), each configuration and each mode
# (ring 0 and ring 3), one run of
#   bench boot randcode.elf --cmdline "seed=S n=K mode=M paging=P io=I" \
#       --config C --profile P --max-insns LIMIT
# where paging = S mod 2 and io = (S / 2) mod 2 unless --paging / --io fix them.
# The guest may end however it likes: status 1 (all snippets done), any other odd
# status (random code wrote port 0xF4), 4 halted, 6 triple fault, 8 budget, 10
# unimplemented. A HOST failure is a signal, a hang past the budget (--timeout), any
# other status (2 = bad input, ...), sanitizer text on stderr, or a VMM that could
# not make progress (status 10 with its line: a ringlab bug, where natively the guest
# would have gone on). Runs go in parallel
# (GNU parallel when installed, else xargs -P); the summary gives runs, snippets
# executed, outcomes by status and configuration, and every host failure with the
# command that reproduces it. The last line is "fuzz-guest: N passed, M failed"
# (a run passes when the host survived it); the exit status is non-zero on failure.
#
#   scripts/fuzz-guest.sh [--seeds N] [--from S] [--configs "cfg[:prof] ..."] [--jobs J]
#                         [--modes "0 3"] [--n K] [--max-insns L] [--timeout T]
#                         [--paging 0|1] [--io 0|1] [--keep DIR] [--quiet]
# Defaults: 100 seeds from 1, both modes, n=200, max-insns 50000000, timeout 10 s
# (40 s when BENCH is an ASan build), jobs = nproc; --keep saves failed runs' output.
# Environment: BUILD (default build), BENCH (default $BUILD/bench), CONFIGS.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BENCH=${BENCH:-$BUILD/bench}
KERNEL=${KERNEL:-$BUILD/tests/fuzz/randcode.elf}

# --one CFG PROF SEED MODE PAGING IO N LIMIT TIMEOUT: run once (keeping the output of
# a failed run in $FZ_KEEP when set), print one record:
#   R <verdict> <status> <signal> <timedout> <done> CFG PROF SEED MODE PAGING IO | <first stderr line>
run_one() {
	local cfg=$1 prof=$2 seed=$3 mode=$4 paging=$5 io=$6 n=$7 limit=$8 tmo=$9 keep=${FZ_KEEP:-}
	local t; t=$(mktemp -d)
	local args="seed=$seed n=$n mode=$mode paging=$paging io=$io"
	perl -e '
		my ($res, $tmo, @cmd) = @ARGV;
		my $pid = fork // die "fork: $!";
		if (!$pid) { exec @cmd or exit 127; }
		my $to = 0;
		local $SIG{ALRM} = sub { $to = 1; kill "KILL", $pid; };
		alarm $tmo;
		waitpid($pid, 0);
		my $s = $?;
		alarm 0;
		open my $f, ">", $res or die;
		printf $f "%d %d %d\n", $s >> 8, $s & 127, $to;
	' "$t/res" "$tmo" "$BENCH" boot "$KERNEL" --cmdline "$args" --config "$cfg" \
		--profile "$prof" --max-insns "$limit" >"$t/out" 2>"$t/err" </dev/null
	local st sig to
	read -r st sig to <"$t/res" || { st=255; sig=0; to=0; }
	local verdict=ok
	if [ "$to" = 1 ]; then verdict=HANG
	elif [ "$sig" != 0 ]; then verdict=SIGNAL
	elif grep -Eq 'AddressSanitizer|runtime error:|UndefinedBehaviorSanitizer|LeakSanitizer' "$t/err"; then verdict=SANITIZER
	elif grep -q 'VMM made no progress\|EPT violation at .* the VMM cannot map' "$t/err"; then verdict=VMM
	elif [ $((st % 2)) = 1 ] || [ "$st" = 4 ] || [ "$st" = 6 ] || [ "$st" = 8 ] || [ "$st" = 10 ]; then verdict=ok
	else verdict=STATUS
	fi
	# snippets executed: the final line's done=, else the progress characters so far
	local done
	done=$(sed -nE 's/^randcode seed=[0-9]+ n=[0-9]+ done=([0-9]+).*/\1/p' "$t/out" | tail -1)
	if [ -z "$done" ]; then
		done=$(sed '1d' "$t/out" | tr -cd '.A-Zsti' | wc -c)
	fi
	local first
	first=$(grep -E 'AddressSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$t/err" | head -1)
	[ -z "$first" ] && first=$(grep -v '^$' "$t/err" | head -1)
	echo "R $verdict $st $sig $to $done $cfg $prof $seed $mode $paging $io | ${first:0:200}"
	if [ -n "$keep" ] && [ "$verdict" != ok ]; then
		local base="$keep/$verdict-${cfg//\//_}-s$seed-m$mode"
		cp "$t/out" "$base.out"; cp "$t/err" "$base.err"
	fi
	rm -rf "$t"
}

if [ "${1:-}" = --one ]; then
	shift
	run_one "$@"
	exit 0
fi

seeds=100 from=1 jobs=$(nproc 2>/dev/null || echo 2) modes="0 3" n=200 limit=50000000
tmo="" fpaging="" fio="" keep="" quiet=0
CONFIGS=${CONFIGS:-"native:p4-2006 hvm/shadow:p4-2006 hvm/nested:nehalem-2009 bt/shadow:p4-2006 te/shadow:p4-2006 pv/shadow:p4-2006 pv/direct:p4-2006"}
while [ $# -gt 0 ]; do
	case $1 in
	--seeds) seeds=$2; shift 2 ;;
	--from) from=$2; shift 2 ;;
	--configs) CONFIGS=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--modes) modes=$2; shift 2 ;;
	--n) n=$2; shift 2 ;;
	--max-insns) limit=$2; shift 2 ;;
	--timeout) tmo=$2; shift 2 ;;
	--paging) fpaging=$2; shift 2 ;;
	--io) fio=$2; shift 2 ;;
	--keep) keep=$2; mkdir -p "$keep"; shift 2 ;;
	--quiet) quiet=1; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d'; exit 0 ;;
	*) echo "fuzz-guest: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done

# the hang limit: ten times what a run at the budget takes, more for a sanitizer build
if [ -z "$tmo" ]; then
	case $BENCH in *asan*) tmo=40 ;; *) tmo=10 ;; esac
fi
if [ ! -x "$BENCH" ] || [ ! -f "$KERNEL" ]; then
	echo "fuzz-guest: ERROR: need $BENCH and $KERNEL (make BUILD=$BUILD all)" >&2
	echo "fuzz-guest: 0 passed, 1 failed"
	exit 1
fi

# the job list: one line per run
jobsfile=$(mktemp); results=$(mktemp)
trap 'rm -f "$jobsfile" "$results"' EXIT
for ((s = from; s < from + seeds; s++)); do
	paging=${fpaging:-$((s % 2))}; io=${fio:-$(((s / 2) % 2))}
	for conf in $CONFIGS; do
		case $conf in
		*:*) ;;
		hvm/nested) conf=$conf:nehalem-2009 ;; # a configuration alone: its usual profile
		*) conf=$conf:p4-2006 ;;
		esac
		for m in $modes; do
			echo "${conf%%:*} ${conf##*:} $s $m $paging $io $n $limit $tmo"
		done
	done
done >"$jobsfile"

start=$(date +%s.%N)
export BUILD BENCH KERNEL
export FZ_KEEP=$keep
if command -v parallel >/dev/null && parallel --version 2>/dev/null | grep -q GNU; then
	parallel -j "$jobs" --colsep ' ' "$0" --one {1} {2} {3} {4} {5} {6} {7} {8} {9} \
		<"$jobsfile" >"$results"
else
	xargs -P "$jobs" -L 1 "$0" --one <"$jobsfile" >"$results"
fi
wall=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo "?")

# the summary
runs=$(grep -c '^R ' "$results")
snips=$(awk '$1 == "R" { s += $6 } END { print s + 0 }' "$results")
fails=$(awk '$1 == "R" && $2 != "ok"' "$results" | wc -l)
echo "fuzz-guest: $runs runs (seeds $from..$((from + seeds - 1)), configs: $CONFIGS, modes: $modes," \
	"n=$n, max-insns $limit, timeout ${tmo}s), $snips snippets executed, ${wall%.*}s"
echo "outcomes by status:"
awk '$1 == "R" && $2 == "ok" { print $3 }' "$results" | sort -n | uniq -c | while read -r count st; do
	case $st in
	1) what="exit 0: all snippets done" ;;
	4) what="halted with interrupts off" ;;
	6) what="triple fault" ;;
	8) what="--max-insns budget" ;;
	10) what="unimplemented feature" ;;
	*) what="guest wrote $(((st - 1) / 2)) to port 0xF4" ;;
	esac
	printf "  %3s %-40s %6d\n" "$st" "($what)" "$count"
done
[ "$fails" -gt 0 ] && printf "  %3s %-40s %6d\n" "-" "(HOST FAILURES)" "$fails"
echo "by configuration and mode (runs, all done, host failures):"
awk '$1 == "R" { k = $7 " mode=" $10; r[k]++; if ($2 == "ok" && $3 == 1) d[k]++; if ($2 != "ok") f[k]++ }
	END { for (k in r) printf "  %-32s %5d %5d %5d\n", k, r[k], d[k], f[k] }' "$results" | sort
if [ "$quiet" = 0 ]; then
	echo "first stderr lines of guest endings (most common):"
	awk -F' \\| ' '/^R ok / && NF > 1 && $2 != "" { print $2 }' "$results" |
		sed -E 's/0x[0-9a-f]+/0x…/g; s/[0-9]+ guest instructions/N guest instructions/' |
		sort | uniq -c | sort -rn | head -8
fi
echo "host failures: $fails"
awk '$1 == "R" && $2 != "ok"' "$results" | sort -k7,7 -k9,9n | while read -r _ verdict st sig to done cfg prof seed mode paging io rest; do
	case $verdict in
	HANG) why="hang: no exit within ${tmo}s (budget $limit insns)" ;;
	SIGNAL) why="killed by signal $sig" ;;
	SANITIZER) why="sanitizer report (status $st)" ;;
	VMM) why="the VMM failed (a ringlab bug, not a guest ending)" ;;
	*) why="unexpected status $st" ;;
	esac
	[ "$done" -gt 0 ] && why="$why after $done snippets"
	rest=${rest#|}; rest=${rest# }
	echo "  [$cfg] seed=$seed mode=$mode paging=$paging io=$io: $why: ${rest:-(nothing on stderr)}"
	echo "    repro: $BENCH boot $KERNEL --cmdline \"seed=$seed n=$n mode=$mode paging=$paging io=$io\"" \
		"--config $cfg --profile $prof --max-insns $limit"
done
echo "fuzz-guest: $((runs - fails)) passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$runs" -gt 0 ]
