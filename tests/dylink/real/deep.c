/* libdeep.so: recursion with data on the shadow stack, for real_thr. */
#include <string.h>

int side_deep(int depth, int seed)
{
	volatile char buf[64];
	int r;

	memset((char *)buf, seed & 0x7f, sizeof buf);
	if (depth == 0)
		return seed;
	r = side_deep(depth - 1, seed + 1);
	return r + buf[depth % 64];
}
