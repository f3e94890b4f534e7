/*
 * demo_server.h — a tiny static file server on 127.0.0.1 inside the
 * daemon's own loop, used by `demarched --demo` to serve the bundled sample
 * feeds so the quick start runs offline.  It answers conditional requests
 * (ETag / Last-Modified) like a well-behaved feed host.
 */
#ifndef DEMARCHE_DEMO_SERVER_H
#define DEMARCHE_DEMO_SERVER_H

struct event_base;
struct demo_server; /* opaque */

/* Serves the regular files directly inside dir on 127.0.0.1:port.
 * Returns 0 and a *new* server, or a negative errno. */
int demo_server_start(struct event_base *base, const char *dir, int port,
                      struct demo_server **out);
void demo_server_free(struct demo_server *srv);

#endif
