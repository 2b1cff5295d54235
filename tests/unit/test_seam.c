/*
 * test_seam.c — the VMM seam with a mock engine: the hooks bt, pv and te build on.
 *
 * A tiny multiboot kernel (an a.out-kludge image written by the test) runs under a
 * mock engine through the real run loop (vm_run): an intercepted INT n leaves with its
 * own reason and kind and is charged as a hypercall; an engine that keeps asking to
 * emulate an instruction that exits again ends the run with a reason instead of
 * recursing or spinning; an engine with memory of its own has the machine run code from
 * it, through a window the guest's physical addresses never reach. At the processor level (the cpu fixture): emulation at a
 * virtual CPL, VMCALL, the code-written notification, the VMX transition's TLB flush,
 * and the double-fault combination of the shared reflection.
 */
#include "cpu_fixture.h"
#include "tiny_kernel.h"

#include <stdio.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/segment.h"
#include "core/vm.h"
#include "vmm/vmm.h"

static void tiny_kernel(char *path, const u8 *code, size_t n)
{
	tiny_kernel_at(path, "seam", code, n);
}

/* --- a mock engine --- */

struct mock {
	struct vmm vmm;
	unsigned exits;
	enum engine_verdict always; /* ENGINE_RESUME: handle hypercalls; else return this */
};

static int mock_init(struct vm *vm, char *err, size_t errlen)
{
	struct mock *m = calloc(1, sizeof(*m));
	vmm_init(&m->vmm, vm, "mock");
	vm->engine_state = m;
	struct intercepts *ic = &vm->cpu.icpt;
	ic->active = true;
	ic->kind = EXIT_KIND_TRAP;
	ic->softint[0x82] = EXIT_PV_HYPERCALL;
	ic->exception_bitmap = 1u << EXC_UD;
	return 0;
}

static void mock_fini(struct vm *vm) { free(vm->engine_state); }

static enum engine_verdict mock_exit(struct vm *vm, struct exit_record *e)
{
	struct mock *m = vm->engine_state;
	m->exits++;
	if (e->reason == EXIT_PV_HYPERCALL) {
		assert_int_equal(e->kind, EXIT_KIND_HYPERCALL);
		assert_int_equal(e->vector, 0x82);
		assert_int_equal(e->insn_len, 2);
		vm->cpu.r[R_EAX] *= 2;
		vmm_skip(&m->vmm, e);
		return ENGINE_RESUME;
	}
	assert_int_equal(e->kind, EXIT_KIND_TRAP);
	return vmm_emulate(&m->vmm); /* #UD: emulating it only raises #UD again */
}

static const char *const mock_mmus[] = { "direct", NULL };
static const struct engine_ops mock_engine = {
	.name = "mock", .mmus = mock_mmus, .init = mock_init, .fini = mock_fini, .handle_exit = mock_exit,
};

static struct vm *mock_vm(const char *path)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	struct vm_config cfg = { .kernel = path, .cmdline = "", .profile = "p4-2006", .profile_dir = "profiles",
				 .engine = "mock", .engine_ops = &mock_engine, .mmu = "direct", .ram_mb = 16,
				 .console = sink };
	char err[256];
	struct vm *vm = vm_create(&cfg, err, sizeof(err));
	if (!vm)
		fail_msg("vm_create: %s", err);
	return vm;
}

static void test_seam_intercepted_int_is_a_hypercall(void **state)
{
	/* mov $21,%eax; int $0x82; out %al,$0xf4; hlt */
	static const u8 code[] = { 0xb8, 21, 0, 0, 0, 0xcd, 0x82, 0xe6, 0xf4, 0xf4 };
	char path[TINY_PATH_MAX];
	tiny_kernel(path, code, sizeof(code));
	struct vm *vm = mock_vm(path);
	assert_int_equal(vm_run(vm), VM_EXITED);
	assert_int_equal(vm->exit_code, (42 << 1) | 1); /* the VMM doubled EAX */
	assert_int_equal(((struct mock *)vm->engine_state)->exits, 1);
	assert_int_equal(stats_get(&vm->stats, "exits.PV_HYPERCALL"), 1);
	const u64 *p = vm->prof.v;
	assert_int_equal(vm->cost.cat[COST_TRANSITION], p[P_TRAP_EXCEPTION] + p[P_TRAP_RING_SWITCH] + p[P_TRAP_IRET]);
	vm_destroy(vm);
	unlink(path);
}

static void test_seam_emulation_without_progress_ends_the_run(void **state)
{
	static const u8 code[] = { 0x0f, 0x0b }; /* ud2 */
	char path[TINY_PATH_MAX];
	tiny_kernel(path, code, sizeof(code));
	struct vm *vm = mock_vm(path);
	assert_int_equal(vm_run(vm), VM_VMM_FAILED);
	assert_non_null(strstr(vm->reason, "no progress"));
	assert_int_equal(((struct mock *)vm->engine_state)->exits, VM_MAX_STALLED_EXITS);
	vm_destroy(vm);
	unlink(path);
}

/* --- a VMM with memory of its own (what bt's translation cache lives in) --- */

