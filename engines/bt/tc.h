/*
 * tc.h — the bt engine's private header: the VMM's memory layout, the translation
 * cache (TC) and its blocks, and the state of the virtual CPU the VMM keeps.
 *
 * The story (DESIGN §5, issue 11): the guest kernel never runs directly. Each basic
 * block of it is translated on first execution into the TC, in the VMM's window at the
 * top of the linear space, and the machine runs the translation at CPL 1 through a VMM
 * code segment whose limit covers the window. A translation is the block's IDENT prefix
 * (guest instructions copied byte for byte: they mean the same at CPL 1) followed by a
 * callout, `int $0x83`, standing for the guest instruction that ends the block: a
 * control transfer or a sensitive instruction the VMM performs on the virtual CPU.
 * Because IDENT bytes keep their length, a TC address maps back to a guest EIP by its
 * offset in the block (precise faults). Indirect branches end a block with an inline
 * lookup instead (below; translate.c tells it). User code (CPL 3) runs directly.
 *
 * Everything the VMM does is in guest terms: on an exit from the TC the VMM first
 * converts EIP to the guest's, acts on the virtual CPU, and converts back to a TC
 * address (translating on demand) when the guest resumes in its kernel.
 */
#ifndef RINGLAB_BT_TC_H
#define RINGLAB_BT_TC_H

#include <string.h>

#include "core/segment.h"
#include "core/vm.h"
#include "vmm/ringcomp.h"
#include "vmm/vmm.h"

/* The VMM's memory (engine_ops.vmm_kb), by offset. */
#define BT_GDT 0x0000u     /* the shadow GDT (ringcomp: 8 KB) and the VMM's code descriptor after it */
#define BT_TSS 0x3000u     /* the VMM's TSS (unused by hardware: every event is intercepted) */
#define BT_SCRATCH 0x4000u /* guest code copied here to be decoded (BT_READ_MAX bytes) */
#define BT_DATA 0x4200u    /* what the TC reaches through %gs (the VMM's data segment): */
#define BT_S_EAX (BT_DATA + 0u)  /* the guest's EAX and ECX while an indirect lookup runs */
#define BT_S_ECX (BT_DATA + 4u)
#define BT_S_TGT (BT_DATA + 8u)  /* the TC address a lookup hit jumps to */
#define BT_VGS (BT_DATA + 12u)   /* the guest's GS selector, zero-extended (PUSH GS) */
#define BT_VIF (BT_DATA + 16u)   /* the virtual IF: FL_IF or 0 (the real IF stays 1) */
#define BT_PEND (BT_DATA + 20u)  /* nonzero while an external interrupt is held */
#define BT_VGSNEG (BT_DATA + 24u) /* minus the guest's GS selector, or GSNEG_STALE: POP GS
				   * of the same selector needs no reload (see BK_POPGS) */
#define GSNEG_STALE 0x80000000u  /* no selector plus this is zero */
#define BT_VGDTR (BT_DATA + 28u) /* the guest's GDTR as SGDT stores it: limit, base (6 bytes) */
#define BT_LOOKUP 0x10000u /* the indirect-branch table: BT_LOOKUP_N entries {~geip, TC address} */
#define BT_LOOKUP_N 65536u /* indexed by the guest EIP's low 16 bits (MOVZWL: no flags touched) */
#define BT_TC 0x90000u     /* the translation cache, to the end of the window */
#define BT_KB 1024u

#define BT_CALLOUT_VEC 0x83   /* int $0x83: a callout from the TC */
/* Adaptive binary translation (Adams & Agesen §3.2): a guest kernel instruction whose
 * writes to traced page tables fault BT_ADAPT_AFTER times is retranslated into a
 * callout (BK_PTWRITE) that has the VMM perform the store and resynchronise the shadow,
 * without the fault. The threshold is ours (the paper gives none). */
#define BT_ADAPT_AFTER 3u
#define BT_ADAPT_N 1024u      /* instructions tracked (direct-mapped by guest EIP) */
/* An adaptive store whose callouts write no traced page table BT_UNADAPT_AFTER times in
 * a row (the shadow MMU stopped tracing the page: write flooding) goes back to IDENT;
 * the hysteresis keeps a store that writes traced tables in bursts (fork copying into
 * recycled table pages) from being translated again and again. Also ours. */
