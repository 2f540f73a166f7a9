/* SPDX-License-Identifier: ISC */
/*
 * The thin request layer: one NETLINK_XFRM socket, each request sent with
 * NLM_F_ACK and answered (reply, then ACK or error) before the call
 * returns. It owns sequence numbers, the kernel's errno and extended-ACK
 * message (kept as the error reason), and wiping: a request that carried
 * keys, and every reply buffer (GETSA answers with the SA's keys), are
 * cleared as soon as they have been used.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "xfrm_int.h"

/* Answers to our requests are a few hundred bytes; the ACK of a failed
 * request is capped (NETLINK_CAP_ACK). */
#define XFRM_REPLY_BUF 8192

struct xfrm_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	char err[256];
	/* u64 arrays: the builders write structs holding u64s. */
	uint64_t req[XFRM_MSG_BUF / 8];
	uint64_t rbuf[XFRM_REPLY_BUF / 8];
};

/* How one request's answer is read: the message type of the reply (0 when
 * only an ACK is expected) and what to do with it. */
struct reply {
	uint16_t type;
	int (*parse)(const struct nlmsghdr *nlh, void *out);
	void *out;
	bool got;
};

static void __attribute__((format(printf, 2, 3)))
set_err(struct xfrm_nl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->err, sizeof(nl->err), fmt, ap);
	va_end(ap);
}

struct xfrm_nl *
xfrm_nl_open(void)
{
	struct xfrm_nl *nl;
	int one = 1, err;

	if ((nl = calloc(1, sizeof(*nl))) == NULL)
		return NULL;
	nl->sock = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC);
	if (nl->sock == NULL)
		goto fail;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* The kernel's reason in words (older kernels lack it: no harm),
	 * and errors without the request echoed back, which for NEWSA
	 * would be its keys. */
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one,
				    sizeof(one));
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one,
				    sizeof(one));
	return nl;
fail:
	err = errno;
	if (nl->sock != NULL)
		mnl_socket_close(nl->sock);
	free(nl);
	errno = err;
	return NULL;
}

void
xfrm_nl_close(struct xfrm_nl *nl)
{
	if (nl == NULL)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

const char *
xfrm_nl_error(const struct xfrm_nl *nl)
{
	return nl->err;
}

static int
extack_cb(const struct nlattr *a, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

/* An NLMSG_ERROR: 0 for the ACK that ends a request, else -errno with the
 * reason recorded. */
static int
ack(struct xfrm_nl *nl, const struct nlmsghdr *nlh, const char *what,
    const struct reply *r)
{
	const char *msg = NULL;
	struct nlmsgerr e;
	size_t off;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(e)) {
		set_err(nl, "%s: truncated netlink error message", what);
		return -EBADMSG;
	}
	memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	if (e.error == 0) {
		if (r->type != 0 && !r->got) {
			set_err(nl, "%s: acknowledged without a reply", what);
			return -EPROTO;
		}
		return 0;
	}
	if (e.error > 0 || e.error < -4095) {
		set_err(nl, "%s: bad error code %d", what, e.error);
		return -EPROTO;
	}
	/* Extended ACK attributes follow the echoed request, of which only
	 * the header is left when the kernel capped it. */
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
		    e.msg.nlmsg_len >= sizeof(struct nlmsghdr))
			off += e.msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (off <= mnl_nlmsg_get_payload_len(nlh))
			(void)mnl_attr_parse(nlh, (unsigned int)off, extack_cb,
					     &msg);
	}
	if (msg != NULL)
		set_err(nl, "%s: %s (%s)", what, msg, strerror(-e.error));
	else
		set_err(nl, "%s: %s", what, strerror(-e.error));
	return e.error;
}

/* Messages of one recv(): 1 to keep reading, 0 done, -errno failed. */
static int
handle(struct xfrm_nl *nl, size_t n, uint32_t seq, const char *what,
       struct reply *r)
{
	const struct nlmsghdr *nlh;
	size_t off = 0;
	int rc;

	while ((nlh = xfrm_nlmsg_next(nl->rbuf, n, &off)) != NULL) {
		/* Answers to an earlier request we stopped reading for. */
		if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
			continue;
		if (nlh->nlmsg_type == NLMSG_ERROR)
			return ack(nl, nlh, what, r);
		if (nlh->nlmsg_type != r->type || r->got)
			continue;
		if ((rc = r->parse(nlh, r->out)) < 0) {
			set_err(nl, "%s: malformed reply", what);
			return rc;
		}
		r->got = true;
	}
	return 1;
}

