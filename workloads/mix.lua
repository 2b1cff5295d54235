-- mix: a compile-like pipeline of processes that read input from disk, compute,
-- write output and exit (the shape of Xen's kernel-build benchmark, in miniature).
return {
  description = "compile-like pipeline: processes read disk, compute, write, exit (disk: see io-heavy on what is modeled)",
  program = "mix",
  args = { n = 8 },
  disk = 4096,
}
