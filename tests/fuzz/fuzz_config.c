/*
 * fuzz_config.c — config_parse() on arbitrary bytes.  The parser must never
 * crash, leak or read out of bounds, and must either return a config with
 * no errors or no config with at least one error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors errs = {0};
	struct config *cfg = NULL;
	int rc;

	rc = config_parse((const char *)data, size, "fuzz/f.conf", &cfg, &errs);
	if (rc == 0 && (!cfg || errs.n != 0))
		abort();
	if (rc == -EINVAL && (cfg || errs.n == 0))
		abort();
	if (rc != 0 && rc != -EINVAL && rc != -ENOMEM)
		abort();
	config_free(cfg);
	config_errors_clear(&errs);
	return 0;
}
