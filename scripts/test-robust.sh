#!/usr/bin/env bash
# test-robust.sh — what a user can feed ringlab must not crash, hang or silently
# corrupt it (issue 10, items 6 to 14): kernel files (tests/corpus/loader), Lua
# workloads and profiles (sandbox, limits, print), NaN in derived metrics, profile
# ranges, damaged databases (tests/corpus/results), which runs `bench table` uses,
# gnuplot without a shell, and the command line. Each case is a regression test: it
# failed before the fix. Every refusal must be one line on stderr with status 2.
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh
BENCH=$(cd "$(dirname "$BENCH")" && pwd)/$(basename "$BENCH")
C=$PWD/tests/corpus
TO=${ROBUST_TIMEOUT:-60} # seconds before a command counts as hung
# address-space limit against runaway reads (not under ASan, which reserves terabytes)
case $BENCH in *asan*) VMEM=unlimited ;; *) VMEM=4000000 ;; esac
scratch

# expect NAME STATUS STDERR-REGEX command...: status, one line matching the regex.
# Every command runs under a time and memory limit, so that a regression fails
# instead of hanging or exhausting the machine.
expect() {
	local name=$1 want=$2 re=$3; shift 3
	local err st
	err=$(ulimit -v $VMEM; timeout "$TO" "$@" 2>&1 >/dev/null); st=$?
	if [ "$st" -ne "$want" ]; then bad "$name (status $st, want $want: $(head -c 300 <<<"$err"))"; return; fi
	if ! grep -Eq -- "$re" <<<"$err"; then bad "$name (stderr '$(head -c 300 <<<"$err")' !~ /$re/)"; return; fi
	if [ "$(wc -l <<<"$err")" -ne 1 ]; then bad "$name (not one line: $(head -c 300 <<<"$err"))"; return; fi
	ok "$name"
}
# strict JSON: no NaN, Infinity or -nan
json_ok() { python3 -c '
import json, sys
def no(c): raise ValueError("not JSON: " + c)
json.load(sys.stdin, parse_constant=no)' 2>/dev/null; }

# ---- 6. kernel files ----
expect "boot /dev/zero refused before reading" 2 "/dev/zero: not a regular file" "$BENCH" boot /dev/zero
expect "directory as kernel" 2 "^bench boot: $t: is a directory$" "$BENCH" boot "$t"
truncate -s 300M "$t/huge.elf"
expect "kernel over 256 MiB" 2 "huge.elf: too large" "$BENCH" boot "$t/huge.elf"
rm -f "$t/huge.elf"
expect "a.out kludge wrapping past 4 GiB" 2 "aout-wrap.bin: a.out kludge image .* does not fit" "$BENCH" boot "$C/loader/aout-wrap.bin"
expect "multiboot header after 8 KiB" 2 "not a multiboot kernel" "$BENCH" boot "$C/loader/header-too-late.bin"

# ---- 7. Lua: text chunks only ----
W=$t/w; mkdir -p "$W"
cp "$C/lua/binary-workload.lua" "$W/binary.lua"
expect "binary chunk workload refused" 2 "binary.lua: .*binary chunk" env RINGLAB_WORKLOADS="$W" "$BENCH" run binary --no-save
out=$(ulimit -v $VMEM; timeout "$TO" env RINGLAB_WORKLOADS="$W" "$BENCH" list 2>&1); st=$?
if [ "$st" -eq 0 ] && grep -q "binary .*binary chunk" <<<"$out"; then ok "bench list survives a binary chunk"; else bad "bench list with a binary chunk (status $st)"; fi
rm "$W/binary.lua"
printf 'local f = load(string.dump(function() return 1 end))\nreturn { program = "syscall" }\n' >"$W/dump.lua"
expect "string.dump unavailable" 2 "dump.lua:1: .*dump" env RINGLAB_WORKLOADS="$W" "$BENCH" run dump --no-save
printf 'assert(load("\\27Lua", "x", "b"))\nreturn { program = "syscall" }\n' >"$W/loadb.lua"
expect "load() refuses binary chunks" 2 "loadb.lua:1: .*binary chunk" env RINGLAB_WORKLOADS="$W" "$BENCH" run loadb --no-save
rm "$W"/*.lua
expect "binary chunk profile refused" 2 "binary-profile.lua: .*binary chunk" "$BENCH" boot "$C/loader/aout-wrap.bin" --profile "$C/lua/binary-profile.lua"

# ---- 8. Lua: instruction and memory limits, print ----
printf 'while true do end\n' >"$W/loop.lua"
expect "endless workload stopped (run)" 2 "loop.lua: Lua instruction limit exceeded" env RINGLAB_WORKLOADS="$W" "$BENCH" run loop --no-save
expect "endless workload stopped (run typo)" 2 "unknown workload 'typo'" env RINGLAB_WORKLOADS="$W" "$BENCH" run typo --no-save
out=$(timeout "$TO" env RINGLAB_WORKLOADS="$W" "$BENCH" list 2>&1); st=$?
if [ "$st" -eq 0 ] && grep -q "loop .*instruction limit" <<<"$out"; then ok "endless workload stopped (list)"; else bad "endless workload in list (status $st)"; fi
rm "$W/loop.lua"
printf 'while true do pcall(function() while true do end end) end\n' >"$W/pcall.lua"
expect "pcall cannot swallow the limit" 2 "pcall.lua: Lua instruction limit exceeded" env RINGLAB_WORKLOADS="$W" "$BENCH" run pcall --no-save
rm "$W/pcall.lua"
printf 'return setmetatable({ program = "syscall", description = "has a trap" }, { __index = function() while true do end end })\n' >"$W/meta.lua"
out=$(timeout "$TO" env RINGLAB_WORKLOADS="$W" "$BENCH" list 2>&1); st=$?
if [ "$st" -eq 0 ] && grep -q "meta .*has a trap" <<<"$out"; then ok "an __index loop on the returned table never runs"; else bad "__index loop (status $st)"; fi
rm "$W/meta.lua"
printf 'setmetatable({}, { __gc = function() while true do end end })\nreturn { program = "syscall" }\n' >"$W/gc.lua"
expect "__gc finalizers refused (they run without hooks)" 2 "gc.lua:1: __gc metamethods are not allowed" env RINGLAB_WORKLOADS="$W" "$BENCH" run gc --no-save
rm "$W/gc.lua"
printf 'local t = {}\nfor i = 1, 3 do t[i] = string.rep("x", 100000000 + i) end\nreturn { program = "syscall" }\n' >"$W/mem.lua"
expect "memory limit" 2 "mem.lua: Lua memory limit exceeded \(64 MiB\)" env RINGLAB_WORKLOADS="$W" "$BENCH" run mem --no-save
rm "$W/mem.lua"
printf 'print("garbage", 1)\nreturn { program = "syscall", args = { n = 100 }, configs = { "native" },\n  derived = { x = function(m) print("more garbage") return 1 end } }\n' >"$W/printer.lua"
out=$(timeout "$TO" env RINGLAB_WORKLOADS="$W" "$BENCH" run printer --no-save --format json 2>"$t/err")
if json_ok <<<"$out" && grep -q "garbage" "$t/err"; then ok "print goes to stderr (json)"; else bad "print corrupts --format json"; fi
out=$(timeout "$TO" env RINGLAB_WORKLOADS="$W" "$BENCH" run printer --no-save --format csv 2>/dev/null)
if [ "$(head -1 <<<"$out" | cut -c1-7)" = "config," ] && ! grep -q garbage <<<"$out"; then ok "print goes to stderr (csv)"; else bad "print corrupts --format csv"; fi
rm "$W/printer.lua"
printf 'return { program = "syscall", args = { n = 100 }, configs = { "native" },\n  derived = { spin = function(m) while true do end end } }\n' >"$W/dloop.lua"
out=$(timeout "$TO" env RINGLAB_WORKLOADS="$W" "$BENCH" run dloop --db "$t/d.db" --format json 2>"$t/err"); st=$?
if [ "$st" -eq 2 ] && json_ok <<<"$out" && grep -q "derived metric 'spin': .*dloop.lua: Lua instruction limit exceeded" "$t/err" &&
	[ "$(grep -c "derived metric" "$t/err")" -eq 1 ]; then ok "endless derived metric stopped, reported once"; else bad "endless derived metric (status $st)"; fi
rm "$W/dloop.lua"

# ---- 9. NaN and infinity are null ----
printf 'return { program = "syscall", args = { n = 100 }, configs = { "native" },\n  derived = { nan = function(m) return 0/0 end, inf = function(m) return 1/0 end } }\n' >"$W/nan.lua"
out=$(timeout "$TO" env RINGLAB_WORKLOADS="$W" "$BENCH" run nan --db "$t/nan.db" --format json 2>/dev/null)
if json_ok <<<"$out" && python3 -c 'import json,sys; d=json.load(sys.stdin)["runs"][0]["measurements"][0]["derived"]; assert d == {"nan": None, "inf": None}, d' <<<"$out"; then
	ok "NaN/inf derived metrics are null in --format json"; else bad "NaN/inf derived metrics in --format json"; fi
if "$BENCH" export --db "$t/nan.db" --format json 2>/dev/null | json_ok && "$BENCH" show 1 --db "$t/nan.db" 2>/dev/null | sed -n "/^{/,\$p" | json_ok; then
	ok "NaN/inf: export and show emit valid JSON"; else bad "NaN/inf: export/show JSON"; fi
rm "$W/nan.lua"

# ---- 10. profile ranges, with file:line ----
P=$PWD/profiles/p4-2006.lua
variant() { # NAME SED-EXPR: a copy of p4-2006 with one change
	sed -E "$2" "$P" >"$t/$1.lua"; cmp -s "$P" "$t/$1.lua" && echo "variant $1 did not change" >&2; }
variant alu 's/^( *alu *= *\{ *)[0-9]+/\14611686018427387904/'
line=$(grep -nE '^ *alu *=' "$t/alu.lua" | cut -d: -f1)
expect "cost cut to 32 bits refused with file:line" 2 "alu.lua:$line: 'insn.alu' = 4611686018427387904 is out of range" "$BENCH" boot "$C/loader/aout-wrap.bin" --profile "$t/alu.lua"
variant hz 's/^( *hz *= *\{ *)[0-9]+/\11/'
expect "cpu.hz = 1 refused" 2 "hz.lua:[0-9]+: 'cpu.hz' = 1 is out of range" "$BENCH" boot "$BUILD/tests/boot/exit7.elf" --profile "$t/hz.lua"
variant tlb 's/^( *itlb_entries *= *\{ *)[0-9]+/\11073741824/; s/^( *itlb_ways *= *\{ *)[0-9]+/\11/'
expect "TLB of 2^30 entries refused" 2 "tlb.lua:[0-9]+: 'tlb.itlb_entries' = 1073741824 is out of range" "$BENCH" boot "$BUILD/tests/boot/exit7.elf" --profile "$t/tlb.lua"
variant ways 's/^( *dtlb_ways *= *\{ *)[0-9]+/\13/'
expect "TLB ways must divide entries" 2 "ways.lua:[0-9]+: 'tlb.dtlb_ways' = 3 is out of range" "$BENCH" boot "$BUILD/tests/boot/exit7.elf" --profile "$t/ways.lua"
variant bool 's/^( *global_pages *= *\{ *)[0-9]+/\12/'
expect "boolean must be 0 or 1" 2 "bool.lua:[0-9]+: 'tlb.global_pages' = 2 is out of range" "$BENCH" boot "$BUILD/tests/boot/exit7.elf" --profile "$t/bool.lua"

# ---- 11. damaged database ----
cp "$C/results/damaged.db" "$t/damaged.db"
expect "export on a damaged database fails" 2 "bench export: reading results: database disk image is malformed" "$BENCH" export --db "$t/damaged.db"
expect "export json on a damaged database fails" 2 "database disk image is malformed" "$BENCH" export --format json --db "$t/damaged.db"
expect "show on a damaged database fails" 2 "database disk image is malformed" "$BENCH" show 3 --db "$t/damaged.db"

# ---- 12. runs keyed by profile file and arguments, complete only ----
printf 'return { program = "syscall", args = { n = 2000 }, configs = { "native", "hvm/shadow" } }\n' >"$W/keyed.lua"
K=$t/keyed.db
env RINGLAB_WORKLOADS="$W" "$BENCH" run keyed --db "$K" >/dev/null 2>&1
env RINGLAB_WORKLOADS="$W" "$BENCH" run keyed --set n=100 --db "$K" >/dev/null 2>&1
out=$(env RINGLAB_WORKLOADS="$W" "$BENCH" table --db "$K" 2>&1)
if grep -q "keyed (n=2000; the workload's defaults): 2 runs, ids 1..2" <<<"$out"; then
	ok "a quick --set run does not hide the full result; table says which runs"; else bad "table after a --set run: $(grep -A3 'runs used' <<<"$out")"; fi
variant copy 's/^( *alu *= *\{ *)[0-9]+/\17/'
env RINGLAB_WORKLOADS="$W" "$BENCH" run keyed --profile "$t/copy.lua" --db "$t/copy.db" >/dev/null 2>&1
out=$(env RINGLAB_WORKLOADS="$W" "$BENCH" table --db "$t/copy.db" --format markdown 2>"$t/err")
if grep -q "no runs on p4-2006" <<<"$out" && grep -q "left out: 2 runs of p4-2006 made with a different profile file" "$t/err"; then
	ok "a copied profile keeping the name is not mixed in"; else bad "copied profile mixed into p4-2006's table"; fi
# (slow enough, ~0.6 s a run, that the runs after the first are still going when the
# interrupt comes: the whole disk, 32 rounds of 128 sectors)
printf 'return { program = "diskio", args = { sectors = 128, n = 32 }, disk = 4096, configs = { "native", "hvm/shadow", "hvm/shadow" } }\n' >"$W/slow.lua"
mkdir -p "$t/tmp"
# (started through python with SIGINT at its default: a non-interactive shell's
# background jobs would ignore it)
env TMPDIR="$t/tmp" RINGLAB_WORKLOADS="$W" python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$BENCH" run slow --db "$t/int.db" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 300); do
	n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from runs").fetchone()[0])' "$t/int.db" 2>/dev/null || echo 0)
	[ "$n" -ge 1 ] && break; sleep 0.05
done
kill -INT "$pid" 2>/dev/null; wait "$pid"
if [ -z "$(ls -A "$t/tmp")" ]; then ok "SIGINT leaves no scratch disk in TMPDIR"; else bad "SIGINT left $(ls "$t/tmp")"; fi
if "$BENCH" show 1 --db "$t/int.db" 2>/dev/null | head -1 | grep -q "(incomplete: its bench run did not finish)" &&
	env RINGLAB_WORKLOADS="$W" "$BENCH" table --db "$t/int.db" 2>&1 | grep -q "left out: 0 runs of p4-2006 made with a different profile file, 1 incomplete run"; then
	ok "a killed run is marked incomplete and left out of the table"; else bad "a killed run looks complete"; fi
rm -f "$W/slow.lua"
# an old database (first schema) is still readable, and migrated when written
python3 - "$t/old.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
old = sqlite3.connect("tests/corpus/results/damaged.db")
for (sql,) in old.execute("select sql from sqlite_master where sql is not null and name != 'sqlite_sequence'"):
    db.execute(sql)
db.execute("insert into runs (workload, config, profile, profile_hash, args, date, json) values ('w','native','p4-2006','h','n=1','d','{}')")
db.commit()
PY
if "$BENCH" show 1 --db "$t/old.db" 2>/dev/null | grep -q '^run 1: workload w' &&
	env RINGLAB_WORKLOADS="$W" "$BENCH" run keyed --set n=100 --config native --db "$t/old.db" >/dev/null 2>&1 &&
	"$BENCH" export --db "$t/old.db" --format json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d) == 2 and all(r["complete"] for r in d)'; then
	ok "a first-schema database is read and migrated"; else bad "first-schema database"; fi

# ---- 13. gnuplot without a shell ----
( cd "$t" && "$BENCH" plot keyed --db "$K" -o "q\$(touch pwned).png" >/dev/null 2>&1 )
if [ ! -e "$t/pwned" ] && [ -s "$t/q\$(touch pwned).png" ]; then ok "plot -o 'q\$(touch pwned).png' runs no shell"; else bad "plot output name reached a shell"; fi
( cd "$t" && "$BENCH" plot keyed --db "$K" -o "|touch pwned2 x.png" >/dev/null 2>&1 )
if [ ! -e "$t/pwned2" ]; then ok "plot -o '|cmd' opens no pipe"; else bad "plot -o '|cmd' ran a command"; fi
if "$BENCH" plot keyed --db "$K" -o "$t/it's \"quoted\".svg" 2>/dev/null && [ -s "$t/it's \"quoted\".svg" ]; then
	ok "plot to a name with quotes"; else bad "plot to a name with quotes"; fi

# ---- 14. command line ----
E7=$BUILD/tests/boot/exit7.elf
expect "--ram 4294967298 refused" 2 "--ram must be between 2 and 3072 MiB" "$BENCH" boot "$E7" --ram 4294967298
expect "--max-insns -1 refused" 2 "--max-insns needs a positive number" "$BENCH" boot "$E7" --max-insns -1
expect "--trace-exits abc refused" 2 "--trace-exits needs a number" "$BENCH" boot "$E7" --trace-exits abc
expect "boot --config '' refused" 2 "bad configuration ''" "$BENCH" boot "$E7" --config ""
expect "run --config '' refused" 2 "--config needs configurations" "$BENCH" run syscall-heavy --config "" --no-save
expect "table refuses extra arguments" 2 "unexpected argument 'extra'" "$BENCH" table --db "$K" extra
expect "export refuses extra arguments" 2 "unexpected argument 'extra'" "$BENCH" export --db "$K" extra
expect "table --profile nosuch" 2 "unknown profile 'nosuch' \(profiles: .*p4-2006" "$BENCH" table --db "$K" --profile nosuch
mkdir -p "$t/root"
expect "show without a database creates none" 2 "no results database" env RINGLAB_ROOT="$t/root" "$BENCH" show 1
expect "show --db typo.db creates none" 2 "no results database" "$BENCH" show 1 --db "$t/typo.db"
expect "table --db typo.db creates none" 2 "no results database" "$BENCH" table --db "$t/typo2.db"
if [ ! -e "$t/typo.db" ] && [ ! -e "$t/typo2.db" ] && [ -z "$(ls -A "$t/root")" ]; then ok "read commands created no file"; else bad "read commands created files"; fi
expect "--stats-json - refused (stdout is the console)" 2 "--stats-json needs a file name" "$BENCH" boot "$E7" --stats-json -
printf 'return { program = "syscall", args = { n = "10 extra=1" } }\n' >"$W/inject.lua"
expect "Lua args value with spaces refused" 2 "inject.lua: args.n must be one word" env RINGLAB_WORKLOADS="$W" "$BENCH" run inject --no-save
printf 'return { program = "syscall n=1" }\n' >"$W/inject2.lua"
expect "program with spaces refused" 2 "inject2.lua: field 'program' must be one word" env RINGLAB_WORKLOADS="$W" "$BENCH" run inject2 --no-save

summary robust
