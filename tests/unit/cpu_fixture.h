/*
 * cpu_fixture.h — a bare processor for unit tests: 16 MB of RAM, a profile whose every
 * cost is 1 (TLB 64 entries, 4 ways), an empty port bus, no interrupt controller, and
 * helpers to place machine code at 0x1000 and run it until HLT.
 *
 * Code is given as bytes (the encodings are the point of the decode tests).
 */
#ifndef RINGLAB_TEST_CPU_FIXTURE_H
#define RINGLAB_TEST_CPU_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/block.h"
#include "core/cpu.h"
#include "core/flags.h"
#include "core/mmu.h"

#define FX_RAM (16u << 20)
#define FX_CODE 0x1000u

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

static inline struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->ram = calloc(1, FX_RAM);
	for (int i = 0; i < P_COUNT; i++)
		f->prof.v[i] = 1;
	f->prof.v[P_HZ] = 1000000000;
	f->prof.v[P_TLB_ITLB_ENTRIES] = f->prof.v[P_TLB_DTLB_ENTRIES] = 64;
	f->prof.v[P_TLB_ITLB_WAYS] = f->prof.v[P_TLB_DTLB_WAYS] = 4;
	clock_init(&f->clock, &f->cost, f->prof.v[P_HZ]);
	io_bus_init(&f->io, &f->cost, &f->stats);
	assert_int_equal(cpu_init(&f->cpu, f->ram, FX_RAM, &f->prof, &f->cost, &f->stats,
				  &f->clock, &f->io, &f->intc), 0);
	f->cpu.mmu = mmu_find("direct");
	cpu_reset_multiboot(&f->cpu, FX_CODE, 0, 0);
	f->cpu.r[R_ESP] = 0x8000;
	return f;
}

static inline void fx_free(struct fx *f)
{
	cpu_fini(&f->cpu);
	free(f->ram);
	free(f);
}

/* Copy `n` code bytes to FX_CODE followed by HLT, and point EIP there. */
static inline void fx_code(struct fx *f, const u8 *code, size_t n)
{
	memcpy(f->ram + FX_CODE, code, n);
	f->ram[FX_CODE + n] = 0xf4;
	block_flush_all(&f->cpu); /* the host wrote code behind the CPU's back */
	f->cpu.eip = FX_CODE;
}

/* Run until HLT (or another stop); return the status. */
static inline enum run_status fx_run(struct fx *f)
{
	f->cpu.budget = f->cpu.insns + 100000;
	return cpu_run(&f->cpu, &f->exit);
}

#define FX_CODE_RUN(f, ...)                                                  \
	do {                                                                 \
		static const u8 code_[] = { __VA_ARGS__ };                   \
		fx_code((f), code_, sizeof(code_));                          \
		assert_int_equal(fx_run(f), RUN_HLT);                        \
	} while (0)

#endif
