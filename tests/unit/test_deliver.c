/*
 * test_deliver.c — the delivery channels: RFC 2047 subjects (decoded back
 * and checked for length and for injected header lines), the MIME message
 * (both alternatives decode to what went in), report files that never
 * overwrite one another, the SMTP password sources, and the webhook POST
 * against a real libevent evhttp receiver in a child process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "deliver.h"
#include "test.h"
#include "util.h"

static int b64val(char c)
{
	const char *a =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(a, c);

	return c && p ? (int)(p - a) : -1;
}

/* Decodes base64 (ignoring line breaks) and appends to out. */
static void b64dec(const char *s, size_t n, struct buf *out)
{
	unsigned v = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int d = b64val(s[i]);

		if (d < 0)
			continue;
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (char)((v >> bits) & 0xff));
		}
	}
}

/* Decodes a header value made of =?UTF-8?B?...?= words. */
static char *decode_words(const char *v)
{
	struct buf out = {0};
	const char *p = v, *q;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		p += 10;
		q = strstr(p, "?=");
		if (!q)
			break;
		b64dec(p, (size_t)(q - p), &out);
		p = q + 2;
	}
	return buf_steal(&out);
}

static void test_subject_ascii(void)
{
	struct buf b = {0};

	REQUIRE(deliver_header_encode(&b, "demarche report 2020-03-01") == 0);
	ASSERT_STR_EQ(b.data, "demarche report 2020-03-01");
	buf_free(&b);
	/* CR/LF become spaces: no second header line. */
	REQUIRE(deliver_header_encode(&b, "hi\r\nBcc: evil@example.org") == 0);
	ASSERT_STR_EQ(b.data, "hi  Bcc: evil@example.org");
	ASSERT(strchr(b.data, '\r') == NULL && strchr(b.data, '\n') == NULL);
	buf_free(&b);
}

static void check_encoded(const char *subject)
{
	struct buf b = {0};
	char *dec, *line, *save = NULL, *copy;

	REQUIRE(deliver_header_encode(&b, subject) == 0);
	/* Every line is one encoded word of at most 75 characters, and
	 * every line after the first is a continuation (starts with a
	 * space). */
	copy = strdup(b.data);
	REQUIRE(copy);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (line != copy) {
			ASSERT(line[0] == ' ');
			line++;
			n--;
		}
		ASSERT(n <= 75);
		ASSERT(strncmp(line, "=?UTF-8?B?", 10) == 0);
		ASSERT(strcmp(line + n - 2, "?=") == 0);
	}
	free(copy);
	dec = decode_words(b.data);
	ASSERT_STR_EQ(dec, subject);
	free(dec);
	buf_free(&b);
}

static void test_subject_cjk(void)
{
	struct buf b = {0};
	char *dec;

	check_encoded("外交官週報: 2020-03-01 – 2020-03-08");
	check_encoded("中国驻日本大使馆 报告 — 起源叙事与经济胁迫的每日统计"
	              "和最强例证，以及账户增长");
	check_encoded("デマルシュ報告：集団免疫、フェイクニュース、関税、"
	              "米軍起源説の週次まとめ");
	/* "=?" in ASCII text would read as an encoded word: encoded. */
	check_encoded("price =?UTF-8?B?x?= trick");
	/* An injection attempt inside non-ASCII text: no raw CR/LF except
	 * the folding that precedes a space. */
	REQUIRE(deliver_header_encode(&b, "报告\r\nBcc: evil@example.org") ==
	        0);
	ASSERT(strstr(b.data, "Bcc") == NULL);
	dec = decode_words(b.data);
	ASSERT_STR_EQ(dec, "报告  Bcc: evil@example.org");
	free(dec);
	buf_free(&b);
}

