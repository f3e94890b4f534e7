/*
 * demo_server.c — libevent's evhttp serving one folder, read-only.  Only
 * plain file names are accepted (no slashes, no dot files), so a request
 * can never leave the folder.
 */
#include "demo_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "util.h"

struct demo_server {
	struct evhttp *http; /* bound to 127.0.0.1 */
	char *dir;           /* the folder served */
};

static const char *demo_content_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot)
		return "application/octet-stream";
	if (strcmp(dot, ".xml") == 0 || strcmp(dot, ".rss") == 0)
		return "application/rss+xml; charset=utf-8";
	if (strcmp(dot, ".atom") == 0)
		return "application/atom+xml; charset=utf-8";
	if (strcmp(dot, ".json") == 0)
		return "application/feed+json; charset=utf-8";
	return "text/plain; charset=utf-8";
}

static void demo_handle(struct evhttp_request *req, void *arg)
{
	struct demo_server *srv = arg;
	const char *path =
	    evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *inm, *ims;
	char file[4096], etag[64], lm[64], *data = NULL;
	struct evbuffer *body;
	struct stat st;
	struct tm tm;
	size_t len;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_send_error(req, 405, NULL);
		return;
	}
	if (!path || path[0] != '/' || !path[1] || strchr(path + 1, '/') ||
	    path[1] == '.') {
		evhttp_send_error(req, 404, NULL);
		return;
	}
	snprintf(file, sizeof(file), "%s/%s", srv->dir, path + 1);
	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode)) {
		evhttp_send_error(req, 404, NULL);
		return;
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	         (unsigned long long)st.st_size,
	         (unsigned long long)st.st_mtime);
	gmtime_r(&st.st_mtime, &tm);
	strftime(lm, sizeof(lm), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	evhttp_add_header(out, "ETag", etag);
	evhttp_add_header(out, "Last-Modified", lm);
	inm = evhttp_find_header(evhttp_request_get_input_headers(req),
	                         "If-None-Match");
	ims = evhttp_find_header(evhttp_request_get_input_headers(req),
	                         "If-Modified-Since");
	if ((inm && strcmp(inm, etag) == 0) ||
	    (!inm && ims && strcmp(ims, lm) == 0)) {
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return;
	}
	if (util_read_file(file, 64u << 20, &data, &len) < 0) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	body = evbuffer_new();
	if (!body) {
		free(data);
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add(body, data, len);
	free(data);
	evhttp_add_header(out, "Content-Type", demo_content_type(file));
	evhttp_send_reply(req, 200, "OK", body);
	evbuffer_free(body);
}

int demo_server_start(struct event_base *base, const char *dir, int port,
                      struct demo_server **out)
{
	struct demo_server *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return -ENOMEM;
	srv->dir = strdup(dir);
	srv->http = evhttp_new(base);
	if (!srv->dir || !srv->http) {
		demo_server_free(srv);
		return -ENOMEM;
	}
	if (evhttp_bind_socket(srv->http, "127.0.0.1", (ev_uint16_t)port) !=
	    0) {
		demo_server_free(srv);
		return -EADDRINUSE;
	}
	evhttp_set_gencb(srv->http, demo_handle, srv);
	*out = srv;
	return 0;
}

void demo_server_free(struct demo_server *srv)
{
	if (!srv)
		return;
	if (srv->http)
		evhttp_free(srv->http);
	free(srv->dir);
	free(srv);
}
