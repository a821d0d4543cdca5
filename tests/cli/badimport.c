/*
 * badimport.c: imports a function no runner provides ("env" "nope"), so
 * it must fail to link before it runs.
 */
void nope(void) __attribute__((import_module("env"), import_name("nope")));

int main(void)
{
	nope();
	return 0;
}
