/*
 * paths.c — tells the build tree from an installed copy by where the
 * running executable is: a binary inside DEMARCHE_BINARY_DIR uses the
 * source tree's data, any other uses the installed data.
 */
#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int paths_running_from_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t blen = strlen(DEMARCHE_BINARY_DIR);

	if (n <= 0)
		return 0;
	exe[n] = '\0';
	return strncmp(exe, DEMARCHE_BINARY_DIR, blen) == 0 && exe[blen] == '/';
}

const char *paths_default_rules_dir(void)
{
	if (paths_running_from_build_tree() ||
	    access(DEMARCHE_SYSCONF_DIR "/rules", R_OK) != 0)
		return DEMARCHE_SOURCE_DIR "/config/rules";
	return DEMARCHE_SYSCONF_DIR "/rules";
}

char *paths_demarche_tool(void)
{
	char self[PATH_MAX], *slash, *out;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t len;

	if (n <= 0)
		return strdup("demarche");
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	len = strlen(slash ? self : ".") + sizeof("/demarche");
	out = malloc(len);
	if (out)
		snprintf(out, len, "%s/demarche", slash ? self : ".");
	return out;
}
