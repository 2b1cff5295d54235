-- sensitive: Robin & Irvine's sensitive instructions, in ring 0 and ring 3 — does each
-- answer as on hardware? The guest prints one "@sensitive ring.name ok|WRONG" line per
-- check and "sensitive: N of M as on hardware"; every correct VMM gets them all right,
-- naive trap-and-emulate (te/shadow, the counter-example) does not, without a single
-- fault. Neither does a paravirtualized kernel (pv/shadow) where it still executes one
-- (CS, SGDT, STR, LAR, LSL reveal ring 1 and the VMM, as on Xen): paravirtualization
-- fixes what the kernel routes through its pv-ops, nothing else. bt/shadow gets all but
-- one: SGDT in ring 3, user code being run directly, shows the VMM's GDT (as VMware's
-- BT did: the x86 leak binary translation leaves in user mode). The measurement is the
-- cost of the checks; derived: correct and wrong.
return {
  description = "sensitive instructions answer as on hardware? (the trap-and-emulate lesson)",
  program = "sensitive",
  configs = { "native", "bt/shadow", "hvm/shadow", "te/shadow", "pv/shadow", "pv/direct" },
  derived = {
    correct = function(m) return m.correct end,
    wrong = function(m) return m.ops - m.correct end,
  },
}
