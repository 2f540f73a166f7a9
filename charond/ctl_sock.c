/* SPDX-License-Identifier: ISC */
/*
 * The control socket's file and its guard: creating it (mode 0660, owner
 * the daemon's user, group daemon.socket_group or that of its directory)
 * in a directory nobody else may write to, without stealing a live one
 * from another daemon, and deciding who may talk to it from the connecting
 * process's credentials, since a socket made world-writable by mistake
 * must not open the daemon to everybody.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "daemon.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux 4.13 */
#endif

/* Is something answering at path? Then it is another daemon's. */
static bool
socket_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return alive;
}

/*
 * Whoever may write to the socket's directory may unlink our socket and put
 * their own in its place, and charonctl would talk to them. So the
 * directory must be writable by nobody but its owner, root or us, and the
 * socket's group: -EPERM (logged) otherwise.
 */
static int
dir_safe(const char *path, const char *dir, const struct stat *st, gid_t gid)
{
	const char *why = NULL;

	if (st->st_uid != 0 && st->st_uid != geteuid())
		why = "is owned by another user";
	else if (st->st_mode & S_IWOTH)
		why = "is writable by everyone";
	else if ((st->st_mode & S_IWGRP) && st->st_gid != gid)
		why = "is writable by a group other than the socket's";
	if (!why)
		return 0;
	log_msg(IKE_LOG_ERROR,
		"control socket %s: its directory %s %s (mode %04o, owner "
		"%u, group %u), so others could replace the socket; refusing "
		"to start (make it 0755 root, or 0770 root and group %u)",
		path, dir, why, (unsigned)(st->st_mode & 07777),
		(unsigned)st->st_uid, (unsigned)st->st_gid, (unsigned)gid);
	return -EPERM;
}

/* The socket's directory (created 0755 if missing), checked by
 * dir_safe(). The socket's group is *want, else the directory's: the
 * admin grants charonctl to a group by giving it the directory. */
static int
socket_dir(const char *path, const gid_t *want, gid_t *gid)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) < 0 &&
	    (errno != ENOENT || mkdir(dir, 0755) < 0 || stat(dir, &st) < 0)) {
		log_msg(IKE_LOG_ERROR, "control socket %s: directory %s: %s",
			path, dir, strerror(errno));
		return -errno;
	}
	*gid = want ? *want : st.st_gid;
	return dir_safe(path, dir, &st, *gid);
}

int
ctl_sock_open(const char *path, const gid_t *want, gid_t *gid)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((rc = socket_dir(path, want, gid)) < 0)
		return rc;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_msg(IKE_LOG_ERROR,
				"control socket %s: exists and is not a "
				"socket; not touching it",
				path);
			return -EEXIST;
		}
		if (socket_alive(&sun)) {
			log_msg(IKE_LOG_ERROR,
				"control socket %s: another daemon answers "
				"there",
				path);
			return -EADDRINUSE;
		}
		unlink(path); /* left behind by a daemon that died */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Born 0600, so nobody connects before owner, group and mode are
	 * what they should be. */
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || chown(path, geteuid(), *gid) < 0 ||
	    chmod(path, 0660) < 0 || listen(fd, 64) < 0) {
		rc = -errno;
		log_msg(IKE_LOG_ERROR, "control socket %s: %s", path,
			strerror(-rc));
		close(fd);
		unlink(path);
		return rc;
	}
	return fd;
}

bool
ctl_sock_allowed(int fd, const struct ucred *cr, gid_t gid)
{
	gid_t small[64], *g = small;
	socklen_t len = sizeof(small);
	bool ok = false;
	size_t i;

	if (cr->uid == 0 || cr->uid == geteuid() || cr->gid == gid)
		return true;
	/* Supplementary groups, as the kernel saw them at connect(). */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) < 0) {
		if (errno != ERANGE || !(g = malloc(len)))
			return false;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) < 0) {
			free(g);
			return false;
		}
	}
	for (i = 0; i < len / sizeof(gid_t); i++)
		if (g[i] == gid)
			ok = true;
	if (g != small)
		free(g);
	return ok;
}

void
ctl_sock_refuse(int fd, const char *code, const char *msg)
{
	char *line = ctl_reply_error(NULL, code, msg, NULL);

	if (line)
		(void)send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	free(line);
	close(fd);
}
