/*
 * feed.h — the parsed-feed model shared by every parser, the daemon and the
 * `demarche parse` command.  feed_parse() takes raw bytes (an HTTP body or a
 * file) and returns a feed_doc: the feed's own metadata, its entries with
 * plain text and UTC times, the account counters when the source exposes
 * them, and the warnings met on the way.  Pure: no I/O, no logging.
 */
#ifndef DEMARCHE_FEED_H
#define DEMARCHE_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum feed_format {
	FEED_FORMAT_AUTO = 0, /* detect from content (and Content-Type) */
	FEED_FORMAT_RSS,      /* RSS 0.9x, 1.0 (RDF), 2.0 */
	FEED_FORMAT_ATOM,     /* Atom 0.3 and 1.0 */
	FEED_FORMAT_JSONFEED, /* JSON Feed 1.0 / 1.1 */
	FEED_FORMAT_MASTODON, /* /api/v1/accounts/:id/statuses (array) or an
	                         account */
	FEED_FORMAT_BLUESKY,  /* app.bsky.feed.getAuthorFeed or getProfile */
	FEED_FORMAT_TELEGRAM, /* a channel's preview page, t.me/s/NAME */
	FEED_FORMAT_HTML,     /* an article page read by XPaths (html:) */
};

/* "auto", "rss", "atom", "jsonfeed", "mastodon", "bluesky", "telegram",
 * "html". */
const char *feed_format_name(enum feed_format f);
/* Returns 0 and sets *out, or -EINVAL for an unknown name. */
int feed_format_from_name(const char *name, enum feed_format *out);

struct feed_entry {
	char *id;    /* stable key: platform id, else guid, else link,
	              * else "sha256:<hex>" of title and text; never NULL */
	char *link;  /* absolute URL or NULL */
	char *title; /* plain text or NULL */
	char
	    *text; /* plain text, HTML stripped, NFC; never NULL ("" if none) */
	char *html;        /* the original markup as published, or NULL */
	char *author;      /* name or handle, or NULL */
	char *lang;        /* BCP 47 tag as given, or NULL */
	int64_t published; /* UTC epoch seconds or TIME_UNKNOWN */
	/* The fraction of a second published was written with, in
	 * microseconds (1..999999), or -1 when whole (".000" too) or
	 * unknown. */
	int32_t published_us;
	int64_t updated;   /* UTC epoch seconds or TIME_UNKNOWN */
	bool is_repost;    /* a reblog / repost: author is the original's */
	bool future_dated; /* published more than a day after opts->now */
	bool is_reply;     /* an answer to another post (Mastodon, Bluesky,
	                    * Telegram) */
	bool edited;       /* the source marks it edited (Telegram) */
	int64_t views;     /* views the source shows (Telegram), 0 if not */
	/* The engagement counters of the post (Mastodon's reblogs_count,
	 * favourites_count, replies_count; Bluesky's repostCount, likeCount,
	 * replyCount), valid only when has_counts. */
	bool has_counts;
	int64_t reposts, likes, replies; /* -1: this one not given */
	/* Telegram: the forwarded message as "CHANNEL/ID" (its data-post
	 * key), when the forward links it; else NULL. */
	char *forward_of;
	/* The quoted post's part of text ("\n\n[quote @handle] ..."), whose
	 * author is someone else: its change is not an edit of this post. */
	size_t quote_at, quote_len; /* byte offset and length; 0 when none */
	/* Read from the damaged part of a document (see feed_doc.fault): its
	 * text may be cut or garbled, so it must not be stored. */
	bool partial;
};

/* Counters of the account behind a feed, where the source exposes them;
 * -1 means "not given". */
struct feed_account {
	char *handle;       /* or NULL */
	char *display_name; /* or NULL */
	int64_t followers;
	int64_t following;
	int64_t posts;
	int64_t created; /* UTC epoch seconds or TIME_UNKNOWN */
};

struct feed_doc {
	enum feed_format format; /* the format actually parsed */
	char *title;             /* or NULL */
	char *link;              /* or NULL */
	char *lang;              /* or NULL */
	int64_t ttl;             /* RSS <ttl> in seconds, 0 when absent */
	bool has_account;        /* account below is filled in */
	struct feed_account account;
	struct feed_entry *entries;
	size_t n_entries;
	/* Paged sources (Telegram): the id to ask older posts "before", when
	 * the page says there are some; 0 when it is the channel's start. */
	int64_t page_before;
	char **warnings; /* one line each, human readable */
	size_t n_warnings;
	/* Why the document is not whole, or NULL: cut short, not well-formed
	 * (read in recovery), or bytes that could not be decoded.  Such a
	 * document may add the entries it could read whole (those not
	 * .partial) but must never replace stored text. */
	char *fault;
};

/* What an article page of an html: source is read by: XPath 1.0
 * expressions (borrowed), each NULL for the default (title: the first
 * <h1>; date: none; text: the readable main text; split: one post). */
struct feed_html_rules {
	const char *title, *date, *text, *split;
};

struct feed_parse_opts {
	enum feed_format format; /* FEED_FORMAT_AUTO to detect */
	const char *base_url; /* the feed's URL, for relative links; or NULL */
	const char *content_type; /* HTTP Content-Type (charset), or NULL */
	int64_t now;        /* for flagging future dates; 0 = don't flag */
	size_t max_entries; /* 0 = no limit */
	/* FEED_FORMAT_HTML: the page's XPaths, or NULL for the defaults;
	 * base_url is the page's URL and keys its entries (URL, URL#N). */
	const struct feed_html_rules *html;
};

/*
 * Parses len bytes of data.  On success returns 0 and a *new* feed_doc in
 * *out (free with feed_doc_free), possibly with warnings.  When nothing
 * usable can be read, returns -EBADMSG (or -ENOMEM) and writes a one-line
 * reason to err.
 */
int feed_parse(const char *data, size_t len, const struct feed_parse_opts *opts,
               struct feed_doc **out, char *err, size_t errlen);
void feed_doc_free(struct feed_doc *doc);
/* A *new* empty document of format f (NULL for want of memory). */
struct feed_doc *feed_doc_new(enum feed_format f);

/*
 * The article links of an html: source's index page: the nodes xpath
 * selects (elements by their href, attributes and text by their value),
 * resolved against base_url, http(s) only, each once, in page order, at
 * most 500.  *out (free with feed_html_links_free) may be empty.
 * Returns 0, -EBADMSG (not HTML) or -ENOMEM.  Pure.
 */
int feed_html_links(const char *data, size_t len, const char *base_url,
                    const char *xpath, char ***out, size_t *n_out);
void feed_html_links_free(char **links, size_t n);

#endif
