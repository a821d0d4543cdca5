/* libtlsv.so: a library's own thread-local variable, for real_tls. */
_Thread_local int tlsv_counter = 5;

int tlsv_bump(void)
{
	return ++tlsv_counter;
}

int *tlsv_addr(void)
{
	return &tlsv_counter;
}