/* The value of header name in msg (up to the end of its folded lines). */
static char *header(const char *msg, const char *name)
{
	struct buf out = {0};
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg;
	size_t n = strlen(name);

	while (p && p < end) {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *e;

			while (*v == ' ')
				v++;
			for (e = v; e < end; e++)
				if (e[0] == '\r' && e[1] == '\n' && e[2] != ' ')
					break;
			buf_append(&out, v, (size_t)(e - v));
			return buf_steal(&out);
		}
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	return NULL;
}

static void test_mail_build(void)
{
	static const char *const to[] = {"desk@example.org",
	                                 "analyst@example.jp"};
	const char *text = "Report\n4 posts; 米軍 and 集団免疫.\n";
	const char *html = "<!DOCTYPE html><p>4 posts; &lt;b&gt; 米軍</p>\n";
	struct deliver_mail m = {"demarche@example.org",
	                         to,
	                         2,
	                         "週報 of demarche\r\nX-Injected: yes",
	                         text,
	                         html,
	                         util_timegm(2020, 3, 8, 8, 0, 0),
	                         "abc123\r\nX: y"};
	struct buf b = {0}, body = {0};
	char *v, *dec, *ct, *bnd, *part;
	const char *p;

	REQUIRE(deliver_mail_build(&m, &b) == 0);
	v = header(b.data, "From");
	ASSERT_STR_EQ(v, "demarche@example.org");
	free(v);
	v = header(b.data, "To");
	ASSERT_STR_EQ(v, "desk@example.org,\r\n analyst@example.jp");
	free(v);
	v = header(b.data, "Date");
	ASSERT_STR_EQ(v, "Sun, 08 Mar 2020 08:00:00 +0000");
	free(v);
	v = header(b.data, "Message-ID");
	ASSERT_STR_EQ(v, "<abc123Xy@example.org>");
	free(v);
	v = header(b.data, "MIME-Version");
	ASSERT_STR_EQ(v, "1.0");
	free(v);
	v = header(b.data, "Subject");
	REQUIRE(v);
	dec = decode_words(v);
	ASSERT_STR_EQ(dec, "週報 of demarche  X-Injected: yes");
	free(dec);
	free(v);
	ASSERT(header(b.data, "X-Injected") == NULL);
	ASSERT(strstr(b.data, "\r\nX-Injected") == NULL);
	/* Every line ends in CRLF and none is longer than 998. */
	for (p = b.data; *p; p++)
		if (*p == '\n')
			ASSERT(p > b.data && p[-1] == '\r');

	ct = header(b.data, "Content-Type");
	REQUIRE(ct && strncmp(ct, "multipart/alternative;", 22) == 0);
	bnd = strstr(ct, "boundary=\"");
	REQUIRE(bnd);
	bnd += 10;
	bnd[strcspn(bnd, "\"")] = '\0';
	{
		struct buf delim = {0};
		const char *parts[2] = {"text/plain; charset=utf-8",
		                        "text/html; charset=utf-8"};
		const char *want[2] = {text, html};
		int i;

		buf_printf(&delim, "\r\n--%s\r\n", bnd);
		p = b.data;
		for (i = 0; i < 2; i++) {
			const char *hdr, *data, *end;

			p = strstr(p, delim.data);
			REQUIRE(p);
			hdr = p + delim.len;
			part = header(hdr, "Content-Type");
			ASSERT_STR_EQ(part, parts[i]);
			free(part);
			part = header(hdr, "Content-Transfer-Encoding");
			ASSERT_STR_EQ(part, "base64");
			free(part);
			data = strstr(hdr, "\r\n\r\n") + 4;
			end = strstr(data, "\r\n--");
			REQUIRE(end);
			buf_reset(&body);
			b64dec(data, (size_t)(end - data), &body);
			ASSERT_STR_EQ(body.data, want[i]);
			p = end;
		}
		buf_reset(&delim);
		buf_printf(&delim, "\r\n--%s--\r\n", bnd);
		ASSERT(strstr(b.data, delim.data) != NULL);
		buf_free(&delim);
	}
	free(ct);
	buf_free(&body);
	buf_free(&b);

	/* Addresses with header syntax in them are refused. */
	{
		static const char *const bad[] = {"a@b.org\r\nBcc: c@d.org"};
		struct deliver_mail m2 = m;

		m2.to = bad;
		m2.n_to = 1;
		ASSERT_INT_EQ(deliver_mail_build(&m2, &b), -EINVAL);
		m2 = m;
		m2.from = "Evil <a@b.org>";
		ASSERT_INT_EQ(deliver_mail_build(&m2, &b), -EINVAL);
		buf_free(&b);
	}
}

