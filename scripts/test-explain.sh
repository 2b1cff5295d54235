#!/usr/bin/env bash
# test-explain.sh — numbers that explain themselves (issue 14): bench explain (text
# golden, JSON shape), bench trace (JSON-lines golden, the measured region only, --limit,
# --reason, --walk, --shadow-dump, a kernel file), and the one-line errors with "did you
# mean" for workloads, profiles, configurations, --set keys and exit reasons.
# Goldens are modeled cycles only (no host time), the same on every host; regenerate
# with UPDATE_GOLDEN=1 scripts/test-explain.sh after checking a change is intended.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh
scratch
G=tests/golden

# explain: the student's question answered from one command
"$BENCH" explain pgfault --set n=50 --config native,hvm/shadow >"$t/explain.txt" 2>"$t/err"
st=$?
[ "$st" -eq 0 ] && [ ! -s "$t/err" ] && ok "explain runs" || bad "explain runs (status $st: $(cat "$t/err"))"
golden explain-pgfault.txt "$t/explain.txt"
for want in "EXCEPTION_NMI" "hidden faults" "traced writes" "true faults" "shadow.hidden_faults" \
	"in short:" "legend:" "docs/glossary.md" "transition  VM exits"; do
	grep -q -- "$want" "$t/explain.txt" || { bad "explain mentions '$want'"; continue; }
done
grep -q "x native" "$t/explain.txt" && ok "explain compares with native" || bad "explain compares with native"
# every category and every counter family explain can print is in the glossary
miss=""
for w in guest mem trap transition vmm translate io idle EXCEPTION_NMI EPT_VIOLATION CR_ACCESS \
	IO_INSTRUCTION "shadow\.\*" "nested\.\*" "exit_cycles" "modeled cycles" "host time"; do
	grep -q -- "$w" docs/glossary.md || miss="$miss $w"
done
[ -z "$miss" ] && ok "glossary covers categories, exits, families" || bad "glossary lacks:$miss"
"$BENCH" explain pgfault --set n=50 --config native,hvm/shadow --format json >"$t/explain.json" 2>/dev/null
python3 - "$t/explain.json" <<'PY' && ok "explain JSON" || bad "explain JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["workload"] == "pgfault" and d["glossary"] == "docs/glossary.md"
assert set(d["legend"]) == {"guest", "mem", "trap", "transition", "vmm", "translate", "io", "idle"}
ms = {m["config"]: m for m in d["measurements"]}
s = ms["hvm/shadow"]
pf = s["page_faults"]
nmi = [e for e in s["exits"] if e["reason"] == "EXCEPTION_NMI"][0]
# every #PF exit is one of: hidden (pure), traced write, true fault
assert pf["shadow.hidden_faults - shadow.traced_writes"] + pf["shadow.traced_writes"] + pf["shadow.true_faults"] == nmi["count"], (pf, nmi)
assert all(c["description"] for c in s["counters"]), [c for c in s["counters"] if not c["description"]]
assert ms["native"]["exits"] == [] and ms["native"]["overhead"] == 1.0
PY
"$BENCH" explain nanobench --set n=20 --measurement cpuid --config native,hvm/shadow >"$t/e2.txt" 2>&1 &&
	grep -q "CPUID, which VT-x always intercepts" "$t/e2.txt" && [ "$(grep -c '^== ' "$t/e2.txt")" -eq 2 ] &&
	ok "explain --measurement" || bad "explain --measurement: $(head -3 "$t/e2.txt")"
"$BENCH" explain pgfault --set n=20 --config hvm/nested --profile nehalem-2009 >"$t/e3.txt" 2>&1 &&
	grep -q "nested.walks" "$t/e3.txt" && ok "explain under nested paging" || bad "explain nested: $(tail -3 "$t/e3.txt")"

# trace: the measured region only, as JSON lines
"$BENCH" trace pgfault --set n=3 --format jsonl >"$t/trace.jsonl" 2>"$t/err"
golden trace-pgfault.jsonl "$t/trace.jsonl"
python3 - "$t/trace.jsonl" <<'PY' && ok "trace JSON lines" || bad "trace JSON lines"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
exits = [l for l in lines if l["type"] == "exit"]
summary = [l for l in lines if l["type"] == "summary"][0]
# 4 exits per fault (the true fault, the handler's first touches, the traced PTE write,
# the retry's hidden fault) plus first touches of kernel pages, which depend on the
# kernel's layout: exact classes for the faults, a range for the rest
assert len(exits) == summary["exits"] and 12 <= len(exits) <= 18, len(exits)
assert sum(c == "hidden fault, shadow entry filled" for c in [e["class"] for e in exits]) >= 6
assert sum(e["cycles"] for e in exits) == summary["cycles"]
classes = [e["class"] for e in exits]
assert classes.count("true fault, reflected to the guest") == 3
assert classes.count("traced page-table write, emulated") == 3
for e in exits:
    for k in ("reason", "kind", "class", "eip", "qualification", "detail", "cycles", "at"):
        assert k in e, k
