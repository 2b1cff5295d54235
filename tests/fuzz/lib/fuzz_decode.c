/*
 * fuzz_decode.c — libFuzzer target for the instruction decoder (core/decode.c).
 *
 * The input is guest code. A bare processor like the unit tests' cpu_fixture.h (16 MB
 * of RAM, every cost 1, the direct MMU, flat protected mode, paging off) is built once;
 * each input is copied into RAM so that its middle sits on a page boundary, CS's limit
 * is set to its last byte, and the bytes are decoded one instruction after another,
 * first with a 32-bit and then with a 16-bit code segment, until the input is used up.
 * Fetching past the limit or a 16th byte raises #GP, which unwinds with longjmp to here
 * (as it would to cpu_run()) and the decoder resumes one byte further on.
 *
 * Besides the sanitizers, every record must be well formed: a handler, the length the
 * decoder returned (1..15), register numbers and a segment in range, an operand size
 * of 1, 2 or 4, a cost class below IC_COUNT. Executing the records is out of scope (the
 * guest-side fuzzer does that).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/block.h"
#include "core/cpu.h"
#include "core/insn.h"
#include "core/mmu.h"
#include "tests/fuzz/lib/fuzz.h"
#include "tests/unit/cpu_bare.h"

#define MID 0x10000u /* the input's middle lands here: a page boundary */
#define MAX_IN 0x8000u

static struct fx *fx;

static void fx_init(void)
{
	fx = fx_bare(MID);
	if (!fx || !fx->cpu.mmu)
		abort();
	fx->cpu.exit = &fx->exit;
}

static void check(const struct insn *in, unsigned len, u32 eip)
{
	CHECK(len >= 1 && len <= 15 && len == in->len, "decode_insn: length 1..15, as recorded");
	CHECK(in->eip == eip && in->fn, "decode_insn: a handler and the instruction's EIP");
	CHECK(in->reg <= REG_NONE && in->rm <= REG_NONE && in->base <= REG_NONE &&
		      in->index <= REG_NONE && in->scale <= 3 && in->seg <= 5,
	      "decode_insn: register, scale and segment numbers in range");
	CHECK(in->osize == 1 || in->osize == 2 || in->osize == 4, "decode_insn: operand size 1, 2 or 4");
	CHECK(in->cls < IC_COUNT && in->ext <= 1, "decode_insn: a cost class below IC_COUNT");
}

/* Decode [start, end] with default size def32; a fault skips one byte. */
static void decode_all(u32 start, u32 end, bool def32)
{
	struct cpu *c = &fx->cpu;
	volatile u32 eip = start;
	volatile unsigned faults = 0;
	c->seg[SEG_CS].base = 0;
	c->seg[SEG_CS].limit = end;
	c->ip = NULL; /* not inside a block: a fault reports c->eip */
	c->delivering = 0;
	if (setjmp(c->jmp)) {
		/* #GP (limit, length) or #PF raised by a fetch: resume after the byte */
		faults = faults + 1;
		eip = eip + 1;
	}
	while (eip <= end) {
		struct insn in;
		unsigned len = decode_insn(c, eip, def32, &in);
		check(&in, len, eip);
		eip = eip + len;
	}
	(void)faults;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fx)
		fx_init();
	if (size == 0 || size > MAX_IN)
		return 0;
	u32 start = MID - (u32)size / 2;
	memset(fx->ram + start - 16, 0xcc, size + 32);
	memcpy(fx->ram + start, data, size);
	u32 end = start + (u32)size - 1;
	decode_all(start, end, true);
	decode_all(start, end, false);
	return 0;
}
