/*
 * config: settings from a file, a secrets file and the environment
 * (see config.h and stockhub.conf.example).
 */
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "str.h"

#define CONFIG_FILE_MAX	(64 * 1024)

enum vtype {
	V_STR,		/* any printable text */
	V_PATH,		/* a file system path */
	V_NAME,		/* [A-Za-z0-9_] */
	V_URL,		/* http:// or https:// */
	V_LISTEN,	/* host:port */
	V_PORT,		/* 1..65535 */
	V_BYTES,	/* 1 KiB .. 64 MiB */
	V_TOKEN,	/* a secret of at least 32 printable characters */
	V_HEXKEY	/* 64 hex digits */
};

struct key {
	const char	*name;
	enum vtype	 type;
	int		 secret;	/* lives in the secrets file */
	int		 required;
	size_t		 off;		/* offset in struct config */
	size_t		 size;		/* size of a char[] field */
};

#define STRK(n, t, s, r) { #n, t, s, r, offsetof(struct config, n), \
	sizeof(((struct config *)0)->n) }
#define INTK(n, t, s, r) { #n, t, s, r, offsetof(struct config, n), 0 }

static const struct key keys[] = {
	STRK(db_socket, V_PATH, 0, 0),
	STRK(db_host, V_STR, 0, 0),
	INTK(db_port, V_PORT, 0, 0),
	STRK(db_name, V_NAME, 0, 1),
	STRK(db_user, V_NAME, 0, 1),
	STRK(secrets_file, V_PATH, 0, 1),
	STRK(public_base_url, V_URL, 0, 1),
	STRK(http_listen, V_LISTEN, 0, 0),
	STRK(sql_dir, V_PATH, 0, 0),
	INTK(body_max, V_BYTES, 0, 0),
	STRK(db_password, V_STR, 1, 0),
	STRK(timer_token, V_TOKEN, 1, 1),
	STRK(api_token, V_TOKEN, 1, 1),
	STRK(master_key, V_HEXKEY, 1, 0),
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	(void)str_copy(c->db_host, sizeof(c->db_host), "127.0.0.1");
	c->db_port = 3306;
	(void)str_copy(c->http_listen, sizeof(c->http_listen), "127.0.0.1:8080");
	(void)str_copy(c->sql_dir, sizeof(c->sql_dir), "sql");
	c->body_max = 1024 * 1024;
}

static const struct key *
key_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* Check val against the key's type; why gets the reason. */
static int
check_value(const struct key *k, const char *val, int64_t *num,
    const char **why)
{
	const char	*colon;
	int64_t		 port;
	size_t		 i;

	if (!printable(val)) {
		*why = "holds a control character";
		return -1;
	}
	switch (k->type) {
	case V_STR:
	case V_PATH:
		return 0;
	case V_NAME:
		if (val[0] == '\0') {
			*why = "is empty";
			return -1;
		}
		for (i = 0; val[i] != '\0'; i++)
			if (!isalnum((unsigned char)val[i]) && val[i] != '_') {
				*why = "may hold only letters, digits and _";
				return -1;
			}
		return 0;
	case V_URL:
		if (strncmp(val, "http://", 7) != 0 &&
		    strncmp(val, "https://", 8) != 0) {
			*why = "must start with http:// or https://";
			return -1;
		}
		if (strchr(val, ' ') != NULL) {
			*why = "holds a space";
			return -1;
		}
		return 0;
	case V_LISTEN:
		colon = strrchr(val, ':');
		if (colon == NULL || colon == val ||
		    str_to_i64(colon + 1, 1, 65535, &port) == -1) {
			*why = "must be host:port with a port from 1 to 65535";
			return -1;
		}
		return 0;
	case V_PORT:
		if (str_to_i64(val, 1, 65535, num) == -1) {
			*why = "must be a port number from 1 to 65535";
			return -1;
		}
		return 0;
	case V_BYTES:
		if (str_to_i64(val, 1024, 64 * 1024 * 1024, num) == -1) {
			*why = "must be a byte count from 1024 to 67108864";
			return -1;
		}
		return 0;
	case V_HEXKEY:
		if (strlen(val) != 64 || strspn(val, "0123456789abcdefABCDEF")
		    != 64) {
			*why = "must be 64 hex digits (make one with: "
			    "openssl rand -hex 32)";
			return -1;
		}
		return 0;
	case V_TOKEN:
		if (strlen(val) < 32 || strchr(val, ' ') != NULL) {
			*why = "must be at least 32 characters without spaces "
			    "(make one with: openssl rand -hex 32)";
			return -1;
		}
		return 0;
	}
	*why = "has an unknown type";
	return -1;
}

int
config_set(struct config *c, const char *key, const char *val,
    const char *where, struct err *e)
{
	const struct key	*k;
	const char		*why = NULL;
	int64_t			 num = 0;

	if ((k = key_find(key)) == NULL)
		return err_set(e, ERR_INVALID, "%s: unknown key '%s'",
		    where, key);
	/* the value is never echoed: it may be a secret */
	if (check_value(k, val, &num, &why) == -1)
		return err_set(e, ERR_INVALID, "%s: key '%s' %s", where, key,
		    why);
	if (k->size > 0) {
		if (str_copy((char *)c + k->off, k->size, val) == -1)
			return err_set(e, ERR_INVALID,
			    "%s: key '%s' is longer than %zu bytes", where, key,
			    k->size - 1);
	} else if (k->type == V_PORT)
		*(int *)(void *)((char *)c + k->off) = (int)num;
	else
		*(long *)(void *)((char *)c + k->off) = (long)num;
	return 0;
}

