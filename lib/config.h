/*
 * config: the settings of every stockhub program, from one file of
 * "key = value" lines ('#' starts a comment) named by $STOCKHUB_CONFIG,
 * then a secrets file that the config names (same syntax, mode 0600 or
 * stricter), then environment variables STOCKHUB_<KEY> (upper case), which
 * override both. A missing or invalid setting is one error naming the key.
 * See stockhub.conf.example for every key.
 *
 * Parsing (config_parse) is pure; config_load does the file and
 * environment reading.
 */
#ifndef STOCKHUB_CONFIG_H
#define STOCKHUB_CONFIG_H

#include <stddef.h>

#include "err.h"

#define CONFIG_PATH_MAX	512
#define CONFIG_TOKEN_MAX	128

struct config {
	/* database: a unix socket, or host and port */
	char	db_socket[CONFIG_PATH_MAX];
	char	db_host[256];
	int	db_port;
	char	db_name[65];
	char	db_user[81];
	/* where the secrets live */
	char	secrets_file[CONFIG_PATH_MAX];
	/* where the hub is reached from outside (webhook and OAuth URLs) */
	char	public_base_url[256];
	/* nginx listen address, host:port */
	char	http_listen[128];
	/* directory of the numbered migrations */
	char	sql_dir[CONFIG_PATH_MAX];
	/* largest request body accepted, bytes */
	long	body_max;

	/* secrets (never logged) */
	char	db_password[256];
	char	timer_token[CONFIG_TOKEN_MAX];
	char	api_token[CONFIG_TOKEN_MAX];
	/* 64 hex digits: seals channel credentials (lib/crypt.h) */
	char	master_key[CONFIG_TOKEN_MAX];
};

/* Fill c with the defaults (everything optional gets a value). */
void	config_defaults(struct config *c);

/*
 * Apply "key = value" lines from text[0..len) to c. secret selects which
 * keys are allowed (the secrets file may hold only secret keys and the
 * config file only the others, so a secret is never left in a file that is
 * shared). where names the source in messages ("stockhub.conf").
 * Returns 0 or -1 with e naming the line and key.
 */
int	config_parse(struct config *c, const char *text, size_t len,
	    int secret, const char *where, struct err *e);

/* Set one key (used by the parser and for the environment). */
int	config_set(struct config *c, const char *key, const char *val,
	    const char *where, struct err *e);

/* Check that every required key is present and valid. */
int	config_validate(const struct config *c, struct err *e);

/*
 * Load from path (NULL: $STOCKHUB_CONFIG, else "stockhub.conf"), then the
 * secrets file, then the environment, then validate.
 */
int	config_load(struct config *c, const char *path, struct err *e);

#endif
