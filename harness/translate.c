/*
 * translate.c — `bench translate [WORKLOAD]`: guest kernel blocks beside their
 * translations in the bt engine's translation cache, both disassembled.
 *
 * A student reads in DESIGN §5 that "most instructions are copied as they are (IDENT),
 * sensitive ones become callouts, direct branches are chained" and wants to see it.
 * translate runs a workload under bt/shadow to its end (the same run bench run
 * measures), then, on the machine as the run left it, lists a chain of blocks: by
 * default the guest's system-call entry path, from the handler of IDT vector 0x80 read
 * from the guest's own IDT; or from --at ADDR|SYMBOL. For each block: the guest's
 * instructions on the left, the TC's on the right, each guest instruction marked IDENT
 * (the same bytes on both sides), inline (performed by a translated sequence without
 * leaving the TC) or callout (the TC enters the VMM with int $0x83); its guest range,
 * physical address, sizes, ways out (chained or not) and the counters of that block
 * since it was translated. The chain is followed through fall-throughs, direct jumps
 * and calls (a RET then returns to the instruction after the CALL it came through),
 * the way the guest went when one side of a Jcc is chained and the other not.
 *
 * What a block is and how each kind ends comes from engines/bt/listing.h: the bytes
 * shown on the right are read from the TC, never re-derived. The output holds modeled
 * state only, so it is the same on every host (tests/golden/translate-syscall.txt).
 *
 * Why Capstone (libcapstone-dev 4.0.2, packaged in Debian 12): a stable C API, AT&T
 * syntax like the comments of engines/bt/tc.h and objdump, and no code of ours to get
 * wrong; the machine's own decoder (core/decode.c) gives lengths and handlers, not
 * text. Zydis 4 would serve as well.
 */
#include <capstone/capstone.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "elfsym.h"
#include "engines/bt/listing.h"
#include "report.h"
#include "runone.h"
#include "select.h"
#include "suggest.h"
#include "vmm/guestmem.h"

#define TR_MAX_BLOCKS 1000
#define TR_MAX_ROWS 512
#define TR_BYTES_PER_ROW 7 /* longer instructions go on over more rows, as in objdump */
#define TR_ASM_W 28
#define TR_DEPTH 64        /* return EIPs of followed CALLs remembered */

struct row {
	u32 addr;
	unsigned off, size;
	const u8 *bytes;
	char text[128];
};

struct tr {
	bool json;
	unsigned nblocks;
	bool at_given;
	u32 at;
	const char *cmdline, *config, *profile;
	struct elfsym syms;
	csh cs;
	int status;
	char err[512];
};

static const char *legend =
	"legend:\n"
	"  IDENT    the guest instruction copied into the TC byte for byte: it means the same in ring 1\n"
	"  inline   performed by translated code without leaving the TC (common case; a slot that is\n"
	"           not chained yet, or a lookup miss, calls out)\n"
	"  callout  the TC enters the VMM (int $0x83), which performs the instruction on the virtual CPU\n"
	"  slot     where a direct branch leaves its block: int $0x83 until the target is translated, then\n"
	"           patched into a JMP to the target's translation (chained): see engines/bt/tc.h\n"
	"  counters exits (callouts, faults, interrupts) and callouts from a block since it was\n"
	"           translated; docs/glossary.md tells more\n";

/* Disassemble bytes[0..n) at address `addr` into rows (a byte Capstone cannot decode
 * is a .byte row); consecutive NOPs are one row (a slot's padding). */
