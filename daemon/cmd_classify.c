/* PLACEHOLDER: replaced by the classifier work. */
#include <sysexits.h>
#include "cmd.h"
int cmd_classify_main(const struct cmd_globals *g, int argc, char **argv)
{ (void)g; (void)argc; (void)argv; return EX_SOFTWARE; }
int cmd_eval_main(const struct cmd_globals *g, int argc, char **argv)
{ (void)g; (void)argc; (void)argv; return EX_SOFTWARE; }
