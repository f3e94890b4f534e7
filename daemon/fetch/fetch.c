/*
 * fetch.c — libcurl multi driven by libevent.  One struct fetch_engine per
 * loop, one struct fetch_xfer per transfer (found through CURLOPT_PRIVATE),
 * one struct fetch_sock per socket curl asks us to watch.  Redirects are
 * followed by re-issuing the transfer ourselves rather than by curl, so each
 * hop's scheme is checked, loops and long chains are cut, and the caller
 * learns whether the feed moved permanently.  The open-socket hook refuses
 * private addresses after DNS resolution, so a feed (or a redirect, or a DNS
 * answer) cannot steer the daemon into the local network.
 */
#include "fetch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "util.h"

#define FETCH_MAX_HOPS_REMEMBERED 8

struct fetch_engine {
	struct event_base *base;  /* the daemon's loop (borrowed) */
	CURLM *multi;             /* all transfers */
	struct event *timer;      /* curl's requested timeout */
	struct fetch_xfer *xfers; /* in flight, doubly linked */
	size_t n_xfers;           /* length of that list */
};

struct fetch_sock {
	struct fetch_engine *eng;
	curl_socket_t fd;
	struct event *ev; /* read/write interest curl asked for */
};

struct fetch_xfer {
	struct fetch_engine *eng;
	struct fetch_xfer *prev, *next;
	CURL *easy;
	struct curl_slist *headers;               /* request headers, owned */
	struct fetch_request req;                 /* with owned string copies */
	char *url;                                /* the hop being fetched */
	char *visited[FETCH_MAX_HOPS_REMEMBERED]; /* earlier hops, for loops */
	int hops;           /* redirects followed so far */
	bool all_permanent; /* every hop so far was 301/308 */
	int64_t started_ms; /* monotonic start of the first hop */
	struct buf body;    /* decoded body of the current hop */
	bool too_big;       /* write callback stopped at max_body */
	bool refused;       /* open-socket hook refused an address */
	char refused_addr[INET6_ADDRSTRLEN];
	struct fetch_response resp; /* header fields of the current hop */
	fetch_done_fn done;
	void *arg;
};

static void fetch_check_done(struct fetch_engine *eng);

/* ---- address policy ---- */

static bool fetch_ipv4_private(uint32_t a)
{
	return (a >> 24) == 0 ||                 /* 0/8 "this network" */
	       (a >> 24) == 10 ||                /* 10/8 */
	       (a >> 24) == 127 ||               /* loopback */
	       (a >> 22) == (100u << 2 | 1) ||   /* 100.64/10 CGNAT */
	       (a >> 16) == (169u << 8 | 254) || /* link-local */
	       (a >> 20) == (172u << 4 | 1) ||   /* 172.16/12 */
	       (a >> 16) == (192u << 8 | 168) || /* 192.168/16 */
	       (a >> 28) >= 14; /* multicast, reserved, broadcast */
}

static bool fetch_addr_private(const struct sockaddr *sa, char *text,
                               size_t len)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, text, (socklen_t)len);
		return fetch_ipv4_private(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)sa;
		const uint8_t *b = in6->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
		                                   0, 0, 0, 0, 0xff, 0xff};

		inet_ntop(AF_INET6, &in6->sin6_addr, text, (socklen_t)len);
		if (memcmp(b, mapped, 12) == 0)
			return fetch_ipv4_private((uint32_t)b[12] << 24 |
			                          (uint32_t)b[13] << 16 |
			                          (uint32_t)b[14] << 8 | b[15]);
		if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr) ||
		    IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		return (b[0] & 0xfe) == 0xfc || /* fc00::/7 ULA */
		       (b[0] == 0xfe &&
		        (b[1] & 0xc0) == 0x80) || /* link-local */
		       b[0] == 0xff;              /* multicast */
	}
	snprintf(text, len, "family %d", sa->sa_family);
	return true; /* unknown families are never allowed */
}

