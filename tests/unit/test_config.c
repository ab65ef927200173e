/*
 * Unit tests for lib/config.c: the "key = value" parser, which keys may
 * live in which file, value checks that name the key but never echo a
 * secret, required keys, and loading from files and the environment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "err.h"
#include "str.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define TOK_A	"0123456789abcdef0123456789abcdef"	/* 32 characters */
#define TOK_B	"fedcba9876543210fedcba9876543210ff"

/* STOCKHUB_<KEY> for every key: cleared around each test */
static const char *const env_keys[] = {
	"STOCKHUB_DB_SOCKET", "STOCKHUB_DB_HOST", "STOCKHUB_DB_PORT",
	"STOCKHUB_DB_NAME", "STOCKHUB_DB_USER", "STOCKHUB_SECRETS_FILE",
	"STOCKHUB_PUBLIC_BASE_URL", "STOCKHUB_HTTP_LISTEN", "STOCKHUB_SQL_DIR",
	"STOCKHUB_BODY_MAX", "STOCKHUB_DB_PASSWORD", "STOCKHUB_TIMER_TOKEN",
	"STOCKHUB_API_TOKEN",
};

/* temporary files made by a test, removed by its teardown */
static char	 tmp_paths[4][64];
static size_t	 ntmp;
static char	*saved_config_env;

static int
parse(struct config *c, const char *text, int secret, struct err *e)
{
	config_defaults(c);
	err_clear(e);
	return config_parse(c, text, strlen(text), secret, "test.conf", e);
}

/* A temporary file holding text with the given mode; path out. */
static const char *
tmp_write(const char *text, mode_t mode)
{
	char	*path;
	size_t	 n = strlen(text);
	int	 fd;

	assert_true(ntmp < NELEM(tmp_paths));
	path = tmp_paths[ntmp];
	assert_int_equal(str_copy(path, sizeof(tmp_paths[0]),
	    "/tmp/stockhub-cfgtest-XXXXXX"), 0);
	fd = mkstemp(path);
	assert_true(fd != -1);
	ntmp++;
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
	return path;
}

/* A config file naming secrets_path, and its text. */
static const char *
config_file(const char *secrets_path, const char *extra)
{
	char	 text[1024];

	assert_int_equal(str_fmt(text, sizeof(text),
	    "# test config\n"
	    "db_socket = /run/mysqld/mysqld.sock\n"
	    "db_name = stock\n"
	    "db_user = stockuser\n"
	    "secrets_file = %s\n"
	    "public_base_url = https://hub.example.com\n"
	    "%s", secrets_path, extra), 0);
	return tmp_write(text, 0644);
}

static const char *
secrets_file(mode_t mode)
{
	return tmp_write("db_password = pw-from-file\n"
	    "timer_token = " TOK_A "\n"
	    "api_token = " TOK_B "\n", mode);
}

static int
group_setup(void **state)
{
	const char	*v;

	(void)state;
	if ((v = getenv("STOCKHUB_CONFIG")) != NULL &&
	    (saved_config_env = strdup(v)) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	free(saved_config_env);
	saved_config_env = NULL;
	return 0;
}

static int
env_clean(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < NELEM(env_keys); i++)
		if (unsetenv(env_keys[i]) == -1)
			return -1;
	return 0;
}

static int
cleanup(void **state)
{
	size_t	 i;

	for (i = 0; i < ntmp; i++)
		(void)unlink(tmp_paths[i]);
	ntmp = 0;
	if (saved_config_env != NULL)
		(void)setenv("STOCKHUB_CONFIG", saved_config_env, 1);
	else
		(void)unsetenv("STOCKHUB_CONFIG");
	return env_clean(state);
}

