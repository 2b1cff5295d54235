-- io-heavy: device access: port I/O to the POST port and sector reads and writes
-- through the ATA driver.
return {
  description = "disk reads and writes through the ATA PIO driver",
  program = "diskio",
  args = { sectors = 128, n = 4 },
  disk = 4096,
}
