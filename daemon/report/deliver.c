/*
 * deliver.c — report delivery channels (see deliver.h): an atomic,
 * never-overwriting file; a MIME mail through libcurl's SMTP; a webhook
 * POST.  Header values are built only from the config's addresses and an
 * encoded subject, with every control character removed first, so post
 * text that reaches a subject cannot start a header line of its own.
 * libcurl's codes are translated to errno values here.
 */
#include "deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "date.h"
#include "util.h"

/* ----------------------------------------------------------------- file */

void deliver_file_base(int64_t from, int64_t to, char *buf, size_t len)
{
	char a[DATE_RFC3339_LEN], b[DATE_RFC3339_LEN], ca[24], cb[24];
	size_t i, j;

	date_format_rfc3339(from, a);
	date_format_rfc3339(to, b);
	/* 2020-03-01T00:00:00Z -> 20200301T000000Z: no ':' in file names. */
	for (i = j = 0; a[i] && j + 1 < sizeof(ca); i++)
		if (a[i] != '-' && a[i] != ':')
			ca[j++] = a[i];
	ca[j] = '\0';
	for (i = j = 0; b[i] && j + 1 < sizeof(cb); i++)
		if (b[i] != '-' && b[i] != ':')
			cb[j++] = b[i];
	cb[j] = '\0';
	snprintf(buf, len, "demarche-report-%s-%s", ca, cb);
}

int deliver_file(const char *dir, const char *base, const char *ext,
                 const char *data, size_t len, char **path_out, char *err,
                 size_t errlen)
{
	struct buf tmp = {0}, dst = {0};
	char *real = NULL;
	mode_t mask;
	int fd = -1, dfd, rc, i;

	*path_out = NULL;
	/* The folder itself is made on first use (one level, like a
	 * systemd StateDirectory's subfolder). */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot create the folder: %s", dir,
		         strerror(errno));
		return rc;
	}
	/* The path reported back is the canonical one ("a/../b" -> "b"). */
	real = realpath(dir, NULL);
	if (real)
		dir = real;
	if (buf_printf(&tmp, "%s/.%s.%s.tmpXXXXXX", dir, base, ext) < 0) {
		rc = -ENOMEM;
		goto out_free_paths;
	}
	fd = mkstemp(tmp.data);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot create a file: %s", dir,
		         strerror(errno));
		goto out_free_paths;
	}
	mask = umask(0);
	umask(mask);
	rc = fchmod(fd, 0666 & ~mask) < 0 ? -errno : 0;
	if (rc == 0)
		rc = util_write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", tmp.data, strerror(-rc));
		goto out_unlink;
	}
	/* link() never replaces an existing name, unlike rename(). */
	for (i = 1; i < 1000; i++) {
		buf_reset(&dst);
		rc = i == 1
		         ? buf_printf(&dst, "%s/%s.%s", dir, base, ext)
		         : buf_printf(&dst, "%s/%s-%d.%s", dir, base, i, ext);
		if (rc < 0)
			goto out_unlink;
		if (link(tmp.data, dst.data) == 0)
			break;
		if (errno != EEXIST) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s", dst.data,
			         strerror(errno));
			goto out_unlink;
		}
	}
	if (i == 1000) {
		rc = -EEXIST;
		snprintf(err, errlen, "%s/%s: too many reports of this period",
		         dir, base);
		goto out_unlink;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		unlink(tmp.data);
		fsync(dfd);
		close(dfd);
	}
	*path_out = buf_steal(&dst);
	rc = *path_out ? 0 : -ENOMEM;
out_unlink:
	unlink(tmp.data);
out_free_paths:
	buf_free(&tmp);
	buf_free(&dst);
	free(real);
	return rc;
}

/* ----------------------------------------------------------------- mail */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int base64_put(struct buf *out, const unsigned char *p, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i + 2 < n && rc == 0; i += 3) {
		char q[4] = {b64[p[i] >> 2],
		             b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
		             b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)],
		             b64[p[i + 2] & 63]};

		rc = buf_append(out, q, 4);
	}
	if (rc == 0 && n - i == 1) {
		char q[4] = {b64[p[i] >> 2], b64[(p[i] & 3) << 4], '=', '='};

		rc = buf_append(out, q, 4);
	} else if (rc == 0 && n - i == 2) {
		char q[4] = {b64[p[i] >> 2],
		             b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
		             b64[(p[i + 1] & 15) << 2], '='};

		rc = buf_append(out, q, 4);
	}
	return rc;
}

/* A body in base64, 76 characters a line (57 input bytes). */
static int base64_body(struct buf *out, const char *s)
{
	size_t len = strlen(s), i;
	int rc = 0;

	for (i = 0; i < len && rc == 0; i += 57) {
		rc = base64_put(out, (const unsigned char *)s + i,
		                len - i < 57 ? len - i : 57);
		if (rc == 0)
			rc = buf_puts(out, "\r\n");
	}
	return rc;
}

