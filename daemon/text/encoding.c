/*
 * encoding.c — charset detection and conversion to UTF-8 for feed bodies.
 *
 * Every parser downstream (libxml2, jansson, the HTML-to-text walker) is
 * handed valid UTF-8 only, so encoding trouble is settled here once, with
 * one set of rules, and reported as flags rather than as parser errors.
 * The order for XML follows RFC 7303 section 3: a byte order mark decides
 * first, then the charset parameter of the HTTP Content-Type, then the
 * encoding in the XML declaration, then the UTF-16/32 patterns of "<?xml"
 * without a BOM, and finally UTF-8 (or Windows-1252 when the bytes cannot
 * be UTF-8 at all).
 */
#include "encoding.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Legacy labels read with their WHATWG superset, so text written by the
 * Windows code pages that pretend to be the older standards decodes. */
static const struct {
	const char *label; /* lower case */
	const char *iconv; /* glibc iconv name */
} aliases[] = {
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"gb2312", "GB18030"},
    {"gbk", "GB18030"},
    {"x-gbk", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"csgb2312", "GB18030"},
    {"chinese", "GB18030"},
    {"euc-cn", "GB18030"},
    {"cp936", "GB18030"},
    {"gb18030", "GB18030"},
    {"big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"},
    {"cn-big5", "BIG5-HKSCS"},
    {"x-x-big5", "BIG5-HKSCS"},
    {"csbig5", "BIG5-HKSCS"},
    {"shift_jis", "CP932"},
    {"shift-jis", "CP932"},
    {"sjis", "CP932"},
    {"x-sjis", "CP932"},
    {"ms_kanji", "CP932"},
    {"csshiftjis", "CP932"},
    {"windows-31j", "CP932"},
    {"cp932", "CP932"},
    {"euc-jp", "EUC-JP"},
    {"x-euc-jp", "EUC-JP"},
    {"euc-kr", "CP949"},
    {"ks_c_5601-1987", "CP949"},
    {"ksc5601", "CP949"},
    {"cseuckr", "CP949"},
    {"windows-949", "CP949"},
    {"korean", "CP949"},
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso8859-1", "WINDOWS-1252"},
    {"iso_8859-1", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"l1", "WINDOWS-1252"},
    {"us-ascii", "WINDOWS-1252"},
    {"ascii", "WINDOWS-1252"},
    {"cp819", "WINDOWS-1252"},
    {"windows-1252", "WINDOWS-1252"},
    {"cp1252", "WINDOWS-1252"},
    {"koi8-r", "KOI8-R"},
    {"koi8r", "KOI8-R"},
    {"koi8-u", "KOI8-U"},
};

/* Maps a label to an iconv name in out; false for labels that are not
 * plausible names at all. */
static bool charset_name(const char *label, size_t n, char *out, size_t outlen)
{
	char low[40];
	size_t i;

	while (n && isspace((unsigned char)*label))
		label++, n--;
	while (n && isspace((unsigned char)label[n - 1]))
		n--;
	if (n >= 2 && (label[0] == '"' || label[0] == '\'') &&
	    label[n - 1] == label[0]) {
		label++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(low) || n >= outlen)
		return false;
	for (i = 0; i < n; i++) {
		char c = label[i];

		if (!isalnum((unsigned char)c) && !strchr("-_.:()", c))
			return false;
		low[i] = (char)tolower((unsigned char)c);
	}
	low[n] = '\0';
	for (i = 0; i < ARRAY_SIZE(aliases); i++) {
		if (strcmp(low, aliases[i].label) == 0) {
			snprintf(out, outlen, "%s", aliases[i].iconv);
			return true;
		}
	}
	for (i = 0; i < n; i++)
		out[i] = (char)toupper((unsigned char)low[i]);
	out[n] = '\0';
	return true;
}

static bool is_utf8_name(const char *cs)
{
	return strcmp(cs, "UTF-8") == 0;
}

/* UTF-16 and UTF-32 need their byte order settled from the data. */
static bool is_wide_name(const char *cs)
{
	return strncmp(cs, "UTF-16", 6) == 0 || strncmp(cs, "UTF-32", 6) == 0 ||
	       strncmp(cs, "UCS-2", 5) == 0 || strncmp(cs, "UCS-4", 5) == 0 ||
	       strcmp(cs, "UNICODE") == 0;
}

/* "UTF-16BE", "UTF-32LE" ...: the name fixes the byte order. */
static bool has_byte_order(const char *cs)
{
	size_t n = strlen(cs);

	return n > 2 &&
	       (strcmp(cs + n - 2, "BE") == 0 || strcmp(cs + n - 2, "LE") == 0);
}

