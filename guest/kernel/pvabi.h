/*
 * pvabi.h — the ringlab paravirtual interface: the one contract between a PV guest
 * kernel (guest/kernel/pvops_pv.c) and the pv engine's VMM (engines/pv/). Both include
 * this header; it holds only plain C types so that the freestanding guest and the host
 * build agree byte for byte.
 *
 * Discovery (the boot protocol, as lguest and Xen have one). On a CPU without VT-x a
 * VMM cannot answer CPUID (it does not trap), so the pv VMM says who it is the way a
 * domain builder does: it starts the kernel at its multiboot entry point deprivileged,
 * in ring 1, with EAX and EBX as multiboot says and EDX = PV_BOOT_MAGIC. A kernel that
 * finds itself with CS.RPL != 0 and that magic registers (PVH_REGISTER) and from then
 * on asks for privileged work by hypercall. Natively CS.RPL is 0 and nothing changes.
 * Until a kernel registers, the pv VMM treats it as naive trap-and-emulate does (te):
 * an unmodified kernel boots, and goes wrong exactly as it does under te.
 *
 * A hypercall is `int $0x82` (as on 32-bit Xen) with the number in EAX and arguments
 * in EBX, ECX, EDX, ESI, EDI; the result comes back in EAX (PV_OK or a negative PV_E*
 * code), every other register preserved. The VMM delivers a pending virtual interrupt
 * on the way back when the guest's virtual IF allows it.
 *
 * The interrupt flag is virtual: `evt_mask` in the shared page, set and cleared by the
 * guest with plain stores. An interrupt that arrives while it is set is held by the
 * VMM, which sets `evt_pending`; the guest checks that flag when it clears the mask and
 * asks for delivery with PVH_EVENT_CHECK. Events are delivered through the trap table
 * (PVH_SET_TRAP_TABLE) with a frame whose EFLAGS.IF is the virtual IF of the
 * interrupted code; an interrupt-gate entry masks events, as the hardware clears IF.
 * `int $0x80` from ring 3 enters the guest kernel directly through the processor
 * (no VMM), and the VMM never sees it. The return is the processor's IRET from ring
 * 1 when no event is held (IRET to an outer ring is allowed; only IF is the VMM's,
 * and the kernel sets the virtual one itself); when one is, PVH_IRET returns and
 * delivers it in one trip.
 */
#ifndef RINGLAB_PVABI_H
#define RINGLAB_PVABI_H

#define PV_BOOT_MAGIC 0x52504c56u /* "VLPR": EDX at entry under the pv engine */
#define PV_ABI_VERSION 1u
#define PV_HYPERCALL_VECTOR 0x82

/* Hypercall numbers (EAX). */
enum pv_hypercall {
	PVH_REGISTER = 0,       /* EBX = shared page (guest-physical), ECX = ABI version;
				 * returns PV_F_* features */
	PVH_MMU_UPDATE = 1,     /* EBX = struct pv_mmu_update[] (linear), ECX = count;
				 * returns how many were applied (pv/direct) */
	PVH_NEW_BASEPTR = 2,    /* EBX = page directory (guest-physical): the new CR3 */
	PVH_INVLPG = 3,         /* EBX = linear address */
	PVH_FLUSH_TLB = 4,      /* the whole non-global TLB */
	PVH_SET_TRAP_TABLE = 5, /* EBX = IDT-format table (linear), ECX = its limit */
	PVH_STACK_SWITCH = 6,   /* EBX = kernel SS, ECX = kernel ESP (the ring-1 stack) */
	PVH_SET_GDT = 7,        /* EBX = GDT (linear), ECX = its limit */
	PVH_EVENT_CHECK = 8,    /* deliver a pending event now, if unmasked */
	PVH_BLOCK = 9,          /* unmask events and wait for one (sti; hlt) */
	PVH_YIELD = 10,         /* give up the processor (no-op with one guest) */
	PVH_SHUTDOWN = 11,      /* EBX = exit code: the run ends */
	PVH_SET_TIMER = 12,     /* EBX = timer rate in Hz (programs the PIT) */
	PVH_CONSOLE_WRITE = 13, /* EBX = bytes (linear), ECX = count */
	PVH_IO = 14,            /* EBX = port, ECX = size (1,2,4) | PV_IO_OUT, EDX = value;
				 * returns the value read */
	PVH_MULTICALL = 15,     /* EBX = struct pv_multicall[] (linear), ECX = count */
	PVH_BLK_SETUP = 16,     /* EBX = struct pv_blk_ring page (guest-physical);
				 * returns the disk's size in sectors */
	PVH_BLK_NOTIFY = 17,    /* the VMM serves every request up to req_prod */
	PVH_PIN_TABLE = 18,     /* EBX = page directory (guest-physical), ECX = 1 pin, 0
				 * unpin: a pinned directory stays validated (pv/direct) */
	PVH_IRET = 19,          /* return from an event, as Xen's iret hypercall: the stack
				 * holds the caller's EAX, then an IRET frame (EIP, CS, EFLAGS,
				 * and ESP, SS to ring 3); the VMM restores EAX, returns there
				 * with the virtual IF of the frame's EFLAGS.IF, and delivers a
				 * held event first when that IF allows */
	PVH_COUNT
};

#define PV_IO_OUT 0x100u

/* Results (EAX). */
#define PV_OK 0
#define PV_EINVAL (-1)  /* bad argument: a refused update, an unknown hypercall */
#define PV_EPERM (-2)   /* not allowed to this guest (a frame it does not own, the
			 * VMM's region, a page table mapped writable) */
