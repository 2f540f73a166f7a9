/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Informational exchanges on an established ISAKMP SA (RFC 2408
 * 4.8, 5.15; RFC 2409 5.7; RFC 2407 4.6.3):
 *
 *   HDR*, HASH(1), N/D [, N/D ...]    HASH(1) = prf(SKEYID_a, M-ID | N/D...)
 *
 * one message, not acknowledged, under a random non-zero message ID and
 * an IV of its own (hash of the last phase 1 CBC block | M-ID): the phase
 * 1 chain never moves for them. What we send: DELETE of CHILD SAs and of
 * the ISAKMP SA, and notifies (the API Quick Mode calls for its protected
 * errors). What we take: the same, HASH(1) verified in constant time
 * before anything is decoded for use, and the whole message checked
 * (payload kinds, counts, SPI counts, codecs) before anything changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_int.h"

/* What one message may ask of us: the N and D payloads after HASH(1),
 * and the SPIs of one D. More is no peer we know of, and each costs a
 * lookup and a log line. */
#define V1_INFO_MAX_PAYLOADS 8
#define V1_INFO_MAX_SPIS     64

/* The IV of the Informational (or Quick Mode) exchange mid (RFC 2409
 * Appendix B): derived from the phase 1 chain, which stays as it is. */
static int
exchange_iv(const struct ike_sa *sa, uint32_t mid, struct v1_iv *iv)
{
	return v1_iv_phase2(&sa->v1.suite, &sa->v1.iv, mid, iv);
}

/* --- sending ------------------------------------------------------------ */

/* One Informational carrying the n_n notifies and n_d deletes: HASH(1)
 * first, its value written once the payloads it covers are in place. */
static int
send_info(struct ike_engine *e, struct ike_sa *sa,
	  const struct pld_v1_notify *n, unsigned n_n,
	  const struct pld_v1_delete *d, unsigned n_d)
{
	const struct prf_alg *prf = sa->v1.suite.prf;
	uint8_t zero[V1_HASH_MAX] = {0};
	struct pld_v1_data hash;
	struct msg_builder b;
	struct ike_hdr h;
	struct v1_iv iv;
	uint32_t mid = 0;
	size_t len, at;
	unsigned i;

	if (sa->version != 1 || !sa->v1.keys.skeyid_a || !sa->v1.keys.enc_key ||
	    !prf || prf->out_len > V1_HASH_MAX)
		return -1;
	/* M-ID 0 is phase 1's (RFC 2408 3.1). */
	while (!mid)
		if (ike_random(e, &mid, sizeof(mid)) < 0)
			return -1;
	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_INFORMATIONAL,
			IKEV1_FLAG_ENCRYPTION, mid);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	hash.data = (struct bytes){zero, prf->out_len};
	pld_v1_hash_put(&b, &hash);
	for (i = 0; i < n_n; i++)
		pld_v1_notify_put(&b, &n[i]);
	for (i = 0; i < n_d; i++)
		pld_v1_delete_put(&b, &d[i]);
	if (!(len = msg_build_finish(&b)))
		return -1;
	/* The HASH payload: generic header, then the value. */
	at = IKEV1_HDR_LEN + 4 + prf->out_len;
	if (keymat_v1_hash1(prf, sa->v1.keys.skeyid_a, mid,
			    (struct bytes){e->out + at, len - at},
			    e->out + IKEV1_HDR_LEN + 4) < 0 ||
	    exchange_iv(sa, mid, &iv) < 0 ||
	    !(len = v1_seal_iv(e, sa, len, &iv)))
		return -1;
	xchg_send_back(e, sa, e->out, len, false);
	return 0;
}

int
v1_info_notify(struct ike_engine *e, struct ike_sa *sa, uint16_t type,
	       uint8_t proto, const uint8_t *spi, size_t spi_len,
	       struct bytes data)
{
	struct pld_v1_notify n = {0};

	if (spi_len > UINT8_MAX)
		return -1;
	n.doi = IKEV1_DOI_IPSEC;
	n.proto = proto;
	n.spi_size = (uint8_t)spi_len;
	n.type = type;
	n.spi = (struct bytes){spi, spi_len};
	n.data = data;
	if (send_info(e, sa, &n, 1, NULL, 0) < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"could not send the %s notify (Informational)",
			msg_v1_notify_name(type));
		return -1;
	}
	return 0;
}