static int put_replacement(struct buf *out)
{
	return buf_append(out, "\xef\xbf\xbd", 3);
}

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if (n >= 2 && (s[1] & 0xc0) == 0x80)
			return 2;
		return 0;
	}
	if (c >= 0xe0 && c <= 0xef) {
		unsigned lo = c == 0xe0 ? 0xa0 : 0x80,
		         hi = c == 0xed ? 0x9f : 0xbf;

		if (n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80)
			return 3;
		return 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned lo = c == 0xf0 ? 0x90 : 0x80,
		         hi = c == 0xf4 ? 0x8f : 0xbf;

		if (n >= 4 && s[1] >= lo && s[1] <= hi &&
		    (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80)
			return 4;
		return 0;
	}
	return 0;
}

int encoding_utf8_repair(const char *s, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0;
	int bad = 0;

	if (buf_reserve(out, len) < 0)
		return -ENOMEM;
	while (i < len) {
		size_t k;

		/* ASCII without NUL, eight bytes at a time: most text. */
		while (len - i >= 8) {
			uint64_t w;

			memcpy(&w, p + i, 8);
			if ((w | ((w - 0x0101010101010101ULL) & ~w)) &
			    0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		k = p[i] ? utf8_seq(p + i, len - i) : 0;

		if (k) {
			i += k;
			continue;
		}
		if (buf_append(out, s + start, i - start) < 0)
			return -ENOMEM;
		if (p[i]) {
			if (put_replacement(out) < 0)
				return -ENOMEM;
			bad++;
		}
		i++;
		start = i;
	}
	if (buf_append(out, s + start, i - start) < 0)
		return -ENOMEM;
	return bad;
}

int encoding_convert(const char *charset, const char *s, size_t len,
                     struct buf *out)
{
	char name[40];
	iconv_t cd;
	char chunk[4096];
	char *in = (char *)s;
	size_t inleft = len;
	int bad = 0, r = 0;
	struct buf tmp = {0};

	if (!charset_name(charset, strlen(charset), name, sizeof(name)))
		return -EINVAL;
	if (is_utf8_name(name))
		return encoding_utf8_repair(s, len, out);
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return -EINVAL;
	while (inleft > 0) {
		char *o = chunk;
		size_t oleft = sizeof(chunk);
		size_t rc = iconv(cd, &in, &inleft, &o, &oleft);
		int e = errno;

		if (buf_append(&tmp, chunk, sizeof(chunk) - oleft) < 0) {
			r = -ENOMEM;
			goto out_close;
		}
		if (rc != (size_t)-1)
			continue;
		if (e == E2BIG)
			continue;
		/* EILSEQ or a truncated sequence: one replacement per bad byte
		 * (an honest count), then resynchronise. */
		if (put_replacement(&tmp) < 0) {
			r = -ENOMEM;
			goto out_close;
		}
		bad++;
		if (e == EINVAL && inleft < 4) {
			inleft = 0;
			break;
		}
		in++;
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	/* Flush any shift state. */
	{
		char *o = chunk;
		size_t oleft = sizeof(chunk);

		iconv(cd, NULL, NULL, &o, &oleft);
		if (buf_append(&tmp, chunk, sizeof(chunk) - oleft) < 0) {
			r = -ENOMEM;
			goto out_close;
		}
	}
	/* iconv output is UTF-8, but NULs must still go. */
	r = encoding_utf8_repair(tmp.data ? tmp.data : "", tmp.len, out);
	if (r >= 0)
		r += bad;
out_close:
	buf_free(&tmp);
	iconv_close(cd);
	return r;
}

/* The charset parameter of a Content-Type, if any. */
static bool http_charset(const char *ct, char *out, size_t outlen)
{
	const char *p;

	if (!ct)
		return false;
	for (p = ct; (p = strchr(p, ';'));) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "charset", 7) == 0) {
			const char *v = p + 7, *e;

			while (*v == ' ')
				v++;
			if (*v != '=')
				continue;
			v++;
			while (*v == ' ')
				v++;
			e = v;
			while (*e && *e != ';' && *e != ' ')
				e++;
			return charset_name(v, (size_t)(e - v), out, outlen);
		}
	}
	return false;
}

/* The encoding pseudo-attribute of an XML declaration at the start of an
 * ASCII-compatible document. */
