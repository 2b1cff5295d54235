/*
 * test_bt_adaptive.c — adaptive binary translation (issue 11; Adams & Agesen §3.2): a
 * guest kernel store that keeps faulting on a traced page table is retranslated, after
 * BT_ADAPT_AFTER faults, into a callout (BK_PTWRITE) that has the VMM perform the store
 * and resynchronise the shadow without the fault.
 *
 * The kernel runs under bt/shadow through the real run loop. It turns paging on with a
 * page directory whose entry 0 names a 4 KB page table T (identity for the first 2 MB:
 * its code, data, stack and T itself), so T is a guest page table the shadow MMU builds
 * a shadow table from and traces (its frame is mapped read-only in the shadow). Then N
 * rounds of: one plain `mov %eax,(%ebx)` (opcode 0x89) storing into T the PTE of an
 * otherwise unused virtual page V, alternately frame A (which holds 1) and frame B
 * (which holds 2); INVLPG V; a read through V. The read is both the proof that the PTE
 * took effect (the guest checks each value and sums them: its exit code) and what keeps
 * the shadow tracing T: the store dropped V's shadow entry, so the read takes a hidden
 * fault through T, which resets T's write-flooding count (shadow.c: flood[i] = 0 in
 * fault()); without it, by shadow_after_emulate(), the third store would drop and
 * unprotect T (SHADOW_FLOOD) and no later store would fault at all. (With BT_ADAPT_AFTER
 * raised out of reach, all 100 stores fault: T stays traced throughout.)
 *
 * One emulated instruction (MOV from CR3) right after paging is turned on has its
 * fetch, by the machine's emulator through the shadow, map the code page. Without it
 * the first traced store's emulation would take that hidden fault instead: the
 * emulation is abandoned, the translated store runs again and faults again, so the
 * first store counts two traced writes (and two of adapt()'s BT_ADAPT_AFTER) for one
 * store. With it every fault below is exactly one store.
 *
 * The skeleton is test_bt_classes.c's (its own GDT, an IDT whose vectors 0-31 exit with
 * 0x80 + vector, a stack at 0x90000, the body at 0x100200). The body is assembled with
 * GNU as from the source in the comment above its array (`as --32`, then
 * `ld -m elf_i386 -Ttext=0x100200 --oformat binary`).
 */
#include "cpu_fixture.h"
#include "bt_skeleton.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/cost.h"
#include "core/vm.h"
#include "engines/bt/tc.h" /* BT_ADAPT_AFTER */

#define N_STORES 100u


/*
 *   .set PD, 0x103000
 *   .set T, 0x104000
 *   .set A, 0x105000
 *   .set B, 0x106000
 *   .set V, 0x300000
 *   mov $100,%ecx           # N, the stores: its immediate is body byte 1
 *   mov $T,%edi             # T[0..511]: identity, the first 2 MB (P|W)
 *   mov $0x003,%eax
 * 1:      mov %eax,(%edi)
 *   add $4,%edi
 *   add $0x1000,%eax
 *   cmp $0x200003,%eax
 *   jne 1b
 *   movl $1,A               # what V reads through each frame
 *   movl $2,B
 *   movl $T+3,PD            # PDE 0: T
 *   mov $PD,%eax
 *   mov %eax,%cr3
 *   mov %cr0,%eax
 *   or $0x80000000,%eax
 *   mov %eax,%cr0
 *   mov %cr3,%eax           # emulated: its fetch maps this code page in the shadow
 *   xor %esi,%esi           # the checksum: the sum of what V reads
 *   mov $T+(V>>12)*4,%ebx   # &T[V's index]
 *   mov $V,%edi
 *   jmp 2f                  # the loop head starts a block: the store is in one block only
 * 2:      mov %ecx,%eax
 *   and $1,%eax
 *   mov %eax,%edx           # what V should read, less 1: odd rounds B, even A
 *   shl $12,%eax
 *   add $A+3,%eax           # the PTE: A or B, P|W
 * store:  mov %eax,(%ebx)         # the traced store (opcode 0x89)
 *   invlpg (%edi)           # the new PTE is used
 *   mov (%edi),%eax         # a hidden fault through T: the table is in use (no flooding)
 *   add %eax,%esi
 *   inc %edx
 *   cmp %eax,%edx
 *   jne fail
 *   dec %ecx
 *   jnz 2b
 *   mov %esi,%eax           # the checksum: 150 for N = 100
 *   out %al,$0xf4
 * fail:   mov $2,%al
 *   out %al,$0xf4
 */