int
v1_info_delete(struct ike_engine *e, struct ike_sa *sa, uint8_t proto,
	       const uint8_t *spis, size_t spi_size, unsigned n)
{
	struct pld_v1_delete d = {0};

	if (!n || spi_size == 0 || spi_size > UINT8_MAX || n > UINT16_MAX)
		return -1;
	d.doi = IKEV1_DOI_IPSEC;
	d.proto = proto;
	d.spi_size = (uint8_t)spi_size;
	d.n_spi = (uint16_t)n;
	d.spis = (struct bytes){spis, spi_size * n};
	if (send_info(e, sa, NULL, 0, &d, 1) < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"could not send a DELETE (Informational)");
		return -1;
	}
	return 0;
}

/* The ESP SPIs of our installed children, V1_INFO_MAX_SPIS a message
 * (what we accept ourselves). */
static void
delete_children(struct ike_engine *e, struct ike_sa *sa)
{
	uint8_t spis[SPI4_LEN * V1_INFO_MAX_SPIS];
	const struct child_sa *c;
	unsigned n = 0;

	for (c = sa->children; c; c = c->next) {
		if (!c->installed || !c->spi_in)
			continue;
		spi4_put(spis + SPI4_LEN * n++, c->spi_in);
		if (n == V1_INFO_MAX_SPIS) {
			v1_info_delete(e, sa, IKEV1_PROTO_IPSEC_ESP, spis,
				       SPI4_LEN, n);
			n = 0;
		}
	}
	if (n)
		v1_info_delete(e, sa, IKEV1_PROTO_IPSEC_ESP, spis, SPI4_LEN, n);
}

/* The delete_ike op: IKEv1 Informationals are not acknowledged, so we
 * send and go. The children's DELETE comes first, as a peer may keep
 * IPsec SAs whose ISAKMP SA went (RFC 2409 leaves them independent). */
int
v1_info_delete_isakmp(struct ike_engine *e, struct ike_sa *sa)
{
	uint8_t spi[2 * IKEV1_COOKIE_LEN];

	memcpy(spi, sa->spi_i, IKEV1_COOKIE_LEN);
	memcpy(spi + IKEV1_COOKIE_LEN, sa->spi_r, IKEV1_COOKIE_LEN);
	ike_log(e, sa, IKE_LOG_INFO, "deleting ISAKMP SA");
	return v1_info_delete(e, sa, IKEV1_PROTO_ISAKMP, spi, sizeof(spi), 1);
}

int
v1_info_delete_ike(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	delete_children(e, sa);
	v1_info_delete_isakmp(e, sa);
	sa_kill(e, sa, "terminated");
	(void)now;
	return 0;
}

/* The delete_child op: DELETE of our inbound SPI, then the kernel state
 * and the record go at once (nothing comes back). */
int
v1_info_delete_child(struct ike_engine *e, struct ike_sa *sa,
		     struct child_sa *c, uint64_t now)
{
	uint8_t spi[SPI4_LEN];

	if (sa->state != IKE_SA_ESTABLISHED)
		return -1;
	spi4_put(spi, c->spi_in);
	if (v1_info_delete(e, sa, IKEV1_PROTO_IPSEC_ESP, spi, SPI4_LEN, 1) < 0)
		return -1;
	ike_log(e, sa, IKE_LOG_INFO, "deleting CHILD SA '%s' (SPI %08x)",
		ike_conn(e, sa)->children[c->cfg].name, c->spi_in);
	sa_version(sa)->uninstall_child(e, sa, c);
	child_unlink(sa, c);
	child_free(c);
	(void)now;
	return 0;
}

/* --- receiving ---------------------------------------------------------- */

static const char *
proto_name(uint8_t proto)
{
	switch (proto) {
	case IKEV1_PROTO_ISAKMP:
		return "ISAKMP";
	case IKEV1_PROTO_IPSEC_AH:
		return "AH";
	case IKEV1_PROTO_IPSEC_ESP:
		return "ESP";
	case IKEV1_PROTO_IPCOMP:
		return "IPCOMP";
	default:
		return "protocol";
	}
}

