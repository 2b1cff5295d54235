/*
 * syscall.c — the system calls, entered by int $0x80 with the number in EAX and
 * arguments in EBX, ECX, EDX, ESI; the result goes back in EAX (-1 on error). User
 * pointers are always copied through copyin/copyout, which fault pages in as needed
 * and refuse kernel addresses.
 */
#include "defs.h"
#include "file.h"
#include "mmu.h"
#include "proc.h"
#include "pvops.h"
#include "syscalls.h"

static struct file *fd_file(struct proc *p, uint32 fd)
{
	return fd < NOFILE ? p->ofile[fd] : NULL;
}

static int fd_alloc(struct proc *p, struct file *f)
{
	for (int i = 0; i < NOFILE; i++)
		if (!p->ofile[i]) {
			p->ofile[i] = f;
			return i;
		}
	return -1;
}

static int sys_write(struct proc *p, uint32 fd, uint32 buf, uint32 n)
{
	struct file *f = fd_file(p, fd);
	if (!f || !f->writable || n > (1u << 20))
		return -1;
	if (f->type == FD_PIPE)
		return pipe_write(f->pipe, p->pgdir, buf, (int)n);
	char chunk[128];
	for (uint32 done = 0; done < n;) {
		uint32 k = n - done > sizeof(chunk) ? sizeof(chunk) : n - done;
		if (copyin(p->pgdir, chunk, buf + done, k) < 0)
			return -1;
		for (uint32 i = 0; i < k; i++)
			kputc(chunk[i]);
		done += k;
	}
	return (int)n;
}

static int sys_read(struct proc *p, uint32 fd, uint32 buf, uint32 n)
{
	struct file *f = fd_file(p, fd);
	if (!f || !f->readable || n > (1u << 20))
		return -1;
	if (f->type == FD_PIPE)
		return pipe_read(f->pipe, p->pgdir, buf, (int)n);
	return 0; /* the console has no input: end of file */
}

static int sys_exec(struct proc *p, uint32 uname, uint32 uargv)
{
	static char names[MAXARG + 1][64];
	static char *argv[MAXARG + 1];
	char name[64];
	if (copyinstr(p->pgdir, name, uname, sizeof(name)) < 0)
		return -1;
	int i;
	for (i = 0; i < MAXARG; i++) {
		uint32 a;
		if (copyin(p->pgdir, &a, uargv + (uint32)i * 4, 4) < 0)
			return -1;
		if (!a)
			break;
		if (copyinstr(p->pgdir, names[i], a, sizeof(names[i])) < 0)
			return -1;
		argv[i] = names[i];
	}
	argv[i] = NULL;
	return exec(name, argv);
}

static int sys_sbrk(struct proc *p, int32 n)
{
	uint32 old = p->brk, nb = old + (uint32)n;
	if (n < 0 || nb < old || nb > MMAPBASE)
		return -1;
	vma_remove(p, p->heap_start, PGROUNDUP(old));
	vma_add(p, p->heap_start, PGROUNDUP(nb), 1);
	p->brk = nb;
	return (int)old;
}

static int sys_mmap(struct proc *p, uint32 len, uint32 writable, uint32 flags)
{
	len = PGROUNDUP(len);
	if (!len || len > 0x10000000u || p->mmap_next + len > USERTOP - STACKMAX)
		return -1;
	uint32 at = p->mmap_next;
	if (vma_add(p, at, at + len, writable != 0) < 0)
		return -1;
	p->mmap_next += len;
	/* MMAP_PREALLOC: frames allocated (and zeroed) now, recorded in not-present PTEs,
	 * so that a first touch takes only the fault path (pgfault_prealloc) */
	if ((flags & MMAP_PREALLOC) && prealloc_range(p->pgdir, at, at + len) < 0) {
		unmap_range(p->pgdir, at, at + len);
		vma_remove(p, at, at + len);
		return -1;
	}
	return (int)at;
}

static int sys_munmap(struct proc *p, uint32 addr, uint32 len)
{
	if ((addr & 0xfff) || !len || addr < MMAPBASE || addr + len > USERTOP - STACKMAX)
		return -1;
	vma_remove(p, addr, addr + PGROUNDUP(len));
	unmap_range(p->pgdir, addr, addr + PGROUNDUP(len));
	return 0;
}

