/*
 * emu: the sandbox marketplaces' shared frame (see emu.h).
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fcgiapp.h>
#include <jansson.h>

#include "emu.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "str.h"

#define BODY_MAX	(1024 * 1024)
#define RULES_MAX	32
#define LOG_MAX		20000
#define HOOKS_MAX	10000
#define HOOK_HEADERS_MAX 16
#define HOOK_TIMEOUT_S	5

enum fault {
	F_NONE = 0, F_429, F_5XX, F_HANG, F_RESET, F_TRUNCATE, F_MALFORMED,
	F_SLOW, F__MAX
};

static const char *const fault_names[F__MAX] = {
	"none", "429", "5xx", "hang", "reset", "truncate", "malformed", "slow"
};

struct rule {
	char		 path[256];
	char		 method[8];
	enum fault	 kind;
	double		 rate;
	int64_t		 times;		/* -1: no limit */
	int		 status;
	int64_t		 retry_after;
	int64_t		 delay_ms;
};

struct logent {
	int64_t	 at_ms;
	char	 method[8];
	char	 path[160];
	char	 route[96];
	int	 status;
	char	 fault[12];
};

enum hook_state { H_PENDING, H_DELIVERED, H_FAILED, H_DROPPED };

struct hook {
	int64_t		 id;
	char		*url;
	char		*hnames[HOOK_HEADERS_MAX];
	char		*hvalues[HOOK_HEADERS_MAX];
	size_t		 nheaders;
	char		*body;
	size_t		 len;
	enum hook_state	 state;
	int		 attempts;
	int64_t		 next_ms;
	int		 held;
	int		 last_status;
	char		 last_error[96];
};

static struct {
	const struct emu_channel *ch;
	int64_t		 clock_offset_ms;
	uint64_t	 rng;
	struct rule	 rules[RULES_MAX];
	size_t		 nrules;
	json_t		*plan;		/* as set, for GET */
	int64_t		 visibility_delay;
	double		 hook_drop, hook_dup;
	int64_t		 hook_delay_s, hook_retry_base_s;
	int		 hook_hold, hook_reorder, hook_max_attempts;
	struct logent	*log;
	size_t		 nlog, logpos;
	uint64_t	 nrequests;
	struct hook	*hooks[HOOKS_MAX];
	size_t		 nhooks;
	int64_t		 hook_seq;
	/* the fault that spoils the reply of the request being served */
	enum fault	 spoil;
	int		 last_status;
} E;

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* --- time and chance ---------------------------------------------------- */

static int64_t
real_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
emu_now_ms(void)
{
	return real_ms() + E.clock_offset_ms;
}

int64_t
emu_now(void)
{
	return emu_now_ms() / 1000;
}

