/* SPDX-License-Identifier: ISC */
/*
 * list-certs and list-authorities for humans, laid out as swanctl's
 * --list-certs (a block per certificate: subject, issuer, validity,
 * serial, altNames, flags, pubkey), plus where charond uses each and, for
 * an authority, its CRL. Times are the daemon's UTC ISO 8601 strings,
 * shown as "2026-12-06 09:00:00 UTC", with how they stand now.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "charonctl.h"

/* "2026-12-06T09:00:00Z" as "2026-12-06 09:00:00 UTC"; its time_t in
 * *t (-1 when it is no such string). */
static const char *
when(const char *iso, char *buf, size_t len, time_t *t)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	*t = -1;
	end = strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end) {
		snprintf(buf, len, "%s", *iso ? iso : "-");
		return buf;
	}
	*t = timegm(&tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

static void
print_validity(const json_t *o)
{
	char a[64], b[64];
	time_t nb, na, now = time(NULL);

	when(jstr(o, "not_before"), a, sizeof(a), &nb);
	when(jstr(o, "not_after"), b, sizeof(b), &na);
	printf("  validity:  not before %s%s\n", a,
	       nb != -1 && now < nb ? ", not valid yet" : ", ok");
	printf("             not after  %s%s\n", b,
	       na != -1 && now > na ? ", expired" : ", ok");
}

static void
print_strings(const char *label, const json_t *a)
{
	size_t i;

	if (!json_array_size(a))
		return;
	printf("  %-10s ", label);
	for (i = 0; i < json_array_size(a); i++)
		printf("%s%s", i ? ", " : "",
		       json_is_string(json_array_get(a, i))
			   ? json_string_value(json_array_get(a, i))
			   : "?");
	printf("\n");
}

/* The certificate's fields common to both listings. */
static void
print_cert_fields(const json_t *c)
{
	printf("  subject:   \"%s\"\n", jstr(c, "subject"));
	printf("  issuer:    \"%s\"\n", jstr(c, "issuer"));
	print_validity(c);
	printf("  serial:    %s\n", jstr(c, "serial"));
	print_strings("altNames:", json_object_get(c, "sans"));
	if (json_is_true(json_object_get(c, "ca")))
		printf("  flags:     CA\n");
	printf("  pubkey:    %s\n", jstr(c, "key"));
}

/* One use of a certificate; the first after "used as:". */
static void
print_use(const json_t *u, bool first)
{
	const char *as = jstr(u, "as");
	const json_t *tb = json_object_get(u, "trusted_by");
	size_t i;

	if (strcmp(as, "authority") == 0) {
		printf("%sauthority %s, trusted by ",
		       first ? "" : "             ", jstr(u, "authority"));
		for (i = 0; i < json_array_size(tb); i++)
			printf("%s%s", i ? ", " : "",
			       json_string_value(json_array_get(tb, i)));
		printf("%s\n", json_array_size(tb) ? "" : "no connection");
	} else {
		printf("%s%s of %s\n", first ? "" : "             ",
		       strcmp(as, "local-cert") == 0 ? "local certificate"
						     : "local intermediate",
		       jstr(u, "conn"));
	}
}

void
print_certs(const json_t *r)
{
	const json_t *l = json_object_get(r, "certs"), *c, *u;
	size_t i, j;

	if (!json_array_size(l)) {
		printf("no certificates configured\n");
		return;
	}
	for (i = 0; i < json_array_size(l); i++) {
		c = json_array_get(l, i);
		printf("%s%s", i ? "\n" : "", jstr(c, "path"));
		if (jint(c, "index"))
			printf(" (certificate %lld in it)",
			       jint(c, "index") + 1);
		printf(":\n");
		if (*jstr(c, "error"))
			printf("  error:     %s\n", jstr(c, "error"));
		else
			print_cert_fields(c);
		u = json_object_get(c, "used_by");
		printf("  used as:   ");
		for (j = 0; j < json_array_size(u); j++)
			print_use(json_array_get(u, j), j == 0);
		if (!json_array_size(u))
			printf("-\n");
	}
}

/* One CRL of an authority: its file, dates and revoked serials. */
static void
print_crl(const json_t *crl)
{
	const json_t *rs;
	char t[64];
	time_t x;
	size_t j;

	printf("  crl:       %s\n", jstr(crl, "path"));
	if (*jstr(crl, "error")) {
		printf("  error:     %s\n", jstr(crl, "error"));
		return;
	}
	if (*jstr(crl, "issuer"))
		printf("             issuer %s\n", jstr(crl, "issuer"));
	printf("             this update %s\n",
	       when(jstr(crl, "last_update"), t, sizeof(t), &x));
	when(jstr(crl, "next_update"), t, sizeof(t), &x);
	printf("             next update %s%s\n", t,
	       x != -1 && time(NULL) > x ? ", overdue" : "");
	printf("             revoked: %lld", jint(crl, "revoked"));
	rs = json_object_get(crl, "revoked_serials");
	for (j = 0; j < json_array_size(rs); j++)
		printf("%s%s", j ? ", " : " (serial ",
		       json_string_value(json_array_get(rs, j)));
	printf("%s\n", json_array_size(rs) ? ")" : "");
}

void
print_authorities(const json_t *r)
{
	const json_t *l = json_object_get(r, "authorities"), *a, *crl, *crls;
	size_t i, k;

	if (!json_array_size(l)) {
		printf("no authorities configured\n");
		return;
	}
	for (i = 0; i < json_array_size(l); i++) {
		a = json_array_get(l, i);
		printf("%s%s: %s\n", i ? "\n" : "", jstr(a, "name"),
		       jstr(a, "cacert"));
		if (*jstr(a, "error"))
			printf("  error:     %s\n", jstr(a, "error"));
		else
			print_cert_fields(a);
		/* "crls": every file; a daemon before lists sent "crl". */
		crls = json_object_get(a, "crls");
		if (!json_is_array(crls))
			crls = NULL;
		crl =
		    crls ? json_array_get(crls, 0) : json_object_get(a, "crl");
		if (!json_is_object(crl))
			printf("  crl:       none\n");
		for (k = 0; json_is_object(crl);
		     crl = crls ? json_array_get(crls, ++k) : NULL)
			print_crl(crl);
		if (json_array_size(json_object_get(a, "trusted_by")))
			print_strings("trusted by:",
				      json_object_get(a, "trusted_by"));
		else
			printf("  trusted by: no connection\n");
	}
}
