-- exec: fork + exec of a small program + wait (lmbench lat_proc exec style).
return {
  description = "fork, exec a small program, wait",
  program = "exec",
  args = { n = 100 },
}