/* splitmix64: small, fast, and the same sequence for the same seed */
static uint64_t
next64(void)
{
	uint64_t z = (E.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double
emu_rand(void)
{
	return (double)(next64() >> 11) / 9007199254740992.0;
}

uint64_t
emu_rand_below(uint64_t n)
{
	return n == 0 ? 0 : next64() % n;
}

int64_t
emu_visibility_delay(void)
{
	return E.visibility_delay;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec	 ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !stopping)
		;
}

/* --- replies ---------------------------------------------------------- */

void
emu_reply_raw(struct emu_req *r, int status, const char *ctype,
    const struct http_header *extra, const void *body, size_t len)
{
	E.last_status = status;
	http_respond(r->http, status, ctype, extra, body, len);
}

/* Send headers that promise len bytes, then only half of them. */
static void
reply_truncated(struct emu_req *r, int status, const char *s, size_t len)
{
	char	 head[256];
	int	 n;

	E.last_status = status;
	r->http->responded = 1;
	n = snprintf(head, sizeof(head), "Status: %d %s\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n\r\n", status,
	    http_status_text(status), len);
	if (n > 0 && (size_t)n < sizeof(head)) {
		FCGX_PutStr(head, n, r->http->fcgi->out);
		FCGX_PutStr(s, (int)(len / 2), r->http->fcgi->out);
	}
}

void
emu_reply(struct emu_req *r, int status, const json_t *v,
    const struct http_header *extra)
{
	char	*s;
	size_t	 len;

	if ((s = json_dumps(v, JSON_COMPACT)) == NULL) {
		emu_reply_raw(r, 500, "application/json", NULL, "{}", 2);
		return;
	}
	len = strlen(s);
	if (E.spoil == F_TRUNCATE)
		reply_truncated(r, status, s, len);
	else if (E.spoil == F_MALFORMED)
		/* a complete HTTP answer whose JSON is cut off */
		emu_reply_raw(r, status, "application/json", extra, s,
		    len > 1 ? len / 2 : len);
	else
		emu_reply_raw(r, status, "application/json", extra, s, len);
	free(s);
}

void
emu_reply_new(struct emu_req *r, int status, json_t *v,
    const struct http_header *extra)
{
	if (v == NULL)
		emu_reply_raw(r, 500, "application/json", NULL, "{}", 2);
	else
		emu_reply(r, status, v, extra);
	json_decref(v);
}

void
emu_reply_error(struct emu_req *r, int status, const char *msg)
{
	json_t	*j = json_pack("{s:s}", "error", msg);

	if (j == NULL)
		emu_reply_raw(r, 500, "application/json", NULL, "{}", 2);
	else
		emu_reply(r, status, j, NULL);
	json_decref(j);
}

json_t *
emu_body_json(struct emu_req *r)
{
	return json_loadb(r->http->body, r->http->body_len,
	    JSON_REJECT_DUPLICATES, NULL);
}

/* --- routing ------------------------------------------------------------ */

/* Match path against pattern; fill the {} segments. */
static int
match(const char *pattern, const char *path, struct emu_req *r)
{
	const char	*p = pattern, *s = path, *end;
	size_t		 n;

	r->nids = 0;
	while (*p != '\0') {
		if (p[0] == '{' && p[1] == '}') {
			end = strchr(s, '/');
			n = end != NULL ? (size_t)(end - s) : strlen(s);
			if (n == 0 || n >= sizeof(r->ids[0]) ||
			    r->nids == EMU_IDS_MAX)
				return 0;
			memcpy(r->ids[r->nids], s, n);
			r->ids[r->nids++][n] = '\0';
			s += n;
			p += 2;
			continue;
		}
		if (*p++ != *s++)
			return 0;
	}
	return *s == '\0';
}

static void
record(const struct emu_req *r, const char *fault)
{
	struct logent	*l;

	if (E.log == NULL)
		return;
	l = &E.log[E.logpos];
	E.logpos = (E.logpos + 1) % LOG_MAX;
	if (E.nlog < LOG_MAX)
		E.nlog++;
	l->at_ms = emu_now_ms();
	(void)str_copy(l->method, sizeof(l->method), r->http->method);
	(void)str_copy(l->path, sizeof(l->path), r->http->path);
	(void)str_copy(l->route, sizeof(l->route),
	    r->route != NULL ? r->route : "");
	(void)str_copy(l->fault, sizeof(l->fault), fault);
	l->status = E.last_status;
}

/* --- faults ------------------------------------------------------------- */

static void
faults_clear(void)
{
	E.nrules = 0;
	json_decref(E.plan);
	E.plan = json_object();
	E.visibility_delay = 0;
	E.hook_drop = E.hook_dup = 0;
	E.hook_delay_s = 0;
	E.hook_hold = E.hook_reorder = 0;
	E.hook_retry_base_s = 1;
	E.hook_max_attempts = 8;
}

static int
faults_set(json_t *plan, struct err *e)
{
	json_t		*rules, *rule, *hooks;
	const char	*kind, *path, *method;
	json_int_t	 seed = -1;
	size_t		 i, k;
	struct rule	 nr[RULES_MAX];

	if (!json_is_object(plan))
		return err_set(e, ERR_INVALID, "the plan must be an object");
	rules = json_object_get(plan, "rules");
	if (rules != NULL && (!json_is_array(rules) ||
	    json_array_size(rules) > RULES_MAX))
		return err_set(e, ERR_INVALID, "rules: an array of at most %d",
		    RULES_MAX);
	memset(nr, 0, sizeof(nr));
	json_array_foreach(rules, i, rule) {
		path = "";
		method = "";
		kind = NULL;
		nr[i].rate = 1;
		nr[i].times = -1;
		nr[i].status = 500;
		nr[i].retry_after = 1;
		nr[i].delay_ms = 40000;
		if (json_unpack(rule, "{s:s, s?:s, s?:s, s?:F, s?:I, s?:i, s?:I, "
		    "s?:I !}", "kind", &kind, "path", &path, "method", &method,
		    "rate", &nr[i].rate, "times", &nr[i].times, "status",
		    &nr[i].status, "retry_after", &nr[i].retry_after,
		    "delay_ms", &nr[i].delay_ms) == -1)
			return err_set(e, ERR_INVALID, "rules[%zu]: expected "
			    "kind, path, method, rate, times, status, "
			    "retry_after, delay_ms", i);
		for (k = 1; k < F__MAX; k++)
			if (strcmp(kind, fault_names[k]) == 0)
				nr[i].kind = (enum fault)k;
		if (nr[i].kind == F_NONE)
			return err_set(e, ERR_INVALID, "rules[%zu]: unknown "
			    "kind", i);
		if (nr[i].rate < 0 || nr[i].rate > 1 || nr[i].delay_ms < 0 ||
		    nr[i].delay_ms > 55000 || nr[i].status < 500 ||
		    nr[i].status > 599)
			return err_set(e, ERR_INVALID, "rules[%zu]: rate 0..1, "
			    "delay_ms 0..55000, status 500..599", i);
		(void)str_copy(nr[i].path, sizeof(nr[i].path), path);
		(void)str_copy(nr[i].method, sizeof(nr[i].method), method);
	}
	faults_clear();
	memcpy(E.rules, nr, sizeof(nr));
	E.nrules = json_array_size(rules);
	if (json_unpack(plan, "{s?:I}", "seed", &seed) == 0 && seed >= 0)
		E.rng = (uint64_t)seed;
	json_unpack(plan, "{s?:I}", "visibility_delay_s", &E.visibility_delay);
	if ((hooks = json_object_get(plan, "webhooks")) != NULL)
		json_unpack(hooks, "{s?:F, s?:F, s?:I, s?:b, s?:b, s?:I, s?:i}",
		    "drop_rate", &E.hook_drop, "duplicate_rate", &E.hook_dup,
		    "delay_s", &E.hook_delay_s, "hold", &E.hook_hold,
		    "reorder", &E.hook_reorder, "retry_base_s",
		    &E.hook_retry_base_s, "max_attempts",
		    &E.hook_max_attempts);
	json_decref(E.plan);
	E.plan = json_incref(plan);
	return 0;
}

/* The fault to apply to this request, if any (counts it). */
static const struct rule *
fault_for(const struct emu_req *r)
{
	struct rule	*ru;
	size_t		 i;

	for (i = 0; i < E.nrules; i++) {
		ru = &E.rules[i];
		if (ru->times == 0)
			continue;
		if (strncmp(r->http->path, ru->path, strlen(ru->path)) != 0)
			continue;
		if (ru->method[0] != '\0' && !http_is(r->http, ru->method))
			continue;
		if (ru->rate < 1 && emu_rand() >= ru->rate)
			continue;
		if (ru->times > 0)
			ru->times--;
		return ru;
	}
	return NULL;
}

/* Apply a fault; 1 when it answered the request itself. */
static int
apply_fault(struct emu_req *r, const struct rule *ru)
{
	char	 ra[32];

	switch (ru->kind) {
	case F_429:
		(void)str_fmt(ra, sizeof(ra), "%lld", (long long)ru->retry_after);
		emu_reply_new(r, 429, json_pack("{s:s}", "error",
		    "Too many requests"), (struct http_header[]){
		    { "retry-after", ra }, { NULL, NULL } });
		return 1;
	case F_5XX:
		emu_reply_error(r, ru->status, "Internal server error");
		return 1;
	case F_HANG:
		/* no answer within any sane client timeout */
		sleep_ms(ru->delay_ms);
		emu_reply_error(r, 504, "hung");
		return 1;
	case F_RESET:
		/* nginx turns 599 into a closed connection (444) */
		emu_reply_raw(r, 599, "text/plain", NULL, "", 0);
		return 1;
	case F_SLOW:
		sleep_ms(ru->delay_ms);
		return 0;
	case F_TRUNCATE:
	case F_MALFORMED:
		E.spoil = ru->kind;
		return 0;
	default:
		return 0;
	}
}

/* --- webhooks ----------------------------------------------------------- */

static void
hook_free(struct hook *h)
{
	size_t	 i;

	if (h == NULL)
		return;
	free(h->url);
	for (i = 0; i < h->nheaders; i++) {
		free(h->hnames[i]);
		free(h->hvalues[i]);
	}
	free(h->body);
	free(h);
}

static struct hook *
hook_copy(const char *url, const struct http_header *headers,
    const char *body, size_t len)
{
	struct hook	*h;
	size_t		 i;

	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->url = strdup(url)) == NULL ||
	    (h->body = malloc(len + 1)) == NULL)
		goto fail;
	memcpy(h->body, body, len);
	h->body[len] = '\0';
	h->len = len;
	for (i = 0; headers != NULL && headers[i].name != NULL; i++) {
		if (i == HOOK_HEADERS_MAX)
			goto fail;
		h->nheaders++;
		if ((h->hnames[i] = strdup(headers[i].name)) == NULL ||
		    (h->hvalues[i] = strdup(headers[i].value)) == NULL)
			goto fail;
	}
	h->id = ++E.hook_seq;
	return h;
