-- io-heavy: device access: port I/O to the POST port and sector reads and writes
-- through the kernel's disk driver: ATA PIO, except under pv, where the kernel uses
-- the paravirtual disk's ring (guest/kernel/pvblk.c; pvblk=0 on a bench boot command
-- line keeps the ATA ports).
return {
  description = "disk reads and writes (ATA PIO; the paravirtual ring under pv)",
  program = "diskio",
  args = { sectors = 128, n = 4 },
  disk = 4096,
}
