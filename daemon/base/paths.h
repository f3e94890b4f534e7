/*
 * paths.h — where the shipped data lives.  Run from the build tree, the
 * programs use the source tree's config/rules and schema/; installed, they
 * use the copies under /etc/demarche and /usr/share/demarche.
 */
#ifndef DEMARCHE_PATHS_H
#define DEMARCHE_PATHS_H

/* Borrowed strings, valid for the life of the process. */
const char *paths_default_rules_dir(void);

#endif
