/* SPDX-License-Identifier: ISC */
/*
 * daemon.save_keys: {dir: PATH}, as strongSwan's save-keys plugin does.
 * Each IKE SA that comes up (IKE_AUTH, or an IKE SA rekey) appends its
 * row to PATH/ikev2_decryption_table, each CHILD SA that is installed
 * (created or rekeyed) its two rows to PATH/esp_sa: the rows
 * `charonctl export-keys --wireshark` writes (ctl_keys.c builds both),
 * so that a capture taken meanwhile can be decrypted, SAs that came and
 * went included. Off unless configured; loudly warned about when on.
 *
 * The files are created 0600 (and put back to 0600 if found otherwise),
 * never through a symbolic link, in a directory created 0700 when
 * missing, which must be root's (or ours) and writable by nobody else:
 * otherwise someone else could have planted the file we append secrets
 * to. A problem is logged and the rows are dropped; the daemon goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "daemon.h"

static const char *const file_name[2] = {"ikev2_decryption_table", "esp_sa"};

void
save_keys_config(const struct daemon_cfg *was, const struct daemon_cfg *now)
{
	const char *dir = now->save_keys_dir;

	if (dir == NULL) {
		if (was && was->save_keys_dir)
			log_msg(IKE_LOG_INFO,
				"daemon.save_keys is off: no more keys are "
				"written to %s",
				was->save_keys_dir);
		return;
	}
	if (was && was->save_keys_dir && strcmp(was->save_keys_dir, dir) == 0)
		return;
	log_msg(IKE_LOG_WARN,
		"WARNING: daemon.save_keys is on: the keys of every IKE and "
		"ESP SA are written to %s/ikev2_decryption_table and "
		"%s/esp_sa as the SAs come up; whoever reads them can "
		"decrypt this traffic. For debugging only: remove "
		"daemon.save_keys and delete the files when done",
		dir, dir);
}

/* The directory, opened; created 0700 when missing. -1 (logged). */
static int
open_dir(const char *dir)
{
	struct stat st;
	int fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		log_msg(IKE_LOG_ERROR, "save_keys: cannot create %s: %s", dir,
			strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		log_msg(IKE_LOG_ERROR, "save_keys: %s: %s", dir,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		log_msg(IKE_LOG_ERROR,
			"save_keys: %s is writable by others (mode %04o, "
			"owner %u): not writing keys there",
			dir, (unsigned)(st.st_mode & 07777),
			(unsigned)st.st_uid);
		close(fd);
		return -1;
	}
	return fd;
}

struct save {
	const char *dir;
	int dfd;
	unsigned rows;
	bool failed;
};

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One row appended to its file, with the file's header if it was empty. */
static void
save_row(void *ctx, bool esp, const char *row)
{
	struct save *s = ctx;
	const char *name = file_name[esp];
	char head[128];
	struct stat st;
	size_t len = strlen(row);
	char *line;
	int fd;

	if (s->dfd < 0 && (s->failed || (s->dfd = open_dir(s->dir)) < 0)) {
		s->failed = true;
		return;
	}
	fd = openat(s->dfd, name,
		    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0 || fstat(fd, &st) < 0 || fchmod(fd, 0600) < 0) {
		log_msg(IKE_LOG_ERROR, "save_keys: %s/%s: %s", s->dir, name,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	line = OPENSSL_secure_malloc(len + 1);
	if (line == NULL) {
		close(fd);
		return;
	}
	memcpy(line, row, len);
	line[len] = '\n';
	snprintf(head, sizeof(head),
		 "# Wireshark %s, appended by charond (daemon.save_keys): "
		 "SECRET keys\n",
		 name);
	if ((st.st_size == 0 && write_all(fd, head, strlen(head)) < 0) ||
	    write_all(fd, line, len + 1) < 0)
		log_msg(IKE_LOG_ERROR, "save_keys: writing %s/%s: %s", s->dir,
			name, strerror(errno));
	else
		s->rows++;
	OPENSSL_secure_clear_free(line, len + 1);
	close(fd);
}

struct child_pick {
	struct keys_out *x;
	unsigned child_id;
	bool ike;
};

static void
sa_rows(void *ctx, const struct ike_sa_info *sa)
{
	struct child_pick *p = ctx;
	unsigned i;

	if (p->ike)
		keys_ike_rows(p->x, sa);
	for (i = 0; i < sa->n_children; i++)
		if (p->child_id && sa->children[i].id == p->child_id)
			keys_esp_rows(p->x, sa, &sa->children[i]);
}

/*
 * An IKE SA up (IKE_AUTH) or rekeyed (the new one): its row. A CHILD SA
 * installed: its rows; a rekeyed one was installed, and saved, before
 * its CHILD_REKEYED event (IKE_EV_CHILD_UP comes with every install).
 */
void
save_keys_event(struct daemon *d, const struct ike_event *ev)
{
	struct child_pick p = {0};
	struct keys_out x;
	struct save s = {0};

	if (d->cfg == NULL || d->cfg->daemon.save_keys_dir == NULL)
		return;
	switch (ev->type) {
	case IKE_EV_IKE_UP:
	case IKE_EV_IKE_REKEYED:
		p.ike = true;
		break;
	case IKE_EV_CHILD_UP:
		p.child_id = ev->child_id;
		break;
	default:
		return;
	}
	s.dir = d->cfg->daemon.save_keys_dir;
	s.dfd = -1;
	keys_out_init(&x, save_row, &s);
	p.x = &x;
	ike_query_sa(d->engine, ev->ike_id, sa_rows, &p);
	if (s.dfd >= 0)
		close(s.dfd);
	if (x.ike_skipped || x.esp_skipped || x.esp_missing)
		log_msg(IKE_LOG_INFO,
			"save_keys: SA #%u: %u row(s) not written (an "
			"algorithm Wireshark does not know, or the kernel "
			"did not give the keys back)",
			ev->ike_id,
			x.ike_skipped + x.esp_skipped + x.esp_missing);
	if (s.rows)
		log_msg(IKE_LOG_DEBUG, "save_keys: SA #%u: %u row(s) written",
			ev->ike_id, s.rows);
}