int
config_parse(struct config *c, const char *text, size_t len, int secret,
    const char *where, struct err *e)
{
	char			 line[1024], ctx[CONFIG_PATH_MAX + 32];
	const char		*p = text, *end = text + len, *nl;
	char			*key, *val, *eq, *s;
	const struct key	*k;
	size_t			 n;
	unsigned		 lineno = 0;

	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n >= sizeof(line))
			return err_set(e, ERR_INVALID, "%s:%u: line too long",
			    where, lineno);
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl != NULL ? nl + 1 : end;
		if (memchr(line, '\0', n) != NULL)
			return err_set(e, ERR_INVALID, "%s:%u: NUL byte",
			    where, lineno);

		/* trim; skip blanks and comments */
		for (s = line; *s == ' ' || *s == '\t' || *s == '\r'; s++)
			;
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL)
			return err_set(e, ERR_INVALID,
			    "%s:%u: expected 'key = value'", where, lineno);
		key = s;
		val = eq + 1;
		for (*eq-- = '\0'; eq >= key && (*eq == ' ' || *eq == '\t'); )
			*eq-- = '\0';
		while (*val == ' ' || *val == '\t')
			val++;
		n = strlen(val);
		while (n > 0 && (val[n - 1] == ' ' || val[n - 1] == '\t' ||
		    val[n - 1] == '\r'))
			val[--n] = '\0';

		/* in the secrets file the "key" may be a pasted secret:
		 * never echo it */
		if ((k = key_find(key)) == NULL)
			return secret ? err_set(e, ERR_INVALID,
			    "%s:%u: unknown key", where, lineno) :
			    err_set(e, ERR_INVALID,
			    "%s:%u: unknown key '%s'", where, lineno, key);
		if (k->secret != secret)
			return err_set(e, ERR_INVALID, "%s:%u: key '%s' belongs "
			    "in the %s", where, lineno, key,
			    k->secret ? "secrets file" : "config file");
		(void)str_fmt(ctx, sizeof(ctx), "%s:%u", where, lineno);
		if (config_set(c, key, val, ctx, e) == -1)
			return -1;
	}
	return 0;
}

int
config_validate(const struct config *c, struct err *e)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++) {
		if (!keys[i].required || keys[i].size == 0)
			continue;
		if (((const char *)c + keys[i].off)[0] == '\0')
			return err_set(e, ERR_INVALID,
			    "missing required key '%s' (set it in the %s or "
			    "as STOCKHUB_%s)", keys[i].name,
			    keys[i].secret ? "secrets file" : "config file",
			    keys[i].name);
	}
	if (c->db_socket[0] == '\0' && c->db_host[0] == '\0')
		return err_set(e, ERR_INVALID,
		    "missing required key 'db_socket' or 'db_host'");
	return 0;
}

/* Read a whole small file into b. */
static int
read_file(const char *path, int secret, struct buf *b, struct err *e)
{
	struct stat	 st;
	char		 chunk[4096];
	ssize_t		 n;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(e, ERR_INVALID, "%s: cannot open: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1) {
		err_set(e, ERR_SYS, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (secret && (st.st_mode & 077) != 0) {
		err_set(e, ERR_INVALID, "%s: secrets file is readable by "
		    "others; run: chmod 600 %s", path, path);
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set(e, ERR_SYS, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (buf_append(b, chunk, (size_t)n) == -1) {
			err_set(e, ERR_INVALID, "%s: larger than %d bytes",
			    path, CONFIG_FILE_MAX);
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Apply STOCKHUB_<KEY> environment variables. */
static int
apply_env(struct config *c, struct err *e)
{
	char		 var[64];
	const char	*val;
	size_t		 i, j;

	for (i = 0; i < NKEYS; i++) {
		if (str_fmt(var, sizeof(var), "STOCKHUB_%s", keys[i].name) == -1)
			continue;
		for (j = 9; var[j] != '\0'; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		if ((val = getenv(var)) == NULL)
			continue;
		if (config_set(c, keys[i].name, val, var, e) == -1)
			return -1;
	}
	return 0;
}

int
config_load(struct config *c, const char *path, struct err *e)
{
	struct buf	 b;
	char		 secrets[CONFIG_PATH_MAX];
	const char	*envsecrets;
	int		 rc = -1;

	buf_init(&b, CONFIG_FILE_MAX);
	config_defaults(c);
	if (path == NULL && (path = getenv("STOCKHUB_CONFIG")) == NULL)
		path = "stockhub.conf";
	if (read_file(path, 0, &b, e) == -1 ||
	    config_parse(c, b.data != NULL ? b.data : "", b.len, 0, path,
	    e) == -1)
		goto out;

	/* the secrets file may itself be moved by the environment */
	if ((envsecrets = getenv("STOCKHUB_SECRETS_FILE")) != NULL &&
	    config_set(c, "secrets_file", envsecrets, "STOCKHUB_SECRETS_FILE",
	    e) == -1)
		goto out;
	if (c->secrets_file[0] != '\0') {
		if (str_copy(secrets, sizeof(secrets), c->secrets_file) == -1)
			goto out;
		buf_reset(&b);
		if (read_file(secrets, 1, &b, e) == -1 ||
		    config_parse(c, b.data != NULL ? b.data : "", b.len, 1,
		    secrets, e) == -1)
			goto out;
	}
	if (apply_env(c, e) == -1 || config_validate(c, e) == -1)
		goto out;
	rc = 0;
out:
	/* the buffer may hold secrets: wipe before freeing */
	if (b.data != NULL)
		explicit_bzero(b.data, b.cap);
	buf_free(&b);
	return rc;
}
