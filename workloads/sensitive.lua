-- sensitive: Robin & Irvine's sensitive instructions, in ring 0 and ring 3 — does each
-- answer as on hardware? The guest prints one "@sensitive ring.name ok|WRONG" line per
-- check and "sensitive: N of M as on hardware"; every correct VMM gets them all right
-- (a naive trap-and-emulate VMM will not). The measurement is the cost of the checks.
return {
  description = "sensitive instructions answer as on hardware? (the trap-and-emulate lesson)",
  program = "sensitive",
  derived = {
    correct = function(m) return m.correct end,
    wrong = function(m) return m.ops - m.correct end,
  },
}
