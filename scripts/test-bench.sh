#!/usr/bin/env bash
# test-bench.sh — bench as a researcher uses it: run small syscall-heavy and nanobench
# workloads and check their JSON against the contract (workloads/README.md, issue 4),
# determinism of everything but host fields, the results database (show, export,
# table, plot), and one-line errors with a non-zero status for bad input.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh
scratch
DB=$t/r.db

"$BENCH" run syscall-heavy --set n=2000 --format json --db "$DB" >"$t/s.json" 2>/dev/null
"$BENCH" run nanobench --set n=200 --format json --db "$DB" >"$t/n.json" 2>/dev/null
check_json() { # FILE WORKLOAD NAMES...
python3 - "$@" <<'PY'
import json, sys
path, workload, *names = sys.argv[1:]
d = json.load(open(path))
assert d["workload"] == workload and d["profile"] == "p4-2006", d.keys()
for run in d["runs"]:
    for k in ("config", "engine", "mmu", "host_seconds", "guest_instructions", "measurements"):
        assert k in run, k
    got = [m["name"] for m in run["measurements"]]
    assert got == names, got
    for m in run["measurements"]:
        for k in ("name", "ops", "modeled_cycles", "cycles_per_op", "overhead", "cycles_by_category", "exits", "counters"):
            assert k in m, k
        assert m["ops"] > 0 and m["modeled_cycles"] > 0
        assert abs(m["cycles_per_op"] - m["modeled_cycles"] / m["ops"]) < 0.01
        assert set(m["cycles_by_category"]) == {"guest", "mem", "trap", "transition", "vmm", "translate", "io", "idle"}
        assert sum(m["cycles_by_category"].values()) == m["modeled_cycles"]
        if run["config"] == "native":
            assert m["overhead"] == 1.0, m["overhead"]
PY
}
if check_json "$t/s.json" syscall-heavy syscall; then ok "syscall-heavy JSON contract"; else bad "syscall-heavy JSON contract"; fi
if check_json "$t/n.json" nanobench syscall in out cr3 pushf_popf sgdt sidt smsw cpuid callret pgfault divzero ptemod; then
	ok "nanobench JSON contract (13 measurements)"; else bad "nanobench JSON contract"; fi

"$BENCH" run syscall-heavy --set n=2000 --format json --no-save >"$t/s2.json" 2>/dev/null
strip() { strip_host <"$1"; }
# host fields, and the provenance and run ids (revision, date, host differ per run)
strip_host() { sed -E 's/"host_[a-z_]+": ("[^"]*"|[0-9.e+-]+|null)//g; s/, "provenance": \{[^}]*\}//; s/"run_id": (null|[0-9]+), //'; }
if [ "$(strip "$t/s.json")" = "$(strip "$t/s2.json")" ]; then ok "deterministic JSON"; else bad "deterministic JSON"; fi

if "$BENCH" run syscall-heavy --set n=1000 --no-save 2>/dev/null | grep -Eq "^native +syscall +1000 "; then ok "table output"; else bad "table output"; fi
if "$BENCH" run syscall-heavy --set n=1000 --no-save --format csv 2>/dev/null | grep -q "^native,native,direct,syscall,1000,"; then ok "csv output"; else bad "csv output"; fi

"$BENCH" export --db "$DB" >"$t/e.csv" && [ "$(grep -c ',native,' "$t/e.csv")" -eq 14 ] && ok "export csv (14 native measurements)" || bad "export csv"
"$BENCH" export --db "$DB" --format json --workload nanobench | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)>=1 and all(r["workload"]=="nanobench" for r in d)' && ok "export json" || bad "export json"
"$BENCH" show 1 --db "$DB" | grep -q '"measurements"' && ok "show" || bad "show"
"$BENCH" table --db "$DB" --format markdown | grep -q "| \*\*Performance\*\* |" && ok "table (paper format)" || bad "table (paper format)"
"$BENCH" plot nanobench --db "$DB" -o "$t/p.png" --kind categories 2>/dev/null && [ -s "$t/p.png" ] && ok "plot" || bad "plot"

