/* SPDX-License-Identifier: ISC */
/*
 * What unauthenticated peers may cost us: half-open IKE SAs counted by
 * source address (for the block and cookie thresholds), the rotating
 * COOKIE secret (RFC 7296 2.6), the keyed hash that ties a cached answer
 * to its request, drop counters, and a rate limit on the log lines that
 * unauthenticated input can cause. Also the engine's random source, so
 * that a test can seed everything the engine chooses.
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_int.h"

/* A source address with half-open SAs; gone when its count drops to 0. */
struct src_count {
	uint8_t family;
	uint8_t addr[16];
	size_t n;
	struct src_count *next;
};

int
ike_random(const struct ike_engine *e, void *out, size_t len)
{
	if (e->env.random)
		return e->env.random(e->env.ctx, out, len);
	return crypto_random(out, len);
}

struct dh *
ike_dh_new(const struct ike_engine *e, uint16_t group)
{
	return dh_new_rand(group, e->env.random, e->env.ctx);
}

static const char *const drop_names[IKE_DROP_MAX] = {
    [IKE_DROP_MALFORMED] = "malformed",
    [IKE_DROP_UNKNOWN_SA] = "unknown_sa",
    [IKE_DROP_BAD_INIT] = "bad_init",
    [IKE_DROP_UNEXPECTED] = "unexpected_response",
    [IKE_DROP_WINDOW] = "outside_window",
    [IKE_DROP_REPLAY] = "replay",
    [IKE_DROP_UNPROTECTED] = "unprotected",
    [IKE_DROP_ICV] = "integrity",
    [IKE_DROP_STATE] = "wrong_state",
    [IKE_DROP_HALF_OPEN] = "half_open_limit",
    [IKE_DROP_INIT_SIZE] = "init_too_large",
    [IKE_DROP_INIT_INVALID] = "init_response_invalid",
};

const char *
ike_drop_name(enum ike_drop d)
{
	return (unsigned)d < IKE_DROP_MAX ? drop_names[d] : "unknown";
}

void
ike_engine_stats(const struct ike_engine *e, struct ike_stats *out)
{
	*out = e->stats;
	out->ike_sas = e->n_sas;
	out->half_open = e->n_half_open;
}

/* Unauthenticated input must not be able to flood the log: at most
 * lim.log_per_sec such lines a second, the rest counted and summed up in
 * the next line that passes. */
static bool
log_allowed(struct ike_engine *e, unsigned *suppressed)
{
	uint64_t second = e->now / 1000;

	*suppressed = 0;
	if (second != e->log_window) {
		if (e->log_in_window > e->lim.log_per_sec)
			*suppressed = e->log_in_window - e->lim.log_per_sec;
		e->log_window = second;
		e->log_in_window = 0;
	}
	if (e->log_in_window++ < e->lim.log_per_sec)
		return true;
	e->stats.log_suppressed++;
	return false;
}

