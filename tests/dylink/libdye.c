/*
 * libdye.so: refers to symbols nobody defines, a data symbol (dy_undef
 * fails at load unless DYE_DATA is 0) and a function (a stub that traps
 * when called).
 */
extern int nowhere_data;
void nowhere_fn(void);

#if DYE_DATA
int *dye_ptr(void)
{
	return &nowhere_data;
}
#endif

void dye_call(void)
{
	nowhere_fn();
}
