/*
 * fuzz_mail.c — what untrusted text meets on its way into a mail and the
 * candidates table: deliver_header_encode() (any bytes as a subject),
 * deliver_mail_build() with those bytes as subject and bodies, and the
 * @mention scanner and marker matcher.  Checks the invariants, not only
 * the absence of crashes: an encoded header holds no CR or LF except the
 * folding "CRLF space", every mention is non-empty, and the message's
 * header block has no line that does not start a known header or a
 * continuation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "candidates.h"
#include "deliver.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_mention(const char *h, void *arg)
{
	(void)arg;
	if (!*h || strlen(h) >= CANDIDATES_HANDLE_MAX || strchr(h, ' '))
		abort();
}

static void check_header(const char *v)
{
	const char *p;

	for (p = v; *p; p++)
		if ((*p == '\r' && (p[1] != '\n' || p[2] != ' ')) ||
		    (*p == '\n' && (p == v || p[-1] != '\r')))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const to[] = {"desk@example.org"};
	struct buf h = {0}, m = {0};
	char *s = malloc(size + 1);
	const char *p, *end;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (deliver_header_encode(&h, s) == 0 && h.data)
		check_header(h.data);
	candidates_mentions(s, 64, on_mention, NULL);
	(void)candidates_marker(s);
	{
		struct deliver_mail mail = {
		    "demarche@example.org", to, 1, s, s, s, 1583020800, s};

		if (deliver_mail_build(&mail, &m) == 0) {
			end = strstr(m.data, "\r\n\r\n");
			if (!end)
				abort();
			/* Every header line is one we wrote or a fold. */
			for (p = m.data; p && p < end; p = strstr(p, "\r\n")) {
				if (p != m.data)
					p += 2;
				if (!(*p == ' ' || !strncmp(p, "From:", 5) ||
				      !strncmp(p, "To:", 3) ||
				      !strncmp(p, "Subject:", 8) ||
				      !strncmp(p, "Date:", 5) ||
				      !strncmp(p, "Message-ID:", 11) ||
				      !strncmp(p, "MIME-Version:", 13) ||
				      !strncmp(p, "Auto-Submitted:", 15) ||
				      !strncmp(p, "Content-Type:", 13)))
					abort();
			}
		}
	}
	buf_free(&h);
	buf_free(&m);
	free(s);
	return 0;
}
