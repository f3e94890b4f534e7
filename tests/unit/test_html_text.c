/*
 * test_html_text.c — HTML to plain text: blocks and breaks, dropped
 * elements, entities, whitespace, NFC, UTF-8 repair, NULs, and the plain
 * text cleaner.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "html_text.h"
#include "test.h"

static void check_html(const char *html, unsigned flags, const char *want)
{
	char *out = NULL;

	ASSERT_INT_EQ(html_to_text(html, strlen(html), flags, &out), 0);
	ASSERT_STR_EQ(out, want);
	free(out);
}

static void check_plain(const char *s, size_t len, unsigned flags,
                        const char *want)
{
	char *out = NULL;

	ASSERT_INT_EQ(html_plain_text(s, len, flags, &out), 0);
	ASSERT_STR_EQ(out, want);
	free(out);
}

static void test_blocks_and_breaks(void)
{
	check_html("<p>One</p><p>Two</p>", 0, "One\nTwo");
	check_html("line<br>next<br/>last", 0, "line\nnext\nlast");
	check_html("<div><h1>Title</h1>Body <b>bold</b> text</div>", 0,
	           "Title\nBody bold text");
	check_html("<ul><li>a</li><li>b</li></ul>after", 0, "a\nb\nafter");
	check_html("<table><tr><td>x</td><td>y</td></tr></table>", 0, "x y");
	check_html("<p>One</p><p>Two</p>", HTML_TEXT_ONELINE, "One Two");
	check_html("<pre>a\n  b</pre>", 0, "a\nb");
}

static void test_dropped_elements(void)
{
	check_html("<script>alert(1)</script>Hello<style>p{}</style>", 0,
	           "Hello");
	check_html("<p>Hi<!-- secret --> there</p>", 0, "Hi there");
	/* Fallback content is text. */
	check_html("<noscript>enable js</noscript> ok", 0, "enable js ok");
	check_html("safe<iframe src=x> <b>description</b></iframe>", 0,
	           "safe description");
	check_html("<template><p>t</p></template>shown", 0, "shown");
}

static void test_entities(void)
{
	check_html("caf&eacute; &amp; cr&#232;me &#x4E2D;&#22269; &lt;tag&gt;",
	           0,
	           "caf\xc3\xa9 & cr\xc3\xa8me \xe4\xb8\xad\xe5\x9b\xbd <tag>");
	/* A no-break space folds like any space. */
	check_html("a&nbsp;&nbsp; b", 0, "a b");
}

static void test_whitespace(void)
{
	check_html("  lots \n\t of   space  ", 0, "lots of space");
	check_html("", 0, "");
	check_html("<p> </p><br><div>\n</div>", 0, "");
	check_html("<span>a</span><span>b</span>", 0, "ab");
}

static void test_nfc_and_repair(void)
{
	/* e + combining acute composes to U+00E9. */
	check_html("Cafe\xcc\x81", 0, "Caf\xc3\xa9");
	/* Ill-formed UTF-8 becomes U+FFFD, markup still read. */
	check_html("<b>bad \xff byte</b>", 0, "bad \xef\xbf\xbd byte");
	/* An overlong '<' must not become markup. */
	check_html("\xc0\xbcscript\xc0\xbe", 0,
	           "\xef\xbf\xbd\xef\xbf\xbdscript\xef\xbf\xbd\xef\xbf\xbd");
	/* A meta charset inside content cannot switch the decoding. */
	check_html(
	    "<meta charset=\"iso-8859-1\"><p>\xe4\xb8\xad\xe6\x96\x87</p>", 0,
	    "\xe4\xb8\xad\xe6\x96\x87");
	/* CJK text passes through untouched. */
	check_html("<p>\xe4\xb8\xad\xe5\x9b\xbd\xe8\xb4\xa1\xe7\x8c\xae</p>", 0,
	           "\xe4\xb8\xad\xe5\x9b\xbd\xe8\xb4\xa1\xe7\x8c\xae");
}