static curl_socket_t fetch_opensocket_cb(void *clientp, curlsocktype purpose,
                                         struct curl_sockaddr *address)
{
	struct fetch_xfer *x = clientp;
	char text[INET6_ADDRSTRLEN];
	int fd;

	(void)purpose;
	if (fetch_addr_private(&address->addr, text, sizeof(text)) &&
	    !x->req.allow_private) {
		x->refused = true;
		snprintf(x->refused_addr, sizeof(x->refused_addr), "%s", text);
		return CURL_SOCKET_BAD;
	}
	fd = socket(address->family, address->socktype | SOCK_CLOEXEC,
	            address->protocol);
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

/* Runs for every request, also on a reused connection, which the open-
 * socket hook never sees (a connection made while private addresses were
 * still allowed, before a reload, say). */
static int fetch_prereq_cb(void *clientp, char *primary_ip, char *local_ip,
                           int primary_port, int local_port)
{
	struct fetch_xfer *x = clientp;
	struct sockaddr_storage ss;
	char text[INET6_ADDRSTRLEN];

	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (x->req.allow_private)
		return CURL_PREREQFUNC_OK;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, primary_ip,
	              &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, primary_ip,
	                   &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	if (fetch_addr_private((struct sockaddr *)&ss, text, sizeof(text))) {
		x->refused = true;
		snprintf(x->refused_addr, sizeof(x->refused_addr), "%s",
		         primary_ip);
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/* ---- response callbacks ---- */

static size_t fetch_write_cb(char *ptr, size_t size, size_t nmemb,
                             void *userdata)
{
	struct fetch_xfer *x = userdata;
	size_t n = size * nmemb;

	if (x->body.len + n > x->req.max_body) {
		x->too_big = true;
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	}
	if (buf_append(&x->body, ptr, n) < 0)
		return 0;
	return n;
}

/* Copies a header value without surrounding blanks or the CRLF. */
static char *fetch_header_value(const char *v, size_t len)
{
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
	               v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	return strndup(v, len);
}

static int64_t fetch_parse_delay(const char *v)
{
	char *end;
	long long secs;
	time_t when;

	if (!v || !*v)
		return -1;
	if (isdigit((unsigned char)*v)) {
		secs = strtoll(v, &end, 10);
		return *end == '\0' && secs >= 0 ? secs : -1;
	}
	when = curl_getdate(v, NULL);
	if (when < 0)
		return -1;
	return when > time(NULL) ? (int64_t)(when - time(NULL)) : 0;
}

static void fetch_reset_hop(struct fetch_xfer *x)
{
	free(x->resp.etag);
	free(x->resp.last_modified);
	free(x->resp.content_type);
	free(x->resp.link);
	x->resp.etag = x->resp.last_modified = x->resp.content_type = NULL;
	x->resp.link = NULL;
	x->resp.retry_after = -1;
	x->resp.max_age = -1;
	buf_reset(&x->body);
	x->too_big = false;
	x->refused = false;
}

static void fetch_set(char **slot, char *value)
{
	free(*slot);
	*slot = value;
}

static size_t fetch_header_cb(char *ptr, size_t size, size_t nmemb,
                              void *userdata)
{
	struct fetch_xfer *x = userdata;
	size_t n = size * nmemb, klen;
	const char *colon;
	char *v;

	/* A status line starts a new response (after 100 Continue, say). */
	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
		fetch_reset_hop(x);
		return n;
	}
	colon = memchr(ptr, ':', n);
	if (!colon)
		return n;
	klen = (size_t)(colon - ptr);
	v = fetch_header_value(colon + 1, n - klen - 1);
	if (!v)
		return 0;
#define IS(name) (klen == sizeof(name) - 1 && strncasecmp(ptr, name, klen) == 0)
	if (IS("etag"))
		fetch_set(&x->resp.etag, v);
	else if (IS("last-modified"))
		fetch_set(&x->resp.last_modified, v);
	else if (IS("content-type"))
		fetch_set(&x->resp.content_type, v);
	else if (IS("link"))
		fetch_set(&x->resp.link, v);
	else if (IS("retry-after")) {
		x->resp.retry_after = fetch_parse_delay(v);
		free(v);
	} else if (IS("cache-control")) {
		const char *m = strstr(v, "max-age=");

		/* max-age overrides Expires (RFC 9111 5.3). */
		if (m && isdigit((unsigned char)m[8]))
			x->resp.max_age = strtoll(m + 8, NULL, 10);
		free(v);
	} else if (IS("expires")) {
		if (x->resp.max_age < 0)
			x->resp.max_age = fetch_parse_delay(v);
		free(v);
	} else
		free(v);
#undef IS
	return n;
}

/* ---- transfer lifecycle ---- */

static void fetch_xfer_free(struct fetch_xfer *x)
{
	int i;

	if (!x)
		return;
	if (x->easy) {
		curl_multi_remove_handle(x->eng->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	if (x->prev)
		x->prev->next = x->next;
	else if (x->eng->xfers == x)
		x->eng->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	if (x->eng->n_xfers)
		x->eng->n_xfers--;
	curl_slist_free_all(x->headers);
	free((char *)x->req.url);
	free((char *)x->req.etag);
	free((char *)x->req.last_modified);
	free((char *)x->req.user_agent);
	free((char *)x->req.accept);
	free(x->url);
	for (i = 0; i < FETCH_MAX_HOPS_REMEMBERED; i++)
		free(x->visited[i]);
	fetch_reset_hop(x);
	buf_free(&x->body);
	free(x->resp.final_url);
	free(x->resp.permanent_url);
	free(x);
}

static bool fetch_url_allowed(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 ||
	       strncasecmp(url, "https://", 8) == 0;
}

/* Points easy at x->url with the time left of the overall budget. */
static int fetch_prepare_hop(struct fetch_xfer *x)
{
	int64_t left =
	    x->req.timeout_ms - (util_monotonic_ms() - x->started_ms);

	if (left <= 0)
		return -ETIMEDOUT;
	if (curl_easy_setopt(x->easy, CURLOPT_URL, x->url) != CURLE_OK ||
	    curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)left) !=
	        CURLE_OK)
		return -EINVAL;
	fetch_reset_hop(x);
	return 0;
}

static void fetch_finish(struct fetch_xfer *x, const char *error)
{
	struct fetch_response *r = &x->resp;

	if (error && error != r->errbuf)
		snprintf(r->errbuf, sizeof(r->errbuf), "%s", error);
	r->error = error ? r->errbuf : NULL;
	r->body = x->body.data;
	r->body_len = x->body.len;
	r->redirects = x->hops;
	r->duration_ms = util_monotonic_ms() - x->started_ms;
	if (!r->final_url)
		r->final_url = xstrdup(x->url);
	if (x->hops > 0 && x->all_permanent && !error)
		r->permanent_url = xstrdup(x->url);
	x->done(x->arg, r);
	r->body = NULL;
	fetch_xfer_free(x);
}

/* Handles a 3xx: validates the target and re-issues the transfer.
 * Returns true when the transfer goes on, false when it has finished. */
static bool fetch_follow(struct fetch_xfer *x, long status)
{
	char *target = NULL;
	int i;

	curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &target);
	if (!target)
		return false; /* a 3xx without Location: hand it over as is */
	if (!fetch_url_allowed(target)) {
		snprintf(x->resp.errbuf, sizeof(x->resp.errbuf),
		         "redirect to a non-http(s) URL refused");
		fetch_finish(x, x->resp.errbuf);
		return true;
	}
	if (x->hops >= x->req.max_redirects) {
		snprintf(x->resp.errbuf, sizeof(x->resp.errbuf),
		         "more than %d redirects", x->req.max_redirects);
		fetch_finish(x, x->resp.errbuf);
		return true;
	}
	for (i = 0; i < FETCH_MAX_HOPS_REMEMBERED; i++) {
		if ((x->visited[i] && strcmp(x->visited[i], target) == 0) ||
		    strcmp(x->req.url, target) == 0) {
			fetch_finish(x, "redirect loop");
			return true;
		}
	}
	if (x->hops < FETCH_MAX_HOPS_REMEMBERED)
		x->visited[x->hops] = x->url;
	else
		free(x->url);
	x->url = strdup(target);
	x->hops++;
	if (status != 301 && status != 308)
		x->all_permanent = false;
	curl_multi_remove_handle(x->eng->multi, x->easy);
	if (!x->url || fetch_prepare_hop(x) < 0) {
		fetch_finish(x, x->url ? "timed out following redirects"
		                       : "out of memory");
		return true;
	}
	if (curl_multi_add_handle(x->eng->multi, x->easy) != CURLM_OK) {
		fetch_finish(x, "could not restart transfer for redirect");
		return true;
	}
	return true;
}

static void fetch_completed(struct fetch_xfer *x, CURLcode code)
{
	long status = 0;
	char *eff = NULL;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	x->resp.status = status;
	if (code == CURLE_OK && status >= 300 && status < 400 &&
	    status != 304 && fetch_follow(x, status))
		return;
	curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eff);
	x->resp.final_url = xstrdup(eff ? eff : x->url);
	if (code == CURLE_OK) {
		fetch_finish(x, NULL);
		return;
	}
	if (x->too_big)
		snprintf(x->resp.errbuf, sizeof(x->resp.errbuf),
		         "body larger than %zu bytes", x->req.max_body);
	else if (x->refused)
		snprintf(x->resp.errbuf, sizeof(x->resp.errbuf),
		         "refused to connect to private address %s",
		         x->refused_addr);
	else if (code == CURLE_FILESIZE_EXCEEDED)
		snprintf(x->resp.errbuf, sizeof(x->resp.errbuf),
		         "declared body larger than %zu bytes",
		         x->req.max_body);
	else if (code == CURLE_OPERATION_TIMEDOUT)
		snprintf(x->resp.errbuf, sizeof(x->resp.errbuf),
		         "timed out: %s", curl_easy_strerror(code));
	else
		snprintf(x->resp.errbuf, sizeof(x->resp.errbuf), "%s",
		         curl_easy_strerror(code));
	fetch_finish(x, x->resp.errbuf);
}

