-- compute: integer work with no system calls; every technique should run it at
-- native speed.
return {
  description = "integer computation with no system calls or faults",
  program = "compute",
  args = { n = 200000 },
}
