/*
 * feedserver.c — the local feed server of the tests: libevent's evhttp on
 * 127.0.0.1 (a random port unless -p), serving fixture files and generated
 * feeds, with faults injected per request through the query string so one
 * server covers every case a test needs:
 *
 *   status=N        answer N (with retry_after=S: a Retry-After header)
 *   delay_ms=N      answer after N ms
 *   redirect=URL    answer `code` (default 301) with Location: URL
 *   drip=N          send the body N bytes per second
 *   gzip=1          gzip the body (Content-Encoding: gzip)
 *   bomb=N          a gzip body that inflates to N MiB of zeros
 *   size=N          a body of N bytes ('x' repeated)
 *   noetag=1        no ETag / Last-Modified (no conditional GET)
 * Otherwise a 200 carries an ETag (a hash of the body) and a fixed
 * Last-Modified, and a request that matches them (If-None-Match, else
 * If-Modified-Since) gets a 304.
 *   ctype=T         Content-Type override
 *   stall=1         read the request, never answer
 *   truncate=1      declare the full Content-Length, send half, close
 *
 * Redirect paths: /hop/<n>/<rest> answers 308 to /hop/<n-1>/<rest>, and
 * /hop/0/<rest> answers 308 to /<rest>, so n+1 hops lead to <rest>;
 * /loop/a and /loop/b answer 302 to each other.
 *
 * Generated feeds: /gen/<name>.xml?items=K[&base=B] is an RSS 2.0 feed of K
 * items with guids <name>-<B..B+K-1>, stable across requests; with
 * grow=S&cap=C it gains one item every S seconds of uptime, C at most.
 *
 * Telegram channel previews: /tg/s/<NAME>[?before=ID] is a preview page of
 * a channel of K posts (K the digits ending NAME, 30 if none) with ids
 * 2..K+1 after the service message 1 ("Channel created"), 20 per page,
 * oldest first, with the load-more marker while older ones exist.  Post 5
 * is forwarded from @china_embassy_xx (post 55; from @source60 when NAME
 * starts "relay", so a channel source60 holds it), 7 edited, 10 on two lines,
 * 12 a reply; the header says 1.23M subscribers.  A NAME starting "nopreview"
 * gives the app's page (no messages).  So telegram_base = BASE/tg.
 * Ids listed (one a line) in the fixture files tg/NAME.deleted and
 * tg/NAME.hidden are left out of the pages; /tg/NAME/ID?embed=1 is one
 * post's embed page, Telegram's "Post not found" box (200) for a deleted
 * or unknown id, the post for any other (a hidden one too).
 *
 * YouTube: /yt/feeds/videos.xml?channel_id=ID serves the fixture file
 * youtube/ID.xml, so youtube_base = BASE/yt.
 *
 * Who reposted a post (the amplification watch):
 * /xrpc/app.bsky.feed.getRepostedBy?uri=at://.../RKEY[&limit=N][&cursor=C]
 * and /api/v1/statuses/ID/reblogged_by[?limit=N][&max_id=C] list the
 * reposters of the fixture file reposters/RKEY (or reposters/ID), one a
 * line "handle|createdAt|followers|display name" (empty fields left
 * out), N per page (default 50) from offset C: Bluesky gets a "cursor"
 * while more remain, Mastodon a Link header with rel="next".  While a
 * file reposters/KEY.429 exists, the first request for KEY answers 429
 * with its content as Retry-After and removes the file.
 *
 * Every request is appended to the log file (-l) as one line:
 *   <ms since start> <method> <uri> <status> inm=<If-None-Match or ->
 *   ims=<If-Modified-Since or -> ua=<User-Agent>
 * The bound port is written to the port file (-P) once listening.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/queue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <zlib.h>

#include "util.h"

struct server {
	struct event_base *base;
	struct evhttp *http;
	const char *dir;    /* fixture root */
	FILE *log;          /* request log, or NULL */
	int64_t started_ms; /* monotonic start, for log times */
};

struct pending {
	struct server *srv;
	struct evhttp_request *req;
	struct evbuffer *body; /* what is left to send */
	struct event *ev;
	int status;
	size_t drip; /* bytes per tick when dripping */
	bool started;
};

