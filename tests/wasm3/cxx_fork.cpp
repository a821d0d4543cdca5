/*
 * cxx_fork.cpp: C++ exceptions (legacy wasm EH) with the WASIX process
 * model (built with the SDK's libwasix.a):
 *  - fork inside a try body: the child throws and catches in its own
 *    copy of the frames (exit 7), the parent, after waitpid, throws and
 *    is caught by the try it forked in;
 *  - a signal delivered inside a try body: its handler runs as a nested
 *    call, throws and catches an exception of its own, and returns; the
 *    interrupted try then still catches what main throws next.
 * Prints one "ok" line and exits 0, or exits 1 at the first failure.
 */
extern "C" {
int printf(const char *, ...);
int fork(void);
int waitpid(int pid, int *status, int options);
void _exit(int code);
int raise(int sig);
typedef void (*sighandler_t)(int);
sighandler_t signal(int sig, sighandler_t handler);
}

#define SIGUSR1 10

/* The typeinfo object 'throw int' refers to (libc++abi would define it). */
extern "C" const void *_ZTIi[2] = {nullptr, nullptr};

namespace std {
[[noreturn]] void terminate() noexcept
{
	__builtin_trap();
}
} // namespace std

__attribute__((noinline)) static void thrower(int v)
{
	throw v;
}

static volatile int handler_caught;

static void on_usr1(int)
{
	try {
		thrower(1);
	} catch (...) {
		handler_caught++;
	}
}

int main()
{
	int outer = 0, child_status = -1;

	try {
		int pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			try {
				thrower(2);
			} catch (...) {
				_exit(7);
			}
			_exit(1);
		}
		if (waitpid(pid, &child_status, 0) != pid)
			return 1;
		thrower(3);
	} catch (...) {
		outer++;
	}
	signal(SIGUSR1, on_usr1);
	try {
		raise(SIGUSR1);
		thrower(4);
	} catch (...) {
		outer++;
	}
	if (((child_status & 0xff00) >> 8) != 7 || outer != 2 ||
	    handler_caught != 1)
		return 1;
	printf("ok fork and signal inside try: child 7, outer %d, handler %d\n",
	       outer, handler_caught);
	return 0;
}
