#!/usr/bin/env bash
# compare-builds.sh — are two builds of ringlab bit-identical in every modeled result?
#
# Runs every workload under every configuration on two profiles with each build's
# bench (and each build's own guest), strips what is host-dependent (host time, host
# counters, per-exit cycle attribution when --loose-exit-cycles is given), and compares
# the JSON. A refactoring of the machine, the VMM seam or the interpreter must leave
# every modeled cycle and counter as it was; this script is how that is checked.
#
#   scripts/compare-builds.sh OLD_BUILD_DIR NEW_BUILD_DIR [--quick] [--keep DIR]
#
# A build directory holds bench and guest/kernel.elf; if it also holds profiles/ (the
# profiles of its revision, e.g. `git archive REV profiles | tar -x -C OLD`), they are
# used for it, so a change that adds a profile primitive can still be compared.
# --quick runs each workload with small arguments (seconds instead of minutes).
# --ignore REGEX drops counters whose name matches (one that a change removed or renamed
# on purpose, say so in the commit).
# Prints one line per workload x profile and closes with "compare: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
export RINGLAB_ROOT=$PWD
old=${1:?usage: compare-builds.sh OLD_BUILD NEW_BUILD [--quick] [--keep DIR]}
new=${2:?usage: compare-builds.sh OLD_BUILD NEW_BUILD [--quick] [--keep DIR]}
shift 2
quick=0; keep=""; ignore='^$' 
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--keep) keep=$2; shift ;;
	--ignore) ignore=$2; shift ;;
	*) echo "compare-builds: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
t=${keep:-$(mktemp -d)}
mkdir -p "$t"
[ -n "$keep" ] || trap 'rm -rf "$t"' EXIT

# workload | quick arguments
cases=(
	"syscall-heavy|n=2000" "nanobench|n=200" "pgfault|n=100" "ptemod|n=500"
	"forkwait|n=10" "ctxswitch|n=100" "exec|n=5" "io-heavy|n=1" "compute|n=2000"
	"memwalk|pages=256" "mix|n=1"
)
strip() {
	python3 - "$1" "$ignore" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
drop = re.compile(sys.argv[2])
# provenance (dates, batch and run ids, paths, revisions) and host time are not results
for k in list(d):
    if k not in ("workload", "profile", "cmdline", "runs"):
        del d[k]
for r in d["runs"]:
    for k in list(r):
        if k.startswith("host_") or k in ("run_id", "provenance"):
            del r[k]
    for m in r.get("measurements", []):
        for k in list(m.get("counters", {})):
            if drop.search(k):
                del m["counters"][k]
print(json.dumps(d, indent=1, sort_keys=True))
PY
}
pass=0; fail=0
for prof in p4-2006 nehalem-2009; do
	for c in "${cases[@]}"; do
		IFS='|' read -r w qa <<<"$c"
		sets=()
		if [ "$quick" = 1 ]; then for a in $qa; do sets+=(--set "$a"); done; fi
		for side in old new; do
			b=$old; [ $side = new ] && b=$new
			# a build directory may carry the profiles of its revision (profiles/)
			RINGLAB_PROFILES=$( [ -d "$b/profiles" ] && echo "$b/profiles" || echo "$PWD/profiles") \
			"$b/bench" run "$w" --profile "$prof" --no-save --format json --kernel "$b/guest/kernel.elf" \
				"${sets[@]}" >"$t/$side.$w.$prof.json" 2>"$t/$side.err" ||
				{ echo "  ($side build failed: $(tail -1 "$t/$side.err"))"; }
			strip "$t/$side.$w.$prof.json" >"$t/$side.$w.$prof.s" 2>/dev/null
		done
		if [ -s "$t/old.$w.$prof.s" ] && cmp -s "$t/old.$w.$prof.s" "$t/new.$w.$prof.s"; then
			pass=$((pass + 1)); echo "SAME $w $prof"
		else
			fail=$((fail + 1)); echo "DIFF $w $prof"
			diff "$t/old.$w.$prof.s" "$t/new.$w.$prof.s" | head -8
		fi
	done
done
echo "compare: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
