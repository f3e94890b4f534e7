/*
 * spawn.c — fork and exec with a clean slate: the child inherits none of
 * the daemon's descriptors (database, sockets, event loop) and none of
 * its signal handling.
 */
#include "spawn.h"

#include <signal.h>
#include <unistd.h>

pid_t spawn_program(char *const argv[])
{
	pid_t pid = fork();
	sigset_t none;
	long fd, max;

	if (pid != 0)
		return pid;
	/* In the child only async-signal-safe calls until exec. */
	max = sysconf(_SC_OPEN_MAX);
	for (fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
		close((int)fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	execv(argv[0], argv);
	_exit(127);
}
