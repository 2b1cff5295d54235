/*
 * ulib.h — the tiny user library: system-call stubs, printf, strings, argument
 * parsing, timing and measurement helpers.
 */
#ifndef ULIB_H
#define ULIB_H

#include "../kernel/syscalls.h"

typedef unsigned int uint;
typedef unsigned long long u64;
#define NULL ((void *)0)

int sys3(int num, uint a, uint b, uint c);
static inline int sys0(int n) { return sys3(n, 0, 0, 0); }

_Noreturn void exit(int status);
int fork(void);
int exec(const char *name, char **argv);
int wait(int *status);
int getpid(void);
int write(int fd, const void *buf, uint n);
int read(int fd, void *buf, uint n);
char *sbrk(int n);
void *mmap(uint len, int writable);
int munmap(void *addr, uint len);
int mprotect(void *addr, uint len, int writable);
int pipe(int fds[2]);
int close(int fd);
int yield(void);
int kill(int pid);

void printf(const char *fmt, ...);
void *memset(void *d, int c, uint n);
void *memcpy(void *d, const void *s, uint n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, uint n);
uint strlen(const char *s);

static inline u64 rdtsc(void)
{
	uint lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

/* Measurement markers (DESIGN §3). */
static inline void marker(uint code, uint idx) { __asm__ volatile("xchg %%bx, %%bx" ::"a"(code), "d"(idx) : "memory"); }
#define MARK_BEGIN 0x524C0001u
#define MARK_END 0x524C0002u

/* Print the machine-readable result line of measurement `name`. */
void result(const char *name, uint ops, u64 cycles);

/* Arguments: key=value words after argv[0]. args_check() refuses keys not in
 * `allowed` (a space-separated list) with a message; arg() reads a number. */
int args_check(int argc, char **argv, const char *allowed);
uint arg(int argc, char **argv, const char *key, uint def);

#endif
