/*
 * mbinfo.c — a kernel that prints what the boot loader handed it: the multiboot info
 * flags, memory sizes, command line, memory map, and the entry register state. Run on
 * QEMU and on ringlab, the outputs must match (the loader's differential test).
 */
typedef unsigned int u32;
typedef unsigned short u16;

static void outb(u16 port, unsigned char v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static unsigned char inb(u16 port)
{
	unsigned char v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc_(char c)
{
	while (!(inb(0x3fd) & 0x20))
		;
	outb(0x3f8, (unsigned char)c);
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void hex(u32 v)
{
	puts_("0x");
	for (int i = 28; i >= 0; i -= 4)
		putc_("0123456789abcdef"[(v >> i) & 15]);
}

void kmain(u32 magic, u32 *mbi, u32 eflags, u32 cr0);
void kmain(u32 magic, u32 *mbi, u32 eflags, u32 cr0)
{
	puts_("magic ");
	hex(magic);
	puts_(" flags ");
	hex(mbi[0]);
	puts_("\nmem_lower ");
	hex(mbi[1]);
	puts_(" mem_upper ");
	hex(mbi[2]);
	puts_("\neflags ");
	hex(eflags);
	puts_(" cr0 ");
	hex(cr0);
	puts_("\n");
	if (mbi[0] & 4) {
		puts_("cmdline '");
		puts_((const char *)mbi[4]);
		puts_("'\n");
	}
	if (mbi[0] & 0x40) {
		u32 p = mbi[12], end = mbi[12] + mbi[11];
		while (p < end) {
			u32 *e = (u32 *)p;
			puts_("mmap ");
			hex(e[1]);
			puts_(" len ");
			hex(e[3]);
			puts_(" type ");
			hex(e[5]);
			puts_("\n");
			p += e[0] + 4;
		}
	}
	outb(0xf4, 0);
}

__asm__(".text\n.align 4\n.long 0x1BADB002, 3, -(0x1BADB002 + 3)\n"
	".globl _start\n_start:\n"
	"mov $0x90000, %esp\n"
	"mov %cr0, %ecx\npush %ecx\npushf\npush %ebx\npush %eax\ncall kmain\ncli\n1: hlt\njmp 1b\n");
