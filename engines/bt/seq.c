/*
 * seq.c — the bt engine's inline sequences (tc.h tells each): CLI, STI, PUSHF, POPF
 * on the virtual IF, POP GS of the selector GS holds, SGDT from the VMM's copy of the
 * guest's GDTR. The translator emits them (tc_emit_seq, tc_emit_sgdt) after a block's
 * IDENT bytes, before its slot; an exit from inside one is made precise here
 * (bt_seq_fixup): the guest's state rolled back to before its instruction, or forward
 * past it once it has taken effect. Emission and fix-up are kept side by side because
 * each fix-up reads the offsets its emission lays down.
 */
#include <string.h>

#include "core/flags.h"
#include "tc.h"
#include "vmm/guestmem.h"

/* mov %ecx,%gs:S_ECX; mov %gs:PEND,%ecx; jecxz 1f; int $0x83; 1: mov %gs:S_ECX,%ecx */
static u8 *emit_pending(u8 *t)
{
	t = tc_gs_mov(t, false, 1, BT_S_ECX);
	t = tc_gs_mov(t, true, 1, BT_PEND);
	*t++ = 0xe3, *t++ = 2;
	*t++ = 0xcd, *t++ = BT_CALLOUT_VEC;
	return tc_gs_mov(t, true, 1, BT_S_ECX);
}

/* movl $imm,%gs:off */
static u8 *gs_movl_imm(u8 *t, u32 off, u32 imm)
{
	*t++ = 0x65, *t++ = 0xc7, *t++ = 0x05;
	return tc_put32(tc_put32(t, off), imm);
}

/* SGDT m (guest bytes g[0..len), prefixes first) as two stores of the VMM's copy of the
 * guest's GDTR through the guest's own operand, with a scratch register R the operand
 * does not use (tc.h):
 *   mov %R,%gs:S_EAX; mov %gs:VGDTR,%R; mov %R,m; mov %gs:VGDTR+4,%R; mov %R16,m+4;
 *   mov %gs:S_EAX,%R
 * Returns the length; R goes in k->cc. */
unsigned tc_emit_sgdt(u8 *t0, struct bt_block *k, const u8 *g)
{
	bool o16, gs;
	unsigned i = tc_prefixes(g, k->len, &o16, &gs);
	int used = tc_sgdt_regs(g, k->len, i);
	unsigned r = 0;
	while (used >> r & 1)
		r++;
	k->cc = (u8)r;
	u8 m = g[i + 2], mod = m >> 6, rm = m & 7;
	unsigned ea = i + 3 + (rm == 4 ? 1u : 0u); /* after modrm and SIB: the displacement */
	bool abs32 = mod == 0 && (rm == 5 || (rm == 4 && (g[i + 3] & 7) == 5));
	s32 disp = mod == 1 ? (s32)(int8_t)g[ea] : (mod == 2 || abs32) ? (s32)(g[ea] | g[ea + 1] << 8 | g[ea + 2] << 16 | (u32)g[ea + 3] << 24) : 0;
	u8 *t = t0;
	t = tc_gs_mov(t, false, r, BT_S_EAX);
	t = tc_gs_mov(t, true, r, BT_VGDTR);
	for (unsigned pass = 0; pass < 2; pass++) {
		s32 d = disp + (pass ? 4 : 0);
		memcpy(t, g, i); /* the guest's segment prefixes */
		t += i;
		if (pass)
			*t++ = 0x66;
		u8 nmod = abs32 ? 0 : (d == 0 && mod == 0) ? 0 : (d >= -128 && d <= 127) ? 1 : 2;
		if (!abs32 && rm == 5 && nmod == 0)
			nmod = 1; /* [EBP] has no mod-0 form */
		*t++ = 0x89;
		*t++ = (u8)(nmod << 6 | r << 3 | rm);
		if (rm == 4)
			*t++ = g[i + 3];
		if (abs32 || nmod == 2)
			t = tc_put32(t, (u32)d);
		else if (nmod == 1)
			*t++ = (u8)d;
		if (!pass)
			t = tc_gs_mov(t, true, r, BT_VGDTR + 4);
	}
	return (unsigned)(tc_gs_mov(t, true, r, BT_S_EAX) - t0);
}

/* Emit the inline sequence of block `k` (CLI, STI, PUSHF, POPF, POP GS; tc.h), before
 * its slot; returns its length, which is tc_slot0(k). */
