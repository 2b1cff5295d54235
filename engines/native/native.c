/*
 * native.c — the baseline: the guest runs on the machine with no VMM at all.
 *
 * Nothing is intercepted, so cpu_run() never returns an exit; every privileged
 * instruction executes with its native cost, every page walk is the hardware's own
 * (mmu/direct). All other configurations' overheads are measured against this one.
 */
#include "core/engine.h"

static const char *const native_mmus[] = { "direct", NULL };

const struct engine_ops engine_native = {
	.name = "native",
	.help = "no VMM: the guest runs directly on the machine (the baseline)",
	.mmus = native_mmus,
};