static void test_nul_bytes(void)
{
	char *out = NULL;
	static const char html[] = "a\0b<b>c\0</b>";

	ASSERT_INT_EQ(html_to_text(html, sizeof(html) - 1, 0, &out), 0);
	ASSERT_STR_EQ(out, "abc");
	free(out);
	check_plain("x\0y", 3, 0, "xy");
}

static void test_plain(void)
{
	check_plain("  a <b> &amp; c  ", 17, 0, "a <b> &amp; c");
	check_plain("line one\r\nline two", 18, 0, "line one\nline two");
	check_plain("line one\nline two", 17, HTML_TEXT_ONELINE,
	            "line one line two");
	check_plain("bell\x07 and esc\x1b", 14, 0, "bell and esc");
}

static void test_looks_like_markup(void)
{
	ASSERT(html_looks_like_markup("<p>x</p>"));
	ASSERT(html_looks_like_markup("a &amp; b"));
	ASSERT(html_looks_like_markup("&#160;"));
	ASSERT(!html_looks_like_markup("a < b and c > d"));
	ASSERT(!html_looks_like_markup("Q&A session"));
	ASSERT(!html_looks_like_markup(NULL));
}

static void test_deep_nesting(void)
{
	/* Thousands of nested elements: no recursion, no crash. */
	size_t n = 20000, i;
	char *html = malloc(n * 3 + 8 + n * 4), *p = html, *out = NULL;

	REQUIRE(html != NULL);
	for (i = 0; i < n; i++)
		memcpy(p, "<b>", 3), p += 3;
	memcpy(p, "deep", 4), p += 4;
	for (i = 0; i < n; i++)
		memcpy(p, "</b>", 4), p += 4;
	*p = '\0';
	ASSERT_INT_EQ(html_to_text(html, strlen(html), 0, &out), 0);
	ASSERT(out != NULL);
	free(out);
	free(html);
}

/* The fast reader must give what libxml2's tree walk gives, both for
 * what it reads itself and for what it hands over. */
static void test_fast_path_agrees(void)
{
	static const char *const cases[] = {
	    "plain text only",
	    "<p>One</p><p>Two <a href=\"https://x.example/?a=1&amp;b=2\" "
	    "rel='nofollow'>link</a>&nbsp;end</p>",
	    "<p>caf&#233; &#x4E2D; &lt;tag&gt; &quot;q&quot; &apos;</p>",
	    "line<br>next<br/>last<br />",
	    "<div><h1>Title</h1><ul><li>a</li><li>b <b>c</b></li></ul></div>",
	    "<blockquote><p>quoted</p></blockquote>after",
	    "a<img src=x alt=\"y\"> <b>b</b>",
	    "<span> </span>x<span>  </span>y",
	    "<p/>a<b/>b",
	    "text<hr>more",
	    /* Handed over: misnesting, autoclosing, unknown things. */
	    "<p>a<div>b</div>c</p>d",
	    "<b>a<p>b</p></b>",
	    "<a href=x>one<a href=y>two</a></a>",
	    "<li>loose</li><li>items",
	    "<p>a</b>c</p>",
	    "x &unknown; y &amp z",
	    "a < b and c > d",
	    "<!-- c -->text<script>no</script>",
	    "&#128;&#146;&#0;&#xD800;",
	    "\xef\xbb\xbf<p>bom</p>",
	    "ctl\x01\x0b\x0c chars",
	    "<p>a<table><tr><td>x</td></tr></table></p>",
	    "<pre>  keep\n  lines</pre>",
	    "<P CLASS=x>Upper</P>",
	    "<p>unterminated <a href=\"x",
	};
	size_t i;
	unsigned flags;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (flags = 0; flags <= HTML_TEXT_ONELINE; flags++) {
			char *fast = NULL, *ref = NULL;

			ASSERT_INT_EQ(html_to_text(cases[i], strlen(cases[i]),
			                           flags, &fast),
			              0);
			ASSERT_INT_EQ(
			    html_to_text(cases[i], strlen(cases[i]),
			                 flags | HTML_TEXT_NO_FAST_PATH, &ref),
			    0);
			if (fast && ref && strcmp(fast, ref) != 0) {
				fprintf(
				    stderr,
				    "fast path differs on \"%s\": \"%s\" vs "
				    "\"%s\"\n",
				    cases[i], fast, ref);
				test_failures++;
			}
			free(fast);
			free(ref);
		}
	}
}

