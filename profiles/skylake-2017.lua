-- skylake-2017: a Skylake-SP server with mature VT-x (EPT, VPID). Primitives only;
-- see ../shared/anchors/literature.md. Where no Skylake figure is at hand the value is
-- the same order as nehalem-2009's and says `estimate`; the few that differ are
-- recalled per-instruction latencies (marked so), not measurements of ours.
local AA06 = "Adams & Agesen, ASPLOS 2006"
return {
  name = "skylake-2017",
  description = "Intel Xeon (Skylake-SP), 2.1 GHz, VT-x with EPT and VPID",
  cpu = {
    hz = { 2100000000, src = "estimate (a typical Skylake-SP server part)" },
  },
  insn = {
    alu       = { 1,  src = "estimate (simple integer op)" },
    mov       = { 1,  src = "estimate" },
    load      = { 1,  src = "estimate (extra for a memory source, L1 hit)" },
    store     = { 1,  src = "estimate" },
    stack     = { 1,  src = "estimate" },
    branch    = { 1,  src = "estimate (predicted branch)" },
    call_ret  = { 2, src = "estimate" },
    indirect  = { 2,  src = "estimate" },
    shift     = { 1,  src = "estimate" },
    mul       = { 3, src = "estimate (Core: IMUL latency 3)" },
    div       = { 26, src = "estimate (recalled from Agner Fog's instruction tables for Skylake; not verified against a copy here): 32-bit DIV latency about 26" },
    string    = { 2,  src = "estimate (per iteration of REP MOVS/STOS)" },
    locked    = { 18, src = "estimate (recalled from Agner Fog's instruction tables for Skylake; not verified against a copy here): a locked read-modify-write about 18" },
    segload   = { 10, src = "estimate" },
  },
  sys = {
    cli_sti    = { 10, src = "estimate" },
    pushf_popf = { 10, src = "estimate" },
    cr_read    = { 10,  src = "estimate" },
    cr0_write  = { 100, src = "estimate (serializing)" },
    cr3_write  = { 100, src = "estimate (serializing; TLB flush charged separately)" },
    cr4_write  = { 100, src = "estimate (serializing)" },
    invlpg     = { 100, src = "estimate" },
    desc_load  = { 50,  src = "estimate" },
    desc_store = { 10,  src = "estimate" },
    seg_check  = { 20,  src = "estimate" },
    cpuid      = { 100, src = "estimate (recalled from Agner Fog's instruction tables for Skylake; not verified against a copy here): CPUID about 100-200, leaf-dependent" },
    rdtsc      = { 25, src = "estimate (recalled from Agner Fog's instruction tables for Skylake; not verified against a copy here): RDTSC about 25" },
    msr        = { 100, src = "estimate" },
    hlt        = { 20,  src = "estimate" },
    io         = { 50,  src = "estimate (instruction overhead; device latency is io.*)" },
    far        = { 30,  src = "estimate" },
    sysenter   = { 50,  src = "estimate" },
    wbinvd     = { 2000, src = "estimate" },
  },
  trap = {
    exception   = { 150, src = "estimate" },
    interrupt   = { 150, src = "estimate" },
    ring_switch = { 80, src = "estimate" },
    iret        = { 100, src = "estimate" },
  },
  mem = {
    walk_ref = { 10, src = "estimate (page-walk reference hitting L1/L2)" },
  },
  tlb = {
    flush          = { 50, src = "estimate" },
    itlb_entries   = { 128, src = "estimate (Skylake ITLB 128 entries, 8-way)" },
    itlb_ways      = { 8, src = "estimate" },
    dtlb_entries   = { 64, src = "estimate (Skylake DTLB 64 entries, 4-way)" },
    dtlb_ways      = { 4, src = "estimate" },
    global_pages   = { 1,  src = "Intel SDM: CR4.PGE since the Pentium Pro" },
  },
  io = {
    post = { 1700, src = "estimate (an ISA-bus register access of about 0.8 us, as Adams & Agesen measured on the P4, at this clock)" },
    uart = { 1700, src = "estimate (an ISA-bus register access of about 0.8 us, as Adams & Agesen measured on the P4, at this clock)" },
    pic  = { 1700, src = "estimate (an ISA-bus register access of about 0.8 us, as Adams & Agesen measured on the P4, at this clock)" },
    pit  = { 1700, src = "estimate (an ISA-bus register access of about 0.8 us, as Adams & Agesen measured on the P4, at this clock)" },
    ata  = { 1700, src = "estimate (an ISA-bus register access of about 0.8 us, as Adams & Agesen measured on the P4, at this clock)" },
    exit = { 1700, src = "estimate (an ISA-bus register access of about 0.8 us, as Adams & Agesen measured on the P4, at this clock)" },
  },
  vmx = {
    exit           = { 500, src = "estimate: KVM vmcall round trip about 1530-1560 cycles on Skylake-SP (kvm-unit-tests, KVM list 2020) includes the handler; transitions taken as 500 + 500" },
    entry          = { 500, src = "estimate (see vmx.exit)" },
    nested_paging  = { 1, src = "Intel: EPT (since Nehalem)" },
    vpid           = { 1, src = "Intel: VPID (since Nehalem)" },
    nested_walk_cache = { 32, src = "estimate (EPT paging-structure caches)" },
  },
  bt = {
    callout = { 200, src = "estimate (a call from the translation cache into VMM code and back, state saved and restored in software; no published figure)" },
  },
  vmm = {
    handler      = { 300, src = "estimate" },
    emulate_insn = { 1000, src = "estimate (fetch, decode and emulate one guest instruction)" },
    pte_read     = { 50,   src = "estimate" },
    pte_write    = { 50,   src = "estimate" },
    io_emulate   = { 2000, src = "estimate (device model register access)" },
  },
  pv = {
    blk_request = { 2000, src = "estimate (read and check one ring request, run it on the disk model, write the response: as one device-model access, vmm.io_emulate)" },
    blk_sector  = { 256,  src = "estimate (copying 512 bytes is 128 REP MOVSD iterations at insn.string's 2 cycles; disk latency is not modeled, as on the emulated ATA path)" },
  },
}