/* "ESP SPI 0a0b0c0d" for a log line; no SPI: the protocol alone. */
static void
spi_text(uint8_t proto, struct bytes spi, char *buf, size_t cap)
{
	size_t i, at;

	at = (size_t)snprintf(buf, cap, spi.len ? "%s SPI " : "%s",
			      proto_name(proto));
	for (i = 0; i < spi.len && i < 16 && at + 3 <= cap; i++)
		at += (size_t)snprintf(buf + at, cap - at, "%02x", spi.ptr[i]);
}

/* INITIAL-CONTACT (RFC 2407 4.6.3.3): the peer holds no state but this
 * SA, so our older SAs with the same peer (connection and identity) are
 * stale: they go here, with their children, and without a message (the
 * peer would not know them). Only older ones: a replayed INITIAL-CONTACT
 * of an SA still up cannot end one made after it. IKEv2's INITIAL_CONTACT
 * is not acted on in libike yet; this is the version-independent
 * check, SAs of either version with the same peer going alike. */
static void
initial_contact(struct ike_engine *e, struct ike_sa *sa)
{
	const char *name = ike_conn(e, sa)->name;
	struct child_sa *c, *next;
	struct ike_sa *o;

	for (o = e->sas; o; o = o->next) {
		if (o == sa || o->id > sa->id || o->dying ||
		    o->state != IKE_SA_ESTABLISHED ||
		    strcmp(ike_conn(e, o)->name, name) != 0 ||
		    o->peer_id.type != sa->peer_id.type ||
		    o->peer_id.data.len != sa->peer_id.data.len ||
		    memcmp(o->peer_id.data.ptr, sa->peer_id.data.ptr,
			   sa->peer_id.data.len) != 0)
			continue;
		ike_log(e, o, IKE_LOG_INFO,
			"peer sent INITIAL-CONTACT on IKE SA #%u: deleting "
			"this older SA with it",
			sa->id);
		sa_kill(e, o, "replaced (INITIAL-CONTACT)");
	}
	/* Pairs this SA took over from an older one (v1_rekey.c) are as
	 * stale as that SA: the peer has none of them. */
	for (c = sa->children; c; c = next) {
		next = c->next;
		if (!c->adopted)
			continue;
		ike_log(e, sa, IKE_LOG_INFO,
			"peer sent INITIAL-CONTACT: removing CHILD SA #%u it "
			"no longer has (SPIs in %08x out %08x)",
			c->id, c->spi_in, c->spi_out);
		sa_version(sa)->uninstall_child(e, sa, c);
		child_unlink(sa, c);
		child_free(c);
	}
}

static void
take_notify(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	    const struct pld_v1_notify *n)
{
	char spi[64];

	spi_text(n->proto, n->spi, spi, sizeof(spi));
	switch (n->type) {
	case IKEV1_N_INITIAL_CONTACT:
		initial_contact(e, sa);
		return;
	case IKEV1_N_R_U_THERE:
	case IKEV1_N_R_U_THERE_ACK:
		v1_dpd_notify(e, sa, now, n);
		return;
	default:
		break;
	}
	if (n->type < IKEV1_N_CONNECTED) {
		ike_log(e, sa, IKE_LOG_WARN, "peer reports %s (%s)",
			msg_v1_notify_name(n->type), spi);
		v1_quick_refused(e, sa, n);
	} else
		ike_log(e, sa, IKE_LOG_DEBUG,
			"peer sent status notify %s (%s); ignored",
			msg_v1_notify_name(n->type), spi);
}

