/*
 * proc.h — processes: their address space, kernel stack, saved context, open files,
 * regions (for demand paging) and the minimal signal state divzero uses.
 */
#ifndef PROC_H
#define PROC_H

#include "param.h"
#include "types.h"

/* Registers saved by the trap entry (trapasm.S), in push order reversed. */
struct trapframe {
	uint32 edi, esi, ebp, oesp, ebx, edx, ecx, eax;
	uint32 gs, fs, es, ds;
	uint32 trapno, err;
	uint32 eip, cs, eflags, esp, ss;
};

/* Callee-saved registers of a kernel context switch (swtch.S). */
struct context {
	uint32 edi, esi, ebx, ebp, eip;
};

struct vma {
	uint32 start, end; /* end == 0: unused */
	int writable;
};

enum procstate { UNUSED, EMBRYO, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
	int pid;
	enum procstate state;
	pde_t *pgdir;
	uint8 *kstack;
	struct trapframe *tf;
	struct context *context;
	struct proc *parent;
	void *chan;
	int killed;
	int xstatus;
	char name[16];
	struct file *ofile[NOFILE];
	struct vma vma[NVMA];
	uint32 brk, heap_start;
	uint32 mmap_next;
	uint32 sig_handler;          /* user handler for #DE, or 0 */
	struct trapframe sig_saved;  /* trap frame to resume after the handler */
	int in_signal;
	uint32 zero_faults, cow_faults;
};

/* The vma helpers (proc.c). */
int vma_add(struct proc *p, uint32 start, uint32 end, int writable);
void vma_remove(struct proc *p, uint32 start, uint32 end);
int vma_protect(struct proc *p, uint32 start, uint32 end, int writable);

#endif