#define BT_UNADAPT_AFTER 64u
#define BT_MAX_IDENT 256u     /* IDENT bytes per block at most */
#define BT_READ_MAX (BT_MAX_IDENT + 16u)
#define BT_MAX_BLOCKS 65536u
#define BT_HASH 16384u
#define BT_MAX_CHAINS 65536u

/* The code after a block's IDENT bytes (at tc + ident):
 *   most kinds   int $0x83                                 (2 bytes)
 *   JMP, CONT    a slot: int $0x83; nop; nop; nop          (5 bytes)
 *   CALL         push $<guest return EIP>; a slot          (10 bytes)
 *   PUSH GS      pushl %gs:VGS; a slot                     (12 bytes)
 *   JCC          jcc rel32 to slot 1; slot 0 (not taken); slot 1 (taken)   (16 bytes)
 * A slot calls out until its target is translated, then it is patched into a JMP to
 * the target's translation (chaining, bt.chained; a JCC's taken slot by retargeting the
 * JCC itself, so a taken branch costs one instruction): the machine runs the guest's direct
 * branches from translation to translation without leaving the TC. A JCC in the TC is
 * the guest's own condition on the guest's own flags. A chain skips tc_enter()'s check
 * that the target's page still maps the frame it was translated from. Within a page
 * that is sound (QEMU's rule: the block was entered after its page was checked, and the
 * page's other blocks came from the same frame); a chain to another page is undone by
 * every change of the guest's address space the VMM performs (MOV to CR0/CR3/CR4, LMSW,
 * INVLPG: BK_MMU), and entries are checked again. Kernel calls cross pages: re-chaining
 * after a context switch is cheaper than calling out on every one. */
#define BT_SLOT 5u
#define BT_PUSHGS 7u /* PUSH GS's translation before its slot */
/* An indirect branch (BK_RET, BK_ICALL, BK_IJMP) is translated into an inline lookup in
 * the table at BT_LOOKUP, through %gs (which holds the VMM's data segment while the TC
 * runs; the guest's GS is virtual, see bt.c), using only MOV, MOVZX, LEA and JECXZ so
 * that no guest flag changes:
 *   mov %eax,%gs:S_EAX; mov %ecx,%gs:S_ECX          save the two registers it uses
 *   mov <the guest's operand>,%eax                   T, the guest's target (RET: (%esp))
 *   lea 4+imm(%esp),%esp | push $<return EIP> | -    the instruction's stack effect
 *   movzwl %ax,%ecx; mov %gs:TBL(,%ecx,8),%ecx       the entry's key, ~geip
 *   lea 1(%ecx,%eax),%ecx; jecxz hit                 T - geip == 0?
 *   int $0x83                                        miss: the VMM translates T, fills the entry
 *   hit: movzwl %ax,%ecx; mov %gs:TBL+4(,%ecx,8),%ecx; mov %ecx,%gs:S_TGT
 *   mov %gs:S_ECX,%ecx; mov %gs:S_EAX,%eax; jmp *%gs:S_TGT
 * An exit anywhere inside it (a fault reading the operand or pushing, an interrupt) is
 * rolled back to the guest instruction (ind_rollback): EAX and ECX from their slots once
 * the operand's MOV has started, the stack effect undone once it has happened. */
