/*
 * test_cpu_traps.c — exception and interrupt delivery: frames, error codes, CR2, the
 * TSS stack switch from ring 3, IRET back, double and triple faults, the exit
 * records of the intercept controls, and the run loop's boundary seeing TF and the
 * INTR pin as soon as a block sets them (cpu.kick).
 */
#include "cpu_fixture.h"
#include "core/segment.h"

#define HANDLER_PA 0x5000u

/* Every vector's handler is a HLT at HANDLER_PA + vec. */
static struct fx *fx_traps(void)
{
	struct fx *f = fx_new();
	fx_protected(f);
	for (unsigned v = 0; v < 256; v++) {
		fx_gate(f, v, HANDLER_PA + v, v == 0x80 ? 3 : 0, false);
		f->ram[HANDLER_PA + v] = 0xf4;
	}
	return f;
}

static void test_divide_error_frame(void **state)
{
	struct fx *f = fx_traps();
	f->cpu.r[R_EAX] = 1;
	f->cpu.r[R_ECX] = 0;
	FX_CODE_RUN(f, 0x90, 0xf7, 0xf1); /* nop; div ecx */
	assert_int_equal(f->cpu.eip, HANDLER_PA + 0 + 1);
	u32 sp = f->cpu.r[R_ESP];
	assert_int_equal(sp, 0x8000 - 12);
	assert_int_equal(fx_get32(f, sp), FX_CODE + 1); /* EIP of the DIV: precise */
	assert_int_equal(fx_get32(f, sp + 4), 0x10);    /* CS as the loader left it */
	assert_int_equal(stats_get(&f->stats, "cpu.exceptions.0"), 1);
	/* The NOP retired, the DIV did not; the handler's HLT did. */
	assert_int_equal(f->cpu.insns, 2);
	fx_free(f);
}

static void test_page_fault_error_code_and_cr2(void **state)
{
	struct fx *f = fx_traps();
	/* Identity-map the first 4 MB with 4 KB pages, except page 0x400 000-... absent;
	 * page 0x7000 read-only. */
	u32 pd = 0x100000, pt = 0x101000;
	fx_put32(f, pd, pt | PTE_P | PTE_W | PTE_U);
	for (u32 i = 0; i < 1024; i++)
		fx_put32(f, pt + i * 4, (i << 12) | PTE_P | PTE_W | PTE_U);
	fx_put32(f, pt + 0xa * 4, 0xa000 | PTE_P | PTE_U);
	f->cpu.cr3 = pd;
	f->cpu.cr0 |= CR0_PG | CR0_WP;
	f->cpu.r[R_EBX] = 0xa010;
	FX_CODE_RUN(f, 0x89, 0x03); /* mov [ebx], eax */
	assert_int_equal(f->cpu.eip, HANDLER_PA + 14 + 1);
	assert_int_equal(f->cpu.cr2, 0xa010);
	u32 sp = f->cpu.r[R_ESP];
	assert_int_equal(fx_get32(f, sp), PFEC_P | PFEC_W); /* error code */
	assert_int_equal(fx_get32(f, sp + 4), FX_CODE);
	/* Not present: beyond the table (PDE 1 absent). */
	f->cpu.r[R_ESP] = 0x8000;
	f->cpu.r[R_EBX] = 0x00400000;
	FX_CODE_RUN(f, 0x8b, 0x03); /* mov eax, [ebx] */
	assert_int_equal(f->cpu.cr2, 0x00400000);
	assert_int_equal(fx_get32(f, f->cpu.r[R_ESP]), 0);
	/* Accessed and dirty bits: a write sets both. */
	f->cpu.r[R_ESP] = 0x8000;
	f->cpu.r[R_EBX] = 0x6000;
	FX_CODE_RUN(f, 0x89, 0x03);
	assert_int_equal(fx_get32(f, pt + 6 * 4) & (PTE_A | PTE_D), PTE_A | PTE_D);
	assert_true(stats_get(&f->stats, "mem.walk_refs") > 0);
	fx_free(f);
}

