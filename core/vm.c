/*
 * vm.c — building a virtual machine and the common run loop every engine shares.
 *
 * The run loop is kvmtool's: call cpu_run(), then one switch over why it returned.
 * An exit is counted, its transition charged by its kind (exit_transition: the machine
 * knows what a VMX exit, a callout, a hypercall or a trap into the VMM costs), and
 * handed to the engine, whose verdict the loop carries out: resume the guest, execute
 * the exited instruction once on the VMM's behalf (which may itself exit: that exit is
 * handled by this same loop, never by recursion), or stop. A VMM that keeps exiting
 * without the guest making progress ends the run with a reason instead of spinning.
 * HLT with interrupts enabled idles to the next timer deadline (charged to `idle`)
 * until an interrupt is pending; the exit port, a triple fault, the budget or an
 * unimplemented feature end the run with a status and a one-line reason.
 */
#include "vm.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "config.h"
#include "loader.h"
#include "machine.h"

const char *vm_status_name(enum vm_status s)
{
	switch (s) {
	case VM_EXITED: return "exited";
	case VM_HALTED: return "halted";
	case VM_IDLE: return "idle-forever";
	case VM_SHUTDOWN: return "triple-fault";
	case VM_BUDGET: return "budget";
	case VM_ERROR: return "unimplemented";
	case VM_VMM_FAILED: return "vmm-failure";
	}
	return "?";
}

/* Record a marker snapshot (the processor's marker callback). */
static void on_marker(void *opaque, u32 code, u32 arg)
{
	struct vm *vm = opaque;
	if (code != MARK_BEGIN && code != MARK_END)
		return;
	vm->measuring = code == MARK_BEGIN;
	if (vm->nmarks >= VM_MAX_MARKS) {
		if (!vm->marks_dropped)
			vm->marks_dropped = stats_counter(&vm->stats, "vm.marks_dropped",
							  "measurement markers beyond the first 4096, not recorded (count)");
		(*vm->marks_dropped)++;
		return;
	}
	if (vm->nmarks == vm->cap_marks) {
		unsigned cap = vm->cap_marks ? vm->cap_marks * 2 : 16;
		struct vm_mark *m = realloc(vm->marks, cap * sizeof(*m));
		if (!m)
			return;
		vm->marks = m;
		vm->cap_marks = cap;
	}
	struct vm_mark *m = &vm->marks[vm->nmarks];
	m->counters = calloc(STATS_MAX, sizeof(u64)); /* counters made later start at 0 */
	if (!m->counters)
		return;
	m->code = code;
	m->arg = arg;
	/* The marker instruction itself has retired and been charged; that is the same
	 * for every configuration, so deltas are unaffected. */
	m->insns = vm->cpu.insns;
	m->cost = vm->cost;
	stats_snapshot(&vm->stats, m->counters);
	vm->nmarks++;
}

/* The guest wrote code the engine watches (cpu_watch_code). */
static void on_code_written(void *opaque, u32 pa, unsigned len)
{
	struct vm *vm = opaque;
	if (vm->engine->code_written)
		vm->engine->code_written(vm, pa, len);
}

void vm_count_exit(struct vm *vm, u32 reason)
{
	if (reason >= EXIT_REASON_MAX)
		return;
	if (vm->traced < vm->cfg.trace_exits) {
		const struct exit_record *e = &vm->exit;
		vm->traced++;
		fprintf(stderr, "exit %u: %-18s eip %#010x len %u qual %#x", vm->traced, exit_reason_name(reason),
			e->guest_eip, e->insn_len, e->qualification);
		if (reason == EXIT_IO_INSTRUCTION)
			fprintf(stderr, " (port %#x %s%s)", e->qualification >> 16, (e->qualification & 8) ? "in" : "out",
				(e->qualification & 16) ? " string" : "");
		else if (reason == EXIT_EXCEPTION_NMI)
			fprintf(stderr, " (vector %u err %#x addr %#x)", e->vector, e->error_code, e->linear);
		else if (reason == EXIT_CR_ACCESS)
			fprintf(stderr, " (CR%u %s value %#x)", e->qualification & 15,
				((e->qualification >> 4) & 3) == 1 ? "read" : "write", e->value);
		else if (reason == EXIT_EPT_VIOLATION)
			fprintf(stderr, " (gpa %#llx)", (unsigned long long)e->gpa);
		else if (reason == EXIT_INVLPG)
			fprintf(stderr, " (address %#x)", e->linear);
		fprintf(stderr, "\n");
	}
	if (!vm->exits_by_reason[reason]) {
		char name[STATS_NAME_MAX], desc[STATS_DESC_MAX];
		snprintf(name, sizeof(name), "exits.%s", exit_reason_name(reason));
		snprintf(desc, sizeof(desc), "exits to the VMM with reason %s: %s (count)", exit_reason_name(reason),
			 exit_reason_help(reason));
		vm->exits_by_reason[reason] = stats_counter(&vm->stats, name, desc);
	}
	(*vm->exits_by_reason[reason])++;
}

