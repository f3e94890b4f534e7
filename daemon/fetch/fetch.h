/*
 * fetch.h — HTTP(S) transfers on libcurl's multi interface, driven by the
 * daemon's libevent loop (the hiperfifo pattern: curl tells us which
 * sockets to watch and when to wake it; finished transfers are drained with
 * curl_multi_info_read).  A request carries the feed's validators and
 * limits; redirects are followed here, hop by hop, so every hop is checked
 * (http/https only, no private addresses unless allowed) and a chain of
 * permanent redirects can be remembered by the caller.
 */
#ifndef DEMARCHE_FETCH_H
#define DEMARCHE_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct fetch_engine; /* opaque: one per event loop */

struct fetch_request {
	const char *url;
	const char *etag;          /* sent as If-None-Match, or NULL */
	const char *last_modified; /* sent as If-Modified-Since, or NULL */
	const char *user_agent;
	const char *accept; /* Accept header, or NULL for a feed default */
	int64_t timeout_ms; /* whole transfer, all hops */
	int64_t connect_timeout_ms;
	size_t max_body;    /* decoded bytes; larger bodies fail */
	bool allow_private; /* may connect to loopback/private/link-local */
	int max_redirects;  /* hops followed; more is an error */
};

struct fetch_response {
	long status; /* final HTTP status, 0 when none */
	char *body;  /* NUL-terminated, decoded; NULL when none */
	size_t body_len;
	char *etag; /* validators of the final response, or NULL */
	char *last_modified;
	char *content_type;
	char *link;      /* the Link header (RFC 8288) as sent, or NULL */
	char *final_url; /* URL of the final response */
	char
	    *permanent_url; /* set when every hop was 301/308: the feed moved */
	int redirects;      /* hops followed */
	int64_t retry_after; /* seconds, or -1 (Retry-After on 429/503) */
	int64_t max_age;     /* seconds from Cache-Control/Expires, or -1 */
	int64_t duration_ms;
	const char *error; /* NULL on a completed HTTP exchange, else why
	                    * it failed (points into errbuf) */
	char errbuf[256];
};

/* Called once per fetch_start() from the event loop; resp is borrowed and
 * valid only during the call. */
typedef void (*fetch_done_fn)(void *arg, const struct fetch_response *resp);

/* Returns 0 and a *new* engine, or a negative errno. */
int fetch_engine_new(struct event_base *base, struct fetch_engine **out);
/* Cancels whatever is in flight (callbacks are NOT called) and frees. */
void fetch_engine_free(struct fetch_engine *eng);
/* Starts a transfer; the request's strings are copied.  Returns 0 or a
 * negative errno (-EINVAL for a URL that is not http(s)). */
int fetch_start(struct fetch_engine *eng, const struct fetch_request *req,
                fetch_done_fn done, void *arg);
/* Transfers in flight. */
size_t fetch_in_flight(const struct fetch_engine *eng);
/* Aborts every transfer in flight, calling each callback with
 * error "cancelled" (used on shutdown after the grace period). */
void fetch_cancel_all(struct fetch_engine *eng);

/* The host part of an http(s) URL, lower-cased, into out; "" if none. */
void fetch_url_host(const char *url, char *out, size_t outlen);

#endif
