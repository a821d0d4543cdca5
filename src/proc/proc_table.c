/*
 * proc_table.c: the shared process table, guest pids, fork, join and
 * kill (see proc.h for the model and the invariants).
 *
 * Layout: one 'struct proc_shared' in an anonymous MAP_SHARED mapping. A
 * slot is LIVE from the fork that made it until the join that reaped it
 * (zombies stay LIVE: they can still be signalled and joined). Every read
 * or write of a slot is under the table's mutex, which is robust (a holder
 * that died is recovered with pthread_mutex_consistent) and
 * process-shared. proc_fork holds it across fork(): the parent writes the
 * host pid and unlocks; the child never unlocks a mutex it does not own.
 *
 * Limits (proc_set_limits): the number of LIVE slots never exceeds
 * 'max_procs', and 'mem_total' (the sum of every slot's 'mem', the guest
 * memory charged by proc_mem_charge in that host process) never exceeds
 * 'max_mem' when that is non-zero. A fork child starts charged with what
 * its parent had charged (it inherits the memories); a slot's charge
 * leaves the total when the slot is freed.
 */
#include "proc/proc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { PROC_FREE = 0, PROC_LIVE = 1 };

struct proc_slot {
	uint32_t pid;
	uint32_t ppid; /* 0: no parent in this run */
	pid_t host;    /* 0: a proc_fork_env child with no host process */
	uint8_t state;
	bool zombie; /* a host-less child that exited with 'code' */
	int code;
	uint64_t mem; /* bytes charged by this host process (proc_mem_charge) */
	uint32_t
	    threads; /* its threads beyond the first (proc_thread_charge) */
};

struct proc_shared {
	pthread_mutex_t mu;
	uint32_t next_pid;
	uint32_t max_procs; /* LIVE slots at most (<= PROC_MAX_PROCS) */
	uint64_t max_mem;   /* bytes of guest memory in the tree; 0: none */
	uint64_t mem_total; /* sum of the LIVE slots' 'mem' */
	uint32_t max_threads;   /* threads beyond each process's first */
	uint32_t threads_total; /* sum of the LIVE slots' 'threads' */
	struct proc_slot slot[PROC_MAX_PROCS];
};

static struct proc_shared *proc_tab;
static uint32_t proc_me;
static uint32_t proc_env_parent; /* inside proc_fork_env: the parent */
/* This host process's slot: the one its memory charges go to. */
static size_t proc_mem_idx;

static void proc_lock(void)
{
	if (pthread_mutex_lock(&proc_tab->mu) == EOWNERDEAD)
		pthread_mutex_consistent(&proc_tab->mu);
}

static void proc_unlock(void)
{
	pthread_mutex_unlock(&proc_tab->mu);
}

/* The LIVE slot of 'pid', or NULL. Under the lock. */
static struct proc_slot *proc_find(uint32_t pid)
{
	for (size_t i = 0; i < PROC_MAX_PROCS; i++)
		if (proc_tab->slot[i].state == PROC_LIVE &&
		    proc_tab->slot[i].pid == pid)
			return &proc_tab->slot[i];
	return NULL;
}

/* Frees LIVE slot 's' and takes its charge out of the total. Under the lock. */
static void proc_free_slot(struct proc_slot *s)
{
	proc_tab->mem_total -= s->mem;
	proc_tab->threads_total -= s->threads;
	s->mem = 0;
	s->threads = 0;
	s->state = PROC_FREE;
}

/* Whether host process 'h' is gone (reaped by someone: ESRCH). */
static bool proc_host_gone(pid_t h)
{
	return h > 0 && kill(h, 0) != 0 && errno == ESRCH;
}

/*
 * Frees the slots nobody can join any more: an orphan whose host process
 * is gone (reaped by the host's init once its parent died) or a host-less
 * zombie whose parent is gone. A slot whose parent still runs stays until
 * that parent joins it, as a zombie does. Returns how many it freed.
 * Under the lock; runs only when a limit is reached.
 */
static uint32_t proc_collect_orphans(void)
{
	uint32_t freed = 0, round;

	do {
		round = 0;
		for (size_t i = 0; i < PROC_MAX_PROCS; i++) {
			struct proc_slot *s = &proc_tab->slot[i], *p;

			if (s->state != PROC_LIVE || i == proc_mem_idx ||
			    s->pid == proc_me)
				continue;
			p = proc_find(s->ppid);
			if (p != NULL && !proc_host_gone(p->host))
				continue;
			if (s->host == 0 ? s->zombie
			                 : proc_host_gone(s->host)) {
				proc_free_slot(s);
				round++;
			}
		}
		freed += round;
	} while (round != 0);
	return freed;
}

