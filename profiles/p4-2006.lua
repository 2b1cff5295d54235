-- p4-2006: the machine of Adams & Agesen, "A Comparison of Software and Hardware
-- Techniques for x86 Virtualization", ASPLOS 2006: a VT-capable Pentium 4
-- (believed Pentium 4 672, Prescott, 3.8 GHz; unconfirmed). First-generation VT-x:
-- no nested paging, no VPID.
--
-- Primitives only, never outcomes (DESIGN §4). "AA06" below is that paper. Values
-- marked estimate are ours; those marked calibrated (vmx.exit, vmx.entry,
-- vmm.io_emulate) were written by scripts/calibrate, fitted to the nanobenchmarks'
-- VMM overheads (paper/README.md says how well they fit). Rerun it after changing a
-- mechanism those cells exercise; test-reproduce checks these values are its answer.
local AA06 = "Adams & Agesen, ASPLOS 2006"
return {
  name = "p4-2006",
  description = "Intel Pentium 4 672 (Prescott), 3.8 GHz, first-generation VT-x",
  cpu = {
    hz = { 3800000000, src = AA06 .. ": test machine believed a Pentium 4 672 at 3.8 GHz (unconfirmed)" },
  },
  insn = {
    alu       = { 1,  src = "estimate (simple integer op, NetBurst fast ALUs)" },
    mov       = { 1,  src = "estimate" },
    load      = { 1,  src = "estimate (extra for a memory source, L1 hit)" },
    store     = { 1,  src = "estimate" },
    stack     = { 1,  src = "estimate" },
    branch    = { 1,  src = "estimate (predicted branch)" },
    call_ret  = { 5,  src = AA06 .. ": native call/ret pair 11 cycles (with the loop)" },
    indirect  = { 2,  src = "estimate" },
    shift     = { 1,  src = "estimate" },
    mul       = { 10, src = "estimate (NetBurst IMUL latency is about 10)" },
    div       = { 60, src = "estimate (NetBurst 32-bit DIV latency is 50-70)" },
    string    = { 2,  src = "estimate (per iteration of REP MOVS/STOS)" },
    locked    = { 100, src = "estimate (NetBurst locked RMW is about 100)" },
    segload   = { 10, src = "estimate" },
  },
  sys = {
    cli_sti    = { 20,  src = "estimate" },
    pushf_popf = { 20,  src = "estimate" },
    cr_read    = { 10,  src = "estimate" },
    cr0_write  = { 100, src = "estimate (serializing)" },
    cr3_write  = { 100, src = "estimate (serializing; TLB flush charged separately)" },
    cr4_write  = { 100, src = "estimate (serializing)" },
    invlpg     = { 100, src = "estimate" },
    desc_load  = { 50,  src = "estimate" },
    desc_store = { 10,  src = "estimate" },
    seg_check  = { 20,  src = "estimate" },
    cpuid      = { 1000, src = "estimate (CPUID is slow and serializing on NetBurst)" },
    rdtsc      = { 80,  src = "estimate" },
    msr        = { 100, src = "estimate" },
    hlt        = { 20,  src = "estimate" },
    io         = { 50,  src = "estimate (instruction overhead; device latency is io.*)" },
    far        = { 30,  src = "estimate" },
    sysenter   = { 50,  src = "estimate" },
    wbinvd     = { 2000, src = "estimate" },
  },
  trap = {
    exception   = { 300, src = "estimate (IDT delivery, same ring)" },
    interrupt   = { 300, src = "estimate" },
    ring_switch = { 150, src = "estimate (TSS stack switch)" },
    iret        = { 200, src = "estimate" },
  },
  mem = {
    walk_ref = { 20, src = "estimate (a page-table reference hitting L2)" },
  },
  tlb = {
    flush          = { 50, src = "estimate" },
    itlb_entries   = { 64, src = "estimate (NetBurst ITLB; geometry unverified)" },
    itlb_ways      = { 64, src = "estimate (fully associative)" },
    dtlb_entries   = { 64, src = "estimate (NetBurst DTLB 64 entries, fully associative; unverified)" },
    dtlb_ways      = { 64, src = "estimate (fully associative)" },
    global_pages   = { 1,  src = "Intel SDM: CR4.PGE since the Pentium Pro" },
  },
  io = {
    post = { 3150, src = AA06 .. ": native in from port 0x80 is 3209 cycles, less sys.io and insn costs" },
    uart = { 3150, src = "estimate (same ISA-bus latency as port 0x80)" },
    pic  = { 3150, src = "estimate (same ISA-bus latency as port 0x80)" },
    pit  = { 3150, src = "estimate (same ISA-bus latency as port 0x80)" },
    ata  = { 3150, src = "estimate (same ISA-bus latency as port 0x80)" },
    exit = { 3150, src = "estimate (same ISA-bus latency as port 0x80)" },
  },
  vmx = {
    exit           = { 2890, src = "calibrated against Adams & Agesen 2006 nanobenchmarks (literature.md) by scripts/calibrate; rms log residual 0.72 over 3 cells" },
    entry          = { 2890, src = "tied to vmx.exit, calibrated against Adams & Agesen 2006 nanobenchmarks (literature.md) by scripts/calibrate; rms log residual 0.72 over 3 cells" },
    nested_paging  = { 0, src = AA06 .. ": first-generation VT-x had no MMU virtualization" },
    vpid           = { 0, src = "Intel: VPID arrived with Nehalem (2008)" },
    nested_walk_cache = { 0, src = "no nested paging" },
  },
  bt = {
    callout = { 200, src = "estimate (a call from the translation cache into the VMM routine its site names and back, state saved and restored in software; the dispatch is the call itself, so a callout pays no vmm.handler; no published figure)" },
    translate_insn = { 400, src = "estimate (decode, classify and copy one guest instruction, with the hash and block bookkeeping; no published figure)" },
    vcpu_op = { 40, src = "estimate (the VMM's work for a callout whose operation the translator already decoded: a branch target, the virtual IF, a return into the kernel, a port access handed to the device model; a few loads, stores and checks, no instruction decoding)" },
  },
  vmm = {
    handler      = { 500,  src = "estimate (VMM exit dispatch)" },
    emulate_insn = { 1000, src = "estimate (fetch, decode and emulate one guest instruction)" },
    pte_read     = { 50,   src = "estimate" },
    pte_write    = { 50,   src = "estimate" },
    pte_scan     = { 4,    src = "estimate (validating or releasing a whole 4 KB page table: a load, a test and a branch per entry in a sequential loop the hardware prefetcher streams; pte_read is a scattered reference)" },
    io_emulate   = { 50, src = "calibrated against Adams & Agesen 2006 nanobenchmarks (literature.md) by scripts/calibrate; rms log residual 0.72 over 3 cells; at the lower bound of its range" },
  },
  pv = {
    blk_request = { 2000, src = "estimate (read and check one ring request, run it on the disk model, write the response)" },
    blk_sector  = { 256,  src = "estimate (copying 512 bytes is 128 REP MOVSD iterations at insn.string's 2 cycles; disk latency is not modeled, as on the emulated ATA path)" },
  },
}
