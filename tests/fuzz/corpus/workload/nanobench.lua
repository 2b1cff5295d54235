-- nanobench: every nanobenchmark of the guest in one boot (Adams & Agesen, Table 2
-- style): syscall, in, out, cr3, pushf_popf, sgdt, sidt, smsw, cpuid, callret,
-- pgfault, divzero, ptemod.
return {
  description = "all nanobenchmarks: syscall, port I/O, CR3, flags, descriptors, faults",
  program = "nanobench",
  args = { n = 10000 },
}