/* The length of the UTF-8 sequence starting with c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

int deliver_header_encode(struct buf *out, const char *s)
{
	struct buf clean = {0};
	bool ascii = true;
	size_t i, start, n;
	int rc = 0;
	const char *p;

	/* Controls (CR and LF above all) become spaces. */
	for (p = s ? s : ""; *p && rc == 0; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			c = ' ';
		if (c >= 0x80)
			ascii = false;
		rc = buf_putc(&clean, (char)c);
	}
	if (rc < 0 || !clean.data)
		goto out_free_clean;
	/* "=?" in plain text would read as an encoded word: encode it. */
	if (ascii && !strstr(clean.data, "=?") && clean.len <= 900) {
		rc = buf_puts(out, clean.data);
		goto out_free_clean;
	}
	/* =?UTF-8?B?...?= holds 75 characters: 12 of frame, 63 of base64,
	 * so at most 45 bytes of text per word, cut between characters. */
	for (start = 0; start < clean.len && rc == 0; start = i) {
		for (i = start; i < clean.len; i += n) {
			n = utf8_len((unsigned char)clean.data[i]);
			if (i + n > clean.len)
				n = clean.len - i;
			if (i + n - start > 45)
				break;
		}
		if (i == start)
			i = start + 1;
		if (start > 0)
			rc = buf_puts(out, "\r\n ");
		if (rc == 0)
			rc = buf_puts(out, "=?UTF-8?B?");
		if (rc == 0)
			rc = base64_put(
			    out, (const unsigned char *)clean.data + start,
			    i - start);
		if (rc == 0)
			rc = buf_puts(out, "?=");
	}
out_free_clean:
	buf_free(&clean);
	return rc;
}

/* An address may go into a header and the SMTP envelope only when it
 * holds no space, control, angle bracket, comma or quote. */
static bool address_ok(const char *a)
{
	const unsigned char *p = (const unsigned char *)a;

	if (!a || !*a || !strchr(a, '@'))
		return false;
	for (; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("<>,;\"()[]\\", *p))
			return false;
	return true;
}

int deliver_mail_build(const struct deliver_mail *m, struct buf *out)
{
	static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed",
	                                 "Thu", "Fri", "Sat"};
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
	                                  "May", "Jun", "Jul", "Aug",
	                                  "Sep", "Oct", "Nov", "Dec"};
	char boundary[64], idbuf[40];
	const char *domain;
	time_t t = (time_t)m->date;
	struct tm tm;
	size_t i;
	int rc;

	if (!address_ok(m->from) || m->n_to == 0)
		return -EINVAL;
	for (i = 0; i < m->n_to; i++)
		if (!address_ok(m->to[i]))
			return -EINVAL;
	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	domain = strchr(m->from, '@') + 1;
	if (!m->message_id) {
		snprintf(idbuf, sizeof(idbuf), "%lld.%ld", (long long)m->date,
		         (long)getpid());
	} else {
		/* Only the characters a message id may hold. */
		size_t j = 0;

		for (i = 0; m->message_id[i] && j + 1 < sizeof(idbuf); i++)
			if (strchr("0123456789abcdefghijklmnopqrstuvwxyz"
			           "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-_",
			           m->message_id[i]))
				idbuf[j++] = m->message_id[i];
		idbuf[j] = '\0';
	}
	/* "=_" cannot occur in base64 text, so no body line can match. */
	snprintf(boundary, sizeof(boundary), "=_demarche_%s", idbuf);

	rc = buf_printf(out, "From: %s\r\nTo: ", m->from);
	for (i = 0; i < m->n_to && rc == 0; i++)
		rc = buf_printf(out, "%s%s", i ? ",\r\n " : "", m->to[i]);
	if (rc == 0)
		rc = buf_puts(out, "\r\nSubject: ");
	if (rc == 0)
		rc = deliver_header_encode(out, m->subject);
	if (rc == 0)
		rc = buf_printf(out,
		                "\r\nDate: %s, %02d %s %04d %02d:%02d:%02d "
		                "+0000\r\nMessage-ID: <%s@%s>\r\n"
		                "MIME-Version: 1.0\r\nAuto-Submitted: "
		                "auto-generated\r\n",
		                wd[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon],
		                tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		                tm.tm_sec, idbuf, domain);
	if (rc == 0 && m->html)
		rc = buf_printf(out,
		                "Content-Type: multipart/alternative; "
		                "boundary=\"%s\"\r\n\r\nThis is a MIME message "
		                "with a text and an HTML version.\r\n\r\n"
		                "--%s\r\n",
		                boundary, boundary);
	if (rc == 0)
		rc = buf_puts(out, "Content-Type: text/plain; charset=utf-8\r\n"
		                   "Content-Transfer-Encoding: base64\r\n\r\n");
	if (rc == 0)
		rc = base64_body(out, m->text ? m->text : "");
	if (rc == 0 && m->html) {
		rc = buf_printf(out,
		                "\r\n--%s\r\nContent-Type: text/html; "
		                "charset=utf-8\r\nContent-Transfer-Encoding: "
		                "base64\r\n\r\n",
		                boundary);
		if (rc == 0)
			rc = base64_body(out, m->html);
		if (rc == 0)
			rc = buf_printf(out, "\r\n--%s--\r\n", boundary);
	}
	return rc;
}