static void log_limited(struct ike_engine *e, const struct ike_sa *sa,
			enum ike_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void
log_limited(struct ike_engine *e, const struct ike_sa *sa,
	    enum ike_log_level level, const char *fmt, va_list ap)
{
	char buf[400];
	unsigned suppressed;

	if (!e->env.log || !log_allowed(e, &suppressed))
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (suppressed)
		ike_log(e, sa, level, "%s (%u similar lines suppressed)", buf,
			suppressed);
	else
		ike_log(e, sa, level, "%s", buf);
}

void
ike_drop(struct ike_engine *e, const struct ike_sa *sa, enum ike_drop why,
	 const char *fmt, ...)
{
	va_list ap;

	/* Most drops are noise an attacker can make at will; these say why
	 * a peer cannot get in, which an admin wants to see. */
	bool notable = why == IKE_DROP_HALF_OPEN || why == IKE_DROP_INIT_SIZE ||
		       why == IKE_DROP_INIT_INVALID;

	e->stats.drops[why]++;
	va_start(ap, fmt);
	log_limited(e, sa, notable ? IKE_LOG_WARN : IKE_LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
ike_log_unauth(struct ike_engine *e, enum ike_log_level level, const char *fmt,
	       ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_limited(e, NULL, level, fmt, ap);
	va_end(ap);
}

/* The address part of an endpoint, the port left out: a NAT or an
 * attacker can pick any port. */
static void
src_key(const struct ike_endpoint *ep, uint8_t *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	*family = (uint8_t)ep->ss.ss_family;
	if (ep->ss.ss_family == AF_INET6)
		memcpy(addr, &((const struct sockaddr_in6 *)&ep->ss)->sin6_addr,
		       16);
	else if (ep->ss.ss_family == AF_INET)
		memcpy(addr, &((const struct sockaddr_in *)&ep->ss)->sin_addr,
		       4);
}

static struct src_count **
src_slot(const struct ike_engine *e, uint8_t family, const uint8_t addr[16])
{
	uint64_t h = 0xcbf29ce484222325ULL ^ family;
	struct src_count **pp;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 0x100000001b3ULL;
	h ^= h >> 31;
	for (pp = &e->src[h & (IKE_SRC_BUCKETS - 1)]; *pp; pp = &(*pp)->next)
		if ((*pp)->family == family &&
		    memcmp((*pp)->addr, addr, 16) == 0)
			break;
	return pp;
}

size_t
guard_half_open_of(const struct ike_engine *e,
		   const struct ike_endpoint *remote)
{
	uint8_t family, addr[16];
	struct src_count **pp;

	if (!e->src)
		return 0;
	src_key(remote, &family, addr);
	pp = src_slot(e, family, addr);
	return *pp ? (*pp)->n : 0;
}

int
guard_half_open_add(struct ike_engine *e, struct ike_sa *sa)
{
	uint8_t family, addr[16];
	struct src_count **pp;

	if (sa->half_open)
		return 0;
	if (!e->src && !(e->src = calloc(IKE_SRC_BUCKETS, sizeof(*e->src))))
		return -1;
	src_key(&sa->remote, &family, addr);
	pp = src_slot(e, family, addr);
	if (!*pp) {
		if (!(*pp = calloc(1, sizeof(**pp))))
			return -1;
		(*pp)->family = family;
		memcpy((*pp)->addr, addr, 16);
	}
	(*pp)->n++;
	e->n_half_open++;
	sa->half_open = true;
	return 0;
}

void
guard_half_open_del(struct ike_engine *e, struct ike_sa *sa)
{
	uint8_t family, addr[16];
	struct src_count **pp, *gone;

	if (!sa->half_open)
		return;
	sa->half_open = false;
	e->n_half_open--;
	src_key(&sa->remote, &family, addr);
	pp = src_slot(e, family, addr);
	if (*pp && --(*pp)->n == 0) {
		gone = *pp;
		*pp = gone->next;
		free(gone);
	}
}

void
guard_free(struct ike_engine *e)
{
	size_t i;

	for (i = 0; e->src && i < IKE_SRC_BUCKETS; i++)
		while (e->src[i]) {
			struct src_count *c = e->src[i];

			e->src[i] = c->next;
			free(c);
		}
	free(e->src);
	e->src = NULL;
}

/* A new COOKIE secret every cookie_rotate_ms; the one before it stays
 * good for one more period, so a cookie handed out just before a rotation
 * still works. Rotated lazily: an idle responder does no work. */
static void
cookie_rotate(struct ike_engine *e)
{
	unsigned turns = 0;

	while (e->now >= e->cookie_rotate_at && turns++ < 2) {
		e->cookie_ver++;
		ike_random(e, e->cookie_secret[e->cookie_ver & 1],
			   sizeof(e->cookie_secret[0]));
		e->cookie_rotate_at =
		    e->cookie_rotate_at + e->lim.cookie_rotate_ms;
	}
	if (e->now >= e->cookie_rotate_at)
		e->cookie_rotate_at = e->now + e->lim.cookie_rotate_ms;
}

/* RFC 7296 2.6's suggestion: VersionIDofSecret | Hash(Ni | IPi | SPIi |
 * secret), here an HMAC keyed with the secret of that version. */
static void
cookie_mac(const struct ike_engine *e, uint8_t ver,
	   const struct ike_endpoint *remote, const uint8_t *spi_i,
	   struct bytes ni, uint8_t *out)
{
	const struct prf_alg *prf = crypto_prf(IKEV2_PRF_HMAC_SHA2_256);
	uint8_t family, addr[16], mac[32];
	struct bytes parts[3] = {ni, {addr, 16}, {spi_i, IKEV2_SPI_LEN}};

	src_key(remote, &family, addr);
	crypto_prf_compute(prf, e->cookie_secret[ver & 1],
			   sizeof(e->cookie_secret[0]), parts, 3, mac);
	memcpy(out, mac, IKE_COOKIE_MAC);
	OPENSSL_cleanse(mac, sizeof(mac));
}

void
guard_cookie(struct ike_engine *e, const struct ike_endpoint *remote,
	     const uint8_t *spi_i, struct bytes ni, uint8_t *out)
{
	cookie_rotate(e);
	out[0] = e->cookie_ver;
	cookie_mac(e, e->cookie_ver, remote, spi_i, ni, out + 1);
	e->stats.cookies_sent++;
}

bool
guard_cookie_ok(struct ike_engine *e, const struct ike_endpoint *remote,
		const uint8_t *spi_i, struct bytes ni, struct bytes got)
{
	uint8_t want[IKE_COOKIE_MAC];

	cookie_rotate(e);
	if (got.len != IKE_COOKIE_LEN ||
	    (got.ptr[0] != e->cookie_ver &&
	     got.ptr[0] != (uint8_t)(e->cookie_ver - 1)))
		return false;
	cookie_mac(e, got.ptr[0], remote, spi_i, ni, want);
	return bytes_equal_ct(got.ptr + 1, want, IKE_COOKIE_MAC);
}

void
guard_request_hash(const struct ike_engine *e, struct bytes raw,
		   uint8_t out[IKE_REQ_HASH_LEN])
{
	uint8_t mac[32];

	/* SipHash (keyed with the first half of hash_key): the hash only
	 * has to be unguessable without the key, and it reads every request,
	 * full IKE_SA_INIT messages included; HMAC-SHA-256 cost 3 % of a
	 * responder's CPU per IKE SA. HMAC stays for an OpenSSL without
	 * SipHash (a FIPS provider alone). */
	if (crypto_siphash(e->hash_key, &raw, 1, mac) != 0)
		crypto_prf_compute(crypto_prf(IKEV2_PRF_HMAC_SHA2_256),
				   e->hash_key, sizeof(e->hash_key), &raw, 1,
				   mac);
	memcpy(out, mac, IKE_REQ_HASH_LEN);
}

/* Peer-supplied bytes for a log line or a reason text: printable ASCII as
 * is, anything else (newlines, escapes, bytes that are not ASCII) as
 * \xNN, so that an identity cannot forge or garble a log line. */
void
id_escape(const uint8_t *p, size_t len, char *out, size_t cap)
{
	struct tbuf t;
	size_t i;

	tbuf_init(&t, out, cap);
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			tbuf_put(&t, (const char *)p + i, 1);
		else
			tbuf_printf(&t, "\\x%02x", p[i]);
	}
	tbuf_finish(&t);
}
