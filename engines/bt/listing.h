/*
 * listing.h — the bt engine seen from outside: one translation in the TC as `bench
 * translate` lists it, and what each kind of block end means for a reader.
 *
 * Everything here is read from the engine's state and from the TC itself (its bytes,
 * the JMPs patched into its slots), never re-derived: a listing shows what the machine
 * runs. The kinds' names and their inline-or-callout class live here once
 * (bt_kind_name, bt_kind_is_inline): a new kind is added here, and the compiler says
 * so (the switches have no default).
 */
#ifndef RINGLAB_BT_LISTING_H
#define RINGLAB_BT_LISTING_H

#include "engines/bt/tc.h"

/* One way out of a translation that continues at a guest EIP known when translating:
 * a slot (JMP, CONT, CALL, PUSH GS, a JCC's not-taken side) or a JCC's taken side. */
struct bt_listing_exit {
	u32 geip;     /* the guest EIP it continues at */
	u32 off;      /* offset in the translation of the instruction that leaves (the slot,
		       * or for a chained taken JCC the jcc itself) */
	bool chained; /* it is a JMP (a jcc) to a translation, no longer a callout */
	u32 to;       /* chained: the linear TC address it jumps to */
};

struct bt_listing {
	u32 geip;        /* the guest EIP of its first instruction */
	u32 pa;          /* the guest-physical address it was read from */
	u32 tc;          /* the linear address of the translation (the VMM's window) */
	const u8 *bytes; /* the translation as it is now in the VMM's memory: ident + tail */
	unsigned ident;  /* bytes of IDENT code, at the start of both the guest's and the TC's */
	unsigned tail;   /* bytes after them */
	unsigned ninsns; /* guest instructions, the one the tail stands for included */
	unsigned len;    /* bytes of the guest instruction the tail stands for (0: none) */
	enum bt_kind kind;
	u32 callouts;    /* callouts from it since it was translated (indirect: lookup misses) */
	u32 exits;       /* exits of any reason from inside it: callouts, faults, interrupts */
	unsigned nexits;
	struct bt_listing_exit exit[2]; /* [0] fall-through or slot; [1] a JCC's taken side */
	int miss;        /* indirect: offset of the lookup's miss callout, else -1 */
};

/* Fill `out` with the translation of guest EIP `geip` now in vm's TC (the one made from
 * the frame the guest maps there now, if there are several). Returns 0, or -1 if the
 * machine does not run bt or the TC has no translation starting at `geip`. */
int bt_listing_block(struct vm *vm, u32 geip, struct bt_listing *out);

/* The guest EIP of the translation that contains linear TC address `lin`; false if none. */
bool bt_listing_guest_of(struct vm *vm, u32 lin, u32 *geip);

/* The size of the TC in use and the number of translations in it. */
void bt_listing_tc_usage(struct vm *vm, u32 *bytes, unsigned *blocks);

/* The short name of a kind (counter names bt.callouts.NAME). */
const char *bt_kind_name(enum bt_kind kind);

/* What the translation of a kind does, in a few words, for a reader. */
const char *bt_kind_help(enum bt_kind kind);

/* Whether the translation performs the guest instruction a block of this kind ends
 * with without calling out in the common case: always for the inline kinds (CALL's
 * push, PUSH GS, the lookups of RET and indirect CALL/JMP, which call out only on a
 * miss), for direct branches once a slot is `chained`, never for the rest. */
bool bt_kind_is_inline(enum bt_kind kind, bool chained);

#endif
