/*
 * multipart: decoding of multipart/form-data bodies (RFC 7578), for the
 * admin's file uploads (the SKU map CSV). Pure: no I/O.
 *
 * Only what browsers send: parts with "Content-Disposition: form-data;
 * name=...", optionally a filename and a Content-Type, CRLF line ends.
 * A part's bytes are kept exactly (a file's line ends are not touched).
 * As form_parse(): a value with a NUL byte or invalid UTF-8, a missing or
 * broken boundary, or more than max_pairs parts makes the whole body
 * invalid; nothing is half-read.
 *
 * Ownership: the struct form filled here owns its strings (form_free()).
 */
#ifndef STOCKHUB_MULTIPART_H
#define STOCKHUB_MULTIPART_H

#include <stddef.h>

#include "err.h"
#include "form.h"

/*
 * The boundary parameter of a Content-Type value "multipart/form-data;
 * boundary=..." (quoted or not) into out; 0, or -1 when it is not
 * multipart/form-data or the boundary is missing or over 70 bytes.
 */
int	multipart_boundary(const char *content_type, char *out,
	    size_t outsz);

/*
 * Parse body[0..len) into f (zeroed before): one pair per part, its
 * name and its bytes. 0, or -1 with e (ERR_INVALID, ERR_TOOBIG).
 */
int	multipart_parse(struct form *f, const char *boundary, const char *body,
	    size_t len, size_t max_pairs, struct err *e);

#endif