/* The upload side of a curl transfer: a message in memory. */
struct upload {
	const char *data; /* the message (borrowed) */
	size_t left;      /* bytes not yet handed to curl */
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->left)
		n = u->left;
	memcpy(ptr, u->data, n);
	u->data += n;
	u->left -= n;
	return n;
}

static size_t discard_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * nmemb;
}

static int errno_from_curl(CURLcode c)
{
	switch (c) {
	case CURLE_OK:
		return 0;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
		return -EACCES;
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
		return -EPROTO;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return -EINVAL;
	default:
		return -EIO;
	}
}

int deliver_mail_send(const struct deliver_smtp *smtp, const char *from,
                      const char *const *to, size_t n_to, const char *msg,
                      size_t len, char *err, size_t errlen)
{
	struct upload up = {msg, len};
	struct curl_slist *rcpt = NULL, *x;
	char cerr[CURL_ERROR_SIZE] = "";
	CURLcode c = CURLE_OUT_OF_MEMORY;
	CURL *h;
	size_t i;
	int rc;

	if (!address_ok(from)) {
		snprintf(err, errlen, "mail: bad sender address");
		return -EINVAL;
	}
	for (i = 0; i < n_to; i++) {
		if (!address_ok(to[i])) {
			snprintf(err, errlen, "mail: bad recipient address");
			curl_slist_free_all(rcpt);
			return -EINVAL;
		}
		x = curl_slist_append(rcpt, to[i]);
		if (!x) {
			curl_slist_free_all(rcpt);
			snprintf(err, errlen, "mail: out of memory");
			return -ENOMEM;
		}
		rcpt = x;
	}
	h = curl_easy_init();
	if (!h)
		goto out_free_rcpt;
	if (curl_easy_setopt(h, CURLOPT_URL, smtp->url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps") !=
	        CURLE_OK)
		goto out_cleanup_curl;
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_TIMEOUT,
	                 smtp->timeout > 0 ? smtp->timeout : 120L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* TLS is always verified; a private CA is named, never skipped. */
	if (smtp->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, smtp->ca_file);
	/* smtps:// is TLS from the start; smtp:// upgrades with STARTTLS
	 * and, unless told otherwise, refuses to go on without it. */
	if (smtp->starttls)
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (smtp->user)
		curl_easy_setopt(h, CURLOPT_USERNAME, smtp->user);
	if (smtp->password)
		curl_easy_setopt(h, CURLOPT_PASSWORD, smtp->password);
	c = curl_easy_perform(h);
out_cleanup_curl:
	curl_easy_cleanup(h);
out_free_rcpt:
	curl_slist_free_all(rcpt);
	rc = errno_from_curl(c);
	if (rc < 0)
		snprintf(err, errlen, "mail via %s: %s", smtp->url,
		         cerr[0] ? cerr : curl_easy_strerror(c));
	return rc;
}

int deliver_webhook(const char *url, const char *json, size_t len, long timeout,
                    char *err, size_t errlen)
{
	struct curl_slist *headers = NULL, *x;
	char cerr[CURL_ERROR_SIZE] = "";
	CURLcode c = CURLE_OUT_OF_MEMORY;
	long status = 0;
	CURL *h;
	int rc;

	x = curl_slist_append(headers, "Content-Type: application/json");
	if (!x) {
		snprintf(err, errlen, "webhook: out of memory");
		return -ENOMEM;
	}
	headers = x;
	h = curl_easy_init();
	if (!h)
		goto out_free_headers;
	if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") !=
	        CURLE_OK)
		goto out_cleanup_curl;
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "demarche-report");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout > 0 ? timeout : 60L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	c = curl_easy_perform(h);
	if (c == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
out_cleanup_curl:
	curl_easy_cleanup(h);
out_free_headers:
	curl_slist_free_all(headers);
	rc = errno_from_curl(c);
	if (rc < 0) {
		snprintf(err, errlen, "webhook %s: %s", url,
		         cerr[0] ? cerr : curl_easy_strerror(c));
		return rc;
	}
	if (status < 200 || status > 299) {
		snprintf(err, errlen, "webhook %s: HTTP status %ld", url,
		         status);
		return -EPROTO;
	}
	return 0;
}

int deliver_read_password(const char *file, char **out, char *err,
                          size_t errlen)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	struct buf path = {0};
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (file) {
		rc = buf_puts(&path, file);
	} else if (creds && *creds) {
		rc = buf_printf(&path, "%s/smtp_password", creds);
	} else {
		return 0;
	}
	if (rc < 0)
		return -ENOMEM;
	rc = util_read_file(path.data, 4096, &text, &len);
	if (rc == -ENOENT && !file) {
		rc = 0; /* no credential given: no login */
		goto out_free_text;
	}
	if (rc < 0) {
		snprintf(err, errlen, "smtp password %s: %s", path.data,
		         strerror(-rc));
		goto out_free_text;
	}
	text[strcspn(text, "\r\n")] = '\0';
	*out = text;
	text = NULL;
out_free_text:
	free(text);
	buf_free(&path);
	return rc;
}
