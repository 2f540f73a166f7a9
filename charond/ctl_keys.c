/* SPDX-License-Identifier: ISC */
/*
 * export-keys: every IKE SA's keys as rows of Wireshark's
 * ikev2_decryption_table and every installed CHILD SA's ESP keys, read
 * back from the kernel with GETSA, as rows of its esp_sa table, so that
 * a capture can be decrypted while debugging (strongSwan's save-keys
 * writes the same two files). Root only: the socket's group may watch
 * and drive the daemon, never read its keys. The rows are built here for
 * daemon.save_keys too (save_keys.c), which appends them to the files as
 * the SAs come up.
 *
 * Both tables are Wireshark's UAT files, one CSV row per entry: byte
 * fields (SPIs and keys of ikev2_decryption_table) as bare hex, string
 * and enum fields quoted, the enums in Wireshark's own words (those of
 * packet-isakmp.c and packet-ipsec.c, checked against tshark 4.0); a
 * row naming an algorithm Wireshark does not know would be dropped by
 * it without a word, so such an SA is left out and counted instead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ctl.h"
#include "daemon.h"
#include "ikev2_const.h"

/* Room for a row: four 64-byte keys in hex and the names. */
#define ROW_MAX 1024

/* --- Wireshark's names ----------------------------------------------------
 */

/* ikev2_decryption_table's "Encryption algorithm" (packet-isakmp.c). */
static const char *
ws_ike_encr(const struct ike_key_export *k, char *buf, size_t len)
{
	switch (k->encr) {
	case IKEV2_ENCR_3DES:
		return "3DES [RFC2451]";
	case IKEV2_ENCR_AES_CBC:
		snprintf(buf, len, "AES-CBC-%u [RFC3602]", k->encr_bits);
		return buf;
	case IKEV2_ENCR_AES_GCM_8:
	case IKEV2_ENCR_AES_GCM_12:
	case IKEV2_ENCR_AES_GCM_16:
		snprintf(buf, len, "AES-GCM-%u with %zu octet ICV [RFC5282]",
			 k->encr_bits, k->icv_len);
		return buf;
	default: /* ChaCha20-Poly1305: not in Wireshark 4.0's table */
		return NULL;
	}
}

/* ikev2_decryption_table's "Integrity algorithm". */
static const char *
ws_ike_integ(uint16_t integ)
{
	switch (integ) {
	case 0: /* AEAD */
		return "NONE [RFC4306]";
	case IKEV2_INTEG_HMAC_MD5_96:
		return "HMAC_MD5_96 [RFC2403]";
	case IKEV2_INTEG_HMAC_SHA1_96:
		return "HMAC_SHA1_96 [RFC2404]";
	case IKEV2_INTEG_HMAC_SHA2_256_128:
		return "HMAC_SHA2_256_128 [RFC4868]";
	case IKEV2_INTEG_HMAC_SHA2_384_192:
		return "HMAC_SHA2_384_192 [RFC4868]";
	case IKEV2_INTEG_HMAC_SHA2_512_256:
		return "HMAC_SHA2_512_256 [RFC4868]";
	default:
		return NULL;
	}
}

/* esp_sa's "Encryption" from the kernel's algorithm (packet-ipsec.c). */
static const char *
ws_esp_encr(const struct xfrm_sa_keys *k)
{
	if (strcmp(k->enc_name, "rfc4106(gcm(aes))") == 0) {
		switch (k->icv_bits) {
		case 64:
			return "AES-GCM with 8 octet ICV [RFC4106]";
		case 96:
			return "AES-GCM with 12 octet ICV [RFC4106]";
		case 128:
			return "AES-GCM with 16 octet ICV [RFC4106]";
		default:
			return NULL;
		}
	}
	if (strcmp(k->enc_name, "cbc(aes)") == 0)
		return "AES-CBC [RFC3602]";
	if (strcmp(k->enc_name, "cbc(des3_ede)") == 0)
		return "TripleDES-CBC [RFC2451]";
	return NULL; /* ChaCha20-Poly1305 among them */
}

