/* SPDX-License-Identifier: ISC */
/*
 * charonctl's output for humans: results laid out the way swanctl lays out
 * its own (a line per SA, indented details, aligned counters), so that an
 * admin coming from strongSwan reads them without a manual. Scripts use
 * --json instead; nothing here is meant to be parsed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "charonctl.h"

const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

long long
jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (long long)json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	return 0;
}

/* A list of strings joined by ", ", or dflt when empty. */
static void
print_list(const json_t *a, const char *dflt)
{
	size_t i;

	if (!json_array_size(a)) {
		fputs(dflt, stdout);
		return;
	}
	for (i = 0; i < json_array_size(a); i++)
		printf("%s%s", i ? ", " : "",
		       json_string_value(json_array_get(a, i))
			   ? json_string_value(json_array_get(a, i))
			   : "?");
}

/* Seconds as swanctl prints durations ("14400s"); reals as given. */
static void
print_secs(const json_t *v)
{
	if (json_is_integer(v))
		printf("%llds", (long long)json_integer_value(v));
	else if (json_is_real(v))
		printf("%gs", json_real_value(v));
	else
		printf("-");
}

/* "  NAME: key value, key value" of a map of scalars (seconds as "30s"
 * is the daemon's to know, not ours: numbers as they are). */
static void
print_map(const char *name, const json_t *m)
{
	const char *key, *sep = "";
	json_t *v;

	printf("  %s: ", name);
	json_object_foreach((json_t *)m, key, v)
	{
		printf("%s%s ", sep, key);
		if (json_is_string(v))
			fputs(json_string_value(v), stdout);
		else if (json_is_integer(v))
			printf("%lld", (long long)json_integer_value(v));
		else if (json_is_real(v))
			printf("%g", json_real_value(v));
		else if (json_is_boolean(v))
			fputs(json_is_true(v) ? "yes" : "no", stdout);
		else
			fputs("...", stdout);
		sep = ", ";
	}
	printf("\n");
}

void
print_version(const json_t *r)
{
	const json_t *pl = json_object_get(r, "plugins");
	size_t i;

	printf("%s %s, plugin ABI %lld\n", jstr(r, "daemon"),
	       jstr(r, "version"), jint(r, "plugin_abi"));
	printf("plugins: ");
	for (i = 0; i < json_array_size(pl); i++)
		printf("%s%s %s", i ? ", " : "",
		       jstr(json_array_get(pl, i), "name"),
		       jstr(json_array_get(pl, i), "version"));
	printf("%s\n", json_array_size(pl) ? "" : "none");
	printf("config:  %s\n", jstr(r, "config"));
}

static void
print_auth(const char *side, const json_t *a)
{
	const char *auth = jstr(a, "auth");

	printf("  %s %s authentication:\n", side,
	       strcmp(auth, "psk") == 0 ? "pre-shared key" : "public key");
	printf("    id: %s\n", *jstr(a, "id") ? jstr(a, "id") : "%any");
	if (json_object_get(a, "certs")) {
		printf("    certs: ");
		print_list(json_object_get(a, "certs"), "none");
		printf("\n");
	}
	if (*jstr(a, "ca"))
		printf("    ca: %s\n", jstr(a, "ca"));
}

