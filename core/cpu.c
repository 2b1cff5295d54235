/*
 * cpu.c — the processor's life: set-up from a profile, the multiboot reset state, and
 * cpu_run(), the loop every engine drives.
 *
 * cpu_run() is a loop over blocks. At each block boundary it fires due timers, checks
 * the stop request and the instruction budget, takes a pending external interrupt when
 * EFLAGS.IF allows (or exits, if the engine intercepts them), finds the block for
 * CS:EIP, charges its base cost in one add and runs its records. The boundary's checks
 * cost one test when none of them can be due (run_blocks). Three things leave a
 * block early through longjmp back here: a fault (delivered through the IDT, or
 * combined into #DF, or a triple fault), an intercepted instruction (an exit record
 * for the engine), and an unimplemented feature (RUN_ERROR). Instructions of the
 * block that did not run are uncounted and their cost refunded, so counts and cycles
 * are exact at instruction granularity.
 */
#include "cpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "fault.h"
#include "flags.h"
#include "mmu.h"
#include "segment.h"
#include "traps.h"

enum { JMP_FAULT = 1, JMP_EXIT, JMP_ERROR };

static const u8 class_primitive[IC_COUNT] = {
	[IC_ALU] = P_INSN_ALU, [IC_MOV] = P_INSN_MOV, [IC_STACK] = P_INSN_STACK,
	[IC_BRANCH] = P_INSN_BRANCH, [IC_CALL_RET] = P_INSN_CALL_RET, [IC_SHIFT] = P_INSN_SHIFT,
	[IC_MUL] = P_INSN_MUL, [IC_DIV] = P_INSN_DIV, [IC_STRING] = P_INSN_STRING,
	[IC_SEGLOAD] = P_INSN_SEGLOAD, [IC_CLI_STI] = P_SYS_CLI_STI,
	[IC_PUSHF_POPF] = P_SYS_PUSHF_POPF, [IC_CR_READ] = P_SYS_CR_READ,
	[IC_CR0_WRITE] = P_SYS_CR0_WRITE, [IC_CR3_WRITE] = P_SYS_CR3_WRITE,
	[IC_CR4_WRITE] = P_SYS_CR4_WRITE, [IC_INVLPG] = P_SYS_INVLPG,
	[IC_DESC_LOAD] = P_SYS_DESC_LOAD, [IC_DESC_STORE] = P_SYS_DESC_STORE,
	[IC_SEG_CHECK] = P_SYS_SEG_CHECK, [IC_CPUID] = P_SYS_CPUID, [IC_RDTSC] = P_SYS_RDTSC,
	[IC_MSR] = P_SYS_MSR, [IC_HLT] = P_SYS_HLT, [IC_IO] = P_SYS_IO, [IC_FAR] = P_SYS_FAR,
	[IC_SYSENTER] = P_SYS_SYSENTER, [IC_WBINVD] = P_SYS_WBINVD, [IC_INT] = P_INSN_BRANCH,
	[IC_IRET] = P_INSN_BRANCH, [IC_NONE] = P_INSN_ALU,
};

/* The modeled TLB dropped pages [vpn, vpn+n): drop them from the fast TLBs too. */
static void fast_evict(void *opaque, u32 vpn, u32 n)
{
	struct cpu *c = opaque;
	c->unchain = 1;
	for (u32 i = 0; i < n && i < FTLB_SIZE * 2; i++) {
		u32 v = vpn + i, k = v & (FTLB_SIZE - 1);
		for (int p = 0; p < 2; p++) {
			if (c->ftlb[p][k].rtag == v) {
				c->ftlb[p][k].rtag = FTLB_NONE;
				c->ftlb[p][k].wtag = FTLB_NONE;
			}
			if (c->ctlb[p][k].tag == v)
				c->ctlb[p][k].tag = FTLB_NONE;
		}
	}
	if (n > FTLB_SIZE * 2)
		cpu_flush_fast_tlb(c);
}