/* A D: the peer's inbound SPIs of the pairs it closed, our outbound. */
static void
take_child_delete(struct ike_engine *e, struct ike_sa *sa,
		  const struct pld_v1_delete *d)
{
	unsigned i;

	for (i = 0; i < d->n_spi; i++) {
		uint32_t spi = spi4_get(d->spis.ptr + SPI4_LEN * i);
		struct ike_sa *owner;
		struct child_sa *c = v1_child_by_spi_out(e, sa, spi, &owner);

		if (!c) {
			ike_log(e, sa, IKE_LOG_DEBUG,
				"peer deleted %s SPI %08x: no CHILD SA of ours "
				"has it; ignored",
				proto_name(d->proto), spi);
			continue;
		}
		/* A Quick Mode still under way: as IKEv2's (v2_info.c), the
		 * child must not come up; its exchange sees peer_gone. */
		if (c->creating) {
			c->peer_gone = spi;
			ike_log(e, sa, IKE_LOG_DEBUG,
				"peer deleted SPI %08x of a CHILD SA still "
				"being negotiated",
				spi);
			continue;
		}
		ike_log(e, owner, IKE_LOG_INFO,
			"peer deleted CHILD SA '%s' (SPI %08x)",
			ike_conn(e, owner)->children[c->cfg].name, c->spi_in);
		sa_version(owner)->uninstall_child(e, owner, c);
		child_unlink(owner, c);
		child_free(c);
	}
}

/* Whether the D names this ISAKMP SA: its cookie pair. */
static bool
names_us(const struct ike_sa *sa, const struct pld_v1_delete *d)
{
	unsigned i;

	for (i = 0; i < d->n_spi; i++) {
		const uint8_t *p = d->spis.ptr + 2 * IKEV1_COOKIE_LEN * i;

		if (memcmp(p, sa->spi_i, IKEV1_COOKIE_LEN) == 0 &&
		    memcmp(p + IKEV1_COOKIE_LEN, sa->spi_r, IKEV1_COOKIE_LEN) ==
			0)
			return true;
	}
	return false;
}

/* Every payload after HASH(1) an N or a D within our bounds, decodable:
 * 0, or -1 with the reason logged. Nothing has been acted on yet. The
 * peer is authenticated by now: a warning, not a drop an attacker could
 * make. */
static int
check_payloads(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m)
{
	struct pld_v1_notify n;
	struct pld_v1_delete d;
	struct ike_err err = {0};
	unsigned i;

	if (m->n - 1 > V1_INFO_MAX_PAYLOADS) {
		ike_log(e, sa, IKE_LOG_WARN,
			"IKEv1 Informational with %u payloads after HASH(1) "
			"(at most %u); dropped",
			m->n - 1, V1_INFO_MAX_PAYLOADS);
		return -1;
	}
	for (i = 1; i < m->n; i++) {
		const struct pld_ref *r = &m->pl[i];

		if (r->type == IKEV1_PL_N) {
			if (pld_v1_notify_get(r, &n, &err) < 0)
				goto malformed;
		} else if (r->type == IKEV1_PL_D) {
			if (pld_v1_delete_get(r, &d, &err) < 0)
				goto malformed;
			if (d.n_spi == 0 || d.n_spi > V1_INFO_MAX_SPIS) {
				ike_log(e, sa, IKE_LOG_WARN,
					"IKEv1 Informational with a D of %u "
					"SPIs (1 to %u); dropped",
					d.n_spi, V1_INFO_MAX_SPIS);
				return -1;
			}
		} else {
			ike_log(e, sa, IKE_LOG_WARN,
				"IKEv1 Informational with a %s payload (only "
				"N and D belong there); dropped",
				msg_v1_pld_name(r->type));
			return -1;
		}
	}
	return 0;
malformed:
	ike_log(e, sa, IKE_LOG_WARN,
		"IKEv1 Informational with a malformed payload: %s; dropped",
		err.msg);
	return -1;
}

/* HASH(1) of the decrypted message: the HASH payload first, its value
 * over M-ID | everything after it up to the last payload's end (the
 * padding excluded, RFC 2409 5.7). 0 when it verifies. */
