/*
 * date.c — reads the many ways feeds write a date into UTC epoch seconds.
 *
 * Three readers share the work: an ISO 8601 reader (RFC 3339, W3CDTF and
 * the reduced or two-digit-year shapes), a token reader for the "human"
 * shapes (RFC 822/1123, asctime, JavaScript's Date.toString, Perforce's
 * Y/M/D), and a small front end that rewrites localised month and day
 * names (Greek, Hungarian) and Korean forms into one of those.  Every
 * field is range-checked; anything left over makes the whole string
 * unreadable rather than half-read.  A missing zone means UTC, as RFC 3339
 * readers and feedparser both assume.
 */
#include "date.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Longest date string considered; real ones are far shorter. */
#define DATE_MAX_LEN 128

struct dt {
	int year, month, day; /* civil date, month 1..12 */
	int hour, min, sec;   /* wall time */
	int offset;           /* zone offset east of UTC, seconds */
};

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && is_leap(y))
		return 29;
	return d[m - 1];
}

/* Range-checks a broken-down time and turns it into epoch seconds. */
static int64_t dt_to_epoch(const struct dt *t)
{
	if (t->year < 1 || t->year > 9999 || t->month < 1 || t->month > 12)
		return TIME_UNKNOWN;
	if (t->day < 1 || t->day > days_in_month(t->year, t->month))
		return TIME_UNKNOWN;
	if (t->hour < 0 || t->hour > 24 || t->min < 0 || t->min > 59 ||
	    t->sec < 0 || t->sec > 60)
		return TIME_UNKNOWN;
	/* 24:00:00 is the end of the day, nothing later. */
	if (t->hour == 24 && (t->min || t->sec))
		return TIME_UNKNOWN;
	return util_timegm(t->year, t->month, t->day, t->hour, t->min, t->sec) -
	       t->offset;
}

/* Reads exactly n digits at *p into *out; advances *p. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static int count_digits(const char *p)
{
	int n = 0;

	while (isdigit((unsigned char)p[n]))
		n++;
	return n;
}

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december",
};

/* A month as its English name or three-letter abbreviation ("Sept" too);
 * returns 1..12 or 0. */
static int month_from_word(const char *w, size_t n)
{
	int i;

	for (i = 0; i < 12; i++) {
		size_t full = strlen(month_names[i]);

		if ((n == 3 || n == full) &&
		    strncasecmp(w, month_names[i], n) == 0)
			return i + 1;
	}
	if (n == 4 && strncasecmp(w, "sept", 4) == 0)
		return 9;
	return 0;
}

static bool is_weekday(const char *w, size_t n)
{
	static const char *const days[7] = {"monday",   "tuesday", "wednesday",
	                                    "thursday", "friday",  "saturday",
	                                    "sunday"};
	int i;

	for (i = 0; i < 7; i++) {
		size_t full = strlen(days[i]);

		if ((n == 3 || n == full) && strncasecmp(w, days[i], n) == 0)
			return true;
	}
	return false;
}

/*
 * Named zones.  RFC 822's own (UT, GMT, EST ... PDT, Z), the one-letter
 * North American forms feeds use (ET, CT ...), and the common European
 * and Asian abbreviations whose meaning is not disputed.  Ambiguous names
 * (IST, BST is kept as British Summer Time since feeds use it so) are left
 * out on purpose: an unknown zone makes the date unknown.
 */
static const struct {
	const char *name; /* upper case */
	int minutes;      /* east of UTC */
} zones[] = {
    {"UT", 0},      {"UTC", 0},     {"GMT", 0},    {"Z", 0},
    {"ETC/GMT", 0}, {"ETC/UTC", 0}, {"WET", 0},    {"WEST", 60},
    {"EST", -300},  {"EDT", -240},  {"CST", -360}, {"CDT", -300},
    {"MST", -420},  {"MDT", -360},  {"PST", -480}, {"PDT", -420},
    {"AST", -240},  {"ADT", -180},  {"AT", -240},  {"ET", -300},
    {"CT", -360},   {"MT", -420},   {"PT", -480},  {"AKST", -540},
    {"AKDT", -480}, {"HST", -600},  {"NST", -210}, {"NDT", -150},
    {"BST", 60},    {"CET", 60},    {"CEST", 120}, {"MET", 60},
    {"MEST", 120},  {"MEZ", 60},    {"MESZ", 120}, {"EET", 120},
    {"EEST", 180},  {"MSK", 180},   {"JST", 540},  {"KST", 540},
    {"HKT", 480},   {"SGT", 480},   {"AWST", 480}, {"ACST", 570},
    {"ACDT", 630},  {"AEST", 600},  {"AEDT", 660}, {"NZST", 720},
    {"NZDT", 780},
};

