-- ctxswitch: two processes ping-pong a byte through pipes (lmbench lat_ctx style).
return {
  description = "two processes ping-pong through pipes: context switches",
  program = "ctxswitch",
  args = { n = 2000 },
}
