/*
 * totp: time-based one-time passwords (RFC 6238 over RFC 4226's HOTP),
 * the optional second factor of the admin sign-in. SHA-1, 6 digits, a
 * 30-second step, and one step of clock drift either way. Secrets are
 * shown to people in base32 (RFC 4648, no padding) inside an otpauth://
 * URI that authenticator apps read.
 *
 * Pure: HMAC-SHA1 comes from OpenSSL, randomness only in
 * totp_secret_new(); no other I/O, no global state. Code comparison is
 * constant time. Nothing here logs.
 *
 * Ownership: every output goes into a caller's buffer.
 */
#ifndef STOCKHUB_TOTP_H
#define STOCKHUB_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_DIGITS	6
#define TOTP_STEP_S	30
#define TOTP_DRIFT	1	/* steps accepted either side of now */
#define TOTP_SECRET_LEN	20	/* bytes: 160 bits, as RFC 4226 advises */
/* base32 of TOTP_SECRET_LEN bytes, plus the NUL */
#define TOTP_B32_MAX	(((TOTP_SECRET_LEN * 8) + 4) / 5 + 1)

/*
 * The HOTP value of key at counter, reduced to digits (1..9) decimal
 * digits: RFC 4226's dynamic truncation. -1 when HMAC failed or digits
 * is out of range, else the code (0 .. 10^digits - 1).
 */
int64_t	totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter,
	    int digits);

/* The time step of unix time t (t / TOTP_STEP_S; 0 for t < 0). */
int64_t	totp_step(int64_t t);

/*
 * Check code (exactly TOTP_DIGITS ASCII digits, anything else is wrong)
 * against the steps now-TOTP_DRIFT .. now+TOTP_DRIFT of time t, skipping
 * every step at or below last_step (a code used once cannot be used
 * again in its window). 1 and *matched the step when it matches, else 0.
 * Every candidate step is computed and compared in constant time.
 */
int	totp_verify(const unsigned char *key, size_t keylen, const char *code,
	    int64_t t, int64_t last_step, int64_t *matched);

/*
 * base32 (RFC 4648 alphabet, upper case, no padding) of in[0..n) into
 * out. 0, or -1 when it does not fit.
 */
int	totp_b32_encode(char *out, size_t outsz, const unsigned char *in,
	    size_t n);

/*
 * Decode base32 (either case; spaces and trailing '=' ignored) into
 * out; *n gets the byte count. 0, or -1 on a character outside the
 * alphabet or when it does not fit.
 */
int	totp_b32_decode(const char *in, unsigned char *out, size_t outsz,
	    size_t *n);

/* TOTP_SECRET_LEN random bytes. 0 or -1. */
int	totp_secret_new(unsigned char out[TOTP_SECRET_LEN]);

/*
 * The otpauth:// URI for an authenticator app:
 *   otpauth://totp/ISSUER:ACCOUNT?secret=B32&issuer=ISSUER&algorithm=SHA1
 *   &digits=6&period=30
 * issuer and account are percent-encoded. 0, or -1 when it does not fit.
 */
int	totp_uri(char *out, size_t outsz, const char *issuer,
	    const char *account, const char *secret_b32);

#endif
