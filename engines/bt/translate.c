/*
 * translate.c — guest kernel blocks into the translation cache.
 *
 * The story of one translation: the guest's kernel is about to run at guest EIP G.
 * tc_enter() looks G up (a hash by guest EIP, each block checked against the physical
 * page it was read from whenever the guest's address space may have changed); on a
 * miss it copies the guest's bytes from G to the end of its page (and a few of the
 * next, for an instruction straddling it) into scratch space of the VMM, decodes them
 * one instruction at a time with the machine's own decoder (decode_insn: we only need
 * lengths and opcodes), and classifies each from its bytes: IDENT instructions are
 * copied as they are; the first that is a control transfer or sensitive ends the block
 * with `int $0x83`, a callout whose record (the block's kind, the instruction's guest
 * EIP) the VMM finds from the callout's TC address. The guest pages the block came
 * from are watched (cpu_watch_code): a guest write there flushes the TC.
 *
 * The TC is a bump allocator over the window's memory; when it (or the block table)
 * is full, it is flushed whole (counted bt.tc_flushes). Blocks are therefore sorted by
 * TC address, and a TC address maps back to its block by binary search.
 *
 * Indirect branches (RET, RET imm16, CALL/JMP r/m32) end a block with an inline lookup
 * rather than a callout (tc.h has the sequence): the guest's target T is computed into
 * EAX by the guest's own operand, the instruction's stack effect happens (the guest's
 * stack only ever holds guest return EIPs: a translated CALL pushes the guest's next
 * EIP, so a RET pops a guest EIP), and T is looked up in a direct-mapped table in the
 * VMM's memory indexed by T's low 16 bits, {~T, T's TC address}, reached through %gs,
 * which holds the VMM's data segment while the TC runs (the guest's DS is truncated
 * below the window; bt.c keeps the guest's GS virtual). A hit jumps to the translation
 * without leaving the TC; a miss calls out, and the VMM translates T and fills the
 * entry (bt.lookup_misses). The sequence uses only MOV, MOVZX, LEA and JECXZ, which
 * change no flag, and saves EAX and ECX in VMM scratch slots: the guest sees nothing of
 * it but its cost (the machine's, for its instructions). An exit inside it rolls it
 * back (bt.c, ind_rollback). The table is emptied whenever a chain would be undone
 * (the TC flushed, translated code written, the address space changed).
 *
 * Segment loads: the simplest correct mechanism is the processor's own. The shadow GDT
 * holds the guest's DPL-0 data descriptors at DPL 1 (bt.c, shadow_gdt), so MOV to
 * DS/ES/FS and POP DS/ES/FS are IDENT: at CPL 1 the load succeeds for exactly the
 * selectors the guest may load at CPL 0 (RPL 0, a DPL-0 descriptor; ring-3 ones), takes
 * the same #GP/#NP otherwise, and leaves the guest's selector in the register. The
 * VMM's selectors are past the shadow's limit, so no guest load reaches the window.
 * The one difference: an RPL-1 selector for a DPL-0 descriptor loads (the processor
 * would refuse it at CPL 0); no kernel uses one. SS loads are emulated at virtual CPL 0
 * with those descriptors at DPL 0 again for the instruction (BK_SS); GS loads, and
 * every instruction naming GS, call out (the guest's GS is virtual), but PUSH GS, which
 * the kernel's trap entry runs, pushes the virtual selector inline (BK_PUSHGS).
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "core/block.h"
#include "core/exec.h"
#include "core/fault.h"
#include "core/segment.h"
#include "tc.h"
#include "vmm/guestmem.h"

int tc_init(struct bt *b)
{
	b->blk = calloc(BT_MAX_BLOCKS, sizeof(*b->blk));
	b->tc_pages = calloc((b->vmm.vm->ram_size >> 15) + 1, 1);
	b->chains = calloc(BT_MAX_CHAINS, sizeof(*b->chains));
	b->filled = calloc(BT_LOOKUP_N, sizeof(*b->filled));
	if (!b->blk || !b->tc_pages || !b->chains || !b->filled)
		return -1;
	u32 *tbl = (u32 *)(b->vmm.vm->vmm_mem + BT_LOOKUP);
	for (u32 i = 0; i < BT_LOOKUP_N; i++) /* empty: a key no EIP of this index has */
		tbl[2 * i] = ~(i ^ 1u), tbl[2 * i + 1] = 0;
	for (unsigned i = 0; i < BT_HASH; i++)
		b->hash[i] = -1;
	b->last = -1;
	return 0;
}

void tc_fini(struct bt *b)
{
	free(b->blk);
	free(b->tc_pages);
	free(b->chains);
	free(b->filled);
}

