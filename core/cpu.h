/*
 * cpu.h — the simulated IA-32 processor: its architectural state, the hardware
 * virtualization controls, and the one entry point cpu_run().
 *
 * The processor executes guest code decoded once into blocks (block.h) and charges
 * every event modeled cycles from the profile. It knows nothing about virtualization
 * techniques: engines configure `icpt` (which events exit, like a VMCS) and choose an
 * MMU engine to answer TLB misses (mmu.h); the processor does the rest.
 *
 * Memory accesses go segmentation -> fast TLB (a host-speed, direct-mapped subset of
 * the modeled TLB, one per privilege class) -> on a miss the modeled TLB (tlb.h) -> on
 * a modeled miss the MMU engine's walk. See mem.h.
 *
 * Errors a guest causes (faults, triple faults) are guest events, delivered or reported;
 * the host never aborts for them.
 */
#ifndef RINGLAB_CPU_H
#define RINGLAB_CPU_H

#include <setjmp.h>

#include "clock.h"
#include "cost.h"
#include "exit.h"
#include "io.h"
#include "irq.h"
#include "profile.h"
#include "stats.h"
#include "tlb.h"
#include "types.h"
#include "x86.h"

struct insn;
struct block;
struct block_cache;
struct mmu_ops;

/* A segment register with its hidden (descriptor-cache) part. */
struct seg {
	u16 sel;
	u16 attr;  /* descriptor attributes, see SEG_* in x86.h */
	u32 base;
	u32 limit; /* byte granular (G already applied) */
	u8 check;  /* 0: flat, readable, writable, no checks needed on the fast path */
};

/* A data-segment load the processor checked and decoded (segment.c: seg_load). The
 * descriptor is re-read on every load (those reads are modeled accesses); when the same
 * selector, at the same CPL, into the same kind of register, reads back the same two
 * dwords, the checks and the decoding would come out as before, so `seg` is copied.
 * Validated by content, a memo needs no invalidation: a rewritten descriptor, a new
 * GDT or LDT simply reads back different (or, if equal, decodes the same). */
struct seg_memo {
	u32 lo, hi;     /* the descriptor after the load (accessed bit set) */
	u16 sel;        /* 0: empty (a null selector never reaches the memo) */
	u8 key;         /* CPL, | 4 when loaded into SS */
	struct seg seg; /* the result */
};
#define SEG_MEMO_SIZE 16

/* Hardware virtualization controls, like the execution controls of a VMCS. */
enum {
	ICPT_CPUID = 1u << 0,
	ICPT_HLT = 1u << 1,
	ICPT_INVLPG = 1u << 2,
	ICPT_CR3_LOAD = 1u << 3,
	ICPT_CR3_STORE = 1u << 4,
	ICPT_RDTSC = 1u << 5,
	ICPT_MSR = 1u << 6,
	ICPT_IO = 1u << 7,      /* consult io_bitmap */
	ICPT_EXT_INT = 1u << 8, /* external interrupts exit instead of being delivered */
	ICPT_INTR_WINDOW = 1u << 9,
	ICPT_DESC = 1u << 10,   /* LGDT/LIDT/SGDT/SIDT/LLDT/LTR/SLDT/STR */
	ICPT_WBINVD = 1u << 11,
	ICPT_VMCALL = 1u << 12, /* VMCALL exits (otherwise it raises #UD) */
};

struct intercepts {
	u32 ctl;            /* ICPT_* */
	u8 kind;            /* enum exit_kind: how intercepted events leave the guest (VT-x
			     * exits for hvm; traps into an in-guest VMM for bt, pv and te) */
	u16 softint[256];   /* INT n: 0 delivers it through the IDT; otherwise the exit reason
			     * it leaves with (EXIT_PV_HYPERCALL, EXIT_BT_CALLOUT...), checked
			     * after the gate's privilege check as hardware checks it first */
	u32 cr0_mask;       /* CR0 bits owned by the VMM: writes changing them exit */
	u32 cr4_mask;
	u32 exception_bitmap;
	u8 io_bitmap[8192]; /* one bit per port: 1 = exit */
	bool active;        /* running in "guest mode": exits are possible */
};

/* Fast TLB: host-speed subset of the modeled TLB (see tlb.h). */
#define FTLB_BITS 9
#define FTLB_SIZE (1u << FTLB_BITS)
#define FTLB_NONE 0xffffffffu

