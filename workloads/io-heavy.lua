-- io-heavy: device access: port I/O to the POST port and sector reads and writes
-- through the kernel's disk driver: ATA PIO, except under pv, where the kernel uses
-- the paravirtual disk's ring (guest/kernel/pvblk.c; pvblk=0 on a bench boot command
-- line keeps the ATA ports).
--
-- Read the cycles with care: no path models the disk medium. Natively each of the ~270
-- port accesses per sector pays the ISA bus latency (io.ata); emulated, each pays the
-- device model (vmm.io_emulate) and an exit; the paravirtual ring pays one request
-- (pv.blk_request) and a copy per sector. So pv comes out far below native here, which
-- says only that PIO is slow and a ring is not; compare VMM entries (exits/op) across
-- configurations, and cycles only between the emulated paths.
return {
  description = "disk reads and writes (ATA PIO; the paravirtual ring under pv; no disk medium time modeled: compare exits/op)",
  program = "diskio",
  args = { sectors = 128, n = 4 },
  disk = 4096,
}
