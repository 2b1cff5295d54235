-- small.lua — a small claim set for scripts/test-reproduce.sh: a value, a ratio, a
-- direction and a claim waiting for an engine, on short runs; its report is golden
-- (tests/golden/reproduce.md).
paper { title = "test claims", machine = "p4-2006", notes = "Notes are copied into the report." }
claim { id = "in-native", figure = "T1", text = "in, native", workload = "aa06", args = { n = 50 },
  measurement = "in", config = "native", profile = "p4-2006", published = 3209, tolerance = 1.5,
  source = "literature.md: | in (port 0x80) | 3209 |" }
claim { id = "syscall-vtx", figure = "T1", text = "syscall under VT-x about native", workload = "aa06", args = { n = 50 },
  measurement = "syscall", config = "hvm/shadow", base = "native", profile = "p4-2006", expect = "about",
  published = 1.0, tolerance = 1.25, source = "literature.md: | syscall | unconfirmed | native + about 2000 | about native |" }
claim { id = "pgfault-exits", figure = "T2", text = "shadow paging exits on page faults", workload = "aa06", args = { n = 50 },
  measurement = "pgfault_prealloc", metric = "exits_per_op", config = "hvm/shadow", profile = "p4-2006",
  published = 3, tolerance = 1.05, source = "test: true fault, traced PTE write, hidden fault" }
claim { id = "in-bt", figure = "T1", text = "in under BT", workload = "aa06", args = { n = 50 },
  measurement = "in", config = "bt/shadow", profile = "p4-2006", published = 214, tolerance = 1.5, source = "literature.md" }
