/* libdyc.so: loaded by dy_open with dlopen; its constructor runs then. */
void dy_log(const char *s); /* the main module's */

int dyc_data = 3;

int dyc_mul(int a, int b)
{
	return a * b + dyc_data;
}

__attribute__((constructor)) static void dyc_init(void)
{
	dyc_data = 9;
	dy_log("ctor c;");
}