#define IND_SAVE 13u /* the operand's MOV starts here (after the two saves) */
/* The virtual IF is a word in the VMM's data (BT_VIF: FL_IF or 0), and CLI, STI, PUSHF
 * and POPF are inline sequences on it, then a slot to the next guest instruction (Adams &
 * Agesen's inline translation of sensitive instructions): no callout unless STI or POPF
 * set the virtual IF while an interrupt is held (BT_PEND), which calls out to deliver it.
 * They rely on the real IOPL being 0 and TF clear in the kernel, so that the real IF stays
 * 1 and each sequence runs whole: once the guest kernel runs otherwise, the TC is flushed
 * and these four and POP GS are translated as callouts from then on (bt.no_seq).
 *   CLI    movl $0,%gs:VIF
 *   STI    movl $0x200,%gs:VIF; mov %ecx,%gs:S_ECX; mov %gs:PEND,%ecx; jecxz 1f;
 *          int $0x83; 1: mov %gs:S_ECX,%ecx                     (no flag changes)
 *   PUSHF  pushfl; mov %eax,%gs:S_EAX; mov %ecx,%gs:S_ECX; mov (%esp),%eax;
 *          mov %gs:VIF,%ecx; lea -0x200(%eax,%ecx),%eax; mov %eax,(%esp);
 *          mov %gs:S_ECX,%ecx; mov %gs:S_EAX,%eax         (the real IF is 1: no flags)
 *   POPF   mov %eax,%gs:S_EAX; mov (%esp),%eax; test $0x3100,%eax; jnz 2f;
 *          and $0x200,%eax; jz 1f; cmpl $0,%gs:PEND; jne 2f; 1: mov %eax,%gs:VIF;
 *          mov %gs:S_EAX,%eax; popfl; <slot>; 2: int $0x83
 *          (the flags are free until popfl loads them all; TF or IOPL in the value, or
 *          an interrupt to deliver: the VMM performs the POPF)
 *   POP GS mov %eax,%gs:S_EAX; mov %ecx,%gs:S_ECX; movzwl (%esp),%eax;
 *          mov %gs:VGSNEG,%ecx; lea (%eax,%ecx),%ecx; jecxz 1f; int $0x83;
 *          1: lea 4(%esp),%esp; mov %gs:S_ECX,%ecx; mov %gs:S_EAX,%eax
 *          (the same selector again: the VMM's copy of GS is still right; another one,
 *          or the guest's GDT changed since GS was loaded: a callout emulates it)
 * An exit inside a sequence (a fault on the stack, an interrupt) is rolled back to the
 * guest instruction, or forward past it once it has taken effect (bt.c, seq_fixup).
 * Offsets below are from the end of the IDENT bytes. */
#define SEQ_CLI_LEN 11u
#define SEQ_PEND_LEN 25u   /* STI's pending check; its callout at +16 */
#define SEQ_PEND_CALLOUT 16u
#define SEQ_STI_LEN (11u + SEQ_PEND_LEN)
#define SEQ_PUSHF_LEN 47u
#define SEQ_POPF_LEN 46u   /* the popfl at 45; the callout after the slot, at 51 */
#define SEQ_POPF_CALLOUT (SEQ_POPF_LEN + BT_SLOT)
#define SEQ_POPGS_LEN 48u  /* its callout at 29, the pop (lea) at 31 */
#define SEQ_POPGS_CALLOUT 29u
#define BT_JCC_SLOT0 6u
#define BT_JCC_SLOT1 11u

/* How a block ends: what its callout asks the VMM to do with the guest instruction. */
enum bt_kind {
	BK_CONT,     /* the block was cut (length, page, unreadable code): go on at that EIP */
	BK_EMULATE,  /* execute the instruction once at virtual CPL 0 (the machine emulates) */
	BK_DESC,     /* the same, with the guest's own GDTR (SGDT, LAR, LSL, VERR, VERW) */
	BK_MMU,      /* the same; it may change the guest's address space (CR0/CR3/CR4, INVLPG) */
	BK_FAR,      /* far JMP/CALL: emulated at CPL 1, the new CS becomes the virtual CS */
	BK_JMP,      /* direct JMP: computed by the VMM */
	BK_JCC,      /* direct Jcc: computed by the VMM from the guest's flags */
	BK_CLI, BK_STI, BK_PUSHF, BK_POPF, /* the virtual IF, inline (below) */
	BK_IRET, BK_LRET, /* returns: in software to the kernel, emulated to user mode */
	BK_INT,      /* INT n, INT3, INTO, INT1: delivered in software */
	BK_HLT,
	BK_CALL,     /* direct CALL: translated inline, PUSH of the guest's return EIP and a slot */
	BK_RET,      /* RET, RET imm16 (imm in target): inline lookup, a callout on a miss */
	BK_ICALL,    /* CALL r/m32: the same, after PUSH of the guest's return EIP */
	BK_IJMP,     /* JMP r/m32: the same */
	BK_SS,       /* a load of SS: emulated with the guest's DPL-0 data descriptors at DPL 0 */
	BK_PUSHGS,   /* PUSH GS: pushl %gs:VGS (the guest's GS is virtual), then a slot */
	BK_POPGS,    /* POP GS: inline when the selector is GS's already, else a callout */
	BK_PUSHF_CO, BK_POPF_CO, BK_CLI_CO, BK_STI_CO, /* the same as callouts: 16-bit
		     * PUSHF/POPF, and all four once the guest kernel ran with TF or IOPL set */
	BK_IO,       /* IN/OUT (not string): a callout straight to the device model */
	BK_SGDT,     /* SGDT m: two stores of the VMM's copy of the guest's GDTR, inline */
	BK_PTWRITE,  /* adaptive BT: a store that kept faulting on a traced page table,
		      * retranslated into a callout that performs it without the fault */
	BK_KINDS
};

