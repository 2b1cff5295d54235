/*
 * file.h — open files: the console or one end of a pipe, shared by fork.
 */
#ifndef FILE_H
#define FILE_H

#include "types.h"

struct file {
	enum { FD_NONE, FD_CONSOLE, FD_PIPE } type;
	int ref;
	int readable, writable;
	struct pipe *pipe;
};

struct file *file_console(int readable, int writable);

#endif