static unsigned disasm(csh cs, const u8 *bytes, unsigned n, u32 addr, struct row *rows, unsigned max)
{
	cs_insn *in = cs_malloc(cs);
	unsigned nr = 0, off = 0;
	while (off < n && nr < max && in) {
		const u8 *p = bytes + off;
		size_t left = n - off;
		u64 a = addr + off;
		struct row *r = &rows[nr];
		*r = (struct row){ .addr = addr + off, .off = off, .bytes = bytes + off };
		if (cs_disasm_iter(cs, &p, &left, &a, in)) {
			r->size = in->size;
			snprintf(r->text, sizeof(r->text), "%-6.20s %.100s", in->mnemonic, in->op_str);
		} else {
			r->size = 1;
			snprintf(r->text, sizeof(r->text), ".byte  0x%02x", bytes[off]);
		}
		if (nr && r->size == 1 && bytes[off] == 0x90 && rows[nr - 1].bytes[0] == 0x90 &&
		    rows[nr - 1].size < TR_BYTES_PER_ROW && rows[nr - 1].off + rows[nr - 1].size == off) {
			rows[nr - 1].size++;
			snprintf(rows[nr - 1].text, sizeof(rows[nr - 1].text), "nop%s", rows[nr - 1].size == 2 ? "; nop" : "; nop; nop");
		} else {
			nr++;
		}
		off += r->size ? r->size : 1;
	}
	cs_free(in, 1);
	for (unsigned i = 0; i < nr; i++) /* the text after the spaces padding a mnemonic */
		for (char *s = rows[i].text + strlen(rows[i].text); s > rows[i].text && s[-1] == ' ';)
			*--s = 0;
	return nr;
}

/* The bytes p[0..n) as "6a 00 e9" in out. */
static void hex(const u8 *p, unsigned n, char *out, size_t size)
{
	size_t l = 0;
	out[0] = 0;
	for (unsigned i = 0; i < n && l + 4 <= size; i++)
		l += (size_t)snprintf(out + l, size - l, i ? " %02x" : "%02x", p[i]);
}

/* "c0104f9c (alltraps)" or "c0104f9c" */
static const char *gname(const struct tr *t, u32 eip, char *buf, size_t n)
{
	char s[96];
	elfsym_name(&t->syms, eip, s, sizeof(s));
	if (s[0])
		snprintf(buf, n, "%08x (%s)", eip, s);
	else
		snprintf(buf, n, "%08x", eip);
	return buf;
}

/* The note beside TC row `r` of block `l`. */
static void tc_note(const struct tr *t, const struct bt_listing *l, const struct row *r, char *out, size_t n)
{
	char g[128];
	out[0] = 0;
	if (r->off < l->ident)
		return;
	for (unsigned j = 0; j < l->nexits; j++) {
		const struct bt_listing_exit *x = &l->exit[j];
		if (r->off != x->off)
			continue;
		const char *which = l->kind == BK_JCC ? (j ? "taken: " : "not taken: ") : "";
		if (x->chained && x->off == l->ident && l->kind == BK_JCC)
			snprintf(out, n, "the guest's condition; taken (slot 1, chained): straight to the translation of %s",
				 gname(t, x->geip, g, sizeof(g)));
		else if (x->chained)
			snprintf(out, n, "%sslot %u, chained: on to the translation of %s", which, j, gname(t, x->geip, g, sizeof(g)));
		else
			snprintf(out, n, "%sslot %u, not chained: callout, the VMM goes on at %s", which, j,
				 gname(t, x->geip, g, sizeof(g)));
		return;
	}
	if ((int)r->off == l->miss) {
		if (bk_indirect(l->kind))
			snprintf(out, n, "lookup miss: callout, the VMM translates the target and fills the entry");
		else
			snprintf(out, n, "the sequence's callout: %s", bt_kind_help(l->kind));
		return;
	}
	unsigned rel = r->off - l->ident;
	if (l->kind == BK_JCC && !rel)
		snprintf(out, n, "the guest's condition on the guest's flags: taken -> slot 1");
	else if (l->kind == BK_JCC && rel == BT_JCC_SLOT1)
		snprintf(out, n, "slot 1, unused: the jcc above jumps to the target's translation");
	else if (l->kind == BK_CALL && !rel)
		snprintf(out, n, "push of the guest's return EIP, as CALL pushes it");
	else if (l->kind == BK_PUSHGS && !rel)
		snprintf(out, n, "push of the guest's GS selector, which the VMM keeps");
	else if (bk_seq(l->kind) && !rel)
		snprintf(out, n, "inline: %s (engines/bt/tc.h)", bt_kind_help(l->kind));
	else if (bk_indirect(l->kind) && !rel)
		snprintf(out, n, "inline lookup of the guest's target T: save EAX, ECX in the VMM's data");
	else if (bk_indirect(l->kind) && rel == IND_SAVE)
		snprintf(out, n, "T into EAX, by the guest's own operand%s", l->kind == BK_RET ? " (RET: the top of the stack)" : "");
	else if (bk_indirect(l->kind) && r->bytes[0] == 0xe3)
		snprintf(out, n, "the entry of T's low 16 bits holds ~T: ECX = 0, a hit, jumps over the callout");
	else if (bk_indirect(l->kind) && r->off + r->size == l->ident + l->tail)
		snprintf(out, n, "hit: on to the target's translation");
	else if (r->size == 2 && r->bytes[0] == 0xcd && r->bytes[1] == BT_CALLOUT_VEC)
		snprintf(out, n, "callout: %s", bt_kind_help(l->kind));
	else if (r->bytes[0] == 0x90)
		snprintf(out, n, "the slot's padding (room for a jmp rel32)");
}

