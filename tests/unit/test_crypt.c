/*
 * Unit tests for lib/crypt.c: sealing credentials with AES-256-GCM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypt.h"
#include "err.h"

/* 1 when needle occurs in hay (memmem is a GNU extension). */
static int
contains(const unsigned char *hay, size_t n, const char *needle)
{
	size_t	 k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return 1;
	return 0;
}

#define KEY1 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY2 "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void
test_key_parse(void **state)
{
	unsigned char	 k[CRYPT_KEY_LEN];
	struct err	 e;

	(void)state;
	assert_int_equal(crypt_key_parse(KEY1, k, &e), 0);
	assert_int_equal(k[0], 0x00);
	assert_int_equal(k[31], 0x1f);
	assert_int_equal(crypt_key_parse("abc", k, &e), -1);
	assert_int_equal(crypt_key_parse(NULL, k, &e), -1);
	/* the message never echoes the key */
	assert_int_equal(crypt_key_parse("zz0102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f", k, &e), -1);
	assert_null(strstr(e.msg, "0102030405"));
}

static void
test_round_trip_and_tamper(void **state)
{
	unsigned char	 k1[CRYPT_KEY_LEN], k2[CRYPT_KEY_LEN], *blob, *blob2;
	const char	*secret = "{\"access_token\":\"shpat_secret\"}";
	struct err	 e;
	size_t		 n, n2, plen, i;
	char		*plain;

	(void)state;
	assert_int_equal(crypt_key_parse(KEY1, k1, &e), 0);
	assert_int_equal(crypt_key_parse(KEY2, k2, &e), 0);
	assert_int_equal(crypt_seal(k1, secret, strlen(secret), &blob, &n,
	    &e), 0);
	assert_int_equal(n, 3 + 12 + strlen(secret) + 16);
	/* the plaintext is nowhere in the blob */
	assert_false(contains(blob, n, "shpat_secret"));
	assert_int_equal(crypt_open(k1, blob, n, &plain, &plen, &e), 0);
	assert_int_equal(plen, strlen(secret));
	assert_string_equal(plain, secret);
	crypt_free_secret(plain, plen);

	/* a fresh nonce each time: the same secret seals differently */
	assert_int_equal(crypt_seal(k1, secret, strlen(secret), &blob2, &n2,
	    &e), 0);
	assert_int_equal(n2, n);
	assert_memory_not_equal(blob, blob2, n);
	free(blob2);

	/* another key does not open it */
	assert_int_equal(crypt_open(k2, blob, n, &plain, &plen, &e), -1);
	assert_int_equal(e.kind, ERR_AUTH);
	assert_null(plain);
	/* every single flipped bit is caught, header and tag included */
	for (i = 0; i < n; i++) {
		blob[i] ^= 0x01;
		assert_int_equal(crypt_open(k1, blob, n, &plain, &plen, &e),
		    -1);
		blob[i] ^= 0x01;
	}
	/* truncated blobs too */
	assert_int_equal(crypt_open(k1, blob, n - 1, &plain, &plen, &e), -1);
	assert_int_equal(crypt_open(k1, blob, 10, &plain, &plen, &e), -1);
	free(blob);
}

static void
test_empty_secret(void **state)
{
	unsigned char	 k[CRYPT_KEY_LEN], *blob;
	struct err	 e;
	size_t		 n, plen;
	char		*plain;

	(void)state;
	assert_int_equal(crypt_key_parse(KEY1, k, &e), 0);
	assert_int_equal(crypt_seal(k, "", 0, &blob, &n, &e), 0);
	assert_int_equal(crypt_open(k, blob, n, &plain, &plen, &e), 0);
	assert_int_equal(plen, 0);
	assert_string_equal(plain, "");
	crypt_free_secret(plain, plen);
	free(blob);
	crypt_free_secret(NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_parse),
		cmocka_unit_test(test_round_trip_and_tamper),
		cmocka_unit_test(test_empty_secret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
