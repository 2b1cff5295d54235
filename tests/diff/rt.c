/*
 * rt.c — the differential kernels' runtime (see rt.h).
 */
#include "rt.h"

#include <stdarg.h>

const char *rt_cmdline = "";

void rt_putc(char c)
{
	while (!(inb(0x3fd) & 0x20))
		;
	outb(0x3f8, (u8)c);
}

void rt_puts(const char *s)
{
	while (*s)
		rt_putc(*s++);
}

static void put_num(u32 v, unsigned base, int width, char pad)
{
	char buf[16];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width--)
		rt_putc(pad);
	while (n)
		rt_putc(buf[--n]);
}

void rt_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			rt_putc(*fmt);
			continue;
		}
		fmt++;
		int width = 0;
		char pad = ' ';
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		switch (*fmt) {
		case 'x': put_num(va_arg(ap, u32), 16, width, pad); break;
		case 'u': put_num(va_arg(ap, u32), 10, width, pad); break;
		case 'd': {
			s32 v = va_arg(ap, s32);
			if (v < 0) {
				rt_putc('-');
				v = -v;
			}
			put_num((u32)v, 10, width, pad);
			break;
		}
		case 's': rt_puts(va_arg(ap, const char *)); break;
		case 'c': rt_putc((char)va_arg(ap, int)); break;
		default: rt_putc(*fmt); break;
		}
	}
	va_end(ap);
}

_Noreturn void rt_exit(int code)
{
	outb(0xf4, (u8)code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

int rt_has(const char *word)
{
	const char *p = rt_cmdline;
	while (*p) {
		const char *w = word, *q = p;
		while (*w && *q == *w) {
			w++;
			q++;
		}
		if (!*w && (*q == 0 || *q == ' ' || *q == '='))
			return 1;
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return 0;
}

u32 rt_arg(const char *key, u32 def)
{
	const char *p = rt_cmdline;
	while (*p) {
		const char *w = key, *q = p;
		while (*w && *q == *w) {
			w++;
			q++;
		}
		if (!*w && *q == '=') {
			u32 v = 0;
			for (q++; *q >= '0' && *q <= '9'; q++)
				v = v * 10 + (u32)(*q - '0');
			return v;
		}
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return def;
}

static u32 rng = 0x2545f491;

u32 rt_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

u32 rt_operand(void)
{
	static const u32 edge[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
				    0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x100, 0x10000 };
	u32 r = rt_rand();
	if ((r & 7) == 0)
		return edge[(r >> 3) % (sizeof(edge) / sizeof(edge[0]))];
	return rt_rand();
}

u32 rt_crc(u32 crc, u32 v)
{
	for (int i = 0; i < 32; i++) {
		u32 bit = (crc ^ v) & 1;
		crc = (crc >> 1) ^ (bit ? 0xedb88320u : 0);
		v >>= 1;
	}
	return crc;
}

void line_begin(struct line *l, const char *name)
{
	l->name = name;
	l->crc = 0xffffffffu;
	l->cases = 0;
}

void line_add(struct line *l, u32 a, u32 b, u32 r, u32 r2, u32 flags)
{
	l->crc = rt_crc(rt_crc(rt_crc(l->crc, r), r2), flags);
	l->cases++;
	if (rt_has("verbose"))
		rt_printf("  %s a=%08x b=%08x r=%08x r2=%08x f=%03x\n", l->name, a, b, r, r2, flags);
}

void line_end(struct line *l)
{
	rt_printf("%s cases=%u crc=%08x\n", l->name, l->cases, l->crc);
}

/* Entry: multiboot header, stack, command line, kmain, exit 0. */
extern char stack_top[];
void rt_start(u32 magic, u32 *mbi);
void rt_start(u32 magic, u32 *mbi)
{
	if (magic == 0x2BADB002u && (mbi[0] & 4)) {
		const char *c = (const char *)mbi[4];
		while (*c && *c != ' ')
			c++; /* skip the kernel's file name */
		while (*c == ' ')
			c++;
		rt_cmdline = c;
	}
	kmain();
	rt_puts("done\n");
	rt_exit(0);
}

__asm__(".section .multiboot, \"a\"\n.align 4\n.long 0x1BADB002, 3, -(0x1BADB002 + 3)\n"
	".text\n.globl _start\n_start:\n"
	"mov $stack_top, %esp\npush %ebx\npush %eax\ncall rt_start\n1: cli\nhlt\njmp 1b\n"
	".bss\n.align 16\n.space 65536\n.globl stack_top\nstack_top:\n");
