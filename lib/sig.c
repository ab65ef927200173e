/*
 * sig: webhook signatures (Shopify, Standard Webhooks). See sig.h.
 */
#include "sig.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "err.h"
#include "str.h"

#define MAC_LEN		32	/* SHA-256 */
#define KEY_MAX		((SIG_MAX_SECRET / 4 + 1) * 3)
#define TS_DIGITS_MAX	19

struct part {
	const void	*p;
	size_t		 n;
};

static void
set_why(const char **why, const char *s)
{
	if (why != NULL)
		*why = s;
}

/* HMAC-SHA256 over the concatenation of parts. 0 or -1. */
static int
hmac_parts(const unsigned char *key, size_t keylen, const struct part *parts,
    size_t nparts, unsigned char mac[MAC_LEN])
{
	static char	 digest[] = "SHA256";
	EVP_MAC		*m = NULL;
	EVP_MAC_CTX	*ctx = NULL;
	OSSL_PARAM	 params[2];
	size_t		 i, outl = 0;
	int		 rc = -1;

	if (key == NULL || keylen == 0)
		goto out;
	if ((m = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		goto out;
	if ((ctx = EVP_MAC_CTX_new(m)) == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, keylen, params) != 1)
		goto out;
	for (i = 0; i < nparts; i++) {
		if (parts[i].n == 0)
			continue;
		if (EVP_MAC_update(ctx, parts[i].p, parts[i].n) != 1)
			goto out;
	}
	if (EVP_MAC_final(ctx, mac, &outl, MAC_LEN) != 1 || outl != MAC_LEN)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	return rc;
}

/* Canonical base64 of a MAC into out[SIG_B64_LEN + 1]. */
static void
mac_b64(const unsigned char mac[MAC_LEN], char out[SIG_B64_LEN + 1])
{
	EVP_EncodeBlock((unsigned char *)out, mac, MAC_LEN);
	out[SIG_B64_LEN] = '\0';
}

/* Length of a secret, or 0 when NULL, empty or over SIG_MAX_SECRET. */
static size_t
secret_len(const char *s)
{
	size_t	n;

	if (s == NULL)
		return 0;
	n = strnlen(s, SIG_MAX_SECRET + 1);
	return n > SIG_MAX_SECRET ? 0 : n;
}

/*
 * A header value without surrounding spaces and tabs. -1 when NULL or
 * longer than SIG_MAX_HEADER; an all-blank value gives *n == 0.
 */
static int
trim_header(const char *s, const char **start, size_t *n)
{
	size_t	len;

	if (s == NULL)
		return -1;
	len = strnlen(s, SIG_MAX_HEADER + 1);
	if (len > SIG_MAX_HEADER)
		return -1;
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	*start = s;
	*n = len;
	return 0;
}

static int
body_ok(const void *body, size_t len)
{
	return body != NULL || len == 0;
}

static int
shopify_b64(const char *secret, const void *body, size_t len,
    char out[SIG_B64_LEN + 1])
{
	unsigned char	mac[MAC_LEN];
	struct part	part;
	size_t		klen = secret_len(secret);
	int		rc;

	if (klen == 0 || !body_ok(body, len))
		return -1;
	part.p = body;
	part.n = len;
	rc = hmac_parts((const unsigned char *)secret, klen, &part, 1, mac);
	if (rc == 0)
		mac_b64(mac, out);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int
sig_shopify_sign(const char *secret, const void *body, size_t len,
    char *out, size_t outsz, struct err *e)
{
	char	b64[SIG_B64_LEN + 1];

	if (out == NULL || outsz < SIG_SHOPIFY_SIZE)
		return err_set(e, ERR_INVALID,
		    "shopify signature: output buffer too small");
	out[0] = '\0';
	if (secret_len(secret) == 0)
		return err_set(e, ERR_INVALID,
		    "shopify signature: secret missing or too long");
	if (!body_ok(body, len))
		return err_set(e, ERR_INVALID, "shopify signature: no body");
	if (shopify_b64(secret, body, len, b64) == -1)
		return err_set(e, ERR_SYS, "shopify signature: HMAC failed");
	memcpy(out, b64, sizeof(b64));
	return 0;
}

int
sig_shopify_verify2(const char *secret, const char *old_secret,
    const void *body, size_t len, const char *header, const char **why)
{
	char		 want[SIG_B64_LEN + 1];
	const char	*h;
	size_t		 hn;
	int		 ok = 0, tried = 0;

	set_why(why, "missing header");
	if (header == NULL || trim_header(header, &h, &hn) == -1) {
		if (header != NULL)
			set_why(why, "header too long");
		return 0;
	}
	if (hn == 0)
		return 0;
	if (!body_ok(body, len)) {
		set_why(why, "no body");
		return 0;
	}
	if (secret_len(secret) > 0) {
		tried = 1;
		if (shopify_b64(secret, body, len, want) == 0)
			ok |= str_ct_equal(h, hn, want, SIG_B64_LEN);
	}
	if (secret_len(old_secret) > 0) {
		tried = 1;
		if (shopify_b64(old_secret, body, len, want) == 0)
			ok |= str_ct_equal(h, hn, want, SIG_B64_LEN);
	}
	OPENSSL_cleanse(want, sizeof(want));
	if (!tried) {
		set_why(why, "no secret configured");
		return 0;
	}
	set_why(why, ok ? "valid" : "signature mismatch");
	return ok ? 1 : 0;
}

int
sig_shopify_verify(const char *secret, const void *body, size_t len,
    const char *header, const char **why)
{
	return sig_shopify_verify2(secret, NULL, body, len, header, why);
}

static int
is_b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * Decode a Standard Webhooks secret ("whsec_" optional, then standard
 * base64, padding optional) into key[KEY_MAX]. 0 or -1.
 */
static int
stdwh_key(const char *secret, unsigned char *key, size_t *keylen)
{
	static const char	 prefix[] = "whsec_";
	unsigned char		 tmp[SIG_MAX_SECRET + 4];
	size_t			 n, i, body, pad;
	int			 d, rc = -1;

	n = secret_len(secret);
	if (n == 0)
		goto out;
	if (n >= sizeof(prefix) - 1 &&
	    memcmp(secret, prefix, sizeof(prefix) - 1) == 0) {
		secret += sizeof(prefix) - 1;
		n -= sizeof(prefix) - 1;
	}
	/* Alphabet characters, then at most two '=' at the very end. */
	for (body = 0; body < n && is_b64_char((unsigned char)secret[body]);
	    body++)
		;
	for (pad = 0; body + pad < n && secret[body + pad] == '='; pad++)
		;
	if (body == 0 || body + pad != n || pad > 2)
		goto out;
	if (pad > 0 && n % 4 != 0)
		goto out;
	if (body % 4 == 1)
		goto out;	/* no base64 text has this length */
	memcpy(tmp, secret, body);
	for (i = body; i % 4 != 0; i++)
		tmp[i] = '=';
	pad = i - body;
	d = EVP_DecodeBlock(key, tmp, (int)i);
	if (d < 0 || (size_t)d < pad || (size_t)d - pad == 0 ||
	    (size_t)d > KEY_MAX)
		goto out;
	*keylen = (size_t)d - pad;
	rc = 0;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return rc;
}

static int
id_ok(const char *id, size_t n)
{
	size_t	i;

	if (n == 0 || n > SIG_STDWH_MAX_ID)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)id[i] < 0x21 || (unsigned char)id[i] > 0x7e)
			return 0;
	return 1;
}