void cpu_flush_fast_tlb(struct cpu *c)
{
	c->unchain = 1;
	if (c->nfilled <= FTLB_FILLS) {
		/* only the slots filled since the last flush can hold anything; an ftlb
		 * entry's wtag is only ever set with its rtag */
		for (unsigned i = 0; i < c->nfilled; i++) {
			u32 *tag = c->filled[i];
			*tag = FTLB_NONE;
			if ((char *)tag >= (char *)c->ftlb && (char *)tag < (char *)c->ftlb + sizeof(c->ftlb))
				((struct ftlb_entry *)tag)->wtag = FTLB_NONE;
		}
		c->nfilled = 0;
		return;
	}
	for (int p = 0; p < 2; p++)
		for (unsigned i = 0; i < FTLB_SIZE; i++) {
			c->ftlb[p][i].rtag = FTLB_NONE;
			c->ftlb[p][i].wtag = FTLB_NONE;
			c->ctlb[p][i].tag = FTLB_NONE;
		}
	c->nfilled = 0;
}

/* The modeled TLB dropped every entry at once. */
static void fast_evict_all(void *opaque) { cpu_flush_fast_tlb(opaque); }

int cpu_init(struct cpu *c, u8 *ram, u32 ram_size, const struct profile *prof,
	     struct cost *cost, struct stats *stats, struct clock *clock, struct io_bus *io,
	     struct intr_controller *intc)
{
	memset(c, 0, sizeof(*c));
	c->ram = ram;
	c->ram_size = c->mem_size = ram_size;
	c->prof = prof;
	c->cost = cost;
	c->stats = stats;
	c->clock = clock;
	c->io = io;
	c->intc = intc;
	if (intc)
		intc->kick = &c->kick;
	c->budget = UINT64_MAX;
	for (int i = 0; i < IC_COUNT; i++)
		c->cls_cost[i] = (u32)prof->v[class_primitive[i]];
	if (tlb_init(&c->itlb, (unsigned)prof->v[P_TLB_ITLB_ENTRIES], (unsigned)prof->v[P_TLB_ITLB_WAYS]) ||
	    tlb_init(&c->dtlb, (unsigned)prof->v[P_TLB_DTLB_ENTRIES], (unsigned)prof->v[P_TLB_DTLB_WAYS]))
		return -1;
	c->itlb.evict = c->dtlb.evict = fast_evict;
	c->itlb.evict_all = c->dtlb.evict_all = fast_evict_all;
	c->itlb.opaque = c->dtlb.opaque = c;
	c->code_mask = calloc(ram_size >> 12, sizeof(u32));
	c->watch_mask = calloc(ram_size >> 12, sizeof(u32));
	c->bc = block_cache_new();
	if (!c->code_mask || !c->watch_mask || !c->bc)
		return -1;

	struct cpu_counters *n = &c->cnt;
	n->itlb_misses = c->itlb.misses = stats_counter(stats, "tlb.itlb_misses",
		"instruction fetches the modeled ITLB missed: each costs a walk (count)");
	n->dtlb_misses = c->dtlb.misses = stats_counter(stats, "tlb.dtlb_misses",
		"data accesses the modeled DTLB missed (or writes to a clean entry): each costs a walk (count)");
	c->itlb.flushes = stats_counter(stats, "tlb.itlb_flushes",
		"full ITLB flushes: CR3 loads, paging-mode changes, world switches without VPID (count)");
	c->dtlb.flushes = stats_counter(stats, "tlb.dtlb_flushes", "full DTLB flushes (count)");
	n->walk_refs = stats_counter(stats, "mem.walk_refs",
		"memory references of hardware page walks, each charged mem.walk_ref (count)");
	for (int v = 0; v < 32; v++) {
		char name[32], desc[96];
		snprintf(name, sizeof(name), "cpu.exceptions.%d", v);
		snprintf(desc, sizeof(desc), "exceptions of vector %d delivered through the guest's IDT (count)", v);
		n->exceptions[v] = stats_counter(stats, name, desc);
	}
	n->interrupts = stats_counter(stats, "cpu.interrupts", "external interrupts delivered to the guest (count)");
	n->soft_ints = stats_counter(stats, "cpu.soft_ints", "software interrupts (INT n, INT3, INTO) delivered (count)");
	n->blocks_decoded = stats_counter(stats, "cpu.blocks_decoded",
		"guest code blocks decoded into the block cache (a host-side detail) (count)");
	n->blocks_invalidated = stats_counter(stats, "cpu.blocks_invalidated",
		"decoded blocks dropped because the guest wrote their code (count)");
	n->smc_writes = stats_counter(stats, "cpu.smc_writes", "guest writes to memory holding decoded code (count)");
	n->cr3_writes = stats_counter(stats, "cpu.cr3_writes", "CR3 loads executed by the processor (count)");
	n->invlpgs = stats_counter(stats, "cpu.invlpgs", "INVLPG instructions executed by the processor (count)");
	n->exits = stats_counter(stats, "cpu.exits", "exits of every kind the processor took (count)");
	c->nfilled = FTLB_FILLS + 1; /* nothing recorded yet: the first flush clears all */
	cpu_flush_fast_tlb(c);
	cpu_set_cpl(c, 0);
	return 0;
}

