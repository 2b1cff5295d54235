/*
 * file.c — the table of open files and the pipes behind them: a pipe is a 512-byte
 * ring; a reader sleeps while it is empty and a writer while it is full; reading an
 * empty pipe whose write end is closed returns 0 (end of file).
 */
#include "defs.h"
#include "file.h"
#include "param.h"

static struct file files[NFILE];

struct pipe {
	char data[PIPESIZE];
	uint32 nread, nwrite;
	int readopen, writeopen;
	int used;
};

static struct pipe pipes[NFILE / 2];

struct file *file_alloc(void)
{
	for (struct file *f = files; f < &files[NFILE]; f++)
		if (f->ref == 0) {
			memset(f, 0, sizeof(*f));
			f->ref = 1;
			return f;
		}
	return NULL;
}

struct file *file_console(int readable, int writable)
{
	struct file *f = file_alloc();
	if (f) {
		f->type = FD_CONSOLE;
		f->readable = readable;
		f->writable = writable;
	}
	return f;
}

struct file *file_dup(struct file *f)
{
	f->ref++;
	return f;
}

void file_close(struct file *f)
{
	if (--f->ref > 0)
		return;
	if (f->type == FD_PIPE)
		pipe_close(f->pipe, f->writable);
	f->type = FD_NONE;
}

int pipe_alloc(struct file **rf, struct file **wf)
{
	struct pipe *p = NULL;
	for (int i = 0; i < NFILE / 2; i++)
		if (!pipes[i].used) {
			p = &pipes[i];
			break;
		}
	if (!p)
		return -1;
	*rf = file_alloc();
	*wf = *rf ? file_alloc() : NULL;
	if (!*wf) {
		if (*rf)
			(*rf)->ref = 0;
		return -1;
	}
	memset(p, 0, sizeof(*p));
	p->used = p->readopen = p->writeopen = 1;
	(*rf)->type = (*wf)->type = FD_PIPE;
	(*rf)->readable = 1;
	(*wf)->writable = 1;
	(*rf)->pipe = (*wf)->pipe = p;
	return 0;
}

void pipe_close(struct pipe *p, int writable)
{
	if (writable) {
		p->writeopen = 0;
		wakeup(&p->nread);
	} else {
		p->readopen = 0;
		wakeup(&p->nwrite);
	}
	if (!p->readopen && !p->writeopen)
		p->used = 0;
}

int pipe_write(struct pipe *p, pde_t *pgdir, uint32 src, int n)
{
	for (int i = 0; i < n; i++) {
		while (p->nwrite == p->nread + PIPESIZE) {
			if (!p->readopen)
				return -1;
			wakeup(&p->nread);
			sleep(&p->nwrite);
		}
		char ch;
		if (copyin(pgdir, &ch, src + (uint32)i, 1) < 0)
			return -1;
		p->data[p->nwrite++ % PIPESIZE] = ch;
	}
	wakeup(&p->nread);
	return n;
}

int pipe_read(struct pipe *p, pde_t *pgdir, uint32 dst, int n)
{
	while (p->nread == p->nwrite && p->writeopen)
		sleep(&p->nread);
	int i;
	for (i = 0; i < n && p->nread != p->nwrite; i++) {
		char ch = p->data[p->nread++ % PIPESIZE];
		if (copyout(pgdir, dst + (uint32)i, &ch, 1) < 0)
			return -1;
	}
	wakeup(&p->nwrite);
	return i;
}
