/* syscalls.h — system call numbers, shared by the kernel and the user library. */
#ifndef SYSCALLS_H
#define SYSCALLS_H
#define SYS_exit 1
#define SYS_fork 2
#define SYS_exec 3
#define SYS_wait 4
#define SYS_getpid 5
#define SYS_write 6
#define SYS_read 7
#define SYS_sbrk 8
#define SYS_mmap 9
#define SYS_munmap 10
#define SYS_mprotect 11
#define SYS_pipe 12
#define SYS_close 13
#define SYS_yield 14
#define SYS_uptime 15
#define SYS_diskread 16
#define SYS_diskwrite 17
#define SYS_bench 18
#define SYS_signal 19
#define SYS_sigreturn 20
#define SYS_kill 21
#define SYS_faults 22
#define SYS_sensitive 23 /* (buf, max words): ring-0 (expected, got) pairs; returns checks */

/* kernel benchmark loops (SYS_bench kind) */
#define KB_IN 1
#define KB_OUT 2
#define KB_CR3 3
#define KB_PUSHF_POPF 4
#define KB_SGDT 5
#define KB_SIDT 6
#define KB_SMSW 7
#define KB_CPUID 8
#define KB_PTEMOD 9
#define KB_PTESTORE 10
#define KB_CALLRET 11

/* mmap flags (the third argument) */
#define MMAP_PREALLOC 1 /* allocate and zero the frames now; a first touch only maps one */
#endif
