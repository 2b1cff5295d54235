/*
 * attack.h — what the pv attack kernel's files share: the setup attack.c made (its
 * GDT, trap table, stacks), the count of refusals the kernel has seen, and the modes
 * (storm.c: insistence and the hypercall storm).
 */
#ifndef ATTACK_H
#define ATTACK_H

#include "pvrt.h"

extern u32 features;                /* PVH_REGISTER's answer */
extern u32 refusals;                /* negative results, and #GPs for refused calls, seen */
extern u32 trap_table[32][2];       /* the good one, installed */
extern u8 scratch[3 * 4096];        /* memory a hypercall may be pointed at */
/* the page tables (direct.c): pd and pt0 map the first 4 MB one to one, themselves
 * read-only; pt0[1000..1023] and pd[1..1023] map nothing the kernel uses */
extern u32 pd[1024], pt0[1024], spare[1024], xdata[1024];

extern u32 pf_target;               /* a #PF there prints "cr2=target" */

/* Print "name result" and count a refusal. */
int note(const char *name, int r);

/* Print what an attempt under guarded() did; priv_line for a privileged instruction,
 * whose #GP is a refusal (attack.c). */
void fault_line(const char *name, int faulted);
void priv_line(const char *name, int faulted);
void write_ds(u32 a); /* a probe: store 0 at `a` */

void paging_on(void);     /* before registration (direct.c) */
void attack_direct(void); /* e, under pv/direct */
void attack_blk(void);    /* the paravirtual disk (blk.c), with `disk` */

void insist(int multicalls); /* f: PV_PERM_LIMIT refusals in a row */
void storm(int wild);    /* g: 100000 random hypercalls */

#endif
