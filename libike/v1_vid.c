/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 vendor IDs in phase 1 (RFC 2408 3.16): what the engine says of
 * itself in Main Mode and Aggressive Mode messages 1 and 2, and what it
 * reads in the peer's.
 *
 * We send the RFC 3706 DPD vendor ID always, as strongSwan and Windows
 * do: it only says we answer R-U-THERE, which we always do (v1_dpd.c).
 * The peer's DPD vendor ID is the one that changes what we do: without
 * it our liveness checks are not sent (RFC 3706 5.1 makes it the
 * condition). A few well-known others are named in one log line, so an
 * admin sees what the peer is and offers; the rest are counted.
 */
#include <stdio.h>
#include <string.h>

#include "ike_int.h"

/* Vendor IDs we look at in one message: more are counted, not read. */
#define V1_VID_MAX 16

struct known_vid {
	const char *name;
	uint8_t len; /* how many leading octets identify it */
	uint8_t id[16];
};

/* RFC 3706 5.1: fixed octets, its version (1.0) in the last two. */
static const uint8_t dpd_vid[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1,
				    0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc,
				    0x77, 0x57, 0x01, 0x00};

/* Most are the MD5 of a string (in the comment). Those that carry a
 * version or flags after it are matched on the prefix alone. */
static const struct known_vid known[] = {
    {"DPD (RFC 3706)",
     16,
     {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc,
      0x77, 0x57, 0x01, 0x00}},
    /* "strongSwan" */
    {"strongSwan",
     16,
     {0x88, 0x2f, 0xe5, 0x6d, 0x6f, 0xd2, 0x0d, 0xbc, 0x22, 0x51, 0x61, 0x3b,
      0x2e, 0xbe, 0x5b, 0xeb}},
    /* "RFC 3947" */
    {"NAT-T (RFC 3947)",
     16,
     {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2,
      0x0e, 0x95, 0x45, 0x2f}},
    /* "draft-ietf-ipsec-nat-t-ike-02" */
    {"NAT-T (draft 02)",
     16,
     {0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8, 0x7c, 0xfd, 0xb2, 0xfc,
      0x68, 0xb6, 0xa4, 0x48}},
    /* "draft-ietf-ipsec-nat-t-ike-02\n" */
    {"NAT-T (draft 02n)",
     16,
     {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5,
      0xec, 0x42, 0x7b, 0x1f}},
    /* "draft-ietf-ipsec-nat-t-ike-03" */
    {"NAT-T (draft 03)",
     16,
     {0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f, 0x2c, 0x17, 0x9d, 0x92,
      0x15, 0x52, 0x9d, 0x56}},
    /* "MS NT5 ISAKMPOAKLEY", then a 4-octet Windows version */
    {"Windows (MS NT5 ISAKMPOAKLEY)",
     16,
     {0x1e, 0x2b, 0x51, 0x69, 0x05, 0x99, 0x1c, 0x7d, 0x7c, 0x96, 0xfc, 0xbf,
      0xb5, 0x87, 0xe4, 0x61}},
    /* "MS-Negotiation Discovery Capable" */
    {"Windows (Negotiation Discovery Capable)",
     16,
     {0xfb, 0x1d, 0xe3, 0xcd, 0xf3, 0x41, 0xb7, 0xea, 0x16, 0xb7, 0xe5, 0xbe,
      0x08, 0x55, 0xf1, 0x20}},
    /* "Vid-Initial-Contact" */
    {"Windows (Vid-Initial-Contact)",
     16,
     {0x26, 0x24, 0x4d, 0x38, 0xed, 0xdb, 0x61, 0xb3, 0x17, 0x2a, 0x36, 0xe3,
      0xd0, 0xcf, 0xb8, 0x19}},
    /* "IKE CGA version 1" */
    {"Windows (IKE CGA version 1)",
     16,
     {0xe3, 0xa5, 0x96, 0x6a, 0x76, 0x37, 0x9f, 0xe7, 0x07, 0x22, 0x82, 0x31,
      0xe5, 0xce, 0x86, 0x52}},
    /* the first 8 octets of "draft-ietf-ipsra-isakmp-xauth-06.txt" */
    {"XAUTH", 8, {0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12}},
    /* "CISCO-UNITY", its last 2 octets the version */
    {"Cisco Unity",
     14,
     {0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9, 0x70, 0x2d, 0x9f, 0xe2,
      0x74, 0xcc}},
    /* "FRAGMENTATION", then flags (Cisco's IKEv1 fragmentation) */
    {"IKE fragmentation",
     16,
     {0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7, 0xde, 0x7f,
      0x00, 0xd6, 0xc2, 0xd3}},
};

const char *
v1_vid_name(struct bytes vid)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (vid.len >= known[i].len &&
		    memcmp(vid.ptr, known[i].id, known[i].len) == 0)
			return known[i].name;
	return NULL;
}

/* The peer's vendor IDs: the DPD flag, and one line naming them. */
static void
take(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m)
{
	const struct pld_ref *r = NULL;
	struct pld_v1_data v;
	struct ike_err err = {0};
	char names[320];
	unsigned seen = 0, other = 0;
	size_t at = 0;
	const char *name;

	names[0] = '\0';
	while ((r = msg_v1_find(m, IKEV1_PL_VID, r)) && seen < V1_VID_MAX) {
		seen++;
		if (pld_v1_vid_get(r, &v, &err) < 0 ||
		    !(name = v1_vid_name(v.data))) {
			other++;
			continue;
		}
		if (v.data.len >= sizeof(dpd_vid) &&
		    memcmp(v.data.ptr, dpd_vid, sizeof(dpd_vid)) == 0)
			sa->v1.peer_dpd = true;
		if (at < sizeof(names))
			at += (size_t)snprintf(names + at, sizeof(names) - at,
					       "%s%s", at ? ", " : "", name);
	}
	if (r) /* past the bound: counted, not read */
		for (; r; r = msg_v1_find(m, IKEV1_PL_VID, r))
			other++;
	if (!seen)
		return;
	if (other)
		ike_log(e, sa, IKE_LOG_INFO,
			"peer sent vendor IDs: %s%s%u unknown", names,
			at ? ", " : "", other);
	else
		ike_log(e, sa, IKE_LOG_INFO, "peer sent vendor IDs: %s", names);
}

void
v1_vid(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m,
       struct msg_builder *b)
{
	struct pld_v1_data v = {{dpd_vid, sizeof(dpd_vid)}};

	if (m)
		take(e, sa, m);
	if (b)
		pld_v1_vid_put(b, &v);
}
