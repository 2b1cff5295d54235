/*
 * speed.c — the compute-bound kernel of scripts/speed.sh: integer ALU work, loads and
 * stores to a small array, branches and calls, about 10^9 guest instructions at the
 * default n=3400 (n= on the command line scales it). Prints a checksum so that the
 * work cannot be skipped and both machines can be compared.
 */
#include "rt.h"

static u32 table[1024];

__attribute__((noinline)) static u32 mix(u32 a, u32 b)
{
	a ^= b << 3;
	a += (b >> 2) | 1;
	return a * 2654435761u;
}

void kmain(void)
{
	u32 n = rt_arg("n", 3400), sum = 0;
	for (u32 i = 0; i < 1024; i++)
		table[i] = i * 7 + 1;
	for (u32 round = 0; round < n; round++) {
		for (u32 i = 0; i < 1024 * 16; i++) {
			u32 j = i & 1023;
			u32 v = table[j];
			if (v & 1)
				sum += mix(v, i);
			else
				sum ^= v >> 1;
			table[j] = v + sum;
		}
	}
	rt_printf("speed n=%u checksum %x\n", n, sum);
}
