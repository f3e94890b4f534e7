/* PLACEHOLDER: replaced by the store/report work. */
#include <sysexits.h>
#include "cmd.h"
int cmd_report_main(const struct cmd_globals *g, int argc, char **argv)
{ (void)g; (void)argc; (void)argv; return EX_SOFTWARE; }
int cmd_trends_main(const struct cmd_globals *g, int argc, char **argv)
{ (void)g; (void)argc; (void)argv; return EX_SOFTWARE; }
