/*
 * libdyk.so: a constructor that forks, so the child starts inside
 * dlopen with the linker's lock held by its only thread: the child must
 * still load (libdyc.so) and look up symbols (a recursive pthread mutex
 * would not let it: its owner's kernel id changed); it exits 22. The
 * parent waits and keeps the child's exit code in dyk_status (dy_open
 * checks it).
 */
#include "dy.h"

int dyk_status = -1;

struct dyk_join {
	unsigned char tag;
	unsigned short code;
	unsigned char sig;
};

__attribute__((constructor)) static void dyk_init(void)
{
	char err[128];
	unsigned h = 0;
	unsigned long a = 0;
	int pid = -1;

	if (dy_fork(1, &pid) != 0)
		return;
	if (pid == 0) {
		int ok =
		    dy_dlopen_raw("libdyc.so", 9, DY_RTLD_NOW, err, sizeof err,
		                  "", 0, &h) == 0 &&
		    dy_dlsym_raw(h, "dyc_mul", 7, err, sizeof err, &a) == 0 &&
		    a != 0;
		dy_exit(ok ? 22 : 1);
	}
	struct {
		unsigned char tag;
		unsigned pid;
	} opt = {1, (unsigned)pid};
	struct dyk_join st = {0, 0, 0};
	if (dy_join(&opt, 0, &st) == 0 && st.tag == 1)
		dyk_status = st.code;
}