void tc_lookup_fill(struct bt *b, u32 geip, u32 to)
{
	u32 i = geip & (BT_LOOKUP_N - 1);
	u32 *e = (u32 *)(b->vmm.vm->vmm_mem + BT_LOOKUP) + 2 * i;
	if (b->nfilled >= BT_LOOKUP_N)
		tc_lookup_clear(b, UNCHAIN_ALL, 0);
	e[0] = ~geip;
	e[1] = to;
	b->filled[b->nfilled++] = i;
}

/* Does code translated from guest EIP `geip` (a block reads at most BT_READ_MAX bytes)
 * lie on linear page `vpn`? */
static bool on_page(u32 geip, u32 vpn) { return geip >> 12 == vpn || (geip + BT_READ_MAX) >> 12 == vpn; }

void tc_lookup_clear(struct bt *b, enum unchain how, u32 vpn)
{
	struct vm *vm = b->vmm.vm;
	u32 *tbl = (u32 *)(vm->vmm_mem + BT_LOOKUP);
	unsigned kept = 0;
	for (unsigned n = 0; n < b->nfilled; n++) {
		u32 i = b->filled[n];
		int k = how == UNCHAIN_CR3 ? tc_block_at(b, tbl[2 * i + 1] - vm->vmm_win) : -1;
		if ((k >= 0 && b->blk[k].global) || (how == UNCHAIN_PAGE && !on_page(~tbl[2 * i], vpn))) {
			b->filled[kept++] = i;
			continue;
		}
		tbl[2 * i] = ~(i ^ 1u);
		tbl[2 * i + 1] = 0;
	}
	b->nfilled = kept;
}

void tc_flush(struct bt *b)
{
	b->nblk = 0;
	b->tc_used = 0;
	b->nchains = 0;
	for (unsigned i = 0; i < BT_HASH; i++)
		b->hash[i] = -1;
	memset(b->tc_pages, 0, (b->vmm.vm->ram_size >> 15) + 1);
	b->flush_gen++;
	b->flush_pending = false;
	b->last = -1;
	tc_lookup_clear(b, UNCHAIN_ALL, 0);
	(*b->flushes)++;
}

static unsigned hash_of(u32 geip) { return (geip ^ (geip >> 14)) & (BT_HASH - 1); }

