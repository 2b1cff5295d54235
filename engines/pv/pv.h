/*
 * pv.h — the pv engine's private state, shared by its files: pv.c (the engine: boot,
 * exits, events) and hypercall.c (the hypercall table). The guest side of the contract
 * is guest/kernel/pvabi.h.
 */
#ifndef RINGLAB_PV_H
#define RINGLAB_PV_H

#include "core/vm.h"
#include "guest/kernel/pvabi.h"
#include "vmm/ringcomp.h"
#include "vmm/vmm.h"

#define PV_GDT 0x0000u /* offsets in the VMM's memory: the shadow GDT (8 KB) */
#define PV_TSS 0x2000u /* the VMM's TSS */
#define PV_IDT 0x2800u /* the trap table the processor uses (2 KB) */
#define PV_MULTICALL_MAX 64u
#define PV_CONSOLE_MAX 4096u

/* Why the VMM refused a request (counter pv.refused.NAME). */
enum pv_refusal {
	PV_REF_UNKNOWN,     /* no such hypercall, or not before registration */
	PV_REF_ARGUMENT,    /* an argument out of range */
	PV_REF_FAULT,       /* an argument pointer the guest's tables do not map */
	PV_REF_TRAP_TABLE,  /* a gate into the VMM or not to the kernel's ring-1 code */
	PV_REF_STACK,       /* a kernel stack segment that is not ring-1 data */
	PV_REF_USER,        /* a hypercall from ring 3 */
	PV_REF_MMU,         /* MMU_UPDATE or PIN under pv/shadow (entries are plain stores) */
	PV_REF_FRAME,       /* pv/direct: a frame the guest does not own */
	PV_REF_PT_WRITABLE, /* pv/direct: a page table mapped writable (or the reverse) */
	PV_REF_VMM_HOLE,    /* pv/direct: an L2 entry reaching the VMM's window */
	PV_REF_SUPERPAGE,   /* pv/direct: a 4 MB page */
	PV_REF_TYPE,        /* pv/direct: a frame already typed otherwise (L1 as L2, ...) */
	PV_REF_NOT_PT,      /* pv/direct: an update of a frame that is not a page table */
	PV_REF_PRIVILEGED,  /* a privileged instruction the VMM will not emulate for a
			     * registered kernel (it would bypass validation) */
	PV_REF_DEVICE,      /* PVH_BLK_* without a disk, or NOTIFY before SETUP */
	PV_REF_COUNT
};

struct pv {
	struct vmm vmm;        /* the shared VMM state, first */
	struct ringcomp rc;    /* the shadow GDT and the VMM's TSS */
	bool registered;       /* the kernel registered: it is paravirtual from now on */
	u32 shared_gpa;        /* its struct pv_shared */
	u32 emu_eip;           /* the instruction last emulated, and when (te's rule: */
	u64 emu_insns;         /* a #GP it raises again is the guest's own) */
	u32 idtr_base;         /* the IDTR the VMM last set or saw, to notice an LIDT */
	u16 idtr_limit;
	u32 intgate[8];        /* vectors whose guest gate is an interrupt gate */
	u32 pending[8];        /* interrupts held while events were masked */
	int inflight_vec;      /* the event being delivered (-1), and the virtual IF */
	bool inflight_vif;     /* its frame carries, kept for a re-delivery */
	bool direct;           /* pv/direct: the guest's tables are the processor's */
	u32 nframes;           /* pv/direct: frames the guest owns, their types and counts */
	u8 *ptype;
	u32 *tcount;
	u8 *pinned;            /* pv/direct: the directories PVH_PIN_TABLE pinned */
	int cr3_frame;         /* the validated directory in CR3, or -1 (boot tables) */
	bool w_released;       /* a writable mapping went away since the last full flush */
	u32 perm_run;          /* PV_EPERM refusals in a row */
	bool killed;           /* ... reached PV_PERM_LIMIT: the guest is killed */
	u64 *hypercalls[PVH_COUNT];
	u64 *refused[PV_REF_COUNT];
	u64 *multicall_ops, *bounced, *virqs, *virqs_held, *emulated_boot, *emulated_priv;
	u64 *pte_updates, *validated, *full_flushes;
	bool blk_ready;        /* the paravirtual disk's ring (blkback.c) is set up: */
	u32 blk_ring_gpa;      /* its page, and the next request the VMM will serve */
	u32 blk_cons;          /* (= the responses it produced: rsp_prod) */
	u64 *blk_requests, *blk_notifications, *blk_sectors, *blk_errors;
};

static inline struct pv *pv_of(struct vm *vm) { return vm->engine_state; }

/* Carry out hypercall `op` with arguments a[0..4] (EBX..EDI); returns its result for
 * EAX. `*halt` is set when the guest asked to wait for an event (PVH_BLOCK).
 * (hypercall.c) */
int pv_hypercall(struct pv *p, u32 op, const u32 a[5], bool *halt);

/* Count a refusal and return `code` (hypercall.c). */
int pv_refuse(struct pv *p, enum pv_refusal why, int code);

/* The guest's shared page, or NULL before registration (pv.c). */
struct pv_shared *pv_shared(struct pv *p);

/* Validate the guest's IDT-format table at `lin` and make it the processor's (a copy
 * in the VMM's memory, every gate a trap gate into ring 1); PV_OK or a refusal
 * (hypercall.c). */
int pv_set_trap_table(struct pv *p, u32 lin, u32 limit);

/* A virtual interrupt for the guest: delivered at the next entry if its events are
 * unmasked, else held until it unmasks (pv.c). */
void pv_raise_virq(struct pv *p, u8 vec);

/* The paravirtual block device (blkback.c): its counters (at engine init);
 * PVH_BLK_SETUP with the ring's guest-physical page, and PVH_BLK_NOTIFY; each returns
 * the hypercall's result. */
void pv_blk_init(struct pv *p);
int pv_blk_setup(struct pv *p, u32 ring_gpa);
int pv_blk_notify(struct pv *p);

/* pv/direct (direct.c): the frame-type tables; the hypercalls that change what the
 * processor walks. Each returns the hypercall's result. */
int pv_direct_init(struct pv *p);
void pv_direct_fini(struct pv *p);
int pv_mmu_update(struct pv *p, u32 lin, u32 n);
int pv_new_baseptr(struct pv *p, u32 pa);
int pv_pin(struct pv *p, u32 pa, u32 pin);

/* Under pv/direct, is guest frame `frame` an L1 or L2 now? The VMM never writes into
 * one on the guest's behalf (a disk read, a ring response): that would change a page
 * table without validation. False under pv/shadow. */
bool pv_frame_is_table(const struct pv *p, u32 frame);

/* Register the kernel at `shared_gpa` (pv.c): from now on it is paravirtual. */
int pv_register(struct pv *p, u32 shared_gpa, u32 version);

#endif
