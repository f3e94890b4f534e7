/* PLACEHOLDER: replaced by the config work. */
#include <sysexits.h>
#include "cmd.h"
int cmd_check_config_main(const struct cmd_globals *g, int argc, char **argv)
{ (void)g; (void)argc; (void)argv; return EX_SOFTWARE; }