static bool any_chained(const struct bt_listing *l)
{
	for (unsigned j = 0; j < l->nexits; j++)
		if (l->exit[j].chained)
			return true;
	return false;
}

static const char *insn_class(const struct bt_listing *l, bool tail)
{
	return !tail ? "IDENT" : bt_kind_is_inline(l->kind, any_chained(l)) ? "inline" : "callout";
}

static unsigned ident_insns(const struct bt_listing *l)
{
	return l->ninsns - (l->kind != BK_CONT && l->len ? 1u : 0u);
}

/* Print one side's row `r` (bytes wrapped over several lines) into cells[]; returns
 * how many lines it took. */
static unsigned cells(const struct row *r, char cell[][192], unsigned max)
{
	unsigned lines = 0;
	for (unsigned o = 0; o < r->size && lines < max; o += TR_BYTES_PER_ROW, lines++) {
		char h[3 * TR_BYTES_PER_ROW + 1];
		unsigned k = r->size - o < TR_BYTES_PER_ROW ? r->size - o : TR_BYTES_PER_ROW;
		hex(r->bytes + o, k, h, sizeof(h));
		if (!o)
			snprintf(cell[lines], 192, "%08x  %-*s  %-*s", r->addr, 3 * TR_BYTES_PER_ROW - 1, h, TR_ASM_W, r->text);
		else
			snprintf(cell[lines], 192, "%8s  %-*s  %-*s", "", 3 * TR_BYTES_PER_ROW - 1, h, TR_ASM_W, "");
	}
	return lines;
}

#define CELL_W (8 + 2 + 3 * TR_BYTES_PER_ROW - 1 + 2 + TR_ASM_W)

/* One line of the table; a note goes on a line of its own under the right column. */
static void print_row(const char *left, const char *mark, const char *right, const char *note)
{
	char line[512];
	snprintf(line, sizeof(line), "  %-*s | %-7s | %s", CELL_W, left, mark, right);
	for (char *s = line + strlen(line); s > line && s[-1] == ' ';)
		*--s = 0;
	puts(line);
	if (note[0])
		printf("  %-*s | %-7s | %10s^ %s\n", CELL_W, "", "", "", note);
}

/* The block's guest rows, its TC rows, and the pairing of the two, in text. */
static void text_block(const struct tr *t, const struct bt_listing *l, const struct row *g, unsigned ng,
		       const struct row *c, unsigned nc)
{
	unsigned gi = 0;
	char lc[8][192], rc[8][192], note[256];
	for (unsigned ci = 0; ci < nc; ci++) {
		const struct row *cr = &c[ci];
		const struct row *gr = NULL;
		const char *mark = "";
		if (cr->off < l->ident || cr->off == l->ident) {
			/* an IDENT instruction, or the first of the tail: its guest instruction */
			if (gi < ng && g[gi].off == cr->off) {
				gr = &g[gi++];
				mark = insn_class(l, cr->off >= l->ident);
			}
		}
		unsigned nl = gr ? cells(gr, lc, 8) : 0, nr = cells(cr, rc, 8);
		if (!gr && cr->off == l->ident && l->kind == BK_CONT)
			snprintf(lc[0], 192, "%8s  (the block was cut: no instruction)", ""), nl = 1;
		tc_note(t, l, cr, note, sizeof(note));
		for (unsigned i = 0; i < (nl > nr ? nl : nr); i++)
			print_row(i < nl ? lc[i] : "", i ? "" : mark, i < nr ? rc[i] : "", i ? "" : note);
	}
}

