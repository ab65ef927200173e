/*
 * Unit tests for lib/err.c and lib/log.c: kinds and statuses, message
 * bounds, the log line format, one line per event, no interleaving.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "err.h"
#include "log.h"

#define LINE_RE	"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z " \
		"[a-z]+\\[[0-9]+\\] req=[!-~]+ (info|warn|error): [^\n]*$"

static void
test_err_set(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(e.kind, ERR_OK);
	assert_string_equal(e.msg, "");
	assert_int_equal(err_set(&e, ERR_INVALID, "bad sku: %s", "x y"), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_string_equal(e.msg, "bad sku: x y");
	assert_int_equal(err_set(NULL, ERR_DB, "dropped %d", 1), -1);
	err_clear(NULL);
	err_clear(&e);
	assert_int_equal(e.kind, ERR_OK);
	assert_string_equal(e.msg, "");
}

static void
test_err_truncates(void **state)
{
	struct err e;
	char big[1000];

	(void)state;
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(err_set(&e, ERR_TOOBIG, "%s", big), -1);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
}

static void
test_err_kinds(void **state)
{
	static const struct {
		enum err_kind	 k;
		const char	*name;
		int		 status;
	} t[] = {
		{ ERR_INVALID, "invalid", 400 },
		{ ERR_NOTFOUND, "notfound", 404 },
		{ ERR_CONFLICT, "conflict", 409 },
		{ ERR_TOOBIG, "toobig", 413 },
		{ ERR_AUTH, "auth", 401 },
		{ ERR_RETRY, "retry", 503 },
		{ ERR_DB, "db", 500 },
		{ ERR_SYS, "sys", 500 },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_string_equal(err_kind_name(t[i].k), t[i].name);
		assert_int_equal(err_http_status(t[i].k), t[i].status);
		for (j = 0; j < i; j++)
			assert_string_not_equal(err_kind_name(t[i].k),
			    err_kind_name(t[j].k));
	}
	assert_non_null(err_kind_name(ERR__MAX));
	assert_non_null(err_kind_name((enum err_kind)999));
	assert_int_equal(err_http_status((enum err_kind)999), 500);
}

/* Run fn with stderr sent to a temporary file; return what it wrote. */
static char *
capture_stderr(void (*fn)(void))
{
	FILE	*tmp;
	int	 saved;
	long	 size;
	char	*out;

	tmp = tmpfile();
	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	assert_int_equal(fseek(tmp, 0, SEEK_END), 0);
	size = ftell(tmp);
	assert_true(size >= 0);
	out = calloc(1, (size_t)size + 1);
	assert_non_null(out);
	rewind(tmp);
	assert_int_equal(fread(out, 1, (size_t)size, tmp), (size_t)size);
	fclose(tmp);
	return out;
}