static void
upper(const char *s)
{
	for (; *s; s++)
		putchar(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
}

void
print_conns(const json_t *r)
{
	const json_t *conns = json_object_get(r, "conns"), *c, *ch;
	const char *key;
	json_t *k;
	size_t i, j;

	for (i = 0;
	     i < json_array_size(conns) && (c = json_array_get(conns, i));
	     i++) {
		long long v = jint(c, "version");

		printf("%s: %s, ", jstr(c, "name"),
		       v == 1   ? "IKEv1"
		       : v == 2 ? "IKEv2"
				: "IKEv1/2");
		if (jint(c, "rekey_time")) {
			printf("rekeying every ");
			print_secs(json_object_get(c, "rekey_time"));
		} else {
			printf("no rekeying");
		}
		printf(", keyingtries %lld\n", jint(c, "keyingtries"));
		printf("  local:  ");
		print_list(json_object_get(c, "local_addrs"), "%any");
		printf("\n  remote: ");
		print_list(json_object_get(c, "remote_addrs"), "%any");
		printf("\n  proposals: ");
		print_list(json_object_get(c, "proposals"), "default");
		printf("\n");
		/* Maps of plugin keys (dpd: {delay, timeout, action}):
		 * whatever the daemon's plugins declare, as they are. */
		json_object_foreach((json_t *)c, key, k)
		{
			if (json_is_object(k) && strcmp(key, "local") != 0 &&
			    strcmp(key, "remote") != 0)
				print_map(key, k);
		}
		print_auth("local", json_object_get(c, "local"));
		print_auth("remote", json_object_get(c, "remote"));
		for (j = 0;
		     j < json_array_size(json_object_get(c, "children")) &&
		     (ch = json_array_get(json_object_get(c, "children"), j));
		     j++) {
			printf("  %s: ", jstr(ch, "name"));
			upper(jstr(ch, "mode"));
			if (jint(ch, "rekey_time")) {
				printf(", rekeying every ");
				print_secs(json_object_get(ch, "rekey_time"));
			}
			printf(
			    ", start_action %s%s\n", jstr(ch, "start_action"),
			    json_is_true(json_object_get(ch, "l2tp")) ? ", l2tp"
								      : "");
			printf("    local:  ");
			print_list(json_object_get(ch, "local_ts"), "dynamic");
			printf("\n    remote: ");
			print_list(json_object_get(ch, "remote_ts"), "dynamic");
			printf("\n    esp_proposals: ");
			print_list(json_object_get(ch, "esp_proposals"),
				   "default");
			printf("\n");
		}
	}
}

static void
print_side(const char *name, const json_t *s)
{
	const char *id = jstr(s, "id");

	printf("  %-6s '%s' @ %s[%lld]\n", name, *id ? id : "%any",
	       jstr(s, "addr"), jint(s, "port"));
}

void
print_ike_sa(const json_t *sa)
{
	const json_t *l = json_object_get(sa, "local");
	const json_t *rm = json_object_get(sa, "remote");
	bool init = json_is_true(json_object_get(sa, "initiator"));
	const json_t *ch;
	size_t i;

	printf("%s: #%lld, %s, IKEv%lld, %s_i%s %s_r%s\n", jstr(sa, "name"),
	       jint(sa, "id"), jstr(sa, "state"), jint(sa, "version"),
	       jstr(init ? l : rm, "spi"), init ? "*" : "",
	       jstr(init ? rm : l, "spi"), init ? "" : "*");
	print_side("local", l);
	print_side("remote", rm);
	if (*jstr(sa, "proposal"))
		printf("  %s\n", jstr(sa, "proposal"));
	for (i = 0; i < json_array_size(json_object_get(sa, "children")) &&
		    (ch = json_array_get(json_object_get(sa, "children"), i));
	     i++) {
		printf("  %s: #%lld, reqid %lld, %s, ", jstr(ch, "name"),
		       jint(ch, "id"), jint(ch, "reqid"), jstr(ch, "state"));
		upper(jstr(ch, "mode"));
		printf("%s, ESP:%s\n",
		       json_is_true(json_object_get(ch, "encap")) ? "-in-UDP"
								  : "",
		       jstr(ch, "proposal"));
		printf("    in  %s, %6lld bytes, %5lld packets\n",
		       jstr(ch, "spi_in"), jint(ch, "bytes_in"),
		       jint(ch, "packets_in"));
		printf("    out %s, %6lld bytes, %5lld packets\n",
		       jstr(ch, "spi_out"), jint(ch, "bytes_out"),
		       jint(ch, "packets_out"));
		printf("    local  ");
		print_list(json_object_get(ch, "local_ts"), "-");
		printf("\n    remote ");
		print_list(json_object_get(ch, "remote_ts"), "-");
		printf("\n");
	}
}

void
print_sas(const json_t *r)
{
	const json_t *sa;
	size_t i;

	for (i = 0; i < json_array_size(json_object_get(r, "ike_sas")) &&
		    (sa = json_array_get(json_object_get(r, "ike_sas"), i));
	     i++)
		print_ike_sa(sa);
}

static void
print_duration(long long s)
{
	if (s >= 86400)
		printf("%lldd ", s / 86400);
	if (s >= 3600)
		printf("%lldh ", s / 3600 % 24);
	if (s >= 60)
		printf("%lldm ", s / 60 % 60);
	printf("%llds", s % 60);
}

void
print_stats(const json_t *r)
{
	const json_t *ike = json_object_get(r, "ike_sas");
	const json_t *ch = json_object_get(r, "child_sas");
	const json_t *ev = json_object_get(r, "events");
	const json_t *f = json_object_get(r, "failures");
	const json_t *t = json_object_get(r, "traffic");
	const json_t *c = json_object_get(r, "control");
	const json_t *in = json_object_get(r, "input");
	const json_t *d = json_object_get(in, "drops");
	const char *key;
	const json_t *v;
	bool first = true;

	printf("charond %s, up ", jstr(r, "version"));
	print_duration(jint(r, "uptime"));
	printf(", log level %s\n", jstr(r, "log_level"));
	printf("IKE SAs:   %lld total, %lld connecting, %lld established, "
	       "%lld deleting\n",
	       jint(ike, "total"), jint(ike, "CONNECTING"),
	       jint(ike, "ESTABLISHED"), jint(ike, "DELETING"));
	printf("CHILD SAs: %lld total, %lld installed\n", jint(ch, "total"),
	       jint(ch, "INSTALLED"));
	printf("events:    ike-up %lld, ike-down %lld, child-up %lld, "
	       "child-down %lld,\n"
	       "           auth-failed %lld, ike-failed %lld, "
	       "child-failed %lld,\n"
	       "           ike-rekeyed %lld, child-rekeyed %lld\n",
	       jint(ev, "ike_up"), jint(ev, "ike_down"), jint(ev, "child_up"),
	       jint(ev, "child_down"), jint(ev, "auth_failed"),
	       jint(ev, "ike_failed"), jint(ev, "child_failed"),
	       jint(ev, "ike_rekeyed"), jint(ev, "child_rekeyed"));
	printf("failures: ");
	for (void *it_ = json_object_iter((json_t *)f);
	     it_ &&
	     (key = json_object_iter_key(it_), v = json_object_iter_value(it_));
	     it_ = json_object_iter_next((json_t *)f, it_)) {
		printf("%s %s: %lld", first ? "" : ",", key,
		       (long long)json_integer_value(v));
		first = false;
	}
	printf("%s\n", first ? " none" : "");
	printf("traffic:   in %lld bytes, %lld packets; out %lld bytes, "
	       "%lld packets\n",
	       jint(t, "bytes_in"), jint(t, "packets_in"), jint(t, "bytes_out"),
	       jint(t, "packets_out"));
	printf("control:   %lld client(s), %lld requests, %lld errors, "
	       "%lld dropped, %lld refused\n",
	       jint(c, "clients"), jint(c, "requests"), jint(c, "errors"),
	       jint(c, "clients_dropped"), jint(c, "clients_refused"));
	if (strcmp(jstr(json_object_get(r, "kernel"), "mode"), "none") == 0)
		printf("kernel:    none: %lld SAs and %lld policies recorded, "
		       "none in the kernel\n",
		       jint(json_object_get(r, "kernel"), "sas"),
		       jint(json_object_get(r, "kernel"), "policies"));
	if (json_object_get(r, "crypto"))
		printf("crypto:    %lld key exchange worker(s), %lld queued, "
		       "%lld done\n",
		       jint(json_object_get(r, "crypto"), "workers"),
		       jint(json_object_get(r, "crypto"), "queued"),
		       jint(json_object_get(r, "crypto"), "jobs"));
	printf("input:     %lld half-open, %lld cookies sent, %lld log lines "
	       "suppressed\n"
	       "dropped:  ",
	       jint(in, "half_open"), jint(in, "cookies_sent"),
	       jint(in, "log_suppressed"));
	first = true;
	for (void *it_ = json_object_iter((json_t *)d);
	     it_ &&
	     (key = json_object_iter_key(it_), v = json_object_iter_value(it_));
	     it_ = json_object_iter_next((json_t *)d, it_)) {
		if (!json_integer_value(v))
			continue;
		printf("%s %s: %lld", first ? "" : ",", key,
		       (long long)json_integer_value(v));
		first = false;
	}
	printf("%s\n", first ? " none" : "");
	printf("sockets:   %lld datagrams dropped for a full receive buffer",
	       jint(in, "socket_drops"));
	if (jint(in, "udp_rcvbuf_errors") >= 0)
		printf(" (%lld on the whole system)",
		       jint(in, "udp_rcvbuf_errors"));
	printf("\n");
}

static void
print_names(const char *what, const json_t *a)
{
	printf("  %-9s %zu", what, json_array_size(a));
	if (json_array_size(a)) {
		printf(" (");
		print_list(a, "");
		printf(")");
	}
	printf("\n");
}

void
print_load(const json_t *r)
{
	const json_t *w = json_object_get(r, "warnings"), *v;
	size_t i;

	printf("loaded %s\n", jstr(r, "file"));
	print_names("added", json_object_get(r, "added"));
	print_names("changed", json_object_get(r, "changed"));
	print_names("removed", json_object_get(r, "removed"));
	print_names("unchanged", json_object_get(r, "unchanged"));
	for (i = 0; i < json_array_size(w) && (v = json_array_get(w, i)); i++)
		fprintf(stderr, "%s\n", json_string_value(v));
}

void
print_event(const json_t *ev)
{
	const json_t *tv = json_object_get(ev, "time");
	const char *e = jstr(ev, "event");
	time_t t = (time_t)(json_is_number(tv) ? json_number_value(tv) : 0);
	struct tm tm;
	char when[16];

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (strcmp(e, "log") == 0) {
		printf("%s %-5s %s\n", when, jstr(ev, "level"),
		       jstr(ev, "message"));
	} else {
		printf("%s %s %s #%lld", when, e, jstr(ev, "conn"),
		       jint(ev, "ike_id"));
		if (*jstr(ev, "child"))
			printf(" %s #%lld", jstr(ev, "child"),
			       jint(ev, "child_id"));
		if (*jstr(ev, "reason"))
			printf(": %s", jstr(ev, "reason"));
		printf("\n");
	}
	fflush(stdout);
}
