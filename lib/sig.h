/*
 * sig: webhook signatures, computed and checked over the RAW request bytes
 * (before any parsing), with OpenSSL's HMAC-SHA256 and base64 and a
 * constant-time comparison (str_ct_equal). No I/O; the current time is an
 * argument, so every function is pure.
 *
 * Two schemes:
 *  - Shopify: X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(client secret,
 *    raw body)). Keyed with the app's client secret as text.
 *  - Standard Webhooks (Etsy ORDER_PAID, Svix): headers webhook-id,
 *    webhook-timestamp (Unix seconds, decimal) and webhook-signature, a
 *    space-separated list of "<version>,<base64>" entries of which any one
 *    "v1" entry matching is enough. The key is the base64-decoded secret
 *    after an optional "whsec_" prefix; the signed content is
 *    id "." timestamp "." body, with the id and timestamp exactly as sent.
 *    A timestamp more than SIG_STDWH_TOLERANCE seconds away from `now`
 *    (either direction) is refused; exactly 300 s away is still accepted.
 *
 * Verification compares the canonical base64 text (standard alphabet,
 * '=' padded, 44 characters) of the expected MAC with the received text,
 * so anything else — bad base64, wrong length, url-safe alphabet, missing
 * padding, a header over SIG_MAX_HEADER bytes — is simply "invalid".
 * Surrounding spaces and tabs of header values are ignored (HTTP OWS).
 *
 * Verify functions return 1 (valid) or 0 (invalid; also for NULL or empty
 * secrets, NULL headers and any internal failure) and never fill a struct
 * err: a webhook with a bad signature is answered 401, nothing else. When
 * `why` is not NULL it receives a static, secret-free reason for the one
 * log line ("missing header", "timestamp out of tolerance", ...); the
 * caller must not free it.
 *
 * Sign functions return 0 or -1 with ERR_INVALID (bad arguments, output
 * too small) or ERR_SYS (OpenSSL failure) and write a NUL-terminated header
 * value into the caller's buffer.
 *
 * Strings: secrets and header values are NUL-terminated; the body is a
 * byte range (body may be NULL only when len is 0). Nothing is retained.
 */
#ifndef STOCKHUB_SIG_H
#define STOCKHUB_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Base64 of a SHA-256 MAC: 44 characters; buffer size with the NUL. */
#define SIG_B64_LEN		44
#define SIG_SHOPIFY_SIZE	(SIG_B64_LEN + 1)
/* "v1," + 44 characters + NUL. */
#define SIG_STDWH_SIZE		(3 + SIG_B64_LEN + 1)

/* Header values longer than this are invalid without further work. */
#define SIG_MAX_HEADER		4096
/* Secrets longer than this (text, before decoding) are refused. */
#define SIG_MAX_SECRET		1024
/* webhook-id: 1..SIG_STDWH_MAX_ID printable ASCII bytes, no spaces. */
#define SIG_STDWH_MAX_ID	256
/* Allowed clock difference for webhook-timestamp, in seconds. */
#define SIG_STDWH_TOLERANCE	300

/*
 * Shopify: write base64(HMAC-SHA256(secret, body)) into out (outsz at
 * least SIG_SHOPIFY_SIZE) — the X-Shopify-Hmac-Sha256 value to send.
 */
int	sig_shopify_sign(const char *secret, const void *body, size_t len,
	    char *out, size_t outsz, struct err *e);

/*
 * Shopify: 1 when header (the X-Shopify-Hmac-Sha256 value, may be NULL)
 * is the signature of body under secret, else 0.
 */
int	sig_shopify_verify(const char *secret, const void *body, size_t len,
	    const char *header, const char **why);

/*
 * Shopify during secret rotation: 1 when header matches under either
 * secret. Either secret may be NULL or empty (then it is skipped); both
 * are always computed when present, so timing does not tell which one
 * matched.
 */
int	sig_shopify_verify2(const char *secret, const char *old_secret,
	    const void *body, size_t len, const char *header,
	    const char **why);

/*
 * Standard Webhooks: write "v1,<base64>" into out (outsz at least
 * SIG_STDWH_SIZE) — the webhook-signature value for message id msg_id at
 * Unix time ts (the sender puts ts, in decimal with no padding or sign,
 * into webhook-timestamp). secret is "whsec_<base64>" or bare base64.
 * ts must be >= 0; msg_id must satisfy the webhook-id rule above.
 */
int	sig_stdwh_sign(const char *secret, const char *msg_id, int64_t ts,
	    const void *body, size_t len, char *out, size_t outsz,
	    struct err *e);

/*
 * Standard Webhooks: 1 when the three headers (any may be NULL) are a
 * valid, timely signature of body under secret at time now, else 0.
 * webhook-timestamp must be 1..19 ASCII digits.
 */
int	sig_stdwh_verify(const char *secret, const char *hdr_id,
	    const char *hdr_ts, const char *hdr_sig, const void *body,
	    size_t len, int64_t now, const char **why);

#endif