struct bt_block {
	u32 geip;       /* guest linear EIP of the first instruction (the guest's CS is flat) */
	u32 tc;         /* offset of the translation in the VMM's memory */
	u16 ident;      /* bytes of IDENT code; the callout's guest instruction is at geip + ident */
	u16 ninsns;     /* guest instructions translated (the callout's included) */
	u8 kind;        /* enum bt_kind */
	u8 len;         /* length of the callout's guest instruction */
	u8 osize;       /* its operand size */
	u8 cc;          /* BK_JCC: condition; BK_INT: vector */
	u8 tail;        /* bytes after the IDENT code: the callout, the chaining slots, the lookup */
	u8 seq;         /* BK_SGDT: bytes of its inline code before the slot */
	u8 global;      /* its guest code's pages are mapped global (kept by CR3 loads) */
	u32 target;     /* BK_JMP/BK_JCC/BK_CALL: the guest EIP of the branch target; BK_RET: imm16 */
	u32 pa;         /* guest-physical address of the first byte */
	u32 gen;        /* bt.map_gen when pa was last checked against the guest's mapping */
	u32 exits;      /* exits from inside the translation since it was made (bench translate) */
	u32 callouts;   /* ... of them callouts (for an indirect block, lookup misses) */
	int next;       /* hash chain (-1: end) */
};