struct ftlb_entry {
	u32 rtag;       /* linear page number readable through this entry, or FTLB_NONE */
	u32 wtag;       /* linear page number writable without a slow path, or FTLB_NONE */
	uintptr_t addend; /* host address = linear address + addend */
};

struct ctlb_entry {
	u32 tag; /* linear page number executable, or FTLB_NONE */
	u32 ppn; /* its physical page number */
};

/* Fast-TLB slots filled since the last flush, so that a flush (every VM exit without
 * VPID) clears those instead of all 4 * FTLB_SIZE. */
#define FTLB_FILLS (8 * FTLB_SIZE)

/* What the run loop must do next; see cpu_run(). */
enum run_status {
	RUN_EXIT,     /* an intercepted event: *exit is filled */
	RUN_HLT,      /* HLT executed (not intercepted): wait for an interrupt */
	RUN_SHUTDOWN, /* triple fault: cpu->shutdown_reason says why */
	RUN_BUDGET,   /* the instruction budget ran out */
	RUN_STOP,     /* a device asked the machine to stop (exit port) */
	RUN_ERROR,    /* the guest used something the machine does not implement */
	RUN_STEP,     /* cpu_emulate() executed its one instruction */
};

/* Counters the processor keeps (registered under these names in stats). TLB hits are
 * not counted: most are served by the host's fast TLB, whose behaviour is a host-side
 * detail; misses (and the walks they cost) are the model's. */
struct cpu_counters {
	u64 *itlb_misses, *dtlb_misses, *walk_refs;
	u64 *exceptions[32];
	u64 *interrupts, *soft_ints, *blocks_decoded, *blocks_invalidated, *smc_writes;
	u64 *cr3_writes, *invlpgs, *exits;
};

struct cpu {
	/* Architectural state */
	u32 r[8];
	u32 eip;
	u32 eflags;                /* arithmetic flags live in cc_* unless cc_op == CC_EAGER */
	u32 cc_res, cc_a, cc_b;    /* lazy flags: result and operands of the last flag op */
	u8 cc_op, cc_bits, cc_aux; /* which op, operand width, carry-in or saved CF */
	u8 cpl;
	struct seg seg[6];
	struct seg ldtr, tr;
	u32 gdtr_base, idtr_base;
	u16 gdtr_limit, idtr_limit;
	u32 cr0, cr2, cr3, cr4;
	u32 dr[8];
	u32 sysenter_cs, sysenter_esp, sysenter_eip;
	struct seg_memo seg_memo[SEG_MEMO_SIZE]; /* recent segment loads, see struct seg_memo */
	u32 last_invlpg;       /* the linear address of the last INVLPG (a VMM that emulated one) */
	u64 tsc_offset;

	/* Execution */
	const struct insn *ip;        /* the record running (NULL between blocks) */
	struct block *blk;
	u8 singlestep;                /* run the next instruction alone (after STI / MOV SS) */
	struct block_cache *bc;
	u32 cls_cost[32];             /* base cost per instruction class, from the profile */
	u64 insns;                    /* guest instructions retired */
	u64 budget;                   /* stop when insns reaches this (UINT64_MAX: none) */
	u8 bypass;                    /* cpu_emulate(): the instruction runs as the VMM's emulation:
				       * no instruction intercepts, writes go to the MMU unchecked
				       * (ACC_BYPASS) and ports take the emulated path */
	/* Requests the run loop must look at between blocks, overlaid on one word so that
	 * its common path tests them all at once: setting any makes `attention` nonzero. */
	union {
		struct {
			bool stop;    /* a device asked to stop */
			u8 inhibit;   /* interrupts inhibited for one instruction (STI, MOV SS) */
			u8 step;      /* cpu_run() executes one instruction, then RUN_STEP */
			u8 req;       /* a handler asks cpu_run to return this run_status + 1 */
			u8 kick;      /* the INTR pin, EFLAGS.TF or the interrupt-window intercept
				       * may be set: the boundary looks at them. Raised by whatever
				       * may set one while blocks run (the interrupt controller,
				       * POPF, IRET: cpu_kick) and by cpu_run on entry (the VMM's
				       * changes); the boundary keeps it while one of them holds */
			u8 unchain;   /* something that may change the translation of code or CS
				       * happened (TLB evictions and flushes, CPL and CS loads, the
				       * block cache's reset): the block that ran may not be
				       * chained from (block.h); the boundary clears it */
			u8 cut;       /* cpu_end_block ended the running block after the record
				       * running: the records after it do not run (exec.h) */
			u8 pad;
		};
		u64 attention;
	};

