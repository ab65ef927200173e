/*
 * crypt: sealing channel credentials at rest with AES-256-GCM (OpenSSL),
 * under the master key from the secrets file. A sealed blob is
 *   "SH1" | 12-byte random nonce | ciphertext | 16-byte tag
 * and opening it fails (ERR_AUTH) if a single bit changed or the key is
 * another one. Pure apart from the random nonce.
 *
 * Ownership: outputs are malloc'd; free sealed blobs with free() and
 * opened plaintext with crypt_free_secret(), which wipes it first.
 */
#ifndef STOCKHUB_CRYPT_H
#define STOCKHUB_CRYPT_H

#include <stddef.h>

#include "err.h"

#define CRYPT_KEY_LEN	32

/*
 * Parse the master key: 64 hex digits. Returns 0, or -1 (ERR_INVALID;
 * the message never contains the key).
 */
int	crypt_key_parse(const char *hex, unsigned char key[CRYPT_KEY_LEN],
	    struct err *e);

/* Seal plain[0..len) into *out (*outlen bytes). */
int	crypt_seal(const unsigned char key[CRYPT_KEY_LEN], const void *plain,
	    size_t len, unsigned char **out, size_t *outlen, struct err *e);

/* Open a sealed blob into *out, NUL-terminated (*outlen excludes it). */
int	crypt_open(const unsigned char key[CRYPT_KEY_LEN],
	    const unsigned char *blob, size_t bloblen, char **out,
	    size_t *outlen, struct err *e);

/* Wipe and free a secret of len bytes (the NUL too). NULL-safe. */
void	crypt_free_secret(char *p, size_t len);

#endif