static void
test_parse_syntax(void **state)
{
	static const char text[] =
	    "# a comment\n"
	    "\n"
	    "   \n"
	    "\t# indented comment\n"
	    "db_name=plain\n"
	    "db_user   =   spaced   \n"
	    "\tdb_host\t=\ttabbed.example\t\n"
	    "db_port = 3307\r\n"
	    "\r\n"
	    "# crlf comment\r\n"
	    "sql_dir = /srv/sql\r\n"
	    "public_base_url = https://hub.example.com/x\n"
	    "http_listen = 0.0.0.0:8081\n"
	    "body_max = 2048\n"
	    "db_socket = /run/my sock/m.sock";		/* no final newline */
	struct config	 c;
	struct err	 e;

	(void)state;
	assert_int_equal(parse(&c, text, 0, &e), 0);
	assert_string_equal(c.db_name, "plain");
	assert_string_equal(c.db_user, "spaced");
	assert_string_equal(c.db_host, "tabbed.example");
	assert_int_equal(c.db_port, 3307);
	assert_string_equal(c.sql_dir, "/srv/sql");	/* no '\r' */
	assert_string_equal(c.public_base_url, "https://hub.example.com/x");
	assert_string_equal(c.http_listen, "0.0.0.0:8081");
	assert_int_equal(c.body_max, 2048);
	assert_string_equal(c.db_socket, "/run/my sock/m.sock");
	/* empty text and comment-only text change nothing */
	assert_int_equal(parse(&c, "", 0, &e), 0);
	assert_int_equal(c.db_port, 3306);
	assert_string_equal(c.db_host, "127.0.0.1");
	assert_int_equal(parse(&c, "# only\n\n#x = y\n", 0, &e), 0);
	assert_string_equal(c.db_name, "");
	/* the secrets file takes the same syntax */
	assert_int_equal(parse(&c, "api_token=" TOK_A "\r\n"
	    "  timer_token =  " TOK_B "  \r\n", 1, &e), 0);
	assert_string_equal(c.api_token, TOK_A);
	assert_string_equal(c.timer_token, TOK_B);
}

struct bad_case {
	int		 secret;	/* which file */
	const char	*text;
	const char	*key;		/* must be named */
	const char	*line;		/* "test.conf:N" */
	const char	*why;		/* a word of the reason, or NULL */
};

static void
test_parse_refusals(void **state)
{
	static const struct bad_case cases[] = {
		{ 0, "db_name = a\nfrobnicate = 1\n", "frobnicate",
		    "test.conf:2", "unknown" },
		{ 0, "\n\n# c\nDB_NAME = a\n", "DB_NAME", "test.conf:4",
		    "unknown" },
		{ 0, "db_name a\n", NULL, "test.conf:1", "key = value" },
		{ 0, "db_password = hunter2\n", "db_password", "test.conf:1",
		    "secrets file" },
		{ 0, "timer_token = " TOK_A "\n", "timer_token", "test.conf:1",
		    "secrets file" },
		{ 0, "# x\napi_token = " TOK_A "\n", "api_token",
		    "test.conf:2", "secrets file" },
		{ 1, "db_name = stock\n", "db_name", "test.conf:1",
		    "config file" },
		{ 1, "api_token = " TOK_A "\nsecrets_file = /x\n",
		    "secrets_file", "test.conf:2", "config file" },
		{ 0, "db_port = 0\n", "db_port", "test.conf:1", "port" },
		{ 0, "db_port = 70000\n", "db_port", "test.conf:1", "port" },
		{ 0, "db_port = 65536\n", "db_port", "test.conf:1", "port" },
		{ 0, "db_port = abc\n", "db_port", "test.conf:1", "port" },
		{ 0, "db_port = -1\n", "db_port", "test.conf:1", "port" },
		{ 0, "db_port =\n", "db_port", "test.conf:1", "port" },
		{ 0, "http_listen = localhost\n", "http_listen",
		    "test.conf:1", "port" },
		{ 0, "http_listen = localhost:\n", "http_listen",
		    "test.conf:1", "port" },
		{ 0, "http_listen = :8080\n", "http_listen", "test.conf:1",
		    "port" },
		{ 0, "http_listen = h:0\n", "http_listen", "test.conf:1",
		    "port" },
		{ 0, "public_base_url = ftp://x\n", "public_base_url",
		    "test.conf:1", "http" },
		{ 0, "public_base_url = hub.example.com\n",
		    "public_base_url", "test.conf:1", "http" },
		{ 0, "public_base_url = https://a b\n", "public_base_url",
		    "test.conf:1", "space" },
		{ 0, "db_name = stock-hub\n", "db_name", "test.conf:1",
		    "letters" },
		{ 0, "db_name = st.ock\n", "db_name", "test.conf:1",
		    "letters" },
		{ 0, "db_name =\n", "db_name", "test.conf:1", "empty" },
		{ 0, "db_user = a;b\n", "db_user", "test.conf:1", "letters" },
		{ 0, "body_max = 1023\n", "body_max", "test.conf:1", "1024" },
		{ 0, "body_max = 67108865\n", "body_max", "test.conf:1",
		    "1024" },
		{ 0, "body_max = 1k\n", "body_max", "test.conf:1", "1024" },
		{ 0, "db_host = a\x01" "b\n", "db_host", "test.conf:1",
		    "control" },
		{ 1, "timer_token = 0123456789abcdef0123456789abcde\n",
		    "timer_token", "test.conf:1", "32" },	/* 31 */
		{ 1, "timer_token =\n", "timer_token", "test.conf:1", "32" },
	};
	struct config	 c;
	struct err	 e;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (parse(&c, cases[i].text, cases[i].secret, &e) != -1)
			fail_msg("case %zu accepted", i);
		if (e.kind != ERR_INVALID)
			fail_msg("case %zu: kind %s", i, err_kind_name(e.kind));
		if (cases[i].key != NULL &&
		    strstr(e.msg, cases[i].key) == NULL)
			fail_msg("case %zu: \"%s\" does not name %s", i, e.msg,
			    cases[i].key);
		if (strstr(e.msg, cases[i].line) == NULL)
			fail_msg("case %zu: \"%s\" does not name %s", i, e.msg,
			    cases[i].line);
		if (cases[i].why != NULL && strstr(e.msg, cases[i].why) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg,
			    cases[i].why);
	}
}

