-- forkwait: Adams & Agesen's fork/wait macrobenchmark: copy-on-write address spaces
-- created and torn down.
return {
  description = "fork, child exits, parent waits (copy-on-write address spaces)",
  program = "forkwait",
  args = { n = 200 },
}