static bool decl_charset(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, end;
	const char *v;
	char q;

	if (len < 6 || memcmp(s, "<?xml", 5) != 0)
		return false;
	for (end = 5; end + 1 < len && end < 512; end++)
		if (s[end] == '?' && s[end + 1] == '>')
			break;
	for (i = 5; i + 8 < end; i++) {
		if (memcmp(s + i, "encoding", 8) != 0)
			continue;
		i += 8;
		while (i < end && isspace((unsigned char)s[i]))
			i++;
		if (i >= end || s[i] != '=')
			return false;
		i++;
		while (i < end && isspace((unsigned char)s[i]))
			i++;
		if (i >= end || (s[i] != '"' && s[i] != '\''))
			return false;
		q = s[i++];
		v = s + i;
		while (i < end && s[i] != q)
			i++;
		if (i >= end)
			return false;
		return charset_name(v, (size_t)(s + i - v), out, outlen);
	}
	return false;
}

/* Whether bytes with the high bit set include well-formed UTF-8
 * sequences and no ill-formed ones: then it is UTF-8. */
static int utf8_verdict(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, good = 0, bad = 0;

	while (i < len) {
		size_t k;

		if (p[i] < 0x80) {
			uint64_t w;

			/* ASCII, eight bytes at a time. */
			while (len - i >= 8) {
				memcpy(&w, p + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			if (i < len && p[i] < 0x80)
				i++;
			continue;
		}
		k = utf8_seq(p + i, len - i);
		if (k) {
			good++;
			i += k;
		} else {
			bad++;
			i++;
		}
	}
	if (bad == 0)
		return 1; /* UTF-8 (or ASCII) */
	/* -1: surely not UTF-8 (a legacy encoding whose bytes now and then
	 * happen to form a UTF-8 sequence counts too); 0: damaged UTF-8. */
	return good == 0 || good < bad ? -1 : 0;
}

/* Byte order marks, longest first. */
static const char *bom_charset(const unsigned char *s, size_t len, size_t *skip)
{
	if (len >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0xfe && s[3] == 0xff)
		return *skip = 4, "UTF-32BE";
	if (len >= 4 && s[0] == 0xff && s[1] == 0xfe && s[2] == 0 && s[3] == 0)
		return *skip = 4, "UTF-32LE";
	if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return *skip = 3, "UTF-8";
	if (len >= 2 && s[0] == 0xfe && s[1] == 0xff)
		return *skip = 2, "UTF-16BE";
	if (len >= 2 && s[0] == 0xff && s[1] == 0xfe)
		return *skip = 2, "UTF-16LE";
	return NULL;
}

/* "<" encoded as UTF-16/32 without a BOM (RFC 7303 / XML appendix F). */
static const char *wide_sniff(const unsigned char *s, size_t len)
{
	if (len >= 4 && !s[0] && !s[1] && !s[2] && s[3])
		return "UTF-32BE";
	if (len >= 4 && s[0] && !s[1] && !s[2] && !s[3])
		return "UTF-32LE";
	if (len >= 2 && !s[0] && s[1])
		return "UTF-16BE";
	if (len >= 2 && s[0] && !s[1])
		return "UTF-16LE";
	return NULL;
}

static void set_result(struct encoding_result *res, const char *cs,
                       const char *source)
{
	snprintf(res->charset, sizeof(res->charset), "%s", cs);
	res->source = source;
}

/* Converts with cs, falling back to UTF-8 repair for an unknown name. */
static int convert_with(const char *cs, const char *s, size_t len,
                        struct buf *out, struct encoding_result *res)
{
	size_t before = out->len;
	int r = encoding_convert(cs, s, len, out);

	if (r == -EINVAL) {
		res->fallback = true;
		set_result(res, "UTF-8", "default");
		out->len = before;
		r = encoding_utf8_repair(s, len, out);
	}
	if (r < 0)
		return r;
	if (r > 0)
		res->replaced = true;
	/* A BOM that survived conversion (UTF-16LE named with a BOM present)
	 * is not content. */
	if (out->len - before >= 3 &&
	    memcmp(out->data + before, "\xef\xbb\xbf", 3) == 0) {
		memmove(out->data + before, out->data + before + 3,
		        out->len - before - 3);
		out->len -= 3;
		out->data[out->len] = '\0';
	}
	return 0;
}

/* Whether the non-ASCII code points of UTF-8 text are nearly all East
 * Asian (CJK ideographs, kana, hangul, CJK punctuation, full-width
 * forms): what a right guess of a legacy CJK encoding gives, where a
 * wrong one gives scattered symbols and Latin letters. */
static bool mostly_cjk(const struct buf *b)
{
	const unsigned char *p = (const unsigned char *)b->data;
	size_t i = 0, cjk = 0, other = 0;

	while (i < b->len) {
		unsigned cp;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xf0) == 0xe0 && i + 2 < b->len) {
			cp = (p[i] & 0x0fu) << 12 | (p[i + 1] & 0x3fu) << 6 |
			     (p[i + 2] & 0x3fu);
			i += 3;
		} else {
			cp = 0;
			i += (p[i] & 0xe0) == 0xc0   ? 2
			     : (p[i] & 0xf8) == 0xf0 ? 4
			                             : 1;
		}
		if ((cp >= 0x3000 && cp <= 0x9fff) ||
		    (cp >= 0xac00 && cp <= 0xd7af) ||
		    (cp >= 0xff00 && cp <= 0xffef && cp != 0xfffd))
			cjk++;
		else
			other++;
	}
	return cjk > 0 && other * 10 <= cjk;
}

