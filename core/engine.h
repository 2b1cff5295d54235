/*
 * engine.h — the interface of CPU engines (DESIGN §5): how a virtualization technique
 * runs the guest on the machine.
 *
 * An engine configures the processor's intercept controls when it starts (like a VMM
 * filling in a VMCS: which instructions, exceptions, software interrupts and ports
 * leave the guest, and by which mechanism, enum exit_kind) and handles the exits
 * cpu_run() returns, with the shared VMM layer (vmm/vmm.h). The run loop (core/vm.c)
 * charges each exit's transition by its kind before the handler runs; the handler
 * charges the VMM's software by the operations it performs and returns a verdict the
 * loop acts on. Nothing recurses: a handler never runs guest code itself.
 *
 * The seam, as bt and pv will use it:
 *   - ops: init, fini, handle_exit (a verdict), code_written (optional);
 *   - declared needs, checked in one place (core/config.c): the MMUs it runs with;
 *   - hooks into execution: intercepted INT n leave with their own exit reason and
 *     kind (icpt.softint: pv's hypercall gate, bt's callouts), VMCALL (ICPT_VMCALL),
 *     exceptions by bitmap at any CPL (te's #GP from a privileged instruction at CPL 1),
 *     emulation at a virtual CPL (vmm_emulate_at), writes to guest pages holding
 *     code the engine derived something from (cpu_watch_code + code_written: a
 *     translation cache's invalidation), and memory of the engine's own that the
 *     machine runs code from through a window at the top of the linear space
 *     (vmm_kb: where a translation cache lives).
 *
 * NULL ops mean "nothing to do": `native` intercepts nothing and never sees an exit.
 */
#ifndef RINGLAB_ENGINE_H
#define RINGLAB_ENGINE_H

#include <stddef.h>

#include "exit.h"

struct vm;

/* What handle_exit tells the run loop. */
enum engine_verdict {
	ENGINE_RESUME,     /* the exit was handled; run the guest again */
	ENGINE_EMULATE,    /* execute the exited instruction once on the VMM's behalf
			    * (cpu_emulate), then run the guest */
	ENGINE_EMULATE_PT, /* the same for a write to a guest page table the MMU engine
			    * protects; its after_emulate resynchronises once it completed */
	ENGINE_STOP,       /* stop the run (vm->status and vm->reason say why) */
};

struct engine_ops {
	const char *name;
	const char *help; /* one line for `bench list` */
	/* The MMU engines it runs with, NULL-terminated (checked by core/config.c). */
	const char *const *mmus;
	/* KB of the VMM's own memory (a multiple of 4), mapped at the top of the linear
	 * space for CPL 0-2 and reachable by no guest frame (cpu_add_vmm_memory): where a
	 * VMM living in the guest's address space keeps its code, data, descriptor tables
	 * and translation cache (vm->vmm_mem). 0: none. */
	unsigned vmm_kb;
	/* Prepare the engine for `vm` (intercepts, private state). Returns 0, or -1
	 * with one line in err. */
	int (*init)(struct vm *vm, char *err, size_t errlen);
	void (*fini)(struct vm *vm);
	enum engine_verdict (*handle_exit)(struct vm *vm, struct exit_record *e);
	/* Optional: an instruction emulated at its request has completed (the engine
	 * resynchronises what the instruction may have changed: a GDT, a TSS). */
	void (*after_emulate)(struct vm *vm);
	/* Hooks into execution: code the engine writes into its memory is run by the
	 * machine like any other (decoded, cached, charged per instruction); after
	 * rewriting some, it calls block_invalidate_write() on it (core/block.h). */
	/* The guest wrote [pa, pa+len) on a page the engine asked to watch
	 * (cpu_watch_code): drop what was derived from it (translations). */
	void (*code_written)(struct vm *vm, u32 pa, unsigned len);
};

/* Find an engine by name, or NULL. */
const struct engine_ops *engine_find(const char *name);

/* The registered engines, NULL-terminated (for listings). */
extern const struct engine_ops *const engine_registry[];

#endif