int cpu_add_vmm_memory(struct cpu *c, u32 size, u32 win)
{
	u32 pages = (c->ram_size + size) >> 12;
	u32 *code = calloc(pages, sizeof(u32)), *watch = calloc(pages, sizeof(u32));
	if (!code || !watch) {
		free(code);
		free(watch);
		return -1;
	}
	free(c->code_mask);
	free(c->watch_mask);
	c->code_mask = code;
	c->watch_mask = watch;
	c->mem_size = c->ram_size + size;
	c->vmm_win = win;
	block_flush_all(c);
	return 0;
}

void cpu_fini(struct cpu *c)
{
	if (c->mmu && c->mmu->fini)
		c->mmu->fini(c);
	tlb_free(&c->itlb);
	tlb_free(&c->dtlb);
	free(c->code_mask);
	free(c->watch_mask);
	block_cache_free(c->bc);
	c->code_mask = NULL;
	c->watch_mask = NULL;
	c->bc = NULL;
}

static void flat(struct seg *s, u16 sel, bool code)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffffu;
	s->attr = (u16)((code ? 0xb : 0x3) | SEG_S | SEG_P | SEG_DB | SEG_G);
	seg_update_check(s);
}

void cpu_reset_multiboot(struct cpu *c, u32 entry, u32 eax, u32 ebx)
{
	memset(c->r, 0, sizeof(c->r));
	c->r[R_EAX] = eax;
	c->r[R_EBX] = ebx;
	c->eip = entry;
	/* EFLAGS, CR0 and selectors exactly as QEMU's multiboot loader leaves them (QEMU
	 * is the reference machine; a kernel printing them must print the same). */
	c->eflags = FL_1 | FL_PF;
	c->cc_op = CC_EAGER;
	flat(&c->seg[SEG_CS], 0x10, true);
	for (int s = 0; s < 6; s++)
		if (s != SEG_CS)
			flat(&c->seg[s], 0x18, false);
	c->ldtr = (struct seg){ 0 };
	c->tr = (struct seg){ .attr = SEG_P | SYS_TSS32_BUSY, .limit = 0xffff };
	c->gdtr_base = c->idtr_base = 0;
	c->gdtr_limit = c->idtr_limit = 0xffff;
	c->cr0 = CR0_ET | CR0_PE;
	c->cr2 = c->cr3 = c->cr4 = 0;
	c->dr[6] = 0xffff0ff0u;
	c->dr[7] = 0x400;
	cpu_set_cpl(c, 0);
	cpu_flush_fast_tlb(c);
	tlb_flush_all(&c->itlb, false);
	tlb_flush_all(&c->dtlb, false);
}

u32 cpu_get_eflags(struct cpu *c)
{
	cc_materialize(c);
	return c->eflags | FL_1;
}

void cpu_inject_external(struct cpu *c, u8 vector)
{
	cpu_inject(c, vector, false, 0);
	c->inject_ext = 1;
}