static void fetch_check_done(struct fetch_engine *eng)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(eng->multi, &left))) {
		struct fetch_xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		                  (char **)&x);
		if (x)
			fetch_completed(x, msg->data.result);
	}
}

/* ---- libevent <-> curl glue ---- */

static void fetch_event_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct fetch_engine *eng = arg;
	int action = (kind & EV_READ ? CURL_CSELECT_IN : 0) |
	             (kind & EV_WRITE ? CURL_CSELECT_OUT : 0);
	int running = 0;

	curl_multi_socket_action(eng->multi, fd, action, &running);
	/* The timer is left to curl's timer callback: a redirect re-adds a
	 * handle inside fetch_check_done and arms it afresh. */
	fetch_check_done(eng);
}

static void fetch_timer_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct fetch_engine *eng = arg;
	int running = 0;

	(void)fd;
	(void)kind;
	curl_multi_socket_action(eng->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	fetch_check_done(eng);
}

static int fetch_multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct fetch_engine *eng = userp;
	struct timeval tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(eng->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	/* A zero timeout fires on the next loop turn, never re-entrantly. */
	return evtimer_add(eng->timer, &tv) == 0 ? 0 : -1;
}

static int fetch_sock_cb(CURL *easy, curl_socket_t s, int what, void *userp,
                         void *socketp)
{
	struct fetch_engine *eng = userp;
	struct fetch_sock *fs = socketp;
	short kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (fs) {
			event_free(fs->ev);
			free(fs);
			curl_multi_assign(eng->multi, s, NULL);
		}
		return 0;
	}
	if (!fs) {
		fs = calloc(1, sizeof(*fs));
		if (!fs)
			return -1;
		fs->eng = eng;
		fs->fd = s;
		curl_multi_assign(eng->multi, s, fs);
	} else if (fs->ev) {
		event_free(fs->ev);
		fs->ev = NULL;
	}
	kind = (short)((what & CURL_POLL_IN ? EV_READ : 0) |
	               (what & CURL_POLL_OUT ? EV_WRITE : 0) | EV_PERSIST);
	fs->ev = event_new(eng->base, s, kind, fetch_event_cb, eng);
	if (!fs->ev || event_add(fs->ev, NULL) < 0)
		return -1;
	return 0;
}

