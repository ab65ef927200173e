/*
 * crypt: AES-256-GCM sealing of credentials (see crypt.h).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypt.h"
#include "err.h"

#define MAGIC		"SH1"
#define MAGIC_LEN	3
#define NONCE_LEN	12
#define TAG_LEN		16
#define SEAL_MAX	(1024 * 1024)

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
crypt_key_parse(const char *hex, unsigned char key[CRYPT_KEY_LEN],
    struct err *e)
{
	size_t	 i;
	int	 hi, lo;

	if (hex == NULL || strlen(hex) != CRYPT_KEY_LEN * 2)
		return err_set(e, ERR_INVALID, "master_key must be 64 hex "
		    "digits (make one with: openssl rand -hex 32)");
	for (i = 0; i < CRYPT_KEY_LEN; i++) {
		hi = hexval(hex[2 * i]);
		lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			explicit_bzero(key, CRYPT_KEY_LEN);
			return err_set(e, ERR_INVALID,
			    "master_key must be 64 hex digits");
		}
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int
crypt_seal(const unsigned char key[CRYPT_KEY_LEN], const void *plain,
    size_t len, unsigned char **out, size_t *outlen, struct err *e)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	unsigned char	*b = NULL, *nonce, *ct;
	int		 n = 0, fin = 0, rc = -1;

	*out = NULL;
	*outlen = 0;
	if (len > SEAL_MAX)
		return err_set(e, ERR_TOOBIG, "secret too large to seal");
	if ((b = malloc(MAGIC_LEN + NONCE_LEN + len + TAG_LEN)) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	memcpy(b, MAGIC, MAGIC_LEN);
	nonce = b + MAGIC_LEN;
	ct = nonce + NONCE_LEN;
	if (RAND_bytes(nonce, NONCE_LEN) != 1 ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) != 1 ||
	    /* the magic is authenticated too */
	    EVP_EncryptUpdate(ctx, NULL, &n, b, MAGIC_LEN) != 1 ||
	    EVP_EncryptUpdate(ctx, ct, &n, plain, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(ctx, ct + n, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
	    ct + n + fin) != 1) {
		err_set(e, ERR_SYS, "sealing failed");
		goto out;
	}
	*out = b;
	*outlen = MAGIC_LEN + NONCE_LEN + (size_t)(n + fin) + TAG_LEN;
	b = NULL;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	free(b);
	return rc;
}

int
crypt_open(const unsigned char key[CRYPT_KEY_LEN], const unsigned char *blob,
    size_t bloblen, char **out, size_t *outlen, struct err *e)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	const unsigned char *nonce, *ct, *tag;
	unsigned char	*p = NULL;
	size_t		 ctlen;
	int		 n = 0, fin = 0, rc = -1;

	*out = NULL;
	*outlen = 0;
	if (bloblen < MAGIC_LEN + NONCE_LEN + TAG_LEN ||
	    memcmp(blob, MAGIC, MAGIC_LEN) != 0)
		return err_set(e, ERR_AUTH, "sealed credentials are damaged");
	nonce = blob + MAGIC_LEN;
	ct = nonce + NONCE_LEN;
	ctlen = bloblen - MAGIC_LEN - NONCE_LEN - TAG_LEN;
	tag = ct + ctlen;
	if ((p = malloc(ctlen + 1)) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n, blob, MAGIC_LEN) != 1 ||
	    EVP_DecryptUpdate(ctx, p, &n, ct, (int)ctlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
	    (void *)(uintptr_t)tag) != 1 ||
	    EVP_DecryptFinal_ex(ctx, p + n, &fin) != 1) {
		err_set(e, ERR_AUTH, "sealed credentials do not open with this "
		    "master_key (damaged, or sealed under another key)");
		goto out;
	}
	p[n + fin] = '\0';
	*out = (char *)p;
	*outlen = (size_t)(n + fin);
	p = NULL;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (p != NULL) {
		explicit_bzero(p, ctlen + 1);
		free(p);
	}
	return rc;
}

void
crypt_free_secret(char *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len + 1);
	free(p);
}