/* Guest RAM (and the VMM's memory after it): zero pages the host gives only when first
 * touched, in 2 MB pages where transparent huge pages allow (a guest that frees all its
 * memory at boot, as ours does, then costs 64 host page faults, not 32768). */
static u8 *ram_alloc(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, n, MADV_HUGEPAGE); /* advice: ignored where the host has no THP */
#endif
	return p;
}

static void ram_free(u8 *p, size_t n)
{
	if (p)
		munmap(p, n);
}

struct vm *vm_create(const struct vm_config *cfg, char *err, size_t errlen)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	if (!vm) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	vm->cfg = *cfg;
	vm->emulate_cpl = -1;
	vm->engine = cfg->engine_ops ? cfg->engine_ops : engine_find(cfg->engine);
	if (!vm->engine) {
		config_check(cfg->engine, cfg->mmu, NULL, NULL, err, errlen); /* says why */
		goto fail;
	}
	if (config_check_ops(vm->engine, cfg->mmu, NULL, NULL, err, errlen))
		goto fail;
	const struct mmu_ops *mmu = mmu_find(cfg->mmu);
	if (profile_load_named(&vm->prof, cfg->profile_dir, cfg->profile, err, errlen) ||
	    config_check_ops(vm->engine, cfg->mmu, &vm->prof, cfg->profile_dir, err, errlen))
		goto fail;
	vm->ram_size = (cfg->ram_mb ? cfg->ram_mb : 128) << 20;
	vm->vmm_size = (vm->engine->vmm_kb << 10) & ~0xfffu;
	vm->vmm_win = 0u - vm->vmm_size;
	vm->ram = ram_alloc((size_t)vm->ram_size + vm->vmm_size);
	if (!vm->ram) {
		snprintf(err, errlen, "cannot allocate %u MiB of guest RAM", vm->ram_size >> 20);
		goto fail;
	}
	clock_init(&vm->clock, &vm->cost, vm->prof.v[P_HZ]);
	io_bus_init(&vm->io, &vm->cost, &vm->stats);
	vm->io.emulate_cost = (u32)vm->prof.v[P_VMM_IO];
	if (machine_attach_devices(vm, err, errlen))
		goto fail;
	if (cpu_init(&vm->cpu, vm->ram, vm->ram_size, &vm->prof, &vm->cost, &vm->stats,
		     &vm->clock, &vm->io, machine_intc(vm))) {
		snprintf(err, errlen, "profile %s: impossible TLB geometry", vm->prof.name);
		goto fail;
	}
	if (vm->vmm_size) {
		if (cpu_add_vmm_memory(&vm->cpu, vm->vmm_size, vm->vmm_win)) {
			snprintf(err, errlen, "cannot allocate the VMM's memory");
			goto fail;
		}
		vm->vmm_mem = vm->ram + vm->ram_size;
	}
	machine_connect_cpu(vm);
	vm->cpu.mmu = mmu;
	vm->cpu.code_written = on_code_written;
	vm->cpu.code_written_opaque = vm;
	vm->cpu.marker = on_marker;
	vm->cpu.marker_opaque = vm;
	if (mmu->init && mmu->init(&vm->cpu)) {
		snprintf(err, errlen, "MMU %s failed to start", mmu->name);
		goto fail;
	}

	struct boot_info bi;
	/* QEMU's multiboot command line: the kernel's name, then the arguments */
	char *full = malloc(strlen(cfg->kernel) + strlen(cfg->cmdline ? cfg->cmdline : "") + 2);
	if (!full) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	const char *name = cfg->kernel_name ? cfg->kernel_name : cfg->kernel;
	sprintf(full, "%s%s%s", name, cfg->cmdline && *cfg->cmdline ? " " : "", cfg->cmdline ? cfg->cmdline : "");
	int lrc = loader_load(vm->ram, vm->ram_size, cfg->kernel, full, NULL, 0, &bi, err, errlen);
	free(full);
	if (lrc)
		goto fail;
	cpu_reset_multiboot(&vm->cpu, bi.entry, bi.magic, bi.mbi);
	if (cfg->max_insns)
		vm->cpu.budget = cfg->max_insns;
	if (vm->engine->init && vm->engine->init(vm, err, errlen))
		goto fail;
	return vm;