static void
test_parse_edge_values(void **state)
{
	struct config	 c;
	struct err	 e;

	(void)state;
	assert_int_equal(parse(&c, "db_port = 1\nbody_max = 1024\n"
	    "http_listen = [::1]:65535\n", 0, &e), 0);
	assert_int_equal(c.db_port, 1);
	assert_int_equal(c.body_max, 1024);
	assert_int_equal(parse(&c, "db_port = 65535\n"
	    "body_max = 67108864\npublic_base_url = http://h:1\n", 0, &e), 0);
	assert_int_equal(c.db_port, 65535);
	assert_int_equal(c.body_max, 67108864);
	/* exactly 32 characters is enough; the last setting wins */
	assert_int_equal(parse(&c, "api_token = " TOK_B "\napi_token = "
	    TOK_A "\n", 1, &e), 0);
	assert_string_equal(c.api_token, TOK_A);
	/* a refused line leaves the earlier good ones applied, not itself */
	assert_int_equal(parse(&c, "db_port = 4000\ndb_port = 0\n", 0, &e),
	    -1);
	assert_int_equal(c.db_port, 4000);
}

static void
test_parse_line_too_long(void **state)
{
	char		 text[1200];
	struct config	 c;
	struct err	 e;

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	memcpy(text, "db_socket = /", 13);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(parse(&c, text, 0, &e), -1);
	assert_non_null(strstr(e.msg, "test.conf:1"));
	/* a NUL byte inside the text is refused, not read as the end */
	config_defaults(&c);
	assert_int_equal(config_parse(&c, "db_name = a\0b\n", 14, 0,
	    "test.conf", &e), -1);
	assert_non_null(strstr(e.msg, "NUL"));
}

