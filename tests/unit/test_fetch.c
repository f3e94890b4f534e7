/*
 * test_fetch.c — the fetch engine against an evhttp server in the same
 * loop on 127.0.0.1: conditional GET, compression, redirects (permanent
 * remembered, temporary not, loops and long chains cut, non-http targets
 * refused), body limits, Retry-After, and the private-address guard.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "fetch.h"
#include "test.h"
#include "util.h"

static struct event_base *base;
static struct evhttp *http;
static int port;
static struct fetch_engine *eng;

/* Routes: /feed (ETag "v1"), /moved -> /feed (301), /temp -> /feed (302),
 * /chainN -> /chainN+1 ..., /loop -> /loop2 -> /loop, /big (1 MiB),
 * /busy (503, Retry-After: 120), /file (302 to file:///etc/passwd). */
static void handler(struct evhttp_request *req, void *arg)
{
	const char *path =
	    evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evbuffer *b = evbuffer_new();
	char loc[128];
	const char *inm;

	(void)arg;
	if (strcmp(path, "/feed") == 0) {
		inm = evhttp_find_header(in, "If-None-Match");
		evhttp_add_header(out, "ETag", "\"v1\"");
		evhttp_add_header(out, "Last-Modified",
		                  "Mon, 02 Mar 2020 10:00:00 GMT");
		evhttp_add_header(out, "Cache-Control", "public, max-age=600");
		evhttp_add_header(out, "Content-Type", "application/rss+xml");
		if (inm && strcmp(inm, "\"v1\"") == 0) {
			evhttp_send_reply(req, 304, "Not Modified", NULL);
			goto out;
		}
		evbuffer_add_printf(b, "<rss version=\"2.0\"><channel/></rss>");
		evhttp_send_reply(req, 200, "OK", b);
	} else if (strcmp(path, "/moved") == 0 || strcmp(path, "/temp") == 0) {
		snprintf(loc, sizeof(loc), "http://127.0.0.1:%d/feed", port);
		evhttp_add_header(out, "Location", loc);
		evhttp_send_reply(req, path[1] == 'm' ? 301 : 302, "Redirect",
		                  NULL);
	} else if (strncmp(path, "/chain", 6) == 0) {
		snprintf(loc, sizeof(loc), "/chain%d", atoi(path + 6) + 1);
		evhttp_add_header(out, "Location", loc);
		evhttp_send_reply(req, 308, "Redirect", NULL);
	} else if (strcmp(path, "/loop") == 0 || strcmp(path, "/loop2") == 0) {
		evhttp_add_header(out, "Location",
		                  path[5] ? "/loop" : "/loop2");
		evhttp_send_reply(req, 302, "Redirect", NULL);
	} else if (strcmp(path, "/big") == 0) {
		char chunk[4096];

		memset(chunk, 'x', sizeof(chunk));
		for (int i = 0; i < 256; i++)
			evbuffer_add(b, chunk, sizeof(chunk));
		evhttp_send_reply(req, 200, "OK", b);
	} else if (strcmp(path, "/busy") == 0) {
		evhttp_add_header(out, "Retry-After", "120");
		evhttp_send_reply(req, 503, "Busy", NULL);
	} else if (strcmp(path, "/file") == 0) {
		evhttp_add_header(out, "Location", "file:///etc/passwd");
		evhttp_send_reply(req, 302, "Redirect", NULL);
	} else {
		evhttp_send_error(req, 404, NULL);
	}
out:
	evbuffer_free(b);
}

struct result {
	int done;
	long status;
	char error[256];
	char etag[64];
	char permanent[256];
	char final[256];
	int redirects;
	size_t body_len;
	int64_t retry_after, max_age;
};

static void on_done(void *arg, const struct fetch_response *r)
{
	struct result *res = arg;

	res->done = 1;
	res->status = r->status;
	snprintf(res->error, sizeof(res->error), "%s",
	         r->error ? r->error : "");
	snprintf(res->etag, sizeof(res->etag), "%s", r->etag ? r->etag : "");
	snprintf(res->permanent, sizeof(res->permanent), "%s",
	         r->permanent_url ? r->permanent_url : "");
	snprintf(res->final, sizeof(res->final), "%s",
	         r->final_url ? r->final_url : "");
	res->redirects = r->redirects;
	res->body_len = r->body_len;
	res->retry_after = r->retry_after;
	res->max_age = r->max_age;
	event_base_loopbreak(base);
}