/* ---- public API ---- */

int fetch_engine_new(struct event_base *base, struct fetch_engine **out)
{
	struct fetch_engine *eng;
	static int global_done;

	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return -EIO;
		global_done = 1;
	}
	eng = calloc(1, sizeof(*eng));
	if (!eng)
		return -ENOMEM;
	eng->base = base;
	eng->multi = curl_multi_init();
	eng->timer = evtimer_new(base, fetch_timer_cb, eng);
	if (!eng->multi || !eng->timer) {
		fetch_engine_free(eng);
		return -ENOMEM;
	}
	curl_multi_setopt(eng->multi, CURLMOPT_SOCKETFUNCTION, fetch_sock_cb);
	curl_multi_setopt(eng->multi, CURLMOPT_SOCKETDATA, eng);
	curl_multi_setopt(eng->multi, CURLMOPT_TIMERFUNCTION,
	                  fetch_multi_timer_cb);
	curl_multi_setopt(eng->multi, CURLMOPT_TIMERDATA, eng);
	*out = eng;
	return 0;
}

void fetch_engine_free(struct fetch_engine *eng)
{
	if (!eng)
		return;
	while (eng->xfers)
		fetch_xfer_free(eng->xfers);
	if (eng->multi)
		curl_multi_cleanup(eng->multi);
	if (eng->timer)
		event_free(eng->timer);
	free(eng);
}

