/*
 * cxx_unwind.cpp: C++ exceptions compiled to wasm legacy exception
 * handling (clang -fwasm-exceptions: try, catch, catch_all, rethrow,
 * delegate, throw). 1000 rounds of: throw through 11 frames, each with a
 * destructor that must run (cleanup pads: catch_all + rethrow), caught by
 * a catch (...) that rethrows to an outer one. Exit 0 and one line of
 * counts when everything ran, else 1.
 *
 * Debian has no libc++/libc++abi for wasm, so this program uses no C++
 * library: the runtime functions it needs are in cxx_rt.c, and it catches
 * with catch (...) only (no type matching, so no personality routine).
 */
extern "C" int printf(const char *, ...);

/* The typeinfo object 'throw int' refers to (libc++abi would define it). */
extern "C" const void *_ZTIi[2] = {nullptr, nullptr};

/* What an exception escaping a catch's cleanup calls (libc++ would). */
namespace std {
[[noreturn]] void terminate() noexcept
{
	__builtin_trap();
}
} // namespace std

static int destroyed, rethrown;
static int last_thrown;

struct Guard {
	~Guard() { destroyed++; }
};

__attribute__((noinline)) static void deep(int n)
{
	Guard g;
	if (n == 0) {
		last_thrown = 7;
		throw 7;
	}
	deep(n - 1);
}

__attribute__((noinline)) static void middle()
{
	try {
		deep(10);
	} catch (...) {
		rethrown++;
		throw;
	}
}

int main()
{
	int caught = 0;
	for (int i = 0; i < 1000; i++) {
		try {
			middle();
		} catch (...) {
			caught += last_thrown;
		}
	}
	printf("caught %d, destructors %d, rethrown %d\n", caught, destroyed,
	       rethrown);
	return caught == 7000 && destroyed == 11000 && rethrown == 1000 ? 0
	                                                                : 1;
}