/* esp_sa's "Authentication". */
static const char *
ws_esp_auth(const struct xfrm_sa_keys *k)
{
	static const struct {
		const char *kernel;
		unsigned bits;
		const char *ws;
	} t[] = {
	    {"hmac(md5)", 96, "HMAC-MD5-96 [RFC2403]"},
	    {"hmac(sha1)", 96, "HMAC-SHA-1-96 [RFC2404]"},
	    {"hmac(sha256)", 96,
	     "HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]"},
	    {"hmac(sha256)", 128, "HMAC-SHA-256-128 [RFC4868]"},
	    {"hmac(sha384)", 192, "HMAC-SHA-384-192 [RFC4868]"},
	    {"hmac(sha512)", 256, "HMAC-SHA-512-256 [RFC4868]"},
	};
	size_t i;

	if (k->aead)
		return "NULL";
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(k->auth_name, t[i].kernel) == 0 &&
		    k->icv_bits == t[i].bits)
			return t[i].ws;
	return NULL;
}

/* --- rows ------------------------------------------------------------------
 */

/* Append len bytes as hex at *off of buf (room checked by the caller's
 * ROW_MAX: every key is at most 128 bytes). */
static void
hex(char *buf, size_t *off, const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len && *off + 3 < ROW_MAX; i++) {
		buf[(*off)++] = digits[p[i] >> 4];
		buf[(*off)++] = digits[p[i] & 15];
	}
	buf[*off] = '\0';
}

static void
put(char *buf, size_t *off, const char *s)
{
	int n = snprintf(buf + *off, ROW_MAX - *off, "%s", s);

	if (n > 0)
		*off =
		    *off + (size_t)n < ROW_MAX ? *off + (size_t)n : ROW_MAX - 1;
}

/* The row goes to the caller's function; the stack copy is wiped. */
static void
add_row(struct keys_out *x, bool esp, char *row)
{
	x->row(x->ctx, esp, row);
	OPENSSL_cleanse(row, ROW_MAX);
}

static void
ike_row(void *ctx, const struct ike_key_export *k)
{
	struct keys_out *x = ctx;
	const char *encr, *integ;
	char row[ROW_MAX], name[64];
	size_t off = 0;

	encr = ws_ike_encr(k, name, sizeof(name));
	integ = ws_ike_integ(k->integ);
	if (!encr || !integ) {
		x->ike_skipped++;
		return;
	}
	hex(row, &off, k->spi_i, 8);
	put(row, &off, ",");
	hex(row, &off, k->spi_r, 8);
	put(row, &off, ",");
	hex(row, &off, k->sk_ei.ptr, k->sk_ei.len);
	put(row, &off, ",");
	hex(row, &off, k->sk_er.ptr, k->sk_er.len);
	put(row, &off, ",\"");
	put(row, &off, encr);
	put(row, &off, "\",");
	hex(row, &off, k->sk_ai.ptr, k->sk_ai.len);
	put(row, &off, ",");
	hex(row, &off, k->sk_ar.ptr, k->sk_ar.len);
	put(row, &off, ",\"");
	put(row, &off, integ);
	put(row, &off, "\"");
	add_row(x, false, row);
}

