/*
 * test_pv_direct.c — pv/direct's validation (engines/pv/direct.c), rule by rule, on a
 * real pv engine whose guest memory the test writes directly (paging off, so the VMM's
 * reads of the update lists are physical).
 *
 * Each test builds a directory and a page table in guest frames, asks the VMM as a
 * hypercall would (pv_new_baseptr, pv_pin, pv_mmu_update), and checks the answer, the
 * refusal counter of its reason, and that a refusal left every frame's type as it was.
 * The rules are pvabi.h's: own frames only, never a page table writable, nothing in
 * the VMM's hole, no 4 MB pages, updates only to page tables, no validation while the
 * boot tables are in CR3, a full TLB flush before a once-writable frame becomes a page
 * table, a guest insisting on unsafe requests killed.
 */
#include "cpu_fixture.h"

#include <stdio.h>
#include <unistd.h>

#include "core/vm.h"
#include "engines/pv/pv.h"

#define PD 0x10000u   /* the directory's frame */
#define PT 0x11000u   /* a page table's frame */
#define DATA 0x12000u /* a data frame */
#define LIST 0x13000u /* the update list */
#define BOOT 0x14000u /* a second directory */

static char kpath[64];

static struct vm *pv_vm(void)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	strcpy(kpath, "/tmp/ringlab-pvd-XXXXXX");
	int fd = mkstemp(kpath);
	assert_true(fd >= 0);
	u32 h[9] = { 0x1BADB002u, 1u << 16, 0, 0x100000, 0x100000, 0, 0, 0x100020, 0xf4f4f4f4u };
	h[2] = (u32) - (h[0] + h[1]);
	assert_int_equal(write(fd, h, sizeof(h)), (ssize_t)sizeof(h));
	close(fd);
	struct vm_config cfg = { .kernel = kpath, .cmdline = "", .profile = "p4-2006", .profile_dir = "profiles",
				 .engine = "pv", .mmu = "direct", .ram_mb = 16, .console = sink };
	char err[256];
	struct vm *vm = vm_create(&cfg, err, sizeof(err));
	if (!vm)
		fail_msg("vm_create: %s", err);
	struct pv *p = vm->engine_state;
	assert_true(p->direct);
	return vm;
}

static void done(struct vm *vm)
{
	vm_destroy(vm);
	unlink(kpath);
}

static u32 *frame(struct vm *vm, u32 pa) { return (u32 *)cpu_phys(&vm->cpu, pa, 4096); }
static u64 refused(struct vm *vm, const char *why)
{
	char name[64];
	snprintf(name, sizeof(name), "pv.refused.%s", why);
	return stats_get(&vm->stats, name);
}

/* One update through the list at LIST, as PVH_MMU_UPDATE receives it. */
static int update(struct vm *vm, u32 ptr, u32 val)
{
	u32 *l = frame(vm, LIST);
	l[0] = ptr;
	l[1] = val;
	return pv_mmu_update(vm->engine_state, LIST, 1);
}

/* A directory PD whose entry 0 points at page table PT, which maps DATA writable;
 * loaded as CR3 (the first validated directory). */
static void good_tables(struct vm *vm)
{
	frame(vm, PD)[0] = PT | 7;
	frame(vm, PT)[0] = DATA | 7;
	assert_int_equal(pv_new_baseptr(vm->engine_state, PD), PV_OK);
}

static void test_valid_tables_are_typed_and_released(void **state)
{
	struct vm *vm = pv_vm();
	struct pv *p = vm->engine_state;
	good_tables(vm);
	assert_int_equal(vm->cpu.cr3, PD);
	assert_int_equal(pv_pin(p, PD, 0), PV_EINVAL); /* never pinned: CR3 keeps its reference */
	assert_int_equal(p->tcount[PD >> 12], 1);
	assert_int_equal(p->ptype[PD >> 12], 2);   /* L2 */
	assert_int_equal(p->ptype[PT >> 12], 1);   /* L1 */
	assert_int_equal(p->ptype[DATA >> 12], 3); /* W */
	assert_int_equal(pv_pin(p, PD, 1), PV_OK);
	assert_int_equal(pv_pin(p, PD, 1), PV_EINVAL); /* pinned once */
	assert_int_equal(p->tcount[PD >> 12], 2);
	/* a second directory sharing PT: CR3 moves, PD stays pinned */
	frame(vm, BOOT)[0] = PT | 7;
	assert_int_equal(pv_new_baseptr(p, BOOT), PV_OK);
	assert_int_equal(p->tcount[PT >> 12], 2);
	assert_int_equal(pv_pin(p, PD, 0), PV_OK);
	assert_int_equal(p->ptype[PD >> 12], 0); /* released: PT keeps BOOT's reference */
	assert_int_equal(p->tcount[PT >> 12], 1);
	assert_int_equal(stats_get(&vm->stats, "pv.tables_validated"), 3);
	done(vm);
}

