/*
 * pvrt.c — the pv attack kernel's runtime (see pvrt.h): entry in ring 1 with the boot
 * magic, the console (emulated port I/O before registration, PVH_CONSOLE_WRITE after),
 * a small printf (rt.c's), the command line, trap stubs and `guarded`.
 */
#include "pvrt.h"

#include <stdarg.h>

u32 boot_edx, boot_cs, ram_end = 128u << 20;
int registered;
struct pv_shared shared __attribute__((aligned(4096)));
const char *cmdline = "";
static char cmdbuf[256];

/* ---- console ---- */

static char line[240];
static unsigned nline;

static void flush(void)
{
	if (registered) {
		hc(PVH_CONSOLE_WRITE, (u32)line, nline);
	} else {
		/* natively, or in ring 1 before registering: each IN/OUT faults and the
		 * VMM emulates it, as te does */
		for (unsigned i = 0; i < nline; i++) {
			while (!(inb(0x3fd) & 0x20))
				;
			outb(0x3f8, (u8)line[i]);
		}
	}
	nline = 0;
}

static void putch(char c)
{
	line[nline++] = c;
	if (c == '\n' || nline == sizeof(line))
		flush();
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
		putch(pad);
	while (n)
		putch(buf[--n]);
}

void pr(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putch(*fmt);
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
				putch('-');
				v = -v;
			}
			put_num((u32)v, 10, width, pad);
			break;
		}
		case 's': for (const char *s = va_arg(ap, const char *); *s; s++) putch(*s); break;
		default: putch(*fmt); break;
		}
	}
	va_end(ap);
}

_Noreturn void pv_exit(int code)
{
	if (nline)
		flush();
	if (registered)
		hc(PVH_SHUTDOWN, (u32)code, 0);
	else
		outb(0xf4, (u8)code);
	for (;;)
		hc(PVH_YIELD, 0, 0);
}

/* ---- command line ---- */

static int word_at(const char *p, const char *w, char end)
{
	while (*w && *p == *w) {
		w++;
		p++;
	}
	return !*w && (*p == end || (end == ' ' && (*p == 0 || *p == '=')));
}

static const char *next_word(const char *p)
{
	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	return p;
}

int has(const char *word)
{
	for (const char *p = cmdline; *p; p = next_word(p))
		if (word_at(p, word, ' '))
			return 1;
	return 0;
}

u32 arg(const char *key, u32 def)
{
	for (const char *p = cmdline; *p; p = next_word(p))
		if (word_at(p, key, '=')) {
			u32 v = 0;
			for (const char *k = key; *k; k++)
				p++;
			for (p++; *p >= '0' && *p <= '9'; p++)
				v = v * 10 + (u32)(*p - '0');
			return v;
		}
	return def;
}

/* ---- descriptors ---- */

void set_desc(u32 *d, u32 base, u32 limit, unsigned type, unsigned dpl, int s)
{
	int g = limit > 0xfffff;
	if (g)
		limit >>= 12;
	d[0] = (limit & 0xffff) | (base << 16);
	d[1] = ((base >> 16) & 0xff) | (type << 8) | ((u32)s << 12) | (dpl << 13) | 0x8000u |
	       (limit & 0xf0000) | (s ? 1u << 22 : 0) | ((u32)g << 23) | (base & 0xff000000u);
}

/* ---- exceptions ---- */

volatile struct trap last;
volatile u32 resume_eip; /* set by guarded while an attempt runs */

struct frame {
	u32 edi, esi, ebp, esp0, ebx, edx, ecx, eax, es, ds;
	u32 vec, err, eip, cs, eflags, esp, ss;
};