/* A rejected secret value is never echoed into the message. */
static void
test_parse_never_echoes_secrets(void **state)
{
	static const struct {
		int		 secret;
		const char	*text;
		const char	*key;
		const char	*value;
	} cases[] = {
		{ 1, "api_token = shortsecret\n", "api_token", "shortsecret" },
		{ 1, "timer_token = shortsecret\n", "timer_token",
		    "shortsecret" },
		{ 1, "api_token = sekrit with spaces but long enough 1234\n",
		    "api_token", "sekrit" },
		{ 1, "db_password = p\x01zzsecret\n", "db_password",
		    "zzsecret" },
		{ 0, "api_token = leakyleakyleakyleakyleakyleaky12\n",
		    "api_token", "leaky" },
		{ 0, "db_password = hunter2\n", "db_password", "hunter2" },
		{ 0, "timer_token = 0123456789abcdef0123456789abcdefXYZ\n",
		    "timer_token", "0123456789" },
		/* a bare token pasted into the secrets file reads as a key */
		{ 1, "c2VjcmV0dG9rZW5wYXN0ZWRhbG9uZQ==\n", "unknown key",
		    "c2VjcmV0" },
	};
	struct config	 c;
	struct err	 e;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (parse(&c, cases[i].text, cases[i].secret, &e) != -1)
			fail_msg("case %zu accepted", i);
		if (strstr(e.msg, cases[i].value) != NULL)
			fail_msg("case %zu echoes the secret: %s", i, e.msg);
		if (strstr(e.msg, cases[i].key) == NULL)
			fail_msg("case %zu: \"%s\" does not name %s", i,
			    e.msg, cases[i].key);
	}
	/* config_set (the environment path) the same */
	config_defaults(&c);
	assert_int_equal(config_set(&c, "api_token", "shortsecret",
	    "STOCKHUB_API_TOKEN", &e), -1);
	assert_null(strstr(e.msg, "shortsecret"));
	assert_non_null(strstr(e.msg, "STOCKHUB_API_TOKEN"));
	assert_non_null(strstr(e.msg, "api_token"));
	assert_string_equal(c.api_token, "");
}

static void
test_set_too_long(void **state)
{
	char		 big[CONFIG_PATH_MAX + 10];
	struct config	 c;
	struct err	 e;

	(void)state;
	config_defaults(&c);
	memset(big, 'p', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(config_set(&c, "sql_dir", big, "env", &e), -1);
	assert_non_null(strstr(e.msg, "sql_dir"));
	assert_non_null(strstr(e.msg, "longer"));
	assert_int_equal(config_set(&c, "no_such_key", "1", "env", &e), -1);
	assert_non_null(strstr(e.msg, "no_such_key"));
}

static void
full_config(struct config *c)
{
	struct err	 e;
	static const char text[] = "db_name = s\ndb_user = u\n"
	    "secrets_file = /etc/s\npublic_base_url = https://h\n";

	config_defaults(c);
	assert_int_equal(config_parse(c, text, sizeof(text) - 1, 0, "t", &e),
	    0);
	assert_int_equal(config_set(c, "timer_token", TOK_A, "t", &e), 0);
	assert_int_equal(config_set(c, "api_token", TOK_B, "t", &e), 0);
}

static void
test_validate(void **state)
{
	static const char *const required[] = {
		"db_name", "db_user", "secrets_file", "public_base_url",
		"timer_token", "api_token",
	};
	struct config	 c;
	struct err	 e;
	size_t		 i;

	(void)state;
	full_config(&c);
	assert_int_equal(config_validate(&c, &e), 0);
	for (i = 0; i < NELEM(required); i++) {
		full_config(&c);
		/* blank one required field */
		if (strcmp(required[i], "db_name") == 0)
			c.db_name[0] = '\0';
		else if (strcmp(required[i], "db_user") == 0)
			c.db_user[0] = '\0';
		else if (strcmp(required[i], "secrets_file") == 0)
			c.secrets_file[0] = '\0';
		else if (strcmp(required[i], "public_base_url") == 0)
			c.public_base_url[0] = '\0';
		else if (strcmp(required[i], "timer_token") == 0)
			c.timer_token[0] = '\0';
		else
			c.api_token[0] = '\0';
		err_clear(&e);
		if (config_validate(&c, &e) != -1)
			fail_msg("missing %s accepted", required[i]);
		assert_int_equal(e.kind, ERR_INVALID);
		if (strstr(e.msg, required[i]) == NULL)
			fail_msg("\"%s\" does not name %s", e.msg, required[i]);
	}
	/* a socket or a host is needed, not both */
	full_config(&c);
	c.db_host[0] = '\0';
	assert_int_equal(config_validate(&c, &e), -1);
	assert_non_null(strstr(e.msg, "db_host"));
	(void)str_copy(c.db_socket, sizeof(c.db_socket), "/s");
	assert_int_equal(config_validate(&c, &e), 0);
	/* the defaults alone are not a configuration */
	config_defaults(&c);
	assert_int_equal(config_validate(&c, &e), -1);
	assert_non_null(strstr(e.msg, "missing"));
}

static void
test_load_files(void **state)
{
	const char	*sec, *cfg;
	struct config	 c;
	struct err	 e;

	(void)state;
	sec = secrets_file(0600);
	cfg = config_file(sec, "db_port = 3310\r\n");
	err_clear(&e);
	if (config_load(&c, cfg, &e) != 0)
		fail_msg("load: %s", e.msg);
	assert_string_equal(c.db_name, "stock");
	assert_string_equal(c.db_user, "stockuser");
	assert_string_equal(c.secrets_file, sec);
	assert_int_equal(c.db_port, 3310);
	assert_string_equal(c.db_password, "pw-from-file");
	assert_string_equal(c.timer_token, TOK_A);
	assert_string_equal(c.api_token, TOK_B);
	assert_int_equal(c.body_max, 1024 * 1024);	/* default kept */
	assert_string_equal(c.http_listen, "127.0.0.1:8080");
}

static void
test_load_secrets_mode(void **state)
{
	static const mode_t bad[] = { 0644, 0640, 0604, 0660, 0601, 0610 };
	const char	*sec, *cfg;
	struct config	 c;
	struct err	 e;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		sec = secrets_file(bad[i]);
		cfg = config_file(sec, "");
		err_clear(&e);
		assert_int_equal(config_load(&c, cfg, &e), -1);
		assert_int_equal(e.kind, ERR_INVALID);
		assert_non_null(strstr(e.msg, "chmod 600"));
		assert_non_null(strstr(e.msg, sec));
		/* no secret value slipped into the message */
		assert_null(strstr(e.msg, TOK_A));
		assert_null(strstr(e.msg, "pw-from-file"));
		cleanup(state);
	}
	/* 0400 is stricter than 0600: fine */
	sec = secrets_file(0400);
	cfg = config_file(sec, "");
	assert_int_equal(config_load(&c, cfg, &e), 0);
	assert_string_equal(c.api_token, TOK_B);
}