static unsigned long long fnv1a(const char *data, size_t len)
{
	unsigned long long h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)data[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void log_request(struct server *srv, struct evhttp_request *req,
                        int status)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const char *inm = evhttp_find_header(in, "If-None-Match");
	const char *ims = evhttp_find_header(in, "If-Modified-Since");
	const char *ua = evhttp_find_header(in, "User-Agent");

	if (!srv->log)
		return;
	fprintf(srv->log, "%lld %s %s %d inm=%s ims=%s ua=%s\n",
	        (long long)(util_monotonic_ms() - srv->started_ms),
	        evhttp_request_get_command(req) == EVHTTP_REQ_HEAD ? "HEAD"
	                                                           : "GET",
	        evhttp_request_get_uri(req), status, inm ? inm : "-",
	        ims ? ims : "-", ua ? ua : "-");
	fflush(srv->log);
}

static int gzip_buf(const char *in, size_t len, struct buf *out)
{
	z_stream zs;
	unsigned char chunk[16384];
	int r;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		r = deflate(&zs, Z_FINISH);
		buf_append(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (r == Z_OK);
	deflateEnd(&zs);
	return r == Z_STREAM_END ? 0 : -1;
}

/* A gzip stream of mib MiB of zeros, produced without holding them. */
static int gzip_bomb(size_t mib, struct buf *out)
{
	static char zeros[1 << 20];
	unsigned char chunk[16384];
	z_stream zs;
	size_t i;
	int r = Z_OK;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	for (i = 0; i <= mib; i++) {
		zs.next_in = (unsigned char *)zeros;
		zs.avail_in = i < mib ? sizeof(zeros) : 0;
		do {
			zs.next_out = chunk;
			zs.avail_out = sizeof(chunk);
			r = deflate(&zs, i < mib ? Z_NO_FLUSH : Z_FINISH);
			buf_append(out, chunk, sizeof(chunk) - zs.avail_out);
		} while (zs.avail_out == 0);
	}
	deflateEnd(&zs);
	return r == Z_STREAM_END ? 0 : -1;
}

static void generate_feed(const char *name, long items, long base,
                          struct buf *out)
{
	long k;

	buf_printf(
	    out,
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<rss version=\"2.0\"><channel><title>Generated %s</title>"
	    "<link>http://127.0.0.1/%s</link><description>test</description>\n",
	    name, name);
	for (k = base; k < base + items; k++)
		buf_printf(out,
		           "<item><guid isPermaLink=\"false\">%s-%ld</guid>"
		           "<title>Post %ld of %s</title>"
		           "<link>http://127.0.0.1/%s/%ld</link>"
		           "<description>Routine statement number %ld from "
		           "%s.</description>"
		           "<pubDate>Mon, 02 Mar 2020 %02ld:%02ld:00 "
		           "GMT</pubDate></item>\n",
		           name, k, k, name, name, k, k, name, (k / 60) % 24,
		           k % 60);
	buf_puts(out, "</channel></rss>\n");
}

static void tg_message(struct buf *out, const char *name, long id)
{
	buf_printf(out,
	           "<div class=\"tgme_widget_message_wrap "
	           "js-widget_message_wrap\"><div class=\"tgme_widget_message "
	           "text_not_supported_wrap js-widget_message%s\" "
	           "data-post=\"%s/%ld\"><div "
	           "class=\"tgme_widget_message_bubble\">\n",
	           id == 1 ? " service_message" : "", name, id);
	if (id == 1) {
		buf_puts(out, "<div class=\"tgme_widget_message_service_date\">"
		              "Channel created</div></div></div></div>\n");
		return;
	}
	if (id == 5)
		buf_printf(out,
		           "<div class=\"tgme_widget_message_forwarded_from "
		           "accent_color\">Forwarded from <a "
		           "class=\"tgme_widget_message_forwarded_from_name\" "
		           "href=\"https://t.me/%s/55\"><span "
		           "dir=\"auto\">Chinese Embassy</span></a></div>\n",
		           strncmp(name, "relay", 5) == 0 ? "source60"
		                                          : "china_embassy_xx");
	if (id == 12)
		buf_printf(out,
		           "<a class=\"tgme_widget_message_reply\" "
		           "href=\"https://t.me/%s/11\"><div "
		           "class=\"tgme_widget_message_metatext "
		           "js-message_reply_text\">Statement number 10"
		           "</div></a>\n",
		           name);
	buf_puts(out, "<div class=\"tgme_widget_message_text js-message_text\" "
	              "dir=\"auto\">");
	if (id == 5)
		buf_puts(out,
		         "The US Army may have brought the virus to Wuhan.");
	else if (id == 10)
		buf_printf(out, "Statement number %ld of %s.<br/>Second line.",
		           id, name);
	else
		buf_printf(out,
		           "Statement number %ld of <b>%s</b>. <i "
		           "class=\"emoji\"><b>\xf0\x9f\x91\x89</b></i>",
		           id, name);
	buf_printf(out,
	           "</div>\n<div class=\"tgme_widget_message_footer compact "
	           "js-message_footer\"><div class=\"tgme_widget_message_info "
	           "short js-message_info\"><span "
	           "class=\"tgme_widget_message_views\">%ld.%ldK</span><span "
	           "class=\"tgme_widget_message_meta\">%s<a "
	           "class=\"tgme_widget_message_date\" "
	           "href=\"https://t.me/%s/%ld\"><time "
	           "datetime=\"2020-03-%02ldT%02ld:00:00+00:00\" "
	           "class=\"time\">x</time></a></span></div></div>"
	           "</div></div></div>\n",
	           id, id % 10, id == 7 ? "edited " : "", name, id, 1 + id / 24,
	           id % 24);
}

/* Whether id is listed in the fixture file tg/NAME.EXT. */
static bool tg_listed(const char *dir, const char *name, const char *ext,
                      long id)
{
	char path[4096], line[64];
	bool found = false;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/tg/%s.%s", dir, name, ext);
	fp = fopen(path, "r");
	if (!fp)
		return false;
	while (!found && fgets(line, sizeof(line), fp))
		found = atol(line) == id;
	fclose(fp);
	return found;
}

/* The number of posts of channel NAME: the digits ending it, else 30. */
static long tg_count(const char *name)
{
	size_t n = strlen(name);

	while (n > 0 && name[n - 1] >= '0' && name[n - 1] <= '9')
		n--;
	return name[n] ? atol(name + n) : 30;
}

/* One post's embed page (t.me/NAME/ID?embed=1). */
static void tg_embed(const char *dir, const char *name, long id,
                     struct buf *out)
{
	buf_puts(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	              "</head><body class=\"widget_frame_base\">\n");
	if (id < 2 || id > tg_count(name) + 1 ||
	    tg_listed(dir, name, "deleted", id))
		buf_puts(out, "<div class=\"tgme_widget_message_error\">"
		              "Post not found</div>\n");
	else
		tg_message(out, name, id);
	buf_puts(out, "</body></html>\n");
}

/* A Telegram channel's preview page; see the top of the file. */
static void tg_page(const char *dir, const char *name, long before,
                    struct buf *out)
{
	long k = tg_count(name), upto, from, id;

	buf_printf(out,
	           "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	           "<title>Channel %s</title></head><body>\n",
	           name);
	if (strncmp(name, "nopreview", 9) == 0) {
		buf_printf(out,
		           "<div class=\"tgme_page\"><div "
		           "class=\"tgme_page_title\">%s</div><a "
		           "class=\"tgme_action_button_new\" "
		           "href=\"tg://resolve\">View in Telegram</a>"
		           "</div></body></html>\n",
		           name);
		return;
	}
	buf_printf(out,
	           "<div class=\"tgme_channel_info\"><div "
	           "class=\"tgme_channel_info_header\"><div "
	           "class=\"tgme_channel_info_header_title\"><span "
	           "dir=\"auto\">Channel %s</span></div></div><div "
	           "class=\"tgme_channel_info_counters\"><div "
	           "class=\"tgme_channel_info_counter\"><span "
	           "class=\"counter_value\">1.23M</span> <span "
	           "class=\"counter_type\">subscribers</span></div><div "
	           "class=\"tgme_channel_info_counter\"><span "
	           "class=\"counter_value\">12</span> <span "
	           "class=\"counter_type\">photos</span></div></div></div>\n"
	           "<section class=\"tgme_channel_history "
	           "js-message_history\">\n",
	           name);
	upto = before > 0 ? before - 1 : k + 1;
	if (upto > k + 1)
		upto = k + 1;
	from = upto - 19 > 1 ? upto - 19 : 1;
	if (from > 1)
		buf_printf(
		    out,
		    "<div class=\"tgme_widget_message_centered "
		    "js-messages_more_wrap\"><a href=\"/s/%s?before=%ld\" "
		    "class=\"tme_messages_more js-messages_more\" "
		    "data-before=\"%ld\"></a></div>\n",
		    name, from, from);
	for (id = from; id <= upto; id++)
		if (!tg_listed(dir, name, "deleted", id) &&
		    !tg_listed(dir, name, "hidden", id))
			tg_message(out, name, id);
	buf_puts(out, "</section></body></html>\n");
}

static void pending_free(struct pending *p)
{
	if (p->ev)
		event_free(p->ev);
	if (p->body)
		evbuffer_free(p->body);
	free(p);
}

static void drip_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;
	struct evbuffer *chunk;
	struct timeval one = {1, 0};

	(void)fd;
	(void)what;
	if (!p->started) {
		evhttp_send_reply_start(p->req, p->status, "OK");
		p->started = true;
	}
	if (evbuffer_get_length(p->body) == 0) {
		evhttp_send_reply_end(p->req);
		pending_free(p);
		return;
	}
	chunk = evbuffer_new();
	evbuffer_remove_buffer(p->body, chunk, p->drip);
	evhttp_send_reply_chunk(p->req, chunk);
	evbuffer_free(chunk);
	event_add(p->ev, &one);
}

