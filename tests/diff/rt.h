/*
 * rt.h — the runtime of the differential test kernels: serial output, a small
 * printf, a deterministic pseudo-random generator, CRC-32, and the exit port.
 *
 * Each kernel is a multiboot ELF that runs with paging off (unless it turns it on),
 * prints lines such as "add32 cases=2048 crc=1a2b3c4d", and exits through port 0xF4.
 * The same kernel runs on qemu-system-i386 and on ringlab; scripts/difftest.sh
 * compares the two outputs byte for byte.
 */
#ifndef RT_H
#define RT_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int s32;

/* EFLAGS bits */
#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u
#define ARITH (CF | PF | AF | ZF | SF | OF)

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void rt_putc(char c);
void rt_puts(const char *s);
void rt_printf(const char *fmt, ...);
_Noreturn void rt_exit(int code);

/* The kernel command line (after the file name), and whether it contains `word`. */
extern const char *rt_cmdline;
int rt_has(const char *word);
u32 rt_arg(const char *key, u32 def);

/* xorshift32: deterministic pseudo-random operands. */
u32 rt_rand(void);
/* An operand mixing random values with edge cases (0, 1, sign boundaries, all ones). */
u32 rt_operand(void);

/* CRC-32 accumulation. */
u32 rt_crc(u32 crc, u32 v);

/* A test "line": accumulate (result, flags) and print "name cases=N crc=X". */
struct line {
	const char *name;
	u32 crc, cases;
};
void line_begin(struct line *l, const char *name);
void line_add(struct line *l, u32 a, u32 b, u32 r, u32 r2, u32 flags);
void line_end(struct line *l);

void kmain(void);

#endif
