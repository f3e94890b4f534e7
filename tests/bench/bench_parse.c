/* bench_parse.c — feed parsing throughput on one core, the work of the
 * daemon's first poll.  Three documents are generated in memory, shaped
 * like the feeds demarche watches: an RSS 2.0 channel (escaped HTML
 * descriptions, RFC 822 dates, dc:creator), an Atom 1.0 feed (RFC 3339
 * dates, html and xhtml content) and a Mastodon statuses array (HTML
 * content, accounts, some reblogs), each with ITEMS entries of mixed
 * plain and marked-up text in several scripts.  Each is parsed over and
 * over with feed_parse(); MB/s is input bytes per CPU second.
 * Usage: bench_parse [SECONDS]    per format, CPU time (default 2)
 *        bench_parse -r ROUNDS    exactly ROUNDS parses of each, for
 *                                 repeatable instruction counts under
 *                                 valgrind --tool=callgrind
 *        bench_parse -w DIR       write the three inputs to DIR and exit
 * A last argument rss, atom, mastodon, telegram or html runs that format
 * only.  The html input is a press-conference transcript page of ITEMS
 * questions and answers, read as an html: source splits it (one post per
 * paragraph).
 * The telegram input is a channel preview page (t.me/s/NAME) as Telegram
 * serves it, header and all, with forwards, replies, emoji and views;
 * feed_parse() is told its format, as the daemon does. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"
#include "test.h"
#include "util.h"

#define ITEMS 400

/* CPU time of this process in microseconds: on a shared machine the
 * wall clock also counts the time other processes held the core. */
static int64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Sentences of the kind the watched accounts publish, in four scripts. */
static const char *const sentences[] = {
    "The Ministry reaffirms its commitment to multilateral cooperation "
    "and to the rules-based international order.",
    "Ambassador met representatives of the chamber of commerce to discuss "
    "supply chains, investment and the green transition.",
    "外交部发言人就近期国际形势答记者问，强调各方应当坚持对话协商。",
    "大使は本日、経済協力と人的交流の拡大について意見交換を行いました。",
    "Посол принял участие в конференции по вопросам региональной "
    "безопасности и сотрудничества.",
    "We call on all parties to exercise restraint, respect international "
    "law and return to the negotiating table without delay.",
};