static void delayed_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;

	(void)fd;
	(void)what;
	evhttp_send_reply(p->req, p->status, "Delayed", p->body);
	pending_free(p);
}

static void close_later(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	evhttp_connection_free(arg);
}

static bool safe_path(const char *path)
{
	return path && path[0] == '/' && !strstr(path, "..") &&
	       !strstr(path, "//");
}

/* One reposter line "handle|createdAt|followers|name" as a JSON object of
 * the platform's shape into out. */
static void rp_actor(struct buf *out, char *line, bool bluesky)
{
	char *f[4] = {line, NULL, NULL, NULL}, *p = line;
	int i;

	for (i = 1; i < 4 && (p = strchr(p, '|')); i++) {
		*p++ = '\0';
		f[i] = p;
	}
	if (bluesky)
		buf_printf(out, "{\"did\": \"did:plc:%s\", \"handle\": \"%s\"",
		           f[0], f[0]);
	else
		buf_printf(out, "{\"id\": \"1\", \"acct\": \"%s\"", f[0]);
	if (f[1] && *f[1])
		buf_printf(out, ", \"%s\": \"%s\"",
		           bluesky ? "createdAt" : "created_at", f[1]);
	if (f[2] && *f[2])
		buf_printf(out, ", \"%s\": %s",
		           bluesky ? "followersCount" : "followers_count",
		           f[2]);
	if (f[3] && *f[3])
		buf_printf(out, ", \"%s\": \"%s\"",
		           bluesky ? "displayName" : "display_name", f[3]);
	buf_puts(out, "}");
}

