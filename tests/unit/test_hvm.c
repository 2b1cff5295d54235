/*
 * test_hvm.c — the hvm engine's exit handlers, driven by the real guest kernel (built
 * by `make` before the unit tests run): CPUID, port I/O and CR3 exits are counted,
 * charged exactly the profile's exit + entry latency each to `transition`, and the
 * guest's output is right; a guest system call takes no exit; invalid configurations
 * are refused with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/vm.h"

/* the guest built in this build tree ($BUILD, as make passes it) */
static const char *kernel(void)
{
	static char path[256];
	const char *b = getenv("BUILD");
	snprintf(path, sizeof(path), "%s/guest/kernel.elf", b && *b ? b : "build");
	return path;
}

struct run {
	struct vm *vm;
	char *out;
	size_t len;
	FILE *f;
};

static void run(struct run *r, const char *config, const char *profile, const char *cmdline)
{
	char engine[16], mmu[16];
	sscanf(config, "%15[^/]/%15s", engine, mmu);
	r->f = open_memstream(&r->out, &r->len);
	struct vm_config cfg = { .kernel = kernel(), .cmdline = cmdline, .profile = profile,
				 .profile_dir = "profiles", .engine = engine, .mmu = mmu, .ram_mb = 128,
				 .console = r->f };
	char err[512];
	r->vm = vm_create(&cfg, err, sizeof(err));
	if (!r->vm)
		fail_msg("vm_create: %s", err);
	assert_int_equal(vm_run(r->vm), VM_EXITED);
	assert_int_equal(r->vm->exit_code, 1);
	fflush(r->f);
}

static void done(struct run *r)
{
	vm_destroy(r->vm);
	fclose(r->f);
	free(r->out);
}

static u64 ctr(struct run *r, const char *name) { return stats_get(&r->vm->stats, name); }

static void test_cpuid_and_io_exits(void **state)
{
	struct run r;
	run(&r, "hvm/shadow", "p4-2006", "cpuid n=50");
	assert_non_null(strstr(r.out, "@result name=cpuid ops=50"));
	assert_true(ctr(&r, "exits.CPUID") >= 50);
	u64 per = r.vm->prof.v[P_VMX_EXIT] + r.vm->prof.v[P_VMX_ENTRY];
	u64 all = 0;
	for (unsigned i = 0; i < r.vm->stats.n; i++)
		if (!strncmp(r.vm->stats.name[i], "exits.", 6))
			all += r.vm->stats.value[i];
	/* every exit, and only exits, pays the hardware transition */
	assert_int_equal(cost_category(&r.vm->cost, COST_TRANSITION), all * per);
	assert_true(ctr(&r, "exit_cycles.CPUID") >= 50 * per);
	done(&r);

	run(&r, "hvm/shadow", "p4-2006", "out n=20");
	assert_true(ctr(&r, "exits.IO_INSTRUCTION") >= 20);
	assert_true(ctr(&r, "hvm.emulated_insns") >= 20);
	assert_true(ctr(&r, "io.post.writes") >= 20);
	done(&r);
}

static void test_cr3_exits_only_with_shadow(void **state)
{
	struct run r;
	run(&r, "hvm/shadow", "nehalem-2009", "cr3 n=100");
	assert_true(ctr(&r, "exits.CR_ACCESS") >= 100);
	assert_true(ctr(&r, "shadow.cr3_switches") >= 100);
	assert_true(ctr(&r, "shadow.cr3_cache_hits") >= 100);
	done(&r);
	run(&r, "hvm/shadow", "p4-2006", "ptemod n=100");
	assert_true(ctr(&r, "exits.INVLPG") >= 100); /* each emulated, shadow entry dropped */
	done(&r);
	run(&r, "hvm/nested", "nehalem-2009", "cr3 n=100");
	assert_true(ctr(&r, "exits.CR_ACCESS") < 10);
	assert_true(ctr(&r, "nested.ept_violations") > 0);
	done(&r);
}

static void test_syscall_takes_no_exit(void **state)
{
	struct run r;
	run(&r, "hvm/nested", "nehalem-2009", "syscall n=200");
	struct vm *vm = r.vm;
	assert_true(vm->nmarks >= 2);
	const struct vm_mark *b = &vm->marks[0], *e = &vm->marks[1];
	for (unsigned i = 0; i < vm->stats.n; i++)
		if (!strncmp(vm->stats.name[i], "exits.", 6))
			assert_int_equal(e->counters[i] - b->counters[i], 0);
	done(&r);
}

/* External-interrupt exiting stays armed: every interrupt the guest takes was
 * acknowledged by an exit and injected by the VMM, including after interrupt-window
 * exits (an engine that forgot to re-arm would let later ones through natively). */
static void test_every_interrupt_goes_through_the_vmm(void **state)
{
	struct run r;
	run(&r, "hvm/shadow", "p4-2006", "selftest");
	u64 taken = ctr(&r, "cpu.interrupts");
	assert_true(taken > 0);
	assert_true(ctr(&r, "exits.INTERRUPT_WINDOW") > 0);
	assert_true(ctr(&r, "exits.EXTERNAL_INTERRUPT") >= taken);
	done(&r);
}

static void test_invalid_configurations(void **state)
{
	char err[512];
	struct vm_config cfg = { .kernel = kernel(), .cmdline = "", .profile = "p4-2006",
				 .profile_dir = "profiles", .engine = "hvm", .mmu = "nested", .ram_mb = 128 };
	assert_null(vm_create(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "nehalem-2009"));
	cfg.mmu = "direct";
	assert_null(vm_create(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "shadow or nested"));
	cfg.engine = "native";
	cfg.mmu = "shadow";
	assert_null(vm_create(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "native runs only with the direct MMU"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuid_and_io_exits),
		cmocka_unit_test(test_cr3_exits_only_with_shadow),
		cmocka_unit_test(test_syscall_takes_no_exit),
		cmocka_unit_test(test_every_interrupt_goes_through_the_vmm),
		cmocka_unit_test(test_invalid_configurations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