/* "+hh:mm", "+hhmm", "+hh" (sign at s[0]); returns false unless the whole
 * string is one. */
static bool numeric_offset(const char *s, size_t n, int *out)
{
	int sign, h, m = 0;
	const char *p = s + 1, *end = s + n;

	if (n < 2 || (s[0] != '+' && s[0] != '-'))
		return false;
	sign = s[0] == '-' ? -1 : 1;
	if (end - p >= 2 && isdigit((unsigned char)p[0]) &&
	    isdigit((unsigned char)p[1])) {
		digits(&p, 2, &h);
	} else if (end - p >= 1 && isdigit((unsigned char)p[0]) &&
	           (end - p == 1 || !isdigit((unsigned char)p[1]))) {
		digits(&p, 1, &h);
	} else {
		return false;
	}
	if (p < end && *p == ':')
		p++;
	if (p < end) {
		if (end - p != 2 || !digits(&p, 2, &m))
			return false;
	}
	if (h > 23 || m > 59)
		return false;
	*out = sign * (h * 3600 + m * 60);
	return true;
}

/* A zone written as a name, a number, or a name plus a number
 * ("GMT-01:01"); offset in seconds east of UTC. */
static bool zone_offset(const char *s, size_t n, int *out)
{
	char up[16];
	size_t i, alpha = 0;

	if (n == 0)
		return false;
	if (s[0] == '+' || s[0] == '-')
		return numeric_offset(s, n, out);
	while (alpha < n &&
	       (isalpha((unsigned char)s[alpha]) || s[alpha] == '/'))
		alpha++;
	if (alpha == 0 || alpha >= sizeof(up))
		return false;
	for (i = 0; i < alpha; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	up[alpha] = '\0';
	if (alpha < n) {
		/* Only UTC-like names may carry an offset. */
		if (strcmp(up, "GMT") != 0 && strcmp(up, "UTC") != 0 &&
		    strcmp(up, "UT") != 0)
			return false;
		return numeric_offset(s + alpha, n - alpha, out);
	}
	for (i = 0; i < ARRAY_SIZE(zones); i++) {
		if (strcmp(up, zones[i].name) == 0) {
			*out = zones[i].minutes * 60;
			return true;
		}
	}
	return false;
}

/* "hh[:mm[:ss[.frac]]]" from *p: at least hours and minutes; the hour may
 * be one digit.  ISO's compact "hhmm[ss]" only when compact is set.
 * Advances *p past what it read. */
static bool read_clock(const char **pp, struct dt *t, bool compact)
{
	const char *p = *pp;
	int n = count_digits(p);

	if (compact && (n == 4 || n == 6)) {
		/* Compact hhmm[ss]. */
		digits(&p, 2, &t->hour);
		digits(&p, 2, &t->min);
		if (count_digits(p) == 2)
			digits(&p, 2, &t->sec);
		goto frac;
	}
	if (n < 1 || n > 2 || !digits(&p, n, &t->hour) || *p != ':')
		return false;
	p++;
	n = count_digits(p);
	if (n < 1 || n > 2 || !digits(&p, n, &t->min))
		return false;
	if (*p == ':') {
		p++;
		n = count_digits(p);
		if (n < 1 || n > 2 || !digits(&p, n, &t->sec))
			return false;
	}
frac:
	if ((*p == '.' || *p == ',') && isdigit((unsigned char)p[1])) {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	*pp = p;
	return true;
}

/* Month after a hyphen in an ISO-ish date: digits, or a month name as in
 * "2004-July-13" (after localised names were rewritten). */
static bool iso_month(const char **pp, int *month)
{
	const char *p = *pp;
	int n = count_digits(p);

	if (n >= 1 && n <= 3) {
		digits(&p, n, month);
		*pp = p;
		return true;
	}
	n = 0;
	while (isalpha((unsigned char)p[n]))
		n++;
	*month = month_from_word(p, (size_t)n);
	if (!*month)
		return false;
	*pp = p + n;
	return true;
}

/* Day of year to month and day. */
static bool from_ordinal(int year, int yday, struct dt *t)
{
	int m = 1;

	if (yday < 1 || yday > (is_leap(year) ? 366 : 365))
		return false;
	while (yday > days_in_month(year, m)) {
		yday -= days_in_month(year, m);
		m++;
	}
	t->month = m;
	t->day = yday;
	return true;
}

static int two_digit_year(int yy)
{
	return yy < 50 ? 2000 + yy : 1900 + yy;
}

/*
 * ISO 8601 family: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-DDD, YYYYMMDD,
 * YYYYDDD, the two-digit-year shapes YYMMDD, YY-MM-DD, -YYMM, -YY-MM, then
 * an optional time after 'T' or spaces and an optional zone.
 */
static int64_t parse_iso(const char *s)
{
	struct dt t = {0};
	const char *p = s;
	int n, v = 0;

	t.month = t.day = 1;
	if (*p == '-') {
		/* -YYMM or -YY-MM: a month of a two-digit year. */
		p++;
		if (!digits(&p, 2, &v))
			return TIME_UNKNOWN;
		t.year = two_digit_year(v);
		if (*p == '-')
			p++;
		if (count_digits(p) != 2 || !digits(&p, 2, &t.month))
			return TIME_UNKNOWN;
		goto time;
	}
	n = count_digits(p);
	switch (n) {
	case 4:
		digits(&p, 4, &t.year);
		if (*p != '-')
			break;
		p++;
		n = count_digits(p);
		if (n == 3 && p[3] != '-') {
			/* YYYY-DDD, a day of the year. */
			digits(&p, 3, &v);
			if (!from_ordinal(t.year, v, &t))
				return TIME_UNKNOWN;
			break;
		}
		if (!iso_month(&p, &t.month))
			return TIME_UNKNOWN;
		if (*p == '-') {
			p++;
			n = count_digits(p);
			if (n < 1 || n > 2 || !digits(&p, n, &t.day))
				return TIME_UNKNOWN;
		}
		break;
	case 6: /* YYMMDD */
		digits(&p, 2, &v);
		t.year = two_digit_year(v);
		digits(&p, 2, &t.month);
		digits(&p, 2, &t.day);
		break;
	case 7: /* YYYYDDD */
		digits(&p, 4, &t.year);
		digits(&p, 3, &v);
		if (!from_ordinal(t.year, v, &t))
			return TIME_UNKNOWN;
		break;
	case 8: /* YYYYMMDD */
		digits(&p, 4, &t.year);
		digits(&p, 2, &t.month);
		digits(&p, 2, &t.day);
		break;
	case 2: /* YY-MM-DD */
		digits(&p, 2, &v);
		t.year = two_digit_year(v);
		if (*p++ != '-' || count_digits(p) != 2)
			return TIME_UNKNOWN;
		digits(&p, 2, &t.month);
		if (*p++ != '-' || count_digits(p) != 2)
			return TIME_UNKNOWN;
		digits(&p, 2, &t.day);
		break;
	default:
		/* Five digits could be YYDDD or a typo; three are nothing. */
		return TIME_UNKNOWN;
	}
time:
	if (*p == 'T' || *p == 't' || *p == ' ') {
		const char *q = p + 1;

		while (*q == ' ')
			q++;
		if (*q == '\0' && *p == ' ')
			return TIME_UNKNOWN;
		if (!read_clock(&q, &t, true))
			return TIME_UNKNOWN;
		p = q;
		while (*p == ' ')
			p++;
		if (*p) {
			if (!zone_offset(p, strlen(p), &t.offset))
				return TIME_UNKNOWN;
			p += strlen(p);
		}
	}
	if (*p)
		return TIME_UNKNOWN;
	return dt_to_epoch(&t);
}

/* Splits s into tokens at spaces and commas. */
static int tokenize(char *s, char **tok, int max)
{
	int n = 0;
	char *p = s;

	while (*p) {
		while (*p == ' ' || *p == ',')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == max)
			return -1;
		tok[n++] = p;
		while (*p && *p != ' ' && *p != ',')
			p++;
	}
	return n;
}

/*
 * RFC 822/1123 ("Thu, 01 Jan 2004 19:48:21 GMT"), asctime ("Sun Jan  4
 * 16:29:06 2004"), JavaScript ("Thu Aug 30 2012 17:26:16 +0200"), Twitter
 * ("Sun Jul 15 01:16:00 +0000 2012") and Perforce ("Fri, 2006/09/15
 * 08:19:53 EDT"): tokens in any of those orders, each recognised by its
 * shape; an unrecognised token makes the date unknown.
 */
static int64_t parse_tokens(char *s)
{
	char *tok[12];
	int ntok, i, nums[2], nnum = 0;
	struct dt t = {0};
	bool have_time = false, have_zone = false, pm = false, am = false;

	/* A leading word followed by a comma is a weekday, in whatever
	 * language ("mer, 16 nov 2022"): it carries nothing the date does
	 * not, so it is skipped rather than understood. */
	{
		size_t k = 0;

		while (isalpha((unsigned char)s[k]))
			k++;
		if (k > 0 && s[k] == ',' && !month_from_word(s, k))
			s += k + 1;
	}
	ntok = tokenize(s, tok, (int)ARRAY_SIZE(tok));
	if (ntok <= 0)
		return TIME_UNKNOWN;
	for (i = 0; i < ntok; i++) {
		char *w = tok[i];
		size_t n = strlen(w);
		int v;

		if (isalpha((unsigned char)w[0]) &&
		    (v = month_from_word(w, n))) {
			if (t.month)
				return TIME_UNKNOWN;
			t.month = v;
		} else if (i == 0 && is_weekday(w, n)) {
			continue;
		} else if (util_all_digits(w)) {
			if (nnum == 2 || n > 4 || n == 3)
				return TIME_UNKNOWN;
			nums[nnum++] =
			    (int)strtol(w, NULL, 10) + (n == 4 ? 100000 : 0);
		} else if (strchr(w, ':') && isdigit((unsigned char)w[0])) {
			const char *p = w;

			if (have_time || !read_clock(&p, &t, false))
				return TIME_UNKNOWN;
			have_time = true;
			if (*p) {
				/* A zone glued to the time ("10:00Z"). */
				if (have_zone ||
				    !zone_offset(p, strlen(p), &t.offset))
					return TIME_UNKNOWN;
				have_zone = true;
			}
		} else if (isdigit((unsigned char)w[0]) && strchr(w, '/')) {
			const char *p = w;

			if (t.month || nnum || count_digits(p) != 4)
				return TIME_UNKNOWN;
			digits(&p, 4, &t.year);
			if (*p++ != '/' || count_digits(p) < 1 ||
			    count_digits(p) > 2)
				return TIME_UNKNOWN;
			digits(&p, count_digits(p), &t.month);
			if (*p++ != '/' || count_digits(p) < 1 ||
			    count_digits(p) > 2)
				return TIME_UNKNOWN;
			digits(&p, count_digits(p), &t.day);
			if (*p)
				return TIME_UNKNOWN;
		} else if (strcasecmp(w, "pm") == 0 ||
		           strcasecmp(w, "am") == 0) {
			if (!have_time || am || pm)
				return TIME_UNKNOWN;
			pm = tolower((unsigned char)w[0]) == 'p';
			am = !pm;
		} else {
			if (have_zone || !zone_offset(w, n, &t.offset))
				return TIME_UNKNOWN;
			have_zone = true;
		}
	}
	if (!t.year) {
		int yi;

		if (!t.month || nnum != 2)
			return TIME_UNKNOWN;
		/* The four-digit number is the year; otherwise the day comes
		 * first, as RFC 822 writes it. */
		yi = nums[0] >= 100000 ? 0 : 1;
		if (nums[0] >= 100000 && nums[1] >= 100000)
			return TIME_UNKNOWN;
		t.day = nums[1 - yi] % 100000;
		if (nums[1 - yi] >= 100000)
			return TIME_UNKNOWN;
		t.year = nums[yi] >= 100000 ? nums[yi] - 100000
		                            : two_digit_year(nums[yi]);
	} else if (nnum) {
		return TIME_UNKNOWN;
	}
	if (am || pm) {
		if (t.hour < 1 || t.hour > 12)
			return TIME_UNKNOWN;
		if (pm && t.hour != 12)
			t.hour += 12;
		else if (am && t.hour == 12)
			t.hour = 0;
	}
	return dt_to_epoch(&t);
}

/* Localised words rewritten to English before parsing. */
static const struct {
	const char *from; /* UTF-8 */
	const char *to;
} words[] = {
    /* Greek months and days (feedparser's _greek_* tables in spirit). */
    {"Ιαν", "Jan"},
    {"Φεβ", "Feb"},
    {"Μάώ", "Mar"},
    {"Μαώ", "Mar"},
    {"Μάρ", "Mar"},
    {"Μαρ", "Mar"},
    {"Απρ", "Apr"},
    {"Μάι", "May"},
    {"Μαϊ", "May"},
    {"Μαι", "May"},
    {"Ιούν", "Jun"},
    {"Ιον", "Jun"},
    {"Ιούλ", "Jul"},
    {"Ιολ", "Jul"},
    {"Αύγ", "Aug"},
    {"Αυγ", "Aug"},
    {"Σεπ", "Sep"},
    {"Οκτ", "Oct"},
    {"Νοέ", "Nov"},
    {"Νοε", "Nov"},
    {"Δεκ", "Dec"},
    {"Κυρ", "Sun"},
    {"Δευ", "Mon"},
    {"Τρι", "Tue"},
    {"Τετ", "Wed"},
    {"Πεμ", "Thu"},
    {"Παρ", "Fri"},
    {"Σαβ", "Sat"},
    /* Hungarian months. */
    {"január", "Jan"},
    {"február", "Feb"},
    {"március", "Mar"},
    {"április", "Apr"},
    {"május", "May"},
    {"június", "Jun"},
    {"július", "Jul"},
    {"augusztus", "Aug"},
    {"szeptember", "Sep"},
    {"október", "Oct"},
};

/* Rewrites localised words into out; false when it does not fit. */
static bool rewrite_words(const char *s, char *out, size_t outlen)
{
	size_t o = 0, i;

	while (*s) {
		for (i = 0; i < ARRAY_SIZE(words); i++) {
			size_t n = strlen(words[i].from);

			if (strncmp(s, words[i].from, n) == 0)
				break;
		}
		if (i < ARRAY_SIZE(words)) {
			size_t m = strlen(words[i].to);

			if (o + m >= outlen)
				return false;
			memcpy(out + o, words[i].to, m);
			o += m;
			s += strlen(words[i].from);
			continue;
		}
		if (o + 1 >= outlen)
			return false;
		out[o++] = *s++;
	}
	out[o] = '\0';
	return true;
}

/* Korean dates, which are Korea Standard Time (UTC+9) when no zone is
 * given: "2004년 05월 28일  01:31:15" and "2004-05-25 오후 11:23:17"
 * (오전 = a.m., 오후 = p.m.). */
static int64_t parse_korean(const char *s)
{
	static const char *const yk = "년", *const mk = "월", *const dk = "일";
	static const char *const amk = "오전", *const pmk = "오후";
	struct dt t = {0};
	const char *p = s;
	int half = 0;

	if (!digits(&p, 4, &t.year))
		return TIME_UNKNOWN;
	if (strncmp(p, yk, strlen(yk)) == 0) {
		p += strlen(yk);
		while (*p == ' ')
			p++;
		if (count_digits(p) < 1 || count_digits(p) > 2)
			return TIME_UNKNOWN;
		digits(&p, count_digits(p), &t.month);
		if (strncmp(p, mk, strlen(mk)) != 0)
			return TIME_UNKNOWN;
		p += strlen(mk);
		while (*p == ' ')
			p++;
		if (count_digits(p) < 1 || count_digits(p) > 2)
			return TIME_UNKNOWN;
		digits(&p, count_digits(p), &t.day);
		if (strncmp(p, dk, strlen(dk)) != 0)
			return TIME_UNKNOWN;
		p += strlen(dk);
	} else {
		if (*p++ != '-' || !digits(&p, 2, &t.month) || *p++ != '-' ||
		    !digits(&p, 2, &t.day))
			return TIME_UNKNOWN;
	}
	while (*p == ' ')
		p++;
	if (strncmp(p, amk, strlen(amk)) == 0) {
		half = 1;
		p += strlen(amk);
	} else if (strncmp(p, pmk, strlen(pmk)) == 0) {
		half = 2;
		p += strlen(pmk);
	}
	while (*p == ' ')
		p++;
	if (!read_clock(&p, &t, false) || *p)
		return TIME_UNKNOWN;
	if (half) {
		if (t.hour < 1 || t.hour > 12)
			return TIME_UNKNOWN;
		if (half == 2 && t.hour != 12)
			t.hour += 12;
		else if (half == 1 && t.hour == 12)
			t.hour = 0;
	}
	t.offset = 9 * 3600;
	return dt_to_epoch(&t);
}

/* The time after a date, if any: " HH:MM[:SS]" to the end. */
static bool optional_clock(const char *p, struct dt *t)
{
	while (*p == ' ')
		p++;
	return !*p || (read_clock(&p, t, false) && !*p);
}

/* Chinese and Japanese dates: "2020年3月12日" (Chinese ministries, and
 * Japanese ones in Western years), with an optional time after.  Like
 * other dates without a zone, read as UTC. */
static int64_t parse_cjk(const char *s)
{
	static const char *const marks[] = {"年", "月", "日"};
	struct dt t = {0};
	const char *p = s;
	int *fields[] = {&t.year, &t.month, &t.day};
	size_t i;
	int n;

	for (i = 0; i < 3; i++) {
		while (*p == ' ')
			p++;
		n = count_digits(p);
		if (n < 1 || n > (i == 0 ? 4 : 2) || (i == 0 && n != 4))
			return TIME_UNKNOWN;
		digits(&p, n, fields[i]);
		while (*p == ' ')
			p++;
		if (strncmp(p, marks[i], strlen(marks[i])) != 0)
			return TIME_UNKNOWN;
		p += strlen(marks[i]);
	}
	if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 ||
	    !optional_clock(p, &t))
		return TIME_UNKNOWN;
	return dt_to_epoch(&t);
}