/* The reposters of key, a page of limit from offset; see the top.
 * Returns the HTTP status. */
static int rp_page(struct server *srv, struct evhttp_request *req,
                   const char *key, bool bluesky, long limit, long offset,
                   struct buf *body)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	char file[4096], *data = NULL, *line, *save = NULL;
	size_t len = 0;
	long n = 0, shown = 0;

	if (!*key || strchr(key, '/') || key[0] == '.')
		return 404;
	snprintf(file, sizeof(file), "%s/reposters/%s.429", srv->dir, key);
	if (util_read_file(file, 4096, &data, &len) == 0) {
		data[strcspn(data, "\r\n")] = '\0';
		evhttp_add_header(out, "Retry-After", data);
		free(data);
		unlink(file);
		buf_puts(body, "{\"error\": \"RateLimitExceeded\"}");
		return 429;
	}
	snprintf(file, sizeof(file), "%s/reposters/%s", srv->dir, key);
	if (util_read_file(file, 256u << 20, &data, &len) < 0)
		return 404;
	if (limit <= 0)
		limit = 50;
	buf_puts(body, bluesky ? "{\"repostedBy\": [" : "[");
	for (line = strtok_r(data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!*line)
			continue;
		if (n++ < offset || shown >= limit)
			continue;
		if (shown++)
			buf_puts(body, ",\n");
		rp_actor(body, line, bluesky);
	}
	free(data);
	buf_puts(body, "]");
	if (bluesky && offset + shown < n)
		buf_printf(body, ", \"cursor\": \"%ld\"", offset + shown);
	if (bluesky)
		buf_puts(body, "}");
	if (!bluesky && offset + shown < n) {
		const char *host = evhttp_find_header(
		    evhttp_request_get_input_headers(req), "Host");
		char link[1024];

		snprintf(
		    link, sizeof(link),
		    "<http://%s/api/v1/statuses/%s/reblogged_by?limit=%ld&"
		    "max_id=%ld>; rel=\"next\", <http://%s/api/v1/statuses/"
		    "%s/reblogged_by?limit=%ld&since_id=0>; rel=\"prev\"",
		    host ? host : "127.0.0.1", key, limit, offset + shown,
		    host ? host : "127.0.0.1", key, limit);
		evhttp_add_header(out, "Link", link);
	}
	evhttp_add_header(out, "Content-Type", "application/json");
	return 200;
}