struct bt {
	struct vmm vmm;         /* the shared VMM state, first */
	struct ringcomp rc;     /* the shadow GDT (RC_SAFE) */
	/* the virtual CPU */
	u16 vcs;                /* the guest kernel's CS selector (RPL 0) */
	u16 vmm_cs;             /* the VMM's code selector in the shadow GDT (RPL 1) */
	u16 vmm_ds;             /* the VMM's data selector: no descriptor the guest can load (past
				 * the shadow GDT's limit); only the VMM puts it in GS, directly */
	bool gs_stolen;         /* GS holds the VMM's data segment (the TC is running) */
	struct seg vgs;         /* ... and the guest's GS is this */
	u32 vsysenter_cs;       /* the guest's IA32_SYSENTER_CS; the real one is 0 (SYSENTER
				 * from user mode faults, and the VMM performs it) */
	u32 pending[8];         /* external interrupts held while vif is clear */
	int depth;              /* nested software deliveries (#DF, triple fault) */
	/* an emulation in flight */
	bool desc_swapped;      /* GDTR is the guest's for this emulation */
	bool cs_swapped;        /* CS.sel and SYSENTER_CS are the virtual ones for this emulation */
	int iret_vif;           /* -1, or the IF of an IRET to user mode being emulated */
	bool mmu_op;            /* the emulated instruction may change the address space */
	bool mmu_cr3;           /* ... and is a MOV to CR3 (CR0 and CR4 as they were: mmu_cr) */
	bool mmu_invlpg;        /* ... or an INVLPG */
	u32 mmu_cr[2];
	bool far;               /* ... is a far JMP/CALL: its new CS is the virtual one */
	bool emulating;         /* an emulation was asked for and has not completed */
	bool ss_dpl0;           /* the promoted data descriptors are at DPL 0 for a load of SS */
	u8 promoted[RC_MAX_GDT / 8 + 1]; /* the guest's DPL-0 data descriptors, DPL 1 in the shadow */
	u16 shadow_limit;       /* the shadow GDT's limit while the guest's is swapped in */
	/* the translation cache */
	struct bt_block *blk;   /* BT_MAX_BLOCKS, sorted by tc */
	unsigned nblk;
	int hash[BT_HASH];
	u32 tc_used;            /* next free offset (from BT_TC) */
	u32 map_gen;            /* bumped when the guest's address space may have changed */
	u32 flush_gen;          /* bumped by every flush */
	bool flush_pending;     /* the guest wrote translated code: flush at the next exit */
	int last;               /* the block the last exit came from, or -1 */
	u32 last_flush_gen;
	bool failed;            /* the VMM refused something: stop at the next exit */
	u8 *tc_pages;           /* a bit per guest frame: translations were made from it */
	u32 gdt_pa[2], gdt_len[2]; /* where the guest's GDT is (watched: a write re-shadows it) */
	bool gdt_dirty;
	u32 gdt_bytes;          /* the guest's GDT as last shadowed (a write near it that left it */
	u8 gdt_copy[8 * RC_MAX_GDT]; /* unchanged costs a read, not a new shadow) */
	u8 gdt_now[8 * RC_MAX_GDT];
	u32 int_eip;            /* the INT n being delivered (a fault in its delivery points at it) */
	/* counters */
	u32 *chains;            /* TC offsets of the slots patched into JMPs */
	unsigned nchains;
	u64 *blocks, *insns, *ident, *callouts, *flushes, *invalidations, *delivered, *chained;
	u64 *by_kind[BK_KINDS];
	u64 *ind_sites, *lookup_misses, *vcpu_ops, *seq_fixups, *retranslations, *adaptive_writes, *tc_faults;
	bool vgs_stale;         /* the guest's GDT changed since its GS was loaded */
	bool no_seq;            /* the kernel ran with TF or IOPL set: no inline sequences */
	u32 adapt_eip[BT_ADAPT_N]; /* per slot: guest EIP + 1 of a faulting store, */
	u32 adapt_n[BT_ADAPT_N];   /* its traced-write faults (>= BT_ADAPT_AFTER: adaptive) */
	u32 adapt_miss[BT_ADAPT_N]; /* adaptive callouts in a row that wrote no page table */
	u8 adapt_lvl[BT_ADAPT_N];  /* times it went back to IDENT: each doubles the faults
				    * the next adaptation needs (a store that mostly writes
				    * ordinary pages stops oscillating) */
	int ptw_block;          /* the block of an adaptive callout being emulated, or -1 */
	int last_callout;       /* the block the last callout came from */
	u32 ptw_eip, ptw_gen;
	bool ptw_traced;        /* ... its store went to a traced page table */
	u32 *filled;            /* lookup entries filled since the table was last cleared */
	unsigned nfilled;
};

static inline struct bt *bt_of(struct vm *vm) { return vm->engine_state; }

/* The virtual IF (the guest's EFLAGS.IF; the real one stays 1), in the VMM's data where
 * the TC's inline CLI/STI/PUSHF/POPF reach it. */
static inline bool bt_vif(const struct bt *b)
{
	u32 v;
	memcpy(&v, b->vmm.vm->vmm_mem + BT_VIF, 4);
	return v != 0;
}
static inline void bt_set_vif(struct bt *b, bool on)
{
	u32 v = on ? 0x200u : 0;
	memcpy(b->vmm.vm->vmm_mem + BT_VIF, &v, 4);
}
/* BT_PEND follows b->pending. */
static inline void bt_pend_sync(struct bt *b)
{
	u32 any = 0;
	for (unsigned i = 0; i < 8; i++)
		any |= b->pending[i];
	memcpy(b->vmm.vm->vmm_mem + BT_PEND, &any, 4);
}

/* Refuse to go on: one line in vm->reason, stop at the next exit. */
/* A translation was derived from guest frame `ppn`. */
static inline void tc_page_used(struct bt *b, u32 ppn)
{
	if (ppn < (b->vmm.vm->ram_size >> 12))
		b->tc_pages[ppn >> 3] |= (u8)(1u << (ppn & 7));
}

