/*
 * listing.c — one translation of the TC described for a reader (bench translate), and
 * the one table of what each kind of block end is.
 *
 * A translation (tc.h) is its IDENT bytes and a tail whose layout its kind fixes. The
 * listing finds the block record, points at the bytes in the VMM's memory, and reads
 * from those bytes whether each way out is still a callout or was chained: a slot
 * patched into `jmp rel32` (E9), a JCC whose rel32 no longer points at its own slot 1
 * (translate.c, tc_chain). Nothing is recomputed from the guest's code.
 */
#include <string.h>

#include "listing.h"
#include "vmm/guestmem.h"

/* What a kind is: its name, whether its translation performs the guest instruction
 * without a callout (INLINE_ALWAYS), only once its slot is chained (INLINE_CHAINED),
 * or never (a callout each time), and a few words for a reader. The switch has no
 * default: a kind added to enum bt_kind and not here is a compiler warning. */
enum inline_class { INLINE_NEVER, INLINE_CHAINED, INLINE_ALWAYS };
struct kind_info {
	const char *name;
	enum inline_class cls;
	const char *help;
};

static struct kind_info kind_info(enum bt_kind kind)
{
	switch (kind) {
	case BK_CONT: return (struct kind_info){ "cont", INLINE_CHAINED, "the block was cut here: a slot to the next block" };
	case BK_EMULATE: return (struct kind_info){ "emulate", INLINE_NEVER, "callout: the VMM emulates it at virtual CPL 0" };
	case BK_DESC: return (struct kind_info){ "desc", INLINE_NEVER, "callout: emulated with the guest's own GDTR" };
	case BK_MMU: return (struct kind_info){ "mmu", INLINE_NEVER, "callout: emulated; it may change the address space" };
	case BK_FAR: return (struct kind_info){ "far", INLINE_NEVER, "callout: far JMP/CALL emulated, new virtual CS" };
	case BK_JMP: return (struct kind_info){ "jmp", INLINE_CHAINED, "direct JMP: a slot, chained to the target's translation" };
	case BK_JCC: return (struct kind_info){ "jcc", INLINE_CHAINED, "direct Jcc: the guest's condition, a slot per side" };
	case BK_CLI: return (struct kind_info){ "cli", INLINE_CHAINED, "CLI: clears the virtual IF inline, then a slot" };
	case BK_STI: return (struct kind_info){ "sti", INLINE_CHAINED, "STI: sets the virtual IF inline; callout only to deliver a held interrupt" };
	case BK_PUSHF: return (struct kind_info){ "pushf", INLINE_CHAINED, "PUSHF: pushes EFLAGS with the virtual IF, inline" };
	case BK_POPF: return (struct kind_info){ "popf", INLINE_CHAINED, "POPF: the virtual IF from the value, inline; callout for TF, IOPL or a held interrupt" };
	case BK_IRET: return (struct kind_info){ "iret", INLINE_NEVER, "callout: IRET performed by the VMM" };
	case BK_LRET: return (struct kind_info){ "lret", INLINE_NEVER, "callout: far RET performed by the VMM" };
	case BK_INT: return (struct kind_info){ "int", INLINE_NEVER, "callout: the VMM delivers it through the guest's IDT" };
	case BK_HLT: return (struct kind_info){ "hlt", INLINE_NEVER, "callout: the virtual CPU halts" };
	case BK_CALL: return (struct kind_info){ "call", INLINE_CHAINED, "direct CALL: push of the guest's return EIP, a slot" };
	case BK_RET: return (struct kind_info){ "ret", INLINE_ALWAYS, "RET: inline lookup of the guest's target, callout on a miss" };
	case BK_ICALL: return (struct kind_info){ "icall", INLINE_ALWAYS, "CALL r/m32: push, inline lookup, callout on a miss" };
	case BK_IJMP: return (struct kind_info){ "ijmp", INLINE_ALWAYS, "JMP r/m32: inline lookup, callout on a miss" };
	case BK_SS: return (struct kind_info){ "ss", INLINE_NEVER, "callout: a load of SS, emulated" };
	case BK_PUSHGS: return (struct kind_info){ "pushgs", INLINE_ALWAYS, "PUSH GS: pushes the virtual GS inline, then a slot" };
	case BK_POPGS: return (struct kind_info){ "popgs", INLINE_CHAINED, "POP GS: inline when GS holds that selector already; else a callout emulates it" };
	case BK_PUSHF_CO: return (struct kind_info){ "pushf_co", INLINE_NEVER, "callout: PUSHF performed by the VMM (16-bit, or the kernel ran with TF/IOPL)" };
	case BK_POPF_CO: return (struct kind_info){ "popf_co", INLINE_NEVER, "callout: POPF performed by the VMM (16-bit, or the kernel ran with TF/IOPL)" };
	case BK_CLI_CO: return (struct kind_info){ "cli_co", INLINE_NEVER, "callout: CLI (the kernel ran with TF or IOPL set)" };
	case BK_STI_CO: return (struct kind_info){ "sti_co", INLINE_NEVER, "callout: STI (the kernel ran with TF or IOPL set)" };
	case BK_IO: return (struct kind_info){ "io", INLINE_NEVER, "callout: the port access handed to the device model" };
	case BK_SGDT: return (struct kind_info){ "sgdt", INLINE_CHAINED, "SGDT: stores the VMM's copy of the guest's GDTR through the guest's operand, inline" };
	case BK_PTWRITE: return (struct kind_info){ "ptwrite", INLINE_NEVER, "callout (adaptive BT): a page-table store performed without its fault" };
	case BK_KINDS: break;
	}
	return (struct kind_info){ "?", INLINE_NEVER, "?" };
}

