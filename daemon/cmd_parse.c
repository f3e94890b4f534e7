/* PLACEHOLDER: replaced by the parser work. */
#include <sysexits.h>
#include "cmd.h"
int cmd_parse_main(const struct cmd_globals *g, int argc, char **argv)
{ (void)g; (void)argc; (void)argv; return EX_SOFTWARE; }