static void handle(struct evhttp_request *req, void *arg)
{
	struct server *srv = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(uri),
	           *query = evhttp_uri_get_query(uri);
	struct evkeyvalq params, *out = evhttp_request_get_output_headers(req);
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const char *v, *inm;
	struct buf body = {0};
	char file[4096], etag[64];
	int status = 200;
	char *data = NULL;
	size_t len = 0;
	struct evbuffer *eb;

	memset(&params, 0, sizeof(params));
	TAILQ_INIT(&params);
	if (query)
		evhttp_parse_query_str(query, &params);

	if (evhttp_find_header(&params, "stall")) {
		/* Never answered: the client's timeout must end it.  evhttp
		 * frees the request when the client goes away. */
		log_request(srv, req, 0);
		goto out;
	}
	if (path && strncmp(path, "/hop/", 5) == 0) {
		char loc[2048];
		long n = strtol(path + 5, NULL, 10);
		const char *rest = strchr(path + 5, '/');

		if (!rest)
			rest = "/";
		if (n > 0)
			snprintf(loc, sizeof(loc), "/hop/%ld%s%s%s", n - 1,
			         rest, query ? "?" : "", query ? query : "");
		else
			snprintf(loc, sizeof(loc), "%s%s%s", rest,
			         query ? "?" : "", query ? query : "");
		evhttp_add_header(out, "Location", loc);
		log_request(srv, req, 308);
		evhttp_send_reply(req, 308, "Permanent Redirect", NULL);
		goto out;
	}
	if (path && strncmp(path, "/loop/", 6) == 0) {
		evhttp_add_header(out, "Location",
		                  path[6] == 'a' ? "/loop/b" : "/loop/a");
		log_request(srv, req, 302);
		evhttp_send_reply(req, 302, "Found", NULL);
		goto out;
	}
	if ((v = evhttp_find_header(&params, "redirect"))) {
		const char *code = evhttp_find_header(&params, "code");

		status = code ? atoi(code) : 301;
		evhttp_add_header(out, "Location", v);
		log_request(srv, req, status);
		evhttp_send_reply(req, status, "Moved", NULL);
		goto out;
	}
	if ((v = evhttp_find_header(&params, "status"))) {
		status = atoi(v);
		if ((v = evhttp_find_header(&params, "retry_after")))
			evhttp_add_header(out, "Retry-After", v);
		buf_printf(&body, "injected status %d\n", status);
	} else if ((v = evhttp_find_header(&params, "size"))) {
		size_t n = strtoul(v, NULL, 10);

		buf_reserve(&body, n);
		memset(body.data, 'x', n);
		body.len = n;
		body.data[n] = '\0';
	} else if ((v = evhttp_find_header(&params, "bomb"))) {
		gzip_bomb(strtoul(v, NULL, 10), &body);
		evhttp_add_header(out, "Content-Encoding", "gzip");
	} else if (path && strncmp(path, "/gen/", 5) == 0) {
		char name[128];
		const char *items = evhttp_find_header(&params, "items");
		const char *base = evhttp_find_header(&params, "base");
		size_t n = strcspn(path + 5, ".");

		snprintf(name, sizeof(name), "%.*s", (int)(n < 100 ? n : 100),
		         path + 5);
		const char *grow = evhttp_find_header(&params, "grow");
		const char *cap = evhttp_find_header(&params, "cap");
		long n_items = items ? atol(items) : 5;

		/* grow=S&cap=C: one more item every S seconds of server
		 * uptime, at most C more, so feeds change while polled. */
		if (grow && atol(grow) > 0) {
			long more =
			    (long)((util_monotonic_ms() - srv->started_ms) /
			           1000 / atol(grow));

			n_items += cap && more > atol(cap) ? atol(cap) : more;
		}
		generate_feed(name, n_items, base ? atol(base) : 0, &body);
	} else if (path &&
	           (strcmp(path, "/xrpc/app.bsky.feed.getRepostedBy") == 0 ||
	            (strncmp(path, "/api/v1/statuses/", 17) == 0 &&
	             strstr(path, "/reblogged_by")))) {
		bool bsky = path[1] == 'x';
		const char *u = evhttp_find_header(&params, "uri"),
		           *lim = evhttp_find_header(&params, "limit"),
		           *off = evhttp_find_header(&params, bsky ? "cursor"
		                                                   : "max_id");
		char key[256] = "";

		if (bsky && u && strrchr(u, '/'))
			snprintf(key, sizeof(key), "%s", strrchr(u, '/') + 1);
		else if (!bsky)
			snprintf(key, sizeof(key), "%.*s",
			         (int)strcspn(path + 17, "/"), path + 17);
		status = rp_page(srv, req, key, bsky, lim ? atol(lim) : 0,
		                 off ? atol(off) : 0, &body);
		if (status == 404) {
			log_request(srv, req, status);
			evhttp_send_error(req, status, NULL);
			goto out;
		}
	} else if (path && strncmp(path, "/tg/s/", 6) == 0 && safe_path(path)) {
		const char *before = evhttp_find_header(&params, "before");

		tg_page(srv->dir, path + 6, before ? atol(before) : 0, &body);
		evhttp_add_header(out, "Content-Type",
		                  "text/html; charset=utf-8");
	} else if (path && strncmp(path, "/tg/", 4) == 0 && safe_path(path) &&
	           strchr(path + 4, '/') &&
	           evhttp_find_header(&params, "embed")) {
		char name[128];
		const char *slash = strchr(path + 4, '/');
		size_t n = (size_t)(slash - (path + 4));

		snprintf(name, sizeof(name), "%.*s", (int)(n < 100 ? n : 100),
		         path + 4);
		tg_embed(srv->dir, name, atol(slash + 1), &body);
		evhttp_add_header(out, "Content-Type",
		                  "text/html; charset=utf-8");
	} else if (path && strcmp(path, "/yt/feeds/videos.xml") == 0 &&
	           (v = evhttp_find_header(&params, "channel_id")) &&
	           !strchr(v, '/') && !strchr(v, '.')) {
		snprintf(file, sizeof(file), "%s/youtube/%s.xml", srv->dir, v);
		if (util_read_file(file, 256u << 20, &data, &len) < 0) {
			status = 404;
			log_request(srv, req, status);
			evhttp_send_error(req, status, NULL);
			goto out;
		}
		buf_append(&body, data, len);
		free(data);
	} else {
		if (!safe_path(path)) {
			status = 404;
			log_request(srv, req, status);
			evhttp_send_error(req, status, NULL);
			goto out;
		}
		snprintf(file, sizeof(file), "%s%s", srv->dir, path);
		if (util_read_file(file, 256u << 20, &data, &len) < 0) {
			status = 404;
			log_request(srv, req, status);
			evhttp_send_error(req, status, NULL);
			goto out;
		}
		buf_append(&body, data, len);
		free(data);
	}
	if (status == 200 && !evhttp_find_header(&params, "noetag")) {
		snprintf(etag, sizeof(etag), "\"%016llx\"",
		         fnv1a(body.data ? body.data : "", body.len));
		evhttp_add_header(out, "ETag", etag);
		evhttp_add_header(out, "Last-Modified",
		                  "Mon, 02 Mar 2020 10:00:00 GMT");
		inm = evhttp_find_header(in, "If-None-Match");
		/* If-Modified-Since counts only without If-None-Match
		 * (RFC 9110, 13.2.2). */
		v = inm ? NULL : evhttp_find_header(in, "If-Modified-Since");
		if ((inm && strcmp(inm, etag) == 0) ||
		    (v && strcmp(v, "Mon, 02 Mar 2020 10:00:00 GMT") == 0)) {
			log_request(srv, req, 304);
			evhttp_send_reply(req, 304, "Not Modified", NULL);
			goto out;
		}
	}
	if (!evhttp_find_header(out, "Content-Type"))
		evhttp_add_header(out, "Content-Type",
		                  (v = evhttp_find_header(&params, "ctype"))
		                      ? v
		                      : "application/xml; charset=utf-8");
	if (evhttp_find_header(&params, "gzip") && status == 200) {
		struct buf gz = {0};

		if (gzip_buf(body.data ? body.data : "", body.len, &gz) == 0) {
			buf_free(&body);
			body = gz;
			evhttp_add_header(out, "Content-Encoding", "gzip");
		} else
			buf_free(&gz);
	}
	log_request(srv, req, status);
	eb = evbuffer_new();
	evbuffer_add(eb, body.data ? body.data : "", body.len);
	if (evhttp_find_header(&params, "truncate") && body.len > 1) {
		struct evbuffer *half = evbuffer_new();
		char cl[32];

		snprintf(cl, sizeof(cl), "%zu", body.len);
		evhttp_add_header(out, "Content-Length", cl);
		evhttp_send_reply_start(req, status, "OK");
		evbuffer_remove_buffer(eb, half, body.len / 2);
		evhttp_send_reply_chunk(req, half);
		evbuffer_free(half);
		evbuffer_free(eb);
		/* Closing once the half is on the wire leaves the body short
		 * of its declared length. */
		event_base_once(srv->base, -1, EV_TIMEOUT, close_later,
		                evhttp_request_get_connection(req),
		                &(struct timeval){0, 200000});
		goto out;
	}
	if ((v = evhttp_find_header(&params, "drip")) ||
	    evhttp_find_header(&params, "delay_ms")) {
		struct pending *p = calloc(1, sizeof(*p));
		struct timeval tv = {0, 0};
		long ms;

		p->srv = srv;
		p->req = req;
		p->body = eb;
		p->status = status;
		if (v) {
			p->drip = strtoul(v, NULL, 10);
			if (!p->drip)
				p->drip = 1;
			p->ev = evtimer_new(srv->base, drip_cb, p);
		} else {
			p->ev = evtimer_new(srv->base, delayed_cb, p);
			ms = atol(evhttp_find_header(&params, "delay_ms"));
			tv.tv_sec = ms / 1000;
			tv.tv_usec = (ms % 1000) * 1000;
		}
		event_add(p->ev, &tv);
		goto out;
	}
	evhttp_send_reply(req, status, status == 200 ? "OK" : "Injected", eb);
	evbuffer_free(eb);
out:
	buf_free(&body);
	evhttp_clear_headers(&params);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopexit(arg, NULL);
}