	/* Memory */
	u8 *ram;
	u32 ram_size;                 /* guest RAM: guest-physical [0, ram_size) */
	u32 mem_size;                 /* host-backed physical memory: guest RAM, then the VMM's
				       * own memory (cpu_add_vmm_memory), which no guest frame
				       * reaches: only the VMM window does */
	u32 vmm_win;                  /* linear base of the VMM window */
	u32 *code_mask;               /* per physical page: 128-byte chunks holding decoded code */
	u32 *watch_mask;              /* ... holding code an engine derived something from */
	void (*code_written)(void *opaque, u32 pa, unsigned len); /* the guest wrote there */
	void *code_written_opaque;
	struct ftlb_entry ftlb[2][FTLB_SIZE]; /* [0] supervisor, [1] user (CPL 3) */
	struct ctlb_entry ctlb[2][FTLB_SIZE];
	struct ftlb_entry *ft;        /* ftlb[cpl == 3] */
	struct ctlb_entry *ct;
	u32 *filled[FTLB_FILLS];      /* tags of slots filled since the last flush */
	unsigned nfilled;             /* ... how many (> FTLB_FILLS: clear them all) */
	struct tlb itlb, dtlb;
	const struct mmu_ops *mmu;
	void *mmu_state;
	u8 force_wp;                  /* supervisor writes honour read-only pages whatever
				       * CR0.WP (a shadow MMU's protection of guest tables) */

	/* The machine around the processor */
	struct cost *cost;
	struct stats *stats;
	struct clock *clock;
	struct io_bus *io;
	struct intr_controller *intc;
	const struct profile *prof;
	struct cpu_counters cnt;
	void (*marker)(void *opaque, u32 code, u32 arg);
	void *marker_opaque;

	/* Virtualization controls and the exit being reported */
	struct intercepts icpt;
	struct exit_record *exit;

	/* Fault handling */
	jmp_buf jmp;
	jmp_buf *vmm_guard;     /* set while a VMM handles an exit, outside the run loop: a
				 * fault or exit the machine raises then lands here (a VMM
				 * bug, reported), never in the returned run loop's c->jmp */
	u8 delivering;                /* an event is being delivered through the IDT */
	u8 deliver_vec;               /* ... this one */
	u8 deliver_kind;              /* ... of this enum trap_kind */
	u8 deliver_has_err;
	u32 deliver_err;
	u8 event_delivered;           /* set by every delivery (single-step bookkeeping) */
	u8 inject_pending;            /* cpu_inject() queued an event for the next entry */
	u8 inject_vec, inject_has_err, inject_ext;
	u8 inject_vif;                /* 0, or 1/2: the frame's EFLAGS.IF is 0/1 (cpu_inject_vif) */
	u32 inject_err;
	u8 delivering_inner;          /* ... onto an inner ring's stack */
	u8 pend_vec;                  /* the fault being raised */
	u32 pend_err;
	u32 pend_eip;
	u32 pf_lin;                   /* linear address of the last #PF */
	char unimpl[120];
	int fault_depth;              /* 0 normal; 1 delivering; 2 delivering #DF */
	u8 fault_chain[3];            /* vectors of the faults that led to a shutdown */
	int fault_chain_len;
	u32 fault_eip;
	char shutdown_reason[160];
};

/* Prepare `c` on `ram` with the profile's costs and TLB geometry, connected to the
 * machine's accountant, counters, clock, port bus and interrupt controller.
 * Returns 0, or -1 if the profile's TLB geometry is impossible. */
int cpu_init(struct cpu *c, u8 *ram, u32 ram_size, const struct profile *prof,
	     struct cost *cost, struct stats *stats, struct clock *clock, struct io_bus *io,
	     struct intr_controller *intc);
void cpu_fini(struct cpu *c);

/* Put `c` in the state the Multiboot specification hands a kernel: protected mode,
 * paging off, flat 4 GB ring-0 segments, EAX = magic, EBX = info, EIP = entry. */
void cpu_reset_multiboot(struct cpu *c, u32 entry, u32 eax, u32 ebx);

/* Run guest code until something the caller must handle; see enum run_status. */
enum run_status cpu_run(struct cpu *c, struct exit_record *exit);