static int sys_mprotect(struct proc *p, uint32 addr, uint32 len, uint32 writable)
{
	if ((addr & 0xfff) || !len || addr + len >= KERNBASE)
		return -1;
	if (vma_protect(p, addr, addr + PGROUNDUP(len), writable != 0) < 0)
		return -1;
	protect_range(p->pgdir, addr, addr + PGROUNDUP(len), writable != 0);
	return 0;
}

static int sys_pipe(struct proc *p, uint32 ufds)
{
	struct file *rf, *wf;
	if (pipe_alloc(&rf, &wf) < 0)
		return -1;
	int fds[2] = { fd_alloc(p, rf), -1 };
	if (fds[0] >= 0)
		fds[1] = fd_alloc(p, wf);
	if (fds[1] < 0 || copyout(p->pgdir, ufds, fds, sizeof(fds)) < 0) {
		if (fds[0] >= 0)
			p->ofile[fds[0]] = NULL;
		if (fds[1] >= 0)
			p->ofile[fds[1]] = NULL;
		file_close(rf);
		file_close(wf);
		return -1;
	}
	return 0;
}

static int sys_close(struct proc *p, uint32 fd)
{
	struct file *f = fd_file(p, fd);
	if (!f)
		return -1;
	p->ofile[fd] = NULL;
	file_close(f);
	return 0;
}

static int sys_disk(struct proc *p, uint32 lba, uint32 ubuf, uint32 count, int write)
{
	static uint8 buf[512];
	if (!ata_present || count > 256)
		return -1;
	for (uint32 i = 0; i < count; i++) {
		if (write && copyin(p->pgdir, buf, ubuf + i * 512, 512) < 0)
			return -1;
		if (ata_rw(lba + i, buf, 1, write) < 0)
			return -1;
		if (!write && copyout(p->pgdir, ubuf + i * 512, buf, 512) < 0)
			return -1;
	}
	return (int)count;
}

static int sys_sigreturn(struct proc *p, uint32 skip)
{
	if (!p->in_signal || skip > 15)
		return -1;
	*p->tf = p->sig_saved;
	p->tf->eip += skip;
	p->in_signal = 0;
	return (int)p->tf->eax; /* keeps EAX as it was */
}

void syscall(struct trapframe *tf)
{
	struct proc *p = myproc();
	uint32 a = tf->ebx, b = tf->ecx, c = tf->edx, d = tf->esi;
	int r = -1;
	(void)d;
	switch (tf->eax) {
	case SYS_exit: exit((int)a);
	case SYS_fork: r = fork(); break;
	case SYS_exec: r = sys_exec(p, a, b); break;
	case SYS_wait: {
		int st = 0;
		r = wait(&st);
		if (r >= 0 && a && copyout(p->pgdir, a, &st, 4) < 0)
			r = -1;
		break;
	}
	case SYS_getpid: r = p->pid; break;
	case SYS_write: r = sys_write(p, a, b, c); break;
	case SYS_read: r = sys_read(p, a, b, c); break;
	case SYS_sbrk: r = sys_sbrk(p, (int32)a); break;
	case SYS_mmap: r = sys_mmap(p, a, b, c); break;
	case SYS_munmap: r = sys_munmap(p, a, b); break;
	case SYS_mprotect: r = sys_mprotect(p, a, b, c); break;
	case SYS_pipe: r = sys_pipe(p, a); break;
	case SYS_close: r = sys_close(p, a); break;
	case SYS_yield: yield(); r = 0; break;
	case SYS_uptime: r = (int)ticks; break;
	case SYS_diskread: r = sys_disk(p, a, b, c, 0); break;
	case SYS_diskwrite: r = sys_disk(p, a, b, c, 1); break;
	case SYS_bench: r = (int)kbench((int)a, b, c); break;
	case SYS_signal: p->sig_handler = a; r = 0; break;
	case SYS_sigreturn: r = sys_sigreturn(p, a); break;
	case SYS_kill: r = kill((int)a); break;
	case SYS_faults: r = (int)(a ? p->cow_faults : p->zero_faults); break;
	case SYS_sensitive: {
		uint32 pairs[64] = { 0 };
		int k = sensitive_kernel(pairs, 64);
		r = copyout(p->pgdir, a, pairs, (b < 64 ? b : 64) * 4) < 0 ? -1 : k;
		break;
	}
	default: r = -1; break;
	}
	tf->eax = (uint32)r;
}
