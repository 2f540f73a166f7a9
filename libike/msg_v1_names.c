/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 exchange, payload and notify type names for log lines, spelled as
 * in the RFCs (RFC 2408 3.1 and 3.14.1, RFC 2407 4.6.3, RFC 3706, RFC 3947)
 * so that an admin can grep them there.
 */
#include <stddef.h>

#include "msg_v1.h"

struct name {
	uint16_t type;
	const char *name;
};

static const char *
lookup(const struct name *t, size_t n, uint16_t type)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].type == type)
			return t[i].name;
	return NULL;
}

#define LOOKUP(t, type) lookup((t), sizeof(t) / sizeof((t)[0]), (type))

const char *
msg_v1_exchange_name(uint8_t exchange)
{
	static const struct name names[] = {
	    {IKEV1_EXCH_BASE, "Base"},
	    {IKEV1_EXCH_IDENT_PROT, "Main Mode"},
	    {IKEV1_EXCH_AUTH_ONLY, "Authentication Only"},
	    {IKEV1_EXCH_AGGRESSIVE, "Aggressive Mode"},
	    {IKEV1_EXCH_INFORMATIONAL, "Informational"},
	    {IKEV1_EXCH_TRANSACTION, "Transaction"},
	    {IKEV1_EXCH_QUICK_MODE, "Quick Mode"},
	    {IKEV1_EXCH_NEW_GROUP_MODE, "New Group Mode"},
	};
	const char *s = LOOKUP(names, exchange);

	return s ? s : "unknown exchange";
}

static const struct name pld_names[] = {
    {IKEV1_PL_SA, "SA"},
    {IKEV1_PL_P, "P"},
    {IKEV1_PL_T, "T"},
    {IKEV1_PL_KE, "KE"},
    {IKEV1_PL_ID, "ID"},
    {IKEV1_PL_CERT, "CERT"},
    {IKEV1_PL_CR, "CR"},
    {IKEV1_PL_HASH, "HASH"},
    {IKEV1_PL_SIG, "SIG"},
    {IKEV1_PL_NONCE, "NONCE"},
    {IKEV1_PL_N, "N"},
    {IKEV1_PL_D, "D"},
    {IKEV1_PL_VID, "VID"},
    {IKEV1_PL_ATTR, "ATTR"},
    {IKEV1_PL_NAT_D, "NAT-D"},
    {IKEV1_PL_NAT_OA, "NAT-OA"},
    {IKEV1_PL_NAT_D_DRAFT, "NAT-D (draft)"},
    {IKEV1_PL_NAT_OA_DRAFT, "NAT-OA (draft)"},
    {IKEV1_PL_FRAG, "FRAG"},
};

const char *
msg_v1_pld_name(uint8_t type)
{
	const char *s = LOOKUP(pld_names, type);

	return s ? s : "unknown";
}

bool
msg_v1_pld_known(uint8_t type)
{
	return LOOKUP(pld_names, type) != NULL;
}

const char *
msg_v1_notify_name(uint16_t type)
{
	static const struct name names[] = {
	    {IKEV1_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE"},
	    {IKEV1_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED"},
	    {IKEV1_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED"},
	    {IKEV1_N_INVALID_COOKIE, "INVALID-COOKIE"},
	    {IKEV1_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION"},
	    {IKEV1_N_INVALID_MINOR_VERSION, "INVALID-MINOR-VERSION"},
	    {IKEV1_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE"},
	    {IKEV1_N_INVALID_FLAGS, "INVALID-FLAGS"},
	    {IKEV1_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID"},
	    {IKEV1_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID"},
	    {IKEV1_N_INVALID_SPI, "INVALID-SPI"},
	    {IKEV1_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID"},
	    {IKEV1_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED"},
	    {IKEV1_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN"},
	    {IKEV1_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX"},
	    {IKEV1_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED"},
	    {IKEV1_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION"},
	    {IKEV1_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION"},
	    {IKEV1_N_INVALID_CERT_ENCODING, "INVALID-CERT-ENCODING"},
	    {IKEV1_N_INVALID_CERTIFICATE, "INVALID-CERTIFICATE"},
	    {IKEV1_N_CERT_TYPE_UNSUPPORTED, "CERT-TYPE-UNSUPPORTED"},
	    {IKEV1_N_INVALID_CERT_AUTHORITY, "INVALID-CERT-AUTHORITY"},
	    {IKEV1_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION"},
	    {IKEV1_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED"},
	    {IKEV1_N_INVALID_SIGNATURE, "INVALID-SIGNATURE"},
	    {IKEV1_N_ADDRESS_NOTIFICATION, "ADDRESS-NOTIFICATION"},
	    {IKEV1_N_NOTIFY_SA_LIFETIME, "NOTIFY-SA-LIFETIME"},
	    {IKEV1_N_CERTIFICATE_UNAVAILABLE, "CERTIFICATE-UNAVAILABLE"},
	    {IKEV1_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE"},
	    {IKEV1_N_UNEQUAL_PAYLOAD_LENGTHS, "UNEQUAL-PAYLOAD-LENGTHS"},
	    {IKEV1_N_CONNECTED, "CONNECTED"},
	    {IKEV1_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME"},
	    {IKEV1_N_REPLAY_STATUS, "REPLAY-STATUS"},
	    {IKEV1_N_INITIAL_CONTACT, "INITIAL-CONTACT"},
	    {IKEV1_N_R_U_THERE, "R-U-THERE"},
	    {IKEV1_N_R_U_THERE_ACK, "R-U-THERE-ACK"},
	};
	const char *s = LOOKUP(names, type);

	if (s)
		return s;
	return type <= IKEV1_N_ERROR_MAX ? "an error notify"
					 : "a status notify";
}