int tc_block_at(struct bt *b, u32 off)
{
	int lo = 0, hi = (int)b->nblk - 1, found = -1;
	while (lo <= hi) { /* the last block whose translation starts at or before off */
		int mid = (lo + hi) / 2;
		if (b->blk[mid].tc <= off) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (found < 0 || off >= b->blk[found].tc + b->blk[found].ident + b->blk[found].tail)
		return -1;
	return found;
}

/* The operand's MOV, and the stack effect, of an indirect block's lookup. */
static unsigned ind_op_len(const struct bt_block *k) { return k->kind == BK_RET ? 3u : k->len; }
static unsigned ind_esp_len(const struct bt_block *k) { return k->kind == BK_RET ? 7u : k->kind == BK_ICALL ? 5u : 0u; }

unsigned ind_esp_end(const struct bt_block *k) { return IND_SAVE + ind_op_len(k) + ind_esp_len(k); }
unsigned ind_miss_off(const struct bt_block *k) { return ind_esp_end(k) + 3 + 8 + 4 + 2; }

int tc_slot0(const struct bt_block *k)
{
	switch (k->kind) {
	case BK_JMP: case BK_CONT: return 0;
	case BK_CALL: return BT_SLOT;
	case BK_PUSHGS: return BT_PUSHGS;
	case BK_CLI: return SEQ_CLI_LEN;
	case BK_STI: return SEQ_STI_LEN;
	case BK_PUSHF: return SEQ_PUSHF_LEN;
	case BK_POPF: return SEQ_POPF_LEN;
	case BK_POPGS: return SEQ_POPGS_LEN;
	case BK_SGDT: return k->seq;
	default: return -1;
	}
}

int tc_seq_callout(const struct bt_block *k)
{
	switch (k->kind) {
	case BK_STI: return SEQ_CLI_LEN + SEQ_PEND_CALLOUT;
	case BK_POPF: return SEQ_POPF_CALLOUT;
	case BK_POPGS: return SEQ_POPGS_CALLOUT;
	default: return -1;
	}
}

u32 tc_guest_eip(const struct bt_block *k, u32 off, int *slot)
{
	u32 rel = off - k->tc, x = k->geip + k->ident;
	*slot = -1;
	if (rel < k->ident)
		return k->geip + rel;
	if (bk_indirect(k->kind)) {
		if (rel == k->ident + ind_miss_off(k))
			*slot = -2; /* the miss callout */
		return x;
	}
	int t = (int)(rel - k->ident), s0 = tc_slot0(k);
	if (k->kind == BK_JCC && (t == BT_JCC_SLOT0 || t == BT_JCC_SLOT1)) {
		*slot = t == BT_JCC_SLOT0 ? 0 : 1;
		return tc_slot_target(k, *slot);
	}
	if (t == s0) {
		*slot = 0;
		/* a JMP's slot is the JMP (follow() retires it); after a CALL's push, a PUSH
		 * GS, an inline sequence, the guest is past the instruction */
		return k->kind == BK_JMP || k->kind == BK_CONT ? x : tc_slot_target(k, 0);
	}
	if (t == tc_seq_callout(k) || (t == 0 && s0 < 0 && k->kind != BK_JCC))
		*slot = -2;
	return x; /* inside a sequence: bt.c rolls it back or forward (seq_fixup) */
}

u32 tc_slot_target(const struct bt_block *k, int slot)
{
	u32 x = k->geip + k->ident;
	if (k->kind == BK_JCC)
		return slot == 0 ? x + k->len : k->target;
	if (k->kind == BK_JMP || k->kind == BK_CALL)
		return k->target;
	return k->kind == BK_CONT ? x : x + k->len;
}

static u32 slot_off(const struct bt_block *k, int slot)
{
	if (k->kind == BK_JCC)
		return k->tc + k->ident + (slot ? BT_JCC_SLOT1 : BT_JCC_SLOT0);
	return k->tc + k->ident + (u32)tc_slot0(k);
}

static void write_tc(struct bt *b, u32 off, const u8 *bytes, unsigned n)
{
	struct cpu *c = &b->vmm.vm->cpu;
	memcpy(b->vmm.vm->vmm_mem + off, bytes, n);
	/* the machine's decoded copy of it goes; if it is running, it stops after the
	 * current instruction and goes on from what is there now */
	if (block_invalidate_write(c, c->ram_size + off, n) && c->ip)
		cpu_end_block(c, insn_next(cpu_cur(c)));
}

static const u8 callout_slot[BT_SLOT] = { 0xcd, BT_CALLOUT_VEC, 0x90, 0x90, 0x90 };

#define CHAIN_JCC 0x80000000u   /* a chains[] entry that is a JCC's own target, not a slot */
#define CHAIN_XPAGE 0x40000000u /* ... that leads to another page */
#define CHAIN_GLOBAL 0x20000000u /* ... whose target's code is mapped global */
#define CHAIN_OFF 0x1fffffffu

void tc_chain(struct bt *b, int i, int slot, u32 to)
{
	struct vm *vm = b->vmm.vm;
	const struct bt_block *k = &b->blk[i];
	bool xpage = (tc_slot_target(k, slot) >> 12) != (k->geip >> 12);
	int ti = tc_block_at(b, to - vm->vmm_win);
	u32 flags = (xpage ? CHAIN_XPAGE : 0) | (ti >= 0 && b->blk[ti].global ? CHAIN_GLOBAL : 0);
	if (b->nchains >= BT_MAX_CHAINS)
		return;
	if (k->kind == BK_JCC && slot == 1) {
		/* the taken branch: the JCC itself jumps to the target's translation */
		u32 off = k->tc + k->ident, rel = to - (vm->vmm_win + off + 6);
		u8 r[4] = { (u8)rel, (u8)(rel >> 8), (u8)(rel >> 16), (u8)(rel >> 24) };
		write_tc(b, off + 2, r, 4);
		b->chains[b->nchains++] = off | CHAIN_JCC | flags;
	} else {
		u32 off = slot_off(k, slot), rel = to - (vm->vmm_win + off + 5);
		u8 jmp[5] = { 0xe9, (u8)rel, (u8)(rel >> 8), (u8)(rel >> 16), (u8)(rel >> 24) };
		write_tc(b, off, jmp, 5);
		b->chains[b->nchains++] = off | flags;
	}
	(*b->chained)++;
}

/* The guest EIP the chain at `e` (a chains[] entry) leads to, or ~0u. */
static u32 chain_target(struct bt *b, u32 e)
{
	int i = tc_block_at(b, e & CHAIN_OFF);
	if (i < 0)
		return ~0u;
	const struct bt_block *k = &b->blk[i];
	if (e & CHAIN_JCC)
		return k->target;
	int slot;
	tc_guest_eip(k, e & CHAIN_OFF, &slot);
	return slot >= 0 ? tc_slot_target(k, slot) : ~0u;
}

void tc_unchain(struct bt *b, enum unchain how, u32 vpn)
{
	static const u8 to_slot1[4] = { BT_JCC_SLOT1 - BT_JCC_SLOT0, 0, 0, 0 };
	unsigned kept = 0;
	for (unsigned i = 0; i < b->nchains; i++) {
		u32 e = b->chains[i], off = e & CHAIN_OFF;
		if ((how != UNCHAIN_ALL && !(e & CHAIN_XPAGE)) || (how == UNCHAIN_CR3 && (e & CHAIN_GLOBAL)) ||
		    (how == UNCHAIN_PAGE && !on_page(chain_target(b, e), vpn))) {
			b->chains[kept++] = e;
			continue;
		}
		if (e & CHAIN_JCC)
			write_tc(b, off + 2, to_slot1, 4);
		else
			write_tc(b, off, callout_slot, BT_SLOT);
	}
	b->nchains = kept;
	tc_lookup_clear(b, how, vpn); /* a lookup skips tc_enter()'s check as a chain does */
}

/* Skip the prefixes at p[0..n); returns their count. */
unsigned tc_prefixes(const u8 *p, unsigned n, bool *o16, bool *gs)
{
	unsigned i = 0;
	*o16 = *gs = false;
	while (i < n && i < 14) {
		u8 x = p[i];
		if (x == 0x66)
			*o16 = true;
		else if (x == 0x65)
			*gs = true;
		else if (!(x == 0x67 || x == 0xf0 || x == 0xf2 || x == 0xf3 || x == 0x26 || x == 0x2e ||
			   x == 0x36 || x == 0x3e || x == 0x64 || x == 0x65))
			break;
		i++;
	}
	return i;
}

/* The registers SGDT's memory operand at p[i..len) (i: after its prefixes) uses as base
 * and index (a bit each), or -1 if the inline translation does not handle it (16-bit
 * operand or address size, a register operand). */
int tc_sgdt_regs(const u8 *p, unsigned len, unsigned i)
{
	for (unsigned k = 0; k < i; k++)
		if (p[k] == 0x66 || p[k] == 0x67)
			return -1;
	if (i + 3 > len)
		return -1;
	u8 m = p[i + 2], mod = m >> 6, rm = m & 7;
	if (mod == 3)
		return -1;
	if (rm != 4)
		return mod == 0 && rm == 5 ? 0 : 1 << rm;
	if (i + 4 > len)
		return -1;
	u8 sib = p[i + 3], base = sib & 7, index = (sib >> 3) & 7;
	return (index != 4 ? 1 << index : 0) | (mod == 0 && base == 5 ? 0 : 1 << base);
}

static bool sgdt_inline(const u8 *p, unsigned len, unsigned i) { return tc_sgdt_regs(p, len, i) >= 0; }

/* Classify the instruction at p[0..len) (guest EIP `eip`): -1 if IDENT (it means the
 * same at CPL 1 in the TC as at CPL 0 in place), else the kind of callout that ends the
 * block, with the branch target or vector filled in `out`. */
static int classify(const u8 *p, unsigned len, u32 eip, const struct insn *in, struct bt_block *out)
{
	bool o16, gs;
	unsigned i = tc_prefixes(p, len, &o16, &gs);
	if (in->fn == h_ud || i >= len)
		return BK_EMULATE; /* its emulation raises #UD where the guest expects it */
	if (gs)
		return BK_EMULATE; /* GS is the VMM's while the TC runs: the guest's is virtual */
	for (unsigned k = 0; k < i; k++)
		if (p[k] == 0x2e)
			return BK_EMULATE; /* CS is the VMM's flat code segment in the TC: a CS
					    * override is emulated with the guest's own CS */
	u8 op = p[i];
	u8 reg = i + 1 < len ? (p[i + 1] >> 3) & 7 : 0;
	u32 next = eip + len;
	out->osize = o16 ? 2 : 4;
	if (op == 0x0f) {
		u8 op2 = i + 1 < len ? p[i + 1] : 0;
		reg = i + 2 < len ? (p[i + 2] >> 3) & 7 : 0;
		if (op2 >= 0x80 && op2 <= 0x8f) {
			if (o16)
				return BK_EMULATE;
			u32 rel = (u32)p[i + 2] | (u32)p[i + 3] << 8 | (u32)p[i + 4] << 16 | (u32)p[i + 5] << 24;
			out->cc = op2 & 15;
			out->target = next + rel;
			return BK_JCC;
		}
		if (op2 == 0xb2)
			return BK_SS; /* LSS */
		if (op2 == 0xa1)
			return -1; /* POP FS: IDENT, as MOV */
		if (op2 == 0xa8)
			return o16 ? BK_EMULATE : BK_PUSHGS;
		if (op2 == 0xa9)
			return o16 ? BK_EMULATE : BK_POPGS;
		if ((op2 >= 0x40 && op2 <= 0x4f) || (op2 >= 0x90 && op2 <= 0x9f) || op2 == 0xa0 ||
		    op2 == 0xa3 || op2 == 0xa4 || op2 == 0xa5 || (op2 >= 0xab && op2 <= 0xaf) ||
		    op2 == 0xb0 || op2 == 0xb1 || op2 == 0xb3 || op2 == 0xb6 || op2 == 0xb7 ||
		    (op2 >= 0xba && op2 <= 0xbf) || op2 == 0xc0 || op2 == 0xc1 || op2 == 0xc7 ||
		    (op2 >= 0xc8 && op2 <= 0xcf))
			return -1; /* cmov, setcc, push fs, bit ops, shld/shrd, imul, cmpxchg,
				    * movzx/movsx, bsf/bsr, xadd, cmpxchg8b, bswap */
		if (op2 == 0x00 && (reg == 4 || reg == 5))
			return BK_DESC; /* VERR, VERW */
		if (op2 == 0x01 && reg == 0) /* SGDT: inline from the VMM's copy of the guest's GDTR */
			return sgdt_inline(p, len, i) ? BK_SGDT : BK_DESC;
		if ((op2 == 0x00 && (reg == 0 || reg == 1)) || (op2 == 0x01 && (reg == 1 || reg == 4)))
			return -1; /* SLDT, STR, SIDT, SMSW: IDENT. The processor's LDTR, TR (the
				    * guest's selector: its LTR is emulated on the shadow GDT), IDTR
				    * (the guest's: the VMM's events never use it) and CR0 are what
				    * the guest loaded, and no CR4.UMIP makes them fault at CPL 1 */
		if (op2 == 0x02 || op2 == 0x03)
			return BK_DESC; /* LAR, LSL */
		if (op2 == 0x22 || (op2 == 0x01 && (reg == 6 || reg == 7)))
			return BK_MMU; /* MOV to CRn, LMSW, INVLPG */
		return BK_EMULATE; /* the rest of 0F: privileged, sensitive, or unknown */
	}
	switch (op) {
	case 0x17: /* POP SS */
		return BK_SS;
	case 0x8e:
		/* MOV to ES, DS, FS: IDENT (the shadow's kernel data descriptors are DPL 1);
		 * to SS: emulated; to GS: the guest's is virtual; to CS: #UD */
		return reg == 0 || reg == 3 || reg == 4 ? -1 : reg == 2 ? BK_SS : BK_EMULATE;
	case 0x07: case 0x1f:            /* POP ES/DS: IDENT, as MOV */
		return -1;
	case 0x0e:                       /* PUSH CS */
	case 0xc4: case 0xc5:            /* LES, LDS */
	case 0x6c: case 0x6d: case 0x6e: case 0x6f: /* INS, OUTS */
	case 0xe0: case 0xe1: case 0xe2: case 0xe3: /* LOOPcc, JECXZ */
		return BK_EMULATE;
	case 0xc2: case 0xc3:  /* RET */
		if (o16)
			return BK_EMULATE;
		out->target = op == 0xc2 ? (u32)p[i + 1] | (u32)p[i + 2] << 8 : 0;
		return BK_RET;
	case 0xe8:
		if (o16)
			return BK_EMULATE;
		out->target = next + ((u32)p[i + 1] | (u32)p[i + 2] << 8 | (u32)p[i + 3] << 16 | (u32)p[i + 4] << 24);
		return BK_CALL;
	case 0x8c:
		return reg == 1 || reg == 5 ? BK_EMULATE : -1; /* MOV from CS, GS reveals the VMM's selector */
	case 0x9a: case 0xea:
		return BK_FAR;
	case 0x9c: return o16 ? BK_PUSHF_CO : BK_PUSHF;
	case 0x9d: return o16 ? BK_POPF_CO : BK_POPF;
	case 0xe4: case 0xe5: case 0xe6: case 0xe7: /* IN/OUT with an immediate port */
		out->target = p[i + 1];
		out->cc = op;
		return BK_IO;
	case 0xec: case 0xed: case 0xee: case 0xef: /* IN/OUT through DX */
		out->cc = op;
		return BK_IO;
	case 0xca: case 0xcb:
		out->target = op == 0xca ? (u32)p[i + 1] | (u32)p[i + 2] << 8 : 0;
		return BK_LRET;
	case 0xcf: return BK_IRET;
	case 0xcc: out->cc = 3; return BK_INT;
	case 0xcd: out->cc = p[i + 1]; return BK_INT;
	case 0xce: out->cc = 4; return BK_INT;
	case 0xf1: out->cc = 1; return BK_INT;
	case 0xf4: return BK_HLT;
	case 0xfa: return BK_CLI;
	case 0xfb: return BK_STI;
	case 0xe9: case 0xeb:
		if (o16)
			return BK_EMULATE;
		out->target = next + (op == 0xeb ? (u32)(s32)(int8_t)p[i + 1]
						 : ((u32)p[i + 1] | (u32)p[i + 2] << 8 | (u32)p[i + 3] << 16 | (u32)p[i + 4] << 24));
		return BK_JMP;
	case 0xff:
		if (reg == 3 || reg == 5)
			return BK_FAR;
		if ((reg == 2 || reg == 4) && o16)
			return BK_EMULATE;
		return reg == 2 ? BK_ICALL : reg == 4 ? BK_IJMP : -1; /* indirect CALL, JMP */
	}
	if (op >= 0x70 && op <= 0x7f) {
		if (o16)
			return BK_EMULATE;
		out->cc = op & 15;
		out->target = next + (u32)(s32)(int8_t)p[i + 1];
		return BK_JCC;
	}
	return -1; /* arithmetic, moves, loads and stores, string ops, stack ops of GPRs... */
}

/* Decode the instruction at guest EIP `eip`, whose bytes are in the scratch at offset
 * `eip - base`, with the machine's decoder. Returns its length, or 0 if decoding it
 * faulted (more than 15 bytes). */
static unsigned decode_scratch(struct bt *b, u32 base, u32 eip, struct insn *in)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	struct seg cs = c->seg[SEG_CS];
	u8 cpl = c->cpl;
	struct ftlb_entry *ft = c->ft;
	struct ctlb_entry *ct = c->ct;
	jmp_buf saved;
	memcpy(saved, c->jmp, sizeof(saved));
	/* the VMM's view: CS maps guest EIPs onto the scratch copy, at CPL 0 */
	c->seg[SEG_CS].base = vm->vmm_win + BT_SCRATCH - base;
	c->seg[SEG_CS].limit = 0xffffffffu;
	c->cpl = 0;
	c->ft = c->ftlb[0];
	c->ct = c->ctlb[0];
	volatile unsigned len = 0;
	jmp_buf *guard = c->vmm_guard; /* a fault decoding lands here, not at the VMM's guard */
	c->vmm_guard = NULL;
	if (!setjmp(c->jmp))
		len = decode_insn(c, eip, true, in);
	c->vmm_guard = guard;
	memcpy(c->jmp, saved, sizeof(saved));
	c->seg[SEG_CS] = cs;
	c->cpl = cpl;
	c->ft = ft;
	c->ct = ct;
	return len;
}