/* European dotted dates, day first: "12.03.2020" or "12.3.2020", with an
 * optional time; UTC. */
static int64_t parse_dotted(const char *s)
{
	struct dt t = {0};
	const char *p = s;
	int n = count_digits(p);

	if (n < 1 || n > 2)
		return TIME_UNKNOWN;
	digits(&p, n, &t.day);
	if (*p++ != '.')
		return TIME_UNKNOWN;
	n = count_digits(p);
	if (n < 1 || n > 2)
		return TIME_UNKNOWN;
	digits(&p, n, &t.month);
	if (*p++ != '.' || count_digits(p) != 4)
		return TIME_UNKNOWN;
	digits(&p, 4, &t.year);
	if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 ||
	    !optional_clock(p, &t))
		return TIME_UNKNOWN;
	return dt_to_epoch(&t);
}

int64_t date_parse_n(const char *s, size_t n)
{
	char raw[DATE_MAX_LEN + 1], buf[DATE_MAX_LEN * 2];
	const char *d = raw;
	size_t i, o = 0;
	bool ascii = true;

	if (!s)
		return TIME_UNKNOWN;
	/* Trim, fold tabs and newlines into spaces, refuse NULs. */
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n > DATE_MAX_LEN)
		return TIME_UNKNOWN;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\0')
			return TIME_UNKNOWN;
		if ((unsigned char)c >= 0x80)
			ascii = false;
		raw[o++] = isspace((unsigned char)c) ? ' ' : c;
	}
	raw[o] = '\0';
	/* Nearly every date is ASCII: only the others can hold the Korean
	 * or localised words, whose search costs more than the parse. */
	if (!ascii) {
		if (strstr(raw, "년") || strstr(raw, "오전") ||
		    strstr(raw, "오후"))
			return parse_korean(raw);
		if (strstr(raw, "年"))
			return parse_cjk(raw);
		if (!rewrite_words(raw, buf, sizeof(buf)))
			return TIME_UNKNOWN;
		for (i = 0; buf[i]; i++)
			if ((unsigned char)buf[i] >= 0x80)
				return TIME_UNKNOWN;
		d = buf;
	}
	if (isdigit((unsigned char)d[0]) && strchr(d, '.') &&
	    parse_dotted(d) != TIME_UNKNOWN)
		return parse_dotted(d);
	if (isdigit((unsigned char)d[0]) || d[0] == '-') {
		/* Digits first: ISO 8601, unless it reads as "01 Jan 2004". */
		int64_t r = parse_iso(d);

		if (r != TIME_UNKNOWN || d[0] == '-')
			return r;
	}
	/* parse_tokens writes into its argument. */
	if (d == raw)
		memcpy(buf, raw, o + 1);
	return parse_tokens(buf);
}