static void
test_load_env_overrides(void **state)
{
	const char	*sec, *cfg;
	struct config	 c;
	struct err	 e;

	(void)state;
	sec = secrets_file(0600);
	cfg = config_file(sec, "");
	assert_int_equal(setenv("STOCKHUB_DB_NAME", "from_env", 1), 0);
	assert_int_equal(setenv("STOCKHUB_DB_PORT", "4406", 1), 0);
	assert_int_equal(setenv("STOCKHUB_API_TOKEN", TOK_A "env", 1), 0);
	assert_int_equal(setenv("STOCKHUB_DB_PASSWORD", "pw-from-env", 1), 0);
	err_clear(&e);
	if (config_load(&c, cfg, &e) != 0)
		fail_msg("load: %s", e.msg);
	assert_string_equal(c.db_name, "from_env");
	assert_int_equal(c.db_port, 4406);
	assert_string_equal(c.api_token, TOK_A "env");
	assert_string_equal(c.db_password, "pw-from-env");
	assert_string_equal(c.db_user, "stockuser");	/* file value kept */
	assert_string_equal(c.timer_token, TOK_A);

	/* an invalid environment value names the variable, not the value */
	assert_int_equal(setenv("STOCKHUB_DB_PORT", "70000", 1), 0);
	assert_int_equal(config_load(&c, cfg, &e), -1);
	assert_non_null(strstr(e.msg, "STOCKHUB_DB_PORT"));
	assert_int_equal(setenv("STOCKHUB_DB_PORT", "4406", 1), 0);
	assert_int_equal(setenv("STOCKHUB_API_TOKEN", "shortsecret", 1), 0);
	assert_int_equal(config_load(&c, cfg, &e), -1);
	assert_non_null(strstr(e.msg, "api_token"));
	assert_null(strstr(e.msg, "shortsecret"));

	/* the environment can fill a required key the files lack */
	assert_int_equal(unsetenv("STOCKHUB_API_TOKEN"), 0);
	assert_int_equal(setenv("STOCKHUB_PUBLIC_BASE_URL", "http://e", 1), 0);
	assert_int_equal(config_load(&c, cfg, &e), 0);
	assert_string_equal(c.public_base_url, "http://e");
	assert_string_equal(c.api_token, TOK_B);
}