static void test_file(void)
{
	const char *dir = test_tmpdir();
	char base[128], err[256], *p1 = NULL, *p2 = NULL, *p3 = NULL, *got;
	char path[512];
	size_t len;
	DIR *d;
	struct dirent *de;
	int files = 0;

	deliver_file_base(util_timegm(2020, 3, 1, 0, 0, 0),
	                  util_timegm(2020, 3, 8, 0, 0, 0), base, sizeof(base));
	ASSERT_STR_EQ(base,
	              "demarche-report-20200301T000000Z-20200308T000000Z");
	REQUIRE(deliver_file(dir, base, "html", "first", 5, &p1, err,
	                     sizeof(err)) == 0);
	REQUIRE(deliver_file(dir, base, "html", "second", 6, &p2, err,
	                     sizeof(err)) == 0);
	REQUIRE(deliver_file(dir, base, "html", "third", 5, &p3, err,
	                     sizeof(err)) == 0);
	ASSERT(strstr(p1, "/demarche-report-20200301T000000Z-20200308T000000Z"
	                  ".html") != NULL);
	ASSERT(strstr(p2, "Z-2.html") != NULL);
	ASSERT(strstr(p3, "Z-3.html") != NULL);
	REQUIRE(util_read_file(p1, 0, &got, &len) == 0);
	ASSERT_STR_EQ(got, "first");
	free(got);
	REQUIRE(util_read_file(p2, 0, &got, &len) == 0);
	ASSERT_STR_EQ(got, "second");
	free(got);
	/* No temporary file left behind. */
	d = opendir(dir);
	REQUIRE(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || strstr(de->d_name, ".tmp"))
			files++;
	closedir(d);
	ASSERT_INT_EQ(files, 3);
	free(p1);
	free(p2);
	free(p3);
	/* A missing folder is made, but not its parents: that is an error
	 * with a reason. */
	snprintf(path, sizeof(path), "%s/new", dir);
	ASSERT_INT_EQ(
	    deliver_file(path, base, "txt", "x", 1, &p1, err, sizeof(err)), 0);
	ASSERT(p1 && strstr(p1, "/new/demarche-report-") != NULL);
	free(p1);
	p1 = NULL;
	snprintf(path, sizeof(path), "%s/no/such/folder", dir);
	ASSERT(deliver_file(path, base, "txt", "x", 1, &p1, err, sizeof(err)) <
	       0);
	ASSERT(p1 == NULL);
	ASSERT(strstr(err, "/no/such/folder") != NULL);
}

static void test_password(void)
{
	const char *dir = test_tmpdir();
	char path[512], err[256], *pw = NULL;

	snprintf(path, sizeof(path), "%s/pw", dir);
	test_write_file(path, "s3cret pass\nignored\n");
	ASSERT_INT_EQ(deliver_read_password(path, &pw, err, sizeof(err)), 0);
	ASSERT_STR_EQ(pw, "s3cret pass");
	free(pw);
	/* systemd credentials */
	snprintf(path, sizeof(path), "%s/smtp_password", dir);
	test_write_file(path, "from-credentials\n");
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	ASSERT_INT_EQ(deliver_read_password(NULL, &pw, err, sizeof(err)), 0);
	ASSERT_STR_EQ(pw, "from-credentials");
	free(pw);
	unsetenv("CREDENTIALS_DIRECTORY");
	ASSERT_INT_EQ(deliver_read_password(NULL, &pw, err, sizeof(err)), 0);
	ASSERT(pw == NULL);
	ASSERT(deliver_read_password("/nonexistent/pw", &pw, err, sizeof(err)) <
	       0);
}