/* Sends the len bytes in nl->req (or fails with len, a builder's -errno)
 * and reads until the kernel's ACK or error. */
static int
transact(struct xfrm_nl *nl, int len, uint32_t seq, bool keys, const char *what,
	 struct reply *r)
{
	ssize_t n;
	int rc;

	nl->err[0] = '\0';
	if (len < 0) {
		if (keys)
			explicit_bzero(nl->req, sizeof(nl->req));
		set_err(nl, "%s: request not built: %s", what, strerror(-len));
		return len;
	}
	n = mnl_socket_sendto(nl->sock, nl->req, (size_t)len);
	rc = errno;
	if (keys)
		explicit_bzero(nl->req, (size_t)len);
	if (n < 0) {
		set_err(nl, "%s: send: %s", what, strerror(rc));
		return -rc;
	}
	do {
		n = mnl_socket_recvfrom(nl->sock, nl->rbuf, sizeof(nl->rbuf));
		if (n < 0) {
			rc = errno;
			if (rc == EINTR) {
				rc = 1;
				continue;
			}
			set_err(nl, "%s: receive: %s", what, strerror(rc));
			rc = -rc;
			break;
		}
		rc = handle(nl, (size_t)n, seq, what, r);
		explicit_bzero(nl->rbuf, (size_t)n);
	} while (rc > 0);
	return rc;
}

static uint32_t
next_seq(struct xfrm_nl *nl)
{
	return ++nl->seq;
}

static int
parse_spi(const struct nlmsghdr *nlh, void *out)
{
	struct xfrm_sa sa;
	int rc;

	if ((rc = xfrm_parse_sa(nlh, sizeof(struct xfrm_usersa_info), &sa,
				NULL)) < 0)
		return rc;
	*(uint32_t *)out = sa.spi;
	return 0;
}

int
xfrm_spi_alloc(struct xfrm_nl *nl, const struct xfrm_sa *sa, uint32_t min,
	       uint32_t max, uint32_t *spi)
{
	struct reply r = {XFRM_MSG_NEWSA, parse_spi, NULL, false};
	uint32_t seq = next_seq(nl);

	*spi = 0;
	r.out = spi;
	return transact(
	    nl, xfrm_msg_allocspi(nl->req, sizeof(nl->req), sa, min, max, seq),
	    seq, false, "ALLOCSPI", &r);
}

int
xfrm_sa_add(struct xfrm_nl *nl, const struct xfrm_sa *sa)
{
	struct reply r = {0};
	uint32_t seq = next_seq(nl);

	return transact(
	    nl,
	    xfrm_msg_newsa(nl->req, sizeof(nl->req), XFRM_MSG_NEWSA, sa, seq),
	    seq, true, "NEWSA", &r);
}

int
xfrm_sa_update(struct xfrm_nl *nl, const struct xfrm_sa *sa)
{
	struct reply r = {0};
	uint32_t seq = next_seq(nl);

	return transact(
	    nl,
	    xfrm_msg_newsa(nl->req, sizeof(nl->req), XFRM_MSG_UPDSA, sa, seq),
	    seq, true, "UPDSA", &r);
}

int
xfrm_sa_del(struct xfrm_nl *nl, const struct xfrm_sa *sa)
{
	struct reply r = {0};
	uint32_t seq = next_seq(nl);

	return transact(
	    nl,
	    xfrm_msg_delsa(nl->req, sizeof(nl->req), XFRM_MSG_DELSA, sa, seq),
	    seq, false, "DELSA", &r);
}

static int
parse_stats(const struct nlmsghdr *nlh, void *out)
{
	struct xfrm_sa sa;

	return xfrm_parse_sa(nlh, sizeof(struct xfrm_usersa_info), &sa, out);
}

int
xfrm_sa_get(struct xfrm_nl *nl, const struct xfrm_sa *sa,
	    struct xfrm_sa_stats *out)
{
	struct reply r = {XFRM_MSG_NEWSA, parse_stats, NULL, false};
	uint32_t seq = next_seq(nl);

	memset(out, 0, sizeof(*out));
	r.out = out;
	return transact(
	    nl,
	    xfrm_msg_delsa(nl->req, sizeof(nl->req), XFRM_MSG_GETSA, sa, seq),
	    seq, false, "GETSA", &r);
}

