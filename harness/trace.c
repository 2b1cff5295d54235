/*
 * trace.c — `bench trace WORKLOAD-or-KERNEL`: the exits of the measured region one by
 * one, interleaved with the guest's console lines, in the order they happened.
 *
 * `bench boot --trace-exits` shows the first exits of a boot, tens of thousands of
 * them before the loop anyone wants to see. trace shows only the exits between the
 * guest's begin and end markers (vm_config.on_exit says whether an exit fell inside),
 * each with its reason, its kind, a classification of what the VMM did with it, the
 * guest EIP, the qualification decoded, and the modeled cycles handling it cost. The
 * classification comes from the counters the VMM moved while handling the exit (a
 * shadow.true_faults that grew: a true fault, reflected), so it works for any engine
 * and MMU that counts what it does.
 *
 * For teaching: --walk ADDR walks the guest's page tables for one linear address at
 * the end of the run with a reference that charges nothing and writes nothing (the
 * same pw_walk every MMU uses), printing each step; --shadow-dump prints the MMU's own
 * table for the guest's current address space, when the MMU has one to show.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"
#include "core/exit.h"
#include "core/mmu.h"
#include "core/pagewalk.h"
#include "report.h"
#include "runone.h"
#include "select.h"
#include "suggest.h"

/* The counters whose growth across one exit classifies it, in priority order. */
static const struct {
	const char *suffix; /* matched against the end of a counter's name */
	const char *label;
} classes[] = {
	{ "shadow.true_faults", "true fault, reflected to the guest" },
	{ "shadow.traced_writes", "traced page-table write, emulated" },
	{ "shadow.hidden_faults", "hidden fault, shadow entry filled" },
	{ "nested.ept_violations", "EPT violation, page mapped" },
	{ ".emulated_insns", "instruction emulated" },
	{ ".injected_events", "event injected into the guest" },
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

struct trace {
	struct vm *vm;
	bool json;
	long limit;          /* exits to print (< 0: all) */
	u32 reason;          /* EXIT_REASON_MAX: every reason */
	int idx[NCLASSES];   /* counter index per class, -1 if the machine has none */
	u64 last[NCLASSES];  /* its value at the previous exit */
	long shown, seen, hidden_by_limit;
	u64 cycles_seen;
};

/* at_start: find the classifying counters of this machine. */
static void trace_start(void *opaque, struct vm *vm)
{
	struct trace *t = opaque;
	t->vm = vm;
	for (size_t k = 0; k < NCLASSES; k++) {
		t->idx[k] = -1;
		size_t sl = strlen(classes[k].suffix);
		for (unsigned i = 0; i < vm->stats.n && t->idx[k] < 0; i++) {
			size_t nl = strlen(vm->stats.name[i]);
			if (nl >= sl && !strcmp(vm->stats.name[i] + nl - sl, classes[k].suffix))
				t->idx[k] = (int)i;
		}
		t->last[k] = t->idx[k] >= 0 ? vm->stats.value[t->idx[k]] : 0;
	}
}

/* What the VMM did with the exit just handled (the first class whose counter grew). */
static const char *classify(struct trace *t, const struct exit_record *e)
{
	const char *label = NULL;
	for (size_t k = 0; k < NCLASSES; k++) {
		if (t->idx[k] < 0)
			continue;
		u64 v = t->vm->stats.value[t->idx[k]];
		if (v != t->last[k] && !label)
			label = classes[k].label;
		t->last[k] = v;
	}
	if (label)
		return label;
	switch (e->reason) {
	case EXIT_EXTERNAL_INTERRUPT: return "interrupt, delivered to the guest later";
	case EXIT_INTERRUPT_WINDOW: return "interrupt window opened";
	case EXIT_CR_ACCESS: return "control register, handled by the VMM";
	default: return "handled by the VMM";
	}
}

/* The qualification of e decoded, in a few words. */
static void qualification(const struct exit_record *e, char *out, size_t n)
{
	switch (e->reason) {
	case EXIT_EXCEPTION_NMI:
		snprintf(out, n, "vector %u error %#x address %#x", e->vector, e->error_code, e->linear);
		break;
	case EXIT_EXTERNAL_INTERRUPT: snprintf(out, n, "vector %u", e->vector); break;
	case EXIT_CR_ACCESS:
		snprintf(out, n, "CR%u %s value %#x", e->qualification & 15,
			 ((e->qualification >> 4) & 3) == 1 ? "read" : "write", e->value);
		break;
	case EXIT_IO_INSTRUCTION:
		snprintf(out, n, "port %#x %s size %u%s", e->qualification >> 16, (e->qualification & 8) ? "in" : "out",
			 (e->qualification & 7) + 1, (e->qualification & 16) ? " string" : "");
		break;
	case EXIT_EPT_VIOLATION: snprintf(out, n, "gpa %#llx", (unsigned long long)e->gpa); break;
	case EXIT_INVLPG: snprintf(out, n, "address %#x", e->linear); break;
	default: snprintf(out, n, "qualification %#x", e->qualification); break;
	}
}

/* on_exit: one line per exit of the measured region. */
static void trace_exit(void *opaque, const struct exit_record *e, u64 cycles, bool measured)
{
	struct trace *t = opaque;
	const char *cls = classify(t, e);
	if (!measured || (t->reason != EXIT_REASON_MAX && e->reason != t->reason))
		return;
	t->seen++;
	t->cycles_seen += cycles;
	if (t->limit >= 0 && t->shown >= t->limit) {
		t->hidden_by_limit++;
		return;
	}
	t->shown++;
	const struct vm *vm = t->vm;
	u64 at = vm->nmarks ? vm->cost.now - vm->marks[vm->nmarks - 1].cost.now : 0;
	char q[160];
	qualification(e, q, sizeof(q));
	if (t->json) {
		printf("{\"type\": \"exit\", \"n\": %ld, \"at\": %" PRIu64 ", \"reason\": \"%s\", \"kind\": \"%s\","
		       " \"class\": \"%s\", \"eip\": \"%#x\", \"qualification\": \"%#x\", \"detail\": ",
		       t->seen, at, exit_reason_name(e->reason), exit_kind_name(e->kind), cls, e->guest_eip,
		       e->qualification);
		json_string(stdout, q);
		printf(", \"cycles\": %" PRIu64 "}\n", cycles);
	} else {
		printf("  %6ld %10" PRIu64 "  %-18s %-9s eip %08x %8" PRIu64 "  %s; %s\n", t->seen, at,
		       exit_reason_name(e->reason), exit_kind_name(e->kind), e->guest_eip, cycles, cls, q);
	}
}

/* on_console: the guest's lines of the measured region, and its @result lines. */
static void trace_console(void *opaque, const char *line, bool measuring)
{
	struct trace *t = opaque;
	if (!measuring && strncmp(line, "@result ", 8))
		return;
	if (t->json) {
		printf("{\"type\": \"console\", \"text\": ");
		json_string(stdout, line);
		printf("}\n");
	} else {
		printf("  %-29s | %s\n", "console", line);
	}
}

/* A walk reference that reads guest-physical memory, charges nothing, writes nothing,
 * and prints each entry it reads. */
struct walk_ctx {
	struct vm *vm;
	bool json;
	int step;
};

static int walk_read(struct cpu *c, void *ctx, u32 gpa, u32 *v, u32 *where)
{
	(void)c;
	struct walk_ctx *w = ctx;
	if ((u64)gpa + 4 > w->vm->ram_size)
		return PW_FAULT;
	memcpy(v, w->vm->ram + gpa, 4);
	*where = gpa;
	const char *level = w->step++ ? "PTE" : "PDE";
	if (w->json)
		printf("{\"type\": \"walk\", \"step\": \"%s\", \"gpa\": \"%#x\", \"entry\": \"%#010x\"}\n", level, gpa, *v);
	else
		printf("  %s at guest-physical 0x%08x = 0x%08x  (present %u, writable %u, user %u, accessed %u%s)\n", level,
		       gpa, *v, *v & 1, (*v >> 1) & 1, (*v >> 2) & 1, (*v >> 5) & 1,
		       w->step == 1 ? ((*v & PTE_PS) ? ", 4 MB page" : "") : ((*v >> 6) & 1) ? ", dirty 1" : ", dirty 0");
	return 0;
}

static void walk_write(struct cpu *c, void *ctx, u32 where, u32 v)
{
	(void)c, (void)ctx, (void)where, (void)v; /* read-only: the guest's A/D bits stay */
}

struct trace_end {
	bool json, dump;
	bool walk;
	u32 addr;
};

/* at_end: --walk and --shadow-dump, on the machine as the run left it. */
static void trace_end_hook(struct trace_end *te, struct vm *vm)
{
	if (te->walk) {
		struct walk_ctx wc = { vm, te->json, 0 };
		struct pw_ref ref = { .read = walk_read, .write = walk_write, .ctx = &wc };
		struct pw_result r;
		u32 pfec = 0;
		if (!te->json)
			printf("\npage walk of linear 0x%08x (directory index %u, table index %u, offset %#x), CR3 0x%08x%s\n",
			       te->addr, pw_dir_index(te->addr), pw_table_index(te->addr), pw_offset(te->addr), vm->cpu.cr3,
			       (vm->cpu.cr0 & CR0_PG) ? "" : " (paging is off: the walk is what it would be)");
		int rc = pw_walk(&vm->cpu, vm->cpu.cr3, te->addr, ACC_READ, &ref, &r, &pfec);
		if (te->json)
			printf("{\"type\": \"walk_result\", \"linear\": \"%#x\", \"ok\": %s, \"gpa\": \"%#x\", \"pfec\": \"%#x\"}\n",
			       te->addr, rc ? "false" : "true", rc ? 0 : r.gpa, rc ? pfec : 0);
		else if (rc)
			printf("  -> not mapped: a read would take #PF with error code %#x (not present)\n", pfec);
		else
			printf("  -> guest-physical 0x%08x (%s page, user %u, writable %u)\n", r.gpa, r.large ? "4 MB" : "4 KB",
			       r.user, r.writable);
	}
	if (te->dump) {
		const struct mmu_ops *m = vm->cpu.mmu;
		if (!te->json)
			printf("\n%s table of the guest's current address space (CR3 %#010x):\n", m->name, vm->cpu.cr3);
		if (m->dump && te->json) {
			/* one JSON line per line of the dump */
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			if (f) {
				m->dump(&vm->cpu, f);
				fclose(f);
				for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
					nl = strchr(line, '\n');
					if (nl)
						*nl = 0;
					printf("{\"type\": \"dump\", \"mmu\": \"%s\", \"text\": ", m->name);
					json_string(stdout, line);
					printf("}\n");
				}
				free(buf);
			}
		} else if (m->dump)
			m->dump(&vm->cpu, stdout);
		else if (!te->json)
			printf("  (the %s MMU keeps no table of its own: the processor walks the guest's)\n", m->name);
	}
}