u8 *tc_put32(u8 *t, u32 v)
{
	t[0] = (u8)v, t[1] = (u8)(v >> 8), t[2] = (u8)(v >> 16), t[3] = (u8)(v >> 24);
	return t + 4;
}

/* mov %gs:off,%reg (load) or mov %reg,%gs:off, reg 0 (EAX) or 1 (ECX) */
u8 *tc_gs_mov(u8 *t, bool load, unsigned reg, u32 off)
{
	*t++ = 0x65;
	if (reg == 0) {
		*t++ = load ? 0xa1 : 0xa3;
	} else {
		*t++ = load ? 0x8b : 0x89;
		*t++ = (u8)(reg << 3 | 5);
	}
	return tc_put32(t, off);
}

/* Emit the lookup sequence of indirect block `k` (tc.h) whose guest instruction's bytes
 * are `g`, returning its length; `next` is the guest EIP after it. */
static unsigned emit_ind(u8 *t0, const struct bt_block *k, const u8 *g, u32 next)
{
	u8 *t = t0;
	t = tc_gs_mov(t, false, 0, BT_S_EAX);
	t = tc_gs_mov(t, false, 1, BT_S_ECX); /* IND_SAVE bytes */
	if (k->kind == BK_RET) {
		*t++ = 0x8b, *t++ = 0x04, *t++ = 0x24; /* mov (%esp),%eax */
		*t++ = 0x8d, *t++ = 0xa4, *t++ = 0x24; /* lea 4+imm(%esp),%esp */
		t = tc_put32(t, 4 + k->target);
	} else {
		/* the guest's own operand, with its prefixes (segment, address size), into EAX */
		bool o16, gs;
		unsigned i = tc_prefixes(g, k->len, &o16, &gs);
		memcpy(t, g, k->len);
		t[i] = 0x8b;
		t[i + 1] &= (u8)~0x38;
		t += k->len;
		if (k->kind == BK_ICALL) {
			*t++ = 0x68; /* push $<the guest's return EIP> */
			t = tc_put32(t, next);
		}
	}
	*t++ = 0x0f, *t++ = 0xb7, *t++ = 0xc8;               /* movzwl %ax,%ecx */
	*t++ = 0x65, *t++ = 0x8b, *t++ = 0x0c, *t++ = 0xcd;  /* mov %gs:TBL(,%ecx,8),%ecx */
	t = tc_put32(t, BT_LOOKUP);
	*t++ = 0x8d, *t++ = 0x4c, *t++ = 0x01, *t++ = 0x01;  /* lea 1(%ecx,%eax),%ecx */
	*t++ = 0xe3, *t++ = 2;                               /* jecxz hit */
	*t++ = 0xcd, *t++ = BT_CALLOUT_VEC;                  /* the miss */
	*t++ = 0x0f, *t++ = 0xb7, *t++ = 0xc8;               /* hit: movzwl %ax,%ecx */
	*t++ = 0x65, *t++ = 0x8b, *t++ = 0x0c, *t++ = 0xcd;  /* mov %gs:TBL+4(,%ecx,8),%ecx */
	t = tc_put32(t, BT_LOOKUP + 4);
	t = tc_gs_mov(t, false, 1, BT_S_TGT);
	t = tc_gs_mov(t, true, 1, BT_S_ECX);
	t = tc_gs_mov(t, true, 0, BT_S_EAX);
	*t++ = 0x65, *t++ = 0xff, *t++ = 0x25;               /* jmp *%gs:S_TGT */
	t = tc_put32(t, BT_S_TGT);
	return (unsigned)(t - t0);
}