# bad input: one line, non-zero
expect_error "unknown workload" "unknown workload 'nope' \(workloads: .*syscall-heavy" "$BENCH" run nope --no-save
expect_error "unknown profile" "unknown profile 'nope'" "$BENCH" run syscall-heavy --profile nope --no-save
expect_error "unknown configuration" "unknown configuration 'warp' \(configurations: native" "$BENCH" run syscall-heavy --config warp --no-save
# every listed engine exists now (bt was the last): it runs and reports its callouts
"$BENCH" run syscall-heavy --set n=20 --config bt/shadow --no-save 2>/dev/null | grep -q "BT_CALLOUT" && ok "bt/shadow runs (callouts in the table)" || bad "bt/shadow runs"
expect_error "nested paging refused on a CPU without it" "profile p4-2006 has no nested paging \(profiles with it: nehalem-2009, skylake-2017\)" "$BENCH" run syscall-heavy --config hvm/nested --no-save
mkdir -p "$t/w"
printf 'return {\n  program = "syscall",\n  args = { n = 10 \n}\n' >"$t/w/broken.lua"
expect_error "Lua syntax error with file and line" "broken.lua:[0-9]+:" env RINGLAB_WORKLOADS="$t/w" "$BENCH" run broken --no-save
printf 'return { program = "syscall", colour = "red" }\n' >"$t/w/typo.lua"
expect_error "unknown workload field" "unknown field 'colour'" env RINGLAB_WORKLOADS="$t/w" "$BENCH" run typo --no-save
printf 'return { program = "nosuchprogram" }\n' >"$t/w/fails.lua"
err=$(env RINGLAB_WORKLOADS="$t/w" "$BENCH" run fails --no-save 2>&1 >/dev/null); st=$?
if [ "$st" -ne 0 ] && [ "$(grep -c '^bench run: guest' <<<"$err")" -eq 1 ] &&
	grep -q "failed under native: exited (exit 5); it said: unknown program 'nosuchprogram'" <<<"$err"; then
	ok "guest failure (one line, non-zero)"; else bad "guest failure (status $st: $err)"; fi
expect_error "bad --set" "key=value" "$BENCH" run syscall-heavy --set n --no-save
expect_error "bad format" "unknown format" "$BENCH" run syscall-heavy --format xml --no-save
helpok=1
for c in run list table plot show export boot; do "$BENCH" $c --help >/dev/null 2>&1 || { bad "$c --help"; helpok=0; }; done
[ "$helpok" = 1 ] && ok "--help on every command"

# Values only the guest knows reach derived metrics: the sensitive program's verdict count
"$BENCH" run sensitive --config native --no-save --format json >"$t/sens.json" 2>/dev/null
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["runs"][0]["measurements"][0]["derived"]
assert d["correct"] == 20 and d["wrong"] == 0, d
' "$t/sens.json"; then ok "guest-reported values in derived metrics (sensitive: 20 correct)"
else bad "guest-reported values (sensitive)"; fi

# Golden files: the table, the JSON and the paper-format table of a fixed small run.
# Modeled results are deterministic, so any change in them shows here; regenerate with
# UPDATE_GOLDEN=1 scripts/test-bench.sh after checking the change is intended.
G=tests/golden
"$BENCH" run syscall-heavy --set n=1000 --db "$t/g.db" 2>/dev/null | sed -E 's/ +[0-9]+\.[0-9]+$//; s/host time: [0-9.]+ s$/host time: - s/; /^host counters:/d' >"$t/g.table"
"$BENCH" run syscall-heavy --set n=1000 --format json --no-save 2>/dev/null | strip_host >"$t/g.json"
"$BENCH" table --db "$t/g.db" --format markdown >"$t/g.md"
for f in g.table g.json g.md; do
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then cp "$t/$f" "$G/syscall-heavy.${f#g.}"; fi
	if cmp -s "$t/$f" "$G/syscall-heavy.${f#g.}"; then ok "golden ${f#g.}"; else
		bad "golden ${f#g.}"; diff "$G/syscall-heavy.${f#g.}" "$t/$f" | head -5; fi
done

# --profile PATH runs that file, not the profile of the same name: a copy with another
# trap.exception changes the native system call (scripts/calibrate relies on it)
sed 's/exception   = { 300,/exception   = { 900,/' profiles/p4-2006.lua >"$t/p4x.lua"
a=$("$BENCH" run syscall-heavy --config native --set n=200 --no-save --format csv 2>/dev/null | tail -n 1)
b=$("$BENCH" run syscall-heavy --config native --set n=200 --no-save --format csv --profile "$t/p4x.lua" 2>/dev/null | tail -n 1)
if [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]; then ok "--profile PATH is the file's values"; else bad "--profile PATH ignored ($a / $b)"; fi

summary bench