struct trace_all {
	struct trace t;
	struct trace_end e;
};

static void trace_at_end(void *opaque, struct vm *vm)
{
	struct trace_all *a = opaque;
	trace_end_hook(&a->e, vm);
}

static void trace_usage(FILE *out)
{
	fprintf(out,
		"usage: bench trace WORKLOAD|KERNEL [options]\n"
		"The exits of the measured region (begin marker to end marker) one by one, with\n"
		"reason, kind, what the VMM did, guest EIP, qualification and modeled cycles,\n"
		"interleaved with the guest's console lines. See docs/glossary.md.\n\n"
		"  --config C,...     configurations (default hvm/shadow)\n"
		"  --profile P        CPU profile (default p4-2006)\n"
		"  --set k=v          override a workload argument (repeatable)\n"
		"  --cmdline S        the command line, when tracing a KERNEL file\n"
		"  --limit N          print at most N exits (the summary counts them all)\n"
		"  --reason NAME      only exits of this reason (EXCEPTION_NMI, CR_ACCESS, ...)\n"
		"  --format F         text (default) or jsonl (one JSON object per line)\n"
		"  --walk ADDR        at the end, walk the guest's page tables for linear ADDR\n"
		"  --shadow-dump      at the end, print the MMU's own table (shadow or nested)\n"
		"  --kernel FILE      guest image (default build/guest/kernel.elf)\n"
		"  --help             this text\n");
}

