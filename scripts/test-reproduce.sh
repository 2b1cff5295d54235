#!/usr/bin/env bash
# test-reproduce.sh — bench reproduce and scripts/calibrate (issue 15): claim files
# with mistakes are refused with one line naming file and line; a small claim set
# reproduces the same report twice (figures too) and matches its golden file
# (regenerate with UPDATE_GOLDEN=1 after checking the change is intended); the
# calibration's fast mode converges to the same values twice and refuses to fit as
# many primitives as cells. About 20 s.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh
scratch

# claim-file validation: one line, file:line, non-zero
mk() { mkdir -p "$t/$1"; cat >"$t/$1/c.lua"; }
mk unknown <<'L'
paper { title = "x" }

claim { id = "a", figure = "f", text = "t", workload = "nosuch", measurement = "in",
  config = "native", profile = "p4-2006", published = 1, tolerance = 1.5, source = "s" }
L
expect_error "unknown workload: file and line" "c\.lua:3: claim 'a': unknown workload 'nosuch'" "$BENCH" reproduce --check --claims "$t/unknown"
mk nosource <<'L'
paper { title = "x" }
claim { id = "a", figure = "f", text = "t", workload = "aa06", measurement = "in",
  config = "native", profile = "p4-2006", published = 1, tolerance = 1.5 }
L
expect_error "missing source: file and line" "c\.lua:2: claim 'a': missing field 'source'" "$BENCH" reproduce --check --claims "$t/nosource"
mk badtol <<'L'
paper { title = "x" }
claim { id = "ok", figure = "f", text = "t", workload = "aa06", measurement = "in",
  config = "native", profile = "p4-2006", published = 1, tolerance = 1.5, source = "s" }
claim { id = "a", figure = "f", text = "t", workload = "aa06", measurement = "in",
  config = "native", profile = "p4-2006", published = 1, tolerance = 0.5, source = "s" }
L
expect_error "bad tolerance: file and line" "c\.lua:4: claim 'a': bad tolerance 0.5" "$BENCH" reproduce --check --claims "$t/badtol"
mk typo <<'L'
paper { title = "x" }
claim { id = "a", figure = "f", text = "t", workload = "aa06", measurement = "in", colour = "red",
  config = "native", profile = "p4-2006", published = 1, tolerance = 1.5, source = "s" }
L
expect_error "unknown field" "c\.lua:2: claim: unknown field 'colour'" "$BENCH" reproduce --check --claims "$t/typo"
mk syntax <<'L'
paper { title = "x" }
claim { id = "a",
L
expect_error "Lua syntax error with file and line" "c\.lua:[0-9]+:" "$BENCH" reproduce --check --claims "$t/syntax"
mk loop <<'L'
while true do end
L
expect_error "endless claim file stopped" "c\.lua" "$BENCH" reproduce --check --claims "$t/loop"
expect_error "unknown paper" "unknown paper 'nope' \(papers: .*adams-agesen-2006" "$BENCH" reproduce nope --check
"$BENCH" reproduce --check >/dev/null 2>&1 && ok "the committed claim files are valid" || bad "the committed claim files are valid"

# a small claim set: deterministic, golden
G=tests/golden
"$BENCH" reproduce --claims "$G/reproduce-claims" --out "$t/r1" >"$t/r1.txt" 2>/dev/null; st1=$?
"$BENCH" reproduce --claims "$G/reproduce-claims" --out "$t/r2" >"$t/r2.txt" 2>/dev/null; st2=$?
[ "$st1" = 0 ] && [ "$st2" = 0 ] && ok "reproduce exits 0 (a missed claim is a finding)" || bad "reproduce status $st1 $st2"
if cmp -s "$t/r1/README.md" "$t/r2/README.md" && cmp -s "$t/r1.txt" "$t/r2.txt" &&
	cmp -s "$t/r1/figures/small.svg" "$t/r2/figures/small.svg" && cmp -s "$t/r1/figures/small.png" "$t/r2/figures/small.png"; then
	ok "reproduce is deterministic (report, table, figures)"; else bad "reproduce is deterministic"; fi
! grep -q "engine bt not implemented" "$t/r1.txt" && ok "BT claims measured (engine bt exists)" || bad "BT claims still n/a"
[ "${UPDATE_GOLDEN:-0}" = 1 ] && cp "$t/r1/README.md" "$G/reproduce.md"
if cmp -s "$t/r1/README.md" "$G/reproduce.md"; then ok "golden reproduce.md"; else bad "golden reproduce.md"; diff "$G/reproduce.md" "$t/r1/README.md" | head -5; fi

# the committed report is what bench reproduce all writes today (text and figure data)
"$BENCH" reproduce all --out "$t/paper" >/dev/null 2>&1; st=$?
if [ "$st" = 0 ] && cmp -s "$t/paper/README.md" paper/README.md &&
	diff -q <(cat "$t"/paper/figures/*.dat) <(cat paper/figures/*.dat) >/dev/null; then
	ok "bench reproduce all regenerates paper/ as committed"
else bad "bench reproduce all differs from paper/ (status $st; regenerate with bench reproduce all)"
	diff paper/README.md "$t/paper/README.md" | head -5; fi

# calibration: same values twice; refuses more primitives than cells
if [ -x scripts/calibrate ]; then
	BENCH="$BENCH" scripts/calibrate --fast >"$t/c1.txt" 2>&1; s1=$?
	BENCH="$BENCH" scripts/calibrate --fast >"$t/c2.txt" 2>&1; s2=$?
	if [ "$s1" = 0 ] && [ "$s2" = 0 ] && grep -q "^fitted " "$t/c1.txt" && cmp -s "$t/c1.txt" "$t/c2.txt"; then
		ok "calibration converges to the same values twice"; else bad "calibration twice (status $s1 $s2)"; head -3 "$t/c1.txt"; fi
	# the committed p4-2006 is what the script writes: a fit from its values lands on them
	cp profiles/p4-2006.lua "$t/p4-2006.lua"
	if BENCH="$BENCH" scripts/calibrate --profile "$t/p4-2006.lua" >"$t/c3.txt" 2>&1 && grep -q "^calibrate: wrote" "$t/c3.txt" \
		&& grep -q 'exit *= { [0-9]*, src = "calibrated against' "$t/p4-2006.lua" && cmp -s profiles/p4-2006.lua "$t/p4-2006.lua"; then
		ok "calibration writes the fitted values, and p4-2006 holds what it writes"
	else bad "calibration write (rerun scripts/calibrate and commit p4-2006)"; diff profiles/p4-2006.lua "$t/p4-2006.lua" | head -6; tail -3 "$t/c3.txt"; fi
	err=$(BENCH="$BENCH" scripts/calibrate --fast --free trap.exception,vmx.exit,vmm.handler,vmm.emulate_insn,vmm.io_emulate,vmm.pte_read,vmm.pte_write,bt.callout,bt.vcpu_op 2>&1); st=$?
	if [ "$st" -ne 0 ] && grep -q "refusing to fit 9 primitives against [0-9]* cells" <<<"$err"; then ok "calibration refuses as many primitives as cells"
	else bad "calibration refusal (status $st: $err)"; fi
fi

summary reproduce
