/*
 * proc.c — processes and the scheduler (after xv6): a fixed table, round-robin
 * scheduling on the timer, fork with copy-on-write address spaces, exit, wait,
 * sleep/wakeup on channels. The kernel runs with interrupts disabled (every gate is
 * an interrupt gate), so on this one-CPU machine no locks are needed; interrupts are
 * taken in user mode and while the scheduler idles in HLT.
 */
#include "defs.h"
#include "file.h"
#include "mmu.h"
#include "proc.h"
#include "pvops.h"

static struct proc procs[NPROC];
static struct proc *current;
static struct context *sched_ctx;
static struct proc *initproc;
static int nextpid = 1;

void swtch(struct context **old, struct context *new);
extern void trapret(void);

struct proc *myproc(void) { return current; }

int vma_add(struct proc *p, uint32 start, uint32 end, int writable)
{
	for (int i = 0; i < NVMA; i++)
		if (!p->vma[i].end) {
			p->vma[i] = (struct vma){ start, end, writable };
			return 0;
		}
	return -1;
}

/* Remove [start, end) from p's regions (splitting a region if needed). */
void vma_remove(struct proc *p, uint32 start, uint32 end)
{
	for (int i = 0; i < NVMA; i++) {
		struct vma v = p->vma[i];
		if (!v.end || v.end <= start || v.start >= end)
			continue;
		p->vma[i].end = 0;
		if (v.start < start)
			vma_add(p, v.start, start, v.writable);
		if (v.end > end)
			vma_add(p, end, v.end, v.writable);
	}
}

int vma_protect(struct proc *p, uint32 start, uint32 end, int writable)
{
	int covered = 0;
	for (int i = 0; i < NVMA; i++) {
		struct vma v = p->vma[i];
		if (!v.end || v.end <= start || v.start >= end)
			continue;
		covered = 1;
		p->vma[i].end = 0;
		if (v.start < start)
			vma_add(p, v.start, start, v.writable);
		if (v.end > end)
			vma_add(p, end, v.end, v.writable);
		vma_add(p, v.start > start ? v.start : start, v.end < end ? v.end : end, writable);
	}
	return covered ? 0 : -1;
}

static void forkret(void)
{
	/* first run of a new process: return to user mode through trapret */
}

/* Find an unused slot and give it a kernel stack whose top holds a trap frame and
 * a context that starts at forkret -> trapret. */
struct proc *proc_alloc(void)
{
	struct proc *p;
	for (p = procs; p < &procs[NPROC]; p++)
		if (p->state == UNUSED)
			break;
	if (p == &procs[NPROC])
		return NULL;
	memset(p, 0, sizeof(*p));
	p->kstack = kalloc();
	if (!p->kstack)
		return NULL;
	p->state = EMBRYO;
	p->pid = nextpid++;
	uint8 *sp = p->kstack + KSTACKSIZE;
	sp -= sizeof(*p->tf);
	p->tf = (struct trapframe *)sp;
	sp -= 4;
	*(uint32 *)sp = (uint32)trapret;
	sp -= sizeof(*p->context);
	p->context = (struct context *)sp;
	memset(p->context, 0, sizeof(*p->context));
	p->context->eip = (uint32)forkret;
	return p;
}

void proc_init(void) {}

/* Create process 1 running the program named by the command line. */
void user_init(const char *cmdline)
{
	static char buf[256];
	static char *argv[MAXARG + 1];
	int argc = 0;
	strncpy_safe(buf, cmdline, sizeof(buf));
	for (char *s = buf; *s && argc < MAXARG;) {
		while (*s == ' ')
			*s++ = 0;
		if (!*s)
			break;
		argv[argc++] = s;
		while (*s && *s != ' ')
			s++;
	}
	if (!argc)
		argv[argc++] = "help";
	argv[argc] = NULL;
	struct proc *p = proc_alloc();
	if (!p || !(p->pgdir = pgdir_new()))
		panic("user_init");
	initproc = p;
	strncpy_safe(p->name, "init", sizeof(p->name));
	p->ofile[0] = file_console(1, 0);
	p->ofile[1] = file_console(0, 1);
	p->ofile[2] = file_dup(p->ofile[1]);
	current = p;
	switch_uvm(p);
	if (exec(argv[0], argv) < 0)
		panic("cannot start program '%s'", argv[0]);
	switch_kvm();
	current = NULL;
	p->state = RUNNABLE;
}