static void test_user_int80_switches_stack_and_irets(void **state)
{
	struct fx *f = fx_traps();
	struct cpu *c = &f->cpu;
	/* Ring 3 code at 0x6000: int 0x80; then hlt would #GP. Handler: iret. */
	f->ram[HANDLER_PA + 0x80] = 0xcf; /* iret */
	static const u8 user[] = { 0xcd, 0x80, 0xfa }; /* int 0x80; cli (#GP at CPL 3) */
	memcpy(f->ram + 0x6000, user, sizeof(user));
	block_flush_all(c);
	/* Enter ring 3 with an IRET frame built by hand. */
	static const u8 code[] = { 0xcf };
	fx_code(f, code, 1);
	u32 sp = 0x8000 - 20;
	fx_put32(f, sp, 0x6000);
	fx_put32(f, sp + 4, FX_SEL_CODE3);
	fx_put32(f, sp + 8, FL_1);
	fx_put32(f, sp + 12, 0x7f00);
	fx_put32(f, sp + 16, FX_SEL_DATA3);
	c->r[R_ESP] = sp;
	assert_int_equal(fx_run(f), RUN_HLT); /* #GP handler's HLT */
	assert_int_equal(c->eip, HANDLER_PA + 13 + 1);
	assert_int_equal(c->cpl, 0);
	/* The #GP frame is on the ring-0 stack from the TSS: err, EIP, CS, EFLAGS, ESP, SS. */
	assert_int_equal(c->r[R_ESP], 0x9000 - 24);
	assert_int_equal(fx_get32(f, 0x9000 - 24), 0);          /* error code */
	assert_int_equal(fx_get32(f, 0x9000 - 20), 0x6002);     /* the CLI */
	assert_int_equal(fx_get32(f, 0x9000 - 16), FX_SEL_CODE3);
	assert_int_equal(fx_get32(f, 0x9000 - 8), 0x7f00);      /* user ESP after IRET */
	assert_int_equal(fx_get32(f, 0x9000 - 4), FX_SEL_DATA3);
	assert_int_equal(stats_get(&f->stats, "cpu.soft_ints"), 1);
	fx_free(f);
}

static void test_int_to_dpl0_gate_from_ring3_is_gp(void **state)
{
	struct fx *f = fx_traps();
	struct cpu *c = &f->cpu;
	static const u8 user[] = { 0xcd, 0x81 }; /* int 0x81: gate DPL 0 */
	memcpy(f->ram + 0x6000, user, sizeof(user));
	static const u8 code[] = { 0xcf };
	fx_code(f, code, 1);
	u32 sp = 0x8000 - 20;
	fx_put32(f, sp, 0x6000);
	fx_put32(f, sp + 4, FX_SEL_CODE3);
	fx_put32(f, sp + 8, FL_1);
	fx_put32(f, sp + 12, 0x7f00);
	fx_put32(f, sp + 16, FX_SEL_DATA3);
	c->r[R_ESP] = sp;
	assert_int_equal(fx_run(f), RUN_HLT);
	assert_int_equal(c->eip, HANDLER_PA + 13 + 1);
	assert_int_equal(fx_get32(f, c->r[R_ESP]), 0x81 * 8 + 2); /* IDT, not EXT */
	fx_free(f);
}

static void test_double_then_triple_fault(void **state)
{
	struct fx *f = fx_traps();
	/* #GP's gate not present: #GP -> #NP -> #DF. */
	fx_put32(f, FX_IDT + 13 * 8 + 4, fx_get32(f, FX_IDT + 13 * 8 + 4) & ~0x8000u);
	FX_CODE_RUN(f, 0xfa, 0x0f, 0x0b); /* cli; ud2 -> #UD ok */
	assert_int_equal(f->cpu.eip, HANDLER_PA + 6 + 1);
	f->cpu.r[R_ESP] = 0x8000;
	f->cpu.r[R_EAX] = 0x77;
	FX_CODE_RUN(f, 0x8e, 0xd8); /* mov ds, ax: selector beyond the GDT -> #GP */
	assert_int_equal(f->cpu.eip, HANDLER_PA + 8 + 1);
	assert_int_equal(fx_get32(f, f->cpu.r[R_ESP]), 0); /* #DF error code */
	/* #DF's gate also absent: shutdown. */
	fx_put32(f, FX_IDT + 8 * 8 + 4, 0);
	f->cpu.r[R_ESP] = 0x8000;
	static const u8 code[] = { 0x8e, 0xd8 };
	fx_code(f, code, sizeof(code));
	assert_int_equal(fx_run(f), RUN_SHUTDOWN);
	assert_int_equal(f->cpu.fault_eip, FX_CODE);
	fx_free(f);
}