int64_t date_parse(const char *s)
{
	return s ? date_parse_n(s, strlen(s)) : TIME_UNKNOWN;
}

char *date_format_rfc3339(int64_t t, char out[DATE_RFC3339_LEN])
{
	int64_t days, secs, z, era, doe, yoe, y, doy, mp, d, m;

	out[0] = '\0';
	/* Years 1..9999 only. */
	if (t == TIME_UNKNOWN || t < -62135596800LL || t > 253402300799LL)
		return out;
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* Howard Hinnant's civil_from_days. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	{
		/* Roomy scratch space: the compiler cannot see the ranges. */
		char tmp[80];

		snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ",
		         (int)y, (int)m, (int)d, (int)(secs / 3600),
		         (int)(secs / 60 % 60), (int)(secs % 60));
		memcpy(out, tmp, DATE_RFC3339_LEN - 1);
		out[DATE_RFC3339_LEN - 1] = '\0';
	}
	return out;
}

/* The optional time of date_parse_strict() after its date: "THH:MM:SS",
 * a fraction, and "Z" or an offset; *secs gets the seconds since
 * midnight UTC of that date (may be negative or past a day). */
static int strict_time(const char *s, int64_t *secs)
{
	int h, mi, sec, oh = 0, om = 0, sign = 0;

	if (*s != 'T' && *s != 't' && *s != ' ')
		return -EINVAL;
	s++;
	if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) ||
	    *s++ != ':' || !digits(&s, 2, &sec))
		return -EINVAL;
	if (h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (!digits(&s, 2, &oh) || *s++ != ':' || !digits(&s, 2, &om) ||
		    oh > 23 || om > 59)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	*secs = h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
	return 0;
}