void trap_handler(struct frame *f);
void trap_handler(struct frame *f)
{
	last.vec = f->vec;
	last.err = f->err;
	last.eip = f->eip;
	last.cs = f->cs;
	last.cr2 = shared.cr2; /* a bounced #PF's address (pvabi.h) */
	last.count++;
	if (!resume_eip) {
		pr("unexpected exception %u err %x at %x cs %x\n", f->vec, f->err, f->eip, f->cs);
		pv_exit(3);
	}
	/* back to guarded's resume label in ring 1: a same-privilege IRET, whichever
	 * ring the attempt ran in; guarded restores its own stack and segments */
	f->eip = resume_eip;
	f->cs = KCODE;
	f->ds = f->es = KDATA;
	f->eflags &= ~0x100u;
	resume_eip = 0;
}

#define S_(x) #x
#define S(x) S_(x)
__asm__(".text\n"
	"trap_common:\n"
	"  push %ds\n  push %es\n  pusha\n  mov $" S(KDATA) ", %ax\n  mov %ax, %ds\n  mov %ax, %es\n"
	"  push %esp\n  call trap_handler\n  add $4, %esp\n"
	"  popa\n  pop %es\n  pop %ds\n  add $8, %esp\n  iret\n"
	".macro STUB n\n  .align 8\n pvstub\\n:\n"
	"  .if (\\n == 8 || (\\n >= 10 && \\n <= 14) || \\n == 17)\n  .else\n  push $0\n  .endif\n"
	"  push $\\n\n  jmp trap_common\n.endm\n"
	".altmacro\n"
	".set i, 0\n.rept 32\n  STUB %i\n  .set i, i + 1\n.endr\n"
	".macro ADDR n\n .long pvstub\\n\n.endm\n"
	".section .rodata\n.globl trap_stubs\ntrap_stubs:\n"
	".set i, 0\n.rept 32\n  ADDR %i\n  .set i, i + 1\n.endr\n"
	".noaltmacro\n"
	/* int guarded(void (*fn)(u32), u32 a) */
	".text\n.globl guarded\nguarded:\n"
	"  push %ebp\n  push %ebx\n  push %esi\n  push %edi\n"
	"  mov %esp, guard_esp\n  movl $2f, resume_eip\n"
	"  pushl 24(%esp)\n  mov 24(%esp), %eax\n  call *%eax\n  add $4, %esp\n"
	"  movl $0, resume_eip\n  xor %eax, %eax\n  jmp 3f\n"
	"2:\n  mov $" S(KDATA) ", %ax\n  mov %ax, %ds\n  mov %ax, %es\n  mov %ax, %fs\n"
	"  mov %ax, %gs\n  mov %ax, %ss\n  mov guard_esp, %esp\n  mov $1, %eax\n"
	"3:\n  pop %edi\n  pop %esi\n  pop %ebx\n  pop %ebp\n  ret\n"
	".bss\n.align 4\nguard_esp: .long 0\n.text\n");

/* ---- entry ---- */

void pv_start(u32 magic, u32 *mbi, u32 edx);
void pv_start(u32 magic, u32 *mbi, u32 edx)
{
	u32 cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	boot_edx = edx;
	boot_cs = cs;
	if (magic == 0x2BADB002u) {
		if (mbi[0] & 1) /* mem_upper, less what the loader keeps (QEMU: 128 KB) */
			ram_end = ((mbi[2] << 10) + 0x100000u + 0xfffffu) & ~0xfffffu;
		if (mbi[0] & 4) {
			const char *c = (const char *)mbi[4];
			while (*c && *c != ' ')
				c++; /* the kernel's file name */
			while (*c == ' ')
				c++;
			unsigned n = 0;
			while (*c && n < sizeof(cmdbuf) - 1)
				cmdbuf[n++] = *c++;
			cmdline = cmdbuf;
		}
	}
	kmain();
	pv_exit(0);
}

__asm__(".section .multiboot, \"a\"\n.align 4\n.long 0x1BADB002, 3, -(0x1BADB002 + 3)\n"
	".text\n.globl _start\n_start:\n"
	"mov $pv_stack_top, %esp\npush %edx\npush %ebx\npush %eax\ncall pv_start\n1: jmp 1b\n"
	".bss\n.align 16\n.space 32768\npv_stack_top:\n.text\n");
