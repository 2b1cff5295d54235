/*
 * explain.c — `bench explain WORKLOAD`: every number of a measurement with its
 * meaning, modelled on `perf kvm stat report`.
 *
 * A student reads `pgfault hvm/shadow 40040 cycles/op, EXCEPTION_NMI 4.01, transition
 * 80%` and wants to know why. For the measured region of each measurement (begin to
 * end marker) and each configuration, explain prints:
 *   - where the modeled cycles went, by category, per operation, and against native:
 *     which categories the extra cycles are in;
 *   - the exits by reason, as perf kvm stat does: count, % of exits, per operation,
 *     total and average modeled cycles of handling them (exits.NAME, exit_cycles.NAME),
 *     with what the reason means (exit_reason_help);
 *   - the page faults by outcome: under shadow paging a #PF exit is a hidden fault the
 *     VMM fills, a write to a write-protected guest page table it emulates, or the
 *     guest's own fault it reflects (shadow.*); under nested paging the guest takes its
 *     #PF itself and the VMM sees EPT violations (nested.*);
 *   - every non-zero counter with its one-line description, which lives beside the
 *     counter's definition in the core (stats_desc), so a new engine explains its own;
 *   - a legend of the categories, pointing to docs/glossary.md.
 * Nothing here is host time: explain shows modeled cycles only, so its output is the
 * same on every host (the golden file tests/golden/explain-pgfault.txt relies on it).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "core/exit.h"
#include "report.h"
#include "runone.h"
#include "select.h"

/* What each cost category holds, for the legend (DESIGN §4, core/cost.h). */
static const char *const category_help[COST_NCAT] = {
	[COST_GUEST] = "guest instructions executing at their modeled cost (all cycles not in another category)",
	[COST_MEM] = "page-walk memory references after TLB misses (mem.walk_refs; nested walks cost up to 3x more)",
	[COST_TRAP] = "the processor delivering exceptions and interrupts to the guest and IRET back (native mechanics)",
	[COST_TRANSITION] = "VM exits and VM entries (world switches), BT callouts, hypercall transitions",
	[COST_VMM] = "VMM software: handler entry, instruction emulation, page-table entries read and written",
	[COST_TRANSLATE] = "binary translation of guest code (bt engine)",
	[COST_IO] = "device latency (native) or device emulation (virtual)",
	[COST_IDLE] = "halted, waiting for the next timer interrupt",
};

/* Counter descriptions, collected from the machine at the end of each run. */
#define DESC_MAX 1024
static struct {
	unsigned n;
	char name[DESC_MAX][STATS_NAME_MAX];
	char desc[DESC_MAX][STATS_DESC_MAX];
} descs;

/* at_end hook: remember the description of every counter the machine defined. */
static void collect_descs(void *opaque, struct vm *vm)
{
	(void)opaque;
	for (unsigned i = 0; i < vm->stats.n; i++) {
		bool known = false;
		for (unsigned k = 0; k < descs.n && !known; k++)
			known = !strcmp(descs.name[k], vm->stats.name[i]);
		if (!known && descs.n < DESC_MAX) {
			memcpy(descs.name[descs.n], vm->stats.name[i], STATS_NAME_MAX);
			memcpy(descs.desc[descs.n], vm->stats.desc[i], STATS_DESC_MAX);
			descs.n++;
		}
	}
}

/* The description of counter `name` ("" if unknown). */
static const char *desc_of(const char *name)
{
	for (unsigned k = 0; k < descs.n; k++)
		if (!strcmp(descs.name[k], name))
			return descs.desc[k];
	return "";
}

/* The value of counter `name` in m (0 if absent: zero in the measured region). */
static u64 counter(const struct measurement *m, const char *name)
{
	for (unsigned i = 0; i < m->ncounters; i++)
		if (!strcmp(m->counter_name[i], name))
			return m->counter[i];
	return 0;
}

/* The exit reason number of an SDM name, or EXIT_REASON_MAX. */
static u32 reason_of(const char *name)
{
	for (u32 r = 0; r < EXIT_REASON_MAX; r++)
		if (!strcmp(exit_reason_name(r), name))
			return r;
	return EXIT_REASON_MAX;
}

static double per(u64 v, u64 ops) { return ops ? (double)v / (double)ops : 0.0; }
static double pct(u64 v, u64 all) { return all ? 100.0 * (double)v / (double)all : 0.0; }

