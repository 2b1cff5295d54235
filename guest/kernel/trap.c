/*
 * trap.c — the IDT and trap dispatch: system calls (int 0x80, DPL 3), the timer
 * (preemption), the disk interrupt (the ATA line, or the pv disk's virtual one), page faults (demand-zero and copy-on-write, or a
 * killed process), a divide error delivered to the process's handler (the minimal
 * signal divzero measures), and any other fault in user mode killing only that
 * process with a message.
 */
#include "defs.h"
#include "mmu.h"
#include "proc.h"
#include "pvabi.h"
#include "pvops.h"

extern uint32 vectors[];
static uint32 idt[256][2];

uint32 idt_address(void) { return (uint32)idt; }

static void set_gate(int v, uint32 handler, int dpl, int trap)
{
	idt[v][0] = (handler & 0xffff) | ((uint32)KCODE_SEL << 16);
	idt[v][1] = (handler & 0xffff0000u) | 0x8000u | ((uint32)dpl << 13) | ((trap ? 0xfu : 0xeu) << 8);
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++)
		set_gate(v, vectors[v], 0, 0);
	set_gate(0x80, vectors[0x80], 3, 0); /* interrupts stay off in the kernel */
	struct {
		uint16 limit;
		uint32 base;
	} __attribute__((packed)) d = { sizeof(idt) - 1, (uint32)idt };
	pv.load_idt(&d);
}

static const char *const names[] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound", "invalid opcode",
	"no FPU", "double fault", "?", "invalid TSS", "segment not present", "stack fault",
	"general protection", "page fault",
};

/* A user process did something invalid: say so and kill it. */
static void user_fault(struct proc *p, struct trapframe *tf, uint32 addr)
{
	kprintf("pid %d %s: %s (trap %d err %x) at eip %x addr %x -- killed\n", p->pid, p->name,
		tf->trapno < 15 ? names[tf->trapno] : "trap", tf->trapno, tf->err, tf->eip, addr);
	p->killed = 1;
}

void trap(struct trapframe *tf)
{
	struct proc *p = myproc();
	if (tf->trapno == 0x80) {
		if (p->killed)
			exit(-1);
		p->tf = tf;
		syscall(tf);
		if (p->killed)
			exit(-1);
		return;
	}
	switch (tf->trapno) {
	case 32: /* timer */
		ticks++;
		wakeup((void *)&ticks);
		pic_eoi(0);
		break;
	case 32 + 14:
		pic_eoi(14);
		break;
	case 32 + 7:
	case 32 + 15:
		break; /* spurious */
	case PV_BLK_VECTOR:
		/* the pv disk's virtual interrupt (pvblk.c polls its ring): taking it is
		 * the acknowledgement; not a PIC line, so no EOI */
		break;
	case 14: {
		uint32 addr = pv.read_cr2();
		if (p && page_fault(p, addr, tf->err) == 0)
			break;
		if (!CS_USER(tf->cs))
			panic("kernel page fault at eip %x addr %x err %x", tf->eip, addr, tf->err);
		user_fault(p, tf, addr);
		break;
	}
	case 0:
		if (CS_USER(tf->cs) && p->sig_handler && !p->in_signal) {
			/* deliver: resume the process in its handler; sigreturn resumes it */
			p->sig_saved = *tf;
			p->in_signal = 1;
			tf->eip = p->sig_handler;
			break;
		}
		/* fall through */
	default:
		if (!p || !CS_USER(tf->cs))
			panic("trap %d err %x at eip %x", tf->trapno, tf->err, tf->eip);
		user_fault(p, tf, 0);
		break;
	}
	if (p && p->killed && CS_USER(tf->cs))
		exit(-1);
	/* preempt on the timer */
	if (p && p->state == RUNNING && tf->trapno == 32)
		yield();
	if (p && p->killed && CS_USER(tf->cs))
		exit(-1);
}