const char *bt_kind_name(enum bt_kind kind) { return kind_info(kind).name; }
const char *bt_kind_help(enum bt_kind kind) { return kind_info(kind).help; }

bool bt_kind_is_inline(enum bt_kind kind, bool chained)
{
	enum inline_class c = kind_info(kind).cls;
	return c == INLINE_ALWAYS || (c == INLINE_CHAINED && chained);
}

static struct bt *bt_vm(struct vm *vm)
{
	return vm->engine && !strcmp(vm->engine->name, "bt") ? bt_of(vm) : NULL;
}

static u32 rel32(const u8 *p) { return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24; }

/* The way out at offset `off` of the translation: a slot, chained if it is a JMP now. */
static struct bt_listing_exit slot_exit(const struct bt_listing *l, u32 geip, u32 off)
{
	struct bt_listing_exit x = { .geip = geip, .off = off, .chained = l->bytes[off] == 0xe9 };
	if (x.chained)
		x.to = l->tc + off + 5 + rel32(l->bytes + off + 1);
	return x;
}

int bt_listing_block(struct vm *vm, u32 geip, struct bt_listing *out)
{
	struct bt *b = bt_vm(vm);
	if (!b)
		return -1;
	u32 pa = 0;
	bool mapped = vmm_guest_phys(vm, geip, false, &pa);
	int found = -1;
	for (unsigned i = 0; i < b->nblk; i++)
		if (b->blk[i].geip == geip && (found < 0 || (mapped && b->blk[i].pa == pa)))
			found = (int)i;
	if (found < 0)
		return -1;
	const struct bt_block *k = &b->blk[found];
	*out = (struct bt_listing){ .geip = k->geip, .pa = k->pa, .tc = vm->vmm_win + k->tc,
				    .bytes = vm->vmm_mem + k->tc, .ident = k->ident, .tail = k->tail,
				    .ninsns = k->ninsns, .len = k->len, .kind = k->kind,
				    .callouts = k->callouts, .exits = k->exits, .miss = -1 };
	u32 x = k->ident;
	switch (k->kind) {
	case BK_JCC: {
		out->exit[out->nexits++] = slot_exit(out, tc_slot_target(k, 0), x + BT_JCC_SLOT0);
		/* the taken side: the jcc itself once chained, else its slot 1 */
		u32 rel = rel32(out->bytes + x + 2);
		struct bt_listing_exit t = { .geip = tc_slot_target(k, 1), .off = x + BT_JCC_SLOT1 };
		if (rel != BT_JCC_SLOT1 - BT_JCC_SLOT0) {
			t.off = x;
			t.chained = true;
			t.to = out->tc + x + 6 + rel;
		}
		out->exit[out->nexits++] = t;
		break;
	}
	default:
		if (tc_slot0(k) >= 0) /* a slot after the instruction, or after its inline code */
			out->exit[out->nexits++] = slot_exit(out, tc_slot_target(k, 0), x + (u32)tc_slot0(k));
		if (bk_indirect(k->kind))
			out->miss = (int)(x + ind_miss_off(k));
		if (tc_seq_callout(k) >= 0)
			out->miss = (int)(x + (u32)tc_seq_callout(k));
		break;
	}
	return 0;
}

bool bt_listing_guest_of(struct vm *vm, u32 lin, u32 *geip)
{
	struct bt *b = bt_vm(vm);
	if (!b || lin < vm->vmm_win)
		return false;
	int i = tc_block_at(b, lin - vm->vmm_win);
	if (i < 0)
		return false;
	u32 rel = lin - vm->vmm_win - b->blk[i].tc;
	*geip = b->blk[i].geip + (rel < b->blk[i].ident ? rel : b->blk[i].ident); /* the tail: its instruction */
	return true;
}

void bt_listing_tc_usage(struct vm *vm, u32 *bytes, unsigned *blocks)
{
	struct bt *b = bt_vm(vm);
	*bytes = b ? b->tc_used : 0;
	*blocks = b ? b->nblk : 0;
}
