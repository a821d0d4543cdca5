/* libdyt.so: recursion that keeps data on the shadow stack, so threads
 * that shared one stack pointer would corrupt each other. */
int dyt_deep(int depth, int seed)
{
	volatile int buf[16];
	int r;

	for (int i = 0; i < 16; i++)
		buf[i] = seed + i;
	if (depth == 0)
		return seed;
	r = dyt_deep(depth - 1, seed + 1);
	for (int i = 0; i < 16; i++)
		r += buf[i] - (seed + i);
	return r + 1;
}
