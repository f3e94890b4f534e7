/* test_progress.c — the progress meter: its line and summary (pure
 * formatting), and that it writes nothing when the stream is not a
 * terminal but draws and clears its line when it is. */
#include <string.h>

#include "progress.h"
#include "test.h"

static void test_format(void)
{
	char b[256];

	/* Before a second has passed there is no rate to speak of. */
	ASSERT_STR_EQ(progress_format(b, sizeof(b), "reclassify", "posts", 0,
	                              200000, 10, 80),
	              "reclassify  0/200,000 posts  0%");
	ASSERT_STR_EQ(
	    progress_format(b, sizeof(b), "reclassify", "posts", 12000, 200000,
	                    2000, 80),
	    "reclassify  12,000/200,000 posts  6%  6,000/s  0:31 left");
	ASSERT_STR_EQ(
	    progress_format(b, sizeof(b), "migrate", "rows", 1000000, 1000000,
	                    4000, 80),
	    "migrate  1,000,000/1,000,000 rows  100%  250,000/s  0:00 "
	    "left");
	/* Hours, and an unknown total (no share, no time left). */
	ASSERT_STR_EQ(
	    progress_format(b, sizeof(b), "x", "rows", 1, 7201, 1000, 80),
	    "x  1/7,201 rows  0%  1/s  2:00:00 left");
	ASSERT_STR_EQ(progress_format(b, sizeof(b), "export", "posts", 1500, -1,
	                              3000, 80),
	              "export  1,500 posts  500/s");
	/* Cut to the terminal, leaving the last column free. */
	progress_format(b, sizeof(b), "reclassify", "posts", 12000, 200000,
	                2000, 30);
	ASSERT_INT_EQ((int)strlen(b), 29);
	/* An empty job is complete, not a division by zero. */
	ASSERT_STR_EQ(progress_format(b, sizeof(b), "r", "posts", 0, 0, 0, 80),
	              "r  0/0 posts  100%");
}

static void test_summary(void)
{
	char b[256];

	ASSERT_STR_EQ(progress_summary(b, sizeof(b), "reclassify", "posts",
	                               200000, 13200),
	              "reclassify: 200,000 posts in 13.2 s (15,152 posts/s)");
	ASSERT_STR_EQ(progress_summary(b, sizeof(b), "migrate", "rows", 0, 0),
	              "migrate: 0 rows in 0.0 s");
}

static long file_size(FILE *fp)
{
	fflush(fp);
	fseek(fp, 0, SEEK_END);
	return ftell(fp);
}

static void test_silent_without_tty(void)
{
	struct progress p;
	FILE *fp = tmpfile();
	int64_t i;

	REQUIRE(fp != NULL);
	/* A file is not a terminal: the real test of isatty. */
	progress_start(&p, fp, "reclassify", "posts", 1000);
	for (i = 0; i <= 1000; i += 100)
		progress_update(&p, i);
	progress_end(&p);
	ASSERT_INT_EQ((int)file_size(fp), 0);
	fclose(fp);
}

static void test_draws_on_tty(void)
{
	struct progress p;
	FILE *fp = tmpfile();
	char text[1024] = "";
	size_t n;

	REQUIRE(fp != NULL);
	progress_start_tty(&p, fp, true, "reclassify", "posts", 1000);
	progress_update(&p, 10);
	/* Within the redraw interval: not drawn again. */
	progress_update(&p, 20);
	progress_end(&p);
	progress_end(&p); /* twice is harmless */
	rewind(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	ASSERT(strstr(text, "reclassify  10/1,000 posts  1%") != NULL);
	ASSERT(strstr(text, "20/1,000") == NULL);
	ASSERT(strstr(text, "\rreclassify: 20 posts in ") != NULL);
	ASSERT(text[n - 1] == '\n');
	fclose(fp);
}

TEST_MAIN(TEST(test_format), TEST(test_summary), TEST(test_silent_without_tty),
          TEST(test_draws_on_tty))