static int
check_hash(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m)
{
	const struct prf_alg *prf = sa->v1.suite.prf;
	const struct pld_ref *last;
	struct pld_v1_data hash;
	struct ike_err err = {0};
	uint8_t want[V1_HASH_MAX];
	const uint8_t *from, *to;
	bool ok;

	if (m->n < 2 || m->pl[0].type != IKEV1_PL_HASH ||
	    pld_v1_hash_get(&m->pl[0], &hash, &err) < 0) {
		ike_drop(e, sa, IKE_DROP_ICV,
			 "IKEv1 Informational without HASH(1) first or "
			 "without N or D; dropped");
		return -1;
	}
	last = &m->pl[m->n - 1];
	from = m->pl[0].body.ptr + m->pl[0].body.len;
	to = last->body.ptr + last->body.len;
	ok = prf && prf->out_len <= V1_HASH_MAX && to >= from &&
	     keymat_v1_hash1(prf, sa->v1.keys.skeyid_a, m->hdr.msgid,
			     (struct bytes){from, (size_t)(to - from)},
			     want) == 0 &&
	     keymat_v1_hash_equal(want, prf->out_len, hash.data);
	OPENSSL_cleanse(want, sizeof(want));
	if (!ok) {
		ike_drop(e, sa, IKE_DROP_ICV,
			 "IKEv1 Informational whose HASH(1) does not verify; "
			 "dropped");
		return -1;
	}
	return 0;
}

void
v1_info_input(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	      struct msg_v1 *m)
{
	struct ike_err err = {0};
	struct pld_v1_notify n;
	struct pld_v1_delete d;
	bool isakmp_deleted = false;
	struct v1_iv iv;
	unsigned i;

	/* RFC 2409 5.7: once keys exist, Informationals are protected; an
	 * unprotected one could be anyone's (its cookies are on the wire). */
	if (!m->encrypted) {
		ike_drop(e, sa, IKE_DROP_UNPROTECTED,
			 "unprotected IKEv1 Informational on an established "
			 "ISAKMP SA; dropped");
		return;
	}
	if (!m->hdr.msgid || exchange_iv(sa, m->hdr.msgid, &iv) < 0 ||
	    v1_open_iv(e, sa, m, &iv, &err) < 0) {
		ike_drop(e, sa, IKE_DROP_ICV,
			 "IKEv1 Informational that does not decrypt (message "
			 "ID %08x); dropped",
			 m->hdr.msgid);
		return;
	}
	if (check_hash(e, sa, m) < 0 || check_payloads(e, sa, m) < 0)
		return;
	for (i = 1; i < m->n; i++) {
		const struct pld_ref *r = &m->pl[i];

		/* DPD's notifies say themselves whether they show the peer
		 * there now (v1_dpd.c): a replayed one must not. */
		if (r->type != IKEV1_PL_N ||
		    pld_v1_notify_get(r, &n, &err) < 0 ||
		    (n.type != IKEV1_N_R_U_THERE &&
		     n.type != IKEV1_N_R_U_THERE_ACK))
			sa->last_heard = now;
		if (r->type == IKEV1_PL_N &&
		    pld_v1_notify_get(r, &n, &err) == 0)
			take_notify(e, sa, now, &n);
		if (r->type != IKEV1_PL_D || pld_v1_delete_get(r, &d, &err) < 0)
			continue;
		if (d.proto == IKEV1_PROTO_ISAKMP && names_us(sa, &d))
			isakmp_deleted = true;
		else if (d.proto == IKEV1_PROTO_ISAKMP)
			ike_log(e, sa, IKE_LOG_DEBUG,
				"peer deleted an ISAKMP SA that is not this "
				"ISAKMP SA; ignored");
		else if (d.proto == IKEV1_PROTO_IPSEC_ESP ||
			 d.proto == IKEV1_PROTO_IPSEC_AH)
			take_child_delete(e, sa, &d);
		else
			ike_log(e, sa, IKE_LOG_DEBUG,
				"peer deleted %u %s SAs; we have none; "
				"ignored",
				d.n_spi, proto_name(d.proto));
	}
	/* Last, so the children named in the same message went first with
	 * their own lines. The peer's ISAKMP DELETE takes our CHILD SAs with
	 * it (sa_kill) unless a newer ISAKMP SA with the same peer takes
	 * them over (v1_rekey.c): RFC 2409 lets IPsec SAs outlive their
	 * ISAKMP SA, but a child of ours cannot outlive its struct ike_sa,
	 * and without one the peer has no way to rekey them with us. */
	if (isakmp_deleted) {
		ike_log(e, sa, IKE_LOG_INFO, "peer deleted the ISAKMP SA");
		/* Replaced by a newer one (a reauthentication): the IPsec
		 * SAs live on under it. */
		v1_rekey_adopt(e, sa);
		sa_kill(e, sa, "deleted by peer");
	}
}