static const u8 k_ptstore[] = {
	0xb9, 0x64, 0x00, 0x00, 0x00, 0xbf, 0x00, 0x40, 0x10, 0x00, 0xb8, 0x03, 0x00, 0x00, 0x00, 0x89,
	0x07, 0x83, 0xc7, 0x04, 0x05, 0x00, 0x10, 0x00, 0x00, 0x3d, 0x03, 0x00, 0x20, 0x00, 0x75, 0xef,
	0xc7, 0x05, 0x00, 0x50, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0xc7, 0x05, 0x00, 0x60, 0x10, 0x00,
	0x02, 0x00, 0x00, 0x00, 0xc7, 0x05, 0x00, 0x30, 0x10, 0x00, 0x03, 0x40, 0x10, 0x00, 0xb8, 0x00,
	0x30, 0x10, 0x00, 0x0f, 0x22, 0xd8, 0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22,
	0xc0, 0x0f, 0x20, 0xd8, 0x31, 0xf6, 0xbb, 0x00, 0x4c, 0x10, 0x00, 0xbf, 0x00, 0x00, 0x30, 0x00,
	0xeb, 0x00, 0x89, 0xc8, 0x83, 0xe0, 0x01, 0x89, 0xc2, 0xc1, 0xe0, 0x0c, 0x05, 0x03, 0x50, 0x10,
	0x00, 0x89, 0x03, 0x0f, 0x01, 0x3f, 0x8b, 0x07, 0x01, 0xc6, 0x42, 0x39, 0xc2, 0x75, 0x07, 0x49,
	0x75, 0xe0, 0x89, 0xf0, 0xe6, 0xf4, 0xb0, 0x02, 0xe6, 0xf4,
};

/* Run skeleton + k_ptstore with `n` rounds under bt/shadow until the guest exits. */
static struct vm *run_rounds(u32 n)
{
	static u8 body[sizeof(k_ptstore)];
	assert_true(n >= 1 && n < 256); /* the checksum fits AL */
	memcpy(body, k_ptstore, sizeof(k_ptstore));
	memcpy(body + 1, &n, 4);
	return bt_skeleton_run(body, sizeof(body), VM_EXITED);
}

/* The exit code of a run of `n` rounds whose every store took effect: round i (ECX
 * counting down from n) reads 2 through frame B when i is odd, 1 through A when even. */
static int want_exit(u32 n)
{
	u32 sum = 0;
	for (u32 i = n; i; i--)
		sum += (i & 1) + 1;
	return (int)((sum << 1) | 1);
}

static long counter(struct vm *vm, const char *name) { return (long)stats_get(&vm->stats, name); }

static void show(struct vm *vm, u32 n)
{
	print_message("N %u: exit %d, shadow.traced_writes %ld, bt.retranslations %ld, bt.adaptive_writes %ld, "
		      "bt.callouts.ptwrite %ld, shadow.hidden_faults %ld, shadow.pages_freed %ld, modeled cycles %llu\n",
		      n, vm->exit_code, counter(vm, "shadow.traced_writes"), counter(vm, "bt.retranslations"),
		      counter(vm, "bt.adaptive_writes"), counter(vm, "bt.callouts.ptwrite"),
		      counter(vm, "shadow.hidden_faults"), counter(vm, "shadow.pages_freed"),
		      (unsigned long long)vm->cost.now);
}

static void test_bt_adaptive_store_becomes_a_callout(void **state)
{
	/* N stores into T: the first BT_ADAPT_AFTER fault (traced writes, each emulated),
	 * then the block is retranslated with the store as an adaptive callout, and every
	 * later store is performed by the VMM without a fault; the guest saw each take
	 * effect (its checksum) */
	struct vm *vm = run_rounds(N_STORES);
	show(vm, N_STORES);
	assert_int_equal(vm->exit_code, want_exit(N_STORES)); /* AL 150: every store took effect */
	assert_true(counter(vm, "bt.retranslations") >= 1);
	assert_true(counter(vm, "bt.adaptive_writes") >= (long)N_STORES - 5);
	assert_true(counter(vm, "shadow.traced_writes") <= (long)BT_ADAPT_AFTER + 2);
	assert_int_equal(counter(vm, "bt.callouts.ptwrite"), counter(vm, "bt.adaptive_writes"));
	/* exactly: BT_ADAPT_AFTER faults, every other store a callout, and one
	 * retranslation. A second would mean T stopped being traced (write flooding):
	 * BT_UNADAPT_AFTER callouts writing no traced table in a row (fewer than the 97
	 * here) send the store back to IDENT */
	assert_int_equal(counter(vm, "bt.retranslations"), 1);
	assert_int_equal(counter(vm, "shadow.traced_writes"), BT_ADAPT_AFTER);
	assert_int_equal(counter(vm, "bt.adaptive_writes"), N_STORES - BT_ADAPT_AFTER);
	/* the shadow kept tracing T: each round's read through V took a hidden fault */
	assert_true(counter(vm, "shadow.hidden_faults") >= (long)N_STORES);
	vm_destroy(vm);
}