static void json_rows(const char *key, const struct row *r, unsigned n, const struct bt_listing *l, const struct tr *t,
		      bool guest)
{
	printf(", \"%s\": [", key);
	for (unsigned i = 0; i < n; i++) {
		char h[3 * 16 + 1], note[256] = "";
		hex(r[i].bytes, r[i].size, h, sizeof(h));
		printf("%s{\"%s\": \"%#x\", \"bytes\": \"%s\", \"asm\": ", i ? ", " : "", guest ? "eip" : "addr", r[i].addr, h);
		json_string(stdout, r[i].text);
		if (guest) {
			printf(", \"class\": \"%s\"}", insn_class(l, r[i].off >= l->ident));
		} else {
			tc_note(t, l, &r[i], note, sizeof(note));
			printf(", \"note\": ");
			json_string(stdout, note);
			printf("}");
		}
	}
	printf("]");
}

/* Where the guest goes after block `l`, following calls with `stack`. Returns false
 * at the end of what can be followed, with the reason in why. */
static bool next_block(const struct bt_listing *l, u32 *stack, unsigned *depth, u32 *next, char *why, size_t n)
{
	u32 after = l->geip + l->ident + l->len;
	switch (l->kind) {
	case BK_CONT: *next = l->exit[0].geip; snprintf(why, n, "the next block"); return true;
	case BK_JMP: *next = l->exit[0].geip; snprintf(why, n, "the jmp's target"); return true;
	case BK_PUSHGS: case BK_POPGS: case BK_CLI: case BK_STI: case BK_PUSHF: case BK_POPF:
		*next = l->exit[0].geip;
		snprintf(why, n, "the instruction after the %s", bt_kind_name(l->kind));
		return true;
	case BK_CALL:
		if (*depth < TR_DEPTH)
			stack[(*depth)++] = after;
		*next = l->exit[0].geip;
		snprintf(why, n, "the called function (its RET returns to %08x)", after);
		return true;
	case BK_JCC:
		if (l->exit[1].chained && !l->exit[0].chained) {
			*next = l->exit[1].geip;
			snprintf(why, n, "the taken side (the one chained: the way the guest went)");
		} else {
			*next = l->exit[0].geip;
			snprintf(why, n, "the not-taken side");
		}
		return true;
	case BK_RET:
		if (*depth) {
			*next = stack[--*depth];
			snprintf(why, n, "the return address of the CALL followed above");
			return true;
		}
		snprintf(why, n, "the RET's target is the guest's return address, looked up at run time");
		return false;
	case BK_ICALL:
	case BK_IJMP:
		snprintf(why, n, "the target is computed by the guest and looked up at run time");
		return false;
	case BK_IRET: case BK_LRET: case BK_FAR: case BK_INT:
		snprintf(why, n, "the VMM performs the %s and the guest goes on where it says", bt_kind_name(l->kind));
		return false;
	default:
		*next = after;
		snprintf(why, n, "the instruction after the callout");
		return true;
	}
}