static void
test_load_env_secrets_file(void **state)
{
	const char	*sec, *other, *cfg;
	struct config	 c;
	struct err	 e;

	(void)state;
	sec = secrets_file(0600);
	other = tmp_write("timer_token = " TOK_B "\napi_token = " TOK_B
	    "xyz\n", 0600);
	cfg = config_file(sec, "");
	assert_int_equal(setenv("STOCKHUB_SECRETS_FILE", other, 1), 0);
	err_clear(&e);
	if (config_load(&c, cfg, &e) != 0)
		fail_msg("load: %s", e.msg);
	assert_string_equal(c.api_token, TOK_B "xyz");
	assert_string_equal(c.db_password, "");	/* from the other file */
}

static void
test_load_config_from_env_path(void **state)
{
	const char	*sec, *cfg;
	struct config	 c;
	struct err	 e;

	(void)state;
	sec = secrets_file(0600);
	cfg = config_file(sec, "db_name = via_env_path\n");
	assert_int_equal(setenv("STOCKHUB_CONFIG", cfg, 1), 0);
	err_clear(&e);
	if (config_load(&c, NULL, &e) != 0)
		fail_msg("load: %s", e.msg);
	assert_string_equal(c.db_name, "via_env_path");
	/* an explicit path wins over STOCKHUB_CONFIG */
	assert_int_equal(config_load(&c, "/nonexistent/stockhub-x.conf", &e),
	    -1);
	assert_non_null(strstr(e.msg, "/nonexistent/stockhub-x.conf"));
	/* and STOCKHUB_CONFIG naming a missing file says which */
	assert_int_equal(setenv("STOCKHUB_CONFIG", "/nonexistent/env.conf",
	    1), 0);
	assert_int_equal(config_load(&c, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/env.conf"));
}

static void
test_load_missing_and_bad_files(void **state)
{
	const char	*sec, *cfg;
	struct config	 c;
	struct err	 e;

	(void)state;
	err_clear(&e);
	assert_int_equal(config_load(&c, "/tmp/stockhub-no-such-file.conf",
	    &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_non_null(strstr(e.msg, "/tmp/stockhub-no-such-file.conf"));
	assert_non_null(strstr(e.msg, "cannot open"));

	/* the secrets file it names is missing */
	cfg = config_file("/tmp/stockhub-no-such-secrets", "");
	assert_int_equal(config_load(&c, cfg, &e), -1);
	assert_non_null(strstr(e.msg, "/tmp/stockhub-no-such-secrets"));

	/* a secret in the config file is refused with the file and line */
	sec = secrets_file(0600);
	cfg = config_file(sec, "api_token = " TOK_A "\n");
	assert_int_equal(config_load(&c, cfg, &e), -1);
	assert_non_null(strstr(e.msg, cfg));
	assert_non_null(strstr(e.msg, ":7:"));
	assert_non_null(strstr(e.msg, "api_token"));
	assert_null(strstr(e.msg, TOK_A));

	/* a secrets file missing a required secret */
	cleanup(state);
	sec = tmp_write("api_token = " TOK_A "\n", 0600);
	cfg = config_file(sec, "");
	assert_int_equal(config_load(&c, cfg, &e), -1);
	assert_non_null(strstr(e.msg, "timer_token"));
}

#define T(f)	cmocka_unit_test_setup_teardown(f, env_clean, cleanup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_syntax),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_parse_edge_values),
		cmocka_unit_test(test_parse_line_too_long),
		cmocka_unit_test(test_parse_never_echoes_secrets),
		cmocka_unit_test(test_set_too_long),
		cmocka_unit_test(test_validate),
		T(test_load_files),
		T(test_load_secrets_mode),
		T(test_load_env_overrides),
		T(test_load_env_secrets_file),
		T(test_load_config_from_env_path),
		T(test_load_missing_and_bad_files),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
