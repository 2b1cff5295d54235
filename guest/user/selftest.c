/*
 * selftest.c — the kernel's own tests (in the spirit of xv6's usertests): processes,
 * copy-on-write isolation, pipes, memory mapping and protection, a process killed by
 * a bad access while the rest carries on, timer preemption, the minimal signal, the
 * disk, and every system call's error path. Prints @test NAME PASS|FAIL and a final
 * @selftest passed=N failed=M; exits 0 only if everything passed.
 */
#include "progs.h"

static int passed, failed;

static int same(const uint *a, const uint *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static void check(const char *name, int ok)
{
	printf("@test %s %s\n", name, ok ? "PASS" : "FAIL");
	if (ok)
		passed++;
	else
		failed++;
}

/* Run fn in a child; return its exit status (-1 if it was killed). */
static int in_child(void (*fn)(void))
{
	int pid = fork();
	if (pid == 0) {
		fn();
		exit(0);
	}
	int st = 12345;
	if (pid < 0 || wait(&st) != pid)
		return 12345;
	return st;
}

static volatile int shared = 1;
static void child_writes(void)
{
	shared = 2;
	exit(shared == 2 ? 5 : 6);
}

static volatile char *mapped;
static void touch_mapped(void) { mapped[0] = 1; }
static void read_null(void) { (void)*(volatile int *)0; }
static void write_kernel(void) { *(volatile int *)0xC0100000 = 1; }
static void spin(void)
{
	for (;;)
		__asm__ volatile("");
}

static volatile uint handled;
void st_div_handler(void);
__asm__(".text\n.globl st_div_handler\nst_div_handler:\n"
	"  incl handled\n  movl $20, %eax\n  movl $2, %ebx\n  int $0x80\n");

int p_selftest(int argc, char **argv)
{
	uint disk = arg(argc, argv, "disk", 0);
	int st;

	/* processes */
	int pid = fork();
	if (pid == 0)
		exit(7);
	check("fork_wait_status", pid > 0 && wait(&st) == pid && st == 7);
	check("wait_without_children", wait(NULL) == -1);
	static char *hv[] = { "hello", "x", NULL };
	pid = fork();
	if (pid == 0) {
		exec("hello", hv);
		exit(99);
	}
	check("exec_passes_args", wait(&st) == pid && st == 3);
	check("getpid", getpid() == 1);

	/* copy-on-write */
	shared = 1;
	st = in_child(child_writes);
	check("cow_isolation", st == 5 && shared == 1);
	int kids = 0, sum = 0;
	for (int i = 0; i < 20; i++) {
		pid = fork();
		if (pid == 0)
			exit(i);
		kids += pid > 0;
	}
	for (int i = 0; i < 20; i++)
		if (wait(&st) > 0)
			sum += st;
	check("twenty_children", kids == 20 && sum == 190);

	/* pipes */
	int fds[2];
	check("pipe", pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		char b[16];
		close(fds[1]);
		int n = read(fds[0], b, sizeof(b));
		exit(n == 5 && !strncmp(b, "hello", 5) ? 0 : 1);
	}
	close(fds[0]);
	int w = write(fds[1], "hello", 5);
	close(fds[1]);
	check("pipe_transfer", w == 5 && wait(&st) == pid && st == 0);
	check("pipe_eof", pipe(fds) == 0 && close(fds[1]) == 0 && read(fds[0], &st, 1) == 0 && close(fds[0]) == 0);

	/* memory */
	char *h = sbrk(8192);
	int zero = 1;
	for (int i = 0; i < 8192; i++)
		zero &= h[i] == 0;
	h[8191] = 9;
	check("sbrk_demand_zero", h != (char *)-1 && zero && h[8191] == 9);
	mapped = mmap(4 * 4096, 1);
	mapped[0] = 1;
	mapped[3 * 4096 + 5] = 2;
	check("mmap", mapped != (char *)-1 && mapped[3 * 4096 + 5] == 2);
	check("mprotect", mprotect((void *)mapped, 4096, 0) == 0 && mapped[0] == 1);
	check("mprotect_write_kills", in_child(touch_mapped) == -1);
	check("munmap", munmap((void *)mapped, 4 * 4096) == 0);
	check("access_after_munmap_kills", in_child(touch_mapped) == -1);
	check("null_read_kills_only_child", in_child(read_null) == -1 && getpid() == 1);
	check("kernel_write_kills", in_child(write_kernel) == -1);

	/* preemption: a child spinning forever must not keep the CPU */
	pid = fork();
	if (pid == 0)
		spin();
	yield();
	check("timer_preemption", kill(pid) == 0 && wait(&st) == pid && st == -1);

	/* signal */
	sys3(SYS_signal, (uint)st_div_handler, 0, 0);
	handled = 0;
	for (int i = 0; i < 3; i++)
		__asm__ volatile("xorl %%edx, %%edx\n\tmovl $1, %%eax\n\t.byte 0xf7, 0xf1" ::"c"(0) : "eax", "edx", "memory");
	check("divide_error_handler", handled == 3);

	/* disk */
	if (disk) {
		static uint out[128], in[128];
		for (int i = 0; i < 128; i++)
			out[i] = (uint)i * 0x01010101u ^ 0xdeadbeef;
		check("disk_roundtrip", sys3(SYS_diskwrite, 5, (uint)out, 1) == 1 &&
						sys3(SYS_diskread, 5, (uint)in, 1) == 1 && same(in, out, 128));
	}

	/* error paths */
	check("err_close", close(99) == -1 && close(-1) == -1);
	check("err_read_write_bad_fd", read(9, &st, 1) == -1 && write(9, "x", 1) == -1);
	check("err_write_kernel_pointer", write(1, (void *)0xC0100000, 8) == -1);
	check("err_read_bad_pointer", pipe(fds) == 0 && write(fds[1], "ab", 2) == 2 &&
					      read(fds[0], (void *)0xC0000000, 2) == -1);
	close(fds[0]);
	close(fds[1]);
	check("err_pipe_bad_pointer", pipe((int *)0xC0000000) == -1);
	check("err_sbrk_negative", sbrk(-4096) == (char *)-1);
	check("err_mmap_zero", mmap(0, 1) == (void *)-1);
	check("err_munmap_unaligned", munmap((void *)0x80000001, 4096) == -1);
	check("err_mprotect_unmapped", mprotect((void *)0x70000000, 4096, 1) == -1);
	check("err_exec_bad_argv", exec("hello", (char **)0xC0000000) == -1);
	check("err_kill_nobody", kill(9999) == -1);
	check("err_bench_kind", sys3(SYS_bench, 99, 1, 0) == -1);
	if (!disk)
		check("err_disk_absent", sys3(SYS_diskread, 0, (uint)&st, 1) == -1);
	check("err_unknown_syscall", sys3(777, 0, 0, 0) == -1);

	printf("@selftest passed=%d failed=%d\n", passed, failed);
	return failed != 0;
}
