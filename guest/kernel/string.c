/*
 * string.c — the memory and string functions the kernel (and gcc) needs.
 */
#include "defs.h"

/* Word-aligned bulk fills and copies use REP STOSL / MOVSL, as real kernels do. */
void *memset(void *d, int c, uint32 n)
{
	uint8 *p = d;
	if (!((uint32)p & 3) && !(n & 3)) {
		uint32 v = (uint8)c * 0x01010101u, words = n / 4;
		__asm__ volatile("cld; rep stosl" : "+D"(p), "+c"(words) : "a"(v) : "memory");
		return d;
	}
	while (n--)
		*p++ = (uint8)c;
	return d;
}

void *memcpy(void *d, const void *s, uint32 n) { return memmove(d, s, n); }

void *memmove(void *d, const void *s, uint32 n)
{
	uint8 *dp = d;
	const uint8 *sp = s;
	if (dp < sp) {
		if (!((uint32)dp & 3) && !((uint32)sp & 3) && !(n & 3)) {
			uint32 words = n / 4;
			__asm__ volatile("cld; rep movsl" : "+D"(dp), "+S"(sp), "+c"(words)::"memory");
			return d;
		}
		while (n--)
			*dp++ = *sp++;
	} else {
		dp += n;
		sp += n;
		while (n--)
			*--dp = *--sp;
	}
	return d;
}

int memcmp(const void *a, const void *b, uint32 n)
{
	const uint8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (uint8)*a - (uint8)*b;
}

int strncmp(const char *a, const char *b, uint32 n)
{
	while (n && *a && *a == *b)
		n--, a++, b++;
	return n ? (uint8)*a - (uint8)*b : 0;
}

uint32 strlen(const char *s)
{
	uint32 n = 0;
	while (s[n])
		n++;
	return n;
}

char *strncpy_safe(char *d, const char *s, uint32 n)
{
	uint32 i = 0;
	for (; i + 1 < n && s[i]; i++)
		d[i] = s[i];
	if (n)
		d[i] = 0;
	return d;
}