/* at_end: the listing, on the machine as the run left it. */
static void tr_at_end(void *opaque, struct vm *vm)
{
	struct tr *t = opaque;
	struct cpu *c = &vm->cpu;
	char g[128], why[160];
	u32 eip = t->at;
	const char *from = "--at";
	if (!t->at_given) {
		u32 gate[2];
		if (0x80 * 8 + 7 > c->idtr_limit || !vmm_guest_read(vm, c->idtr_base + 0x80 * 8, gate, 8) ||
		    !(gate[1] & 0x8000)) {
			snprintf(t->err, sizeof(t->err), "the guest has no present gate for vector 0x80 in its IDT (give --at)");
			t->status = BENCH_EXIT_USAGE;
			return;
		}
		eip = (gate[0] & 0xffff) | (gate[1] & 0xffff0000u);
		from = "the guest's IDT, vector 0x80 (int $0x80, the system call)";
	}
	struct bt_listing first;
	if (bt_listing_block(vm, eip, &first)) {
		snprintf(t->err, sizeof(t->err),
			 "no translation of guest EIP %#010x in the TC at the end of the run "
			 "(code the guest kernel never ran, or not the start of a block)", eip);
		t->status = BENCH_EXIT_USAGE;
		return;
	}
	static u32 stack[TR_DEPTH];
	unsigned depth = 0;
	static struct row grow[TR_MAX_ROWS], crow[TR_MAX_ROWS];
	u8 gbytes[BT_READ_MAX + 16];
	if (t->json) {
		printf("{\"command\": \"bench translate\", \"cmdline\": ");
		json_string(stdout, t->cmdline);
		printf(", \"config\": \"%s\", \"profile\": \"%s\", \"start\": \"%#x\", \"from\": ", t->config, t->profile, eip);
		json_string(stdout, from);
		printf(", \"blocks\": [");
	} else {
		printf("bench translate: %s under %s on %s, the TC as the run left it\n", t->cmdline, t->config, t->profile);
		printf("start: %s, from %s\n\n%s", gname(t, eip, g, sizeof(g)), from, legend);
	}
	unsigned shown = 0;
	for (; shown < t->nblocks; shown++) {
		struct bt_listing l;
		if (bt_listing_block(vm, eip, &l)) {
			if (!t->json)
				printf("\nthe chain ends: %s has no translation in the TC\n", gname(t, eip, g, sizeof(g)));
			break;
		}
		unsigned glen = l.ident + l.len;
		memset(gbytes, 0, sizeof(gbytes));
		bool gok = glen <= sizeof(gbytes) && vmm_guest_read(vm, l.geip, gbytes, glen);
		unsigned ng = gok ? disasm(t->cs, gbytes, glen, l.geip, grow, TR_MAX_ROWS) : 0;
		unsigned nc = disasm(t->cs, l.bytes, l.ident + l.tail, l.tc, crow, TR_MAX_ROWS);
		const char *cls = l.kind == BK_CONT ? "none (the block was cut)" : insn_class(&l, true);
		if (t->json) {
			char sym[96];
			printf("%s{\"guest_eip\": \"%#x\", \"symbol\": ", shown ? ", " : "", l.geip);
			json_string(stdout, elfsym_name(&t->syms, l.geip, sym, sizeof(sym)));
			printf(", \"guest_bytes\": %u, \"physical\": \"%#x\", \"tc\": \"%#x\", \"tc_bytes\": %u, \"ident_bytes\": %u,"
			       " \"tail_bytes\": %u, \"instructions\": %u, \"ident_instructions\": %u, \"kind\": \"%s\","
			       " \"tail_class\": \"%s\", \"exits\": %u, \"callouts\": %u, \"slots\": [",
			       glen, l.pa, l.tc, l.ident + l.tail, l.ident, l.tail, l.ninsns, ident_insns(&l),
			       bt_kind_name(l.kind), l.kind == BK_CONT ? "none" : cls, l.exits, l.callouts);
			for (unsigned j = 0; j < l.nexits; j++) {
				printf("%s{\"slot\": %u, \"guest_target\": \"%#x\", \"chained\": %s", j ? ", " : "", j,
				       l.exit[j].geip, l.exit[j].chained ? "true" : "false");
				if (l.exit[j].chained)
					printf(", \"tc_target\": \"%#x\"", l.exit[j].to);
				printf("}");
			}
			printf("]");
			json_rows("guest", grow, ng, &l, t, true);
			json_rows("translation", crow, nc, &l, t, false);
		} else {
			printf("\n== block %u of %u: %s\n", shown + 1, t->nblocks, gname(t, l.geip, g, sizeof(g)));
			printf("   guest %08x-%08x, %u bytes at physical %#010x: %u instruction%s, %u IDENT\n", l.geip,
			       l.geip + glen - 1, glen, l.pa, l.ninsns, l.ninsns == 1 ? "" : "s", ident_insns(&l));
			printf("   TC    %08x-%08x, %u bytes: %u IDENT + %u of tail (%s: %s)\n", l.tc, l.tc + l.ident + l.tail - 1,
			       l.ident + l.tail, l.ident, l.tail, bt_kind_name(l.kind), bt_kind_help(l.kind));
			printf("   since translated: %u exit%s from it, %u callout%s%s\n", l.exits, l.exits == 1 ? "" : "s",
			       l.callouts, l.callouts == 1 ? "" : "s", bk_indirect(l.kind) ? " (lookup misses)" : "");
			for (unsigned j = 0; j < l.nexits; j++) {
				u32 back = 0;
				printf("   slot %u -> %s: ", j, gname(t, l.exit[j].geip, g, sizeof(g)));
				if (!l.exit[j].chained)
					printf("not chained (calls out)\n");
				else if (bt_listing_guest_of(vm, l.exit[j].to, &back))
					printf("chained, jmp to TC %08x (the translation of %08x)\n", l.exit[j].to, back);
				else
					printf("chained, jmp to TC %08x\n", l.exit[j].to);
			}
			printf("\n");
			char head[CELL_W + 1];
			snprintf(head, sizeof(head), "guest code at %08x", l.geip);
			char headr[CELL_W + 1];
			snprintf(headr, sizeof(headr), "translation in the TC at %08x", l.tc);
			print_row(head, "", headr, "");
			text_block(t, &l, grow, ng, crow, nc);
		}
		u32 next = 0;
		bool go = next_block(&l, stack, &depth, &next, why, sizeof(why));
		if (t->json) {
			printf(", \"next\": ");
			if (go)
				printf("\"%#x\"", next);
			else
				printf("null");
			printf(", \"next_why\": ");
			json_string(stdout, why);
			printf("}");
		} else if (go && shown + 1 < t->nblocks) {
			printf("   next: %s, %s\n", gname(t, next, g, sizeof(g)), why);
		} else if (!go) {
			printf("\nthe chain ends: %s\n", why);
		}
		if (!go) {
			shown++;
			break;
		}
		eip = next;
	}
	u32 used;
	unsigned nblk;
	bt_listing_tc_usage(vm, &used, &nblk);
	if (t->json)
		printf("], \"tc_translations\": %u, \"tc_bytes_used\": %u}\n", nblk, used);
	else
		printf("\nthe TC holds %u translations in %u bytes (with alignment)\n", nblk, used);
}

