/*
 * libdya.so: needed by dy_main, needs libdyb.so. Calls into the main
 * module (a cycle), points at data of the main module and of libdyb
 * (data relocations through GOT.mem), at libdyb's function (GOT.func),
 * and at weak symbols nobody defines.
 */
void dy_log(const char *s);
extern int dyb_value;
int dyb_twice(int x);
extern int main_counter;
extern int dy_missing_weak __attribute__((weak));
void dy_missing_fn(void) __attribute__((weak));

int *dya_ptr_b = &dyb_value;
int *dya_ptr_main = &main_counter;
int (*dya_fp)(int) = dyb_twice;
int dya_own = 11;
int *dya_ptr_own = &dya_own;

static int dya_local(int x)
{
	return x + 1;
}

int dya_sum(int x)
{
	return dyb_twice(x) + *dya_ptr_b + main_counter;
}

int (*dya_get_local(void))(int)
{
	return dya_local;
}

int dya_weak_ok(void)
{
	return &dy_missing_weak == 0 && dy_missing_fn == 0;
}

int dya_callback(int (*cb)(int), int v)
{
	return cb(v);
}

__attribute__((constructor)) static void dya_init(void)
{
	dy_log("ctor a;");
}
