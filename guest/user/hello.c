/* hello.c — the small program exec loads: it exits at once (exec's cost is the load). */
#include "../lib/ulib.h"

int main(int argc, char **argv);
int main(int argc, char **argv)
{
	(void)argv;
	return argc > 1 ? 3 : 0;
}