static int vmmcode_init(struct vm *vm, char *err, size_t errlen)
{
	/* the VMM's code, run by the machine from the window: mov $42,%eax; out %al,$0xf4 */
	static const u8 code[] = { 0xb8, 42, 0, 0, 0, 0xe6, 0xf4, 0xf4 };
	assert_non_null(vm->vmm_mem);
	memcpy(vm->vmm_mem, code, sizeof(code));
	vm->vmm_mem[0x800] = 0x5a; /* VMM data right behind guest RAM, physically */
	if (vm->cfg.cmdline && !strcmp(vm->cfg.cmdline, "enter"))
		vm->cpu.eip = vm->vmm_win;
	return 0;
}

static const struct engine_ops vmmcode_engine = {
	.name = "vmmcode", .mmus = mock_mmus, .vmm_kb = 64, .init = vmmcode_init,
};

static struct vm *vmmcode_vm(const char *path, const char *cmdline)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	struct vm_config cfg = { .kernel = path, .cmdline = cmdline, .profile = "p4-2006", .profile_dir = "profiles",
				 .engine = "vmmcode", .engine_ops = &vmmcode_engine, .mmu = "direct", .ram_mb = 16,
				 .console = sink };
	char err[256];
	struct vm *vm = vm_create(&cfg, err, sizeof(err));
	if (!vm)
		fail_msg("vm_create: %s", err);
	return vm;
}

static void test_seam_vmm_memory_runs_code_and_hides_from_the_guest(void **state)
{
	/* the guest reads physical 16 MiB + 0x800 (behind its RAM: the VMM's data) and
	 * exits with what it read: unassigned memory reads 0, never the VMM's 0x5a */
	static const u8 code[] = { 0xa1, 0x00, 0x08, 0x00, 0x01, 0xe6, 0xf4, 0xf4 }; /* mov 0x1000800,%eax; out */
	char path[TINY_PATH_MAX];
	tiny_kernel(path, code, sizeof(code));
	struct vm *vm = vmmcode_vm(path, "");
	assert_int_equal(vm->vmm_win, 0xffff0000u);
	assert_int_equal(vm_run(vm), VM_EXITED);
	assert_int_equal(vm->exit_code, 1);
	vm_destroy(vm);
	/* the machine runs the VMM's code from its window */
	vm = vmmcode_vm(path, "enter");
	assert_int_equal(vm_run(vm), VM_EXITED);
	assert_int_equal(vm->exit_code, (42 << 1) | 1);
	vm_destroy(vm);
	unlink(path);
}

/* --- at the processor --- */

/* A ring-1 code and stack segment (GDT entries 6 and 7) and CPL 1. */
static void ring1(struct fx *f)
{
	struct cpu *c = &f->cpu;
	fx_protected(f);
	fx_desc(f, 6, 0, 0xfffff, 0xb, 1, true, true);
	fx_desc(f, 7, 0, 0xfffff, 0x3, 1, true, true);
	c->gdtr_limit = 8 * 8 - 1;
	c->seg[SEG_CS].sel = 0x31;
	c->seg[SEG_CS].attr = (u16)((c->seg[SEG_CS].attr & ~SEG_DPL) | (1u << SEG_DPL_SHIFT));
	c->seg[SEG_SS].sel = 0x39;
	c->seg[SEG_SS].attr = (u16)((c->seg[SEG_SS].attr & ~SEG_DPL) | (1u << SEG_DPL_SHIFT));
	cpu_set_cpl(c, 1);
	c->icpt.active = true;
	c->icpt.kind = EXIT_KIND_TRAP;
	c->icpt.exception_bitmap = 1u << EXC_GP;
}

static void test_seam_emulation_at_virtual_cpl0(void **state)
{
	struct fx *f = fx_new();
	struct cpu *c = &f->cpu;
	ring1(f);
	static const u8 code[] = { 0x0f, 0x22, 0xd8 }; /* mov %eax,%cr3 */
	fx_code(f, code, sizeof(code));
	c->r[R_EAX] = 0x7000;
	assert_int_equal(fx_run(f), RUN_EXIT); /* privileged at CPL 1: #GP, intercepted */
	assert_int_equal(f->exit.vector, EXC_GP);
	assert_int_equal(f->exit.kind, EXIT_KIND_TRAP);
	assert_int_equal(f->exit.guest_eip, FX_CODE);
	/* emulated as the guest's own CPL 1 it faults again ... */
	assert_int_equal(cpu_emulate(c, &f->exit, 1), RUN_EXIT);
	assert_int_equal(f->exit.vector, EXC_GP);
	assert_int_not_equal(c->cr3, 0x7000);
	/* ... as its virtual CPL 0 it completes, and the guest stays at CPL 1 */
	assert_int_equal(cpu_emulate(c, &f->exit, 0), RUN_STEP);
	assert_int_equal(c->cr3, 0x7000);
	assert_int_equal(c->cpl, 1);
	assert_int_equal(c->eip, FX_CODE + 3);
	fx_free(f);
}

