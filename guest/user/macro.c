/*
 * macro.c — the macrobenchmarks: process creation (forkwait, exec), context switches
 * through pipes, pure computation, a memory walk over a chosen working set, disk I/O,
 * and a compile-like mix. Each measures its whole loop between markers and prints one
 * @result line; output never depends on scheduling order or timing.
 */
#include "progs.h"

int p_forkwait(int argc, char **argv)
{
	uint n = arg(argc, argv, "n", 200);
	u64 t0 = rdtsc();
	marker(MARK_BEGIN, 0);
	for (uint i = 0; i < n; i++) {
		int pid = fork();
		if (pid == 0)
			exit(0);
		if (pid < 0 || wait(NULL) != pid) {
			printf("forkwait: fork or wait failed\n");
			return 1;
		}
	}
	marker(MARK_END, 0);
	result("forkwait", n, rdtsc() - t0);
	return 0;
}

int p_ctxswitch(int argc, char **argv)
{
	uint n = arg(argc, argv, "n", 2000);
	int ping[2], pong[2];
	char b = 'x';
	if (pipe(ping) < 0 || pipe(pong) < 0)
		return 1;
	int pid = fork();
	if (pid == 0) {
		for (uint i = 0; i < n; i++)
			if (read(ping[0], &b, 1) != 1 || write(pong[1], &b, 1) != 1)
				exit(1);
		exit(0);
	}
	u64 t0 = rdtsc();
	marker(MARK_BEGIN, 0);
	for (uint i = 0; i < n; i++)
		if (write(ping[1], &b, 1) != 1 || read(pong[0], &b, 1) != 1) {
			printf("ctxswitch: pipe failed\n");
			return 1;
		}
	marker(MARK_END, 0);
	u64 t = rdtsc() - t0;
	int st = -1;
	wait(&st);
	result("ctxswitch", n, t);
	return st != 0;
}

int p_exec(int argc, char **argv)
{
	uint n = arg(argc, argv, "n", 100);
	static char *hello_argv[] = { "hello", NULL };
	u64 t0 = rdtsc();
	marker(MARK_BEGIN, 0);
	for (uint i = 0; i < n; i++) {
		int pid = fork();
		if (pid == 0) {
			exec("hello", hello_argv);
			exit(9);
		}
		int st = -1;
		if (pid < 0 || wait(&st) != pid || st != 0) {
			printf("exec: failed (status %d)\n", st);
			return 1;
		}
	}
	marker(MARK_END, 0);
	result("exec", n, rdtsc() - t0);
	return 0;
}

int p_compute(int argc, char **argv)
{
	uint n = arg(argc, argv, "n", 200000), h = 2166136261u;
	u64 t0 = rdtsc();
	marker(MARK_BEGIN, 0);
	for (uint i = 0; i < n; i++) {
		h = (h ^ i) * 16777619u;
		h ^= h >> 13;
		if (h & 1)
			h += i * 3;
	}
	marker(MARK_END, 0);
	u64 t = rdtsc() - t0;
	printf("compute: hash %x\n", h);
	result("compute", n, t);
	return 0;
}

int p_memwalk(int argc, char **argv)
{
	uint pages = arg(argc, argv, "pages", 1024), stride = arg(argc, argv, "stride", 1);
	uint passes = arg(argc, argv, "passes", 10);
	if (!pages || !stride || pages > 65536) {
		printf("memwalk: need 1 <= pages <= 65536 and stride >= 1\n");
		return 2;
	}
	volatile char *m = mmap(pages * 4096, 1);
	if (m == (char *)-1)
		return 1;
	for (uint i = 0; i < pages; i++)
		m[i * 4096] = (char)i; /* fault everything in first */
	uint ops = 0, sum = 0;
	u64 t0 = rdtsc();
	marker(MARK_BEGIN, 0);
	for (uint p = 0; p < passes; p++)
		for (uint i = 0; i < pages; i += stride) {
			sum += (uint)m[i * 4096 + ((p * 64) & 4095)];
			ops++;
		}
	marker(MARK_END, 0);
	u64 t = rdtsc() - t0;
	printf("memwalk: %u pages, stride %u, %u passes, sum %u\n", pages, stride, passes, sum);
	result("memwalk", ops, t);
	return 0;
}

static uint block[256 * 128]; /* 128 sectors */

int p_diskio(int argc, char **argv)
{
	uint n = arg(argc, argv, "n", 4), sectors = arg(argc, argv, "sectors", 64);
	if (!sectors || sectors > 128) {
		printf("diskio: sectors must be 1..128\n");
		return 2;
	}
	for (uint i = 0; i < sectors * 128; i++)
		block[i] = i * 2654435761u;
	uint bad = 0;
	u64 t0 = rdtsc();
	marker(MARK_BEGIN, 0);
	for (uint r = 0; r < n; r++) {
		if (sys3(SYS_diskwrite, r * sectors, (uint)block, sectors) != (int)sectors ||
		    sys3(SYS_diskread, r * sectors, (uint)block, sectors) != (int)sectors) {
			printf("diskio: the disk is missing or failed (attach one)\n");
			return 1;
		}
	}
	marker(MARK_END, 0);
	u64 t = rdtsc() - t0;
	for (uint i = 0; i < sectors * 128; i++)
		bad += block[i] != i * 2654435761u;
	printf("diskio: %u rounds of %u sectors, %u bad words\n", n, sectors, bad);
	result("diskio", n * sectors * 2, t);
	return bad != 0;
}

/* mix: each job reads 8 input sectors, "compiles" them, writes 8 output sectors. */
int p_mix(int argc, char **argv)
{
	uint n = arg(argc, argv, "n", 8);
	if (!n || n > 32) {
		printf("mix: n must be 1..32\n");
		return 2;
	}
	static uint buf[128 * 8];
	for (uint j = 0; j < n; j++) {
		for (uint i = 0; i < 128 * 8; i++)
			buf[i] = (j + 1) * 7919u + i;
		if (sys3(SYS_diskwrite, j * 16, (uint)buf, 8) != 8) {
			printf("mix: the disk is missing or failed (attach one)\n");
			return 1;
		}
	}
	u64 t0 = rdtsc();
	marker(MARK_BEGIN, 0);
	for (uint j = 0; j < n; j++) {
		int pid = fork();
		if (pid == 0) {
			if (sys3(SYS_diskread, j * 16, (uint)buf, 8) != 8)
				exit(1);
			uint *heap = (uint *)sbrk(64 * 1024);
			for (uint r = 0; r < 4; r++)
				for (uint i = 0; i < 128 * 8; i++) {
					heap[(i * 13) & 16383] += buf[i] ^ r;
					buf[i] = buf[i] * 31 + heap[(i * 7) & 16383];
				}
			exit(sys3(SYS_diskwrite, j * 16 + 8, (uint)buf, 8) == 8 ? 0 : 1);
		}
		if (pid < 0)
			return 1;
	}
	int failed = 0, st;
	for (uint j = 0; j < n; j++)
		if (wait(&st) < 0 || st != 0)
			failed++;
	marker(MARK_END, 0);
	u64 t = rdtsc() - t0;
	uint sum = 0;
	for (uint j = 0; j < n; j++) {
		sys3(SYS_diskread, j * 16 + 8, (uint)buf, 8);
		for (uint i = 0; i < 128 * 8; i++)
			sum = sum * 33 + buf[i];
	}
	printf("mix: %u jobs, %d failed, output checksum %x\n", n, failed, sum);
	result("mix", n, t);
	return failed != 0;
}