fail:
	vm_destroy(vm);
	return NULL;
}

/* The guest executed HLT with interrupts enabled: let modeled time pass until an
 * interrupt is pending. Returns false if none ever can be. */
static bool idle(struct vm *vm)
{
	struct cpu *c = &vm->cpu;
	for (unsigned events = 0; !c->intc->intr; events++) {
		u64 next = clock_next_deadline(&vm->clock);
		if (next == CLOCK_NEVER || events > 1000000)
			return false;
		if (next > vm->cost.now)
			cost_charge(&vm->cost, COST_IDLE, next - vm->cost.now);
		clock_run_due(&vm->clock);
		if (c->stop)
			return true;
	}
	return true;
}

bool vm_halt(struct vm *vm)
{
	struct cpu *c = &vm->cpu;
	if (!(c->eflags & FL_IF)) {
		snprintf(vm->reason, sizeof(vm->reason), "halted with interrupts disabled at EIP %#010x",
			 c->eip - 1);
		vm->status = VM_HALTED;
		return false;
	}
	if (!idle(vm)) {
		snprintf(vm->reason, sizeof(vm->reason), "halted at EIP %#010x and no interrupt can wake it",
			 c->eip - 1);
		vm->status = VM_IDLE;
		return false;
	}
	return true;
}

/* Count the exit in vm->exit, charge its transition, and hand it to the engine. */
static enum engine_verdict dispatch(struct vm *vm)
{
	u32 reason = vm->exit.reason;
	vm_count_exit(vm, reason);
	if (!vm->engine->handle_exit) {
		snprintf(vm->reason, sizeof(vm->reason), "engine %s cannot handle exit %s",
			 vm->engine->name, exit_reason_name(reason));
		vm->status = VM_ERROR;
		return ENGINE_STOP;
	}
	exit_transition(&vm->cpu, &vm->exit);
	/* The VMM runs outside the machine's run loop: a fault or exit the machine raises
	 * while it does (reading guest memory through the processor, say) is a VMM bug,
	 * reported as one, never a longjmp into the loop that has returned. */
	jmp_buf guard;
	if (setjmp(guard)) {
		vm->cpu.vmm_guard = NULL;
		snprintf(vm->reason, sizeof(vm->reason),
			 "VMM bug: the machine faulted inside the %s VMM's handling of %s (EIP %#010x)",
			 vm->engine->name, exit_reason_name(reason), vm->cpu.eip);
		vm->status = VM_VMM_FAILED;
		return ENGINE_STOP;
	}
	vm->cpu.vmm_guard = &guard;
	enum engine_verdict v = vm->engine->handle_exit(vm, &vm->exit);
	vm->cpu.vmm_guard = NULL;
	return v;
}

/* Add `cycles` to exit_cycles.NAME of exit `e`'s reason: what handling it cost, from
 * its transition to the end of the emulation it asked for (an exit the emulation
 * itself takes is accounted to its own reason); and tell cfg.on_exit. */
static void account(struct vm *vm, const struct exit_record *e, u64 cycles)
{
	u32 reason = e->reason;
	if (vm->cfg.on_exit)
		vm->cfg.on_exit(vm->cfg.on_exit_opaque, e, cycles, vm->measuring);
	if (reason >= EXIT_REASON_MAX)
		return;
	if (!vm->exit_cycles[reason]) {
		char name[STATS_NAME_MAX], desc[STATS_DESC_MAX];
		snprintf(name, sizeof(name), "exit_cycles.%s", exit_reason_name(reason));
		snprintf(desc, sizeof(desc), "handling %s exits: transition, VMM work and the emulation asked for (modeled cycles)",
			 exit_reason_name(reason));
		vm->exit_cycles[reason] = stats_counter(&vm->stats, name, desc);
	}
	*vm->exit_cycles[reason] += cycles;
}

