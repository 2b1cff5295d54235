/*
 * vm.h — one virtual machine: the simulated PC (RAM, devices, processor, cost
 * accountant and counters) run by one CPU engine and one MMU engine, on one profile.
 *
 * vm_create() builds the PC, loads the kernel with the multiboot loader, and lets the
 * engine configure the processor; vm_run() is the common run loop (DESIGN §3): it
 * drives cpu_run(), hands exits to the engine, idles through HLT to the next timer
 * event, and ends with a vm_status. Markers executed by the guest are recorded as
 * snapshots of every counter, so that measurements are deltas between them.
 */
#ifndef RINGLAB_VM_H
#define RINGLAB_VM_H

#include <stdio.h>

#include "clock.h"
#include "cost.h"
#include "cpu.h"
#include "engine.h"
#include "io.h"
#include "mmu.h"
#include "profile.h"
#include "stats.h"

/* The marker protocol (DESIGN §3): xchg %bx,%bx with EAX = code, EDX = argument. */
#define MARK_BEGIN 0x524C0001u
#define MARK_END 0x524C0002u

struct vm_config {
	const char *kernel;      /* multiboot kernel file */
	const char *kernel_name; /* the name the guest sees first on its command line
				  * (default: the path, as QEMU does; bench run uses the
				  * file's base name so that results do not depend on where
				  * the checkout lives) */
	const char *cmdline;     /* its command line ("" if none) */
	const char *disk;        /* ATA disk image, or NULL */
	const char *profile;     /* profile name or path (default "p4-2006") */
	const char *profile_dir; /* where profile names are looked up */
	const char *engine;      /* "native" */
	const struct engine_ops *engine_ops; /* tests: this engine instead of `engine`'s */
	const char *mmu;         /* "direct" */
	u64 max_insns;           /* 0: no limit */
	u32 ram_mb;              /* guest RAM in MiB (default 128) */
	FILE *console;           /* where the UART's output goes (default stdout) */
	unsigned trace_exits;    /* print the first N exits on stderr */
	/* Optional: told of every exit once it has been handled, with the modeled cycles
	 * handling it cost (transition, VMM work, the emulation it asked for) and whether
	 * it happened inside a measured region (between a begin and an end marker): what
	 * bench trace shows. */
	void (*on_exit)(void *opaque, const struct exit_record *e, u64 cycles, bool measured);
	void *on_exit_opaque;
};

enum vm_status {
	VM_EXITED,     /* the guest wrote to the exit port: exit_code holds (v<<1)|1 */
	VM_HALTED,     /* HLT with interrupts disabled: the guest can never continue */
	VM_IDLE,       /* halted, and no interrupt can ever wake it */
	VM_SHUTDOWN,   /* triple fault */
	VM_BUDGET,     /* the instruction budget ran out */
	VM_ERROR,      /* the guest used an unimplemented feature */
	VM_VMM_FAILED, /* the VMM could not make progress (a bug of ringlab's, never the host's end) */
};

/* Exits in a row without the guest retiring an instruction (same EIP, same ECX: a REP
 * string instruction makes progress by its count) before the run is declared stuck. */
#define VM_MAX_STALLED_EXITS 10000

/* Marker snapshots kept per run; later markers are counted in vm.marks_dropped. */
#define VM_MAX_MARKS 4096

/* A marker snapshot: every counter and cycle category at that point of the run. */
struct vm_mark {
	u32 code, arg;
	u64 insns;
	struct cost cost;
	u64 *counters; /* STATS_MAX values, in the order of vm->stats */
};

struct vm_devices; /* devices.h */

struct vm {
	struct vm_config cfg;
	struct profile prof;
	u8 *ram;
	u32 ram_size;
	u8 *vmm_mem;            /* the engine's own memory (engine_ops.vmm_kb), or NULL */
	u32 vmm_size, vmm_win;  /* its size, and the linear base of its window */
	struct cost cost;
	struct stats stats;
	struct clock clock;
	struct io_bus io;
	struct vm_devices *dev;
	struct cpu cpu;
	const struct engine_ops *engine;
	void *engine_state;
	struct exit_record exit;
	int emulate_cpl;        /* the CPL the next ENGINE_EMULATE runs at (-1: the guest's own) */
	enum vm_status status;
	int exit_code;          /* VM_EXITED: the status QEMU would exit with */
	char reason[200];       /* VM_SHUTDOWN / VM_ERROR / VM_HALTED: one line */
	struct vm_mark *marks;
	unsigned nmarks, cap_marks;
	u64 *exits_by_reason[EXIT_REASON_MAX]; /* counters "exits.NAME", made on first use */
	u64 *exit_cycles[EXIT_REASON_MAX]; /* "exit_cycles.NAME": modeled cycles of handling them */
	unsigned traced;        /* exits printed so far (cfg.trace_exits) */
	bool measuring;         /* between a begin and an end marker */
	u64 *marks_dropped;
};

/* Build the machine described by `cfg` and load its kernel. Returns the vm, or NULL
 * with one line in `err` (missing or bad kernel, unknown profile/engine/MMU...). */
struct vm *vm_create(const struct vm_config *cfg, char *err, size_t errlen);

/* Run the guest to the end; returns (and stores in vm->status) why it ended. */
enum vm_status vm_run(struct vm *vm);

void vm_destroy(struct vm *vm);

/* The guest halted (HLT, natively or emulated by an engine): let modeled time pass
 * until an interrupt is pending. Returns false (with vm->status set) if it can never
 * continue. */
bool vm_halt(struct vm *vm);

/* Count one exit of `reason` (counter exits.NAME, so markers snapshot it too). */
void vm_count_exit(struct vm *vm, u32 reason);

/* A short name of a status ("exited", "triple-fault", ...). */
const char *vm_status_name(enum vm_status s);

#endif
