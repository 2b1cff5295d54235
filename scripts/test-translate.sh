#!/usr/bin/env bash
# test-translate.sh — bench translate (issue 11 item 7): guest kernel blocks beside their
# translations in bt's TC. The text listing of the system-call entry path against a
# golden (modeled state only: the same on every host, and the same twice), the JSON
# listing checked against the kernel file itself (IDENT bytes in the TC are the guest's
# bytes), --at by address and by symbol, and the one-line errors of bad input.
# Regenerate the golden with UPDATE_GOLDEN=1 scripts/test-translate.sh after checking a
# change is intended (a change in translate.c's output shows here).
set -u
cd "$(dirname "$0")/.."
. scripts/lib.sh
scratch
G=tests/golden

"$BENCH" translate >"$t/tr.txt" 2>"$t/err"
st=$?
[ "$st" -eq 0 ] && [ ! -s "$t/err" ] && ok "translate runs" || bad "translate runs (status $st: $(cat "$t/err"))"
golden translate-syscall.txt "$t/tr.txt"
"$BENCH" translate >"$t/tr2.txt" 2>&1
cmp -s "$t/tr.txt" "$t/tr2.txt" && ok "translate is deterministic" || bad "translate is deterministic"
for want in "legend:" "IDENT " "inline " "callout " "vector 0x80" "== block 1 of 6" "chained" "since translated:" \
	"physical" "int    \$0x83" "the TC holds"; do
	grep -qF -- "$want" "$t/tr.txt" || bad "translate mentions '$want'"
done
[ "$(grep -c '^== block' "$t/tr.txt")" -eq 6 ] && ok "six blocks by default" || bad "six blocks by default"

# JSON: the listing's bytes against the kernel file's
"$BENCH" translate --format json >"$t/tr.json" 2>"$t/err"
python3 - "$t/tr.json" "$BUILD/guest/kernel.elf" <<'PY' && ok "translate JSON: IDENT bytes are the kernel's" || bad "translate JSON"
import json, struct, sys
d = json.load(open(sys.argv[1]))
elf = open(sys.argv[2], "rb").read()
phoff, = struct.unpack_from("<I", elf, 28)
phentsize, phnum = struct.unpack_from("<HH", elf, 42)
loads = []
for i in range(phnum):
    typ, off, vaddr, paddr, filesz = struct.unpack_from("<IIIII", elf, phoff + i * phentsize)
    if typ == 1:
        loads.append((vaddr, off, filesz))
def kernel_bytes(va, n):
    for vaddr, off, filesz in loads:
        if vaddr <= va and va + n <= vaddr + filesz:
            return elf[off + va - vaddr: off + va - vaddr + n]
    raise AssertionError("%#x not in the kernel file" % va)
hx = lambda s: bytes.fromhex(s.replace(" ", ""))
assert len(d["blocks"]) == 6 and d["config"] == "bt/shadow"
chained = 0
for b in d["blocks"]:
    g, tc = b["guest"], b["translation"]
    ident = [r for r in g if r["class"] == "IDENT"]
    assert len(ident) == b["ident_instructions"], b["guest_eip"]
    assert sum(len(hx(r["bytes"])) for r in ident) == b["ident_bytes"]
    for gr, tr in zip(ident, tc):  # IDENT: the same instruction, the same bytes, in the TC
        assert gr["bytes"] == tr["bytes"] and gr["asm"] == tr["asm"], (gr, tr)
        assert hx(gr["bytes"]) == kernel_bytes(int(gr["eip"], 16), len(hx(gr["bytes"])))
    assert b["tc_bytes"] == b["ident_bytes"] + b["tail_bytes"] == sum(len(hx(r["bytes"])) for r in tc)
    assert b["tail_class"] in ("inline", "callout", "none")
    assert all(r["class"] in ("IDENT", "inline", "callout") for r in g)
    assert b["exits"] >= b["callouts"] >= 0
    chained += sum(s["chained"] for s in b["slots"])
assert chained >= 3, chained
assert d["blocks"][0]["guest_eip"] == d["start"]
for a, b in zip(d["blocks"], d["blocks"][1:]):
    assert a["next"] == b["guest_eip"]
PY

# --at: a symbol, and the same by address
"$BENCH" translate --at trap --blocks 2 >"$t/at1.txt" 2>&1
addr=0x$(nm "$BUILD/guest/kernel.elf" | awk '$3 == "trap" {print $1}')
"$BENCH" translate --at "$addr" --blocks 2 >"$t/at2.txt" 2>&1
grep -q "^start: c[0-9a-f]* (trap), from --at" "$t/at1.txt" && [ "$(grep -c '^== block' "$t/at1.txt")" -eq 2 ] &&
	ok "translate --at SYMBOL --blocks" || bad "translate --at SYMBOL: $(head -3 "$t/at1.txt")"
cmp -s "$t/at1.txt" "$t/at2.txt" && ok "translate --at ADDR is --at SYMBOL" || bad "translate --at ADDR"
"$BENCH" translate pgfault --set n=5 --blocks 1 >"$t/pf.txt" 2>&1 && grep -q "pgfault (pgfault n=5)" "$t/pf.txt" &&
	ok "translate of another workload" || bad "translate pgfault: $(tail -2 "$t/pf.txt")"
"$BENCH" translate --help | grep -q -- "--at ADDR|SYMBOL" && ok "translate --help" || bad "translate --help"

# errors: one line, non-zero
expect_error "translate: unknown option" "unknown option '--frobnicate'" "$BENCH" translate --frobnicate
expect_error "translate: option without its value" "--blocks needs a value" "$BENCH" translate --blocks
expect_error "translate: bad --blocks" "--blocks needs a number from 1 to 1000, not 'x'" "$BENCH" translate --blocks x
expect_error "translate: bad format" "unknown format 'xml' \(formats: text, json\)" "$BENCH" translate --format xml
expect_error "translate: unknown symbol, did you mean" "--at: no symbol 'trapp' in .*did you mean 'trap'\?" "$BENCH" translate --at trapp
expect_error "translate: address never run" "no translation of guest EIP 0x00001234 in the TC" "$BENCH" translate --at 0x1234
expect_error "translate: unknown workload" "unknown workload 'syscal-heavy' .*did you mean 'syscall-heavy'\?" "$BENCH" translate syscal-heavy
expect_error "translate: two workloads" "expected at most one WORKLOAD" "$BENCH" translate syscall-heavy pgfault

summary translate
