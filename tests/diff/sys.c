/*
 * sys.c — GDT, IDT, TSS and trap recording for the differential kernels (sys.h).
 */
#include "sys.h"

volatile struct trap last;
volatile u32 resume_eip;
u32 gdt[16][2];
u8 tss[104 + 8192 + 1] __attribute__((aligned(16)));
static u32 idt[256][2];
static u8 ring0_stack[8192] __attribute__((aligned(16)));

void sys_desc(unsigned i, u32 base, u32 limit, unsigned type, unsigned dpl, int s, int present, int big)
{
	int g = limit > 0xfffff;
	if (g)
		limit >>= 12;
	gdt[i][0] = (limit & 0xffff) | (base << 16);
	gdt[i][1] = ((base >> 16) & 0xff) | (type << 8) | ((u32)s << 12) | (dpl << 13) |
		    ((u32)present << 15) | (limit & 0xf0000) | ((u32)big << 22) | ((u32)g << 23) |
		    (base & 0xff000000u);
}

extern u32 trap_stubs[];

void sys_gate(unsigned v, unsigned dpl, int trap, int present)
{
	u32 h = trap_stubs[v];
	idt[v][0] = (h & 0xffff) | (SEL_CODE0 << 16);
	idt[v][1] = (h & 0xffff0000u) | ((u32)present << 15) | (dpl << 13) | ((trap ? 0xfu : 0xeu) << 8);
}

struct frame {
	u32 edi, esi, ebp, esp0, ebx, edx, ecx, eax, es, ds;
	u32 vec, err, eip, cs, eflags, esp, ss;
};

void trap_handler(struct frame *f);
void trap_handler(struct frame *f)
{
	u32 cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	last.vec = f->vec;
	last.err = f->err;
	last.eip = f->eip;
	last.cs = f->cs;
	last.eflags = f->eflags;
	last.cr2 = cr2;
	last.esp = (f->cs & 3) ? f->esp : 0;
	last.ss = (f->cs & 3) ? f->ss : 0;
	last.count++;
	if (!resume_eip) {
		rt_printf("unexpected exception %u err %x at %x\n", f->vec, f->err, f->eip);
		rt_exit(3);
	}
	/* Resume in ring 0 at the armed label, on the interrupted ring-0 stack if any. */
	f->eip = resume_eip;
	resume_eip = 0;
	f->eflags &= ~0x100u; /* TF */
	if (f->cs & 3) {
		/* came from ring 3: return to ring 0 by rewriting the frame's CS. The iret
		 * below then stays in ring 0 and ignores ESP/SS, so the ring-3 caller
		 * must re-establish its stack (see rings.c). */
		f->cs = SEL_CODE0;
	}
}

/* Stubs: vectors with an error code push only the number. */
__asm__(".text\n"
	"trap_common:\n"
	"  push %ds\n  push %es\n  pusha\n  mov $0x10, %ax\n  mov %ax, %ds\n  mov %ax, %es\n"
	"  mov %esp, %eax\n  push %eax\n  call trap_handler\n  add $4, %esp\n"
	"  popa\n  pop %es\n  pop %ds\n  add $8, %esp\n  iret\n"
	".macro STUB n\n  .align 8\n stub\\n:\n"
	"  .if (\\n == 8 || (\\n >= 10 && \\n <= 14) || \\n == 17)\n  .else\n  push $0\n  .endif\n"
	"  push $\\n\n  jmp trap_common\n.endm\n"
	".altmacro\n"
	".set i, 0\n.rept 256\n  STUB %i\n  .set i, i + 1\n.endr\n"
	".macro ADDR n\n .long stub\\n\n.endm\n"
	".section .rodata\n.globl trap_stubs\ntrap_stubs:\n"
	".set i, 0\n.rept 256\n  ADDR %i\n  .set i, i + 1\n.endr\n"
	".text\n");

void sys_init(void)
{
	sys_desc(1, 0, 0xffffffff, 0xb, 0, 1, 1, 1);
	sys_desc(2, 0, 0xffffffff, 0x3, 0, 1, 1, 1);
	sys_desc(3, 0, 0xffffffff, 0xb, 3, 1, 1, 1);
	sys_desc(4, 0, 0xffffffff, 0x3, 3, 1, 1, 1);
	sys_desc(5, (u32)tss, 103, 0x9, 0, 0, 1, 0);
	u32 *t = (u32 *)tss;
	t[1] = (u32)ring0_stack + sizeof(ring0_stack);
	t[2] = SEL_DATA0;
	t[25] = 104u << 16; /* I/O map base = limit+1: no bitmap */
	for (unsigned v = 0; v < 256; v++)
		sys_gate(v, 0, 0, 1);
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) g = { sizeof(gdt) - 1, (u32)gdt }, i = { sizeof(idt) - 1, (u32)idt };
	__asm__ volatile("lgdt %0\n\tlidt %1\n\t"
			 "ljmp $0x08, $1f\n1:\n\t"
			 "mov $0x10, %%ax\n\tmov %%ax, %%ds\n\tmov %%ax, %%es\n\tmov %%ax, %%fs\n\t"
			 "mov %%ax, %%gs\n\tmov %%ax, %%ss\n\t"
			 "mov $0x28, %%ax\n\tltr %%ax" ::"m"(g), "m"(i) : "eax", "memory");
}

void trap_print(const char *what, u32 base)
{
	rt_printf("%s: vec %u err %x eip %s%x cs %x fl %x", what, last.vec, last.err,
		  base ? "+" : "", last.eip - base, last.cs, last.eflags & 0x3ffd7u & ~0x10u);
	if (last.vec == 14)
		rt_printf(" cr2 %x", last.cr2);
	if (last.cs & 3)
		rt_printf(" esp %x ss %x", last.esp, last.ss);
	rt_printf("\n");
	last.count = 0;
}
