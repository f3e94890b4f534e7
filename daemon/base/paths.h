/*
 * paths.h — where the shipped data lives.  Run from the build tree, the
 * programs use the source tree's config/rules and schema/; installed, they
 * use the copies under /etc/demarche and /usr/share/demarche.
 */
#ifndef DEMARCHE_PATHS_H
#define DEMARCHE_PATHS_H

/* Borrowed strings, valid for the life of the process. */
const char *paths_default_rules_dir(void);
/* The demarche program beside the running one (a *new* string; "demarche",
 * to be found on PATH, when the running one cannot be read), or NULL when
 * out of memory.  demarched runs it for reports and alerts. */
char *paths_demarche_tool(void);

#endif
