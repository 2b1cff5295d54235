/*
 * defs.h — the kernel's internal interfaces, one section per file (xv6 style).
 */
#ifndef DEFS_H
#define DEFS_H

#include "types.h"

struct proc;
struct trapframe;
struct pipe;
struct file;

/* console.c */
void console_init(void);
void kputc(char c);
void kprintf(const char *fmt, ...);
void kvprintf(void (*put)(char, void *), void *arg, const char *fmt, __builtin_va_list ap);
_Noreturn void panic(const char *fmt, ...);
_Noreturn void poweroff(int code);

/* string.c */
void *memset(void *d, int c, uint32 n);
void *memcpy(void *d, const void *s, uint32 n);
void *memmove(void *d, const void *s, uint32 n);
int memcmp(const void *a, const void *b, uint32 n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, uint32 n);
uint32 strlen(const char *s);
char *strncpy_safe(char *d, const char *s, uint32 n);

/* gdt.c */
void gdt_init(void);

/* trap.c */
void idt_init(void);
void trap(struct trapframe *tf);

/* pic.c, timer.c */
void pic_init(void);
void pic_eoi(int irq);
void pic_unmask(int irq);
void timer_init(uint32 hz);
extern volatile uint32 ticks;

/* kalloc.c */
void kalloc_init(uint32 *mbi);
void *kalloc(void);
void kfree(void *p);
void page_ref(uint32 pa);
int page_refcount(uint32 pa);
uint32 kalloc_free_pages(void);
extern uint32 phystop;

/* vm.c */
void kvm_init(void);
pde_t *pgdir_new(void);
void pgdir_free(pde_t *pgdir);
void switch_kvm(void);
void switch_uvm(struct proc *p);
pte_t *walk(pde_t *pgdir, uint32 va, int alloc);
int map_page(pde_t *pgdir, uint32 va, uint32 pa, uint32 perm);
int copy_uvm_cow(pde_t *from, pde_t *to);
int page_fault(struct proc *p, uint32 va, uint32 err);
int copyout(pde_t *pgdir, uint32 va, const void *src, uint32 n);
/* gdt.c, trap.c: where the kernel's tables are (for the sensitive program) */
uint32 gdt_address(void);
uint32 idt_address(void);
/* sensitive.c: ring-0 answers of the sensitive instructions, (expected, got) pairs */
int sensitive_kernel(uint32 *out, int max);
int copyin(pde_t *pgdir, void *dst, uint32 va, uint32 n);
int copyinstr(pde_t *pgdir, char *dst, uint32 va, uint32 max);
void unmap_range(pde_t *pgdir, uint32 start, uint32 end);
int prealloc_range(pde_t *pgdir, uint32 start, uint32 end);
void protect_range(pde_t *pgdir, uint32 start, uint32 end, int writable);
extern pde_t *kpgdir;

/* proc.c */
void proc_init(void);
struct proc *myproc(void);
void user_init(const char *cmdline);
int fork(void);
_Noreturn void exit(int status);
int wait(int *status);
void sleep(void *chan);
void wakeup(void *chan);
void yield(void);
_Noreturn void scheduler(void);
int kill(int pid);
struct proc *proc_alloc(void);

/* exec.c */
int exec(const char *name, char **argv);

/* syscall.c */
void syscall(struct trapframe *tf);

/* pipe.c, file.c */
int pipe_alloc(struct file **rf, struct file **wf);
void pipe_close(struct pipe *p, int writable);
int pipe_read(struct pipe *p, pde_t *pgdir, uint32 dst, int n);
int pipe_write(struct pipe *p, pde_t *pgdir, uint32 src, int n);
struct file *file_alloc(void);
struct file *file_dup(struct file *f);
void file_close(struct file *f);

/* ata.c */
int ata_init(void);
int ata_rw(uint32 lba, void *buf, uint32 count, int write);
extern int ata_present;

/* pvblk.c: the paravirtual disk under pv (0 sectors: none, use the ATA ports) */
uint32 pvblk_init(void);
int pvblk_rw(uint32 lba, void *buf, uint32 count, int write);
extern int pvblk_enabled;

/* kbench.c */
uint32 kbench(int kind, uint32 n, uint32 idx);

#endif
