/*
 * progress.c — the progress line (see progress.h). The estimate is the mean time of
 * the items finished so far times the items left: items of one run or sweep cost much
 * alike, and the line says "ETA" only once there is a finished item to go by.
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double progress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds as m:ss (or h:mm:ss). */
static void hms(double s, char *out, size_t n)
{
	long t = (long)(s + 0.5);
	if (t >= 3600)
		snprintf(out, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, n, "%ld:%02ld", t / 60, t % 60);
}

void progress_start(struct progress *p, const char *what, int total, bool quiet)
{
	p->tty = !quiet && isatty(2);
	p->t0 = progress_now();
	p->total = total;
	p->what = what;
}

void progress_show(struct progress *p, int done, const char *now)
{
	if (!p->tty)
		return;
	double el = progress_now() - p->t0;
	char e[32], left[32] = "";
	hms(el, e, sizeof(e));
	if (done > 0 && done < p->total)
		hms(el / done * (p->total - done), left, sizeof(left));
	fprintf(stderr, "\r\033[K%s: [%d/%d]%s%s, %s elapsed%s%s", p->what, done, p->total, now ? " " : "",
		now ? now : "", e, left[0] ? ", ETA " : "", left);
	fflush(stderr);
}

void progress_end(struct progress *p, int done)
{
	if (!p->tty)
		return;
	progress_show(p, done, NULL);
	fputc('\n', stderr);
}