size_t fetch_in_flight(const struct fetch_engine *eng)
{
	return eng->n_xfers;
}

void fetch_cancel_all(struct fetch_engine *eng)
{
	while (eng->xfers)
		fetch_finish(eng->xfers, "cancelled");
}

static int fetch_setup_easy(struct fetch_xfer *x)
{
	CURL *e = x->easy;
	char line[1024];
	CURLcode c = CURLE_OK;

#define SET(opt, val)      \
	if (c == CURLE_OK) \
	c = curl_easy_setopt(e, opt, val)
	SET(CURLOPT_PRIVATE, (char *)x);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_ACCEPT_ENCODING, ""); /* every encoding this libcurl has */
	SET(CURLOPT_USERAGENT, x->req.user_agent);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)x->req.connect_timeout_ms);
	/* A server that drips bytes is cut off: under 64 bytes/s for 15 s. */
	SET(CURLOPT_LOW_SPEED_LIMIT, 64L);
	SET(CURLOPT_LOW_SPEED_TIME, 15L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->req.max_body);
	SET(CURLOPT_WRITEFUNCTION, fetch_write_cb);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HEADERFUNCTION, fetch_header_cb);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_OPENSOCKETFUNCTION, fetch_opensocket_cb);
	SET(CURLOPT_OPENSOCKETDATA, x);
	SET(CURLOPT_PREREQFUNCTION, fetch_prereq_cb);
	SET(CURLOPT_PREREQDATA, x);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
