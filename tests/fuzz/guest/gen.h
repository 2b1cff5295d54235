/*
 * gen.h — the fuzzer's memory layout and its generator (gen.c), shared with the
 * kernel that runs the snippets (randcode.c).
 */
#ifndef FUZZ_GEN_H
#define FUZZ_GEN_H

#include "rt.h"

#define RAM_END 0x08000000u     /* the 128 MiB both machines are given */
#define SANDBOX 0x00400000u     /* 0x400000..0xBFFFFF: where random pointers point */
#define SANDBOX_SIZE 0x00800000u
#define CODE_PAGE 0x00600000u   /* the snippet's page (user, writable, present) */
#define STACK_PAGE 0x00601000u  /* the page above it: the snippet's stack */
#define SNIP_OFF 0x800u         /* the snippet starts in the middle of its page */
#define SNIP_LEN 64u            /* random bytes per snippet (about) */
#define VEC_END 0x81u           /* INT 0x81 / fz_snip_end: the snippet came back */
#define VEC_SYSENTER 0x82u      /* SYSENTER reached fz_sysenter */

/* Seed the generator (never with zero, which xorshift cannot leave). */
void rng_seed(u32 s);
/* xorshift32. */
u32 rnd(void);
/* A number in [0, n). */
u32 below(u32 n);
/* True with probability 1/n. */
int one_in(u32 n);
/* Ports no one may write: the exit port, and the ways QEMU resets or powers off. */
int port_forbidden(u32 p);
/* The UART's registers: byte accesses only (a wider one aborts QEMU's 16550). */
int uart_port(u32 p);
/* Write a snippet into the code page, ending with the way back: INT VEC_END in ring 3,
 * else a JMP to `back`. */
void gen_snippet(int ring3, u32 back);

#endif
