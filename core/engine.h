/*
 * engine.h — the interface of CPU engines (DESIGN §5): how a virtualization technique
 * runs the guest on the machine.
 *
 * An engine configures the processor's intercept controls when it starts (like a VMM
 * filling in a VMCS), and handles the exits cpu_run() returns: it emulates or reflects
 * the event, charges what that costs (the transition by the profile's exit and entry
 * latency, its own software by the operations it performs) and resumes the guest.
 * `native` intercepts nothing and so never sees an exit.
 *
 * NULL hooks mean "nothing to do".
 */
#ifndef RINGLAB_ENGINE_H
#define RINGLAB_ENGINE_H

#include <stddef.h>

#include "exit.h"

struct vm;

/* What handle_exit tells the run loop. */
enum engine_verdict {
	ENGINE_RESUME, /* the exit was handled; run the guest again */
	ENGINE_STOP,   /* stop the run (vm->status says why) */
};

struct engine_ops {
	const char *name;
	const char *help; /* one line for `bench list` */
	/* Prepare the engine for `vm` (intercepts, private state). Returns 0, or -1
	 * with one line in err. */
	int (*init)(struct vm *vm, char *err, size_t errlen);
	void (*fini)(struct vm *vm);
	enum engine_verdict (*handle_exit)(struct vm *vm, struct exit_record *e);
};

/* Find an engine by name, or NULL. */
const struct engine_ops *engine_find(const char *name);

/* The registered engines, NULL-terminated (for listings). */
extern const struct engine_ops *const engine_registry[];

#endif
