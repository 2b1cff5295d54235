/*
 * runone.c — one configuration of a workload, run to the end (see runone.h).
 *
 * The guest's console is a stream of our own (fopencookie): every byte is kept for
 * measure_extract, and when a view asked for console lines each complete line is
 * handed over as the guest ends it, together with whether the guest is measuring at
 * that moment, so a trace can interleave console and exits in the order they
 * happened. A scratch disk is created and unlinked at once and handed to the machine
 * as /proc/self/fd/N: nothing is left in $TMPDIR whatever ends the process.
 */
#define _GNU_SOURCE
#include "runone.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "hostcount.h"

/* The console as the run sees it: all bytes, and the line being assembled. */
struct console {
	char *buf;
	size_t len, cap;
	size_t line_start;       /* offset of the current line in buf */
	const struct run_hooks *hooks;
	struct vm *vm;           /* set once built: whether it is measuring */
};

/* Append n bytes to the console, handing complete lines to the hook. */
static ssize_t console_write(void *cookie, const char *data, size_t n)
{
	struct console *c = cookie;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		while (cap < c->len + n + 1)
			cap *= 2;
		char *b = realloc(c->buf, cap);
		if (!b)
			return -1;
		c->buf = b;
		c->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		c->buf[c->len++] = data[i];
		if (data[i] == '\n') {
			if (c->hooks && c->hooks->on_console) {
				c->buf[c->len - 1] = 0;
				size_t l = c->len - 1 - c->line_start;
				if (l && c->buf[c->line_start + l - 1] == '\r')
					c->buf[c->line_start + l - 1] = 0;
				c->hooks->on_console(c->hooks->opaque, c->buf + c->line_start,
						     c->vm && c->vm->measuring);
				c->buf[c->len - 1] = '\n';
			}
			c->line_start = c->len;
		}
	}
	c->buf[c->len] = 0;
	return (ssize_t)n;
}

/* Make a zero-filled scratch disk of `sectors` sectors, already unlinked: returns its
 * descriptor (the machine opens it as /proc/self/fd/N into `path`) or -1. */
static int scratch_disk(unsigned sectors, char *path, size_t n)
{
	char name[4096];
	snprintf(name, sizeof(name), "%s/ringlab-disk-XXXXXX", bench_tmp_dir());
	int fd = mkstemp(name);
	if (fd < 0)
		return -1;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	unlink(name);
	if (ftruncate(fd, (off_t)sectors * 512)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	snprintf(path, n, "/proc/self/fd/%d", fd);
	return fd;
}

const char *run_default_kernel(void)
{
	static char kernel[4200];
	if (!kernel[0])
		snprintf(kernel, sizeof(kernel), "%s/guest/kernel.elf", bench_build_dir());
	return kernel;
}

void run_result_free(struct run_result *r)
{
	free(r->meas);
	free(r->json);
	r->meas = NULL;
	r->json = NULL;
}

int run_one(const struct workload *w, const struct config *cfg, const char *profile,
	    const char *kernel, const struct run_hooks *hooks, struct run_result *out, char *err,
	    size_t errlen)
{
	char cmdline[2048];
	workload_cmdline(w, cmdline, sizeof(cmdline));
	struct console con = { .hooks = hooks };
	cookie_io_functions_t io = { .write = console_write };
	FILE *cons = fopencookie(&con, "w", io);
	if (!cons) {
		snprintf(err, errlen, "cannot capture the console: %s", strerror(errno));
		return -1;
	}
	if (hooks && hooks->on_console)
		setvbuf(cons, NULL, _IONBF, 0); /* lines in the order the guest prints them */
	char diskpath[64], *disk = NULL;
	int diskfd = -1;
	if (w->disk_sectors) {
		diskfd = scratch_disk(w->disk_sectors, diskpath, sizeof(diskpath));
		if (diskfd < 0) {
			snprintf(err, errlen, "cannot create a scratch disk: %s", strerror(errno));
			fclose(cons);
			free(con.buf);
			return -1;
		}
		disk = diskpath;
	}
	const char *base = strrchr(kernel, '/');
	struct vm_config vc = { .kernel = kernel, .kernel_name = base ? base + 1 : kernel,
				.cmdline = cmdline, .disk = disk,
				.profile = profile, .profile_dir = bench_profile_dir(),
				.engine = cfg->engine, .mmu = cfg->mmu, .ram_mb = 128, .console = cons };
	if (hooks && hooks->on_exit) {
		vc.on_exit = hooks->on_exit;
		vc.on_exit_opaque = hooks->opaque;
	}
	struct vm *vm = vm_create(&vc, err, errlen);
	int rc = -1;
	if (vm) {
		con.vm = vm;
		if (hooks && hooks->at_start)
			hooks->at_start(hooks->opaque, vm);
		struct hostcount hc;
		hostcount_start(&hc);
		enum vm_status st = vm_run(vm);
		hostcount_stop(&hc);
		out->host_seconds = hc.wall;
		out->host_cpu = hc.cpu;
		out->host_insns = hc.host_insns;
		fflush(cons);
		if (st != VM_EXITED || vm->exit_code != 1) {
			/* the guest's own words: its first console line after the banner */
			char said[200] = "";
			const char *c0 = con.buf ? con.buf : "";
			if (!strncmp(c0, "ringlab guest:", 14) && strchr(c0, '\n'))
				c0 = strchr(c0, '\n') + 1;
			snprintf(said, sizeof(said), "%.*s", (int)strcspn(c0, "\r\n"), c0);
			snprintf(err, errlen, "guest '%.200s' failed under %s: %s%s%.200s (exit %d)%s%s",
				 cmdline, cfg->name, vm_status_name(st), vm->reason[0] ? ": " : "",
				 vm->reason, vm->exit_code, said[0] ? "; it said: " : "", said);
		} else {
			out->cfg = cfg;
			out->insns = vm->cpu.insns;
			out->cycles = vm->cost.now;
			out->meas = calloc(MEAS_MAX, sizeof(*out->meas));
			out->nmeas = out->meas ? measure_extract(vm, con.buf ? con.buf : "", out->meas, MEAS_MAX, err, errlen)
					       : -1;
			if (out->nmeas > 0)
				rc = 0;
			else if (out->nmeas == 0)
				snprintf(err, errlen, "guest '%.200s' printed no @result line under %s", cmdline, cfg->name);
			if (!rc && hooks && hooks->at_end)
				hooks->at_end(hooks->opaque, vm);
			if (rc)
				run_result_free(out);
		}
		vm_destroy(vm);
	}
	con.vm = NULL;
	fclose(cons);
	free(con.buf);
	if (diskfd >= 0)
		close(diskfd);
	return rc;
}