fail:
	hook_free(h);
	return NULL;
}

static int
hook_add(struct hook *h)
{
	if (E.nhooks == HOOKS_MAX) {
		log_error("webhook queue full; delivery %lld dropped",
		    (long long)h->id);
		hook_free(h);
		return -1;
	}
	E.hooks[E.nhooks++] = h;
	return 0;
}

int
emu_webhook_queue(const char *url, const struct http_header *headers,
    const char *body, size_t len)
{
	struct hook	*h, *dup;

	if ((h = hook_copy(url, headers, body, len)) == NULL)
		return -1;
	h->next_ms = emu_now_ms() + E.hook_delay_s * 1000;
	h->held = E.hook_hold;
	if (E.hook_drop > 0 && emu_rand() < E.hook_drop)
		h->state = H_DROPPED;	/* silently lost, as can happen */
	if (E.hook_dup > 0 && emu_rand() < E.hook_dup &&
	    (dup = hook_copy(url, headers, body, len)) != NULL) {
		dup->next_ms = h->next_ms;
		dup->held = h->held;
		if (hook_add(h) == -1)
			return -1;
		return hook_add(dup);
	}
	return hook_add(h);
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void
deliver(struct hook *h)
{
	CURL			*c;
	struct curl_slist	*hl = NULL, *tmp;
	char			 line[1024], ebuf[CURL_ERROR_SIZE];
	long			 code = 0;
	size_t			 i;
	CURLcode		 rc;

	if ((c = curl_easy_init()) == NULL)
		return;
	for (i = 0; i < h->nheaders; i++)
		if (str_fmt(line, sizeof(line), "%s: %s", h->hnames[i],
		    h->hvalues[i]) == 0 &&
		    (tmp = curl_slist_append(hl, line)) != NULL)
			hl = tmp;
	ebuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, h->url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, h->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)h->len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)HOOK_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	h->attempts++;
	h->last_status = (int)code;
	(void)str_copy(h->last_error, sizeof(h->last_error),
	    rc == CURLE_OK ? "" : (ebuf[0] != '\0' ? ebuf :
	    curl_easy_strerror(rc)));
	if (code >= 200 && code < 300)
		h->state = H_DELIVERED;
	else if (h->attempts >= E.hook_max_attempts)
		h->state = H_FAILED;
	else
		h->next_ms = emu_now_ms() + E.hook_retry_base_s * 1000 *
		    ((int64_t)1 << (h->attempts - 1 < 20 ? h->attempts - 1 : 20));
	log_info("webhook %lld to %s: attempt %d, status %ld%s%s",
	    (long long)h->id, h->url, h->attempts, code,
	    h->last_error[0] != '\0' ? ", " : "", h->last_error);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
}