static void
emit_basic(void)
{
	log_init("api");
	log_set_request("3f2a");
	log_info("hello %d", 7);
	log_warn("careful");
	log_set_request(NULL);
	log_error("bad\r\nline\ninjected: error: x");
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

static void
check_lines(const char *out)
{
	regex_t		 re;
	char		 line[4096];
	const char	*p, *nl;
	size_t		 n;

	assert_int_equal(regcomp(&re, LINE_RE, REG_EXTENDED | REG_NOSUB), 0);
	for (p = out; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		n = (size_t)(nl - p);
		assert_true(n < sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
		if (regexec(&re, line, 0, NULL, 0) != 0)
			fail_msg("malformed log line: %s", line);
	}
	regfree(&re);
}

static void
test_log_format(void **state)
{
	char *out;
	char pid[32];

	(void)state;
	out = capture_stderr(emit_basic);
	assert_int_equal(count_lines(out), 3);
	check_lines(out);
	snprintf(pid, sizeof(pid), " api[%ld] ", (long)getpid());
	assert_non_null(strstr(out, pid));
	assert_non_null(strstr(out, " req=3f2a info: hello 7\n"));
	assert_non_null(strstr(out, " req=3f2a warn: careful\n"));
	assert_non_null(strstr(out,
	    " req=- error: bad  line injected: error: x\n"));
	free(out);
}

static void
test_log_request_id(void **state)
{
	char long_id[100];

	(void)state;
	log_set_request("abc");
	assert_string_equal(log_request(), "abc");
	log_set_request("");
	assert_string_equal(log_request(), "-");
	log_set_request(NULL);
	assert_string_equal(log_request(), "-");
	memset(long_id, 'z', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	log_set_request(long_id);
	assert_int_equal(strlen(log_request()), 40);
	/* a client-supplied id cannot break the line */
	log_set_request("a b\nc");
	assert_null(strpbrk(log_request(), " \n"));
	log_set_request(NULL);
}

static void
emit_err(void)
{
	struct err e;

	log_init("cli");
	err_set(&e, ERR_DB, "deadlock on %s", "stock");
	assert_int_equal(log_err(&e), -1);
	assert_int_equal(log_err(NULL), -1);
}

static void
test_log_err(void **state)
{
	char *out;

	(void)state;
	out = capture_stderr(emit_err);
	assert_int_equal(count_lines(out), 2);
	check_lines(out);
	assert_non_null(strstr(out, " error: db: deadlock on stock\n"));
	free(out);
}

static void
emit_long(void)
{
	char big[10000];

	memset(big, 'L', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_init("api");
	errno = ENOENT;
	log_info("%s", big);
	assert_int_equal(errno, ENOENT);	/* logging keeps errno */
	log_info("%s", "");
}

static void
test_log_long_message(void **state)
{
	char *out;

	(void)state;
	out = capture_stderr(emit_long);
	assert_int_equal(count_lines(out), 2);
	check_lines(out);
	assert_true(strlen(out) < 4096);
	assert_non_null(strstr(out, "LLL...\n"));
	free(out);
}

#define KIDS	4
#define LINES	200

static void
test_log_no_interleave(void **state)
{
	int	 fds[2], status, k, i, bad;
	pid_t	 pids[KIDS];
	char	 msg[1500];
	char	*all = NULL;
	size_t	 len = 0, cap = 0;
	ssize_t	 r;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	fflush(stdout);
	fflush(stderr);
	for (k = 0; k < KIDS; k++) {
		pids[k] = fork();
		assert_true(pids[k] >= 0);
		if (pids[k] == 0) {
			close(fds[0]);
			dup2(fds[1], STDERR_FILENO);
			close(fds[1]);
			memset(msg, 'a' + k, sizeof(msg) - 1);
			msg[sizeof(msg) - 1] = '\0';
			log_init("kid");
			for (i = 0; i < LINES; i++)
				log_info("%s", msg);
			_exit(0);
		}
	}
	close(fds[1]);
	for (;;) {
		if (len + 65536 > cap) {
			cap = cap * 2 + 65536;
			all = realloc(all, cap + 1);
			assert_non_null(all);
		}
		r = read(fds[0], all + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		assert_true(r >= 0);
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fds[0]);
	all[len] = '\0';
	for (k = 0; k < KIDS; k++) {
		assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(count_lines(all), KIDS * LINES);
	bad = 0;
	{
		/* every line holds one kid's letter only */
		const char *p, *nl, *m;
		char c;

		for (p = all; *p != '\0'; p = nl + 1) {
			nl = strchr(p, '\n');
			assert_non_null(nl);
			m = strstr(p, " info: ");
			assert_true(m != NULL && m < nl);
			m += 7;
			c = *m;
			assert_true(c >= 'a' && c < 'a' + KIDS);
			for (; m < nl; m++)
				if (*m != c)
					bad++;
		}
	}
	assert_int_equal(bad, 0);
	check_lines(all);
	free(all);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_set),
		cmocka_unit_test(test_err_truncates),
		cmocka_unit_test(test_err_kinds),
		cmocka_unit_test(test_log_format),
		cmocka_unit_test(test_log_request_id),
		cmocka_unit_test(test_log_err),
		cmocka_unit_test(test_log_long_message),
		cmocka_unit_test(test_log_no_interleave),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
