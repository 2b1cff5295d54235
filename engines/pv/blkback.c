/*
 * blkback.c — the VMM's side of the paravirtual block device (pvabi.h, struct
 * pv_blk_ring). Not built yet: both hypercalls answer PV_EINVAL, which a guest reads
 * as "no paravirtual disk" and keeps using the emulated ATA disk.
 */
#include "pv.h"

int pv_blk_setup(struct pv *p, u32 ring_gpa) { return pv_refuse(p, PV_REF_UNKNOWN, PV_EINVAL); }

int pv_blk_notify(struct pv *p) { return pv_refuse(p, PV_REF_UNKNOWN, PV_EINVAL); }