int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' }, { "profile", required_argument, 0, 'p' },
		{ "set", required_argument, 0, 's' },    { "format", required_argument, 0, 'f' },
		{ "kernel", required_argument, 0, 'k' }, { "limit", required_argument, 0, 'l' },
		{ "reason", required_argument, 0, 'r' }, { "walk", required_argument, 0, 'w' },
		{ "shadow-dump", no_argument, 0, 'D' },  { "cmdline", required_argument, 0, 'C' },
		{ "help", no_argument, 0, 'h' },         { 0, 0, 0, 0 },
	};
	const char *config_arg = "hvm/shadow", *profile = "p4-2006", *kernel = NULL, *format = "text";
	const char *reason = NULL, *cmdline = "";
	static struct trace_all ta;
	memset(&ta, 0, sizeof(ta));
	ta.t.limit = -1;
	const char *sets[SELECT_MAX_SETS];
	int nsets = 0, o;
	char *end;
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': config_arg = optarg; break;
		case 'p': profile = optarg; break;
		case 's':
			if (select_add_set(sets, &nsets, optarg, "bench trace"))
				return BENCH_EXIT_USAGE;
			break;
		case 'f': format = optarg; break;
		case 'k': kernel = optarg; break;
		case 'C': cmdline = optarg; break;
		case 'l':
			ta.t.limit = strtol(optarg, &end, 10);
			if (*end || !*optarg || ta.t.limit < 0) {
				fprintf(stderr, "bench trace: --limit needs a number of exits, not '%s'\n", optarg);
				return BENCH_EXIT_USAGE;
			}
			break;
		case 'r': reason = optarg; break;
		case 'w': {
			unsigned long a = strtoul(optarg, &end, 0);
			if (*end || !*optarg || a > 0xffffffffu) {
				fprintf(stderr, "bench trace: --walk needs a linear address (0x1000 or 4096), not '%s'\n", optarg);
				return BENCH_EXIT_USAGE;
			}
			ta.e.walk = true;
			ta.e.addr = (u32)a;
			break;
		}
		case 'D': ta.e.dump = true; break;
		case 'h': trace_usage(stdout); return 0;
		default: fprintf(stderr, "bench trace: bad option (bench trace --help)\n"); return BENCH_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "bench trace: expected one WORKLOAD or KERNEL file (bench trace --help)\n");
		return BENCH_EXIT_USAGE;
	}
	if (strcmp(format, "text") && strcmp(format, "jsonl")) {
		fprintf(stderr, "bench trace: unknown format '%s' (formats: text, jsonl)\n", format);
		return BENCH_EXIT_USAGE;
	}
	ta.t.json = ta.e.json = !strcmp(format, "jsonl");
	ta.t.reason = EXIT_REASON_MAX;
	if (reason) {
		const char *names[EXIT_REASON_MAX];
		size_t nn = 0;
		for (u32 r = 0; r < EXIT_REASON_MAX; r++)
			if (strcmp(exit_reason_name(r), "UNKNOWN")) {
				names[nn++] = exit_reason_name(r);
				if (!strcmp(exit_reason_name(r), reason))
					ta.t.reason = r;
			}
		if (ta.t.reason == EXIT_REASON_MAX) {
			char err[512];
			snprintf(err, sizeof(err), "unknown exit reason '%s' (see docs/glossary.md)", reason);
			suggest_append(err, sizeof(err), reason, names, nn);
			fprintf(stderr, "bench trace: %s\n", err);
			return BENCH_EXIT_USAGE;
		}
	}
	/* A kernel file instead of a workload: a workload of its own command line. */
	const char *target = argv[optind];
	struct stat sb;
	size_t tl = strlen(target);
	bool is_kernel = !stat(target, &sb) && S_ISREG(sb.st_mode) && !(tl > 4 && !strcmp(target + tl - 4, ".lua"));
	char err[1024];
	static struct selection sel;
	static char wname[] = "kernel";
	if (is_kernel) {
		if (nsets) {
			fprintf(stderr, "bench trace: --set is for workloads; give a kernel's arguments with --cmdline\n");
			return BENCH_EXIT_USAGE;
		}
		if (select_load(&sel, "bench trace", "syscall-heavy", NULL, 0, profile, config_arg, err, sizeof(err))) {
			fprintf(stderr, "bench trace: %s\n", err);
			return BENCH_EXIT_USAGE;
		}
		struct workload *w = &sel.w;
		snprintf(w->name, sizeof(w->name), "%s", wname);
		if (strlen(cmdline) >= sizeof(w->program)) {
			fprintf(stderr, "bench trace: --cmdline longer than %zu characters\n", sizeof(w->program) - 1);
			select_free(&sel);
			return BENCH_EXIT_USAGE;
		}
		snprintf(w->program, sizeof(w->program), "%s", cmdline);
		w->nargs = 0;
		w->disk_sectors = 0;
		kernel = target;
	} else if (select_load(&sel, "bench trace", target, sets, nsets, profile, config_arg, err, sizeof(err))) {
		fprintf(stderr, "bench trace: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	if (!kernel)
		kernel = run_default_kernel();
	struct run_hooks hooks = { .opaque = &ta, .at_start = trace_start, .on_exit = trace_exit,
				   .on_console = trace_console, .at_end = trace_at_end };
	int status = 0;
	char cl[2048];
	workload_cmdline(&sel.w, cl, sizeof(cl));
	for (int i = 0; i < sel.ntodo && !status; i++) {
		struct run_result rr = { 0 };
		ta.t.shown = ta.t.seen = ta.t.hidden_by_limit = 0;
		ta.t.cycles_seen = 0;
		if (ta.t.json)
			printf("{\"type\": \"run\", \"config\": \"%s\", \"profile\": \"%s\", \"cmdline\": ", sel.todo[i]->name,
			       sel.prof.name);
		else
			printf("%sbench trace %s under %s on %s: exits of the measured region\n"
			       "  %6s %10s  %-18s %-9s %-12s %8s  %s\n",
			       i ? "\n" : "", cl, sel.todo[i]->name, sel.prof.name, "#", "at cycle", "reason", "kind",
			       "guest eip", "cycles", "what the VMM did; qualification");
		if (ta.t.json) {
			json_string(stdout, cl);
			printf("}\n");
		}
		if (run_one(&sel.w, sel.todo[i], profile, kernel, &hooks, &rr, err, sizeof(err))) {
			fflush(stdout);
			fprintf(stderr, "bench trace: %s\n", err);
			status = BENCH_EXIT_USAGE;
			break;
		}
		if (ta.t.json)
			printf("{\"type\": \"summary\", \"exits\": %ld, \"shown\": %ld, \"cycles\": %" PRIu64 "}\n", ta.t.seen,
			       ta.t.shown, ta.t.cycles_seen);
		else
			printf("  %ld exit%s%s in the measured region, %" PRIu64 " modeled cycles handling them%s\n", ta.t.seen,
			       ta.t.seen == 1 ? "" : "s", reason ? " of that reason" : "", ta.t.cycles_seen,
			       ta.t.hidden_by_limit ? " (--limit: not all shown)" : "");
		run_result_free(&rr);
	}
	select_free(&sel);
	return status;
}
