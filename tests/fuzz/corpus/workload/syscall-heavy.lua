-- syscall-heavy: the cost of entering and leaving the guest kernel.
-- Adams & Agesen's first nanobenchmark: a user process calling getpid in a loop.
return {
  description = "system calls (getpid through int 0x80): kernel entry and exit",
  program = "syscall",
  args = { n = 100000 },
  derived = {
    -- share of each call spent in the processor's trap mechanics (INT/IRET)
    trap_share = function(m) return m.trap / m.modeled_cycles end,
  },
}