static void test_intercepts_produce_exit_records(void **state)
{
	struct fx *f = fx_traps();
	struct cpu *c = &f->cpu;
	c->icpt.active = true;
	c->icpt.ctl = ICPT_CPUID | ICPT_IO | ICPT_CR3_LOAD;
	c->icpt.io_bitmap[0x80 / 8] = 1;
	c->icpt.exception_bitmap = 1u << EXC_BP;
	static const u8 code[] = { 0x90, 0x0f, 0xa2 }; /* nop; cpuid */
	fx_code(f, code, sizeof(code));
	assert_int_equal(fx_run(f), RUN_EXIT);
	assert_int_equal(f->exit.reason, EXIT_CPUID);
	assert_int_equal(f->exit.guest_eip, FX_CODE + 1);
	assert_int_equal(f->exit.insn_len, 2);
	assert_int_equal(c->insns, 1); /* the CPUID did not retire: the VMM emulates it */
	c->r[R_EAX] = 0x5a;
	static const u8 out[] = { 0xe6, 0x80 }; /* out 0x80, al */
	fx_code(f, out, sizeof(out));
	assert_int_equal(fx_run(f), RUN_EXIT);
	assert_int_equal(f->exit.reason, EXIT_IO_INSTRUCTION);
	assert_int_equal(f->exit.qualification, exit_io_qual(1, false, false, false, true, 0x80));
	assert_int_equal(f->exit.value, 0x5a);
	c->r[R_EAX] = 0x200000;
	static const u8 cr3[] = { 0x0f, 0x22, 0xd8 }; /* mov cr3, eax */
	fx_code(f, cr3, sizeof(cr3));
	assert_int_equal(fx_run(f), RUN_EXIT);
	assert_int_equal(f->exit.reason, EXIT_CR_ACCESS);
	assert_int_equal(f->exit.qualification, exit_cr_qual(3, 0, R_EAX));
	assert_int_equal(f->exit.value, 0x200000);
	assert_int_equal(c->cr3, 0); /* not performed */
	static const u8 int3[] = { 0xcc };
	fx_code(f, int3, 1);
	assert_int_equal(fx_run(f), RUN_EXIT);
	assert_int_equal(f->exit.reason, EXIT_EXCEPTION_NMI);
	assert_int_equal(f->exit.vector, EXC_BP);
	fx_free(f);
}

static void test_sensitive_instructions_at_cpl3(void **state)
{
	struct fx *f = fx_traps();
	struct cpu *c = &f->cpu;
	c->gdtr_base = FX_GDT; /* SGDT at CPL 3 reveals it: no fault */
	/* user: mov ds, 0x23; sgdt [0x7e00]; pushf; popf (IF unchanged, IOPL 0); smsw eax;
	 * cli */
	static const u8 user[] = { 0x66, 0xb8, 0x23, 0x00, 0x8e, 0xd8, 0x0f, 0x01, 0x05, 0x00, 0x7e, 0x00, 0x00, 0x9c, 0x9d,
				   0x0f, 0x01, 0xe0, 0xfa };
	memcpy(f->ram + 0x6000, user, sizeof(user));
	static const u8 code[] = { 0xcf };
	fx_code(f, code, 1);
	u32 sp = 0x8000 - 20;
	fx_put32(f, sp, 0x6000);
	fx_put32(f, sp + 4, FX_SEL_CODE3);
	fx_put32(f, sp + 8, FL_1 | FL_IF);
	fx_put32(f, sp + 12, 0x7f00);
	fx_put32(f, sp + 16, FX_SEL_DATA3);
	c->r[R_ESP] = sp;
	assert_int_equal(fx_run(f), RUN_HLT);
	assert_int_equal(c->eip, HANDLER_PA + 13 + 1); /* the CLI faulted */
	assert_int_equal(fx_get32(f, 0x7e02), FX_GDT);
	assert_int_equal(c->r[R_EAX], c->cr0);
	fx_free(f);
}

/* Data-segment checks on access (QEMU's TCG skips them, so they are tested here). */
static void test_segment_limit_and_rights(void **state)
{
	struct fx *f = fx_traps();
	struct cpu *c = &f->cpu;
	fx_desc(f, 6, 0, 0xfffff, 0x1, 0, true, true); /* read-only data, 0x30 */
	fx_desc(f, 7, 0, 0xfff, 0x3, 0, true, false);  /* limit 0xfff, 0x38 */
	c->gdtr_limit = 8 * 8 - 1;
	/* mov ax, 0x30; mov es, ax; mov es:[0x100], eax -> #GP(0) */
	FX_CODE_RUN(f, 0x66, 0xb8, 0x30, 0x00, 0x8e, 0xc0, 0x26, 0xa3, 0x00, 0x01, 0x00, 0x00);
	assert_int_equal(c->eip, HANDLER_PA + 13 + 1);
	assert_int_equal(fx_get32(f, c->r[R_ESP]), 0);
	assert_int_equal(fx_get32(f, c->r[R_ESP] + 4), FX_CODE + 6);
	/* reading through it is fine */
	c->r[R_ESP] = 0x8000;
	FX_CODE_RUN(f, 0x26, 0xa1, 0x00, 0x01, 0x00, 0x00);
	assert_int_equal(c->eip, FX_CODE + 7);
	/* mov ax, 0x38; mov es, ax; mov eax, es:[0xffe] -> the last byte is beyond the limit */
	FX_CODE_RUN(f, 0x66, 0xb8, 0x38, 0x00, 0x8e, 0xc0, 0x26, 0xa1, 0xfe, 0x0f, 0x00, 0x00);
	assert_int_equal(c->eip, HANDLER_PA + 13 + 1);
	c->r[R_ESP] = 0x8000;
	/* a null FS: any access is #GP(0) */
	FX_CODE_RUN(f, 0x31, 0xc0, 0x8e, 0xe0, 0x64, 0xa1, 0x00, 0x00, 0x00, 0x00);
	assert_int_equal(c->eip, HANDLER_PA + 13 + 1);
	assert_int_equal(fx_get32(f, c->r[R_ESP]), 0);
	fx_free(f);
}

