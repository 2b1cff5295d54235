/*
 * test_harness.c — the harness's pieces: workload files through the Lua bindings (a
 * valid file, argument overrides, the command line, derived metrics, and each kind of
 * error with its file and line), the results store (save, query, provenance), and
 * measurement extraction from markers and @result lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/measure.h"
#include "harness/results.h"
#include "harness/workload.h"

/* bench.h's helpers, which main.c normally provides */
const char *bench_root(void);
const char *bench_root(void) { return "."; }
const char *bench_profile_dir(void);
const char *bench_profile_dir(void) { return "profiles"; }
const char *bench_build_dir(void);
const char *bench_build_dir(void) { return "build"; }
const char *bench_workload_dir(void);
const char *bench_workload_dir(void) { return "workloads"; }

static char dir[64];

static const char *write_file(const char *name, const char *text)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/ringlab-harness-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_workload_valid(void **state)
{
	struct workload w;
	char err[512], cmd[256];
	const char *p = write_file("ok.lua",
				   "return { description = 'd', program = 'memwalk',\n"
				   "  args = { pages = 64, stride = 2 }, configs = { 'native' },\n"
				   "  derived = { half = function(m) return m.cycles_per_op / 2 end } }\n");
	assert_int_equal(workload_load(&w, p, err, sizeof(err)), 0);
	assert_string_equal(w.name, "ok");
	assert_string_equal(w.program, "memwalk");
	workload_cmdline(&w, cmd, sizeof(cmd));
	assert_string_equal(cmd, "memwalk pages=64 stride=2"); /* sorted keys */
	assert_int_equal(workload_set(&w, "stride=4", err, sizeof(err)), 0);
	assert_int_equal(workload_set(&w, "passes=3", err, sizeof(err)), 0);
	workload_cmdline(&w, cmd, sizeof(cmd));
	assert_string_equal(cmd, "memwalk pages=64 stride=4 passes=3");
	assert_int_equal(workload_set(&w, "nokey", err, sizeof(err)), -1);
	assert_int_equal(w.nconfigs, 1);
	const char *keys[] = { "cycles_per_op" };
	double vals[] = { 10 }, out = 0;
	assert_int_equal(workload_derive(&w, 0, keys, vals, 1, &out, err, sizeof(err)), 0);
	assert_true(out == 5.0);
	workload_free(&w);
}

static void test_workload_errors(void **state)
{
	struct workload w;
	char err[512];
	const char *p = write_file("syntax.lua", "return {\n program = 'x',\n args = { n = }\n}\n");
	assert_int_equal(workload_load(&w, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "syntax.lua:3:"));
	p = write_file("field.lua", "return { program = 'x', colour = 1 }\n");
	assert_int_equal(workload_load(&w, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown field 'colour'"));
	p = write_file("noprog.lua", "return { args = { n = 1 } }\n");
	assert_int_equal(workload_load(&w, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'program'"));
	p = write_file("sandbox.lua", "os.execute('true')\nreturn { program = 'x' }\n");
	assert_int_equal(workload_load(&w, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "sandbox.lua:1:"));
	p = write_file("notable.lua", "return 42\n");
	assert_int_equal(workload_load(&w, p, err, sizeof(err)), -1);
	assert_int_equal(workload_load_named(&w, dir, "missing", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown workload 'missing'"));
}

static void on_run(void *opaque, long long id, const char *workload, const char *config,
		   const char *profile, const char *date, const char *json)
{
	int *n = opaque;
	assert_string_equal(workload, "w");
	assert_string_equal(json, "{\"x\": 1}");
	(*n)++;
}

static void on_m(void *opaque, long long id, const char *workload, const char *config,
		 const char *profile, const char *rev, const char *date, const struct measurement_row *m)
{
	int *n = opaque;
	assert_string_equal(rev, "abc123");
	assert_string_equal(m->name, "syscall");
	assert_int_equal(m->ops, 10);
	(*n)++;
}

static void test_results_store(void **state)
{
	char path[128], err[512];
	snprintf(path, sizeof(path), "%s/r.db", dir);
	struct results *r = results_open(path, err, sizeof(err));
	assert_non_null(r);
	struct run_row run = { .workload = "w", .config = "native", .engine = "native", .mmu = "direct",
			       .profile = "p4-2006", .profile_hash = "h", .args = "n=10",
			       .cmdline = "syscall n=10", .guest_hash = "g", .git_rev = "abc123", .host = "host",
			       .date = "2026-01-01", .status = "ok", .host_timer = "clock", .host_seconds = 0.5,
			       .guest_instructions = 100, .modeled_cycles = 1000, .json = "{\"x\": 1}" };
	struct measurement_row m = { .name = "syscall", .ops = 10, .modeled_cycles = 1000, .cycles_per_op = 100.0,
				     .overhead = 1.0, .categories = "guest=1000", .exits = "" };
	long long id = results_save(r, &run, &m, 1, err, sizeof(err));
	assert_true(id > 0);
	int n = 0;
	assert_int_equal(results_each_run(r, "w", on_run, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(results_each_measurement(r, NULL, on_m, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	char *json = results_run_json(r, id);
	assert_string_equal(json, "{\"x\": 1}");
	free(json);
	results_close(r);
	assert_null(results_open("/nonexistent/dir/r.db", err, sizeof(err)));
}

static void test_measure_from_marks(void **state)
{
	static struct vm vm;
	memset(&vm, 0, sizeof(vm));
	u64 *c = stats_counter(&vm.stats, "exits.CPUID", "CPUID exits (count)");
	static u64 a[STATS_MAX], b[STATS_MAX];
	struct vm_mark marks[2] = { { MARK_BEGIN, 0, 100, { 0 }, a }, { MARK_END, 0, 300, { 0 }, b } };
	marks[0].cost.now = 1000;
	marks[1].cost.now = 5000;
	marks[1].cost.cat[COST_TRAP] = 400;
	(void)c;
	b[0] = 7; /* exits.CPUID delta */
	vm.marks = marks;
	vm.nmarks = 2;
	struct measurement *m = calloc(2, sizeof(*m));
	char err[256];
	int n = measure_extract(&vm, "hello\n@result name=cpuid ops=7 cycles=123\n", m, 2, err, sizeof(err));
	assert_int_equal(n, 1);
	assert_string_equal(m[0].name, "cpuid");
	assert_int_equal(m[0].ops, 7);
	assert_int_equal(m[0].cycles, 4000);
	assert_int_equal(m[0].insns, 200);
	assert_int_equal(m[0].cat[COST_TRAP], 400);
	assert_int_equal(m[0].cat[COST_GUEST], 3600);
	assert_int_equal(measure_sum(&m[0], "exits."), 7);
	/* a result without markers is an error */
	n = measure_extract(&vm, "@result name=a ops=1 cycles=1\n@result name=b ops=1 cycles=1\n", m, 2, err, sizeof(err));
	assert_int_equal(n, -1);
	assert_non_null(strstr(err, "markers"));
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workload_valid),
		cmocka_unit_test(test_workload_errors),
		cmocka_unit_test(test_results_store),
		cmocka_unit_test(test_measure_from_marks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