static void
esp_row(struct keys_out *x, const struct ike_endpoint *src,
	const struct ike_endpoint *dst, uint32_t spi)
{
	char row[ROW_MAX], s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], n[16];
	const char *encr, *auth;
	struct xfrm_sa_keys keys;
	struct xfrm_sa q;
	size_t off = 0;

	memset(&q, 0, sizeof(q));
	q.proto = IPPROTO_ESP;
	kernel_xaddr(src, &q.src);
	kernel_xaddr(dst, &q.dst);
	q.spi = spi;
	if (daemon_g.kops->sa_get_keys(daemon_g.kh, &q, &keys) < 0) {
		x->esp_missing++;
		return;
	}
	encr = ws_esp_encr(&keys);
	auth = ws_esp_auth(&keys);
	if (!encr || !auth ||
	    !inet_ntop(q.src.family, &q.src.v4, s, sizeof(s)) ||
	    !inet_ntop(q.dst.family, &q.dst.v4, d, sizeof(d))) {
		x->esp_skipped++;
		xfrm_sa_keys_clear(&keys);
		return;
	}
	snprintf(n, sizeof(n), "0x%08x", spi);
	put(row, &off,
	    q.src.family == AF_INET6 ? "\"IPv6\",\"" : "\"IPv4\",\"");
	put(row, &off, s);
	put(row, &off, "\",\"");
	put(row, &off, d);
	put(row, &off, "\",\"");
	put(row, &off, n);
	put(row, &off, "\",\"");
	put(row, &off, encr);
	put(row, &off, "\",\"0x");
	hex(row, &off, keys.enc_key, keys.enc_len);
	put(row, &off, "\",\"");
	put(row, &off, auth);
	put(row, &off, "\",\"");
	if (keys.auth_len) {
		put(row, &off, "0x");
		hex(row, &off, keys.auth_key, keys.auth_len);
	}
	put(row, &off, "\"");
	xfrm_sa_keys_clear(&keys);
	add_row(x, true, row);
}

void
keys_out_init(struct keys_out *x, keys_row_fn *row, void *ctx)
{
	memset(x, 0, sizeof(*x));
	x->row = row;
	x->ctx = ctx;
	x->esp_keys = strcmp(daemon_g.kops->name, "none") != 0;
}

void
keys_ike_rows(struct keys_out *x, const struct ike_sa_info *sa)
{
	if (sa->version == 2)
		ike_export_ike_keys(daemon_g.engine, sa->id, ike_row, x);
}

void
keys_esp_rows(struct keys_out *x, const struct ike_sa_info *sa,
	      const struct ike_child_info *ch)
{
	if (!x->esp_keys || !ch->installed)
		return;
	/* As kernel.c installed them: inbound under our SPI. */
	esp_row(x, &sa->remote, &sa->local, ch->spi_in);
	if (ch->spi_out)
		esp_row(x, &sa->local, &sa->remote, ch->spi_out);
}

static void
sa_rows(void *ctx, const struct ike_sa_info *sa)
{
	struct keys_out *x = ctx;
	unsigned i;

	keys_ike_rows(x, sa);
	for (i = 0; i < sa->n_children; i++)
		keys_esp_rows(x, sa, &sa->children[i]);
}

/* export-keys: the rows go into the reply's two arrays. */
struct reply_rows {
	json_t *ike, *esp;
};

static void
reply_row(void *ctx, bool esp, const char *row)
{
	struct reply_rows *r = ctx;

	json_array_append_new(esp ? r->esp : r->ike, json_string(row));
}

void
ctl_export_keys(struct ctl_client *c, json_t *id)
{
	struct reply_rows r;
	struct keys_out x;
	json_t *res;

	if (ctl_client_uid(c) != 0) {
		ctl_error(c, id, CTL_E_DENIED, NULL,
			  "export-keys: only root may read the SAs' keys");
		return;
	}
	r.ike = json_array();
	r.esp = json_array();
	if (!r.ike || !r.esp) {
		json_decref(r.ike);
		json_decref(r.esp);
		ctl_error(c, id, CTL_E_INTERNAL, NULL, "out of memory");
		return;
	}
	keys_out_init(&x, reply_row, &r);
	ike_list_sas(daemon_g.engine, NULL, sa_rows, &x);
	log_msg(IKE_LOG_INFO,
		"control: export-keys: %zu IKE and %zu ESP SAs' keys exported",
		json_array_size(r.ike), json_array_size(r.esp));
	res = json_pack("{s:o,s:o,s:b,s:i,s:i,s:i}", "ikev2_decryption_table",
			r.ike, "esp_sa", r.esp, "esp_keys", x.esp_keys,
			"ike_skipped", x.ike_skipped, "esp_skipped",
			x.esp_skipped, "esp_missing", x.esp_missing);
	ctl_reply(c, id, res);
}
