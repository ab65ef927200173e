/*
 * csvw: writing CSV (RFC 4180) one field at a time into a bounded buffer,
 * the one place the hub quotes CSV: the SKU map export, the audit log
 * export and the reconciliation report all write through csvw_field().
 * Quoting is libcsv's (csv_write); a field is quoted only when it must
 * be (a comma, a quote, CR or LF, or leading/trailing blanks a reader
 * might trim), so what the SKU map writes reads back byte for byte.
 *
 * Exports meant for spreadsheets pass CSVW_GUARD: a value a spreadsheet
 * would run as a formula (leading = + - @, tab or CR; a plain negative
 * number is left alone) gets a leading apostrophe. The SKU map does not,
 * since it must round-trip exactly.
 *
 * Ownership: nothing is kept; the caller owns the buffer.
 */
#ifndef STOCKHUB_CSVW_H
#define STOCKHUB_CSVW_H

#include "buf.h"

#define CSVW_GUARD	0x1	/* defuse values a spreadsheet would run */

/* Append s (NULL: empty) as one field, without a separator. 0, or -1
 * when the buffer is full or memory ran out. Pure. */
int	csvw_field(struct buf *b, const char *s, int flags);

/* Append the separator after a field: "," or, after the last field of
 * a record, CRLF. 0 or -1 as above. */
int	csvw_sep(struct buf *b, int last);

#endif