/* Translate the block at guest EIP `geip` into the TC; returns its index. */
static int translate(struct bt *b, u32 geip)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	u8 *buf = vm->vmm_mem + BT_SCRATCH;
	u32 pa0 = 0, pa1 = 0, avail = 0, first = 0x1000 - (geip & 0xfff);
	if (first > BT_READ_MAX)
		first = BT_READ_MAX;
	memset(buf, 0, BT_READ_MAX + 16);
	bool g0 = false, g1 = true;
	bool ok0 = vmm_guest_phys_global(vm, geip, &pa0, &g0) && cpu_phys(c, pa0, first);
	if (ok0) {
		memcpy(buf, cpu_phys(c, pa0, first), first);
		avail = first;
		if (first < BT_READ_MAX && vmm_guest_phys_global(vm, geip + first, &pa1, &g1) &&
		    cpu_phys(c, pa1, BT_READ_MAX - first)) {
			memcpy(buf + first, cpu_phys(c, pa1, BT_READ_MAX - first), BT_READ_MAX - first);
			avail = BT_READ_MAX;
		}
	}
	/* room for the largest translation, and a block record */
	if (BT_TC + b->tc_used + BT_MAX_IDENT + 128 > vm->vmm_size || b->nblk >= BT_MAX_BLOCKS)
		tc_flush(b);
	struct bt_block nb = { .geip = geip, .tc = BT_TC + b->tc_used, .pa = pa0, .gen = b->map_gen,
			       .kind = BK_CONT, .osize = 4 };
	u32 off = 0;
	unsigned n = 0, ident = 0;
	while (off < avail) {
		struct insn in;
		unsigned len = decode_scratch(b, geip, geip + off, &in);
		if (!len || off + len > avail) {
			nb.kind = BK_EMULATE; /* the emulation fetches it, and faults as the guest would */
			break;
		}
		struct bt_block k = nb;
		int kind = classify(buf + off, len, geip + off, &in, &k);
		n++;
		if ((kind == BK_JMP || kind == BK_JCC || kind == BK_CALL) && k.target - vm->vmm_win < vm->vmm_size)
			kind = BK_EMULATE; /* a branch into the VMM's window: the machine's, with
					    * the guest's truncated CS, faults at the branch */
		if (kind < 0 && bt_adaptive(b, geip + off))
			kind = BK_PTWRITE; /* it kept faulting on a traced page table */
		if (kind >= 0 && b->no_seq) /* the kernel ran with TF or IOPL set (tc.h) */
			kind = kind == BK_CLI ? BK_CLI_CO : kind == BK_STI ? BK_STI_CO : kind == BK_PUSHF ? BK_PUSHF_CO
			     : kind == BK_POPF ? BK_POPF_CO : kind == BK_POPGS ? BK_EMULATE : kind;
		if (kind >= 0) {
			k.kind = (u8)kind;
			k.len = (u8)len;
			nb = k;
			off += len;
			break;
		}
		if (off + len > BT_MAX_IDENT) { /* it would not fit: the next block starts with it */
			n--;
			break;
		}
		off += len;
		ident = off;
		(*b->ident)++;
	}
	if (!ok0)
		nb.kind = BK_EMULATE;
	if (nb.kind == BK_CONT && !ok0)
		nb.kind = BK_EMULATE;
	nb.ident = (u16)ident;
	nb.ninsns = (u16)n;
	/* watch the guest bytes the translation was derived from (the callout's too: its
	 * target or vector came from them) */
	u32 used = off;
	nb.global = ok0 && g0 && (used <= first || g1);
	if (ok0 && used) {
		u32 in0 = used < first ? used : first;
		cpu_watch_code(c, pa0, in0);
		tc_page_used(b, pa0 >> 12);
		if (used > first) {
			cpu_watch_code(c, pa1, used - first);
			tc_page_used(b, pa1 >> 12);
		}
	}
	/* emit: the IDENT bytes, then the callout or the slots */
	u8 *tc = vm->vmm_mem + nb.tc;
	memcpy(tc, buf, ident);
	u8 *t = tc + ident;
	if (nb.kind == BK_JMP || nb.kind == BK_CONT) {
		memcpy(t, callout_slot, BT_SLOT);
		nb.tail = BT_SLOT;
	} else if (nb.kind == BK_CALL) {
		u32 ret = geip + ident + nb.len; /* the guest's return address, as CALL pushes it */
		t[0] = 0x68;
		t[1] = (u8)ret;
		t[2] = (u8)(ret >> 8);
		t[3] = (u8)(ret >> 16);
		t[4] = (u8)(ret >> 24);
		memcpy(t + BT_SLOT, callout_slot, BT_SLOT);
		nb.tail = 2 * BT_SLOT;
	} else if (nb.kind == BK_JCC) {
		u32 rel = BT_JCC_SLOT1 - BT_JCC_SLOT0; /* from the end of the jcc to slot 1 */
		t[0] = 0x0f;
		t[1] = (u8)(0x80 | nb.cc);
		t[2] = (u8)rel;
		t[3] = t[4] = t[5] = 0;
		memcpy(t + BT_JCC_SLOT0, callout_slot, BT_SLOT);
		memcpy(t + BT_JCC_SLOT1, callout_slot, BT_SLOT);
		nb.tail = BT_JCC_SLOT1 + BT_SLOT;
	} else if (nb.kind == BK_SGDT) {
		nb.seq = (u8)tc_emit_sgdt(t, &nb, buf + ident);
		memcpy(t + nb.seq, callout_slot, BT_SLOT);
		nb.tail = (u8)(nb.seq + BT_SLOT);
	} else if (bk_seq(nb.kind)) {
		unsigned sl = tc_emit_seq(t, &nb);
		if ((int)sl != tc_slot0(&nb)) { /* the layout tc_guest_eip() and bt.c assume */
			bt_fail(b, "bt: internal: inline sequence of kind %u is %u bytes", nb.kind, sl);
			sl = 0;
		}
		memcpy(t + sl, callout_slot, BT_SLOT);
		nb.tail = (u8)(sl + BT_SLOT);
		if (nb.kind == BK_POPF) { /* its callout, after the slot */
			t[nb.tail] = 0xcd;
			t[nb.tail + 1] = BT_CALLOUT_VEC;
			nb.tail += 2;
		}
	} else if (nb.kind == BK_PUSHGS) {
		/* pushl %gs:VGS (the guest's selector, zero-extended as the machine pushes it) */
		t[0] = 0x65, t[1] = 0xff, t[2] = 0x35;
		tc_put32(t + 3, BT_VGS);
		memcpy(t + BT_PUSHGS, callout_slot, BT_SLOT);
		nb.tail = BT_PUSHGS + BT_SLOT;
	} else if (bk_indirect(nb.kind)) {
		nb.tail = (u8)emit_ind(t, &nb, buf + ident, geip + ident + nb.len);
		(*b->ind_sites)++;
	} else {
		t[0] = 0xcd;
		t[1] = BT_CALLOUT_VEC;
		nb.tail = 2;
	}
	block_invalidate_write(c, c->ram_size + nb.tc, ident + nb.tail);
	b->tc_used += (ident + nb.tail + 15) & ~15u;
	int idx = (int)b->nblk++;
	unsigned h = hash_of(geip);
	nb.next = b->hash[h];
	b->blk[idx] = nb;
	b->hash[h] = idx;
	(*b->blocks)++;
	*b->insns += n;
	cost_charge(&vm->cost, COST_TRANSLATE, vm->prof.v[P_BT_TRANSLATE_INSN] * (n ? n : 1));
	return idx;
}