/* Deliver what is due; with all set, also what is held or delayed. */
static void
pump(int all)
{
	int64_t	 now = emu_now_ms();
	size_t	 i, n = E.nhooks;

	for (i = 0; i < n; i++) {
		struct hook *h = E.hooks[all && E.hook_reorder ? n - 1 - i : i];

		if (h->state != H_PENDING)
			continue;
		if (!all && (h->held || h->next_ms > now))
			continue;
		h->held = 0;
		deliver(h);
	}
}

/* Milliseconds until the next delivery is due; -1 when none. */
static int
next_due(void)
{
	int64_t	 best = -1, now = emu_now_ms(), d;
	size_t	 i;

	for (i = 0; i < E.nhooks; i++) {
		if (E.hooks[i]->state != H_PENDING || E.hooks[i]->held)
			continue;
		d = E.hooks[i]->next_ms - now;
		if (d < 0)
			d = 0;
		if (best == -1 || d < best)
			best = d;
	}
	return best > 60000 ? 60000 : (int)best;
}

/* --- control API ------------------------------------------------------- */

static void
reset_all(void)
{
	size_t	 i;

	for (i = 0; i < E.nhooks; i++)
		hook_free(E.hooks[i]);
	E.nhooks = 0;
	E.nlog = E.logpos = 0;
	E.nrequests = 0;
	E.clock_offset_ms = 0;
	E.rng = 1;
	faults_clear();
	if (E.ch->reset != NULL)
		E.ch->reset();
}

