/*
 * bt_classes.h — what the bt class and fault tests share (test_bt_classes.c,
 * test_bt_faults.c): a run of the skeleton (bt_skeleton.h) with a body, the skeleton
 * alone as the baseline of every counter (setup/teardown), and a counter's delta over it.
 */
#ifndef RINGLAB_BT_CLASSES_H
#define RINGLAB_BT_CLASSES_H

#include "bt_skeleton.h"

#define EXIT_OK ((1 << 1) | 1) /* AL 1 */


/* Run skeleton + `body` under bt/shadow until it ends with status `want`; returns the
 * VM (the caller destroys it). */
static inline struct vm *run_status(const u8 *body, size_t n, enum vm_status want)
{
	return bt_skeleton_run(body, n, (int)want);
}

static inline struct vm *run(const u8 *body, size_t n) { return run_status(body, n, VM_EXITED); }

/*
 *   mov $1,%al
 *   out %al,$0xf4
 *   hlt
 */
static const u8 k_empty[] = {
	0xb0, 0x01, 0xe6, 0xf4, 0xf4,
};

static struct vm *base_vm; /* the skeleton alone: the counters every run starts with */

static int setup(void **state)
{
	base_vm = run(k_empty, sizeof(k_empty));
	return base_vm && base_vm->exit_code == EXIT_OK ? 0 : -1;
}

static int teardown(void **state)
{
	vm_destroy(base_vm);
	return 0;
}

/* Counter `name` of `vm` beyond the skeleton's. */
static long delta(struct vm *vm, const char *name)
{
	return (long)stats_get(&vm->stats, name) - (long)stats_get(&base_vm->stats, name);
}

#endif
