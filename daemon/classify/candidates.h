/*
 * candidates.h — accounts worth tracking that the tracked ones point at.
 * When a tracked account mentions or reposts another whose handle or name
 * marks it as diplomatic or state media ("embassy", "大使馆", "外務省",
 * "Xinhua" ...), the store lists it in the candidates table for an analyst
 * to review; it is never tracked on its own.  This module is the pure
 * part: finding @mentions in post text and recognising the markers.
 */
#ifndef DEMARCHE_CANDIDATES_H
#define DEMARCHE_CANDIDATES_H

#include <stddef.h>

/* Longest handle kept ("user" or "user@host"), without the '@'. */
#define CANDIDATES_HANDLE_MAX 128

/*
 * Calls fn once per distinct @mention in text (at most max of them):
 * "@user" or "@user@host.tld" that does not follow a letter, digit or
 * '.', so e-mail addresses are not mentions.  The handle passed has no
 * leading '@'.  Returns the number of mentions found.
 */
size_t candidates_mentions(const char *text, size_t max,
                           void (*fn)(const char *handle, void *arg),
                           void *arg);

/* The marker word that names s (a handle or display name) as an embassy,
 * consulate, ministry, ambassador, spokesperson or state outlet, in
 * English, Spanish, French, German, Russian, Chinese or Japanese; NULL
 * when none does.  Returns a static string. */
const char *candidates_marker(const char *s);

#endif