assert lines[-2]["type"] == "console" and lines[-2]["text"].startswith("@result name=pgfault ops=3")
PY
n=$("$BENCH" trace pgfault --set n=20 --limit 5 --format jsonl 2>/dev/null | grep -c '"type": "exit"')
[ "$n" -eq 5 ] && ok "trace --limit" || bad "trace --limit ($n exits)"
"$BENCH" trace pgfault --set n=5 --reason CR_ACCESS --format jsonl 2>/dev/null | grep '"type": "exit"' | grep -v -q CR_ACCESS &&
	bad "trace --reason" || ok "trace --reason"
"$BENCH" trace pgfault --set n=2 --limit 0 --walk 0xc0100000 --shadow-dump >"$t/walk.txt" 2>&1 &&
	grep -q "^  PDE at guest-physical" "$t/walk.txt" && grep -q -- "-> guest-physical 0x00100000" "$t/walk.txt" &&
	grep -q "shadow of guest CR3" "$t/walk.txt" && ok "trace --walk and --shadow-dump" ||
	bad "trace --walk/--shadow-dump: $(tail -4 "$t/walk.txt")"
"$BENCH" trace pgfault --set n=2 --limit 0 --config native --shadow-dump 2>&1 | grep -q "keeps no table of its own" &&
	ok "shadow dump of an MMU without a table" || bad "shadow dump of the direct MMU"
"$BENCH" trace "$BUILD/guest/kernel.elf" --cmdline "syscall n=3" --format jsonl 2>/dev/null |
	grep -q '"text": "@result name=syscall ops=3' && ok "trace of a kernel file" || bad "trace of a kernel file"

# errors: one line, non-zero, naming what was meant
expect_error "did you mean: workload" "unknown workload 'pgfalt' .*did you mean 'pgfault'\?" "$BENCH" explain pgfalt
expect_error "did you mean: profile" "unknown profile 'nehalem' .*did you mean 'nehalem-2009'\?" "$BENCH" run pgfault --profile nehalem --no-save
expect_error "did you mean: configuration" "unknown configuration 'hvm/shadwo' .*did you mean 'hvm/shadow'\?" "$BENCH" trace pgfault --config hvm/shadwo
expect_error "--set key checked before booting" "--set pages: workload pgfault has no argument 'pages' \(arguments: n=2000\)" "$BENCH" run pgfault --set pages=3 --no-save
expect_error "--set key did you mean" "did you mean 'pages'\?" "$BENCH" explain memwalk --set page=3
expect_error "failing guest: one line" "^bench run: guest 'pgfault n=0' failed under native: .*it said: pgfault: failed$" "$BENCH" run pgfault --set n=0 --no-save
"$BENCH" run pgfault --set n=5 --config native --db "$t/x.db" >/dev/null 2>&1
expect_error "export of an unknown workload (database exists)" "no saved runs of workload 'nosuch'" "$BENCH" export --workload nosuch --db "$t/x.db"
expect_error "trace: did you mean an exit reason" "unknown exit reason 'EXCEPTON_NMI' .*did you mean 'EXCEPTION_NMI'\?" "$BENCH" trace pgfault --reason EXCEPTON_NMI
expect_error "trace: bad --limit" "--limit needs a number" "$BENCH" trace pgfault --limit x
expect_error "trace: bad --walk" "--walk needs a linear address" "$BENCH" trace pgfault --walk zz
expect_error "explain: unknown measurement" "no measurement 'nope' in nanobench \(measurements: syscall" "$BENCH" explain nanobench --set n=5 --measurement nope --config native
expect_error "explain: bad format" "unknown format 'xml'" "$BENCH" explain pgfault --format xml

# workload arguments are listed
"$BENCH" list | grep -A1 "^  memwalk " | grep -q "args: pages=1024 passes=10 stride=1" && ok "bench list shows arguments" || bad "bench list shows arguments"
"$BENCH" run memwalk --help | grep -q "^  pages=1024" && ok "bench run WORKLOAD --help shows arguments" || bad "run WORKLOAD --help"
for c in explain trace; do "$BENCH" $c --help >/dev/null 2>&1 && ok "$c --help" || bad "$c --help"; done

summary explain
