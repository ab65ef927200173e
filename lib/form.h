/*
 * form: decoding of application/x-www-form-urlencoded bodies and query
 * strings. Pure: no I/O.
 *
 * Keys and values are percent-decoded ('+' is a space) into NUL-terminated
 * copies. A pair whose decoded key or value holds a NUL byte, invalid
 * UTF-8 or a bad %-escape makes the whole input invalid (ERR_INVALID):
 * hostile forms are refused, not half-read.
 *
 * Ownership: struct form owns every string in it; free with form_free().
 */
#ifndef STOCKHUB_FORM_H
#define STOCKHUB_FORM_H

#include <stddef.h>

#include "err.h"

struct form_pair {
	char	*key;
	char	*val;
};

struct form {
	struct form_pair *pairs;
	size_t		  n;
};

/*
 * Parse s[0..len) (need not be NUL-terminated) into f, which must be
 * zeroed or freed before. At most max_pairs pairs are accepted (more is
 * ERR_TOOBIG). Empty segments ("a=1&&b=2") are skipped; a key without '='
 * has the empty value. Returns 0 or -1 with e set; on -1 f is empty.
 */
int	form_parse(struct form *f, const char *s, size_t len, size_t max_pairs,
	    struct err *e);

/* The first value for key, or NULL. Borrowed from f. */
const char *form_get(const struct form *f, const char *key);

/* Free every pair and zero f. NULL-safe. */
void	form_free(struct form *f);

/*
 * Percent-decode s[0..len) into a new NUL-terminated string (free with
 * free()); *outlen gets its length. plus_is_space turns '+' into ' '.
 * Returns NULL on a bad escape, an embedded NUL, or out of memory.
 * (It also returns NULL when the decoded bytes are not valid UTF-8, so
 * form_parse() and every other caller get the same rule.)
 */
char	*form_decode(const char *s, size_t len, int plus_is_space,
	    size_t *outlen);

/*
 * Find cookie name in a Cookie header value ("a=1; b=2") and copy its value
 * into out (size outsz). Returns 0 when found and it fit, -1 otherwise.
 */
int	form_cookie(const char *header, const char *name, char *out,
	    size_t outsz);

#endif
