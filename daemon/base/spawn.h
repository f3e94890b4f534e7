/*
 * spawn.h — runs a program as a child of the daemon, as demarched runs
 * `demarche report --deliver` and `demarche narrative --send-alerts`.
 */
#ifndef DEMARCHE_SPAWN_H
#define DEMARCHE_SPAWN_H

#include <sys/types.h>

/* Forks and executes argv[0] (a path) with argv in the child, which keeps
 * only stdin, stdout and stderr and starts with no signal blocked and
 * SIGPIPE and SIGCHLD at their defaults.  Returns the child's pid, or -1
 * with errno set when it cannot fork; a failed exec exits the child 127. */
pid_t spawn_program(char *const argv[]);

#endif
