/*
 * t_sha256.c: the SHA-256 behind the compiled tier's cache keys and
 * serialized modules (aot_sha256_hex): the FIPS 180-2 test vectors (the
 * empty string, "abc", the 448-bit message, a million 'a's) and the
 * digests of 300 random inputs of every length up to 300 bytes and of
 * several split points, with the portable code and with the x86 SHA
 * extensions where the CPU has them: both must give the same digests.
 * Prints failures and "t_sha256: N passed, M failed"; exits 1 on failure.
 */
#include <stdlib.h>
#include <string.h>

#include "aot/aot.h"
#include "t_check.h"

static void digest(const void *p, size_t n, char hex[65])
{
	aot_sha256_hex(&p, &n, 1, hex);
}

static void vectors(void)
{
	static const char m448[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[65];
	char *million = malloc(1000000);

	digest("", 0, hex);
	CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
	                  "a495991b7852b855") == 0);
	digest("abc", 3, hex);
	CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
	                  "b410ff61f20015ad") == 0);
	digest(m448, sizeof m448 - 1, hex);
	CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167"
	                  "f6ecedd419db06c1") == 0);
	CHECK(million != NULL);
	if (million != NULL) {
		memset(million, 'a', 1000000);
		digest(million, 1000000, hex);
		CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a4"
		                  "97200e046d39ccc7112cd0") == 0);
	}
	free(million);
}

int main(void)
{
	static unsigned char buf[300];
	static char want[300][65];
	int isa;

	/* The portable code first: the reference for the random inputs. */
	CHECK(aot_sha256_set_isa(1) == 1);
	vectors();
	srand(14);
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)rand();
	for (size_t n = 0; n < sizeof buf; n++)
		digest(buf, n, want[n]);
	isa = aot_sha256_set_isa(2);
	printf("t_sha256: %s\n",
	       isa == 2 ? "SHA extensions" : "no SHA extensions on this CPU");
	vectors();
	for (size_t n = 0; n < sizeof buf; n++) {
		char hex[65];
		digest(buf, n, hex);
		CHECK(strcmp(hex, want[n]) == 0);
		/* The same bytes in three parts (the cache key's shape). */
		const void *parts[3] = {buf, buf + n / 3, buf + n / 2};
		size_t lens[3] = {n / 3, n / 2 - n / 3, n - n / 2};
		aot_sha256_hex(parts, lens, 3, hex);
		CHECK(strcmp(hex, want[n]) == 0);
	}
	return t_report("t_sha256");
}