int fork(void)
{
	struct proc *cur = current, *np = proc_alloc();
	if (!np)
		return -1;
	np->pgdir = pgdir_new();
	if (!np->pgdir || copy_uvm_cow(cur->pgdir, np->pgdir) < 0) {
		if (np->pgdir)
			pgdir_free(np->pgdir);
		kfree(np->kstack);
		np->state = UNUSED;
		return -1;
	}
	*np->tf = *cur->tf;
	np->tf->eax = 0;
	np->parent = cur;
	for (int i = 0; i < NOFILE; i++)
		if (cur->ofile[i])
			np->ofile[i] = file_dup(cur->ofile[i]);
	memcpy(np->vma, cur->vma, sizeof(np->vma));
	np->brk = cur->brk;
	np->heap_start = cur->heap_start;
	np->mmap_next = cur->mmap_next;
	np->sig_handler = cur->sig_handler;
	memcpy(np->name, cur->name, sizeof(np->name));
	np->state = RUNNABLE;
	return np->pid;
}

static void sched(void)
{
	swtch(&current->context, sched_ctx);
}

_Noreturn void exit(int status)
{
	struct proc *p = current;
	if (p == initproc) {
		/* the program is done: end the run with its status */
		poweroff(status & 0xff);
	}
	for (int i = 0; i < NOFILE; i++)
		if (p->ofile[i]) {
			file_close(p->ofile[i]);
			p->ofile[i] = NULL;
		}
	for (struct proc *q = procs; q < &procs[NPROC]; q++)
		if (q->parent == p) {
			q->parent = initproc;
			if (q->state == ZOMBIE)
				wakeup(initproc);
		}
	p->xstatus = status;
	p->state = ZOMBIE;
	wakeup(p->parent);
	sched();
	panic("zombie exit");
}

int wait(int *status)
{
	struct proc *p = current;
	for (;;) {
		int kids = 0;
		for (struct proc *q = procs; q < &procs[NPROC]; q++) {
			if (q->parent != p)
				continue;
			kids = 1;
			if (q->state == ZOMBIE) {
				int pid = q->pid;
				if (status)
					*status = q->xstatus;
				kfree(q->kstack);
				pgdir_free(q->pgdir);
				q->state = UNUSED;
				q->parent = NULL;
				return pid;
			}
		}
		if (!kids || p->killed)
			return -1;
		sleep(p);
	}
}

void sleep(void *chan)
{
	current->chan = chan;
	current->state = SLEEPING;
	sched();
	current->chan = NULL;
}

void wakeup(void *chan)
{
	for (struct proc *p = procs; p < &procs[NPROC]; p++)
		if (p->state == SLEEPING && p->chan == chan)
			p->state = RUNNABLE;
}

void yield(void)
{
	current->state = RUNNABLE;
	sched();
}

int kill(int pid)
{
	for (struct proc *p = procs; p < &procs[NPROC]; p++)
		if (p->pid == pid && p->state != UNUSED) {
			p->killed = 1;
			if (p->state == SLEEPING)
				p->state = RUNNABLE;
			return 0;
		}
	return -1;
}

/* Round robin from the slot after the last one run; idle in HLT when nobody can. */
_Noreturn void scheduler(void)
{
	int last = 0;
	for (;;) {
		int ran = 0;
		for (int k = 1; k <= NPROC; k++) {
			struct proc *p = &procs[(last + k) % NPROC];
			if (p->state != RUNNABLE)
				continue;
			last = (int)(p - procs);
			current = p;
			switch_uvm(p);
			p->state = RUNNING;
			swtch(&sched_ctx, p->context);
			switch_kvm();
			current = NULL;
			ran = 1;
			break;
		}
		if (!ran) {
			pv.safe_halt(); /* sti; hlt: wait for an interrupt */
			pv.irq_disable();
		}
	}
}
