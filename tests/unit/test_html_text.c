/*
 * test_html_text.c — HTML to plain text: blocks and breaks, dropped
 * elements, entities, whitespace, NFC, UTF-8 repair, NULs, and the plain
 * text cleaner.
 */
#include <stdlib.h>
#include <string.h>

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

TEST_MAIN(TEST(test_blocks_and_breaks), TEST(test_dropped_elements),
          TEST(test_entities), TEST(test_whitespace), TEST(test_nfc_and_repair),
          TEST(test_nul_bytes), TEST(test_plain), TEST(test_looks_like_markup),
          TEST(test_deep_nesting))