bool tc_live(const struct bt *b, int i)
{
	for (int j = b->hash[hash_of(b->blk[i].geip)]; j >= 0; j = b->blk[j].next)
		if (j == i)
			return true;
	return false;
}

void tc_retire(struct bt *b, int i)
{
	struct bt_block *k = &b->blk[i];
	int *p = &b->hash[hash_of(k->geip)];
	while (*p >= 0 && *p != i)
		p = &b->blk[*p].next;
	if (*p == i)
		*p = k->next;
	k->next = -1;
	tc_unchain(b, UNCHAIN_ALL, 0); /* nothing jumps into it any more (lookups included) */
}

u32 tc_enter(struct bt *b, u32 geip)
{
	struct vm *vm = b->vmm.vm;
	if (b->flush_pending)
		tc_flush(b);
	for (int i = b->hash[hash_of(geip)]; i >= 0; i = b->blk[i].next) {
		struct bt_block *k = &b->blk[i];
		if (k->geip != geip)
			continue;
		if (k->gen != b->map_gen) {
			/* the address space may have changed since: the same frame? (and is it
			 * mapped global now: paging or CR4.PGE may have come since) */
			u32 pa;
			bool g;
			if (!vmm_guest_phys_global(vm, geip, &pa, &g) || pa != k->pa)
				continue;
			k->gen = b->map_gen;
			k->global = g && (geip & 0xfff) + k->ident + k->len <= 0x1000;
		}
		return vm->vmm_win + k->tc;
	}
	return vm->vmm_win + b->blk[translate(b, geip)].tc;
}
