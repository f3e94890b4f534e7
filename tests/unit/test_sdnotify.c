/* test_sdnotify.c — the readiness datagram reaches a socket named by
 * $NOTIFY_SOCKET, as a path and as an abstract address; without the
 * variable nothing is sent. */
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"
#include "test.h"

static int listen_at(const char *name, int abstract)
{
	struct sockaddr_un sun = {0};
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	sun.sun_family = AF_UNIX;
	if (strlen(name) + 2 > sizeof(sun.sun_path)) {
		fprintf(stderr, "socket name too long: %s\n", name);
		exit(2);
	}
	memcpy(sun.sun_path + (abstract ? 1 : 0), name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	                  (abstract ? 1 : 0) + strlen(name));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) != 0) {
		perror("bind");
		exit(2);
	}
	return fd;
}

static void expect(int fd, const char *want)
{
	char got[256];
	ssize_t n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);

	REQUIRE(n > 0);
	got[n] = '\0';
	ASSERT_STR_EQ(got, want);
}

static void test_path_socket(void)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/notify", test_tmpdir());
	fd = listen_at(path, 0);
	setenv("NOTIFY_SOCKET", path, 1);
	ASSERT_INT_EQ(sdnotify("READY=1\nSTATUS=polling 3 feed(s)"), 1);
	expect(fd, "READY=1\nSTATUS=polling 3 feed(s)");
	ASSERT_INT_EQ(sdnotifyf("STATUS=%d", 42), 1);
	expect(fd, "STATUS=42");
	close(fd);
}

static void test_abstract_socket(void)
{
	char name[64], env[80];
	int fd;

	snprintf(name, sizeof(name), "demarche-test-%d", (int)getpid());
	fd = listen_at(name, 1);
	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	ASSERT_INT_EQ(sdnotify("STOPPING=1"), 1);
	expect(fd, "STOPPING=1");
	close(fd);
}

static void test_unset_and_bad(void)
{
	unsetenv("NOTIFY_SOCKET");
	ASSERT_INT_EQ(sdnotify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	ASSERT(sdnotify("READY=1") < 0);
	setenv("NOTIFY_SOCKET", "/nonexistent/socket", 1);
	ASSERT(sdnotify("READY=1") < 0);
	unsetenv("NOTIFY_SOCKET");
}

TEST_MAIN(TEST(test_path_socket), TEST(test_abstract_socket),
          TEST(test_unset_and_bad))
