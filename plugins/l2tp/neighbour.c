/* SPDX-License-Identifier: ISC */
/*
 * Is xl2tpd there to answer the L2TP our l2tp children carry (neighbour.h)?
 * Three looks, at files an admin can read with cat:
 *   PROC/net/udp and udp6: a socket bound to local port 1701 and not
 *   connected, which the kernel shows in state 07 (TCP_CLOSE); a socket
 *   connected to one peer gets no other peer's packets, so it is not one;
 *   PROC/PID/fd/ and PROC/PID/comm: the process holding that socket;
 *   xl2tpd.conf: `ipsec saref`, read as xl2tpd reads it.
 * Every file is read line by line into fixed buffers and nothing is
 * allocated: a hostile or huge file costs time, never memory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "neighbour.h"

#define L2TP_PORT       1701
#define UDP_UNCONNECTED 0x07 /* TCP_CLOSE in /proc/net/udp's st column */
#define MAX_LISTENERS   8    /* sockets on UDP/1701 whose owner we look for */
#define MAX_OWNERS      4    /* processes other than xl2tpd named */
#define PROC_LINE       512  /* a udp6 line is about 170 bytes */
#define CONF_LINE       256  /* see conf_line_read */
#define COMM_LEN        32   /* the kernel's names are 15 bytes */

struct nb_report {
	void (*fn)(void *ctx, const char *msg);
	void *ctx;
	int n;
};

struct listeners {
	size_t n; /* every one found */
	unsigned long inode[MAX_LISTENERS];
	size_t n_inode;
};

struct owners {
	struct {
		char pid[16];
		char comm[COMM_LEN];
	} o[MAX_OWNERS];
	size_t n;
};

static void say(struct nb_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct nb_report *r, const char *fmt, ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->fn(r->ctx, msg);
	r->n++;
}

/* The stream's error as -errno (getc leaves errno set on a read error). */
static int
stream_err(FILE *f, int saved_errno)
{
	if (!ferror(f))
		return 0;
	return saved_errno != 0 ? -saved_errno : -EIO;
}

/*
 * One line of f into buf, NUL-terminated, without its newline. A longer
 * line is read to its end all the same (the next call starts at the next
 * line) and *cut is set. 0, or -1 at the end of the file.
 */