static void
ctl_reset(struct emu_req *r)
{
	reset_all();
	emu_reply_new(r, 200, json_pack("{s:b}", "reset", 1), NULL);
}

static void
ctl_faults_get(struct emu_req *r)
{
	emu_reply(r, 200, E.plan, NULL);
}

static void
ctl_faults_set(struct emu_req *r)
{
	struct err	 e;
	json_t		*plan = emu_body_json(r);

	if (plan == NULL)
		emu_reply_error(r, 400, "the body must be a JSON fault plan");
	else if (faults_set(plan, &e) == -1)
		emu_reply_error(r, 400, e.msg);
	else
		emu_reply(r, 200, E.plan, NULL);
	json_decref(plan);
}

static void
ctl_faults_clear(struct emu_req *r)
{
	faults_clear();
	emu_reply(r, 200, E.plan, NULL);
}

static void
ctl_clock(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	json_int_t	 adv = 0, now = 0;

	if (j == NULL || json_unpack(j, "{s?:I, s?:I !}", "advance_s", &adv,
	    "now", &now) == -1 || adv < 0) {
		emu_reply_error(r, 400, "send {\"advance_s\":N} or {\"now\":EPOCH}");
		json_decref(j);
		return;
	}
	if (now > 0)
		E.clock_offset_ms = now * 1000 - real_ms();
	E.clock_offset_ms += adv * 1000;
	json_decref(j);
	emu_reply_new(r, 200, json_pack("{s:I}", "now", (json_int_t)emu_now()),
	    NULL);
}

static void
ctl_requests(struct emu_req *r)
{
	json_t		*all = json_array(), *counts = json_object(), *c;
	struct logent	*l;
	char		 key[128];
	size_t		 i, start;

	start = E.nlog < LOG_MAX ? 0 : E.logpos;
	for (i = 0; i < E.nlog; i++) {
		l = &E.log[(start + i) % LOG_MAX];
		json_array_append_new(all, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:i, s:s}", "at_ms", (json_int_t)l->at_ms, "method",
		    l->method, "path", l->path, "route", l->route, "status",
		    l->status, "fault", l->fault));
		(void)str_fmt(key, sizeof(key), "%s %s", l->method, l->route);
		c = json_object_get(counts, key);
		json_object_set_new(counts, key, json_integer(
		    (c != NULL ? json_integer_value(c) : 0) + 1));
	}
	emu_reply_new(r, 200, json_pack("{s:I, s:o, s:o}", "total",
	    (json_int_t)E.nrequests, "counts", counts, "requests", all), NULL);
}

static const char *
hook_state_name(enum hook_state s)
{
	switch (s) {
	case H_PENDING:		return "pending";
	case H_DELIVERED:	return "delivered";
	case H_FAILED:		return "failed";
	default:		return "dropped";
	}
}

static void
ctl_webhooks(struct emu_req *r)
{
	json_t	*all = json_array(), *hdrs;
	size_t	 i, k;

	for (i = 0; i < E.nhooks; i++) {
		struct hook *h = E.hooks[i];

		hdrs = json_object();
		for (k = 0; k < h->nheaders; k++)
			json_object_set_new(hdrs, h->hnames[k],
			    json_string(h->hvalues[k]));
		json_array_append_new(all, json_pack("{s:I, s:s, s:s, s:i, "
		    "s:i, s:s, s:o, s:s%}", "id", (json_int_t)h->id, "url",
		    h->url, "state", hook_state_name(h->state), "attempts",
		    h->attempts, "last_status", h->last_status, "last_error",
		    h->last_error, "headers", hdrs, "body", h->body, h->len));
	}
	emu_reply_new(r, 200, json_pack("{s:o}", "deliveries", all), NULL);
}