static inline bool tc_page_has(const struct bt *b, u32 ppn)
{
	return ppn < (b->vmm.vm->ram_size >> 12) && (b->tc_pages[ppn >> 3] >> (ppn & 7) & 1);
}

void bt_fail(struct bt *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* bt.c and gdt.c: the virtual CPU the delivery reads. The VMM's code segment into CS; the guest's
 * descriptor `sel` as the guest's own GDT has it, or as the shadow has it (false beyond
 * the table); EFLAGS with the virtual IF. */
void bt_load_vmm_cs(struct bt *b);
/* gdt.c: shadow the guest's GDT at `base`/`limit` (and load the shadow's GDTR); shadow
 * it again if a watched write changed it; the guest's DPL-0 data descriptors at DPL 0
 * (`dpl0`: for an emulated SS load at virtual CPL 0) or DPL 1 again. */
void bt_shadow_gdt(struct bt *b, u32 base, u16 limit);
void bt_check_gdt(struct bt *b);
void bt_data_dpl0(struct bt *b, bool dpl0);
bool bt_guest_desc(struct bt *b, u16 sel, struct desc *d);
bool bt_shadow_desc(struct bt *b, u16 sel, struct desc *d);
u32 bt_guest_eflags(struct bt *b);
static inline u32 bt_stack_lin(struct cpu *c, u32 esp) { return c->seg[SEG_SS].base + esp; }

/* event.c: the kind of event, and its software delivery through the guest's IDT. */
enum ev { EV_EXC, EV_EXT, EV_SOFT, EV_ICE };
/* Deliver `vec` from the top (not nested in another delivery); false if the guest
 * failed (bt_fail) or shut down. */
bool bt_deliver_top(struct bt *b, u8 vec, enum ev type, bool has_err, u32 err);
/* The shared VMM layer's delivery hook (vmm.deliver). */
void bt_deliver_cb(struct vmm *v, u8 vec, bool ext, bool has_err, u32 err);
/* Deliver the lowest held external interrupt if the virtual IF allows. */
void bt_deliver_held(struct bt *b);
bool bt_any_pending(const struct bt *b);

/* bt.c: the virtual CPU and the VMM's work, for the engine's other files */
void bt_set_guest_eflags(struct bt *b, u32 v, unsigned size); /* POPF/IRET at virtual CPL 0 */
void bt_show_guest_cs(struct bt *b);          /* the guest's CS for an emulation */
enum engine_verdict bt_emulate(struct bt *b, unsigned cpl); /* emulate at c->eip */
void bt_vcpu_op(struct bt *b);                /* charge a decoded callout's work */

/* seq.c: the inline sequences (above). Emit that of block `k` (CLI, STI, PUSHF, POPF,
 * POP GS) at t0, returning its length (tc_slot0(k)); emit SGDT's, whose guest bytes are
 * g (k->cc gets its scratch register), returning its length. */
unsigned tc_emit_seq(u8 *t0, const struct bt_block *k);
unsigned tc_emit_sgdt(u8 *t0, struct bt_block *k, const u8 *g);
/* An exit `t` bytes into the sequence of block `k`, other than its callout: the guest
 * back before its instruction, or forward past it. */
void bt_seq_fixup(struct bt *b, const struct bt_block *k, u32 t);

/* adaptive.c: a traced page-table write by the kernel instruction at `eip` faulted;
 * an adaptive callout's store completed; the callout itself. */
void bt_adapt(struct bt *b, u32 eip);
void bt_adapt_done(struct bt *b);
enum engine_verdict bt_pt_write(struct bt *b, const struct bt_block *k);

/* translate.c */
/* The prefixes at p[0..n) (their count; o16: an operand-size prefix, gs: GS); the base
 * and index registers of SGDT's operand at p[i..len) as a bit mask, or -1 if the inline
 * translation does not handle it; code emitters: a 32-bit immediate, and
 * mov %gs:off,%reg (load) or mov %reg,%gs:off. */