/* A bad SS0 in the TSS: the ring switch raises #TS(SS0 selector). Delivering #TS from
 * ring 3 needs the same stack, so (without task gates, which the machine does not
 * implement) the processor ends in a triple fault whose chain starts with #TS. */
static void test_bad_tss_stack_is_ts(void **state)
{
	struct fx *f = fx_traps();
	struct cpu *c = &f->cpu;
	fx_put32(f, FX_TSS + 8, FX_SEL_CODE0); /* SS0 = a code segment */
	static const u8 user[] = { 0xcd, 0x80 };
	memcpy(f->ram + 0x6000, user, sizeof(user));
	static const u8 code[] = { 0xcf };
	fx_code(f, code, 1);
	u32 sp = 0x8000 - 20;
	fx_put32(f, sp, 0x6000);
	fx_put32(f, sp + 4, FX_SEL_CODE3);
	fx_put32(f, sp + 8, FL_1);
	fx_put32(f, sp + 12, 0x7f00);
	fx_put32(f, sp + 16, FX_SEL_DATA3);
	c->r[R_ESP] = sp;
	assert_int_equal(fx_run(f), RUN_SHUTDOWN);
	assert_int_equal(c->fault_chain[0], EXC_TS);
	assert_int_equal(c->fault_chain[1], EXC_DF);
	assert_int_equal(c->cpl, 3); /* nothing was committed */
	fx_free(f);
}

/* TF loaded by IRET: the single-step trap follows the first instruction after it
 * (the run loop's common path does not test TF; IRET raises cpu.kick). */
static void test_tf_set_by_iret_traps_after_one_instruction(void **state)
{
	struct fx *f = fx_traps();
	static const u8 code[] = { 0xcf, 0x90, 0x90, 0x90 }; /* iret; nop; nop; nop; hlt */
	fx_code(f, code, sizeof(code));
	u32 sp = 0x8000 - 12;
	fx_put32(f, sp, FX_CODE + 1);
	fx_put32(f, sp + 4, FX_SEL_CODE0);
	fx_put32(f, sp + 8, FL_1 | FL_TF);
	f->cpu.r[R_ESP] = sp;
	assert_int_equal(fx_run(f), RUN_HLT);
	assert_int_equal(f->cpu.eip, HANDLER_PA + EXC_DB + 1);
	assert_int_equal(fx_get32(f, f->cpu.r[R_ESP]), FX_CODE + 2); /* after one NOP */
	fx_free(f);
}

/* TF loaded by POPF: the same, in the middle of a block. */
static void test_tf_set_by_popf_traps_after_one_instruction(void **state)
{
	struct fx *f = fx_traps();
	/* push FL_1|FL_TF; popf; nop; nop; nop; hlt */
	static const u8 code[] = { 0x68, 0x02, 0x01, 0x00, 0x00, 0x9d, 0x90, 0x90, 0x90 };
	fx_code(f, code, sizeof(code));
	assert_int_equal(fx_run(f), RUN_HLT);
	assert_int_equal(f->cpu.eip, HANDLER_PA + EXC_DB + 1);
	assert_int_equal(fx_get32(f, f->cpu.r[R_ESP]), FX_CODE + 7); /* after one NOP */
	fx_free(f);
}

/* A port whose write raises INTR, as an interrupt controller does when a write unmasks
 * or acknowledges and another request is waiting: it keeps the contract of irq.h and
 * raises the kick the CPU wired into it. */
static void kick_out(void *opaque, u16 port, unsigned size, u32 value)
{
	struct fx *f = opaque;
	(void)port, (void)size, (void)value;
	f->intc.intr = 1;
	if (f->intc.kick)
		*f->intc.kick = 1;
}

