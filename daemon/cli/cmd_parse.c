/*
 * cmd_parse.c — `demarche parse [--format F] [--base URL] [--content-type
 * CT] [--max-entries N] FILE`: reads one feed body from a file (or "-" for
 * standard input), runs the same parser the daemon uses, and prints the
 * result as one JSON object.  The inspection tool for analysts and the
 * hook for the acceptance checks.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "cmd.h"
#include "date.h"
#include "feed.h"
#include "log.h"
#include "util.h"

/* Feeds larger than this are refused rather than read. */
#define PARSE_MAX_FILE (64u << 20)

/* Help text, one literal per printed line. */
/* clang-format off */
static void usage(FILE *fp)
{
	fputs(
	    "usage: demarche parse [OPTIONS] FILE\n"
	    "Parses one feed or API payload (FILE, or - for stdin) and prints it as one\n"
	    "JSON object: format, title, link, entries (id, link, title, text, author,\n"
	    "published, updated, lang) and warnings.  Exits 65 when nothing is usable.\n"
	    "\n"
	    "  --format F          auto (default: detected from the content), rss, atom,\n"
	    "                      jsonfeed, mastodon, bluesky, telegram (a channel's\n"
	    "                      preview page, t.me/s/NAME) or html (an article page\n"
	    "                      of an html: source); the last two are never detected\n"
	    "  --base URL          resolve relative links against URL (the feed's own\n"
	    "                      address, as the daemon does)\n"
	    "  --content-type T    the HTTP Content-Type to assume, e.g.\n"
	    "                      \"application/rss+xml; charset=gb18030\" (its charset\n"
	    "                      takes part in the encoding decision)\n"
	    "  --max-entries N     keep at most N entries (0: no limit)\n"
	    "  --html-title X, --html-date X, --html-text X, --html-split X\n"
	    "                      with --format html: the XPaths of the account's\n"
	    "                      html_title, html_date, html_text, html_split; the\n"
	    "                      entries are keyed by --base (default: FILE)\n"
	    "  --html-links X      with --format html: print the links X selects on an\n"
	    "                      index page, one per line, instead\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

/* A JSON string or null (jansson copies; NULL input and invalid UTF-8
 * give null, though the parser only produces valid UTF-8). */
static json_t *jstr(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;

	return v ? v : json_null();
}

static json_t *jtime(int64_t t)
{
	char out[DATE_RFC3339_LEN];

	if (t == TIME_UNKNOWN || !*date_format_rfc3339(t, out))
		return json_null();
	return json_string(out);
}

/* t with the fraction of a second the source wrote (us >= 0). */
static json_t *jtime_us(int64_t t, int32_t us)
{
	char out[DATE_RFC3339_US_LEN];

	if (t == TIME_UNKNOWN || !*date_format_rfc3339_us(t, us, out))
		return json_null();
	return json_string(out);
}

static json_t *jcount(int64_t n)
{
	return n >= 0 ? json_integer((json_int_t)n) : json_null();
}

/* The output object; NULL on allocation failure. */
static json_t *doc_to_json(const struct feed_doc *doc)
{
	json_t *o = json_object(), *entries = json_array(),
	       *warnings = json_array();
	size_t i;
	int bad = 0;

	if (!o || !entries || !warnings)
		goto out_oom;
	bad |= json_object_set_new(o, "format",
	                           json_string(feed_format_name(doc->format)));
	bad |= json_object_set_new(o, "title", jstr(doc->title));
	bad |= json_object_set_new(o, "link", jstr(doc->link));
	bad |= json_object_set_new(o, "lang", jstr(doc->lang));
	if (doc->ttl)
		bad |= json_object_set_new(o, "ttl", json_integer(doc->ttl));
	if (doc->page_before)
		bad |= json_object_set_new(o, "page_before",
		                           json_integer(doc->page_before));
	if (doc->has_account) {
		const struct feed_account *a = &doc->account;
		json_t *acc = json_object();

		if (!acc)
			goto out_oom;
		bad |= json_object_set_new(acc, "handle", jstr(a->handle));
		bad |= json_object_set_new(acc, "display_name",
		                           jstr(a->display_name));
		bad |=
		    json_object_set_new(acc, "followers", jcount(a->followers));
		bad |=
		    json_object_set_new(acc, "following", jcount(a->following));
		bad |= json_object_set_new(acc, "posts", jcount(a->posts));
		bad |= json_object_set_new(acc, "created", jtime(a->created));
		bad |= json_object_set_new(o, "account", acc);
	}
	for (i = 0; i < doc->n_entries; i++) {
		const struct feed_entry *e = &doc->entries[i];
		json_t *je = json_object();

		if (!je)
			goto out_oom;
		bad |= json_object_set_new(je, "id", jstr(e->id));
		bad |= json_object_set_new(je, "link", jstr(e->link));
		bad |= json_object_set_new(je, "title", jstr(e->title));
		bad |= json_object_set_new(je, "text", jstr(e->text));
		bad |= json_object_set_new(je, "author", jstr(e->author));
		bad |= json_object_set_new(
		    je, "published", jtime_us(e->published, e->published_us));
		bad |= json_object_set_new(je, "updated", jtime(e->updated));
		bad |= json_object_set_new(je, "lang", jstr(e->lang));
		if (e->is_repost)
			bad |= json_object_set_new(je, "repost", json_true());
		if (e->is_reply)
			bad |= json_object_set_new(je, "reply", json_true());
		if (e->edited)
			bad |= json_object_set_new(je, "edited", json_true());
		if (e->views > 0)
			bad |= json_object_set_new(je, "views",
			                           json_integer(e->views));
		if (e->future_dated)
			bad |= json_object_set_new(je, "future_dated",
			                           json_true());
		if (e->partial)
			bad |= json_object_set_new(je, "partial", json_true());
		bad |= json_array_append_new(entries, je);
	}
	for (i = 0; i < doc->n_warnings; i++)
		bad |= json_array_append_new(warnings, jstr(doc->warnings[i]));
	bad |= json_object_set_new(o, "entries", entries);
	bad |= json_object_set_new(o, "warnings", warnings);
	/* Why the document is not whole; its partial entries are not
	 * stored by the daemon, and it replaces no stored text. */
	if (doc->fault)
		bad |= json_object_set_new(o, "fault", jstr(doc->fault));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
out_oom:
	json_decref(o);
	json_decref(entries);
	json_decref(warnings);
	return NULL;
}

/* Reads FILE (or - for stdin): 0, or the exit code after saying why. */
static int read_input(const char *path, char **data, size_t *len)
{
	char safe[300];
	int r = util_read_file(strcmp(path, "-") == 0 ? "/dev/stdin" : path,
	                       PARSE_MAX_FILE, data, len);

	if (r >= 0)
		return 0;
	log_warnx("parse: %s: %s", log_sanitize(path, safe, sizeof(safe)),
	          strerror(-r));
	if (r == -EFBIG)
		return EX_DATAERR;
	return r == -ENOENT || r == -EACCES || r == -ENOTDIR || r == -EISDIR
	           ? EX_NOINPUT
	           : EX_IOERR;
}

/* The --html-* options into h and *links; false for any other. */
static bool html_option(int ch, struct feed_html_rules *h, const char **links)
{
	switch (ch) {
	case 'T':
		h->title = optarg;
		return true;
	case 'D':
		h->date = optarg;
		return true;
	case 'X':
		h->text = optarg;
		return true;
	case 'S':
		h->split = optarg;
		return true;
	case 'L':
		*links = optarg;
		return true;
	default:
		return false;
	}
}

/* --html-links: the article links of an index page, one per line; takes
 * data. */
static int print_links(char *data, size_t len, const char *base,
                       const char *xpath)
{
	char **links = NULL;
	size_t n = 0, i;
	int r = feed_html_links(data, len, base, xpath, &links, &n);

	free(data);
	if (r < 0) {
		log_warnx("parse: %s", strerror(-r));
		return r == -ENOMEM ? EX_OSERR : EX_DATAERR;
	}
	for (i = 0; i < n; i++)
		printf("%s\n", links[i]);
	feed_html_links_free(links, n);
	if (n == 0) {
		log_warnx("parse: html_links finds no link");
		return EX_DATAERR;
	}
	return fflush(stdout) == EOF ? EX_IOERR : 0;
}

/* Prints doc as the JSON object of the interface contract, and frees it.
 * Returns 0 or an exit code. */
static int print_doc(struct feed_doc *doc)
{
	json_t *out = doc_to_json(doc);
	int rc = 0;

	feed_doc_free(doc);
	if (!out) {
		log_warnx("parse: out of memory");
		return EX_OSERR;
	}
	if (json_dumpf(out, stdout, JSON_INDENT(2)) < 0 ||
	    fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		log_warnx("parse: cannot write the output");
		rc = EX_IOERR;
	}
	json_decref(out);
	return rc;
}

int cmd_parse_main(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"base", required_argument, NULL, 'b'},
	    {"content-type", required_argument, NULL, 't'},
	    {"max-entries", required_argument, NULL, 'n'},
	    {"html-title", required_argument, NULL, 'T'},
	    {"html-date", required_argument, NULL, 'D'},
	    {"html-text", required_argument, NULL, 'X'},
	    {"html-split", required_argument, NULL, 'S'},
	    {"html-links", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct feed_parse_opts opts = {0};
	struct feed_html_rules html = {0};
	const char *links = NULL;
	struct feed_doc *doc = NULL;
	char err[256], safe[300], safe2[300], *data = NULL, *end;
	const char *path;
	size_t len = 0;
	int ch, r;
	long n;

	(void)g;
	while ((ch = getopt_long(argc, argv, "f:b:t:n:h", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'f':
			if (feed_format_from_name(optarg, &opts.format) < 0) {
				log_warnx(
				    "parse: unknown format \"%s\"",
				    log_sanitize(optarg, safe, sizeof(safe)));
				usage(stderr);
				return EX_USAGE;
			}
			break;
		case 'b':
			opts.base_url = optarg;
			break;
		case 't':
			opts.content_type = optarg;
			break;
		case 'n':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || *end || n < 0) {
				log_warnx("parse: bad --max-entries");
				return EX_USAGE;
			}
			opts.max_entries = (size_t)n;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (html_option(ch, &html, &links))
				break;
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EX_USAGE;
	}
	path = argv[optind];
	r = read_input(path, &data, &len);
	if (r)
		return r;
	opts.now = util_now();
	if (opts.format == FEED_FORMAT_HTML) {
		opts.html = &html;
		if (!opts.base_url)
			opts.base_url = path;
		if (links)
			return print_links(data, len, opts.base_url, links);
	}
	r = feed_parse(data, len, &opts, &doc, err, sizeof(err));
	free(data);
	if (r < 0) {
		log_warnx("parse: %s: %s",
		          log_sanitize(path, safe, sizeof(safe)),
		          log_sanitize(err, safe2, sizeof(safe2)));
		return r == -ENOMEM ? EX_OSERR : EX_DATAERR;
	}
	return print_doc(doc);
}
