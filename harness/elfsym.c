/*
 * elfsym.c — an ELF32 kernel's .symtab read with <elf.h>: the sections' table, the
 * symbol table and its string table, nothing else. Only symbols that name something
 * (functions, objects, and the untyped labels assembly leaves) are kept.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfsym.h"

static int by_value(const void *a, const void *b)
{
	const struct elfsym_entry *x = a, *y = b;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return strcmp(x->name, y->name); /* a stable order for aliases */
}

/* The whole file at `path`, malloc'ed, in *len; NULL with err. */
static u8 *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	u8 *buf = NULL;
	long n = -1;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && n < (64L << 20) && !fseek(f, 0, SEEK_SET) &&
	    (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		fclose(f);
		*len = (size_t)n;
		return buf;
	}
	free(buf);
	fclose(f);
	snprintf(err, errlen, "cannot read %s", path);
	return NULL;
}

int elfsym_load(struct elfsym *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	size_t len = 0;
	u8 *f = slurp(path, &len, err, errlen);
	if (!f)
		return -1;
	const Elf32_Ehdr *eh = (const void *)f;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS32 ||
	    eh->e_shentsize != sizeof(Elf32_Shdr) || eh->e_shoff > len ||
	    (size_t)eh->e_shnum * sizeof(Elf32_Shdr) > len - eh->e_shoff) {
		snprintf(err, errlen, "%s is not an ELF32 file with a section table", path);
		free(f);
		return -1;
	}
	const Elf32_Shdr *sh = (const void *)(f + eh->e_shoff);
	const Elf32_Shdr *st = NULL, *str = NULL;
	for (unsigned i = 0; i < eh->e_shnum && !st; i++)
		if (sh[i].sh_type == SHT_SYMTAB && sh[i].sh_link < eh->e_shnum)
			st = &sh[i], str = &sh[sh[i].sh_link];
	if (!st || st->sh_offset > len || st->sh_size > len - st->sh_offset || str->sh_offset > len ||
	    str->sh_size > len - str->sh_offset || !str->sh_size) {
		snprintf(err, errlen, "%s has no symbol table (stripped?)", path);
		free(f);
		return -1;
	}
	unsigned nsym = st->sh_size / sizeof(Elf32_Sym);
	s->names = malloc(str->sh_size + 1);
	s->sym = calloc(nsym ? nsym : 1, sizeof(*s->sym));
	if (!s->names || !s->sym) {
		snprintf(err, errlen, "out of memory");
		free(f);
		elfsym_free(s);
		return -1;
	}
	memcpy(s->names, f + str->sh_offset, str->sh_size);
	s->names[str->sh_size] = 0;
	const Elf32_Sym *sym = (const void *)(f + st->sh_offset);
	for (unsigned i = 0; i < nsym; i++) {
		unsigned type = ELF32_ST_TYPE(sym[i].st_info);
		if (!sym[i].st_value || sym[i].st_shndx == SHN_UNDEF || sym[i].st_shndx == SHN_ABS ||
		    sym[i].st_name >= str->sh_size || !s->names[sym[i].st_name] ||
		    (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE))
			continue;
		s->sym[s->n++] = (struct elfsym_entry){ sym[i].st_value, sym[i].st_size, s->names + sym[i].st_name };
	}
	free(f);
	qsort(s->sym, s->n, sizeof(*s->sym), by_value);
	return 0;
}

void elfsym_free(struct elfsym *s)
{
	free(s->sym);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

bool elfsym_find(const struct elfsym *s, const char *name, u32 *value)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->sym[i].name, name)) {
			*value = s->sym[i].value;
			return true;
		}
	return false;
}

const char *elfsym_name(const struct elfsym *s, u32 addr, char *buf, size_t n)
{
	int lo = 0, hi = (int)s->n - 1, at = -1;
	while (lo <= hi) { /* the last symbol at or below addr */
		int mid = (lo + hi) / 2;
		if (s->sym[mid].value <= addr)
			at = mid, lo = mid + 1;
		else
			hi = mid - 1;
	}
	buf[0] = 0;
	if (at < 0)
		return buf;
	while (at > 0 && s->sym[at - 1].value == s->sym[at].value && s->sym[at].size == 0 && s->sym[at - 1].size)
		at--; /* of aliases, the one with a size */
	const struct elfsym_entry *e = &s->sym[at];
	u32 off = addr - e->value;
	if (e->size ? off >= e->size : off >= 0x1000)
		return buf;
	if (off)
		snprintf(buf, n, "%s+%#x", e->name, off);
	else
		snprintf(buf, n, "%s", e->name);
	return buf;
}