enum run_status cpu_emulate(struct cpu *c, struct exit_record *exit, unsigned cpl)
{
	unsigned own = c->cpl;
	if ((cpl == 3) != (own == 3))
		cpl = own; /* memory permissions follow the guest's mode: never cross user/supervisor */
	c->bypass = 1;
	c->step = 1;
	c->cpl = (u8)cpl;
	enum run_status r = cpu_run(c, exit);
	c->bypass = 0;
	c->step = 0;
	if (c->cpl == cpl && cpl != own)
		c->cpl = (u8)own; /* the instruction did not change privilege itself */
	return r;
}

void cpu_inject_vif(struct cpu *c, bool vif) { c->inject_vif = vif ? 2 : 1; }

void cpu_inject(struct cpu *c, u8 vector, bool has_err, u32 err)
{
	c->inject_vif = 0;
	c->inject_ext = 0;
	c->inject_pending = 1;
	c->inject_vec = vector;
	c->inject_has_err = has_err;
	c->inject_err = err;
}

static void record_idt_info(struct cpu *c);

/* The exit in c->exit is complete: name the mechanism that carries it and count it. */
static enum run_status exit_now(struct cpu *c)
{
	u32 r = c->exit->reason;
	c->exit->kind = r == EXIT_BT_CALLOUT ? EXIT_KIND_CALLOUT
		      : r == EXIT_PV_HYPERCALL ? EXIT_KIND_HYPERCALL : c->icpt.kind;
	(*c->cnt.exits)++;
	return RUN_EXIT;
}

/* Leave for the run loop's setjmp with `code`, or for the VMM's guard when no run loop
 * is running (vmm_guard). */
static _Noreturn void jump(struct cpu *c, int code)
{
	if (c->vmm_guard)
		longjmp(*c->vmm_guard, code);
	longjmp(c->jmp, code);
}

_Noreturn void cpu_fault(struct cpu *c, u8 vector, u32 err)
{
	c->pend_vec = vector;
	c->pend_err = err;
	c->pend_eip = c->delivering ? c->fault_eip : c->ip ? cpu_cur(c)->eip : c->eip;
	jump(c, JMP_FAULT);
}

_Noreturn void cpu_page_fault(struct cpu *c, u32 lin, u32 pfec)
{
	/* A #PF that exits (VT-x exception bitmap) leaves the guest's CR2 alone; the
	 * address travels in the exit record, and CR2 is set if it is injected. */
	c->pf_lin = lin;
	if (!(c->icpt.active && (c->icpt.exception_bitmap & (1u << EXC_PF))))
		c->cr2 = lin;
	cpu_fault(c, EXC_PF, pfec);
}

_Noreturn void cpu_exit_event(struct cpu *c)
{
	c->exit->guest_eip = c->delivering ? c->fault_eip : c->ip ? cpu_cur(c)->eip : c->eip;
	record_idt_info(c);
	c->exit->insn_len = 0;
	c->eip = c->exit->guest_eip;
	jump(c, JMP_EXIT);
}

_Noreturn void cpu_exit_insn(struct cpu *c, u32 reason, u32 qual)
{
	const struct insn *in = cpu_cur(c);
	c->exit->reason = reason;
	c->exit->qualification = qual;
	c->exit->guest_eip = in->eip;
	c->exit->insn_len = in->len;
	c->eip = in->eip; /* the guest stops before the instruction */
	jump(c, JMP_EXIT);
}

_Noreturn void cpu_unimplemented(struct cpu *c, const char *what)
{
	u32 eip = c->ip ? cpu_cur(c)->eip : c->eip;
	snprintf(c->shutdown_reason, sizeof(c->shutdown_reason), "%s at EIP %#010x", what, eip);
	jump(c, JMP_ERROR);
}

/* The end of the running block's records: after the one running if cpu_end_block
 * cut the block there, else the block's sentinel. */
static const struct insn *block_rest_end(const struct cpu *c)
{
	return c->cut ? c->ip + 1 : c->blk->insn + c->blk->n;
}

/* Undo the counts and base costs of the block's instructions from the current one
 * (which did not complete) to the end. */
