/*
 * elfsym.h — the symbols of an ELF32 guest kernel (.symtab), to name guest addresses
 * and to let a command take a function's name where it takes an address.
 */
#ifndef RINGLAB_ELFSYM_H
#define RINGLAB_ELFSYM_H

#include <stddef.h>

#include "core/types.h"

struct elfsym {
	unsigned n;
	struct elfsym_entry {
		u32 value, size;
		char *name;
	} *sym;      /* code and data symbols, sorted by value */
	char *names; /* the string table they point into */
};

/* Read the symbols of ELF32 file `path`. Returns 0, or -1 with one line in err (not
 * ELF32, no .symtab: a stripped kernel). Free with elfsym_free. */
int elfsym_load(struct elfsym *s, const char *path, char *err, size_t errlen);
void elfsym_free(struct elfsym *s);

/* The value of symbol `name`; false if there is none. */
bool elfsym_find(const struct elfsym *s, const char *name, u32 *value);

/* Name `addr` as "symbol" or "symbol+0xoff" in buf (the nearest symbol at or below it
 * that covers it: within its size, or within 4 KB for a label without one); "" if
 * none does. Returns buf. */
const char *elfsym_name(const struct elfsym *s, u32 addr, char *buf, size_t n);

#endif
