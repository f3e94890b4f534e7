/*
 * candidates.c — @mentions and diplomatic markers (see candidates.h).
 *
 * Markers are matched as substrings: Latin ones without regard to ASCII
 * case, so "ChineseEmbassyUS" and "mfa_china" are caught; CJK ones as
 * written, in both Simplified and Traditional forms.  Two abbreviations
 * common in diplomats' handles, "Amb" and "Emb", count only where a handle
 * starts with them or as a capitalised word part ("ChineseEmbinUS"), since
 * as bare substrings they are in too many ordinary words.
 */
#include "candidates.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const char *const latin_markers[] = {
    "embassy",
    "embassies",
    "embajada",
    "ambassade",
    "botschaft",
    "embaixada",
    "ambasciata",
    "consulate",
    "consulado",
    "consulat",
    "konsulat",
    "ministry",
    "ministerio",
    "ministere",
    "ministère",
    "ministerium",
    "foreign affairs",
    "foreignaffairs",
    "affaires étrangères",
    "mfa_",
    "_mfa",
    "mfa ",
    "ambassador",
    "embajador",
    "ambassadeur",
    "botschafter",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "xinhua",
    "cgtn",
    "cctv",
    "chinadaily",
    "china daily",
    "globaltimes",
    "global times",
    "peoplesdaily",
    "people's daily",
    "chinanews",
    "china news",
    /* Case folding here is ASCII only: Cyrillic in both cases. */
    "посольство",
    "консульство",
    "министерство",
    "посол",
    "Посольство",
    "Консульство",
    "Министерство",
    "Посол",
};

static const char *const cjk_markers[] = {
    "大使馆",   "大使館",   "领事馆", "領事館",   "总领事",   "總領事",
    "外交部",   "外務省",   "外务省", "大使",     "发言人",   "發言人",
    "報道官",   "报道官",   "新华社", "新華社",   "人民日报", "人民日報",
    "环球时报", "環球時報", "央视",   "中国日报", "中國日報", "使馆",
    "使館",     "公使",
};

/* Case-insensitive substring search for an ASCII-lowercase needle (bytes
 * above 0x7f compared as they are). */
static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

static bool upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* "Amb..." / "Emb..." at the start, or "...Amb" / "...Emb" as a
 * capitalised part followed by a capital or the end. */
static const char *abbreviation(const char *s)
{
	static const char *const abbr[] = {"Amb", "Emb"};
	size_t i;
	const char *p;

	for (i = 0; i < 2; i++) {
		if (strncasecmp(s, abbr[i], 3) == 0 &&
		    (!s[3] || upper(s[3]) || s[3] == '_' ||
		     (s[3] >= '0' && s[3] <= '9')))
			return i ? "emb" : "amb";
		for (p = s + 1; (p = strstr(p, abbr[i])) != NULL; p++)
			if (!p[3] || upper(p[3]) || p[3] == '_' ||
			    strncmp(p + 3, "in", 2) == 0 ||
			    strncmp(p + 3, "to", 2) == 0)
				return i ? "emb" : "amb";
	}
	return NULL;
}

const char *candidates_marker(const char *s)
{
	size_t i;

	if (!s || !*s)
		return NULL;
	for (i = 0; i < sizeof(cjk_markers) / sizeof(cjk_markers[0]); i++)
		if (strstr(s, cjk_markers[i]))
			return cjk_markers[i];
	for (i = 0; i < sizeof(latin_markers) / sizeof(latin_markers[0]); i++)
		if (contains_ci(s, latin_markers[i]))
			return latin_markers[i];
	/* "MFA" as the whole handle or a capitalised part. */
	if (strcasecmp(s, "mfa") == 0 || strstr(s, "MFA"))
		return "mfa";
	return abbreviation(s);
}

static bool word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

size_t candidates_mentions(const char *text, size_t max,
                           void (*fn)(const char *handle, void *arg), void *arg)
{
	char seen[16][CANDIDATES_HANDLE_MAX];
	char h[CANDIDATES_HANDLE_MAX];
	size_t found = 0, nseen = 0, i, n;
	const char *p, *q;

	if (!text)
		return 0;
	for (p = text; *p && found < max; p++) {
		bool dup = false;

		if (*p != '@')
			continue;
		if (p > text &&
		    (word_char((unsigned char)p[-1]) || p[-1] == '.'))
			continue; /* an e-mail address or a@b */
		q = p + 1;
		while (word_char((unsigned char)*q) || *q == '.')
			q++;
		/* "@user@host.tld" (Mastodon): keep the host part. */
		if (*q == '@' && word_char((unsigned char)q[1])) {
			q++;
			while (word_char((unsigned char)*q) || *q == '.' ||
			       *q == '-')
				q++;
		}
		while (q > p + 1 && q[-1] == '.')
			q--; /* a full stop after the mention */
		n = (size_t)(q - p - 1);
		if (n == 0 || n >= sizeof(h))
			continue;
		memcpy(h, p + 1, n);
		h[n] = '\0';
		for (i = 0; i < nseen && !dup; i++)
			dup = strcasecmp(seen[i], h) == 0;
		if (dup)
			continue;
		if (nseen < sizeof(seen) / sizeof(seen[0]))
			memcpy(seen[nseen++], h, n + 1);
		fn(h, arg);
		found++;
		p = q - 1;
	}
	return found;
}