static void test_seam_vmcall_exits_only_when_intercepted(void **state)
{
	struct fx *f = fx_new();
	struct cpu *c = &f->cpu;
	static const u8 code[] = { 0x0f, 0x01, 0xc1 }; /* vmcall */
	c->icpt.active = true;
	c->icpt.exception_bitmap = 1u << EXC_UD;
	fx_code(f, code, sizeof(code));
	assert_int_equal(fx_run(f), RUN_EXIT);
	assert_int_equal(f->exit.reason, EXIT_EXCEPTION_NMI);
	assert_int_equal(f->exit.vector, EXC_UD);
	c->icpt.ctl |= ICPT_VMCALL;
	c->eip = FX_CODE;
	assert_int_equal(fx_run(f), RUN_EXIT);
	assert_int_equal(f->exit.reason, EXIT_VMCALL);
	assert_int_equal(f->exit.insn_len, 3);
	fx_free(f);
}

static unsigned written_calls;
static u32 written_pa;
static void on_written(void *opaque, u32 pa, unsigned len)
{
	written_calls++;
	written_pa = pa;
}

static void test_seam_code_written_is_told_once(void **state)
{
	struct fx *f = fx_new();
	struct cpu *c = &f->cpu;
	c->code_written = on_written;
	written_calls = 0;
	cpu_watch_code(c, 0x5000, 16);
	/* movb $1,0x5004 (twice) */
	FX_CODE_RUN(f, 0xc6, 0x05, 0x04, 0x50, 0x00, 0x00, 0x01, 0xc6, 0x05, 0x04, 0x50, 0x00, 0x00, 0x02);
	assert_int_equal(written_calls, 1);
	assert_int_equal(written_pa, 0x5004);
	assert_int_equal(f->ram[0x5004], 2);
	/* a page nobody watches: no call */
	FX_CODE_RUN(f, 0xc6, 0x05, 0x04, 0x60, 0x00, 0x00, 0x01);
	assert_int_equal(written_calls, 1);
	fx_free(f);
}

static void test_seam_vmx_transition_flushes_without_vpid(void **state)
{
	struct fx *f = fx_new();
	struct cpu *c = &f->cpu;
	struct exit_record e = { .kind = EXIT_KIND_VMX };
	f->prof.v[P_VMX_EXIT] = 100;
	f->prof.v[P_VMX_ENTRY] = 50;
	f->prof.v[P_VMX_VPID] = 0;
	u64 before = stats_get(&f->stats, "tlb.dtlb_flushes");
	exit_transition(c, &e);
	assert_int_equal(f->cost.cat[COST_TRANSITION], 150);
	assert_int_equal(stats_get(&f->stats, "tlb.dtlb_flushes"), before + 1);
	f->prof.v[P_VMX_VPID] = 1;
	exit_transition(c, &e);
	assert_int_equal(f->cost.cat[COST_TRANSITION], 300);
	assert_int_equal(stats_get(&f->stats, "tlb.dtlb_flushes"), before + 1);
	fx_free(f);
}

static void test_seam_reflect_combines_faults(void **state)
{
	static const u8 code[] = { 0xf4 };
	char path[TINY_PATH_MAX];
	tiny_kernel(path, code, sizeof(code));
	struct vm *vm = mock_vm(path);
	struct vmm *v = vm->engine_state;
	struct cpu *c = &vm->cpu;
	/* #PF while delivering #PF: #DF with error code 0 */
	struct exit_record e = { .idt_info = IDT_INFO_VALID | IDT_INFO_HAS_ERR | (3u << 8) | EXC_PF };
	assert_int_equal(vmm_reflect(v, &e, EXC_PF, 2), ENGINE_RESUME);
	assert_int_equal(c->inject_vec, EXC_DF);
	assert_true(c->inject_has_err);
	assert_int_equal(c->inject_err, 0);
	/* #PF while delivering an external interrupt: the #PF alone */
	e.idt_info = IDT_INFO_VALID | 0x20;
	vmm_reflect(v, &e, EXC_PF, 2);
	assert_int_equal(c->inject_vec, EXC_PF);
	assert_int_equal(c->inject_err, 2);
	/* #AC keeps its error code */
	e.idt_info = 0;
	vmm_reflect(v, &e, EXC_AC, 0);
	assert_true(c->inject_has_err);
	/* anything while delivering #DF: shutdown */
	e.idt_info = IDT_INFO_VALID | IDT_INFO_HAS_ERR | (3u << 8) | EXC_DF;
	assert_int_equal(vmm_reflect(v, &e, EXC_GP, 0), ENGINE_STOP);
	assert_int_equal(vm->status, VM_SHUTDOWN);
	vm_destroy(vm);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seam_intercepted_int_is_a_hypercall),
		cmocka_unit_test(test_seam_emulation_without_progress_ends_the_run),
		cmocka_unit_test(test_seam_vmm_memory_runs_code_and_hides_from_the_guest),
		cmocka_unit_test(test_seam_emulation_at_virtual_cpl0),
		cmocka_unit_test(test_seam_vmcall_exits_only_when_intercepted),
		cmocka_unit_test(test_seam_code_written_is_told_once),
		cmocka_unit_test(test_seam_vmx_transition_flushes_without_vpid),
		cmocka_unit_test(test_seam_reflect_combines_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