/* ---- a real evhttp receiver in a child process ---- */

static const char *received_path;

static void on_request(struct evhttp_request *req, void *arg)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *ct = evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Content-Type");
	const char *uri = evhttp_request_get_uri(req);
	size_t n = evbuffer_get_length(in);
	char *body = malloc(n + 1);
	FILE *f;

	(void)arg;
	if (body) {
		evbuffer_remove(in, body, n);
		body[n] = '\0';
		f = fopen(received_path, "a");
		if (f) {
			fprintf(f, "%s %s %s\n%s\n",
			        evhttp_request_get_command(req) ==
			                EVHTTP_REQ_POST
			            ? "POST"
			            : "OTHER",
			        uri, ct ? ct : "-", body);
			fclose(f);
		}
		free(body);
	}
	if (strstr(uri, "fail"))
		evhttp_send_reply(req, 500, "Server Error", NULL);
	else if (strstr(uri, "moved")) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "Location", "/hook");
		evhttp_send_reply(req, 302, "Found", NULL);
	} else
		evhttp_send_reply(req, 204, "No Content", NULL);
}

static void test_webhook(void)
{
	char recv[512], url[128], err[256], *got = NULL;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bs;
	size_t len;
	pid_t pid;
	int port, status;
	const char *json = "{\"period\":{\"from\":\"2020-03-01T00:00:00Z\"},"
	                   "\"note\":\"中国 \\\"quoted\\\"\"}";

	snprintf(recv, sizeof(recv), "%s/received", test_tmpdir());
	received_path = recv;
	base = event_base_new();
	REQUIRE(base);
	http = evhttp_new(base);
	REQUIRE(http);
	evhttp_set_gencb(http, on_request, NULL);
	bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	REQUIRE(bs);
	REQUIRE(getsockname(evhttp_bound_socket_get_fd(bs),
	                    (struct sockaddr *)&sa, &sl) == 0);
	port = ntohs(sa.sin_port);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		struct timeval tv = {20, 0};

		/* epoll state is not shared across fork: renew it. */
		event_reinit(base);
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		_exit(0);
	}
	evhttp_free(http);
	event_base_free(base);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", port);
	ASSERT_INT_EQ(
	    deliver_webhook(url, json, strlen(json), 10, err, sizeof(err)), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/fail", port);
	ASSERT_INT_EQ(
	    deliver_webhook(url, json, strlen(json), 10, err, sizeof(err)),
	    -EPROTO);
	ASSERT(strstr(err, "500") != NULL);
	/* A redirect is not followed and is not success. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/moved", port);
	ASSERT_INT_EQ(
	    deliver_webhook(url, json, strlen(json), 10, err, sizeof(err)),
	    -EPROTO);
	/* Only http(s). */
	ASSERT(deliver_webhook("file:///etc/passwd", json, strlen(json), 10,
	                       err, sizeof(err)) < 0);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);

	REQUIRE(util_read_file(recv, 0, &got, &len) == 0);
	{
		struct buf want = {0};

		buf_printf(&want, "POST /hook application/json\n%s\n", json);
		ASSERT(strncmp(got, want.data, want.len) == 0);
		buf_free(&want);
	}
	ASSERT(strstr(got, "POST /fail application/json") != NULL);
	ASSERT(strstr(got, "POST /moved application/json") != NULL);
	/* The redirect target was never requested. */
	ASSERT(strstr(strstr(got, "/moved"), "/hook") == NULL);
	free(got);
	/* Nobody listening: a connection error, not success. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", port);
	ASSERT(deliver_webhook(url, json, strlen(json), 5, err, sizeof(err)) <
	       0);
}

TEST_MAIN(TEST(test_subject_ascii), TEST(test_subject_cjk),
          TEST(test_mail_build), TEST(test_file), TEST(test_password),
          TEST(test_webhook))