static void test_bt_adaptive_first_stores_fault(void **state)
{
	/* The contrast, within the run (no profile or configuration turns adaptation off):
	 * before adaptation each store faulted. With exactly BT_ADAPT_AFTER rounds every
	 * store is a traced write and none is adaptive (the last fault retires the block,
	 * which does not run again); with twice as many the traced writes are still those
	 * BT_ADAPT_AFTER, and the rest are callouts */
	const u32 a = BT_ADAPT_AFTER;
	struct vm *one = run_rounds(1), *few = run_rounds(a), *more = run_rounds(2 * a - 1);
	show(few, a);
	show(more, 2 * a - 1);
	assert_int_equal(few->exit_code, want_exit(a));
	assert_true(counter(few, "shadow.traced_writes") >= (long)a);
	assert_int_equal(counter(few, "shadow.traced_writes"), a);
	assert_int_equal(counter(few, "bt.adaptive_writes"), 0);
	assert_int_equal(counter(few, "bt.callouts.ptwrite"), 0);
	assert_int_equal(counter(few, "bt.retranslations"), 1);

	assert_int_equal(more->exit_code, want_exit(2 * a - 1));
	assert_int_equal(counter(more, "shadow.traced_writes"), a);
	assert_int_equal(counter(more, "bt.adaptive_writes"), a - 1);
	/* rounds 2..a (faults; the last also retires the block) cost more modeled cycles
	 * than rounds a+1..2a-1 (callouts; the first also translates the new block) */
	u64 faulting = few->cost.now - one->cost.now, adaptive = more->cost.now - few->cost.now;
	print_message("rounds 2-%u: %llu modeled cycles; rounds %u-%u: %llu\n", a, (unsigned long long)faulting, a + 1,
		      2 * a - 1, (unsigned long long)adaptive);
	assert_true(adaptive < faulting);
	vm_destroy(one);
	vm_destroy(few);
	vm_destroy(more);
}

static void test_bt_adaptive_is_deterministic(void **state)
{
	/* Two runs of the same kernel: every counter and every modeled-cycle category equal */
	struct vm *a = run_rounds(N_STORES), *b = run_rounds(N_STORES);
	assert_int_equal(a->exit_code, b->exit_code);
	assert_int_equal(a->stats.n, b->stats.n);
	for (unsigned i = 0; i < a->stats.n; i++) {
		assert_string_equal(a->stats.name[i], b->stats.name[i]);
		if (a->stats.value[i] != b->stats.value[i])
			fail_msg("%s: %llu then %llu", a->stats.name[i], (unsigned long long)a->stats.value[i],
				 (unsigned long long)b->stats.value[i]);
	}
	assert_true(a->cost.now > 0);
	assert_int_equal(a->cost.now, b->cost.now);
	for (int c = 0; c < COST_NCAT; c++)
		assert_int_equal(cost_category(&a->cost, (enum cost_cat)c), cost_category(&b->cost, (enum cost_cat)c));
	assert_int_equal(a->cpu.insns, b->cpu.insns);
	vm_destroy(a);
	vm_destroy(b);
}

/* INVLPG undoes only the chains into the page it names: one call site's direct CALL
 * into page V (chained after its first run) keeps running A's code across an INVLPG of
 * another page W, and runs B's once V is remapped to B and invalidated. The guest sums what the
 * calls return: 3 x 1 + 1 + 3 x 2 = 10. (Assembled as the other bodies.) */