static const char *const weekdays[] = {"Mon", "Tue", "Wed", "Thu",
                                       "Fri", "Sat", "Sun"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static const char *sentence(int i)
{
	return sentences[(size_t)i % ARRAY_SIZE(sentences)];
}

/* Appends, exiting on allocation failure: a benchmark has no fallback. */
static void add(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	if (r < 0) {
		fprintf(stderr, "bench_parse: out of memory\n");
		exit(1);
	}
}

static void gen_rss(struct buf *b)
{
	int i;

	add(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<rss version=\"2.0\" "
	       "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
	       "xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n"
	       "<title>Ministry of Foreign Affairs — News</title>\n"
	       "<link>https://mfa.example.org/news</link>\n"
	       "<description>Statements and press releases</description>\n"
	       "<language>en</language><ttl>60</ttl>\n");
	for (i = 0; i < ITEMS; i++) {
		add(b,
		    "<item>\n<title>Statement %d: %.60s</title>\n"
		    "<link>https://mfa.example.org/news/%d.html</link>\n"
		    "<guid isPermaLink=\"false\">mfa-news-%d</guid>\n"
		    "<pubDate>%s, %02d %s 2024 %02d:%02d:%02d +0800</pubDate>\n"
		    "<dc:creator>Press Office</dc:creator>\n"
		    "<category>Statements</category>\n",
		    i, sentence(i), i, i, weekdays[i % 7], 1 + i % 28,
		    months[i % 12], i % 24, i % 60, (i * 7) % 60);
		if (i % 3 == 0)
			add(b, "<description>%s %s</description>\n",
			    sentence(i + 1), sentence(i + 2));
		else
			add(b,
			    "<description>&lt;p&gt;%s&lt;/p&gt;&lt;p&gt;%s "
			    "&lt;a href=\"https://mfa.example.org/doc/%d\"&gt;"
			    "Full text&lt;/a&gt;&amp;nbsp;&lt;/p&gt;"
			    "</description>\n",
			    sentence(i + 1), sentence(i + 2), i);
		add(b, "</item>\n");
	}
	add(b, "</channel>\n</rss>\n");
}

static void gen_atom(struct buf *b)
{
	int i;

	add(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	       "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n"
	       "<title>Embassy news</title>\n"
	       "<link href=\"https://embassy.example.org/\"/>\n"
	       "<id>tag:embassy.example.org,2024:news</id>\n"
	       "<updated>2024-06-01T12:00:00Z</updated>\n");
	for (i = 0; i < ITEMS; i++) {
		add(b,
		    "<entry>\n<title type=\"text\">%.60s (%d)</title>\n"
		    "<link rel=\"alternate\" type=\"text/html\" "
		    "href=\"https://embassy.example.org/news/%d\"/>\n"
		    "<id>tag:embassy.example.org,2024:news/%d</id>\n"
		    "<published>2024-%02d-%02dT%02d:%02d:%02d+08:00</"
		    "published>\n"
		    "<updated>2024-%02d-%02dT%02d:%02d:%02d.%03dZ</updated>\n"
		    "<author><name>Embassy press section</name></author>\n",
		    sentence(i), i, i, i, 1 + i % 12, 1 + i % 28, i % 24,
		    i % 60, (i * 3) % 60, 1 + i % 12, 1 + i % 28, i % 24,
		    i % 60, (i * 3) % 60, i % 1000);
		if (i % 4 == 0)
			add(b,
			    "<content type=\"xhtml\"><div "
			    "xmlns=\"http://www.w3.org/1999/xhtml\"><p>%s</p>"
			    "<p><em>%s</em></p></div></content>\n",
			    sentence(i + 1), sentence(i + 3));
		else if (i % 4 == 1)
			add(b, "<summary>%s %s</summary>\n", sentence(i + 1),
			    sentence(i + 2));
		else
			add(b,
			    "<content type=\"html\">&lt;p&gt;%s&lt;br/&gt;%s"
			    "&lt;/p&gt;</content>\n",
			    sentence(i + 1), sentence(i + 2));
		add(b, "</entry>\n");
	}
	add(b, "</feed>\n");
}

/* A JSON string body: the sentences hold no quote or backslash. */
static void gen_status(struct buf *b, int i)
{
	add(b,
	    "{\"id\":\"11%014d\",\"created_at\":\"2024-%02d-%02dT%02d:%02d:"
	    "%02d.000Z\",\"in_reply_to_id\":null,\"in_reply_to_account_id\":"
	    "null,\"sensitive\":false,\"spoiler_text\":\"\",\"visibility\":"
	    "\"public\",\"language\":\"en\",\"uri\":\"https://social.example"
	    ".org/users/mfa/statuses/11%014d\",\"url\":\"https://social."
	    "example.org/@mfa/11%014d\",\"replies_count\":%d,"
	    "\"reblogs_count\":%d,\"favourites_count\":%d,\"edited_at\":null,"
	    "\"content\":\"<p>%s</p><p>%s <a href=\\\"https://mfa.example.org/"
	    "%d\\\" rel=\\\"nofollow noopener\\\" target=\\\"_blank\\\">"
	    "<span class=\\\"invisible\\\">https://</span><span>mfa.example."
	    "org/%d</span></a> <a href=\\\"https://social.example.org/tags/"
	    "diplomacy\\\" class=\\\"mention hashtag\\\">#<span>diplomacy"
	    "</span></a></p>\",\"reblog\":",
	    i, 1 + i % 12, 1 + i % 28, i % 24, i % 60, i % 60, i, i, i % 9,
	    i % 31, i % 77, sentence(i), sentence(i + 1), i, i);
	add(b,
	    "null,\"application\":{\"name\":\"Web\",\"website\":null},"
	    "\"account\":{\"id\":\"1090\",\"username\":\"mfa\",\"acct\":"
	    "\"mfa\",\"display_name\":\"Ministry of Foreign Affairs\","
	    "\"locked\":false,\"bot\":false,\"created_at\":\"2019-03-01T00:00:"
	    "00.000Z\",\"note\":\"<p>Official account</p>\",\"url\":"
	    "\"https://social.example.org/@mfa\",\"followers_count\":12345,"
	    "\"following_count\":67,\"statuses_count\":8901,\"emojis\":[],"
	    "\"fields\":[]},\"media_attachments\":[],\"mentions\":[],\"tags\":"
	    "[{\"name\":\"diplomacy\",\"url\":\"https://social.example.org/"
	    "tags/diplomacy\"}],\"emojis\":[],\"card\":null,\"poll\":null}");
}

static void gen_mastodon(struct buf *b)
{
	int i;

	add(b, "[");
	for (i = 0; i < ITEMS; i++) {
		if (i)
			add(b, ",");
		if (i % 10 == 9) {
			/* A reblog wraps the original status. */
			add(b,
			    "{\"id\":\"12%014d\",\"created_at\":\"2024-05-0"
			    "1T10:00:00.000Z\",\"content\":\"\",\"url\":null,"
			    "\"uri\":\"https://social.example.org/users/mfa/"
			    "statuses/12%014d/activity\",\"language\":null,"
			    "\"account\":{\"id\":\"1090\",\"acct\":\"mfa\","
			    "\"username\":\"mfa\"},\"reblog\":",
			    i, i);
			gen_status(b, i);
			add(b, "}");
		} else {
			gen_status(b, i);
		}
	}
	add(b, "]");
}

/* A Telegram channel preview page of ITEMS messages. */
static void gen_telegram(struct buf *b)
{
	int i;

	add(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
	       "MFA – Telegram</title><meta property=\"og:title\" "
	       "content=\"MFA\"></head><body class=\"widget_frame_base "
	       "tgme_webpage_body\"><main class=\"tgme_main\"><section "
	       "class=\"tgme_right_column\"><div class=\"tgme_channel_info\">"
	       "<div class=\"tgme_channel_info_header\"><div "
	       "class=\"tgme_channel_info_header_title\"><span dir=\"auto\">"
	       "Ministry of Foreign Affairs</span></div></div><div "
	       "class=\"tgme_channel_info_counters\"><div "
	       "class=\"tgme_channel_info_counter\"><span "
	       "class=\"counter_value\">1.23M</span> <span "
	       "class=\"counter_type\">subscribers</span></div></div></div>"
	       "</section><section class=\"tgme_channel_history "
	       "js-message_history\"><div class=\"tgme_widget_message_centered "
	       "js-messages_more_wrap\"><a href=\"/s/mfa?before=1000\" "
	       "class=\"tme_messages_more js-messages_more\" "
	       "data-before=\"1000\"></a></div>\n");
	for (i = 0; i < ITEMS; i++) {
		add(b,
		    "<div class=\"tgme_widget_message_wrap "
		    "js-widget_message_wrap\"><div class=\"tgme_widget_message "
		    "text_not_supported_wrap js-widget_message\" "
		    "data-post=\"mfa/%d\" data-view=\"eyJjIjotMTAwMTIzNDU2Nzg5"
		    "LCJwIjoxMDAwfQ\"><div class=\"tgme_widget_message_user\">"
		    "<a href=\"https://t.me/mfa\"><i "
		    "class=\"tgme_widget_message_"
		    "user_photo bgcolor0\" data-content=\"M\"><img "
		    "src=\"https://cdn4.cdn-telegram.org/file/abc.jpg\"></i></"
		    "a>"
		    "</div><div class=\"tgme_widget_message_bubble\"><i "
		    "class=\"tgme_widget_message_bubble_tail\"><svg "
		    "class=\"bubble_icon\" width=\"9px\" height=\"20px\" "
		    "viewBox=\"0 0 9 20\"><g fill=\"none\" "
		    "fill-rule=\"evenodd\"><path d=\"M6 17H0V0c.193 2.84.876 "
		    "5.767 2.05 8.782.904 2.325 2.446 4.485 4.625 6.48A1 1 0 "
		    "016 "
		    "17z\" fill=\"#fff\"/></g></svg></i>\n",
		    1000 + i);
		if (i % 10 == 3)
			add(b,
			    "<div class=\"tgme_widget_message_forwarded_from "
			    "accent_color\">Forwarded from <a class=\"tgme_"
			    "widget_message_forwarded_from_name\" href=\"https"
			    "://t.me/embassy/%d\"><span dir=\"auto\">Embassy"
			    "</span></a></div>",
			    i);
		if (i % 10 == 6)
			add(b,
			    "<a class=\"tgme_widget_message_reply\" "
			    "href=\"https://t.me/mfa/%d\"><div class=\"tgme_"
			    "widget_message_metatext js-message_reply_text\" "
			    "dir=\"auto\">%s</div></a>",
			    999 + i, sentence(i + 2));
		add(b,
		    "<div class=\"tgme_widget_message_text js-message_text\" "
		    "dir=\"auto\">%s<br/><br/><b>%s</b> <a "
		    "href=\"https://mfa.example.org/%d\" target=\"_blank\" "
		    "rel=\"noopener\">mfa.example.org/%d</a> <i "
		    "class=\"emoji\" "
		    "style=\"background-image:url('//telegram.org/img/emoji/40/"
		    "F09F87A8.png')\"><b>🇨🇳</b></i></div><div "
		    "class=\"tgme_widget_message_footer compact "
		    "js-message_footer\"><div class=\"tgme_widget_message_info "
		    "short js-message_info\"><span class=\"tgme_widget_message_"
		    "views\">%d.%dK</span><span class=\"copyonly\"> "
		    "views</span>"
		    "<span class=\"tgme_widget_message_meta\">%s<a "
		    "class=\"tgme_"
		    "widget_message_date\" href=\"https://t.me/mfa/%d\"><time "
		    "datetime=\"2024-%02d-%02dT%02d:%02d:00+00:00\" "
		    "class=\"time\">%02d:%02d</time></a></span></div></div>"
		    "</div></div></div>\n",
		    sentence(i), sentence(i + 1), i, i, i % 90, i % 10,
		    i % 7 == 0 ? "edited " : "", 1000 + i, 1 + i % 12,
		    1 + i % 28, i % 24, i % 60, i % 24, i % 60);
	}
	add(b, "</section></main></body></html>\n");
}

/* A ministry's press-conference transcript page of ITEMS paragraphs. */
static void gen_transcript(struct buf *b)
{
	int i;

	add(b,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>Regular Press Conference</title><link rel=\"stylesheet\" "
	    "href=\"/css/main.css\"><script src=\"/js/jquery.js\"></script>"
	    "</head><body><div class=\"header\"><ul class=\"nav\"><li><a "
	    "href=\"/eng/\">Home</a></li><li><a href=\"/eng/zxxx/\">News"
	    "</a></li></ul></div><div class=\"news-details\"><div "
	    "class=\"news-title\"><h1>Foreign Ministry Spokesperson's "
	    "Regular Press Conference on March 12, 2020</h1></div><p "
	    "class=\"time\"><span>2020-03-12 21:05</span></p><div "
	    "class=\"news-main\"><div class=\"TRS_Editor\">\n");
	for (i = 0; i < ITEMS; i++)
		add(b,
		    "<p style=\"text-indent: 2em\">%s%s <span>%s</span> "
		    "%s</p>\n",
		    i % 2 ? "A: " : "<strong>Q:</strong> ", sentence(i),
		    sentence(i + 1), sentence(i + 3));
	add(b, "</div></div></div><div class=\"footer\">Copyright © "
	       "Ministry of Foreign Affairs</div></body></html>\n");
}

struct input {
	const char *name;        /* shown in the report */
	enum feed_format format; /* what feed_parse should detect */
	struct buf data;         /* the generated document */
};

/* One parse; exits when it fails, since a benchmark of errors is none. */
static size_t parse_once(const struct input *in)
{
	struct feed_parse_opts o = {.base_url = "https://example.org/"};

	static const struct feed_html_rules html = {
	    "//div[contains(@class,'news-title')]/h1",
	    "//p[contains(@class,'time')]/span", NULL,
	    "//div[contains(@class,'news-main')]//p[normalize-space()]"};

	if (in->format == FEED_FORMAT_TELEGRAM)
		o.format = FEED_FORMAT_TELEGRAM; /* never detected */
	if (in->format == FEED_FORMAT_HTML) {
		o.format = FEED_FORMAT_HTML;
		o.html = &html;
	}
	struct feed_doc *doc;
	char err[256];
	size_t n;

	if (feed_parse(in->data.data, in->data.len, &o, &doc, err,
	               sizeof(err)) < 0) {
		fprintf(stderr, "bench_parse: %s: %s\n", in->name, err);
		exit(1);
	}
	if (doc->format != in->format) {
		fprintf(stderr, "bench_parse: %s parsed as %s\n", in->name,
		        feed_format_name(doc->format));
		exit(1);
	}
	n = doc->n_entries;
	feed_doc_free(doc);
	return n;
}

int main(int argc, char **argv)
{
	struct input in[] = {
	    {"rss", FEED_FORMAT_RSS, {0}},
	    {"atom", FEED_FORMAT_ATOM, {0}},
	    {"mastodon", FEED_FORMAT_MASTODON, {0}},
	    {"telegram", FEED_FORMAT_TELEGRAM, {0}},
	    {"html", FEED_FORMAT_HTML, {0}},
	};
	double secs = 2.0;
	long rounds = 0;
	size_t k;
	const char *only = NULL;

	gen_rss(&in[0].data);
	gen_atom(&in[1].data);
	gen_mastodon(&in[2].data);
	gen_telegram(&in[3].data);
	gen_transcript(&in[4].data);
	if (argc > 2 && strcmp(argv[1], "-w") == 0) {
		for (k = 0; k < ARRAY_SIZE(in); k++) {
			char path[1024];
			FILE *f;

			snprintf(path, sizeof(path), "%s/bench.%s", argv[2],
			         in[k].name);
			f = fopen(path, "w");
			if (!f ||
			    fwrite(in[k].data.data, 1, in[k].data.len, f) !=
			        in[k].data.len ||
			    fclose(f) != 0) {
				fprintf(stderr,
				        "bench_parse: cannot write %s\n", path);
				return 1;
			}
		}
		return 0;
	}
	if (argc > 1 && !isdigit((unsigned char)argv[argc - 1][0]))
		only = argv[--argc];
	if (argc > 2 && strcmp(argv[1], "-r") == 0)
		rounds = atol(argv[2]);
	else if (argc > 1)
		secs = atof(argv[1]);
	for (k = 0; k < ARRAY_SIZE(in); k++) {
		long round = 0;
		size_t entries = 0;
		int64_t c0 = cpu_us(), c1;
		double mb, cpu;

		if (only && strcmp(only, in[k].name) != 0)
			continue;
		do {
			entries = parse_once(&in[k]);
			round++;
			c1 = cpu_us();
		} while (rounds ? round < rounds : c1 - c0 < secs * 1e6);
		if (entries != ITEMS) {
			fprintf(stderr,
			        "bench_parse: %s: %zu entries, not %d\n",
			        in[k].name, entries, ITEMS);
			return 1;
		}
		cpu = (double)(c1 - c0) / 1e6;
		mb = (double)in[k].data.len * (double)round / 1e6;
		printf("%-9s %7zu bytes x %5ld  %8.1f MB/s  %9.0f entries/s\n",
		       in[k].name, in[k].data.len, round,
		       cpu > 0 ? mb / cpu : 0.0,
		       cpu > 0 ? (double)entries * (double)round / cpu : 0.0);
		buf_free(&in[k].data);
	}
	return 0;
}
