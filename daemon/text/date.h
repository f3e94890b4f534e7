/*
 * date.h — the date parser every feed format goes through.  Feeds write
 * dates in RFC 822/1123 (with or without weekday, named or numeric zones,
 * two-digit years), RFC 3339 / W3CDTF (fractions, offsets, reduced
 * precision), other ISO 8601 shapes, asctime, and a few localised forms
 * (Greek, Hungarian, Korean).  The result is UTC epoch seconds, or
 * TIME_UNKNOWN when the string cannot be read with certainty: a wrong date
 * is worse than none, so nothing is guessed.  Pure: no I/O, no locale, no
 * process time zone.
 */
#ifndef DEMARCHE_DATE_H
#define DEMARCHE_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Parses a NUL-terminated string; TIME_UNKNOWN when unreadable. */
int64_t date_parse(const char *s);
/* Same for n bytes (need not be NUL-terminated). */
int64_t date_parse_n(const char *s, size_t n);

/* The fraction of a second a date string writes after its seconds
 * ("10:00:00.25Z", "10:00:00,123456789+02:00"), in microseconds (0 to
 * 999999, further digits cut); -1 when it writes none.  Only the
 * fraction: use it beside date_parse() when that read the string. */
int32_t date_fraction_us(const char *s);

/* Formats epoch seconds as "YYYY-MM-DDThh:mm:ssZ" (four-digit year, zero
 * padded even before year 1000) into out; returns out, or "" when t is
 * TIME_UNKNOWN or outside years 1..9999. */
#define DATE_RFC3339_LEN 21
char *date_format_rfc3339(int64_t t, char out[DATE_RFC3339_LEN]);

/* Same with a fraction of a second: us in 0..999999 is written after the
 * seconds, without its trailing zeros ("...T10:00:00.25Z"); us < 0 (or
 * out of range) writes whole seconds, as date_format_rfc3339(). */
#define DATE_RFC3339_US_LEN 28
char *date_format_rfc3339_us(int64_t t, int32_t us,
                             char out[DATE_RFC3339_US_LEN]);

/* The strict parser of dates people write in the config: "YYYY-MM-DD"
 * (midnight UTC) or RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac]" with "Z" or a
 * "+HH:MM" / "-HH:MM" offset ('t' or ' ' may stand for 'T'), years from
 * 1970, nothing before or after.  Unlike date_parse() it accepts no other
 * shape.  Returns 0 with epoch seconds in *out, or -EINVAL. */
int date_parse_strict(const char *s, int64_t *out);

#endif