static int
stdwh_b64(const unsigned char *key, size_t keylen, const char *id,
    size_t idn, const char *ts, size_t tsn, const void *body, size_t len,
    char out[SIG_B64_LEN + 1])
{
	unsigned char	mac[MAC_LEN];
	struct part	parts[5];
	int		rc;

	parts[0].p = id;
	parts[0].n = idn;
	parts[1].p = ".";
	parts[1].n = 1;
	parts[2].p = ts;
	parts[2].n = tsn;
	parts[3].p = ".";
	parts[3].n = 1;
	parts[4].p = body;
	parts[4].n = len;
	rc = hmac_parts(key, keylen, parts, 5, mac);
	if (rc == 0)
		mac_b64(mac, out);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int
sig_stdwh_sign(const char *secret, const char *msg_id, int64_t ts,
    const void *body, size_t len, char *out, size_t outsz, struct err *e)
{
	unsigned char	key[KEY_MAX];
	char		tsbuf[TS_DIGITS_MAX + 2], b64[SIG_B64_LEN + 1];
	size_t		keylen = 0, idn;
	int		rc = -1;

	if (out == NULL || outsz < SIG_STDWH_SIZE)
		return err_set(e, ERR_INVALID,
		    "webhook signature: output buffer too small");
	out[0] = '\0';
	if (msg_id == NULL ||
	    !id_ok(msg_id, idn = strnlen(msg_id, SIG_STDWH_MAX_ID + 1)))
		return err_set(e, ERR_INVALID,
		    "webhook signature: bad webhook-id");
	if (ts < 0 || str_fmt(tsbuf, sizeof(tsbuf), "%" PRId64, ts) == -1)
		return err_set(e, ERR_INVALID,
		    "webhook signature: bad timestamp");
	if (!body_ok(body, len))
		return err_set(e, ERR_INVALID, "webhook signature: no body");
	if (stdwh_key(secret, key, &keylen) == -1) {
		err_set(e, ERR_INVALID,
		    "webhook signature: secret is not whsec_<base64>");
		goto out;
	}
	if (stdwh_b64(key, keylen, msg_id, idn, tsbuf, strlen(tsbuf), body,
	    len, b64) == -1) {
		err_set(e, ERR_SYS, "webhook signature: HMAC failed");
		goto out;
	}
	memcpy(out, "v1,", 3);
	memcpy(out + 3, b64, sizeof(b64));
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

/* 1 when ts is within SIG_STDWH_TOLERANCE of now, without overflow. */
static int
ts_fresh(int64_t ts, int64_t now)
{
	uint64_t	d;

	if (ts >= now)
		d = (uint64_t)ts - (uint64_t)now;
	else
		d = (uint64_t)now - (uint64_t)ts;
	return d <= SIG_STDWH_TOLERANCE;
}

int
sig_stdwh_verify(const char *secret, const char *hdr_id, const char *hdr_ts,
    const char *hdr_sig, const void *body, size_t len, int64_t now,
    const char **why)
{
	unsigned char	 key[KEY_MAX];
	char		 want[SIG_B64_LEN + 1];
	const char	*id, *ts, *sg, *tok;
	size_t		 idn, tsn, sgn, keylen = 0, i, tokn;
	int64_t		 tsv;
	int		 ok = 0;

	want[0] = '\0';
	if (trim_header(hdr_id, &id, &idn) == -1 || idn == 0 ||
	    trim_header(hdr_ts, &ts, &tsn) == -1 || tsn == 0 ||
	    trim_header(hdr_sig, &sg, &sgn) == -1 || sgn == 0) {
		set_why(why, "missing or oversize header");
		goto out;
	}
	if (!id_ok(id, idn)) {
		set_why(why, "bad webhook-id");
		goto out;
	}
	if (tsn > TS_DIGITS_MAX) {
		set_why(why, "bad webhook-timestamp");
		goto out;
	}
	for (i = 0; i < tsn; i++)
		if (ts[i] < '0' || ts[i] > '9')
			break;
	if (i != tsn || str_to_i64n(ts, tsn, 0, INT64_MAX, &tsv) == -1) {
		set_why(why, "bad webhook-timestamp");
		goto out;
	}
	if (!ts_fresh(tsv, now)) {
		set_why(why, "timestamp out of tolerance");
		goto out;
	}
	if (!body_ok(body, len)) {
		set_why(why, "no body");
		goto out;
	}
	if (stdwh_key(secret, key, &keylen) == -1) {
		set_why(why, "no usable secret configured");
		goto out;
	}
	if (stdwh_b64(key, keylen, id, idn, ts, tsn, body, len, want) == -1) {
		set_why(why, "HMAC failed");
		goto out;
	}
	/* Space-separated "<version>,<base64>"; any matching v1 will do. */
	i = 0;
	while (i < sgn) {
		while (i < sgn && sg[i] == ' ')
			i++;
		tok = sg + i;
		while (i < sgn && sg[i] != ' ')
			i++;
		tokn = (size_t)(sg + i - tok);
		if (tokn > 3 && memcmp(tok, "v1,", 3) == 0)
			ok |= str_ct_equal(tok + 3, tokn - 3, want,
			    SIG_B64_LEN);
	}
	set_why(why, ok ? "valid" : "signature mismatch");
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(want, sizeof(want));
	return ok ? 1 : 0;
}