static void
ctl_webhooks_flush(struct emu_req *r)
{
	size_t	 i, pending = 0;

	/* answer first: the deliveries may call back into this sandbox's
	 * own host through nginx, which must not wait on us */
	for (i = 0; i < E.nhooks; i++)
		if (E.hooks[i]->state == H_PENDING)
			pending++;
	emu_reply_new(r, 202, json_pack("{s:I}", "flushing", (json_int_t)pending),
	    NULL);
	http_finish(r->http);
	pump(1);
}

static const struct emu_route control[] = {
	{ "POST",   "/_sandbox/reset",		ctl_reset,		0 },
	{ "GET",    "/_sandbox/faults",		ctl_faults_get,		0 },
	{ "POST",   "/_sandbox/faults",		ctl_faults_set,		0 },
	{ "DELETE", "/_sandbox/faults",		ctl_faults_clear,	0 },
	{ "POST",   "/_sandbox/clock",		ctl_clock,		0 },
	{ "GET",    "/_sandbox/requests",	ctl_requests,		0 },
	{ "GET",    "/_sandbox/webhooks",	ctl_webhooks,		0 },
	{ "POST",   "/_sandbox/webhooks/flush",	ctl_webhooks_flush,	0 },
	{ NULL, NULL, NULL, 0 }
};

/* --- the loop ----------------------------------------------------------- */

static const struct emu_route *
find(const struct emu_route *routes, struct emu_req *r, int *known)
{
	size_t	 i;

	for (i = 0; routes[i].method != NULL; i++) {
		if (!match(routes[i].pattern, r->http->path, r))
			continue;
		*known = 1;
		if (http_is(r->http, routes[i].method)) {
			r->route = routes[i].pattern;
			return &routes[i];
		}
	}
	return NULL;
}

static void
serve(struct emu_req *r)
{
	const struct emu_route	*rt;
	const struct rule	*ru = NULL;
	int			 known = 0;

	if ((rt = find(control, r, &known)) == NULL)
		rt = find(E.ch->routes, r, &known);
	if (rt == NULL) {
		if (known)
			emu_reply_error(r, 405, "Method not allowed");
		else
			emu_reply_error(r, 404, "Resource not found");
		record(r, "");
		return;
	}
	if (rt->api) {
		E.nrequests++;
		if ((ru = fault_for(r)) != NULL && apply_fault(r, ru)) {
			record(r, fault_names[ru->kind]);
			return;
		}
		if (E.ch->before != NULL && E.ch->before(r)) {
			record(r, ru != NULL ? fault_names[ru->kind] : "");
			return;
		}
	}
	rt->fn(r);
	if (rt->api)
		record(r, ru != NULL ? fault_names[ru->kind] : "");
}

int
emu_main(const struct emu_channel *ch)
{
	struct err		 e;
	struct http_req		 hr;
	struct emu_req		 r;
	struct pollfd		 pfd;
	struct sigaction	 sa;
	FCGX_Request		 fcgi;
	const char		*logfile;
	int			 wait;

	if ((logfile = getenv("STOCKHUB_LOG_FILE")) != NULL &&
	    freopen(logfile, "a", stderr) == NULL)
		return 1;
	log_init(ch->name);
	memset(&E, 0, sizeof(E));
	E.ch = ch;
	if ((E.log = calloc(LOG_MAX, sizeof(*E.log))) == NULL)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	reset_all();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgi, 0, 0) != 0) {
		log_error("FastCGI initialisation failed");
		return 1;
	}
	log_info("sandbox %s ready", ch->name);
	while (!stopping) {
		/* wait for a request, or until a webhook retry is due */
		pfd.fd = 0;
		pfd.events = POLLIN;
		wait = next_due();
		switch (poll(&pfd, 1, wait)) {
		case 0:
			pump(0);
			continue;
		case -1:
			/* a signal: the loop condition decides */
			continue;
		default:
			break;
		}
		if (FCGX_Accept_r(&fcgi) < 0)
			break;
		memset(&r, 0, sizeof(r));
		r.http = &hr;
		E.spoil = F_NONE;
		E.last_status = 0;
		err_clear(&e);
		if (http_req_read(&hr, &fcgi, BODY_MAX, &e) == -1)
			http_error_err(&hr, &e);
		else
			serve(&r);
		if (!hr.responded)
			emu_reply_error(&r, 500, "not answered");
		http_finish(&hr);
		http_req_free(&hr);
		pump(0);
	}
	log_info("sandbox %s stopping", ch->name);
	reset_all();
	json_decref(E.plan);
	free(E.log);
	curl_global_cleanup();
	return 0;
}
