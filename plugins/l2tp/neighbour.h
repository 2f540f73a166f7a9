/* SPDX-License-Identifier: ISC */
/*
 * The l2tp plugin's look at its neighbour: L2TP itself is xl2tpd's, beside
 * charond, and a child with `l2tp: true` is of no use to clients unless
 * xl2tpd answers on UDP/1701 and is not configured for SAref (a kernel
 * patch stock kernels never had). The plugin's config check calls this at
 * start, reload and --check-config; it reads files only (no netlink, no
 * daemon state), so that it can be tested against fake /proc trees.
 */
#ifndef L2TP_NEIGHBOUR_H
#define L2TP_NEIGHBOUR_H

struct l2tp_neighbour_paths {
	/* "/proc"; tests: a tree with net/udp, net/udp6, PID/comm and
	 * PID/fd/N (symbolic links "socket:[INODE]") */
	const char *proc;
	/* "/etc/xl2tpd/xl2tpd.conf"; NULL: not looked at */
	const char *xl2tpd_conf;
};

/*
 * Calls report(ctx, msg) once per problem found: msg is one line with no
 * trailing newline, prefixed "PATH:LINE: " (or "PATH: ") only when it is
 * about xl2tpd.conf. The problems, in this order:
 *   - nothing listens on UDP/1701 (IPv4 or IPv6, any local address);
 *   - a process other than xl2tpd holds a socket listening there, even
 *     beside xl2tpd (one bound to one address, or IPv4 only, takes those
 *     clients): named when /proc shows it, which for other users' fds
 *     takes root; when it does not, nothing is said;
 *   - xl2tpd.conf sets `ipsec saref = yes` (last setting wins, as in
 *     xl2tpd), or cannot be read. A missing xl2tpd.conf is one only when
 *     nothing listens (xl2tpd may run with another -c).
 * Returns the number of problems reported, or -1 after one report saying
 * why when it could not look (PROC/net/udp unreadable).
 */
int l2tp_neighbour_check(const struct l2tp_neighbour_paths *p,
			 void (*report)(void *ctx, const char *msg), void *ctx);

#endif