static u32 kick_in(void *opaque, u16 port, unsigned size)
{
	(void)opaque, (void)port, (void)size;
	return 0;
}

static u8 kick_ack(void *opaque)
{
	struct fx *f = opaque;
	f->intc.intr = 0;
	return 0x40;
}

/* INTR raised by a block's OUT is taken at the next boundary, not at the next timer. */
static void test_intr_raised_by_a_block_is_taken_at_the_next_boundary(void **state)
{
	struct fx *f = fx_traps();
	static const struct io_ops ops = { kick_in, kick_out };
	assert_int_equal(io_bus_register(&f->io, 0x99, 1, &ops, f, "kick", 1), 0);
	f->intc.ack = kick_ack;
	f->intc.opaque = f;
	/* sti; nop; out 0x99, al; nop; nop; nop; hlt */
	static const u8 code[] = { 0xfb, 0x90, 0xe6, 0x99, 0x90, 0x90, 0x90 };
	fx_code(f, code, sizeof(code));
	assert_int_equal(fx_run(f), RUN_HLT);
	assert_int_equal(f->cpu.eip, HANDLER_PA + 0x40 + 1);
	assert_int_equal(fx_get32(f, f->cpu.r[R_ESP]), FX_CODE + 4); /* right after the OUT */
	fx_free(f);
}

/* INTR raised while IF is clear waits, and is taken one instruction after STI: the
 * boundary keeps looking while the pin is up, whatever it saw first. */
static void test_intr_held_by_cli_is_taken_after_sti(void **state)
{
	struct fx *f = fx_traps();
	static const struct io_ops ops = { kick_in, kick_out };
	assert_int_equal(io_bus_register(&f->io, 0x99, 1, &ops, f, "kick", 1), 0);
	f->intc.ack = kick_ack;
	f->intc.opaque = f;
	/* cli; out 0x99, al; nop; jmp +0; nop; sti; nop; nop; nop; hlt */
	static const u8 code[] = { 0xfa, 0xe6, 0x99, 0x90, 0xeb, 0x00, 0x90, 0xfb, 0x90, 0x90, 0x90 };
	fx_code(f, code, sizeof(code));
	assert_int_equal(fx_run(f), RUN_HLT);
	assert_int_equal(f->cpu.eip, HANDLER_PA + 0x40 + 1);
	assert_int_equal(fx_get32(f, f->cpu.r[R_ESP]), FX_CODE + 9); /* STI's shadow, then */
	fx_free(f);
}

/* A fused CMP+Jcc (exec_fast.c) whose target is beyond the CS limit faults at the
 * Jcc, as the Jcc alone does. */
static void test_fused_branch_beyond_cs_limit_faults_at_the_jcc(void **state)
{
	struct fx *f = fx_traps();
	f->cpu.seg[SEG_CS].limit = FX_CODE + 0x40;
	seg_update_check(&f->cpu.seg[SEG_CS]);
	static const u8 code[] = { 0x39, 0xc0, 0x74, 0x7f }; /* cmp eax, eax; jz +0x7f */
	fx_code(f, code, sizeof(code));
	assert_int_equal(fx_run(f), RUN_HLT);
	assert_int_equal(f->cpu.eip, HANDLER_PA + EXC_GP + 1);
	u32 sp = f->cpu.r[R_ESP];
	assert_int_equal(fx_get32(f, sp), 0);            /* error code */
	assert_int_equal(fx_get32(f, sp + 4), FX_CODE + 2); /* the Jcc's EIP */
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_divide_error_frame),
		cmocka_unit_test(test_tf_set_by_iret_traps_after_one_instruction),
		cmocka_unit_test(test_tf_set_by_popf_traps_after_one_instruction),
		cmocka_unit_test(test_intr_raised_by_a_block_is_taken_at_the_next_boundary),
		cmocka_unit_test(test_intr_held_by_cli_is_taken_after_sti),
		cmocka_unit_test(test_fused_branch_beyond_cs_limit_faults_at_the_jcc),
		cmocka_unit_test(test_page_fault_error_code_and_cr2),
		cmocka_unit_test(test_user_int80_switches_stack_and_irets),
		cmocka_unit_test(test_int_to_dpl0_gate_from_ring3_is_gp),
		cmocka_unit_test(test_double_then_triple_fault),
		cmocka_unit_test(test_intercepts_produce_exit_records),
		cmocka_unit_test(test_sensitive_instructions_at_cpl3),
		cmocka_unit_test(test_segment_limit_and_rights),
		cmocka_unit_test(test_bad_tss_stack_is_ts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
