/*
 * boot.c — `bench boot KERNEL`: run any multiboot kernel on ringlab with its console
 * on stdout, like `qemu-system-i386 -kernel`, and end with the guest's exit status.
 *
 * Numbers on the command line are decimal digits only, range-checked before any
 * narrowing (no "-1" meaning "no limit", no 4294967298 MiB wrapping to 2). stdout
 * belongs to the guest's console, so --stats-json refuses '-': the JSON goes to a file
 * (/dev/stderr or /dev/fd/N where a pipe is wanted).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"
#include "report.h"

static void boot_usage(FILE *out)
{
	fprintf(out,
		"usage: bench boot KERNEL [options]\n"
		"Boot the multiboot kernel KERNEL on the simulated PC; its console (COM1) goes to stdout.\n\n"
		"  --cmdline S        kernel command line (default empty)\n"
		"  --disk FILE        raw disk image for the ATA disk (written in place)\n"
		"  --profile P        CPU profile name or file (default p4-2006)\n"
		"  --config C         configuration engine/mmu (default native; see bench list)\n"
		"  --ram MB           guest RAM in MiB (default 128)\n"
		"  --max-insns N      stop after about N guest instructions\n"
		"  --stats            print a summary on stderr (modeled cycles, counters, host time)\n"
		"  --stats-json FILE  write the same as one JSON object to FILE (not '-': stdout is\n"
		"                     the console; /dev/stderr or /dev/fd/3 work)\n"
		"  --trace-exits N    print the first N exits (reason, guest EIP, qualification)\n"
		"  --help             this text\n\n"
		"Exit status: the guest's, as QEMU computes it from port 0xF4 ((v << 1) | 1);\n"
		"  2 bad usage or input, 4 guest halted with interrupts off (or forever),\n"
		"  6 triple fault (one line with EIP and fault chain on stderr),\n"
		"  8 --max-insns reached, 10 guest used an unimplemented feature (or the VMM\n"
		"  could not make progress: a ringlab bug, reported with its reason).\n");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* Parse decimal digits only into *out within [lo, hi]; 0 or -1. */
static int parse_u64(const char *s, u64 lo, u64 hi, u64 *out)
{
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, NULL, 10);
	if (errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Split "engine/mmu" (or "engine") into its parts. */
static int parse_config(const char *conf, char *engine, char *mmu, size_t n)
{
	const char *slash = strchr(conf, '/');
	if (!*conf || (slash && (slash == conf || !slash[1])))
		return -1;
	if (!slash) {
		if (strlen(conf) >= n)
			return -1;
		snprintf(engine, n, "%s", conf);
		snprintf(mmu, n, "%s", "direct");
		return 0;
	}
	if ((size_t)(slash - conf) >= n)
		return -1;
	if (strlen(slash + 1) >= n)
		return -1;
	snprintf(engine, n, "%.*s", (int)(slash - conf), conf);
	snprintf(mmu, n, "%s", slash + 1);
	return 0;
}

int cmd_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cmdline", required_argument, 0, 'c' }, { "disk", required_argument, 0, 'd' },
		{ "profile", required_argument, 0, 'p' }, { "config", required_argument, 0, 'C' },
		{ "ram", required_argument, 0, 'r' },     { "max-insns", required_argument, 0, 'm' },
		{ "stats", no_argument, 0, 's' },         { "stats-json", required_argument, 0, 'j' },
		{ "help", no_argument, 0, 'h' },          { "trace-exits", required_argument, 0, 't' },
		{ 0, 0, 0, 0 },
	};
	struct vm_config cfg = { .cmdline = "", .profile = "p4-2006", .engine = "native",
				 .mmu = "direct", .ram_mb = 128, .console = stdout };
	const char *json = NULL, *config = "native";
	bool stats = false;
	char engine[64], mmu[64];
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		u64 v;
		switch (o) {
		case 'c': cfg.cmdline = optarg; break;
		case 'd': cfg.disk = optarg; break;
		case 'p': cfg.profile = optarg; break;
		case 'C': config = optarg; break;
		case 'r':
			if (parse_u64(optarg, 2, 3072, &v)) {
				fprintf(stderr, "bench boot: --ram must be between 2 and 3072 MiB, not '%.40s'\n", optarg);
				return BENCH_EXIT_USAGE;
			}
			cfg.ram_mb = (u32)v;
			break;
		case 'm':
			if (parse_u64(optarg, 1, UINT64_MAX, &v)) {
				fprintf(stderr, "bench boot: --max-insns needs a positive number, not '%.40s'\n", optarg);
				return BENCH_EXIT_USAGE;
			}
			cfg.max_insns = v;
			break;
		case 's': stats = true; break;
		case 't':
			if (parse_u64(optarg, 0, UINT32_MAX, &v)) {
				fprintf(stderr, "bench boot: --trace-exits needs a number of exits, not '%.40s'\n", optarg);
				return BENCH_EXIT_USAGE;
			}
			cfg.trace_exits = (unsigned)v;
			break;
		case 'j':
			if (!strcmp(optarg, "-") || !*optarg) {
				fprintf(stderr, "bench boot: --stats-json needs a file name: stdout carries the guest console (use /dev/stderr)\n");
				return BENCH_EXIT_USAGE;
			}
			json = optarg;
			break;
		case 'h': boot_usage(stdout); return 0;
		default: boot_usage(stderr); return BENCH_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "bench boot: expected one KERNEL argument (see bench boot --help)\n");
		return BENCH_EXIT_USAGE;
	}
	cfg.kernel = argv[optind];
	if (parse_config(config, engine, mmu, sizeof(engine))) {
		fprintf(stderr, "bench boot: bad configuration '%.60s' (engine or engine/mmu; see bench list)\n", config);
		return BENCH_EXIT_USAGE;
	}
	cfg.engine = engine;
	cfg.mmu = mmu;
	cfg.profile_dir = bench_profile_dir();
	setvbuf(stdout, NULL, _IOLBF, 0); /* the console survives a kill mid-run */

	char err[512];
	struct vm *vm = vm_create(&cfg, err, sizeof(err));
	if (!vm) {
		fprintf(stderr, "bench boot: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	double t0 = now_s(), c0 = cpu_s();
	enum vm_status st = vm_run(vm);
	struct host_time ht = { now_s() - t0, cpu_s() - c0 };
	fflush(stdout);

	int code;
	switch (st) {
	case VM_EXITED: code = vm->exit_code & 0xff; break;
	case VM_HALTED:
	case VM_IDLE:
		fprintf(stderr, "bench boot: guest %s\n", vm->reason);
		code = BENCH_EXIT_HALTED;
		break;
	case VM_SHUTDOWN:
		fprintf(stderr, "bench boot: guest failed: %s\n", vm->reason);
		code = BENCH_EXIT_TRIPLE;
		break;
	case VM_BUDGET:
		fprintf(stderr, "bench boot: stopped after %" PRIu64 " guest instructions (--max-insns)\n",
			vm->cpu.insns);
		code = BENCH_EXIT_BUDGET;
		break;
	default:
		fprintf(stderr, "bench boot: guest failed: %s\n", vm->reason);
		code = BENCH_EXIT_UNIMPL;
		break;
	}
	if (stats)
		report_text(stderr, vm, &ht);
	if (json) {
		FILE *f = fopen(json, "w");
		if (!f || report_json(f, vm, &ht) || fclose(f)) {
			fprintf(stderr, "bench boot: cannot write %s: %s\n", json, strerror(errno));
			code = BENCH_EXIT_USAGE;
		}
	}
	vm_destroy(vm);
	return code;
}
