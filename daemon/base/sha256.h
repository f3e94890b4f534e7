/*
 * sha256.h — a small SHA-256 (FIPS 180-4) for content hashes: the parsers
 * use it for the stable id of entries that have no guid or link, and other
 * modules may reuse it for dedup keys.  Pure: no I/O, no allocation.
 */
#ifndef DEMARCHE_SHA256_H
#define DEMARCHE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256_ctx {
	uint32_t h[8];     /* chaining state */
	uint64_t nbytes;   /* message length so far */
	uint8_t block[64]; /* pending partial block */
	size_t fill;       /* bytes used in block */
};

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN    65 /* 64 hex digits and the NUL */

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_LEN]);
/* One-shot: lowercase hex digest of len bytes into out; returns out. */
char *sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);

#endif