unsigned tc_emit_seq(u8 *t0, const struct bt_block *k)
{
	u8 *t = t0;
	switch (k->kind) {
	case BK_CLI:
		t = gs_movl_imm(t, BT_VIF, 0);
		break;
	case BK_STI:
		t = gs_movl_imm(t, BT_VIF, FL_IF);
		t = emit_pending(t);
		break;
	case BK_PUSHF:
		*t++ = 0x9c;                                       /* pushfl */
		t = tc_gs_mov(t, false, 0, BT_S_EAX);
		t = tc_gs_mov(t, false, 1, BT_S_ECX);
		*t++ = 0x8b, *t++ = 0x04, *t++ = 0x24;             /* mov (%esp),%eax */
		t = tc_gs_mov(t, true, 1, BT_VIF);
		*t++ = 0x8d, *t++ = 0x84, *t++ = 0x08;             /* lea -0x200(%eax,%ecx),%eax */
		t = tc_put32(t, (u32)-(s32)FL_IF);
		*t++ = 0x89, *t++ = 0x04, *t++ = 0x24;             /* mov %eax,(%esp) */
		t = tc_gs_mov(t, true, 1, BT_S_ECX);
		t = tc_gs_mov(t, true, 0, BT_S_EAX);
		break;
	case BK_POPF:
		t = tc_gs_mov(t, false, 0, BT_S_EAX);
		*t++ = 0x8b, *t++ = 0x04, *t++ = 0x24;             /* mov (%esp),%eax */
		*t++ = 0xa9, t = tc_put32(t, FL_TF | FL_IOPL);        /* test $0x3100,%eax */
		*t++ = 0x75, *t++ = (u8)(SEQ_POPF_CALLOUT - 16);   /* jnz 2f */
		*t++ = 0x25, t = tc_put32(t, FL_IF);                  /* and $0x200,%eax */
		*t++ = 0x74, *t++ = 10;                            /* jz 1f */
		*t++ = 0x65, *t++ = 0x83, *t++ = 0x3d;             /* cmpl $0,%gs:PEND */
		t = tc_put32(t, BT_PEND);
		*t++ = 0;
		*t++ = 0x75, *t++ = (u8)(SEQ_POPF_CALLOUT - 33);   /* jne 2f */
		t = tc_gs_mov(t, false, 0, BT_VIF);                   /* 1: */
		t = tc_gs_mov(t, true, 0, BT_S_EAX);
		*t++ = 0x9d;                                       /* popfl */
		break;
	case BK_POPGS:
		t = tc_gs_mov(t, false, 0, BT_S_EAX);
		t = tc_gs_mov(t, false, 1, BT_S_ECX);
		*t++ = 0x0f, *t++ = 0xb7, *t++ = 0x04, *t++ = 0x24; /* movzwl (%esp),%eax */
		t = tc_gs_mov(t, true, 1, BT_VGSNEG);
		*t++ = 0x8d, *t++ = 0x0c, *t++ = 0x08;             /* lea (%eax,%ecx),%ecx */
		*t++ = 0xe3, *t++ = 2;                             /* jecxz 1f */
		*t++ = 0xcd, *t++ = BT_CALLOUT_VEC;                /* another selector */
		*t++ = 0x8d, *t++ = 0x64, *t++ = 0x24, *t++ = 0x04; /* 1: lea 4(%esp),%esp */
		t = tc_gs_mov(t, true, 1, BT_S_ECX);
		t = tc_gs_mov(t, true, 0, BT_S_EAX);
		break;
	default:
		break;
	}
	return (unsigned)(t - t0);
}

/* An exit `t` bytes into the inline sequence of block `k` (tc.h) other than its callout:
 * make the guest's state what it was before the instruction (EIP stays at it), or, once
 * the instruction has taken effect, what it is after it (EIP past it). An instruction
 * of the sequence at offset o has run if t > o. */
void bt_seq_fixup(struct bt *b, const struct bt_block *k, u32 t)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	u32 x = k->geip + k->ident, w;
	if (t == 0)
		return;
	(*b->seq_fixups)++;
	switch (k->kind) {
	case BK_STI: /* done once its store ran; the pending check saved ECX at 11 */
		if (t > SEQ_CLI_LEN)
			memcpy(&c->r[R_ECX], vm->vmm_mem + BT_S_ECX, 4);
		c->eip = x + k->len;
		break;
	case BK_PUSHF: /* done once pushfl ran: the VMM writes the guest's EFLAGS */
		w = bt_guest_eflags(b) & ~(FL_RF | FL_VM);
		vmm_guest_write(vm, bt_stack_lin(c, c->r[R_ESP]), &w, 4);
		if (t > 1)
			memcpy(&c->r[R_EAX], vm->vmm_mem + BT_S_EAX, 4);
		if (t > 7)
			memcpy(&c->r[R_ECX], vm->vmm_mem + BT_S_ECX, 4);
		c->eip = x + k->len;
		break;
	case BK_POPF:
		memcpy(&c->r[R_EAX], vm->vmm_mem + BT_S_EAX, 4); /* saved at 0 */
		if (t <= 9)
			break; /* back: nothing but EAX changed */
		/* forward (the flags are the sequence's until popfl): the VMM performs it */
		if ((t < SEQ_POPF_LEN || t == SEQ_POPF_CALLOUT) &&
		    vmm_guest_read(vm, bt_stack_lin(c, c->r[R_ESP]), &w, 4)) {
			bt_set_guest_eflags(b, w, 4);
			c->r[R_ESP] += 4;
		}
		c->eip = x + k->len;
		break;
	case BK_POPGS: /* back until the pop, forward after it */
		memcpy(&c->r[R_EAX], vm->vmm_mem + BT_S_EAX, 4);
		if (t > 6)
			memcpy(&c->r[R_ECX], vm->vmm_mem + BT_S_ECX, 4);
		if (t > SEQ_POPGS_CALLOUT + 2)
			c->eip = x + k->len;
		break;
	case BK_SGDT: /* back (stores again when run again): the scratch register */
		memcpy(&c->r[k->cc], vm->vmm_mem + BT_S_EAX, 4);
		break;
	default: /* CLI: one instruction */
		break;
	}
}

