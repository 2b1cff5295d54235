-- vmware-seed.lua — VMware, "Understanding Full Virtualization, Paravirtualization, and
-- Hardware Assist" (2007), the seed paper (../shared/seed): the directions its Figure 10
-- and its text state, and the workload set and profile `bench table` fills Figure 10's
-- performance row with (figure10 below). Claims on BT and PV wait for their engines.
local S = "seed paper (VMware 2007), "
paper {
  title = "VMware, Understanding Full Virtualization, Paravirtualization, and Hardware Assist, 2007 (the seed paper)",
  machine = "no machine named; first-generation VT-x compared with VMware's BT (profile p4-2006), second-generation (NPT/EPT) announced (profile nehalem-2009)",
  notes = [[
The seed paper is qualitative: its claims are directions. Those about binary translation
and paravirtualization wait for the bt and pv engines. What ringlab can check now is the
hardware-assist side: on a CPU with nested paging the MMU exits of a fault-heavy
workload disappear, memory-remapping workloads (fork) get faster, and a TLB miss costs
more. `bench table` fills Figure 10's performance row from the workload set named by
`figure10` in this file.
]],
}
figure10 { workloads = { "syscall-heavy", "pgfault", "forkwait", "ctxswitch", "compute" }, profile = "p4-2006" }

claim { id = "bt-good", figure = "Figure 10, Performance", text = "binary translation: performance Good (fork/wait overhead over native)",
  workload = "forkwait", args = { n = 50 }, measurement = "forkwait", config = "bt/shadow", base = "native", profile = "p4-2006",
  expect = "about", published = 1.0, published_text = "Good", tolerance = 2.0,
  source = S .. "Figure 10: Performance | Good | Fair Current performance lags Binary Translation virtualization on various workloads but will improve over time | Better in certain cases" }
claim { id = "hw-lags-bt", figure = "Figure 10, Performance", text = "hardware assist lags binary translation (fork/wait)",
  workload = "forkwait", args = { n = 50 }, measurement = "forkwait", config = "hvm/shadow", base = "bt/shadow", profile = "p4-2006",
  expect = "more", source = S .. "Figure 10: Hardware Assisted Virtualization: Fair Current performance lags Binary Translation virtualization on various workloads but will improve over time" }
claim { id = "pv-better", figure = "Figure 10, Performance", text = "paravirtualization better in certain cases (fork/wait vs BT)",
  workload = "forkwait", args = { n = 50 }, measurement = "forkwait", config = "pv/direct", base = "bt/shadow", profile = "p4-2006",
  expect = "less", source = S .. "Figure 10: OS Assisted Virtualization / Paravirtualization: Performance: Better in certain cases" }
claim { id = "npt-removes-mmu-exits", figure = "text, second generation", text = "nested paging removes the shadow-paging exits of page faults",
  workload = "pgfault", args = { n = 500 }, measurement = "pgfault", metric = "exits_per_op", config = "hvm/nested", base = "hvm/shadow",
  profile = "nehalem-2009", expect = "less",
  source = S .. "NPT/EPT will provide noticeable performance improvements for memory-remapping intensive workloads by removing the need for shadow page tables" }
claim { id = "npt-faster-fork", figure = "text, second generation", text = "nested paging speeds up a memory-remapping workload (fork/wait)",
  workload = "forkwait", args = { n = 50 }, measurement = "forkwait", config = "hvm/nested", base = "hvm/shadow",
  profile = "nehalem-2009", expect = "less",
  source = S .. "NPT/EPT will provide noticeable performance improvements for memory-remapping intensive workloads" }
claim { id = "npt-longer-tlb-miss", figure = "text; literature.md (VMware docs)", text = "nested paging lengthens TLB misses (page-walk cycles per access)",
  workload = "memwalk", args = { pages = 256, passes = 4, stride = 1 }, measurement = "memwalk", metric = "mem.walk_refs/tlb.dtlb_misses",
  config = "hvm/nested", base = "hvm/shadow", profile = "nehalem-2009", expect = "more",
  source = "literature.md, Nested paging: Hardware-assisted MMU raises the TLB-miss cost; large pages reduce it (VMware docs)" }