/* One exit reason of a measurement. */
struct reason_row {
	const char *name;
	u64 count, cycles;
};

/* The exit reasons of m, most cycles first. Returns how many. */
static unsigned reasons(const struct measurement *m, struct reason_row *out, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < m->ncounters && n < max; i++)
		if (!strncmp(m->counter_name[i], "exits.", 6)) {
			char cyc[STATS_NAME_MAX + 8];
			snprintf(cyc, sizeof(cyc), "exit_cycles.%s", m->counter_name[i] + 6);
			out[n++] = (struct reason_row){ m->counter_name[i] + 6, m->counter[i], counter(m, cyc) };
		}
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && (out[j].cycles > out[j - 1].cycles ||
					       (out[j].cycles == out[j - 1].cycles && strcmp(out[j].name, out[j - 1].name) < 0));
		     j--) {
			struct reason_row t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/* The page-fault outcomes of m, as (label, value, counter) rows. Returns how many. */
struct pf_row {
	const char *label, *source;
	u64 value;
};
static unsigned pf_outcomes(const struct measurement *m, struct pf_row *out)
{
	unsigned n = 0;
	u64 hidden = counter(m, "shadow.hidden_faults"), traced = counter(m, "shadow.traced_writes");
	u64 truef = counter(m, "shadow.true_faults");
	if (hidden || truef) {
		out[n++] = (struct pf_row){ "hidden faults: the VMM filled a shadow entry, the guest never knew",
					    "shadow.hidden_faults - shadow.traced_writes", hidden - traced };
		out[n++] = (struct pf_row){ "traced writes: guest wrote a write-protected page table, VMM emulated it",
					    "shadow.traced_writes", traced };
		out[n++] = (struct pf_row){ "true faults: the guest's own #PF, reflected to its handler",
					    "shadow.true_faults", truef };
	}
	u64 viol = counter(m, "nested.ept_violations");
	if (viol || counter(m, "nested.walks")) {
		out[n++] = (struct pf_row){ "EPT violations: guest-physical page not yet in the nested table",
					    "nested.ept_violations", viol };
		out[n++] = (struct pf_row){ "two-dimensional walks after TLB misses", "nested.walks",
					    counter(m, "nested.walks") };
	}
	return n;
}

/* One paragraph answering "why is this slower than native?": the extra cycles per
 * operation, how much of them handling exits accounts for, and the categories the
 * extra is in, largest first. */
static void in_short(const struct measurement *m, const struct measurement *nm, u64 nexits, u64 ecycles)
{
	double extra = per(m->cycles, m->ops) - per(nm->cycles, nm->ops);
	printf("\n  in short: %+.1f modeled cycles per op over native", extra);
	if (nexits && extra > 0)
		printf(";\n    %.2f exits per op x %.1f cycles per exit = %.1f cycles per op handling exits\n    (%.0f%% of the extra)",
		       per(nexits, m->ops), per(ecycles, nexits), per(ecycles, m->ops),
		       100.0 * per(ecycles, m->ops) / extra);
	printf(";\n    the extra by category:");
	int order[COST_NCAT];
	double d[COST_NCAT];
	for (int k = 0; k < COST_NCAT; k++) {
		order[k] = k;
		d[k] = per(m->cat[k], m->ops) - per(nm->cat[k], nm->ops);
	}
	for (int i = 1; i < COST_NCAT; i++)
		for (int j = i; j > 0 && d[order[j]] > d[order[j - 1]]; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	int shown = 0;
	for (int i = 0; i < COST_NCAT; i++) {
		double v = d[order[i]];
		if (v > -0.05 && v < 0.05)
			continue;
		printf("%s %s %+.1f", shown++ ? "," : "", cost_category_name((enum cost_cat)order[i]), v);
		if (shown == 4)
			break;
	}
	printf("\n");
}

struct explain_opts {
	const char *format, *only;
};

/* The measurement of `r` named `name`, or NULL. */
static const struct measurement *find_meas(const struct run_result *r, const char *name)
{
	for (int i = 0; r && i < r->nmeas; i++)
		if (!strcmp(r->meas[i].name, name))
			return &r->meas[i];
	return NULL;
}

/* Print measurement m of configuration r as text; nm is native's, or NULL. */
static void text_measurement(const struct run_result *r, const struct measurement *m,
			     const struct measurement *nm)
{
	double cpo = per(m->cycles, m->ops), ncpo = nm ? per(nm->cycles, nm->ops) : 0;
	printf("\n== %s, measurement %s: %" PRIu64 " ops, %.1f modeled cycles/op", r->cfg->name, m->name, m->ops, cpo);
	if (nm && ncpo > 0)
		printf(" (%.2fx native)", cpo / ncpo);
	printf("\n\n  where the cycles went      cycles/op   share");
	if (nm && nm != m)
		printf("   vs native");
	printf("\n");
	for (int k = 0; k < COST_NCAT; k++) {
		u64 v = m->cat[k], nv = nm ? nm->cat[k] : 0;
		if (!v && !nv)
			continue;
		printf("    %-22s %12.1f  %5.1f%%", cost_category_name((enum cost_cat)k), per(v, m->ops), pct(v, m->cycles));
		if (nm && nm != m)
			printf("  %+10.1f", per(v, m->ops) - per(nv, nm->ops));
		printf("\n");
	}
	printf("    %-22s %12.1f  100.0%%", "total", cpo);
	if (nm && nm != m)
		printf("  %+10.1f", cpo - ncpo);
	printf("\n");

	struct reason_row rr[64];
	unsigned nr = reasons(m, rr, 64);
	u64 nexits = 0, ecycles = 0;
	for (unsigned i = 0; i < nr; i++)
		nexits += rr[i].count, ecycles += rr[i].cycles;
	if (!nr) {
		printf("\n  exits: none in the measured region (the guest never left for a VMM)\n");
	} else {
		printf("\n  %-20s %8s %7s %8s %13s %11s %7s\n", "exit reason", "count", "%exits", "per op",
		       "total cycles", "avg cycles", "%time");
		for (unsigned i = 0; i < nr; i++)
			printf("  %-20s %8" PRIu64 " %6.1f%% %8.2f %13" PRIu64 " %11.1f %6.1f%%\n", rr[i].name, rr[i].count,
			       pct(rr[i].count, nexits), per(rr[i].count, m->ops), rr[i].cycles,
			       per(rr[i].cycles, rr[i].count), pct(rr[i].cycles, m->cycles));
		printf("  %-20s %8" PRIu64 " %6.1f%% %8.2f %13" PRIu64 " %11.1f %6.1f%%\n", "total", nexits, 100.0,
		       per(nexits, m->ops), ecycles, per(ecycles, nexits), pct(ecycles, m->cycles));
		printf("  (cycles of an exit: its transition, the VMM's work and the emulation it asked for;\n"
		       "   %%time is the share of all the measurement's modeled cycles)\n");
		for (unsigned i = 0; i < nr; i++)
			printf("    %-18s %s\n", rr[i].name, exit_reason_help(reason_of(rr[i].name)));
	}

	if (nm && nm != m && ncpo > 0)
		in_short(m, nm, nexits, ecycles);

	struct pf_row pf[8];
	unsigned npf = pf_outcomes(m, pf);
	u64 guest_pf = counter(m, "cpu.exceptions.14");
	if (npf || guest_pf) {
		printf("\n  page faults          count   per op\n");
		printf("    %8" PRIu64 " %8.2f  #PF the guest's own handler received (cpu.exceptions.14)\n", guest_pf,
		       per(guest_pf, m->ops));
		for (unsigned i = 0; i < npf; i++)
			printf("    %8" PRIu64 " %8.2f  %s\n                       = %s\n", pf[i].value, per(pf[i].value, m->ops),
			       pf[i].label, pf[i].source);
	}

	printf("\n  counters of the measured region          total     per op  what it counts\n");
	for (unsigned i = 0; i < m->ncounters; i++)
		if (strncmp(m->counter_name[i], "exits.", 6) && strncmp(m->counter_name[i], "exit_cycles.", 12))
			printf("    %-34s %10" PRIu64 " %10.2f  %s\n", m->counter_name[i], m->counter[i],
		       per(m->counter[i], m->ops), desc_of(m->counter_name[i]));
	if (nr)
		printf("    (exits.NAME and exit_cycles.NAME are the exit table above)\n");
}

/* Print measurement m of r as one JSON object. */
static void json_measurement(const struct run_result *r, const struct measurement *m,
			     const struct measurement *nm, bool first)
{
	printf("%s\n  {\"config\": ", first ? "" : ",");
	json_string(stdout, r->cfg->name);
	printf(", \"measurement\": ");
	json_string(stdout, m->name);
	printf(", \"ops\": %" PRIu64 ", \"modeled_cycles\": %" PRIu64 ", \"cycles_per_op\": %.4f", m->ops, m->cycles,
	       per(m->cycles, m->ops));
	if (nm && nm->cycles)
		printf(", \"overhead\": %.4f", per(m->cycles, m->ops) / per(nm->cycles, nm->ops));
	else
		printf(", \"overhead\": null");
	printf(",\n   \"categories\": {");
	for (int k = 0; k < COST_NCAT; k++)
		printf("%s\"%s\": {\"cycles\": %" PRIu64 ", \"per_op\": %.4f, \"share\": %.4f}", k ? ", " : "",
		       cost_category_name((enum cost_cat)k), m->cat[k], per(m->cat[k], m->ops),
		       pct(m->cat[k], m->cycles) / 100.0);
	printf("},\n   \"exits\": [");
	struct reason_row rr[64];
	unsigned nr = reasons(m, rr, 64);
	u64 nexits = 0;
	for (unsigned i = 0; i < nr; i++)
		nexits += rr[i].count;
	for (unsigned i = 0; i < nr; i++) {
		printf("%s{\"reason\": \"%s\", \"count\": %" PRIu64 ", \"share\": %.4f, \"per_op\": %.4f,"
		       " \"total_cycles\": %" PRIu64 ", \"avg_cycles\": %.2f, \"help\": ",
		       i ? ", " : "", rr[i].name, rr[i].count, pct(rr[i].count, nexits) / 100.0, per(rr[i].count, m->ops),
		       rr[i].cycles, per(rr[i].cycles, rr[i].count));
		json_string(stdout, exit_reason_help(reason_of(rr[i].name)));
		printf("}");
	}
	printf("],\n   \"page_faults\": {\"guest_handled\": %" PRIu64, counter(m, "cpu.exceptions.14"));
	struct pf_row pf[8];
	unsigned npf = pf_outcomes(m, pf);
	for (unsigned i = 0; i < npf; i++) {
		printf(", ");
		json_string(stdout, pf[i].source);
		printf(": %" PRIu64, pf[i].value);
	}
	printf("},\n   \"counters\": [");
	for (unsigned i = 0; i < m->ncounters; i++) {
		printf("%s{\"name\": ", i ? ", " : "");
		json_string(stdout, m->counter_name[i]);
		printf(", \"value\": %" PRIu64 ", \"description\": ", m->counter[i]);
		json_string(stdout, desc_of(m->counter_name[i]));
		printf("}");
	}
	printf("]}");
}

static void explain_usage(FILE *out)
{
	fprintf(out,
		"usage: bench explain WORKLOAD [options]\n"
		"Run WORKLOAD (see bench list) and explain every number of its measured region:\n"
		"cycles by category, exits by reason (like perf kvm stat report), page faults by\n"
		"outcome, every counter with its description. See docs/glossary.md.\n\n"
		"  --config C,...     configurations (default: the workload's, else every valid one)\n"
		"  --profile P        CPU profile (default p4-2006)\n"
		"  --set k=v          override a workload argument (repeatable)\n"
		"  --measurement M    only the measurement named M\n"
		"  --format F         text (default) or json\n"
		"  --kernel FILE      guest image (default build/guest/kernel.elf)\n"
		"  --help             this text\n");
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' }, { "profile", required_argument, 0, 'p' },
		{ "set", required_argument, 0, 's' },    { "format", required_argument, 0, 'f' },
		{ "kernel", required_argument, 0, 'k' }, { "measurement", required_argument, 0, 'm' },
		{ "help", no_argument, 0, 'h' },         { 0, 0, 0, 0 },
	};
	const char *config_arg = NULL, *profile = "p4-2006", *kernel = NULL;
	struct explain_opts eo = { "text", NULL };
	const char *sets[SELECT_MAX_SETS];
	int nsets = 0, o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': config_arg = optarg; break;
		case 'p': profile = optarg; break;
		case 's':
			if (select_add_set(sets, &nsets, optarg, "bench explain"))
				return BENCH_EXIT_USAGE;
			break;
		case 'f': eo.format = optarg; break;
		case 'k': kernel = optarg; break;
		case 'm': eo.only = optarg; break;
		case 'h': explain_usage(stdout); return 0;
		default: fprintf(stderr, "bench explain: bad option (bench explain --help)\n"); return BENCH_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "bench explain: expected one WORKLOAD (see bench list)\n");
		return BENCH_EXIT_USAGE;
	}
	if (strcmp(eo.format, "text") && strcmp(eo.format, "json")) {
		fprintf(stderr, "bench explain: unknown format '%s' (formats: text, json)\n", eo.format);
		return BENCH_EXIT_USAGE;
	}
	char err[1024];
	static struct selection sel;
	if (select_load(&sel, "bench explain", argv[optind], sets, nsets, profile, config_arg, err, sizeof(err))) {
		fprintf(stderr, "bench explain: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	if (!kernel)
		kernel = run_default_kernel();
	struct run_result rs[SELECT_MAX_CONFIGS] = { 0 };
	struct run_hooks hooks = { .at_end = collect_descs };
	int nr = 0, status = 0;
	for (int i = 0; i < sel.ntodo; i++, nr++)
		if (run_one(&sel.w, sel.todo[i], profile, kernel, &hooks, &rs[i], err, sizeof(err))) {
			fprintf(stderr, "bench explain: %s\n", err);
			status = BENCH_EXIT_USAGE;
			break;
		}
	if (!status && eo.only && !find_meas(&rs[0], eo.only)) {
		size_t u = (size_t)snprintf(err, sizeof(err), "no measurement '%s' in %s (measurements:", eo.only, sel.w.name);
		for (int i = 0; i < rs[0].nmeas && u < sizeof(err); i++)
			u += (size_t)snprintf(err + u, sizeof(err) - u, " %s", rs[0].meas[i].name);
		if (u < sizeof(err))
			snprintf(err + u, sizeof(err) - u, ")");
		fprintf(stderr, "bench explain: %s\n", err);
		status = BENCH_EXIT_USAGE;
	}
	char cmdline[2048];
	workload_cmdline(&sel.w, cmdline, sizeof(cmdline));
	const struct run_result *native = nr && !strcmp(rs[0].cfg->name, "native") ? &rs[0] : NULL;
	bool json = !strcmp(eo.format, "json");
	if (!status && json) {
		printf("{\"workload\": ");
		json_string(stdout, sel.w.name);
		printf(", \"profile\": ");
		json_string(stdout, sel.prof.name);
		printf(", \"cmdline\": ");
		json_string(stdout, cmdline);
		printf(", \"glossary\": \"docs/glossary.md\", \"legend\": {");
		for (int k = 0; k < COST_NCAT; k++) {
			printf("%s\"%s\": ", k ? ", " : "", cost_category_name((enum cost_cat)k));
			json_string(stdout, category_help[k]);
		}
		printf("},\n \"measurements\": [");
	} else if (!status) {
		printf("bench explain %s: %s\n", sel.w.name, sel.w.description);
		printf("guest: %s; profile %s (%s)\n", cmdline, sel.prof.name, sel.prof.cpu);
		printf("every number is a modeled cycle of that CPU or a count, over the measured region only\n"
		       "(from the guest's begin marker to its end marker); the terms are in docs/glossary.md\n");
	}
	bool first = true;
	for (int mi = 0; !status && mi < rs[0].nmeas; mi++) {
		const char *name = rs[0].meas[mi].name;
		if (eo.only && strcmp(eo.only, name))
			continue;
		const struct measurement *nm = find_meas(native, name);
		for (int r = 0; r < nr; r++) {
			const struct measurement *m = find_meas(&rs[r], name);
			if (!m)
				continue;
			if (json)
				json_measurement(&rs[r], m, nm, first);
			else
				text_measurement(&rs[r], m, nm);
			first = false;
		}
	}
	if (!status && json) {
		printf("]}\n");
	} else if (!status) {
		printf("\nlegend: where the cycles went (every modeled cycle is charged to exactly one)\n");
		for (int k = 0; k < COST_NCAT; k++)
			printf("  %-11s %s\n", cost_category_name((enum cost_cat)k), category_help[k]);
		printf("  vs native   cycles per operation more (+) or fewer (-) than native spends there\n"
		       "modeled cycles are the profile CPU's cycles as the cost model charges them; host time\n"
		       "(how long the simulation took here) is not shown. Glossary: docs/glossary.md\n");
	}
	for (int r = 0; r < nr; r++)
		run_result_free(&rs[r]);
	select_free(&sel);
	return status;
}