static void tr_usage(FILE *out)
{
	fprintf(out,
		"usage: bench translate [WORKLOAD] [options]\n"
		"Guest kernel blocks beside their translations in the bt engine's translation cache\n"
		"(TC), both disassembled, each guest instruction marked IDENT, inline or callout,\n"
		"with the block's counters. The workload (default syscall-heavy) runs to its end\n"
		"under bt/shadow; then the chain of blocks from --at, by default the system-call\n"
		"entry path (the guest's IDT, vector 0x80), is listed. See engines/bt/tc.h.\n\n"
		"  --at ADDR|SYMBOL   start at this guest EIP (0xc0104130) or kernel symbol (trap)\n"
		"  --blocks N         list at most N blocks of the chain (default 6)\n"
		"  --format F         text (default) or json\n"
		"  --set k=v          override a workload argument (repeatable)\n"
		"  --profile P        CPU profile (default p4-2006)\n"
		"  --kernel FILE      guest image (default build/guest/kernel.elf)\n"
		"  --help             this text\n");
}

int cmd_translate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, 0, 'a' },     { "blocks", required_argument, 0, 'b' },
		{ "format", required_argument, 0, 'f' }, { "set", required_argument, 0, 's' },
		{ "profile", required_argument, 0, 'p' }, { "kernel", required_argument, 0, 'k' },
		{ "help", no_argument, 0, 'h' },         { 0, 0, 0, 0 },
	};
	static struct tr t;
	memset(&t, 0, sizeof(t));
	t.nblocks = 6;
	t.config = "bt/shadow";
	t.profile = "p4-2006";
	const char *kernel = NULL, *format = "text", *at = NULL, *workload = "syscall-heavy";
	const char *sets[SELECT_MAX_SETS];
	int nsets = 0, o;
	char *end;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (o) {
		case 'a': at = optarg; break;
		case 'b': {
			long n = strtol(optarg, &end, 10);
			if (*end || !*optarg || n < 1 || n > TR_MAX_BLOCKS) {
				fprintf(stderr, "bench translate: --blocks needs a number from 1 to %d, not '%s'\n", TR_MAX_BLOCKS,
					optarg);
				return BENCH_EXIT_USAGE;
			}
			t.nblocks = (unsigned)n;
			break;
		}
		case 'f': format = optarg; break;
		case 's':
			if (select_add_set(sets, &nsets, optarg, "bench translate"))
				return BENCH_EXIT_USAGE;
			break;
		case 'p': t.profile = optarg; break;
		case 'k': kernel = optarg; break;
		case 'h': tr_usage(stdout); return 0;
		case ':':
			fprintf(stderr, "bench translate: %s needs a value (bench translate --help)\n", argv[optind - 1]);
			return BENCH_EXIT_USAGE;
		default:
			fprintf(stderr, "bench translate: unknown option '%s' (bench translate --help)\n", argv[optind - 1]);
			return BENCH_EXIT_USAGE;
		}
	}
	if (optind < argc - 1) {
		fprintf(stderr, "bench translate: expected at most one WORKLOAD (bench translate --help)\n");
		return BENCH_EXIT_USAGE;
	}
	if (optind == argc - 1)
		workload = argv[optind];
	if (strcmp(format, "text") && strcmp(format, "json")) {
		fprintf(stderr, "bench translate: unknown format '%s' (formats: text, json)\n", format);
		return BENCH_EXIT_USAGE;
	}
	t.json = !strcmp(format, "json");
	if (!kernel)
		kernel = run_default_kernel();
	char err[1024];
	bool have_syms = !elfsym_load(&t.syms, kernel, err, sizeof(err));
	if (at) {
		unsigned long a = strtoul(at, &end, 0);
		if (*at && !*end && a <= 0xffffffffu) {
			t.at = (u32)a;
		} else if (!have_syms) {
			fprintf(stderr, "bench translate: --at '%s' is no address, and %s\n", at, err);
			return BENCH_EXIT_USAGE;
		} else if (!elfsym_find(&t.syms, at, &t.at)) {
			snprintf(err, sizeof(err), "--at: no symbol '%s' in %s", at, kernel);
			const char **names = malloc(t.syms.n * sizeof(*names) + 1);
			for (unsigned i = 0; names && i < t.syms.n; i++)
				names[i] = t.syms.sym[i].name;
			if (names)
				suggest_append(err, sizeof(err), at, names, t.syms.n);
			free(names);
			fprintf(stderr, "bench translate: %s\n", err);
			elfsym_free(&t.syms);
			return BENCH_EXIT_USAGE;
		}
		t.at_given = true;
	}
	static struct selection sel;
	if (select_load(&sel, "bench translate", workload, sets, nsets, t.profile, t.config, err, sizeof(err))) {
		fprintf(stderr, "bench translate: %s\n", err);
		elfsym_free(&t.syms);
		return BENCH_EXIT_USAGE;
	}
	if (cs_open(CS_ARCH_X86, CS_MODE_32, &t.cs) != CS_ERR_OK ||
	    cs_option(t.cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT) != CS_ERR_OK) {
		fprintf(stderr, "bench translate: Capstone cannot disassemble x86-32 AT&T here\n");
		select_free(&sel);
		elfsym_free(&t.syms);
		return BENCH_EXIT_USAGE;
	}
	char cl[2048];
	workload_cmdline(&sel.w, cl, sizeof(cl));
	char label[2200];
	snprintf(label, sizeof(label), "%s (%s)", sel.w.name, cl);
	t.cmdline = label;
	struct run_hooks hooks = { .opaque = &t, .at_end = tr_at_end };
	struct run_result rr = { 0 };
	int status = 0;
	if (run_one(&sel.w, sel.todo[0], t.profile, kernel, &hooks, &rr, err, sizeof(err))) {
		fflush(stdout);
		fprintf(stderr, "bench translate: %s\n", err);
		status = BENCH_EXIT_USAGE;
	} else if (t.status) {
		fflush(stdout);
		fprintf(stderr, "bench translate: %s\n", t.err);
		status = t.status;
	}
	run_result_free(&rr);
	cs_close(&t.cs);
	select_free(&sel);
	elfsym_free(&t.syms);
	return status;
}