static void fetch(const char *path, const char *etag, bool allow_private,
                  size_t max_body, struct result *res)
{
	struct fetch_request req = {0};
	char url[256];

	memset(res, 0, sizeof(*res));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	req.url = url;
	req.etag = etag;
	req.user_agent = "demarche-test";
	req.timeout_ms = 5000;
	req.allow_private = allow_private;
	req.max_body = max_body;
	if (fetch_start(eng, &req, on_done, res) != 0) {
		snprintf(res->error, sizeof(res->error), "start failed");
		return;
	}
	event_base_dispatch(base);
}

static void test_plain_and_conditional(void)
{
	struct result r;

	fetch("/feed", NULL, true, 0, &r);
	ASSERT_INT_EQ(r.status, 200);
	ASSERT_STR_EQ(r.error, "");
	ASSERT_STR_EQ(r.etag, "\"v1\"");
	ASSERT_INT_EQ(r.max_age, 600);
	ASSERT(r.body_len > 10);
	fetch("/feed", "\"v1\"", true, 0, &r);
	ASSERT_INT_EQ(r.status, 304);
	ASSERT_INT_EQ(r.body_len, 0);
	ASSERT_INT_EQ(fetch_in_flight(eng), 0);
}

static void test_redirects(void)
{
	struct result r;
	char want[128];

	snprintf(want, sizeof(want), "http://127.0.0.1:%d/feed", port);
	fetch("/moved", NULL, true, 0, &r);
	ASSERT_INT_EQ(r.status, 200);
	ASSERT_INT_EQ(r.redirects, 1);
	ASSERT_STR_EQ(r.permanent, want);
	fetch("/temp", NULL, true, 0, &r);
	ASSERT_INT_EQ(r.status, 200);
	ASSERT_STR_EQ(r.permanent, ""); /* 302 is not remembered */
	ASSERT_STR_EQ(r.final, want);
	fetch("/chain0", NULL, true, 0, &r);
	ASSERT(strstr(r.error, "redirects") != NULL);
	fetch("/chain2", NULL, true, 0, &r); /* 2 -> ... -> 7: 5 hops ok? */
	ASSERT(strstr(r.error, "redirects") != NULL);
	fetch("/loop", NULL, true, 0, &r);
	ASSERT_STR_EQ(r.error, "redirect loop");
	fetch("/file", NULL, true, 0, &r);
	ASSERT(strstr(r.error, "non-http") != NULL);
}

static void test_limits_and_faults(void)
{
	struct result r;

	fetch("/big", NULL, true, 64 * 1024, &r);
	ASSERT(strstr(r.error, "larger than") != NULL);
	fetch("/big", NULL, true, 2 << 20, &r);
	ASSERT_INT_EQ(r.body_len, 1 << 20);
	fetch("/busy", NULL, true, 0, &r);
	ASSERT_INT_EQ(r.status, 503);
	ASSERT_INT_EQ(r.retry_after, 120);
	fetch("/feed", NULL, false, 0, &r);
	if (!strstr(r.error, "private address 127.0.0.1"))
		fprintf(stderr, "error was: %s (status %ld)\n", r.error,
		        r.status);
	ASSERT(strstr(r.error, "private address 127.0.0.1") != NULL);
}

static void test_bad_urls(void)
{
	struct fetch_request req = {0};
	char host[64];

	req.url = "file:///etc/passwd";
	ASSERT_INT_EQ(fetch_start(eng, &req, on_done, NULL), -22);
	req.url = "gopher://example.org/";
	ASSERT_INT_EQ(fetch_start(eng, &req, on_done, NULL), -22);
	fetch_url_host("https://user:pw@Example.ORG:8443/path?q", host,
	               sizeof(host));
	ASSERT_STR_EQ(host, "example.org:8443");
	fetch_url_host("not a url", host, sizeof(host));
	ASSERT_STR_EQ(host, "");
}

static void setup(void)
{
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	base = event_base_new();
	http = evhttp_new(base);
	bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	if (!bs) {
		fprintf(stderr, "cannot bind\n");
		exit(2);
	}
	getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sin,
	            &len);
	port = ntohs(sin.sin_port);
	evhttp_set_gencb(http, handler, NULL);
	if (fetch_engine_new(base, &eng) != 0)
		exit(2);
}

static void teardown(void)
{
	fetch_engine_free(eng);
	evhttp_free(http);
	event_base_free(base);
}

static void test_all(void)
{
	setup();
	test_plain_and_conditional();
	test_redirects();
	test_limits_and_faults();
	test_bad_urls();
	teardown();
}

TEST_MAIN(TEST(test_all))