#define PV_EFAULT (-3)  /* an argument pointer the guest's own tables do not map */

/* Features returned by PVH_REGISTER. */
#define PV_F_DIRECT_PT 1u /* page tables hold machine frames: update them by hypercall */

/*
 * pv/direct (PV_F_DIRECT_PT): the guest's page tables are the ones the processor walks,
 * and the VMM validates every change, as Xen does. Frames are the guest's physical
 * frames (one guest owns the machine's RAM: the physical-to-machine map is the identity).
 * Every frame has a type, held while some validated table references it that way:
 *   L2  a page directory: the current CR3 (PVH_NEW_BASEPTR validates it) or pinned
 *       (PVH_PIN_TABLE: a directory the kernel keeps stays validated between uses);
 *   L1  a page table: referenced by a present, non-4 MB entry of a validated L2;
 *   W   mapped writable by a present entry of a validated L1;
 *   -   none of these.
 * The rules, checked on every entry the VMM validates:
 *   - an L1 entry may map only frames the guest owns (below its memory size; PV_EPERM),
 *     and never an L1 or L2 frame writable (PV_EPERM);
 *   - an L2 entry may not reach the VMM's window (the top 4 MB of the linear space;
 *     PV_EPERM), may not be a 4 MB page (PV_EINVAL), and its target becomes an L1: it
 *     must not be an L2 or mapped writable anywhere (PV_EPERM), and all its entries are
 *     validated;
 *   - PVH_MMU_UPDATE writes only entries of frames that are L1 or L2 (PV_EINVAL
 *     otherwise: other frames are written with plain stores), releasing what the old
 *     entry referenced; it applies the list in order and stops at the first refusal,
 *     returning its code (PV_OK after all were applied);
 *   - a plain store to a page table faults: its frames are never mapped writable.
 * So a kernel builds a new table in a frame it may still write, drops its own writable
 * mapping of that frame (an MMU_UPDATE of the direct map's entry), then links it.
 * Until its first PVH_NEW_BASEPTR the kernel runs on its boot tables, which nobody
 * validated: PVH_MMU_UPDATE and PVH_PIN_TABLE are refused (PV_EINVAL) until then.
 * Privileged instructions a registered kernel still executes are emulated only when
 * they cannot undo this (reading control registers, CR4's paging options, ...; never a
 * CR3 load under pv/direct, WRMSR, LTR or LLDT): the others raise #GP.
 * A guest that makes PV_PERM_LIMIT unsafe requests (PV_EPERM) in a row is killed with a
 * one-line reason; the host goes on.
 */
#define PV_PERM_LIMIT 1000u
#define PV_VMM_HOLE_PDE 1023u /* the L2 index of the VMM's window */

/* The paravirtual block device (PVH_BLK_SETUP, PVH_BLK_NOTIFY): one page in guest
 * memory holds a ring of requests the guest produces and responses the VMM produces
 * (Xen's blkif, simplified). The guest fills req[req_prod % PV_BLK_RING], advances
 * req_prod, and notifies once per batch; the VMM performs each request on the disk
 * model, writes rsp[rsp_prod % PV_BLK_RING], advances rsp_prod, and raises the virtual
 * interrupt PV_BLK_VECTOR once per notification.
 * As built (engines/pv/blkback.c): SETUP refuses with PV_EINVAL when no disk is
 * attached and PV_EFAULT for a page not aligned or not in guest RAM; the ring starts
 * empty at the page's req_prod then (rsp_prod is set to it). NOTIFY serves the whole
 * batch before it returns PV_OK (so rsp_prod has caught up when the guest resumes); a
 * req_prod more than PV_BLK_RING ahead of the VMM's consumer index is refused
 * (PV_EINVAL, nothing served). A request's status is PV_EINVAL for an op, count or
 * sector range the disk cannot serve (or a host I/O error), PV_EFAULT for a buffer not
 * in guest RAM or crossing a page; the rest of the batch is served anyway. */
#define PV_BLK_RING 32u
#define PV_BLK_VECTOR 0x50u
#define PV_BLK_READ 0u
#define PV_BLK_WRITE 1u
#define PV_BLK_MAX_SECTORS 8u /* per request: one 4 KB page */

struct pv_blk_req {
	unsigned int id, op, sector, count; /* count sectors of 512 bytes */
	unsigned int buf;                   /* guest-physical, within one page */
};

struct pv_blk_rsp {
	unsigned int id;
	int status; /* PV_OK, or PV_EINVAL (bad sector, count, op) / PV_EFAULT (buffer) */
};

struct pv_blk_ring {
	volatile unsigned int req_prod, rsp_prod;
	struct pv_blk_req req[PV_BLK_RING];
	struct pv_blk_rsp rsp[PV_BLK_RING];
};

/* The page shared by the guest and the VMM (registered by PVH_REGISTER). */
struct pv_shared {
	unsigned char evt_mask;    /* the virtual IF, inverted: 1 = events masked */
	unsigned char evt_pending; /* set by the VMM: an event waits for the mask to clear */
	unsigned short pad;
	unsigned int cr2;          /* the faulting address of the last bounced #PF */
};

/* One page-table update of PVH_MMU_UPDATE: the entry at guest-physical `ptr` becomes
 * `val`. */
struct pv_mmu_update {
	unsigned int ptr, val;
};

/* One call of PVH_MULTICALL: `op` with args[0..4] in the order EBX..EDI; the VMM
 * writes the call's result into `result`. */
struct pv_multicall {
	unsigned int op;
	unsigned int args[5];
	int result;
};

#endif