/* Whether 'mem' more bytes stay within the memory limit. Under the lock. */
static bool proc_mem_fits(uint64_t mem)
{
	uint64_t cap = proc_tab->max_mem, total = proc_tab->mem_total;

	return cap == 0 || (total <= cap && mem <= cap - total);
}

/* LIVE slots in the table. Under the lock. */
static uint32_t proc_live_count(void)
{
	uint32_t n = 0;

	for (size_t i = 0; i < PROC_MAX_PROCS; i++)
		n += proc_tab->slot[i].state == PROC_LIVE;
	return n;
}

/*
 * A free slot made live for a new child of this process (the next pid,
 * parent proc_me, no host pid yet, charged 'mem' bytes), or NULL with
 * '*err' EAGAIN when the process limit is reached or ENOMEM when 'mem'
 * more bytes would pass the memory limit. Under the lock.
 */
static struct proc_slot *proc_new_slot(uint64_t mem, int *err)
{
	if (proc_live_count() >= proc_tab->max_procs &&
	    proc_collect_orphans() == 0) {
		*err = EAGAIN;
		return NULL;
	}
	if (!proc_mem_fits(mem) &&
	    (proc_collect_orphans() == 0 || !proc_mem_fits(mem))) {
		*err = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < PROC_MAX_PROCS; i++) {
		struct proc_slot *s = &proc_tab->slot[i];

		if (s->state != PROC_FREE)
			continue;
		memset(s, 0, sizeof *s);
		s->pid = proc_tab->next_pid++;
		s->ppid = proc_me;
		s->state = PROC_LIVE;
		s->mem = mem;
		proc_tab->mem_total += mem;
		return s;
	}
	*err = EAGAIN;
	return NULL;
}

int proc_set_limits(uint32_t max_procs, uint64_t max_mem, uint32_t max_threads)
{
	if (max_procs > PROC_MAX_PROCS)
		return EINVAL;
	if (proc_tab == NULL && proc_init() != 0)
		return ENOMEM;
	proc_lock();
	proc_tab->max_procs = max_procs ? max_procs : PROC_DEFAULT_MAX_PROCS;
	proc_tab->max_mem = max_mem;
	proc_tab->max_threads =
	    max_threads ? max_threads : PROC_DEFAULT_MAX_THREADS;
	proc_unlock();
	return 0;
}

int proc_thread_charge(int delta)
{
	struct proc_slot *s;
	int rc = 0;

	if (proc_tab == NULL || delta == 0)
		return 0;
	proc_lock();
	s = &proc_tab->slot[proc_mem_idx];
	if (delta > 0 &&
	    proc_tab->threads_total + (uint32_t)delta > proc_tab->max_threads &&
	    (proc_collect_orphans() == 0 ||
	     proc_tab->threads_total + (uint32_t)delta >
	         proc_tab->max_threads)) {
		rc = EAGAIN;
	} else if (delta > 0) {
		s->threads += (uint32_t)delta;
		proc_tab->threads_total += (uint32_t)delta;
	} else {
		uint32_t n = (uint32_t)-delta;

		n = n > s->threads ? s->threads : n;
		s->threads -= n;
		proc_tab->threads_total -= n;
	}
	proc_unlock();
	return rc;
}

int proc_mem_charge(int64_t bytes)
{
	struct proc_slot *s;
	int rc = 0;

	if (proc_tab == NULL || bytes == 0)
		return 0;
	proc_lock();
	s = &proc_tab->slot[proc_mem_idx];
	if (bytes > 0 && !proc_mem_fits((uint64_t)bytes) &&
	    (proc_collect_orphans() == 0 || !proc_mem_fits((uint64_t)bytes))) {
		rc = ENOMEM;
	} else if (bytes > 0) {
		s->mem += (uint64_t)bytes;
		proc_tab->mem_total += (uint64_t)bytes;
	} else {
		uint64_t b = (uint64_t)-bytes;

		b = b > s->mem ? s->mem : b;
		s->mem -= b;
		proc_tab->mem_total -= b;
	}
	proc_unlock();
	return rc;
}

