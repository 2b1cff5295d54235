/*
 * ulib.c — the user library (see ulib.h).
 */
#include "ulib.h"

int sys3(int num, uint a, uint b, uint c)
{
	int r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(num), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

_Noreturn void exit(int status)
{
	sys3(SYS_exit, (uint)status, 0, 0);
	for (;;)
		;
}

int fork(void) { return sys0(SYS_fork); }
int exec(const char *name, char **argv) { return sys3(SYS_exec, (uint)name, (uint)argv, 0); }
int wait(int *status) { return sys3(SYS_wait, (uint)status, 0, 0); }
int getpid(void) { return sys0(SYS_getpid); }
int write(int fd, const void *buf, uint n) { return sys3(SYS_write, (uint)fd, (uint)buf, n); }
int read(int fd, void *buf, uint n) { return sys3(SYS_read, (uint)fd, (uint)buf, n); }
char *sbrk(int n) { return (char *)sys3(SYS_sbrk, (uint)n, 0, 0); }
void *mmap(uint len, int writable) { return (void *)sys3(SYS_mmap, len, (uint)writable, 0); }
int munmap(void *addr, uint len) { return sys3(SYS_munmap, (uint)addr, len, 0); }
int mprotect(void *addr, uint len, int w) { return sys3(SYS_mprotect, (uint)addr, len, (uint)w); }
int pipe(int fds[2]) { return sys3(SYS_pipe, (uint)fds, 0, 0); }
int close(int fd) { return sys3(SYS_close, (uint)fd, 0, 0); }
int yield(void) { return sys0(SYS_yield); }
int kill(int pid) { return sys3(SYS_kill, (uint)pid, 0, 0); }

void *memset(void *d, int c, uint n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, uint n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	while (n--)
		*dp++ = *sp++;
	return d;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, uint n)
{
	while (n && *a && *a == *b)
		n--, a++, b++;
	return n ? (unsigned char)*a - (unsigned char)*b : 0;
}

uint strlen(const char *s)
{
	uint n = 0;
	while (s[n])
		n++;
	return n;
}

struct outbuf {
	char b[256];
	uint n;
};

static void flush(struct outbuf *o)
{
	if (o->n)
		write(1, o->b, o->n);
	o->n = 0;
}

static void put(struct outbuf *o, char c)
{
	if (o->n == sizeof(o->b))
		flush(o);
	o->b[o->n++] = c;
}

static void num(struct outbuf *o, u64 v, uint base, int width, char pad)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width--)
		put(o, pad);
	while (n)
		put(o, buf[--n]);
}

/* printf: %d %u %x %s %c %llu, width, 0 padding; one write() per call. */
void printf(const char *fmt, ...)
{
	struct outbuf o;
	o.n = 0;
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, ll = 0;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			ll++, fmt++;
		switch (*fmt) {
		case 'd': {
			int v = __builtin_va_arg(ap, int);
			if (v < 0) {
				put(&o, '-');
				v = -v;
			}
			num(&o, (uint)v, 10, width, pad);
			break;
		}
		case 'u':
			num(&o, ll >= 2 ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, uint), 10, width, pad);
			break;
		case 'x': num(&o, __builtin_va_arg(ap, uint), 16, width, pad); break;
		case 's': {
			const char *s = __builtin_va_arg(ap, const char *);
			while (s && *s)
				put(&o, *s++);
			break;
		}
		case 'c': put(&o, (char)__builtin_va_arg(ap, int)); break;
		default: put(&o, *fmt); break;
		}
	}
	__builtin_va_end(ap);
	flush(&o);
}

void result(const char *name, uint ops, u64 cycles)
{
	printf("@result name=%s ops=%u cycles=%llu\n", name, ops, cycles);
}

static int in_list(const char *key, uint klen, const char *allowed)
{
	const char *p = allowed;
	while (*p) {
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		if ((uint)(p - w) == klen && !strncmp(w, key, klen))
			return 1;
		while (*p == ' ')
			p++;
	}
	return 0;
}

int args_check(int argc, char **argv, const char *allowed)
{
	for (int i = 1; i < argc; i++) {
		const char *eq = argv[i];
		while (*eq && *eq != '=')
			eq++;
		int ok = *eq == '=' && eq[1] >= '0' && eq[1] <= '9' &&
			 in_list(argv[i], (uint)(eq - argv[i]), allowed);
		for (const char *d = eq + 1; ok && *d; d++)
			ok = *d >= '0' && *d <= '9';
		if (!ok) {
			printf("%s: bad argument '%s' (arguments: %s, each key=number)\n", argv[0], argv[i], allowed);
			return -1;
		}
	}
	return 0;
}

uint arg(int argc, char **argv, const char *key, uint def)
{
	uint kl = strlen(key);
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, kl) && argv[i][kl] == '=') {
			uint v = 0;
			for (const char *d = argv[i] + kl + 1; *d; d++)
				v = v * 10 + (uint)(*d - '0');
			return v;
		}
	return def;
}