unsigned tc_prefixes(const u8 *p, unsigned n, bool *o16, bool *gs);
int tc_sgdt_regs(const u8 *p, unsigned len, unsigned i);
u8 *tc_put32(u8 *t, u32 v);
u8 *tc_gs_mov(u8 *t, bool load, unsigned reg, u32 off);
/* Is the guest instruction at `eip` to be translated as an adaptive callout? */
static inline bool bt_adaptive(const struct bt *b, u32 eip)
{
	unsigned h = (eip ^ (eip >> 10)) & (BT_ADAPT_N - 1);
	return b->adapt_eip[h] == eip + 1 && b->adapt_n[h] >= (BT_ADAPT_AFTER << b->adapt_lvl[h]);
}
/* Where a TC offset inside block `k` is in guest terms, and which slot it is (-1:
 * none; the callout of an unchained block is slot -2). */
u32 tc_guest_eip(const struct bt_block *k, u32 off, int *slot);
/* The guest EIP slot `slot` of block `k` continues at. */
u32 tc_slot_target(const struct bt_block *k, int slot);
/* Patch slot `slot` of block `i` into a JMP to linear TC address `to`. */
void tc_chain(struct bt *b, int i, int slot, u32 to);
/* Turn chained slots back into callouts, and empty the lookup table alike: all of them
 * (translated code was written: UNCHAIN_ALL), those leading to another page (the
 * guest's address space may have changed: UNCHAIN_XPAGE), only those leading to a
 * page mapped non-global (a CR3 load, which keeps global mappings: UNCHAIN_CR3), or
 * only those leading to code on linear page `vpn` (an INVLPG of it: UNCHAIN_PAGE). */
enum unchain { UNCHAIN_ALL, UNCHAIN_XPAGE, UNCHAIN_CR3, UNCHAIN_PAGE };
void tc_unchain(struct bt *b, enum unchain how, u32 vpn);
/* Where the lookup sequence of indirect block `k` has its miss callout, and where its
 * stack effect ends (offsets from the end of the IDENT bytes). */
unsigned ind_miss_off(const struct bt_block *k);
unsigned ind_esp_end(const struct bt_block *k);
static inline bool bk_indirect(unsigned kind) { return kind == BK_RET || kind == BK_ICALL || kind == BK_IJMP; }
/* The offset of block `k`'s slot 0 after its IDENT bytes, or -1 if it has none; and of
 * the callout inside an inline sequence (STI, POPF, POP GS), or -1. */
int tc_slot0(const struct bt_block *k);
int tc_seq_callout(const struct bt_block *k);
/* An inline sequence (CLI, STI, PUSHF, POPF, POP GS) of the kind of `k`. */
static inline bool bk_seq(unsigned kind)
{
	return kind == BK_CLI || kind == BK_STI || kind == BK_PUSHF || kind == BK_POPF || kind == BK_POPGS ||
	       kind == BK_SGDT;
}
/* Fill the lookup entry of guest EIP `geip` with linear TC address `to`. */
void tc_lookup_fill(struct bt *b, u32 geip, u32 to);
/* Empty the lookup table (the TC was flushed, or the address space may have changed);
 * UNCHAIN_CR3: keep the entries whose translation is of global pages; UNCHAIN_PAGE:
 * drop only those of code on page `vpn`. */
void tc_lookup_clear(struct bt *b, enum unchain how, u32 vpn);
/* Block `i` is to be translated again: entries no longer find it, and no chain or
 * lookup leads into it (its code stays, for an exit from it to be mapped back). */
void tc_retire(struct bt *b, int i);
/* Is block `i` still found by entries (not retired, not replaced)? */
bool tc_live(const struct bt *b, int i);
/* Prepare the TC (allocates its block table). Returns 0 or -1. */
int tc_init(struct bt *b);
void tc_fini(struct bt *b);
/* Drop every translation (counted bt.tc_flushes). */
void tc_flush(struct bt *b);
/* The block holding TC offset `off` (IDENT bytes or its callout), or -1. */
int tc_block_at(struct bt *b, u32 off);
/* The linear TC address where the guest's kernel resumes at guest EIP `geip`: the
 * block starting there, translated now if there is none (charged bt.translate_insn per
 * guest instruction); never fails (an unreadable page gives a block that only calls
 * out, whose emulation raises the guest's fault). */
u32 tc_enter(struct bt *b, u32 geip);

#endif
