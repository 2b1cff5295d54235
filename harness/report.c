/*
 * report.c — the --stats summary and the --stats-json object of a run.
 */
#include "report.h"

#include <inttypes.h>
#include <string.h>

void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static double per_sec(u64 n, double s) { return s > 0 ? (double)n / s : 0; }

void report_text(FILE *out, const struct vm *vm, const struct host_time *ht)
{
	const struct stats *st = &vm->stats;
	u64 insns = vm->cpu.insns, now = vm->cost.now;
	fprintf(out, "ringlab: %s, engine %s, mmu %s, profile %s\n", vm_status_name(vm->status),
		vm->engine->name, vm->cpu.mmu->name, vm->prof.name);
	if (vm->reason[0])
		fprintf(out, "  reason                 %s\n", vm->reason);
	fprintf(out, "  guest instructions     %" PRIu64 "  (ended at CS:EIP %04x:%08x, CPL %u)\n", insns,
		vm->cpu.seg[SEG_CS].sel, vm->cpu.eip, vm->cpu.cpl);
	fprintf(out, "  modeled cycles         %" PRIu64 "  (%.6f modeled s at %.2f GHz)\n", now,
		(double)now / (double)vm->prof.v[P_HZ], (double)vm->prof.v[P_HZ] / 1e9);
	for (int k = 0; k < COST_NCAT; k++) {
		u64 v = cost_category(&vm->cost, (enum cost_cat)k);
		fprintf(out, "    %-20s %15" PRIu64 "  %5.1f%%\n", cost_category_name((enum cost_cat)k), v,
			now ? 100.0 * (double)v / (double)now : 0.0);
	}
	fprintf(out, "  itlb / dtlb misses     %" PRIu64 " / %" PRIu64 "\n", stats_get(st, "tlb.itlb_misses"),
		stats_get(st, "tlb.dtlb_misses"));
	fprintf(out, "  page-walk references   %" PRIu64 "\n", stats_get(st, "mem.walk_refs"));
	fprintf(out, "  exceptions            ");
	bool any = false;
	for (int v = 0; v < 32; v++) {
		char name[32];
		snprintf(name, sizeof(name), "cpu.exceptions.%d", v);
		u64 n = stats_get(st, name);
		if (n) {
			fprintf(out, " #%d:%" PRIu64, v, n);
			any = true;
		}
	}
	fprintf(out, "%s\n", any ? "" : " none");
	fprintf(out, "  interrupts             %" PRIu64 " external, %" PRIu64 " software\n",
		stats_get(st, "cpu.interrupts"), stats_get(st, "cpu.soft_ints"));
	fprintf(out, "  port accesses         ");
	for (unsigned i = 0; i < st->n; i++)
		if (!strncmp(st->name[i], "io.", 3) && st->value[i])
			fprintf(out, " %s:%" PRIu64, st->name[i] + 3, st->value[i]);
	fprintf(out, "\n");
	/* requests a VMM refused, by reason (pv.refused.*), and their total */
	u64 refused = 0;
	for (unsigned i = 0; i < st->n; i++) {
		const char *r = strstr(st->name[i], ".refused.");
		if (r && st->value[i]) {
			if (!refused)
				fprintf(out, "  refused requests      ");
			fprintf(out, " %s:%" PRIu64, r + 9, st->value[i]);
			refused += st->value[i];
		}
	}
	if (refused)
		fprintf(out, "  (total %" PRIu64 ")\n", refused);
	u64 exits = stats_get(st, "cpu.exits");
	fprintf(out, "  exits                  %" PRIu64 "\n", exits);
	for (u32 r = 0; r < EXIT_REASON_MAX; r++)
		if (vm->exits_by_reason[r] && *vm->exits_by_reason[r])
			fprintf(out, "    %-20s %12" PRIu64 " exits %14" PRIu64 " modeled cycles handling them\n",
				exit_reason_name(r), *vm->exits_by_reason[r],
				vm->exit_cycles[r] ? *vm->exit_cycles[r] : 0);
	fprintf(out, "  host time              %.3f s wall, %.3f s CPU\n", ht->seconds, ht->cpu_seconds);
	fprintf(out, "  guest insns per host s %.1f M\n", per_sec(insns, ht->seconds) / 1e6);
}

int report_json(FILE *out, const struct vm *vm, const struct host_time *ht)
{
	const struct stats *st = &vm->stats;
	fprintf(out, "{\"status\": ");
	json_string(out, vm_status_name(vm->status));
	fprintf(out, ", \"exit_code\": %d, \"reason\": ", vm->exit_code);
	json_string(out, vm->reason);
	fprintf(out, ", \"engine\": ");
	json_string(out, vm->engine->name);
	fprintf(out, ", \"mmu\": ");
	json_string(out, vm->cpu.mmu->name);
	fprintf(out, ", \"profile\": ");
	json_string(out, vm->prof.name);
	fprintf(out, ",\n \"guest_instructions\": %" PRIu64 ", \"modeled_cycles\": %" PRIu64,
		vm->cpu.insns, vm->cost.now);
	fprintf(out, ",\n \"cycles_by_category\": {");
	for (int k = 0; k < COST_NCAT; k++)
		fprintf(out, "%s\"%s\": %" PRIu64, k ? ", " : "", cost_category_name((enum cost_cat)k),
			cost_category(&vm->cost, (enum cost_cat)k));
	fprintf(out, "},\n \"exits\": {");
	bool first = true;
	for (u32 r = 0; r < EXIT_REASON_MAX; r++)
		if (vm->exits_by_reason[r] && *vm->exits_by_reason[r]) {
			fprintf(out, "%s\"%s\": %" PRIu64, first ? "" : ", ", exit_reason_name(r),
				*vm->exits_by_reason[r]);
			first = false;
		}
	fprintf(out, "},\n \"counters\": {");
	first = true;
	for (unsigned i = 0; i < st->n; i++) {
		if (!st->value[i])
			continue;
		fprintf(out, "%s\n  ", first ? "" : ",");
		json_string(out, st->name[i]);
		fprintf(out, ": %" PRIu64, st->value[i]);
		first = false;
	}
	fprintf(out, "},\n \"marks\": [");
	for (unsigned i = 0; i < vm->nmarks; i++) {
		const struct vm_mark *m = &vm->marks[i];
		fprintf(out, "%s{\"code\": \"%s\", \"arg\": %u, \"guest_instructions\": %" PRIu64
			", \"modeled_cycles\": %" PRIu64 "}",
			i ? ", " : "", m->code == MARK_BEGIN ? "begin" : "end", m->arg, m->insns, m->cost.now);
	}
	fprintf(out, "],\n \"host_seconds\": %.6f, \"host_cpu_seconds\": %.6f, \"host_timer\": \"clock_gettime+getrusage\"}\n",
		ht->seconds, ht->cpu_seconds);
	return ferror(out) ? -1 : 0;
}