#undef SET
	if (c != CURLE_OK)
		return -EINVAL;
	snprintf(line, sizeof(line), "Accept: %s",
	         x->req.accept
	             ? x->req.accept
	             : "application/atom+xml, application/rss+xml, "
	               "application/feed+json, application/json;q=0.9, "
	               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8");
	if (!(x->headers = curl_slist_append(x->headers, line)))
		return -ENOMEM;
	if (x->req.etag && *x->req.etag) {
		snprintf(line, sizeof(line), "If-None-Match: %s", x->req.etag);
		if (!(x->headers = curl_slist_append(x->headers, line)))
			return -ENOMEM;
	}
	if (x->req.last_modified && *x->req.last_modified) {
		snprintf(line, sizeof(line), "If-Modified-Since: %s",
		         x->req.last_modified);
		if (!(x->headers = curl_slist_append(x->headers, line)))
			return -ENOMEM;
	}
	if (curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers) != CURLE_OK)
		return -EINVAL;
	return 0;
}

/* Header values come from the database; a CR or LF would let one inject
 * headers, so such values are not sent at all. */
static char *fetch_header_safe_dup(const char *s)
{
	if (!s || strpbrk(s, "\r\n"))
		return NULL;
	return strdup(s);
}

int fetch_start(struct fetch_engine *eng, const struct fetch_request *req,
                fetch_done_fn done, void *arg)
{
	struct fetch_xfer *x;
	int r;

	if (!req->url || !fetch_url_allowed(req->url))
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->eng = eng;
	x->done = done;
	x->arg = arg;
	x->all_permanent = true;
	x->started_ms = util_monotonic_ms();
	x->req = *req;
	x->req.url = strdup(req->url);
	x->req.etag = fetch_header_safe_dup(req->etag);
	x->req.last_modified = fetch_header_safe_dup(req->last_modified);
	x->req.user_agent =
	    strdup(req->user_agent ? req->user_agent : "demarche");
	x->req.accept = fetch_header_safe_dup(req->accept);
	x->url = strdup(req->url);
	x->resp.retry_after = x->resp.max_age = -1;
	/* Link it first so fetch_xfer_free can unlink on any error path. */
	x->next = eng->xfers;
	if (eng->xfers)
		eng->xfers->prev = x;
	eng->xfers = x;
	eng->n_xfers++;
	if (!x->req.url || !x->req.user_agent || !x->url) {
		r = -ENOMEM;
		goto out_free_xfer;
	}
	if (x->req.max_redirects <= 0)
		x->req.max_redirects = 5;
	if (x->req.timeout_ms <= 0)
		x->req.timeout_ms = 30000;
	if (x->req.connect_timeout_ms <= 0)
		x->req.connect_timeout_ms = 10000;
	if (!x->req.max_body)
		x->req.max_body = 8u << 20;
	x->easy = curl_easy_init();
	if (!x->easy) {
		r = -ENOMEM;
		goto out_free_xfer;
	}
	if ((r = fetch_setup_easy(x)) < 0 || (r = fetch_prepare_hop(x)) < 0)
		goto out_free_xfer;
	if (curl_multi_add_handle(eng->multi, x->easy) != CURLM_OK) {
		r = -EIO;
		goto out_free_xfer;
	}
	return 0;
out_free_xfer:
	fetch_xfer_free(x);
	return r;
}

void fetch_url_host(const char *url, char *out, size_t outlen)
{
	const char *p = strstr(url, "://"), *end;
	size_t n = 0;

	if (!outlen)
		return;
	out[0] = '\0';
	if (!p)
		return;
	p += 3;
	/* Skip userinfo. */
	end = p + strcspn(p, "/?#");
	{
		const char *at = memchr(p, '@', (size_t)(end - p));

		if (at)
			p = at + 1;
	}
	while (p < end && n + 1 < outlen) {
		out[n++] = (char)tolower((unsigned char)*p);
		p++;
	}
	out[n] = '\0';
}
