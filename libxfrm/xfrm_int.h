/* SPDX-License-Identifier: ISC */
/*
 * libxfrm's internals, grouped by the file that owns them: the pure
 * message codecs (tested against golden bytes without root) and the event
 * parser (tested on crafted kernel messages).
 */
#ifndef LIBXFRM_XFRM_INT_H
#define LIBXFRM_XFRM_INT_H

#include <sys/types.h>

#include <linux/netlink.h>

#include "xfrm.h"

/* Room for the largest request we build: a NEWSA with three algorithms,
 * or a policy with XFRM_TMPL_MAX templates. */
#define XFRM_MSG_BUF 4096

/* xfrm_msg.c: requests. Each writes one netlink message with
 * NLM_F_REQUEST | NLM_F_ACK and the given sequence number into buf, and
 * returns its length, -EINVAL for an invalid argument or -EMSGSIZE when
 * buf is too small. buf must be aligned for uint64_t (the fixed structs
 * hold u64s). */
int xfrm_msg_newsa(void *buf, size_t len, uint16_t type,
		   const struct xfrm_sa *sa, uint32_t seq); /* NEWSA or UPDSA */
int xfrm_msg_delsa(void *buf, size_t len, uint16_t type,
		   const struct xfrm_sa *sa, uint32_t seq); /* DELSA or GETSA */
int xfrm_msg_allocspi(void *buf, size_t len, const struct xfrm_sa *sa,
		      uint32_t min, uint32_t max, uint32_t seq);
int xfrm_msg_newpolicy(void *buf, size_t len, uint16_t type,
		       const struct xfrm_policy *p,
		       uint32_t seq); /* NEWPOLICY or UPDPOLICY */
int xfrm_msg_delpolicy(void *buf, size_t len, uint16_t type,
		       const struct xfrm_policy *p,
		       uint32_t seq); /* DELPOLICY or GETPOLICY */
int xfrm_msg_migrate(void *buf, size_t len, const struct xfrm_policy *p,
		     const struct xfrm_move *m, uint32_t seq);
/* NEWSPDINFO with t's thresholds, or GETSPDINFO (t unused). */
int xfrm_msg_spdinfo(void *buf, size_t len, uint16_t type,
		     const struct xfrm_spd_hthresh *t, uint32_t seq);

/* xfrm_parse.c: the kernel's messages; -EBADMSG when malformed. An SA
 * (NEWSA answers, EXPIRE) starts with xfrm_usersa_info, its attributes
 * after hdrlen bytes; algorithms and keys are skipped. */
int xfrm_parse_sa(const struct nlmsghdr *nlh, size_t hdrlen, struct xfrm_sa *sa,
		  struct xfrm_sa_stats *stats);
/* The same SA's algorithm attributes with their keys, for
 * xfrm_sa_get_keys(); -EBADMSG when malformed or a key does not fit. */
int xfrm_parse_sa_keys(const struct nlmsghdr *nlh, size_t hdrlen,
		       struct xfrm_sa_keys *k);
/* A policy's xfrm_userpolicy_info at info_off (NEWPOLICY: 0, ACQUIRE:
 * inside xfrm_user_acquire), its attributes after hdrlen bytes. */
/* NEWSPDINFO (the answer to GETSPDINFO): the hash thresholds; a family
 * the kernel does not report stays 0. */
int xfrm_parse_spdinfo(const struct nlmsghdr *nlh, struct xfrm_spd_hthresh *t);
int xfrm_parse_policy(const struct nlmsghdr *nlh, size_t hdrlen,
		      size_t info_off, struct xfrm_policy *p);
/* The message at *off of len bytes, advancing *off past it; NULL at the
 * end or at a length that does not fit. */
const struct nlmsghdr *xfrm_nlmsg_next(const void *buf, size_t len,
				       size_t *off);
void xfrm_addr_from_kernel(struct xfrm_addr *a, const xfrm_address_t *k,
			   uint16_t family);
void xfrm_sel_from_kernel(struct xfrm_sel *s, const struct xfrm_selector *k);

/* xfrm_event.c: one kernel message to an event. 1 when ev was filled, 0
 * for a message that is not an event we report, -EBADMSG if malformed. */
int xfrm_event_parse(const struct nlmsghdr *nlh, struct xfrm_event *ev);
/* What xfrm_events_read() does with one recv(): n bytes of messages, or
 * n < 0 with err the recv's errno (ENOBUFS: events were lost). Returns the
 * number of events delivered or -err. */
int xfrm_event_dispatch(const void *buf, ssize_t n, int err,
			void (*cb)(const struct xfrm_event *e, void *arg),
			void *arg);

#endif