static void refund_tail(struct cpu *c)
{
	if (!c->ip)
		return;
	const struct insn *in = c->ip, *end = block_rest_end(c);
	u64 cycles = 0, n = 0;
	for (; in < end; in++) {
		cycles += block_insn_cost(c, in);
		n++;
	}
	c->insns -= n;
	c->cost->now -= cycles;
	c->ip = NULL;
}

void cpu_end_block(struct cpu *c, u32 eip)
{
	u64 cycles = 0, n = 0;
	for (const struct insn *in = c->ip + 1, *end = block_rest_end(c); in < end; in++) {
		cycles += block_insn_cost(c, in);
		n++;
	}
	c->insns -= n;
	c->cost->now -= cycles;
	c->cut = 1;
	c->eip = eip;
}

static bool contributory(u8 v)
{
	return v == EXC_DE || (v >= EXC_TS && v <= EXC_GP);
}

/* A fault unwound to cpu_run: deliver it (or combine it, or exit). Returns true and
 * sets *out when cpu_run must return. */
/* Record the event being delivered in the exit's IDT-vectoring information (an exit
 * during delivery: the VMM fixes the cause and re-injects the event). */
static void record_idt_info(struct cpu *c)
{
	c->exit->idt_info = 0;
	if (!c->delivering)
		return;
	/* SDM types: 0 external interrupt, 3 hardware exception, 4 software interrupt,
	 * 5 privileged software exception (INT1); 4 and 5 re-execute their instruction */
	u32 type = c->deliver_kind == TRAP_EXT ? 0 : c->deliver_kind == TRAP_SOFT ? 4 : c->deliver_kind == TRAP_ICE ? 5 : 3;
	c->exit->idt_info = IDT_INFO_VALID | c->deliver_vec | (type << 8) |
			    (c->deliver_has_err ? IDT_INFO_HAS_ERR : 0);
	c->exit->idt_err = c->deliver_err;
	c->delivering = 0;
}

static bool handle_fault(struct cpu *c, enum run_status *out)
{
	u8 vec = c->pend_vec;
	u32 err = c->pend_err, eip = c->pend_eip;
	refund_tail(c);
	if (c->delivering && c->icpt.active && (c->icpt.exception_bitmap >> vec & 1))
		record_idt_info(c); /* the VMM sees the fault; no double-fault combination */
	if (c->delivering) {
		u8 prev = c->deliver_vec;
		bool prev_exc = c->deliver_kind == TRAP_EXC;
		c->delivering = 0;
		if (prev_exc && prev == EXC_DF) {
			if (c->fault_chain_len < 3)
				c->fault_chain[c->fault_chain_len++] = vec;
			if (c->icpt.active) {
				c->exit->reason = EXIT_TRIPLE_FAULT;
				c->exit->guest_eip = eip;
				*out = exit_now(c);
				return true;
			}
			c->fault_eip = eip;
			snprintf(c->shutdown_reason, sizeof(c->shutdown_reason),
				 "triple fault at EIP %#010x", eip);
			*out = RUN_SHUTDOWN;
			return true;
		}
		if (prev_exc && ((contributory(prev) && contributory(vec)) ||
				 (prev == EXC_PF && (vec == EXC_PF || contributory(vec))))) {
			vec = EXC_DF;
			err = 0;
		}
	} else {
		c->fault_chain_len = 0;
	}
	if (c->fault_chain_len < 3)
		c->fault_chain[c->fault_chain_len++] = vec;
	if (c->icpt.active && (c->icpt.exception_bitmap >> vec & 1)) {
		c->eip = eip; /* the guest stops at the faulting instruction */
		c->exit->reason = EXIT_EXCEPTION_NMI;
		c->exit->vector = vec;
		c->exit->error_code = err;
		c->exit->guest_eip = eip;
		c->exit->linear = vec == EXC_PF ? c->pf_lin : 0;
		c->exit->qualification = c->exit->linear;
		c->exit->insn_len = 0;
		c->delivering = 0;
		*out = exit_now(c);
		return true;
	}
	c->eip = eip;
	trap_deliver(c, vec, TRAP_EXC, exc_has_error(vec), err, eip, eip);
	return false;
}

