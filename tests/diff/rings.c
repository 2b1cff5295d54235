/*
 * rings.c — crossing privilege levels: IRET to ring 3, INT 0x80 through a DPL-3 gate
 * with the TSS stack switch (the frame the processor pushes, the stack it uses),
 * the sensitive instructions at CPL 3 (PUSHF/POPF with IOPL 0, SGDT/SIDT/SMSW/STR/
 * SLDT, MOV from CS/SS, LAR/LSL/VERR/VERW), the privileged ones that fault there
 * (CLI, IN without I/O permission, INT to a DPL-0 gate, HLT, MOV CR, LGDT, WRMSR),
 * SYSENTER/SYSEXIT, far JMP/CALL/RET in ring 0, far RET to ring 3 nulling segment
 * registers, and IOPL 3 allowing CLI and IN.
 */
#include "sys.h"

u32 saved_esp, saved_ebp; /* used from asm */
static u8 user_stack[4096] __attribute__((aligned(16)));
static volatile u32 out[16];
static volatile u32 dump[8][2];

/* Run `fn` in ring 3 (with `eflags`); it ends by faulting or with INT 0x81, and
 * control comes back here in ring 0. */
static void ring3(void (*fn)(void), u32 eflags)
{
	static u32 a_esp, a_fl, a_fn;
	a_esp = (u32)user_stack + sizeof(user_stack) - 16;
	a_fl = eflags;
	a_fn = (u32)fn;
	__asm__ volatile("mov %%esp, saved_esp\n\tmov %%ebp, saved_ebp\n\t"
			 "movl $back, resume_eip\n\t"
			 "pushl $0x23\n\tpushl %0\n\tpushl %1\n\tpushl $0x1b\n\tpushl %2\n\tiret\n"
			 "back:\n\tmov %%ss:saved_esp, %%esp\n\tmov %%ss:saved_ebp, %%ebp\n\t"
			 "mov $0x10, %%ax\n\tmov %%ax, %%ds\n\tmov %%ax, %%es\n\tmov %%ax, %%fs\n\t"
			 "mov %%ax, %%gs\n\tmov %%ax, %%ss"
			 :: "m"(a_esp), "m"(a_fl), "m"(a_fn)
			 : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory");
}

#define U_DATA() __asm__ volatile("mov $0x23, %%ax\n\tmov %%ax, %%ds\n\tmov %%ax, %%es" ::: "eax")
#define LEAVE() __asm__ volatile("int $0x81")

static void u_int80(void)
{
	U_DATA();
	u32 r;
	__asm__ volatile("mov $7, %%eax\n\tint $0x80" : "=a"(r));
	out[0] = r;
	LEAVE();
}

static void u_sensitive(void)
{
	U_DATA();
	struct {
		u16 l;
		u32 b;
	} __attribute__((packed)) g, i;
	u32 f1, f2, msw, tr, ldt, cs, ss;
	__asm__ volatile("sgdt %0\n\tsidt %1" : "=m"(g), "=m"(i));
	__asm__ volatile("pushf\n\tpop %0\n\tpush %0\n\tandl $0xfffffdff, (%%esp)\n\tpopf\n\tpushf\n\tpop %1"
			 : "=&r"(f1), "=r"(f2) :: "cc");
	__asm__ volatile("smsw %0\n\tstr %1\n\tsldt %2\n\tmov %%cs, %3\n\tmov %%ss, %4"
			 : "=r"(msw), "=r"(tr), "=r"(ldt), "=r"(cs), "=r"(ss));
	out[0] = g.l;
	out[1] = g.b;
	out[2] = i.l;
	out[3] = f1 & 0x3ffd7;
	out[4] = f2 & 0x3ffd7;
	out[5] = msw;
	out[6] = tr & 0xffff;
	out[7] = ldt & 0xffff;
	out[8] = cs & 0xffff;
	out[9] = ss & 0xffff;
	static const u16 sels[] = { 0x08, 0x10, 0x1b, 0x23, 0x28, 0x30, 0x78, 0 };
	u32 acc = 0;
	static u32 detail[8][2];
	for (int k = 0; k < 8; k++) {
		u32 ar = 0xdead, lim = 0xbeef, zf1, zf2, zf3, zf4;
		__asm__ volatile("lar %2, %0\n\tsetz %b1" : "+r"(ar), "=q"(zf1) : "r"((u32)sels[k]) : "cc");
		__asm__ volatile("lsl %2, %0\n\tsetz %b1" : "+r"(lim), "=q"(zf2) : "r"((u32)sels[k]) : "cc");
		__asm__ volatile("verr %w1\n\tsetz %b0" : "=q"(zf3) : "r"(sels[k]) : "cc");
		__asm__ volatile("verw %w1\n\tsetz %b0" : "=q"(zf4) : "r"(sels[k]) : "cc");
		detail[k][0] = ar;
		detail[k][1] = lim;
		acc = (acc << 4) | ((zf1 & 1) << 3) | ((zf2 & 1) << 2) | ((zf3 & 1) << 1) | (zf4 & 1);
	}
	out[10] = acc;
	for (int k = 0; k < 8; k++) {
		dump[k][0] = detail[k][0];
		dump[k][1] = detail[k][1];
	}
	LEAVE();
}

static void u_cli(void) { __asm__ volatile("cli"); }
static void u_in(void) { __asm__ volatile("inb $0x80, %%al" ::: "eax"); }
static void u_int41(void) { __asm__ volatile("int $0x41"); }
static void u_hlt(void) { __asm__ volatile("hlt"); }
static void u_cr(void) { __asm__ volatile("mov %%cr0, %%eax" ::: "eax"); }
static void u_lgdt(void)
{
	static u8 d[6];
	__asm__ volatile("lgdt %0" ::"m"(d));
}
static void u_wrmsr(void) { __asm__ volatile("xor %%eax, %%eax\n\txor %%edx, %%edx\n\tmov $0x174, %%ecx\n\twrmsr" ::: "eax", "ecx", "edx"); }
static void u_iopl3(void)
{
	__asm__ volatile("cli\n\tinb $0x80, %%al\n\tsti" ::: "eax");
	LEAVE();
}
static void u_segs(void)
{
	/* came here by a far RET from ring 0: DS/ES (DPL 0) were nulled, so store
	 * through SS (a null DS would fault on real hardware) */
	__asm__ volatile("mov %%ds, %%eax\n\tmovzwl %%ax, %%eax\n\tmov %%eax, %%ss:(%0)\n\t"
			 "mov %%es, %%eax\n\tmovzwl %%ax, %%eax\n\tmov %%eax, %%ss:4(%0)"
			 :: "r"(out) : "eax", "memory");
	LEAVE();
}

void int80_record(u32 *frame);
void int80_record(u32 *frame)
{
	/* frame: EIP CS EFLAGS ESP SS as pushed, at the ring-0 stack from the TSS */
	out[11] = frame[1];
	out[12] = frame[2] & 0x3ffd7;
	out[13] = frame[3] - (u32)user_stack;
	out[14] = frame[4];
	out[15] = (u32)frame - (u32)tss; /* where on the ring-0 stack (TSS ESP0) */
}

__asm__(".text\nint80_stub:\n"
	"  push %ds\n  push %eax\n  mov $0x10, %ax\n  mov %ax, %ds\n  pop %eax\n  lea 4(%esp), %edx\n  push %edx\n  call int80_record\n  add $4, %esp\n  pop %ds\n"
	"  add $100, %eax\n  iret\n");
extern char int80_stub[];

static void fault_test(const char *what, void (*fn)(void), u32 eflags)
{
	last.count = 0;
	ring3(fn, eflags);
	trap_print(what, 0);
}

void kmain(void)
{
	sys_init();
	sys_desc(6, 0, 0xffffffff, 0x3, 0, 1, 0, 1); /* 0x30: not present */
	sys_desc(7, 0, 0xffffffff, 0xb, 0, 1, 1, 1); /* 0x38: a second ring-0 code segment */
	sys_gate(0x80, 3, 1, 1);
	u32 h = (u32)int80_stub;
	extern u32 gdt[16][2];
	{
		/* vector 0x80: our own stub that returns to ring 3 */
		struct {
			u16 l;
			u32 b;
		} __attribute__((packed)) i;
		__asm__ volatile("sidt %0" : "=m"(i));
		u32 *idt = (u32 *)i.b;
		idt[0x80 * 2] = (h & 0xffff) | (SEL_CODE0 << 16);
		idt[0x80 * 2 + 1] = (h & 0xffff0000u) | 0x8000u | (3u << 13) | (0xfu << 8);
	}
	sys_gate(0x81, 3, 0, 1);

	/* INT 0x80 from ring 3 and back by IRET */
	ring3(u_int80, 0x202);
	rt_printf("int80 from ring 3: eax %u cs %x eflags %x esp %x ss %x on ring-0 stack at tss+%x\n",
		  out[0], out[11], out[12], out[13], out[14], (s32)out[15]);
	trap_print("leave via int 0x81", 0);

	ring3(u_sensitive, 0x202);
	rt_printf("sensitive at cpl3: gdt limit %x base ok %u idt limit %x pushf %x popf-if %x smsw %x\n",
		  out[0], out[1] == (u32)gdt, out[2], out[3], out[4], out[5] & 0xffff);
	rt_printf("  str %x sldt %x cs %x ss %x lar/lsl/verr/verw zf bits %x\n", out[6], out[7], out[8],
		  out[9], out[10]);
	for (int k = 0; k < 8; k++)
		rt_printf("  selector %u: lar %x lsl %x\n", k, dump[k][0], dump[k][1]);
	last.count = 0;

	fault_test("cli at cpl3", u_cli, 0x202);
	fault_test("in at cpl3 without I/O permission", u_in, 0x202);
	fault_test("int to a dpl0 gate at cpl3", u_int41, 0x202);
	fault_test("hlt at cpl3", u_hlt, 0x202);
	fault_test("mov cr0 at cpl3", u_cr, 0x202);
	fault_test("lgdt at cpl3", u_lgdt, 0x202);
	fault_test("wrmsr at cpl3", u_wrmsr, 0x202);
	fault_test("cli/in/sti at cpl3 with iopl3", u_iopl3, 0x3202);

	/* SYSENTER/SYSEXIT: CS 0x08 makes SS 0x10, user CS 0x1b and SS 0x23 */
	__asm__ volatile("wrmsr" ::"c"(0x174), "a"(0x08), "d"(0));
	__asm__ volatile("wrmsr" ::"c"(0x175), "a"((u32)tss + 104 + 4096), "d"(0));
	u32 ecx_back, cs_user = 0;
	__asm__ volatile("movl $2f, %%eax\n\twrmsr\n\t"
			 "mov %%esp, saved_esp\n\tmov %%ebp, saved_ebp\n\t"
			 "mov %3, %%ecx\n\tmov $1f, %%edx\n\tsysexit\n"
			 "1:\n\tmov %%cs, %%esi\n\tmov $0x11, %%ecx\n\tsysenter\n"
			 "2:\n\tmov saved_esp, %%esp\n\tmov saved_ebp, %%ebp"
			 : "=c"(ecx_back), "=S"(cs_user)
			 : "c"(0x176), "r"((u32)user_stack + 2048)
			 : "eax", "edx", "memory");
	u32 cs_now, ss_now;
	__asm__ volatile("mov %%cs, %0\n\tmov %%ss, %1" : "=r"(cs_now), "=r"(ss_now));
	rt_printf("sysexit/sysenter: user cs %x, ecx %x, back in cs %x ss %x\n", cs_user & 0xffff,
		  ecx_back, cs_now & 0xffff, ss_now & 0xffff);
	__asm__ volatile("mov $0x10, %%ax\n\tmov %%ax, %%ss" ::: "eax");

	/* far JMP, CALL and RET to a second code segment in ring 0 */
	u32 cs_far = 0, cs_ret = 0;
	__asm__ volatile("ljmp $0x38, $1f\n1:\n\tmov %%cs, %0\n\tljmp $0x08, $2f\n2:\n\t"
			 "lcall $0x38, $3f\n\tjmp 4f\n3:\n\tmov %%cs, %1\n\tlret\n4:"
			 : "=&r"(cs_far), "=&r"(cs_ret));
	rt_printf("far jmp cs %x, far call cs %x\n", cs_far & 0xffff, cs_ret & 0xffff);

	/* far RET to ring 3: DPL-0 data segments are nulled */
	__asm__ volatile("mov %%esp, saved_esp\n\tmov %%ebp, saved_ebp\n\tmovl $9f, resume_eip\n\t"
			 "pushl $0x23\n\tpushl %0\n\tpushl $0x1b\n\tpushl %1\n\tlret\n"
			 "9:\n\tmov %%ss:saved_esp, %%esp\n\tmov %%ss:saved_ebp, %%ebp\n\t"
			 "mov $0x10, %%ax\n\tmov %%ax, %%ds\n\tmov %%ax, %%es\n\tmov %%ax, %%ss"
			 :: "r"((u32)user_stack + 2048), "r"(u_segs) : "eax", "memory");
	rt_printf("far ret to ring 3: ds %x es %x\n", out[0], out[1]);
	last.count = 0;
}