int main(int argc, char **argv)
{
	struct server srv = {0};
	struct evhttp_bound_socket *bound;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	const char *port_file = NULL, *log_file = NULL;
	struct event *sigterm, *sigint;
	int ch, port = 0;

	srv.dir = ".";
	while ((ch = getopt(argc, argv, "d:p:P:l:")) != -1) {
		switch (ch) {
		case 'd':
			srv.dir = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'P':
			port_file = optarg;
			break;
		case 'l':
			log_file = optarg;
			break;
		default:
			fprintf(stderr, "usage: feedserver [-d DIR] [-p PORT] "
			                "[-P PORTFILE] [-l LOG]\n");
			return 64;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (log_file && !(srv.log = fopen(log_file, "a"))) {
		perror(log_file);
		return 1;
	}
	srv.started_ms = util_monotonic_ms();
	srv.base = event_base_new();
	srv.http = evhttp_new(srv.base);
	bound = evhttp_bind_socket_with_handle(srv.http, "127.0.0.1",
	                                       (ev_uint16_t)port);
	if (!bound) {
		fprintf(stderr, "feedserver: cannot bind 127.0.0.1:%d\n", port);
		return 1;
	}
	getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&sin,
	            &slen);
	port = ntohs(sin.sin_port);
	evhttp_set_gencb(srv.http, handle, &srv);
	evhttp_set_allowed_methods(srv.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	sigterm = evsignal_new(srv.base, SIGTERM, on_signal, srv.base);
	sigint = evsignal_new(srv.base, SIGINT, on_signal, srv.base);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	if (port_file) {
		char tmp[4096];
		FILE *fp;

		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		fp = fopen(tmp, "w");
		if (!fp || fprintf(fp, "%d\n", port) < 0 || fclose(fp) != 0 ||
		    rename(tmp, port_file) != 0) {
			perror(port_file);
			return 1;
		}
	}
	printf("feedserver listening on 127.0.0.1:%d serving %s\n", port,
	       srv.dir);
	fflush(stdout);
	event_base_dispatch(srv.base);
	event_free(sigterm);
	event_free(sigint);
	evhttp_free(srv.http);
	event_base_free(srv.base);
	if (srv.log)
		fclose(srv.log);
	return 0;
}
