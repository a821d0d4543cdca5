/* libdyb.so: the bottom of the chain main -> libdya.so -> libdyb.so. */
void dy_log(const char *s); /* the main module's */

int dyb_value = 40;

int dyb_twice(int x)
{
	return 2 * x;
}

__attribute__((constructor)) static void dyb_init(void)
{
	dy_log("ctor b;");
}