int date_parse_strict(const char *s, int64_t *out)
{
	int y, mo, d;
	int64_t secs = 0;

	if (!s || !digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) ||
	    *s++ != '-' || !digits(&s, 2, &d))
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -EINVAL;
	if (*s && strict_time(s, &secs) < 0)
		return -EINVAL;
	*out = util_timegm(y, mo, d, 0, 0, 0) + secs;
	return 0;
}

int32_t date_fraction_us(const char *s)
{
	const char *p;
	int32_t us = 0;
	int n;

	if (!s)
		return -1;
	for (p = s; *p; p++) {
		/* "hh:mm:ss" then '.' or ',' then a digit. */
		if ((*p != '.' && *p != ',') || p - s < 5 ||
		    !isdigit((unsigned char)p[1]) ||
		    !isdigit((unsigned char)p[-1]) ||
		    !isdigit((unsigned char)p[-2]) || p[-3] != ':' ||
		    !isdigit((unsigned char)p[-4]) ||
		    !isdigit((unsigned char)p[-5]))
			continue;
		for (p++, n = 0; isdigit((unsigned char)*p); p++, n++)
			if (n < 6)
				us = us * 10 + (*p - '0');
		for (; n < 6; n++)
			us *= 10;
		return us;
	}
	return -1;
}

char *date_format_rfc3339_us(int64_t t, int32_t us,
                             char out[DATE_RFC3339_US_LEN])
{
	char whole[DATE_RFC3339_LEN], frac[6];
	int n;

	if (!*date_format_rfc3339(t, whole)) {
		out[0] = '\0';
		return out;
	}
	if (us < 0 || us > 999999) {
		memcpy(out, whole, sizeof(whole));
		return out;
	}
	for (n = 5; n >= 0; n--, us /= 10)
		frac[n] = (char)('0' + us % 10);
	n = 6;
	while (n > 1 && frac[n - 1] == '0')
		n--;
	/* whole ends in 'Z': the fraction goes before it. */
	memcpy(out, whole, 19);
	out[19] = '.';
	memcpy(out + 20, frac, (size_t)n);
	out[20 + n] = 'Z';
	out[21 + n] = '\0';
	return out;
}