/* Undeclared, not UTF-8: the first legacy East Asian encoding (Japanese
 * first, the essay's own language, then Chinese and Korean) that decodes
 * data without a single replacement into mostly East Asian text, or NULL
 * (the caller then reads Windows-1252, as before). */
static const char *cjk_guess(const char *data, size_t len)
{
	static const char *const candidates[] = {"CP932", "EUC-JP", "GB18030",
	                                         "BIG5", "CP949"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(candidates); i++) {
		struct buf b = {0};
		int r = encoding_convert(candidates[i], data, len, &b);
		bool ok = r == 0 && mostly_cjk(&b);

		buf_free(&b);
		if (ok)
			return candidates[i];
	}
	return NULL;
}

int encoding_xml_to_utf8(const char *data, size_t len, const char *content_type,
                         struct buf *out, struct encoding_result *res)
{
	const unsigned char *u = (const unsigned char *)data;
	const char *bom, *wide;
	char cs[40];
	size_t skip = 0;

	memset(res, 0, sizeof(*res));
	bom = bom_charset(u, len, &skip);
	if (bom) {
		set_result(res, bom, "bom");
		return convert_with(bom, data + skip, len - skip, out, res);
	}
	wide = wide_sniff(u, len);
	if (http_charset(content_type, cs, sizeof(cs))) {
		/* A wide charset named without byte order takes it from the
		 * data; a wide charset on single-byte data is a mistake. */
		if (is_wide_name(cs) && !has_byte_order(cs)) {
			if (wide && strncmp(cs, wide, 6) == 0)
				snprintf(cs, sizeof(cs), "%s", wide);
			else if (!wide)
				goto declaration;
		}
		set_result(res, cs, "http");
		return convert_with(cs, data, len, out, res);
	}
	if (wide) {
		set_result(res, wide, "sniffed");
		return convert_with(wide, data, len, out, res);
	}
declaration:
	if (decl_charset(data, len, cs, sizeof(cs)) && !is_wide_name(cs)) {
		if (is_utf8_name(cs) && utf8_verdict(data, len) < 0) {
			/* Declared UTF-8, cannot be: an East Asian encoding
			 * if one reads it cleanly, else most likely
			 * Windows-1252. */
			const char *cjk = cjk_guess(data, len);

			res->fallback = true;
			if (cjk) {
				set_result(res, cjk, "sniffed");
				res->guessed = true;
				return convert_with(cjk, data, len, out, res);
			}
			set_result(res, "WINDOWS-1252", "sniffed");
			return convert_with("WINDOWS-1252", data, len, out,
			                    res);
		}
		set_result(res, cs, "declaration");
		return convert_with(cs, data, len, out, res);
	}
	if (utf8_verdict(data, len) < 0) {
		const char *cjk = cjk_guess(data, len);

		if (cjk) {
			set_result(res, cjk, "sniffed");
			res->guessed = true;
			return convert_with(cjk, data, len, out, res);
		}
		set_result(res, "WINDOWS-1252", "sniffed");
		return convert_with("WINDOWS-1252", data, len, out, res);
	}
	set_result(res, "UTF-8", "default");
	return convert_with("UTF-8", data, len, out, res);
}

int encoding_json_to_utf8(const char *data, size_t len, struct buf *out,
                          struct encoding_result *res)
{
	const char *bom, *wide;
	size_t skip = 0;

	memset(res, 0, sizeof(*res));
	bom = bom_charset((const unsigned char *)data, len, &skip);
	if (bom) {
		set_result(res, bom, "bom");
		return convert_with(bom, data + skip, len - skip, out, res);
	}
	/* RFC 4627's detection of UTF-16/32 JSON by its NUL pattern. */
	wide = wide_sniff((const unsigned char *)data, len);
	if (wide) {
		set_result(res, wide, "sniffed");
		return convert_with(wide, data, len, out, res);
	}
	set_result(res, "UTF-8", "default");
	return convert_with("UTF-8", data, len, out, res);
}
