/*
 * wasmix_known.c: the tree-wide set of module bytes known to decode and
 * validate (wasmix_known.h). One anonymous MAP_SHARED mapping, made by
 * the tree's first process before it forks (like the process table):
 * a header with a robust, process-shared mutex and up to
 * WASMIX_KNOWN_MAX entries, then the bytes, appended and never moved or
 * freed. Writers append under the mutex and publish an entry with a
 * release store of its 'ready' flag; readers take no lock: they read
 * only ready entries, which never change again.
 */
#include "wasmix_known.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

struct known_entry {
	uint64_t hash;
	uint64_t len;
	uint64_t off;   /* of the bytes, from the start of the data area */
	uint64_t key;   /* the limits they validated under */
	uint32_t ready; /* 1 once written whole (release / acquire) */
};

struct known_hdr {
	pthread_mutex_t mu;
	uint64_t budget; /* bytes of the data area */
	uint64_t used;
	uint32_t n; /* entries taken (ready or being written) */
	struct known_entry ent[WASMIX_KNOWN_MAX];
};

static struct known_hdr *known;

/* Candidates only: the bytes are always compared whole. */
static uint64_t known_hash(const uint8_t *b, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u ^ (uint64_t)len;
	size_t head = len < 4096 ? len : 4096;

	for (size_t i = 0; i < head; i++)
		h = (h ^ b[i]) * 0x100000001b3u;
	for (size_t i = len - (len - head < 4096 ? len - head : 4096); i < len;
	     i++)
		h = (h ^ b[i]) * 0x100000001b3u;
	return h;
}

static uint8_t *known_data(void)
{
	return (uint8_t *)(known + 1);
}

int wasmix_known_init(size_t budget)
{
	pthread_mutexattr_t ma;
	void *p;

	if (known != NULL || budget == 0)
		return 0;
	p = mmap(NULL, sizeof *known + budget, PROT_READ | PROT_WRITE,
	         MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	known = p;
	known->budget = budget;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&known->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	return 0;
}

/* The ready entry holding exactly these bytes, or NULL. */
static const struct known_entry *known_find(const uint8_t *bytes, size_t len,
                                            uint64_t h, uint64_t key)
{
	uint32_t n = __atomic_load_n(&known->n, __ATOMIC_ACQUIRE);

	for (uint32_t i = 0; i < n && i < WASMIX_KNOWN_MAX; i++) {
		const struct known_entry *e = &known->ent[i];

		if (!__atomic_load_n(&e->ready, __ATOMIC_ACQUIRE) ||
		    e->hash != h || e->len != len || e->key != key)
			continue;
		if (memcmp(known_data() + e->off, bytes, len) == 0)
			return e;
	}
	return NULL;
}

bool wasmix_known_has(const uint8_t *bytes, size_t len, uint64_t key)
{
	if (known == NULL || bytes == NULL || len == 0)
		return false;
	return known_find(bytes, len, known_hash(bytes, len), key) != NULL;
}

void wasmix_known_add(const uint8_t *bytes, size_t len, uint64_t key)
{
	struct known_entry *e;
	uint64_t h;

	if (known == NULL || bytes == NULL || len == 0 || len > known->budget)
		return;
	h = known_hash(bytes, len);
	if (pthread_mutex_lock(&known->mu) == EOWNERDEAD)
		pthread_mutex_consistent(&known->mu);
	if (known->n < WASMIX_KNOWN_MAX && known->budget - known->used >= len &&
	    known_find(bytes, len, h, key) == NULL) {
		e = &known->ent[known->n];
		e->off = known->used;
		e->len = len;
		e->hash = h;
		e->key = key;
		memcpy(known_data() + e->off, bytes, len);
		known->used += len;
		__atomic_store_n(&known->n, known->n + 1, __ATOMIC_RELEASE);
		__atomic_store_n(&e->ready, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&known->mu);
}