static int
line_read(FILE *f, char *buf, size_t cap, bool *cut)
{
	size_t len = 0;
	bool any = false;
	int c;

	*cut = false;
	while ((c = getc(f)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (len + 1 < cap)
			buf[len++] = (char)c;
		else
			*cut = true;
	}
	buf[len] = '\0';
	return any ? 0 : -1;
}

/* The port of "ADDRESS:PORT" in hex as /proc/net/udp writes it, or -1. */
static long
hex_port(const char *s)
{
	const char *colon = strrchr(s, ':');
	unsigned long v;
	char *end;

	if (colon == NULL || colon[1] == '\0')
		return -1;
	errno = 0;
	v = strtoul(colon + 1, &end, 16);
	if (errno != 0 || *end != '\0' || v > 0xffff)
		return -1;
	return (long)v;
}

/*
 * PROC/net/NAME's unconnected sockets on local port 1701, any address,
 * added to l. A line:
 *   sl  local_address rem_address st tx:rx tr:when retrnsmt uid timeout
 *   inode ...
 *   0: 00000000:06A5 00000000:0000 07 00000000:00000000 00:00000000
 *   00000000 0 0 31337 2 0000000000000000 0
 * (udp6: 32 hex digits of address). The header and lines that do not
 * parse are skipped. 0, or -errno if the file could not be read.
 */
static int
udp_scan(const char *proc, const char *name, struct listeners *l)
{
	char path[PATH_MAX], line[PROC_LINE], *field[10], *save, *end;
	unsigned long st, inode;
	size_t n;
	bool cut;
	FILE *f;
	int err;

	if (snprintf(path, sizeof(path), "%s/net/%s", proc, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	errno = 0;
	while (line_read(f, line, sizeof(line), &cut) == 0) {
		if (cut)
			continue;
		save = NULL;
		n = 0;
		for (char *t = strtok_r(line, " \t", &save);
		     t != NULL && n < 10; t = strtok_r(NULL, " \t", &save))
			field[n++] = t;
		/* A socket's line starts "N:", the header's "sl". */
		if (n < 10 || field[0][strlen(field[0]) - 1] != ':')
			continue;
		if (hex_port(field[1]) != L2TP_PORT)
			continue;
		st = strtoul(field[3], &end, 16);
		if (*end != '\0' || st != UDP_UNCONNECTED)
			continue;
		l->n++;
		/* An inode we cannot read still counts as a listener; we just
		 * cannot name its owner. */
		inode = strtoul(field[9], &end, 10);
		if (*end == '\0' && inode != 0 && l->n_inode < MAX_LISTENERS)
			l->inode[l->n_inode++] = inode;
	}
	err = stream_err(f, errno);
	fclose(f);
	return err;
}

/* INODE of a link "socket:[INODE]"; 0 for any other. */
static unsigned long
socket_inode(const char *link)
{
	static const char pre[] = "socket:[";
	unsigned long v;
	char *end;

	if (strncmp(link, pre, sizeof(pre) - 1) != 0)
		return 0;
	v = strtoul(link + sizeof(pre) - 1, &end, 10);
	return end[0] == ']' && end[1] == '\0' ? v : 0;
}

static bool
is_listener(const struct listeners *l, unsigned long inode)
{
	for (size_t i = 0; inode != 0 && i < l->n_inode; i++)
		if (l->inode[i] == inode)
			return true;
	return false;
}

/* Whether PROC/PID/fd/ has a link to one of the listeners. A process gone
 * since, or whose fds are not ours to read (not root), has none. */
static bool
holds_listener(int proc_fd, const char *pid, const struct listeners *l)
{
	char path[NAME_MAX + 8], link[64];
	struct dirent *e;
	bool found = false;
	ssize_t n;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%s/fd", pid);
	fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return false;
	}
	while (!found && (e = readdir(d)) != NULL) {
		n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = is_listener(l, socket_inode(link));
	}
	closedir(d);
	return found;
}

/* PROC/PID/comm, fit for one line of a log: a process chooses its own
 * name, so anything but printable ASCII becomes '?'. */
static void
comm_read(int proc_fd, const char *pid, char *comm, size_t cap)
{
	char path[NAME_MAX + 8];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/comm", pid);
	fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, comm, cap - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(comm, cap, "?");
		return;
	}
	if (comm[n - 1] == '\n')
		n--;
	comm[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (comm[i] < 0x20 || comm[i] > 0x7e)
			comm[i] = '?';
}

/* A /proc entry that is a process: digits only (and short enough for
 * the paths above). */
static bool
is_pid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9' || i >= 12)
			return false;
	return i > 0;
}

/* Up to MAX_OWNERS processes other than xl2tpd holding a listener, even
 * when xl2tpd holds another: one bound to a given address (or to IPv4
 * only) takes the clients xl2tpd's would have had. None found when /proc
 * is not ours to read. */
static void
owners_find(const char *proc, const struct listeners *l, struct owners *o)
{
	struct dirent *e;
	char comm[COMM_LEN];
	DIR *d;

	if (l->n_inode == 0 || (d = opendir(proc)) == NULL)
		return;
	while (o->n < MAX_OWNERS && (e = readdir(d)) != NULL) {
		if (!is_pid(e->d_name) ||
		    !holds_listener(dirfd(d), e->d_name, l))
			continue;
		comm_read(dirfd(d), e->d_name, comm, sizeof(comm));
		if (strcmp(comm, "xl2tpd") == 0)
			continue;
		/* is_pid: 12 digits at most */
		snprintf(o->o[o->n].pid, sizeof(o->o[o->n].pid), "%.12s",
			 e->d_name);
		snprintf(o->o[o->n].comm, sizeof(o->o[o->n].comm), "%s", comm);
		o->n++;
	}
	closedir(d);
}

struct conf_line {
	char s[CONF_LINE];
	size_t len;
	bool cut;
};

/*
 * One line of xl2tpd.conf as xl2tpd sees it: up to a ';' (a comment to the
 * end of the line); a NUL ends it too, as the C strings compared below end
 * there (xl2tpd's as well). Whitespace, to
 * xl2tpd any byte below 33, is kept up to two bytes a run: enough to tell
 * "ipsec saref" from "ipsec  saref" (which xl2tpd refuses), while runs of
 * any length around '=' or at the ends, which xl2tpd trims, cannot make
 * the line overflow. Whatever else overflows CONF_LINE sets cut: such a
 * line has far more than the 30-odd bytes an `ipsec saref` line can keep.
 * 0, or -1 at the end of the file.
 */
static int
conf_line_read(FILE *f, struct conf_line *l)
{
	bool comment = false, any = false;
	size_t ws = 0;
	int c;

	l->len = 0;
	l->cut = false;
	while ((c = getc(f)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (comment)
			continue;
		if (c == ';') {
			comment = true;
			continue;
		}
		ws = c < 33 ? ws + 1 : 0;
		if (ws > 2)
			continue;
		if (l->len + 1 < sizeof(l->s))
			l->s[l->len++] = (char)c;
		else
			l->cut = true;
	}
	l->s[l->len] = '\0';
	return any ? 0 : -1;
}

/* s without whitespace (bytes below 33) at either end. */
static char *
trim(char *s)
{
	size_t n;

	while (*s != '\0' && (unsigned char)*s < 33)
		s++;
	n = strlen(s);
	while (n > 0 && (unsigned char)s[n - 1] < 33)
		s[--n] = '\0';
	return s;
}

/* xl2tpd's booleans: 1 true, 0 false, -1 neither (xl2tpd refuses those). */
static int
conf_bool(const char *v)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "y") == 0 ||
	    strcasecmp(v, "true") == 0)
		return 1;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "n") == 0 ||
	    strcasecmp(v, "false") == 0)
		return 0;
	return -1;
}

