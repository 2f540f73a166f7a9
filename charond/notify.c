/* SPDX-License-Identifier: ISC */
/*
 * systemd's readiness protocol (sd_notify(3)) without libsystemd: with
 * Type=notify, systemd names a datagram socket in $NOTIFY_SOCKET and
 * waits for "READY=1" on it before it counts the service as started.
 * charond says so once its UDP sockets and control socket are open, so
 * that `systemctl start charond && charonctl ...` finds the socket; and
 * "RELOADING=1" ... "READY=1" around a SIGHUP, "STOPPING=1" at SIGTERM.
 * Without $NOTIFY_SOCKET (not started by systemd) nothing is sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

/* The socket is a path, or with '@' first, Linux's abstract namespace. */
int
notify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	socklen_t len;
	size_t n;
	ssize_t sent;
	int fd;

	if (path == NULL || path[0] == '\0')
		return 0;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sun.sun_path)) {
		log_msg(IKE_LOG_WARN, "NOTIFY_SOCKET '%s': not a socket path",
			path);
		return -EINVAL;
	}
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		      (struct sockaddr *)&sun, len);
	if (sent < 0) {
		int err = errno;

		log_msg(IKE_LOG_WARN, "NOTIFY_SOCKET %s: %s", path,
			strerror(err));
		close(fd);
		return -err;
	}
	close(fd);
	return 0;
}
