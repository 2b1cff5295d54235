/*
 * cpu_bare.h — a bare processor, without a test framework: 16 MB of RAM, a profile
 * whose every cost is 1 (TLB 64 entries, 4 ways), an empty port bus, no interrupt
 * controller, the direct MMU, reset as multiboot leaves it with EIP at `entry`. The
 * unit tests' fixture (cpu_fixture.h) and the decoder's libFuzzer target build on it.
 */
#ifndef RINGLAB_TEST_CPU_BARE_H
#define RINGLAB_TEST_CPU_BARE_H

#include <stdlib.h>

#include "core/block.h"
#include "core/cpu.h"
#include "core/mmu.h"

#define FX_RAM (16u << 20)

struct fx {
	u8 *ram;
	struct profile prof;
	struct cost cost;
	struct stats stats;
	struct clock clock;
	struct io_bus io;
	struct intr_controller intc;
	struct cpu cpu;
	struct exit_record exit;
};

/* Free a processor made by fx_bare, or half made (NULL is allowed; cpu_fini accepts
 * a zeroed or failed cpu_init). */
static inline void fx_free(struct fx *f)
{
	if (!f)
		return;
	cpu_fini(&f->cpu);
	free(f->ram);
	free(f);
}

/* A new bare processor with EIP at `entry`, or NULL if the host could not make one. */
static inline struct fx *fx_bare(u32 entry)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f || !(f->ram = calloc(1, FX_RAM))) {
		fx_free(f);
		return NULL;
	}
	for (int i = 0; i < P_COUNT; i++)
		f->prof.v[i] = 1;
	f->prof.v[P_HZ] = 1000000000;
	f->prof.v[P_TLB_ITLB_ENTRIES] = f->prof.v[P_TLB_DTLB_ENTRIES] = 64;
	f->prof.v[P_TLB_ITLB_WAYS] = f->prof.v[P_TLB_DTLB_WAYS] = 4;
	clock_init(&f->clock, &f->cost, f->prof.v[P_HZ]);
	io_bus_init(&f->io, &f->cost, &f->stats);
	if (cpu_init(&f->cpu, f->ram, FX_RAM, &f->prof, &f->cost, &f->stats, &f->clock, &f->io,
		     &f->intc)) {
		fx_free(f);
		return NULL;
	}
	f->cpu.mmu = mmu_find("direct");
	cpu_reset_multiboot(&f->cpu, entry, 0, 0);
	return f;
}

#endif