/* Execute the exited instruction once on the VMM's behalf (verdict `v`); a write to a
 * guest page table is followed by the MMU's resynchronisation once it completed. */
static enum run_status emulate(struct vm *vm, enum engine_verdict v)
{
	struct cpu *c = &vm->cpu;
	unsigned cpl = vm->emulate_cpl >= 0 ? (unsigned)vm->emulate_cpl : c->cpl;
	vm->emulate_cpl = -1;
	memset(&vm->exit, 0, sizeof(vm->exit));
	enum run_status r = cpu_emulate(c, &vm->exit, cpl);
	if (r == RUN_STEP && v == ENGINE_EMULATE_PT && c->mmu->after_emulate)
		c->mmu->after_emulate(c);
	if (r == RUN_STEP && vm->engine->after_emulate)
		vm->engine->after_emulate(vm);
	return r;
}

/* Progress of the guest across exits: the last (instructions retired, EIP, ECX). */
struct progress {
	u64 insns;
	u32 eip, ecx;
	unsigned stalled;
};

/* Has the guest been exiting again and again without moving? */
static bool stuck(struct vm *vm, struct progress *p)
{
	const struct cpu *c = &vm->cpu;
	if (c->insns != p->insns || c->eip != p->eip || c->r[R_ECX] != p->ecx) {
		*p = (struct progress){ c->insns, c->eip, c->r[R_ECX], 0 };
		return false;
	}
	if (++p->stalled < VM_MAX_STALLED_EXITS)
		return false;
	snprintf(vm->reason, sizeof(vm->reason),
		 "VMM made no progress: %u exits in a row at EIP %#010x without the guest retiring an instruction (last: %s)",
		 p->stalled, c->eip, exit_reason_name(vm->exit.reason));
	vm->status = VM_VMM_FAILED;
	return true;
}

enum vm_status vm_run(struct vm *vm)
{
	struct cpu *c = &vm->cpu;
	struct progress prog = { 0 };
	for (;;) {
		memset(&vm->exit, 0, sizeof(vm->exit));
		enum run_status r = cpu_run(c, &vm->exit);
		while (r == RUN_EXIT) {
			if (stuck(vm, &prog))
				return vm->status;
			struct exit_record e = vm->exit; /* an emulation may take an exit of its own */
			u64 t0 = vm->cost.now;
			enum engine_verdict v = dispatch(vm);
			if (v == ENGINE_STOP) {
				account(vm, &e, vm->cost.now - t0);
				return vm->status;
			}
			r = v == ENGINE_RESUME ? RUN_STEP : emulate(vm, v);
			account(vm, &e, vm->cost.now - t0);
		}
		switch (r) {
		case RUN_EXIT:
		case RUN_STEP:
			break;
		case RUN_HLT:
			if (!vm_halt(vm))
				return vm->status;
			break;
		case RUN_SHUTDOWN: {
			char chain[64] = "";
			size_t n = 0;
			for (int i = 0; i < c->fault_chain_len; i++)
				n += (size_t)snprintf(chain + n, sizeof(chain) - n, "%s#%s",
						      i ? " -> " : "", machine_exc_name(c->fault_chain[i]));
			snprintf(vm->reason, sizeof(vm->reason), "triple fault at EIP %#010x (%s)",
				 c->fault_eip, chain);
			return vm->status = VM_SHUTDOWN;
		}
		case RUN_BUDGET:
			return vm->status = VM_BUDGET;
		case RUN_STOP:
			vm->exit_code = machine_exit_code(vm);
			return vm->status = VM_EXITED;
		case RUN_ERROR:
			snprintf(vm->reason, sizeof(vm->reason), "unimplemented: %s", c->shutdown_reason);
			return vm->status = VM_ERROR;
		}
	}
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	if (vm->engine && vm->engine->fini)
		vm->engine->fini(vm);
	if (vm->cpu.bc)
		cpu_fini(&vm->cpu);
	machine_detach_devices(vm);
	for (unsigned i = 0; i < vm->nmarks; i++)
		free(vm->marks[i].counters);
	free(vm->marks);
	ram_free(vm->ram, (size_t)vm->ram_size + vm->vmm_size);
	free(vm);
}
