/*
 * operand.h — reading and writing instruction operands, and the stack.
 *
 * Handlers see operands through these inline helpers: registers by width (the 8-bit
 * registers AL..BH are bytes 0 and 1 of EAX..EBX), the ModRM operand (register or
 * memory through the instruction's segment), and pushes and pops on SS (32- or 16-bit
 * stack pointer by SS.B). A push writes memory before it moves ESP, so a fault leaves
 * ESP unchanged, as on hardware.
 */
#ifndef RINGLAB_OPERAND_H
#define RINGLAB_OPERAND_H

#include "insn.h"
#include "mem.h"

static inline u32 reg_get(const struct cpu *c, unsigned r, unsigned size)
{
	if (size == 4)
		return c->r[r];
	if (size == 2)
		return c->r[r] & 0xffff;
	return r < 4 ? c->r[r] & 0xff : (c->r[r - 4] >> 8) & 0xff;
}

static inline void reg_set(struct cpu *c, unsigned r, unsigned size, u32 v)
{
	if (size == 4)
		c->r[r] = v;
	else if (size == 2)
		c->r[r] = (c->r[r] & 0xffff0000u) | (v & 0xffff);
	else if (r < 4)
		c->r[r] = (c->r[r] & 0xffffff00u) | (v & 0xff);
	else
		c->r[r - 4] = (c->r[r - 4] & 0xffff00ffu) | ((v & 0xff) << 8);
}

/* Read the ModRM operand of `size` bytes. */
static inline u32 rm_read(struct cpu *c, const struct insn *in, unsigned size)
{
	if (in->flags & IF_MEM)
		return seg_read(c, in->seg, insn_ea(c, in), size);
	return reg_get(c, in->rm, size);
}

/* Write the ModRM operand. */
static inline void rm_write(struct cpu *c, const struct insn *in, unsigned size, u32 v)
{
	if (in->flags & IF_MEM)
		seg_write(c, in->seg, insn_ea(c, in), size, v);
	else
		reg_set(c, in->rm, size, v);
}

static inline bool stack32(const struct cpu *c) { return c->seg[SEG_SS].attr & SEG_DB; }

static inline u32 sp_get(const struct cpu *c) { return stack32(c) ? c->r[R_ESP] : c->r[R_ESP] & 0xffff; }

static inline void sp_set(struct cpu *c, u32 v)
{
	if (stack32(c))
		c->r[R_ESP] = v;
	else
		c->r[R_ESP] = (c->r[R_ESP] & 0xffff0000u) | (v & 0xffff);
}

/* Push `size` bytes. */
static inline void push(struct cpu *c, unsigned size, u32 v)
{
	u32 sp = sp_get(c) - size;
	if (!stack32(c))
		sp &= 0xffff;
	seg_write(c, SEG_SS, sp, size, v);
	sp_set(c, sp);
}

/* Pop `size` bytes. */
static inline u32 pop(struct cpu *c, unsigned size)
{
	u32 sp = sp_get(c);
	u32 v = seg_read(c, SEG_SS, sp, size);
	sp_set(c, sp + size);
	return v;
}

/* Read the value `off` bytes above the stack top without popping. */
static inline u32 stack_peek(struct cpu *c, u32 off, unsigned size)
{
	u32 sp = sp_get(c) + off;
	if (!stack32(c))
		sp &= 0xffff;
	return seg_read(c, SEG_SS, sp, size);
}

#endif
