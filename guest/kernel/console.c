/*
 * console.c — the console on COM1 (polled 16550 output), the kernel's printf, panic
 * and power-off through the isa-debug-exit port.
 */
#include "defs.h"
#include "pvops.h"

#define COM1 0x3f8

void console_init(void)
{
	pv.outb(COM1 + 1, 0x00); /* no interrupts */
	pv.outb(COM1 + 3, 0x80); /* DLAB */
	pv.outb(COM1 + 0, 0x01); /* 115200 baud */
	pv.outb(COM1 + 1, 0x00);
	pv.outb(COM1 + 3, 0x03); /* 8N1 */
	pv.outb(COM1 + 2, 0xc7); /* FIFO */
}

void kputc(char c)
{
	if (pv.console_putc) {
		pv.console_putc(c);
		return;
	}
	while (!(pv.inb(COM1 + 5) & 0x20))
		;
	pv.outb(COM1, (uint8)c);
}

static void put_num(void (*put)(char, void *), void *arg, uint32 v, unsigned base, int width,
		    char pad)
{
	char buf[16];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width--)
		put(pad, arg);
	while (n)
		put(buf[--n], arg);
}

/* printf core: %d %u %x %s %c %llu, width and 0 padding. */
void kvprintf(void (*put)(char, void *), void *arg, const char *fmt, __builtin_va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(*fmt, arg);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, ll = 0;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			ll++;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			int v = __builtin_va_arg(ap, int);
			if (v < 0) {
				put('-', arg);
				v = -v;
			}
			put_num(put, arg, (uint32)v, 10, width, pad);
			break;
		}
		case 'u':
			if (ll >= 2) {
				uint64 v = __builtin_va_arg(ap, uint64);
				char buf[24];
				int n = 0;
				do {
					buf[n++] = (char)('0' + v % 10);
					v /= 10;
				} while (v);
				while (n)
					put(buf[--n], arg);
			} else {
				put_num(put, arg, __builtin_va_arg(ap, uint32), 10, width, pad);
			}
			break;
		case 'x': put_num(put, arg, __builtin_va_arg(ap, uint32), 16, width, pad); break;
		case 'p': put_num(put, arg, __builtin_va_arg(ap, uint32), 16, 8, '0'); break;
		case 's': {
			const char *s = __builtin_va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			while (*s)
				put(*s++, arg);
			break;
		}
		case 'c': put((char)__builtin_va_arg(ap, int), arg); break;
		case '%': put('%', arg); break;
		default: put('%', arg); put(*fmt, arg); break;
		}
	}
}

static void put_console(char c, void *arg)
{
	(void)arg;
	kputc(c);
}

void kprintf(const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	kvprintf(put_console, NULL, fmt, ap);
	__builtin_va_end(ap);
}

_Noreturn void poweroff(int code)
{
	pv.outb(0xf4, (uint8)code);
	for (;;)
		pv.irq_disable();
}

_Noreturn void panic(const char *fmt, ...)
{
	__builtin_va_list ap;
	pv.irq_disable();
	kprintf("panic: ");
	__builtin_va_start(ap, fmt);
	kvprintf(put_console, NULL, fmt, ap);
	__builtin_va_end(ap);
	kprintf("\n");
	poweroff(2);
}