/* The checks of a block boundary, in their architectural order, for when one of them
 * may be due (see run_blocks): timers, the stop request, the budget, interrupt exits
 * and delivery. Returns true and sets *out when cpu_run must return; otherwise sets
 * *single when the next block must be one instruction alone (TF, STI/MOV SS, a step). */
static bool boundary(struct cpu *c, enum run_status *out, bool *single)
{
	struct exit_record *exit = c->exit;
	if (clock_due(c->clock))
		clock_run_due(c->clock);
	if (c->stop) {
		*out = RUN_STOP;
		return true;
	}
	if (c->insns >= c->budget) {
		*out = RUN_BUDGET;
		return true;
	}
	bool guest_mode = c->icpt.active && !c->step;
	if (guest_mode && (c->icpt.ctl & ICPT_EXT_INT) && c->intc->intr) {
		/* external-interrupt exiting with acknowledge-on-exit: the exit happens
		 * whatever the guest's IF; the VMM injects when the guest can take it */
		exit->reason = EXIT_EXTERNAL_INTERRUPT;
		exit->guest_eip = c->eip;
		exit->vector = c->intc->ack(c->intc->opaque);
		*out = exit_now(c);
		return true;
	}
	if (guest_mode && (c->icpt.ctl & ICPT_INTR_WINDOW) && (c->eflags & FL_IF) && !c->inhibit) {
		exit->reason = EXIT_INTERRUPT_WINDOW;
		exit->guest_eip = c->eip;
		*out = exit_now(c);
		return true;
	}
	if (c->intc->intr && (c->eflags & FL_IF) && !c->inhibit && !c->step) {
		u8 v = c->intc->ack(c->intc->opaque);
		trap_deliver(c, v, TRAP_EXT, false, 0, c->eip, c->eip);
	}
	*single = c->inhibit || (c->eflags & FL_TF) || c->step;
	return false;
}

/* The checks after a block that ran with TF set or with attention raised: the
 * single-step trap, a handler's request to return, the end of a step. Returns true and
 * sets *out when cpu_run must return. */
static bool after_block(struct cpu *c, bool tf, enum run_status *out)
{
	struct exit_record *exit = c->exit;
	c->cut = 0;
	if (tf && !c->event_delivered) {
		c->dr[6] |= 0x4000; /* BS: single step */
		if (c->icpt.active && (c->icpt.exception_bitmap >> EXC_DB & 1)) {
			/* an intercepted #DB exits like every other exception (a VMM
			 * delivering the guest's events itself must see it) */
			exit->reason = EXIT_EXCEPTION_NMI;
			exit->vector = EXC_DB;
			exit->error_code = 0;
			exit->guest_eip = c->eip;
			exit->qualification = 0x4000;
			exit->insn_len = 0;
			*out = exit_now(c);
			return true;
		}
		trap_deliver(c, EXC_DB, TRAP_EXC, false, 0, c->eip, c->eip);
	}
	if (c->req) {
		*out = (enum run_status)(c->req - 1);
		c->req = 0;
		return true;
	}
	if (c->step) {
		*out = RUN_STEP;
		return true;
	}
	return false;
}

/* The block to run at CS:EIP after `prev` (NULL if none, or if cpu.unchain says the
 * translation may have changed since it started): its chained successor, or the
 * cache's, then chained to prev unless the lookup itself changed something. Clears
 * cpu.unchain: the block returned starts afresh. */
static inline struct block *next_block(struct cpu *c, struct block *prev)
{
	struct block *b;
	if (prev && (b = block_chained(prev, c->eip)))
		return b;
	b = block_find(c);
	if (prev && !c->unchain)
		block_link(c, prev, b);
	c->unchain = 0;
	return b;
}

/* Run block `b`: charge its base cost and count its instructions in one add each,
 * then its records. */
