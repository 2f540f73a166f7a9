/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the IKEv2 engine as a responder: arbitrary
 * datagrams into ike_input, then a timer tick. Whatever arrives, the engine
 * must not crash, leak, or install anything into the (fake) kernel.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../conn_room.h"
#include "ike.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned installs;

static void
fz_send(void *ctx, const struct ike_endpoint *l, const struct ike_endpoint *r,
	const uint8_t *pkt, size_t len)
{
}

static int
fz_spi(void *ctx, const struct ike_endpoint *l, const struct ike_endpoint *r,
       uint32_t reqid, uint32_t *spi)
{
	*spi = 0xc0000000 | reqid;
	return 0;
}

static int
fz_install(void *ctx, const struct ike_child_install *ci)
{
	installs++;
	return 0;
}

static uint8_t fz_key[] = "fuzz";
static struct secret fz_secret = {fz_key, 4};

static int
fz_sign(void *ctx, const struct ike_auth_req *r, uint8_t *method, uint8_t *out,
	size_t *len)
{
	if (r->version == 1 && r->purpose == IKE_AUTH_PURPOSE_V1_METHOD) {
		*method = IKEV1_AUTH_PRE_SHARED_KEY;
		*len = 0;
		return 0;
	}
	/* IKEv1 Main Mode asks for SKEYID, as of the psk plugin. */
	if (r->version == 1 && r->purpose == IKE_AUTH_PURPOSE_V1_SKEYID) {
		*method = IKEV1_AUTH_PRE_SHARED_KEY;
		return ike_psk_v1_skeyid(r->prf, &fz_secret, r->octets, out,
					 len);
	}
	*method = IKEV2_AUTH_SHARED_KEY_MIC;
	return ike_psk_auth(r->prf, &fz_secret, r->octets, out, len);
}

static int
fz_verify(void *ctx, const struct ike_auth_req *r, uint8_t method,
	  struct bytes data, char *why, size_t why_len)
{
	return ike_psk_verify(r->prf, &fz_secret, r->octets, data) ? 0 : -1;
}

static void
endpoint(struct ike_endpoint *ep, const char *ip)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&ep->ss;

	memset(ep, 0, sizeof(*ep));
	a->sin_family = AF_INET;
	a->sin_port = htons(500);
	inet_pton(AF_INET, ip, &a->sin_addr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_conn_cfg c;
	static bool ready;
	struct ike_env env = {.send = fz_send,
			      .spi_alloc = fz_spi,
			      .child_install = fz_install,
			      .auth_sign = fz_sign,
			      .auth_verify = fz_verify};
	struct ike_endpoint local, remote;
	struct ike_engine *e;
	char err[128];

	if (!ready) {
		conn_room(&c);
		snprintf(c.name, sizeof(c.name), "fuzz");
		c.n_proposals = 2;
		prop_parse("aes128gcm16-prfsha256-ecp256-curve25519", 1,
			   &c.proposals[0], err, sizeof(err));
		prop_parse("aes256-sha256-modp2048", 1, &c.proposals[1], err,
			   sizeof(err));
		c.n_children = 1;
		snprintf(c.children[0].name, sizeof(c.children[0].name), "c");
		c.children[0].n_proposals = 1;
		prop_parse("aes128gcm16", 3, &c.children[0].proposals[0], err,
			   sizeof(err));
		ready = true;
	}
	endpoint(&local, "192.0.2.1");
	endpoint(&remote, "192.0.2.2");
	e = ike_engine_new(&env);
	if (!e)
		return 0;
	ike_engine_set_conns(e, &c, 1, 0);
	ike_input(e, 0, &local, &remote, data, size);
	ike_tick(e, 100000);
	ike_engine_free(e);
	/* Nothing unauthenticated may reach the kernel. */
	if (installs)
		abort();
	return 0;
}
