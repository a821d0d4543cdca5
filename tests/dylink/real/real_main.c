/*
 * real_main: a wasix-libc (EH+PIC sysroot) program linked against
 * libside.so; dlopens libplugin.so (a plugin), checks dlerror texts,
 * longjmps from the plugin back here, then vfork+execs itself, whose new
 * instance loads its libraries and the plugin again.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

const char *side_greeting(void);
int side_add(int, int);
char *side_dup(const char *);
extern int side_counter;

int main(int argc, char **argv)
{
	void *h = dlopen("libplugin.so", RTLD_NOW);
	int (*run)(int) = h ? (int (*)(int))dlsym(h, "plugin_run") : NULL;
	void (*jump)(jmp_buf *, int) =
	    h ? (void (*)(jmp_buf *, int))dlsym(h, "plugin_jump") : NULL;
	int *pd = h ? dlsym(h, "plugin_data") : NULL;
	char *d;
	jmp_buf b;
	volatile int n = 0;
	int st = 0;
	pid_t p;

	if (run == NULL || jump == NULL || pd == NULL) {
		printf("dlopen/dlsym: %s\n", dlerror());
		return 1;
	}
	if (argc > 1) {
		printf("exec'd %s: run=%d\n", argv[1], run(2));
		return 0;
	}
	printf("%s %d\n", side_greeting(), side_add(2, 3));
	d = side_dup("abc");
	printf("%s counter=%d\n", d, side_counter);
	free(d);
	printf("run=%d data=%d\n", run(5), *pd);
	if (dlopen("libnope.so", RTLD_NOW) == NULL)
		printf("dlerror: %s\n", dlerror());
	if (dlsym(h, "nope") == NULL)
		printf("dlerror: %s\n", dlerror());
	printf("dlclose=%d\n", dlclose(h));
	if (setjmp(b) < 3) {
		n++;
		jump(&b, n);
	}
	printf("longjmp from the plugin: %d\n", n);
	fflush(stdout);
	p = vfork();
	if (p == 0) {
		char *av[] = {"real_main", "child", NULL};
		execv("/real_main.wasm", av);
		_exit(99);
	}
	waitpid(p, &st, 0);
	printf("child exit %d\n", WEXITSTATUS(st));
	return 0;
}