/* Materialize and return the full EFLAGS value. */
u32 cpu_get_eflags(struct cpu *c);

/* Execute the instruction at CS:EIP once on the VMM's behalf: the VMM's emulation of an
 * instruction that exited. Its intercepts are bypassed, writes reach memory the MMU
 * engine protects for itself (ACC_BYPASS), ports take the emulated path, and privilege
 * checks are made as at `cpl` (the guest's own CPL for hvm; its virtual CPL 0 for a
 * deprivileged guest kernel), memory permissions as the guest's mode allows. Faults
 * it takes are delivered or exit as usual, never recursing into the VMM. Returns
 * RUN_STEP when the instruction completed. */
enum run_status cpu_emulate(struct cpu *c, struct exit_record *exit, unsigned cpl);

/* Deliver external interrupt `vector` at the next entry (engines injecting the
 * interrupt whose exit they handled). */
void cpu_inject_external(struct cpu *c, u8 vector);

/* Deliver external interrupt or exception `vector` to the guest now (used by the run
 * loop, and by engines injecting events on entry). has_err: push `err`. */
void cpu_inject(struct cpu *c, u8 vector, bool has_err, u32 err);

/* After cpu_inject: the event's frame carries `vif` as EFLAGS.IF instead of the real
 * IF, which the delivery leaves as it was (through a trap gate). A VMM that keeps the
 * guest's interrupt flag virtual (pv) delivers its events this way, as Xen builds a
 * bounce frame with the virtual flag. */
void cpu_inject_vif(struct cpu *c, bool vif);

/* Flush the fast TLBs (after a mode change that alters permissions). */
void cpu_flush_fast_tlb(struct cpu *c);

/* Drop every translation the processor caches (the modeled TLBs and the fast TLBs),
 * global ones too unless `keep_global`. Charges nothing. */
void cpu_flush_tlb(struct cpu *c, bool keep_global);

/* What MOV to CR3 does once its checks passed: load CR3, flush the non-global TLB
 * entries (charged tlb.flush), tell the MMU engine. A VMM's hypercall uses it too. */
void cpu_load_cr3(struct cpu *c, u32 v);

/* What INVLPG does once its checks passed: drop `lin`'s translations everywhere and
 * tell the MMU engine. */
void cpu_invlpg(struct cpu *c, u32 lin);

/* A fast-TLB slot whose tag is `tag` (an ftlb rtag or a ctlb tag) is about to be
 * filled: remember it for the next flush if it was empty. */
/* EFLAGS was just loaded from guest data (POPF, IRET, a VMM's emulation of them): if
 * TF is set, the run loop's boundary must see it (cpu.kick). */
static inline void cpu_eflags_loaded(struct cpu *c)
{
	if (c->eflags & FL_TF)
		c->kick = 1;
}

static inline void cpu_fast_fill(struct cpu *c, u32 *tag)
{
	if (*tag != FTLB_NONE)
		return;
	if (c->nfilled < FTLB_FILLS)
		c->filled[c->nfilled] = tag;
	c->nfilled++;
}

/* The guest-physical access used by walks and DMA: a host pointer to `len` bytes at
 * physical `pa`, or NULL if outside guest RAM. */
static inline u8 *cpu_phys(struct cpu *c, u32 pa, u32 len)
{
	return (u64)pa + len <= c->ram_size ? c->ram + pa : NULL;
}

/* The page number a translation to a frame outside guest RAM yields: unassigned
 * memory (reads 0, writes dropped), never the VMM's memory behind guest RAM. */
#define PPN_UNASSIGNED 0xfffffu

/* A host pointer to `len` bytes at machine-physical `pa` (guest RAM or the VMM's
 * memory), or NULL: for accesses whose translation is already checked. */
static inline u8 *cpu_mem(struct cpu *c, u32 pa, u32 len)
{
	return (u64)pa + len <= c->mem_size ? c->ram + pa : NULL;
}

/* Give the VMM `size` bytes of its own memory (a multiple of 4 KB, in the host
 * allocation right after guest RAM, which must have room for it), visible only
 * through the linear window [win, win + size) at CPL 0-2 — as VMware's VMM lived in
 * the top of every address space. Call once, before the guest runs. Returns 0, or -1
 * if out of memory. */
int cpu_add_vmm_memory(struct cpu *c, u32 size, u32 win);

#endif
