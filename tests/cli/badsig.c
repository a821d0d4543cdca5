/*
 * badsig.c: imports preview1's sched_yield with the wrong type
 * ((i32) -> i32 instead of () -> i32), so linking must fail.
 */
int bad_yield(int) __attribute__((import_module("wasi_snapshot_preview1"),
                                  import_name("sched_yield")));

int main(void)
{
	return bad_yield(1);
}