uint64_t proc_mem_charged(void)
{
	uint64_t n = 0;

	if (proc_tab == NULL)
		return 0;
	proc_lock();
	n = proc_tab->mem_total;
	proc_unlock();
	return n;
}

int proc_init(void)
{
	pthread_mutexattr_t ma;
	void *p;

	if (proc_tab != NULL)
		return 0;
	p = mmap(NULL, sizeof *proc_tab, PROT_READ | PROT_WRITE,
	         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return ENOMEM;
	proc_tab = p;
	memset(proc_tab, 0, sizeof *proc_tab);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&proc_tab->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	proc_tab->next_pid = 2;
	proc_tab->max_procs = PROC_DEFAULT_MAX_PROCS;
	proc_tab->max_mem = PROC_DEFAULT_MAX_MEM;
	proc_tab->max_threads = PROC_DEFAULT_MAX_THREADS;
	proc_mem_idx = 0;
	proc_tab->slot[0].pid = 1;
	proc_tab->slot[0].ppid = 0;
	proc_tab->slot[0].host = getpid();
	proc_tab->slot[0].state = PROC_LIVE;
	proc_me = 1;
	return 0;
}

void proc_fini(void)
{
	if (proc_tab == NULL)
		return;
	munmap(proc_tab, sizeof *proc_tab);
	proc_tab = NULL;
	proc_me = 0;
}

uint32_t proc_self(void)
{
	return proc_me;
}

int proc_parent(uint32_t pid, uint32_t *ppid)
{
	struct proc_slot *s;
	int rc = ESRCH;

	if (proc_tab == NULL)
		return ESRCH;
	proc_lock();
	s = proc_find(pid);
	if (s != NULL && (pid == proc_me || s->ppid == proc_me)) {
		*ppid = s->ppid;
		rc = 0;
	}
	proc_unlock();
	return rc;
}

int proc_fork(uint32_t *pid)
{
	struct proc_slot *s;
	uint32_t child;
	pid_t h;
	int err = 0;

	if (proc_tab == NULL && proc_init() != 0)
		return ENOMEM;
	proc_lock();
	/* The child inherits this process's memories: it starts charged. */
	s = proc_new_slot(proc_tab->slot[proc_mem_idx].mem, &err);
	if (s == NULL) {
		proc_unlock();
		return err;
	}
	child = s->pid;
	h = fork();
	if (h == 0) {
		/* The lock belongs to the parent's thread: do not unlock. */
		proc_me = child;
		proc_mem_idx = (size_t)(s - proc_tab->slot);
		s->host = getpid();
		proc_itimer_forget();
		proc_deadline_arm_child();
		*pid = 0;
		return 0;
	}
	if (h < 0) {
		proc_free_slot(s);
		proc_tab->next_pid--;
		proc_unlock();
		return EAGAIN;
	}
	s->host = h;
	proc_unlock();
	*pid = child;
	return 0;
}

/* Whether the caller has any child in the table. */
static bool proc_has_children(void)
{
	bool any = false;

	proc_lock();
	for (size_t i = 0; i < PROC_MAX_PROCS && !any; i++)
		any = proc_tab->slot[i].state == PROC_LIVE &&
		      proc_tab->slot[i].ppid == proc_me;
	proc_unlock();
	return any;
}

/*
 * Turns a waitpid status of host child 'h' into '*st' and frees its
 * slot. Returns false if 'h' is not one of the caller's guest children.
 */
static bool proc_reaped(pid_t h, int wst, struct proc_status *st)
{
	struct proc_slot *s = NULL;

	proc_lock();
	for (size_t i = 0; i < PROC_MAX_PROCS && s == NULL; i++)
		if (proc_tab->slot[i].state == PROC_LIVE &&
		    proc_tab->slot[i].host == h &&
		    proc_tab->slot[i].ppid == proc_me)
			s = &proc_tab->slot[i];
	if (s != NULL) {
		st->pid = s->pid;
		proc_free_slot(s);
	}
	proc_unlock();
	if (s == NULL)
		return false;
	if (WIFSIGNALED(wst)) {
		st->how = PROC_SIGNALED;
		st->code = WTERMSIG(wst);
	} else {
		st->how = PROC_EXITED;
		st->code = WEXITSTATUS(wst);
	}
	return true;
}

/* Reports and frees a host-less zombie child ('pid' or any: 0). */
static bool proc_take_zombie(uint32_t pid, struct proc_status *st)
{
	bool found = false;

	proc_lock();
	for (size_t i = 0; i < PROC_MAX_PROCS && !found; i++) {
		struct proc_slot *s = &proc_tab->slot[i];

		if (s->state != PROC_LIVE || !s->zombie || s->ppid != proc_me ||
		    (pid != 0 && s->pid != pid))
			continue;
		st->pid = s->pid;
		st->how = PROC_EXITED;
		st->code = s->code;
		proc_free_slot(s);
		found = true;
	}
	proc_unlock();
	return found;
}

int proc_join(uint32_t pid, bool nohang, struct proc_status *st)
{
	struct proc_slot *s;
	pid_t target = -1, h;
	int wst = 0;

	memset(st, 0, sizeof *st);
	if (proc_tab == NULL)
		return ECHILD;
	if (pid != 0) {
		proc_lock();
		s = proc_find(pid);
		target = s != NULL && s->ppid == proc_me ? s->host : 0;
		if (s != NULL && s->ppid == proc_me && s->zombie)
			target = -2;
		proc_unlock();
		if (target == -2 && proc_take_zombie(pid, st))
			return 0;
		if (target <= 0)
			return ECHILD;
	} else if (!proc_has_children()) {
		return ECHILD;
	}
	if (proc_take_zombie(pid, st))
		return 0;
	for (;;) {
		h = waitpid(target, &wst, nohang ? WNOHANG : 0);
		if (h == 0)
			return 0; /* PROC_NOTHING */
		if (h < 0)
			return errno;
		if (proc_reaped(h, wst, st))
			return 0;
		/* A host child outside the table: not ours to report. */
	}
}

int proc_kill(uint32_t pid, int sig)
{
	struct proc_slot *s;
	pid_t h = 0;

	if (sig < 0 || sig >= PROC_NSIG)
		return EINVAL;
	if (proc_tab == NULL)
		return ESRCH;
	proc_lock();
	s = proc_find(pid);
	if (s != NULL)
		h = s->host;
	proc_unlock();
	if (h <= 0)
		return ESRCH;
	if (h == getpid() && sig != 0)
		return raise(sig) == 0 ? 0 : errno;
	return kill(h, sig) == 0 ? 0 : errno;
}

int proc_env_begin(uint32_t *child)
{
	struct proc_slot *s;
	int err = 0;

	if (proc_env_parent != 0)
		return ENOTSUP;
	if (proc_tab == NULL && proc_init() != 0)
		return ENOMEM;
	proc_lock();
	/* No host process of its own yet: charged when it forks. */
	s = proc_new_slot(0, &err);
	if (s == NULL) {
		proc_unlock();
		return err;
	}
	*child = s->pid;
	proc_unlock();
	proc_env_parent = proc_me;
	proc_me = *child;
	return 0;
}

bool proc_env_active(void)
{
	return proc_env_parent != 0;
}

int proc_env_fork(bool *is_child)
{
	struct proc_slot *s;
	pid_t h;

	uint64_t mem;

	*is_child = false;
	if (proc_env_parent == 0)
		return EINVAL;
	proc_lock();
	s = proc_find(proc_me);
	mem = proc_tab->slot[proc_mem_idx].mem;
	if (s != NULL && !proc_mem_fits(mem)) {
		proc_unlock();
		return ENOMEM;
	}
	if (s != NULL) {
		s->mem = mem;
		proc_tab->mem_total += mem;
	}
	h = fork();
	if (h == 0) {
		/* The lock belongs to the parent's thread: do not unlock. */
		if (s != NULL) {
			s->host = getpid();
			proc_mem_idx = (size_t)(s - proc_tab->slot);
		}
		proc_env_parent = 0;
		proc_itimer_forget();
		proc_deadline_arm_child();
		*is_child = true;
		return 0;
	}
	if (h > 0 && s != NULL)
		s->host = h;
	if (h < 0 && s != NULL) {
		proc_tab->mem_total -= s->mem;
		s->mem = 0;
	}
	proc_unlock();
	if (h < 0)
		return EAGAIN;
	proc_me = proc_env_parent;
	proc_env_parent = 0;
	return 0;
}

void proc_env_exit(int code)
{
	struct proc_slot *s;

	if (proc_env_parent == 0)
		return;
	proc_lock();
	s = proc_find(proc_me);
	if (s != NULL) {
		s->zombie = true;
		s->code = code & 0xff;
	}
	proc_unlock();
	proc_me = proc_env_parent;
	proc_env_parent = 0;
}
