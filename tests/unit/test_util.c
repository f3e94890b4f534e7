/* test_util.c — the buffer, time and sanitising helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "test.h"
#include "util.h"

static void test_buf_grows(void)
{
	struct buf b = {0};
	int i;

	for (i = 0; i < 1000; i++)
		ASSERT_INT_EQ(buf_printf(&b, "%d,", i), 0);
	ASSERT(b.len > 2000);
	ASSERT(strncmp(b.data, "0,1,2,", 6) == 0);
	ASSERT_INT_EQ(b.data[b.len], '\0');
	buf_free(&b);
	ASSERT(b.data == NULL);
}

static void test_buf_steal_empty(void)
{
	struct buf b = {0};
	char *s = buf_steal(&b);

	ASSERT_STR_EQ(s, "");
	free(s);
}

static void test_timegm(void)
{
	ASSERT_INT_EQ(util_timegm(1970, 1, 1, 0, 0, 0), 0);
	ASSERT_INT_EQ(util_timegm(2020, 3, 12, 13, 37, 0), 1584020220);
	ASSERT_INT_EQ(util_timegm(2000, 2, 29, 0, 0, 0), 951782400);
}

static void test_sanitize(void)
{
	char out[64];

	ASSERT_STR_EQ(log_sanitize("a\x1b[31mred\r\nx", out, sizeof(out)),
	              "a?[31mred??x");
	ASSERT_STR_EQ(log_sanitize("ok \xc2\x9b yes", out, sizeof(out)),
	              "ok ? yes");
	ASSERT_STR_EQ(log_sanitize("truncated", out, 4), "tru");
}

static void test_read_file_limit(void)
{
	char path[512], *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/f", test_tmpdir());
	test_write_file(path, "hello world");
	ASSERT_INT_EQ(util_read_file(path, 0, &data, &len), 0);
	ASSERT_INT_EQ(len, 11);
	ASSERT_STR_EQ(data, "hello world");
	free(data);
	ASSERT_INT_EQ(util_read_file(path, 5, &data, &len), -EFBIG);
	ASSERT_INT_EQ(util_read_file("/nonexistent/x", 0, &data, &len),
	              -ENOENT);
}

static void test_write_all(void)
{
	char path[512], *data = NULL, big[100000];
	size_t len = 0;
	int fd;

	memset(big, 'q', sizeof(big));
	snprintf(path, sizeof(path), "%s/w", test_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0);
	ASSERT_INT_EQ(util_write_all(fd, big, sizeof(big)), 0);
	close(fd);
	ASSERT_INT_EQ(util_read_file(path, 0, &data, &len), 0);
	ASSERT_INT_EQ(len, sizeof(big));
	ASSERT(data && memcmp(data, big, len) == 0);
	free(data);
	ASSERT_INT_EQ(util_write_all(-1, big, 1), -EBADF);
}

TEST_MAIN(TEST(test_buf_grows), TEST(test_buf_steal_empty), TEST(test_timegm),
          TEST(test_sanitize), TEST(test_read_file_limit), TEST(test_write_all))
