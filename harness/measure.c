/*
 * measure.c — measurements from markers and @result lines (see measure.h).
 */
#include "measure.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse one "@result ..." line into m (name, ops, guest cycles, then up to MEAS_VALUES
 * optional key=N pairs; anything else after cycles= makes the line malformed). */
static int parse_result(const char *line, struct measurement *m)
{
	char name[48];
	unsigned long long ops, cyc;
	int used = 0;
	if (sscanf(line, "@result name=%47s ops=%llu cycles=%llu%n", name, &ops, &cyc, &used) != 3)
		return -1;
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->ops = ops;
	m->guest_cycles = cyc;
	m->nvalues = 0;
	for (const char *p = line + used; *p && *p != '\n' && *p != '\r';) {
		char key[24];
		unsigned long long v;
		int k = 0;
		if (*p == ' ') {
			p++;
			continue;
		}
		if (m->nvalues == MEAS_VALUES || sscanf(p, "%23[a-z_]=%llu%n", key, &v, &k) != 2 || !k)
			return -1;
		snprintf(m->value_name[m->nvalues], sizeof(m->value_name[0]), "%s", key);
		m->value[m->nvalues++] = v;
		p += k;
	}
	return 0;
}

/* Find the marker of `code` with argument `arg` at or after index *from. */
static const struct vm_mark *find_mark(const struct vm *vm, u32 code, u32 arg, unsigned *from)
{
	for (unsigned i = *from; i < vm->nmarks; i++)
		if (vm->marks[i].code == code && vm->marks[i].arg == arg) {
			*from = i + 1;
			return &vm->marks[i];
		}
	return NULL;
}

int measure_extract(const struct vm *vm, const char *console, struct measurement *out,
		    unsigned max, char *err, size_t errlen)
{
	unsigned n = 0, from = 0;
	for (const char *p = console; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > 8 && !strncmp(p, "@result ", 8)) {
			char line[256];
			snprintf(line, sizeof(line), "%.*s", (int)(len < 255 ? len : 255), p);
			if (n >= max) {
				snprintf(err, errlen, "more than %u measurements", max);
				return -1;
			}
			struct measurement *m = &out[n];
			memset(m, 0, sizeof(*m));
			if (parse_result(line, m)) {
				snprintf(err, errlen, "malformed guest line '%s'", line);
				return -1;
			}
			const struct vm_mark *b = find_mark(vm, MARK_BEGIN, n, &from);
			const struct vm_mark *e = b ? find_mark(vm, MARK_END, n, &from) : NULL;
			if (!b || !e) {
				snprintf(err, errlen, "measurement %u (%s) has no begin/end markers", n, m->name);
				return -1;
			}
			m->insns = e->insns - b->insns;
			m->cycles = e->cost.now - b->cost.now;
			for (int k = 0; k < COST_NCAT; k++)
				m->cat[k] = cost_category(&e->cost, (enum cost_cat)k) -
					    cost_category(&b->cost, (enum cost_cat)k);
			for (unsigned i = 0; i < vm->stats.n; i++) {
				u64 d = e->counters[i] - b->counters[i];
				if (d && m->ncounters < MEAS_COUNTERS) {
					memcpy(m->counter_name[m->ncounters], vm->stats.name[i], STATS_NAME_MAX);
					m->counter[m->ncounters++] = d;
				}
			}
			n++;
		}
		p = eol ? eol + 1 : NULL;
	}
	return (int)n;
}

u64 measure_sum(const struct measurement *m, const char *prefix)
{
	u64 s = 0;
	size_t l = strlen(prefix);
	for (unsigned i = 0; i < m->ncounters; i++)
		if (!strncmp(m->counter_name[i], prefix, l))
			s += m->counter[i];
	return s;
}