/*
 *   .set PD, 0x103000
 *   .set T, 0x104000
 *   .set A, 0x105000
 *   .set B, 0x106000
 *   .set V, 0x300000
 *   .set W, 0x301000
 *   mov $T,%edi
 *   mov $0x003,%eax
 * 1:  mov %eax,(%edi)
 *   add $4,%edi
 *   add $0x1000,%eax
 *   cmp $0x200003,%eax
 *   jne 1b
 *   movl $0x00c301b0,A      # A: mov $1,%al; ret
 *   movl $0x00c302b0,B      # B: mov $2,%al; ret
 *   movl $T+3,PD
 *   mov $PD,%eax
 *   mov %eax,%cr3
 *   mov %cr0,%eax
 *   or $0x80000000,%eax
 *   mov %eax,%cr0
 *   movl $A+3,T+(V>>12)*4   # V -> A
 *   movl $A+3,T+(W>>12)*4   # W -> A too
 *   xor %esi,%esi
 *   mov $3,%ecx
 * 2:  call callv              # three calls through A: 3
 *   dec %ecx
 *   jnz 2b
 *   invlpg W                # another page: the chain into V may stay
 *   call callv              # 4
 *   movl $B+3,T+(V>>12)*4   # V -> B, and INVLPG V: the chain into V must go
 *   invlpg V
 *   mov $3,%ecx
 * 3:  call callv              # + 2 each: 10
 *   dec %ecx
 *   jnz 3b
 *   mov %esi,%eax
 *   out %al,$0xf4
 * callv:  call V                  # one call site, chained into V's page after its first run
 *   movzbl %al,%eax
 *   add %eax,%esi
 *   ret
 */
static const u8 k_remap[] = {
	0xbf, 0x00, 0x40, 0x10, 0x00, 0xb8, 0x03, 0x00, 0x00, 0x00, 0x89, 0x07,
	0x83, 0xc7, 0x04, 0x05, 0x00, 0x10, 0x00, 0x00, 0x3d, 0x03, 0x00, 0x20,
	0x00, 0x75, 0xef, 0xc7, 0x05, 0x00, 0x50, 0x10, 0x00, 0xb0, 0x01, 0xc3,
	0x00, 0xc7, 0x05, 0x00, 0x60, 0x10, 0x00, 0xb0, 0x02, 0xc3, 0x00, 0xc7,
	0x05, 0x00, 0x30, 0x10, 0x00, 0x03, 0x40, 0x10, 0x00, 0xb8, 0x00, 0x30,
	0x10, 0x00, 0x0f, 0x22, 0xd8, 0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00,
	0x80, 0x0f, 0x22, 0xc0, 0xc7, 0x05, 0x00, 0x4c, 0x10, 0x00, 0x03, 0x50,
	0x10, 0x00, 0xc7, 0x05, 0x04, 0x4c, 0x10, 0x00, 0x03, 0x50, 0x10, 0x00,
	0x31, 0xf6, 0xb9, 0x03, 0x00, 0x00, 0x00, 0xe8, 0x31, 0x00, 0x00, 0x00,
	0x49, 0x75, 0xf8, 0x0f, 0x01, 0x3d, 0x00, 0x10, 0x30, 0x00, 0xe8, 0x22,
	0x00, 0x00, 0x00, 0xc7, 0x05, 0x00, 0x4c, 0x10, 0x00, 0x03, 0x60, 0x10,
	0x00, 0x0f, 0x01, 0x3d, 0x00, 0x00, 0x30, 0x00, 0xb9, 0x03, 0x00, 0x00,
	0x00, 0xe8, 0x07, 0x00, 0x00, 0x00, 0x49, 0x75, 0xf8, 0x89, 0xf0, 0xe6,
	0xf4, 0xe8, 0x5e, 0xfd, 0x1f, 0x00, 0x0f, 0xb6, 0xc0, 0x01, 0xc6, 0xc3
};

static void test_bt_invlpg_unchains_its_page(void **state)
{
	struct vm *nat = skeleton_run(k_remap, sizeof(k_remap), "native", "direct", VM_EXITED);
	assert_int_equal(nat->exit_code, (10 << 1) | 1); /* the guest is right natively */
	vm_destroy(nat);
	struct vm *vm = bt_skeleton_run(k_remap, sizeof(k_remap), VM_EXITED);
	assert_int_equal(vm->exit_code, (10 << 1) | 1);
	assert_true(stats_get(&vm->stats, "bt.chained") >= 2); /* the call was chained, and chained again */
	vm_destroy(vm);
}

/* A MOV to CR3 undoes the chains into pages mapped non-global: one call site chained
 * into V runs A's code in the first address space, B's in the second, A's again. */