static inline void run_block(struct cpu *c, struct block *b)
{
	c->blk = b;
	cost_guest(c->cost, b->cost);
	c->insns += b->n;
	c->eip = b->fall_eip;
	/* c->ip is the record running (cpu_cur); each handler runs the next one (exec.h,
	 * threaded dispatch) up to the block's sentinel, unless cpu_end_block cuts the
	 * block short */
	c->ip = b->insn;
	b->insn->fn(c, b->insn);
	c->ip = NULL;
}

/* The boundary when one of its conditions may be due: the checks in their order,
 * then the block to run (one instruction alone if TF, STI/MOV SS or a step says so).
 * Returns NULL and sets *out when cpu_run must return. */
static __attribute__((noinline)) struct block *checked_block(struct cpu *c, struct block *prev,
							     enum run_status *out)
{
	bool single;
	if (boundary(c, out, &single))
		return NULL;
	if (c->unchain)
		prev = NULL;
	struct block *b;
	if (single) {
		b = block_single(c);
		c->unchain = 0;
	} else {
		b = next_block(c, prev);
	}
	c->inhibit = 0;
	c->event_delivered = 0;
	/* the boundary stays checked while a condition the common path does not test holds */
	c->kick = c->intc->intr || (c->eflags & FL_TF) || (c->icpt.ctl & ICPT_INTR_WINDOW);
	return b;
}

/* The loop over blocks, apart from cpu_run so that its setjmp does not pin this
 * function's state to the stack (a fault longjmps past it; it keeps nothing of its own
 * that must survive one: chaining starts afresh). Between blocks, one test covers every
 * rarely true condition: a due timer, the budget, and the requests overlaid on
 * c->attention, among them cpu.kick, which stands for a pending interrupt line, TF and
 * an interrupt-window intercept; only then does checked_block() look at them one by
 * one. */
static __attribute__((noinline)) enum run_status run_blocks(struct cpu *c)
{
	const struct clock *clk = c->clock;
	const u64 *now = &clk->cost->now; /* modeled time as the clock reads it */
	struct block *prev = NULL; /* the block that just ran, for chaining (block.h) */
	enum run_status r;
	for (;;) {
		struct block *b;
		if (__builtin_expect(*now >= clock_next_deadline(clk) || c->insns >= c->budget ||
				     c->attention, 0)) {
			if (!(b = checked_block(c, prev, &r)))
				return r;
			bool tf = c->eflags & FL_TF;
			prev = b;
			run_block(c, b);
			if ((tf || c->attention) && after_block(c, tf, &r))
				return r;
			continue;
		}
		b = next_block(c, prev);
		prev = b;
		run_block(c, b);
		if (__builtin_expect(c->attention, 0) && after_block(c, false, &r))
			return r;
	}
}

enum run_status cpu_run(struct cpu *c, struct exit_record *exit)
{
	enum run_status r;
	c->exit = exit;
	exit->idt_info = 0; /* no interrupted event unless an exit records one */
	switch (setjmp(c->jmp)) {
	case 0:
		break;
	case JMP_FAULT:
		c->bypass = c->step = 0; /* a faulting step ends with the fault's delivery */
		if (handle_fault(c, &r))
			return r;
		break;
	case JMP_EXIT:
		c->bypass = c->step = 0;
		c->delivering = 0;
		refund_tail(c);
		return exit_now(c);
	default:
		c->ip = NULL;
		return RUN_ERROR;
	}
	if (c->inject_pending) {
		c->inject_pending = 0;
		u8 vif = c->inject_vif;
		u32 keep = c->eflags & FL_IF;
		c->inject_vif = 0;
		if (vif) /* the frame carries the VMM's virtual IF (cpu_inject_vif) */
			c->eflags = (c->eflags & ~FL_IF) | (vif == 2 ? FL_IF : 0);
		trap_deliver(c, c->inject_vec, c->inject_ext ? TRAP_EXT : TRAP_EXC, c->inject_has_err,
			     c->inject_err, c->eip, c->eip);
		if (vif)
			c->eflags = (c->eflags & ~FL_IF) | keep;
	}
	c->kick = 1; /* the VMM may have changed EFLAGS, the intercepts or the INTR pin */
	c->cut = 0;
	return run_blocks(c);
}