/*
 * The line of the `ipsec saref = yes` in force in xl2tpd.conf into *line
 * (0: none): keys and values case-insensitive, any section, and the last
 * setting wins as in xl2tpd. 0, or -errno if it could not be read.
 */
static int
conf_saref(const char *path, unsigned long *line)
{
	struct conf_line l;
	unsigned long no = 0;
	char *eq;
	FILE *f;
	int err;

	*line = 0;
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	errno = 0;
	while (conf_line_read(f, &l) == 0) {
		no++;
		if (l.cut)
			continue;
		/* Any section will do, and a section header ("[global]")
		 * needs no handling of its own: it is never "ipsec saref". */
		if ((eq = strchr(l.s, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcasecmp(trim(l.s), "ipsec saref") != 0)
			continue;
		switch (conf_bool(trim(eq + 1))) {
		case 1:
			*line = no;
			break;
		case 0:
			*line = 0;
			break;
		}
	}
	err = stream_err(f, errno);
	fclose(f);
	return err;
}

int
l2tp_neighbour_check(const struct l2tp_neighbour_paths *p,
		     void (*report)(void *ctx, const char *msg), void *ctx)
{
	struct nb_report r = {report, ctx, 0};
	struct listeners l = {0};
	struct owners o = {0};
	const char *conf = p->xl2tpd_conf, *which = "udp";
	unsigned long saref = 0;
	int err, conf_err = 0;

	err = udp_scan(p->proc, which, &l);
	if (err == 0) {
		which = "udp6";
		err = udp_scan(p->proc, which, &l);
		if (err == -ENOENT) /* IPv6 disabled */
			err = 0;
	}
	if (err != 0) {
		say(&r,
		    "cannot read %s/net/%s (%s): not checked whether xl2tpd "
		    "listens on UDP/1701",
		    p->proc, which, strerror(-err));
		return -1;
	}
	if (conf != NULL)
		conf_err = conf_saref(conf, &saref);

	if (l.n == 0 && conf != NULL && conf_err == -ENOENT)
		say(&r,
		    "xl2tpd is not listening on UDP/1701 and %s does not "
		    "exist: install xl2tpd and start it (systemctl start "
		    "xl2tpd); clients' IPsec comes up but L2TP gets no answer",
		    conf);
	else if (l.n == 0)
		say(&r, "xl2tpd is not listening on UDP/1701: start it "
			"(systemctl start xl2tpd); clients' IPsec comes up "
			"but L2TP gets no answer");
	else
		owners_find(p->proc, &l, &o);
	for (size_t i = 0; i < o.n; i++)
		say(&r,
		    "UDP/1701 is held by %s (pid %s), not xl2tpd: clients' "
		    "L2TP may reach it instead of xl2tpd; stop it and make "
		    "sure xl2tpd runs (systemctl start xl2tpd)",
		    o.o[i].comm, o.o[i].pid);

	/* A missing file is no problem when something listens: xl2tpd may
	 * have been started with another -c. */
	if (conf_err != 0 && conf_err != -ENOENT)
		say(&r,
		    "%s: cannot read (%s): "
		    "not checked for 'ipsec saref = yes'",
		    conf, strerror(-conf_err));
	else if (saref != 0)
		say(&r,
		    "%s:%lu: 'ipsec saref = yes' needs a kernel patched for "
		    "SAref and breaks L2TP/IPsec on stock kernels: remove it",
		    conf, saref);
	return r.n;
}
