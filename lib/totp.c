/*
 * totp: RFC 6238 time-based one-time passwords (see totp.h).
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "totp.h"

static const char	 b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int64_t
totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter,
    int digits)
{
	unsigned char	 msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0, off;
	uint32_t	 bin;
	int64_t		 mod = 1;
	int		 i;

	if (digits < 1 || digits > 9 || key == NULL || keylen > INT32_MAX)
		return -1;
	for (i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac,
	    &maclen) == NULL || maclen != 20)
		return -1;
	off = mac[maclen - 1] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) |
	    ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) |
	    (uint32_t)mac[off + 3];
	OPENSSL_cleanse(mac, sizeof(mac));
	for (i = 0; i < digits; i++)
		mod *= 10;
	return (int64_t)bin % mod;
}

int64_t
totp_step(int64_t t)
{
	return t < 0 ? 0 : t / TOTP_STEP_S;
}

int
totp_verify(const unsigned char *key, size_t keylen, const char *code,
    int64_t t, int64_t last_step, int64_t *matched)
{
	char		 want[TOTP_DIGITS + 1];
	int64_t		 now = totp_step(t), s, v, d;
	unsigned	 diff;
	int		 i, found = 0;

	if (code == NULL || strlen(code) != TOTP_DIGITS)
		return 0;
	for (i = 0; i < TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	for (d = -TOTP_DRIFT; d <= TOTP_DRIFT; d++) {
		s = now + d;
		if (s < 0)
			continue;
		if ((v = totp_hotp(key, keylen, (uint64_t)s,
		    TOTP_DIGITS)) < 0)
			return 0;
		for (i = TOTP_DIGITS - 1; i >= 0; i--) {
			want[i] = (char)('0' + v % 10);
			v /= 10;
		}
		diff = 0;
		for (i = 0; i < TOTP_DIGITS; i++)
			diff |= (unsigned)(want[i] ^ code[i]);
		if (diff == 0 && s > last_step && !found) {
			found = 1;
			if (matched != NULL)
				*matched = s;
		}
	}
	OPENSSL_cleanse(want, sizeof(want));
	return found;
}

int
totp_b32_encode(char *out, size_t outsz, const unsigned char *in, size_t n)
{
	size_t		 i, o = 0;
	unsigned	 acc = 0;
	int		 bits = 0;

	if (out == NULL || outsz == 0)
		return -1;
	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			if (o + 1 >= outsz)
				goto full;
			out[o++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0) {
		if (o + 1 >= outsz)
			goto full;
		out[o++] = b32[(acc << (5 - bits)) & 31];
	}
	out[o] = '\0';
	return 0;
full:
	out[0] = '\0';
	return -1;
}

int
totp_b32_decode(const char *in, unsigned char *out, size_t outsz, size_t *n)
{
	const char	*p;
	unsigned	 acc = 0;
	int		 bits = 0, v;
	size_t		 o = 0;
	char		 c;

	*n = 0;
	if (in == NULL)
		return -1;
	for (; *in != '\0'; in++) {
		c = *in;
		if (c == ' ')
			continue;
		if (c == '=') {
			for (p = in; *p == '=' || *p == ' '; p++)
				;
			if (*p != '\0')
				return -1;
			break;
		}
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= '2' && c <= '7')
			v = c - '2' + 26;
		else
			return -1;
		acc = ((acc << 5) | (unsigned)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			if (o >= outsz)
				return -1;
			out[o++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	*n = o;
	return 0;
}

int
totp_secret_new(unsigned char out[TOTP_SECRET_LEN])
{
	return RAND_bytes(out, TOTP_SECRET_LEN) == 1 ? 0 : -1;
}

/* Append s percent-encoded (unreserved characters kept). */
static int
pct(char *out, size_t outsz, size_t *o, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (*o + 1 >= outsz)
				return -1;
			out[(*o)++] = (char)c;
		} else {
			if (*o + 3 >= outsz)
				return -1;
			out[(*o)++] = '%';
			out[(*o)++] = hex[c >> 4];
			out[(*o)++] = hex[c & 15];
		}
	}
	return 0;
}

static int
lit(char *out, size_t outsz, size_t *o, const char *s)
{
	size_t	 n = strlen(s);

	if (*o + n >= outsz)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	return 0;
}

int
totp_uri(char *out, size_t outsz, const char *issuer, const char *account,
    const char *secret_b32)
{
	size_t	 o = 0;

	if (out == NULL || outsz == 0 || issuer == NULL || account == NULL ||
	    secret_b32 == NULL)
		return -1;
	if (lit(out, outsz, &o, "otpauth://totp/") == -1 ||
	    pct(out, outsz, &o, issuer) == -1 ||
	    lit(out, outsz, &o, ":") == -1 ||
	    pct(out, outsz, &o, account) == -1 ||
	    lit(out, outsz, &o, "?secret=") == -1 ||
	    pct(out, outsz, &o, secret_b32) == -1 ||
	    lit(out, outsz, &o, "&issuer=") == -1 ||
	    pct(out, outsz, &o, issuer) == -1 ||
	    lit(out, outsz, &o, "&algorithm=SHA1&digits=6&period=30") == -1) {
		out[0] = '\0';
		return -1;
	}
	out[o] = '\0';
	return 0;
}
