/*
 * sys.h — protected-mode scaffolding for the differential kernels that take
 * exceptions and change rings: a GDT (ring-0 and ring-3 flat code/data, a TSS), an
 * IDT whose every vector records what the processor pushed, and a way to resume after
 * an expected fault.
 *
 *   expect_fault(resume)  arm: the next exception stores its frame in `last` and
 *                         continues at `resume` (a label address) in ring 0
 */
#ifndef SYS_H
#define SYS_H

#include "rt.h"

#define SEL_CODE0 0x08
#define SEL_DATA0 0x10
#define SEL_CODE3 0x1b
#define SEL_DATA3 0x23
#define SEL_TSS 0x28

struct trap {
	u32 vec, err, eip, cs, eflags, esp, ss, cr2, count;
};

extern volatile struct trap last;
extern volatile u32 resume_eip;
extern u32 gdt[16][2];
extern u8 tss[104 + 8192 + 1];

/* Build and load the GDT, IDT and TSS; data segments reloaded; ring-0 stack in TSS. */
void sys_init(void);

/* Set IDT vector `v` as an interrupt (trap=0) or trap (1) gate with DPL, present. */
void sys_gate(unsigned v, unsigned dpl, int trap, int present);

/* Write GDT descriptor `i`. */
void sys_desc(unsigned i, u32 base, u32 limit, unsigned type, unsigned dpl, int s, int present, int big);

/* Print the last trap as one line, masking nothing: vector, error code, EIP offset
 * from `base`, CS, EFLAGS (masked to the bits that matter) and CR2 when #PF. */
void trap_print(const char *what, u32 base);

#endif