static void test_frame_outside_memory_refused(void **state)
{
	struct vm *vm = pv_vm();
	good_tables(vm);
	assert_int_equal(update(vm, PT + 4, (vm->cpu.ram_size + 0x1000) | 3), PV_EPERM);
	assert_int_equal(refused(vm, "frame"), 1);
	assert_int_equal(frame(vm, PT)[1], 0); /* not written */
	done(vm);
}

static void test_page_table_never_writable(void **state)
{
	struct vm *vm = pv_vm();
	struct pv *p = vm->engine_state;
	good_tables(vm);
	assert_int_equal(update(vm, PT + 4, PD | 3), PV_EPERM); /* the directory, writable */
	assert_int_equal(update(vm, PT + 8, PT | 3), PV_EPERM); /* the table itself */
	assert_int_equal(refused(vm, "pt_writable"), 2);
	assert_int_equal(update(vm, PT + 4, PD | 1), PV_OK);    /* read-only is fine */
	/* a frame mapped writable cannot become a page table */
	assert_int_equal(update(vm, PD + 4, DATA | 7), PV_EPERM);
	assert_int_equal(p->ptype[DATA >> 12], 3);
	/* a directory that maps itself writable is refused whole, nothing left typed */
	frame(vm, BOOT)[0] = PT | 7;
	frame(vm, BOOT)[1] = 0x15000u | 7;
	frame(vm, 0x15000u)[0] = BOOT | 3;
	u32 before = p->tcount[PT >> 12];
	assert_int_equal(pv_new_baseptr(p, BOOT), PV_EPERM);
	assert_int_equal(vm->cpu.cr3, PD);
	assert_int_equal(p->ptype[BOOT >> 12], 0);
	assert_int_equal(p->ptype[0x15], 0);
	assert_int_equal(p->tcount[PT >> 12], before);
	done(vm);
}

static void test_hole_superpage_and_non_tables(void **state)
{
	struct vm *vm = pv_vm();
	good_tables(vm);
	assert_int_equal(update(vm, PD + 4 * PV_VMM_HOLE_PDE, 0x15000u | 7), PV_EPERM);
	assert_int_equal(refused(vm, "vmm_hole"), 1);
	assert_int_equal(update(vm, PD + 8, 0x400000u | 0x87), PV_EINVAL);
	assert_int_equal(refused(vm, "superpage"), 1);
	assert_int_equal(update(vm, DATA, 0x15000u | 7), PV_EINVAL); /* DATA is no page table */
	assert_int_equal(refused(vm, "not_pt"), 1);
	done(vm);
}

static void test_nothing_validated_on_boot_tables(void **state)
{
	struct vm *vm = pv_vm();
	frame(vm, PD)[0] = PT | 7;
	assert_int_equal(pv_pin(vm->engine_state, PD, 1), PV_EINVAL);
	assert_int_equal(update(vm, PD, PT | 7), PV_EINVAL);
	assert_int_equal(((struct pv *)vm->engine_state)->ptype[PD >> 12], 0);
	done(vm);
}

static void test_flush_before_a_once_writable_frame_becomes_a_table(void **state)
{
	struct vm *vm = pv_vm();
	good_tables(vm);
	u64 flushes = stats_get(&vm->stats, "pv.tlb_full_flushes");
	assert_int_equal(update(vm, PT, DATA | 5), PV_OK); /* DATA's writable mapping goes */
	assert_int_equal(update(vm, PD + 4, DATA | 7), PV_OK); /* DATA becomes an L1 */
	assert_int_equal(stats_get(&vm->stats, "pv.tlb_full_flushes"), flushes + 1);
	done(vm);
}

static void test_insisting_guest_is_killed(void **state)
{
	struct vm *vm = pv_vm();
	struct pv *p = vm->engine_state;
	good_tables(vm);
	for (unsigned i = 0; i + 1 < PV_PERM_LIMIT; i++)
		assert_int_equal(update(vm, PT + 4, PD | 3), PV_EPERM);
	assert_false(p->killed);
	assert_int_equal(update(vm, PT + 4, PD | 3), PV_EPERM);
	assert_true(p->killed);
	done(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_tables_are_typed_and_released),
		cmocka_unit_test(test_frame_outside_memory_refused),
		cmocka_unit_test(test_page_table_never_writable),
		cmocka_unit_test(test_hole_superpage_and_non_tables),
		cmocka_unit_test(test_nothing_validated_on_boot_tables),
		cmocka_unit_test(test_flush_before_a_once_writable_frame_becomes_a_table),
		cmocka_unit_test(test_insisting_guest_is_killed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
