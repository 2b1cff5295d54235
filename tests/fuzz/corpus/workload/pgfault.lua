-- pgfault: demand-zero page faults on fresh anonymous memory.
return {
  description = "demand-zero page faults (touch fresh pages)",
  program = "pgfault",
  args = { n = 2000 },
}
