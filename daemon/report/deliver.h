/*
 * deliver.h — the channels a report goes out through: a file in a folder,
 * a mail through SMTP, a JSON POST to a webhook.  The mail is built here
 * (deliver_mail_build, pure: headers encoded per RFC 2047, a
 * multipart/alternative body with a text and an HTML part in base64) and
 * sent with libcurl; nothing that came from a feed can add a header line.
 * Functions return 0 or a negative errno with a one-line reason in err;
 * they do not log.
 */
#ifndef DEMARCHE_DELIVER_H
#define DEMARCHE_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/*
 * Writes data to dir/name (name "base.ext"): a temporary file, fsync, then
 * a hard link to the final name, which fails rather than replace a file;
 * when the name is taken, "base-2.ext", "base-3.ext" ... are tried.  dir
 * is created when missing (not its parents).  The path written is put in
 * path_out (a *new* string).
 */
int deliver_file(const char *dir, const char *base, const char *ext,
                 const char *data, size_t len, char **path_out, char *err,
                 size_t errlen);

/* A report file's base name for period [from, to):
 * "demarche-report-20200301T000000Z-20200308T000000Z" (buf >= 64). */
void deliver_file_base(int64_t from, int64_t to, char *buf, size_t len);

struct deliver_mail {
	const char *from;      /* bare address */
	const char *const *to; /* bare addresses */
	size_t n_to;
	const char *subject;    /* UTF-8, any length; CR/LF are dropped */
	const char *text;       /* text/plain body (UTF-8) */
	const char *html;       /* text/html body, or NULL for text only */
	int64_t date;           /* UTC epoch seconds of the Date header */
	const char *message_id; /* unique part of the Message-ID, e.g. a
	                         * random hex string; NULL makes one from
	                         * the date */
};

/* Builds the whole RFC 5322 message with CRLF line ends into out.
 * Returns 0, -EINVAL (an address with characters no address has) or
 * -ENOMEM. */
int deliver_mail_build(const struct deliver_mail *m, struct buf *out);

/* Appends s as an RFC 2047 header value: unchanged when it is printable
 * ASCII, else B-encoded UTF-8 words of at most 75 characters that never
 * split a character, folded onto continuation lines.  CR, LF and other
 * controls become spaces.  Returns 0 or -ENOMEM. */
int deliver_header_encode(struct buf *out, const char *s);

struct deliver_smtp {
	const char *url;      /* smtp://host[:port] or smtps://host[:port] */
	const char *user;     /* or NULL */
	const char *password; /* or NULL */
	int starttls;         /* smtp:// must upgrade to TLS */
	const char *ca_file;  /* CA bundle to verify the server, or NULL */
	long timeout;         /* seconds for the whole exchange */
};

/* Sends a built message.  Returns 0 or a negative errno (-ECONNREFUSED,
 * -ETIMEDOUT, -EACCES for a refused login, -EIO otherwise). */
int deliver_mail_send(const struct deliver_smtp *smtp, const char *from,
                      const char *const *to, size_t n_to, const char *msg,
                      size_t len, char *err, size_t errlen);

/* POSTs json to an http(s) URL with Content-Type application/json; any
 * status outside 2xx is a failure (-EPROTO), redirects are not followed.
 * The URL comes from the config, so private addresses are allowed. */
int deliver_webhook(const char *url, const char *json, size_t len, long timeout,
                    char *err, size_t errlen);

/* The SMTP password: the first line of file, else of
 * $CREDENTIALS_DIRECTORY/smtp_password (systemd LoadCredential=).  Returns
 * 0 with a *new* string in *out (NULL when neither exists and file is
 * NULL), or a negative errno. */
int deliver_read_password(const char *file, char **out, char *err,
                          size_t errlen);

#endif
