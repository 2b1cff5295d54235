/*
 * runone.h — one configuration of a workload, run to the end: the machine built, the
 * guest booted with the workload's command line, its console captured and its
 * measurements extracted. bench run, explain and trace all run a workload this way;
 * the views that need more than the measurements (the exits one by one, the console
 * as it is printed, the machine at the end) get it through optional hooks, so that
 * every view sees exactly the run bench run measures.
 */
#ifndef RINGLAB_RUNONE_H
#define RINGLAB_RUNONE_H

#include <stdbool.h>

#include "configs.h"
#include "measure.h"
#include "workload.h"

struct run_result {
	const struct config *cfg;
	double host_seconds, host_cpu;
	long long host_insns; /* -1 without PAPI */
	u64 insns, cycles;
	int nmeas;
	struct measurement *meas; /* malloc'ed, MEAS_MAX entries */
	char *json;
};

/* What a view wants to see of a run besides its measurements; every field optional. */
struct run_hooks {
	void *opaque;
	/* the machine was built and is about to run */
	void (*at_start)(void *opaque, struct vm *vm);
	/* one exit was handled (see vm_config.on_exit) */
	void (*on_exit)(void *opaque, const struct exit_record *e, u64 cycles, bool measured);
	/* one complete console line (without its newline), and whether the guest was
	 * inside a measured region when it ended it */
	void (*on_console)(void *opaque, const char *line, bool measuring);
	/* the run ended successfully; the machine is still intact */
	void (*at_end)(void *opaque, struct vm *vm);
};

/* Run workload `w` under `cfg` on `profile` with guest image `kernel`. Returns 0 with
 * `out` filled (free with run_result_free), or -1 with one line in err. */
int run_one(const struct workload *w, const struct config *cfg, const char *profile,
	    const char *kernel, const struct run_hooks *hooks, struct run_result *out, char *err,
	    size_t errlen);

/* Free what run_one allocated in r. */
void run_result_free(struct run_result *r);

/* The default guest image: guest/kernel.elf beside the bench executable. */
const char *run_default_kernel(void);

#endif
