-- aa06: Adams & Agesen's nanobenchmarks (ASPLOS 2006) as the paper measured them, the
-- set paper/claims/adams-agesen-2006.lua compares and scripts/calibrate fits against:
-- syscall, in, kcallret (call/ret in the kernel, as the paper's ran), divzero, and the two
-- that differ from ours of the same name,
-- pgfault_prealloc (the fault path alone: the frame is already allocated and zeroed)
-- and ptestore (a single store to a live PTE). cr8wr has no analogue here.
return {
  description = "Adams & Agesen 2006 nanobenchmarks as the paper measured them",
  program = "aa06",
  args = { n = 2000 },
  configs = { "native", "bt/shadow", "hvm/shadow" },
}
