/*
 * util.h — small shared helpers: the growable byte buffer every module uses
 * to build strings, the "unknown time" sentinel, time helpers, and checked
 * allocation wrappers.  Nothing here does I/O except util_read_file().
 */
#ifndef DEMARCHE_UTIL_H
#define DEMARCHE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Epoch seconds are the one time base; this value means "not known". */
#define TIME_UNKNOWN INT64_MIN

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A growable, always NUL-terminated byte buffer.  A zeroed struct is an
 * empty buffer; buf_free() returns it to that state. */
struct buf {
	char *data; /* NULL until the first append; NUL-terminated after */
	size_t len; /* bytes used, not counting the terminator */
	size_t cap; /* bytes allocated */
};

/* All return 0 or -ENOMEM. */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void buf_reset(struct buf *b); /* len = 0, keeps memory */
void buf_free(struct buf *b);
/* Hands the data over to the caller (a *new* string, "" when empty). */
char *buf_steal(struct buf *b);

/* strdup/strndup that accept NULL (returning NULL). */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Reads a whole file (at most max bytes; 0 = no limit) into a new
 * NUL-terminated buffer.  Returns 0 or a negative errno (-EFBIG when over
 * the limit). */
int util_read_file(const char *path, size_t max, char **out, size_t *len);

/* Writes all len bytes to fd, retrying short writes and EINTR.  Returns 0
 * or a negative errno. */
int util_write_all(int fd, const void *data, size_t len);
/* Replaces path with data whole or not at all: written to a temporary file
 * beside it (mode 0666 less the umask), synced, renamed over path, and
 * the directory synced.  Returns 0 or a negative errno. */
int util_write_file_atomic(const char *path, const void *data, size_t len);

/* Wall clock as UTC epoch seconds / microseconds, and the monotonic clock
 * in milliseconds for intervals and deadlines. */
int64_t util_now(void);
int64_t util_now_us(void);
int64_t util_monotonic_ms(void);

/* Days-from-civil: UTC epoch seconds for a broken-down UTC time, without
 * touching the process time zone.  Month 1..12. */
int64_t util_timegm(int year, int month, int day, int hour, int min, int sec);

/* The one of names[] closest to s when it is near enough to be a typo of
 * it (1 edit for names of up to 4 bytes, else 2; ASCII case ignored), or
 * NULL: the "did you mean" of the config and the command line. */
const char *util_nearest(const char *s, const char *const *names, size_t n);

/* True when s is one or more ASCII digits and nothing else. */
bool util_all_digits(const char *s);

#endif