static int
parse_keys(const struct nlmsghdr *nlh, void *out)
{
	return xfrm_parse_sa_keys(nlh, sizeof(struct xfrm_usersa_info), out);
}

int
xfrm_sa_get_keys(struct xfrm_nl *nl, const struct xfrm_sa *sa,
		 struct xfrm_sa_keys *out)
{
	struct reply r = {XFRM_MSG_NEWSA, parse_keys, NULL, false};
	uint32_t seq = next_seq(nl);
	int rc;

	memset(out, 0, sizeof(*out));
	r.out = out;
	rc = transact(
	    nl,
	    xfrm_msg_delsa(nl->req, sizeof(nl->req), XFRM_MSG_GETSA, sa, seq),
	    seq, false, "GETSA", &r);
	if (rc < 0)
		xfrm_sa_keys_clear(out);
	return rc;
}

int
xfrm_policy_add(struct xfrm_nl *nl, const struct xfrm_policy *p)
{
	struct reply r = {0};
	uint32_t seq = next_seq(nl);

	return transact(nl,
			xfrm_msg_newpolicy(nl->req, sizeof(nl->req),
					   XFRM_MSG_NEWPOLICY, p, seq),
			seq, false, "NEWPOLICY", &r);
}

int
xfrm_policy_update(struct xfrm_nl *nl, const struct xfrm_policy *p)
{
	struct reply r = {0};
	uint32_t seq = next_seq(nl);

	return transact(nl,
			xfrm_msg_newpolicy(nl->req, sizeof(nl->req),
					   XFRM_MSG_UPDPOLICY, p, seq),
			seq, false, "UPDPOLICY", &r);
}

int
xfrm_policy_del(struct xfrm_nl *nl, const struct xfrm_policy *p)
{
	struct reply r = {0};
	uint32_t seq = next_seq(nl);

	return transact(nl,
			xfrm_msg_delpolicy(nl->req, sizeof(nl->req),
					   XFRM_MSG_DELPOLICY, p, seq),
			seq, false, "DELPOLICY", &r);
}

static int
parse_policy(const struct nlmsghdr *nlh, void *out)
{
	return xfrm_parse_policy(nlh, sizeof(struct xfrm_userpolicy_info), 0,
				 out);
}

int
xfrm_policy_get(struct xfrm_nl *nl, const struct xfrm_policy *p,
		struct xfrm_policy *out)
{
	struct reply r = {XFRM_MSG_NEWPOLICY, parse_policy, NULL, false};
	uint32_t seq = next_seq(nl);

	memset(out, 0, sizeof(*out));
	r.out = out;
	return transact(nl,
			xfrm_msg_delpolicy(nl->req, sizeof(nl->req),
					   XFRM_MSG_GETPOLICY, p, seq),
			seq, false, "GETPOLICY", &r);
}

int
xfrm_policy_migrate(struct xfrm_nl *nl, const struct xfrm_policy *p,
		    const struct xfrm_move *m)
{
	struct reply r = {0};
	uint32_t seq = next_seq(nl);

	return transact(nl,
			xfrm_msg_migrate(nl->req, sizeof(nl->req), p, m, seq),
			seq, false, "MIGRATE", &r);
}

int
xfrm_spd_hthresh_set(struct xfrm_nl *nl, const struct xfrm_spd_hthresh *t)
{
	struct reply r = {0};
	uint32_t seq = next_seq(nl);

	return transact(nl,
			xfrm_msg_spdinfo(nl->req, sizeof(nl->req),
					 XFRM_MSG_NEWSPDINFO, t, seq),
			seq, false, "NEWSPDINFO", &r);
}

static int
parse_spdinfo(const struct nlmsghdr *nlh, void *out)
{
	return xfrm_parse_spdinfo(nlh, out);
}

int
xfrm_spd_hthresh_get(struct xfrm_nl *nl, struct xfrm_spd_hthresh *out)
{
	struct reply r = {XFRM_MSG_NEWSPDINFO, parse_spdinfo, NULL, false};
	uint32_t seq = next_seq(nl);

	memset(out, 0, sizeof(*out));
	r.out = out;
	return transact(nl,
			xfrm_msg_spdinfo(nl->req, sizeof(nl->req),
					 XFRM_MSG_GETSPDINFO, NULL, seq),
			seq, false, "GETSPDINFO", &r);
}