static size_t put_cp(char *o, unsigned long v)
{
	if (v < 0x80) {
		o[0] = (char)v;
		return 1;
	}
	if (v < 0x800) {
		o[0] = (char)(0xc0 | v >> 6);
		o[1] = (char)(0x80 | (v & 0x3f));
		return 2;
	}
	if (v < 0x10000) {
		o[0] = (char)(0xe0 | v >> 12);
		o[1] = (char)(0x80 | (v >> 6 & 0x3f));
		o[2] = (char)(0x80 | (v & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | v >> 18);
	o[1] = (char)(0x80 | (v >> 12 & 0x3f));
	o[2] = (char)(0x80 | (v >> 6 & 0x3f));
	o[3] = (char)(0x80 | (v & 0x3f));
	return 4;
}

/* The shortcut that skips NFC for text it can prove unchanged: for every
 * code point of planes 0-2 after a letter (which may compose with it) and
 * before one, the result must be what full NFC gives; also the rule-made
 * Hangul compositions. */
static void test_nfc_shortcut(void)
{
	unsigned long cp;
	int wrong = 0;

	for (cp = 0x20; cp < 0x30000; cp++) {
		char in[16], *out = NULL;
		utf8proc_uint8_t *nfc = NULL;
		size_t n = 0;

		if ((cp >= 0x7f && cp <= 0xa0) || (cp >= 0xd800 && cp < 0xe000))
			continue;
		if (cp == 0x2028 || cp == 0x2029 || cp == 0x85)
			continue;
		in[n++] = 'e';
		n += put_cp(in + n, cp);
		in[n++] = 'x';
		if (html_plain_text(in, n, 0, &out) < 0)
			break;
		if (utf8proc_map((const utf8proc_uint8_t *)in,
		                 (utf8proc_ssize_t)n, &nfc,
		                 UTF8PROC_STABLE | UTF8PROC_COMPOSE) < 0 ||
		    strcmp(out, (const char *)nfc) != 0) {
			if (wrong++ < 5)
				fprintf(stderr,
				        "NFC shortcut wrong at U+%04lX\n", cp);
		}
		free(nfc);
		free(out);
	}
	ASSERT_INT_EQ(wrong, 0);
	/* Hangul: L + V and LV + T compose by rule. */
	check_plain("\xe1\x84\x80\xe1\x85\xa1", 6, 0, "\xea\xb0\x80");
	check_plain("\xea\xb0\x80\xe1\x86\xa8", 6, 0, "\xea\xb0\x81");
	/* A precomposed letter that is its own NFC stays; a singleton
	 * (U+212B ANGSTROM SIGN) becomes its canonical letter. */
	check_plain("\xd0\xb9 \xe3\x81\xa7", 6, 0, "\xd0\xb9 \xe3\x81\xa7");
	check_plain("\xe2\x84\xab", 3, 0, "\xc3\x85");
}

/* C1 controls are Windows-1252 punctuation misread as Latin-1. */
static void test_cp1252_c1(void)
{
	check_html("don&#146;t &#147;q&#148; &#128;5 &#129;x", 0,
	           "don\xe2\x80\x99t \xe2\x80\x9cq\xe2\x80\x9d \xe2\x82\xac"
	           "5 x");
	check_plain("a\xc2\x96z", 4, 0, "a\xe2\x80\x93z");
}

TEST_MAIN(TEST(test_blocks_and_breaks), TEST(test_dropped_elements),
          TEST(test_entities), TEST(test_whitespace), TEST(test_nfc_and_repair),
          TEST(test_nul_bytes), TEST(test_plain), TEST(test_looks_like_markup),
          TEST(test_deep_nesting), TEST(test_fast_path_agrees),
          TEST(test_nfc_shortcut), TEST(test_cp1252_c1))
