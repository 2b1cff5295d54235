-- ptemod: the kernel rewriting a live page-table entry (and invalidating it), the
-- operation shadow paging makes expensive.
return {
  description = "kernel loop writing a live PTE and invalidating its TLB entry",
  program = "ptemod",
  args = { n = 10000 },
}
