/*
 * select.h — what a command line asks to run: a workload with its --set arguments
 * checked against the ones it declares, a profile, and the configurations (the list
 * given, else the workload's, else every valid one; native first, so overheads can be
 * computed). Everything is checked before anything boots, and a mistyped name is
 * answered with the names that exist and the likeliest one ("did you mean").
 */
#ifndef RINGLAB_SELECT_H
#define RINGLAB_SELECT_H

#include <stdbool.h>

#include "configs.h"
#include "core/profile.h"
#include "workload.h"

#define SELECT_MAX_CONFIGS 16
#define SELECT_MAX_SETS 64 /* --set options on one command line */

struct selection {
	struct workload w;
	struct profile prof;
	const struct config *todo[SELECT_MAX_CONFIGS];
	int ntodo;
	char defcmd[2048]; /* the workload file's own command line, before --set */
};

/* Load workload `name` (did you mean on a typo) into s->w. Returns 0 or -1 with err. */
int select_workload(struct workload *w, const char *name, char *err, size_t errlen);

/* Apply "key=value" to w, refusing a key the workload does not declare (naming the
 * ones it does). Returns 0 or -1 with err. */
int select_set(struct workload *w, const char *kv, char *err, size_t errlen);

/* Keep one --set "key=value" of command `cmd` in sets[*nsets] (checked later, by
 * select_set). Returns 0, or -1 after a one-line error when there are already
 * SELECT_MAX_SETS. */
int select_add_set(const char **sets, int *nsets, const char *kv, const char *cmd);

/* Load profile `name` (did you mean on a typo). Returns 0 or -1 with err. */
int select_profile(struct profile *p, const char *name, char *err, size_t errlen);

/* Find configuration `name`, or NULL with err naming the known ones. */
const struct config *select_config(const char *name, char *err, size_t errlen);

/* Everything at once: the workload with its sets, the profile, the configurations of
 * `config_arg` (NULL: the default list). A configuration of the default list that
 * cannot run on the profile is skipped with a note on stderr prefixed by `cmd`.
 * Returns 0, or -1 with err (s->w is then already freed). */
int select_load(struct selection *s, const char *cmd, const char *workload, const char *const *sets,
		int nsets, const char *profile, const char *config_arg, char *err, size_t errlen);

/* Free what select_load loaded. */
void select_free(struct selection *s);

#endif