/*
 *   .set PD1, 0x103000
 *   .set T1, 0x104000
 *   .set A, 0x105000
 *   .set B, 0x106000
 *   .set PD2, 0x107000
 *   .set T2, 0x108000
 *   .set V, 0x300000
 *   mov $T1,%edi            # T1 and T2: identity, the first 2 MB (P|W)
 *   mov $0x003,%eax
 * 1:  mov %eax,(%edi)
 *   mov %eax,T2-T1(%edi)
 *   add $4,%edi
 *   add $0x1000,%eax
 *   cmp $0x200003,%eax
 *   jne 1b
 *   movl $0x00c301b0,A      # A: mov $1,%al; ret
 *   movl $0x00c302b0,B      # B: mov $2,%al; ret
 *   movl $A+3,T1+(V>>12)*4  # space 1: V -> A; space 2: V -> B (not global)
 *   movl $B+3,T2+(V>>12)*4
 *   movl $T1+3,PD1
 *   movl $T2+3,PD2
 *   mov $PD1,%eax
 *   mov %eax,%cr3
 *   mov %cr0,%eax
 *   or $0x80000000,%eax
 *   mov %eax,%cr0
 *   xor %esi,%esi
 *   mov $3,%ecx
 * 2:  call callv              # space 1, three times: 3
 *   dec %ecx
 *   jnz 2b
 *   mov $PD2,%eax           # space 2: the chain into V must go
 *   mov %eax,%cr3
 *   mov $3,%ecx
 * 3:  call callv              # + 2 each: 9
 *   dec %ecx
 *   jnz 3b
 *   mov $PD1,%eax           # space 1 again: A's code: 10
 *   mov %eax,%cr3
 *   call callv
 *   mov %esi,%eax
 *   out %al,$0xf4
 * callv:  call V                  # one call site, chained into V's page after its first run
 *   movzbl %al,%eax
 *   add %eax,%esi
 *   ret
 */
static const u8 k_cr3[] = {
	0xbf, 0x00, 0x40, 0x10, 0x00, 0xb8, 0x03, 0x00, 0x00, 0x00, 0x89, 0x07,
	0x89, 0x87, 0x00, 0x40, 0x00, 0x00, 0x83, 0xc7, 0x04, 0x05, 0x00, 0x10,
	0x00, 0x00, 0x3d, 0x03, 0x00, 0x20, 0x00, 0x75, 0xe9, 0xc7, 0x05, 0x00,
	0x50, 0x10, 0x00, 0xb0, 0x01, 0xc3, 0x00, 0xc7, 0x05, 0x00, 0x60, 0x10,
	0x00, 0xb0, 0x02, 0xc3, 0x00, 0xc7, 0x05, 0x00, 0x4c, 0x10, 0x00, 0x03,
	0x50, 0x10, 0x00, 0xc7, 0x05, 0x00, 0x8c, 0x10, 0x00, 0x03, 0x60, 0x10,
	0x00, 0xc7, 0x05, 0x00, 0x30, 0x10, 0x00, 0x03, 0x40, 0x10, 0x00, 0xc7,
	0x05, 0x00, 0x70, 0x10, 0x00, 0x03, 0x80, 0x10, 0x00, 0xb8, 0x00, 0x30,
	0x10, 0x00, 0x0f, 0x22, 0xd8, 0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00,
	0x80, 0x0f, 0x22, 0xc0, 0x31, 0xf6, 0xb9, 0x03, 0x00, 0x00, 0x00, 0xe8,
	0x29, 0x00, 0x00, 0x00, 0x49, 0x75, 0xf8, 0xb8, 0x00, 0x70, 0x10, 0x00,
	0x0f, 0x22, 0xd8, 0xb9, 0x03, 0x00, 0x00, 0x00, 0xe8, 0x14, 0x00, 0x00,
	0x00, 0x49, 0x75, 0xf8, 0xb8, 0x00, 0x30, 0x10, 0x00, 0x0f, 0x22, 0xd8,
	0xe8, 0x04, 0x00, 0x00, 0x00, 0x89, 0xf0, 0xe6, 0xf4, 0xe8, 0x56, 0xfd,
	0x1f, 0x00, 0x0f, 0xb6, 0xc0, 0x01, 0xc6, 0xc3
};

static void test_bt_cr3_unchains_non_global(void **state)
{
	struct vm *nat = skeleton_run(k_cr3, sizeof(k_cr3), "native", "direct", VM_EXITED);
	assert_int_equal(nat->exit_code, (10 << 1) | 1); /* the guest is right natively */
	vm_destroy(nat);
	struct vm *vm = bt_skeleton_run(k_cr3, sizeof(k_cr3), VM_EXITED);
	assert_int_equal(vm->exit_code, (10 << 1) | 1);
	vm_destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bt_adaptive_store_becomes_a_callout),
		cmocka_unit_test(test_bt_adaptive_first_stores_fault),
		cmocka_unit_test(test_bt_adaptive_is_deterministic),
		cmocka_unit_test(test_bt_invlpg_unchains_its_page),
		cmocka_unit_test(test_bt_cr3_unchains_non_global),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
