/* SPDX-License-Identifier: ISC */
/*
 * `charonctl stats --prometheus`: the stats result in Prometheus' text
 * exposition format (version 0.0.4), for a node_exporter textfile
 * collector or an inetd-style scrape. Counters end in _total; the SA and
 * traffic figures are gauges, since the kernel's counters belong to SAs
 * that come and go.
 */
#include <stdio.h>
#include <string.h>

#include "charonctl.h"

static void
head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values escape backslash, double quote and newline. */
static void
label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
sample(FILE *f, const char *name, const char *lname, const char *lvalue,
       long long v)
{
	fputs(name, f);
	if (lname && lvalue) {
		fprintf(f, "{%s=\"", lname);
		label(f, lvalue);
		fputs("\"}", f);
	}
	fprintf(f, " %lld\n", v);
}

/* One sample per member of a {reason: count} object. */
static void
by_reason(FILE *f, const char *name, const json_t *counts)
{
	const char *key;
	json_t *v;

	for (void *it_ = json_object_iter((json_t *)counts);
	     it_ &&
	     (key = json_object_iter_key(it_), v = json_object_iter_value(it_));
	     it_ = json_object_iter_next((json_t *)counts, it_))
		sample(f, name, "reason", key,
		       (long long)json_integer_value(v));
}

void
print_prometheus(FILE *f, const json_t *s)
{
	static const char *const states[] = {"CONNECTING", "ESTABLISHED",
					     "DELETING"};
	static const struct {
		const char *key, *event;
	} events[] = {
	    {"ike_up", "ike-up"},
	    {"ike_down", "ike-down"},
	    {"child_up", "child-up"},
	    {"child_down", "child-down"},
	    {"auth_failed", "auth-failed"},
	    {"ike_failed", "ike-failed"},
	    {"child_failed", "child-failed"},
	    {"ike_rekeyed", "ike-rekeyed"},
	    {"child_rekeyed", "child-rekeyed"},
	};
	const json_t *ike = json_object_get(s, "ike_sas");
	const json_t *ch = json_object_get(s, "child_sas");
	const json_t *ev = json_object_get(s, "events");
	const json_t *t = json_object_get(s, "traffic");
	const json_t *c = json_object_get(s, "control");
	const json_t *in = json_object_get(s, "input");
	size_t i;

	head(f, "charond_info", "gauge", "The daemon's version.");
	sample(f, "charond_info", "version", jstr(s, "version"), 1);
	head(f, "charond_start_time_seconds", "gauge",
	     "When the daemon started, in seconds since the epoch.");
	sample(f, "charond_start_time_seconds", NULL, NULL, jint(s, "started"));
	head(f, "charond_ike_sas", "gauge", "IKE SAs by state.");
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		sample(f, "charond_ike_sas", "state", states[i],
		       jint(ike, states[i]));
	head(f, "charond_child_sas", "gauge", "CHILD SAs, and installed ones.");
	sample(f, "charond_child_sas", "state", "total", jint(ch, "total"));
	sample(f, "charond_child_sas", "state", "INSTALLED",
	       jint(ch, "INSTALLED"));
	head(f, "charond_events_total", "counter",
	     "SA events since the daemon started.");
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		sample(f, "charond_events_total", "event", events[i].event,
		       jint(ev, events[i].key));
	head(f, "charond_failures_total", "counter",
	     "Failed negotiations by reason.");
	by_reason(f, "charond_failures_total", json_object_get(s, "failures"));
	head(f, "charond_sa_bytes", "gauge",
	     "Bytes through the installed CHILD SAs (kernel counters).");
	sample(f, "charond_sa_bytes", "direction", "in", jint(t, "bytes_in"));
	sample(f, "charond_sa_bytes", "direction", "out", jint(t, "bytes_out"));
	head(f, "charond_sa_packets", "gauge",
	     "Packets through the installed CHILD SAs (kernel counters).");
	sample(f, "charond_sa_packets", "direction", "in",
	       jint(t, "packets_in"));
	sample(f, "charond_sa_packets", "direction", "out",
	       jint(t, "packets_out"));
	head(f, "charond_input_drops_total", "counter",
	     "Datagrams dropped without an answer, by reason.");
	by_reason(f, "charond_input_drops_total", json_object_get(in, "drops"));
	head(f, "charond_cookies_sent_total", "counter",
	     "IKE_SA_INIT requests answered with a COOKIE (RFC 7296 2.6).");
	sample(f, "charond_cookies_sent_total", NULL, NULL,
	       jint(in, "cookies_sent"));
	head(f, "charond_half_open_ike_sas", "gauge",
	     "IKE SAs answered in IKE_SA_INIT, waiting for IKE_AUTH.");
	sample(f, "charond_half_open_ike_sas", NULL, NULL,
	       jint(in, "half_open"));
	head(f, "charond_socket_drops_total", "counter",
	     "IKE datagrams the kernel dropped for a full receive buffer "
	     "of charond's sockets.");
	sample(f, "charond_socket_drops_total", NULL, NULL,
	       jint(in, "socket_drops"));
	if (jint(in, "udp_rcvbuf_errors") >= 0) {
		head(f, "charond_udp_rcvbuf_errors_total", "counter",
		     "UDP datagrams the system dropped for a full receive "
		     "buffer, any socket (RcvbufErrors).");
		sample(f, "charond_udp_rcvbuf_errors_total", NULL, NULL,
		       jint(in, "udp_rcvbuf_errors"));
	}
	head(f, "charond_log_suppressed_total", "counter",
	     "Log lines about unauthenticated input left out by the rate "
	     "limit.");
	sample(f, "charond_log_suppressed_total", NULL, NULL,
	       jint(in, "log_suppressed"));
	if (json_object_get(s, "crypto")) {
		const json_t *k = json_object_get(s, "crypto");

		head(f, "charond_crypto_workers", "gauge",
		     "Threads computing IKE_SA_INIT key exchanges "
		     "(daemon.crypto_workers).");
		sample(f, "charond_crypto_workers", NULL, NULL,
		       jint(k, "workers"));
		head(f, "charond_crypto_jobs_queued", "gauge",
		     "Key exchanges handed to the workers, not yet back.");
		sample(f, "charond_crypto_jobs_queued", NULL, NULL,
		       jint(k, "queued"));
		head(f, "charond_crypto_jobs_total", "counter",
		     "Key exchanges the workers computed.");
		sample(f, "charond_crypto_jobs_total", NULL, NULL,
		       jint(k, "jobs"));
	}
	head(f, "charond_control_clients", "gauge",
	     "Clients connected to the control socket.");
	sample(f, "charond_control_clients", NULL, NULL, jint(c, "clients"));
	head(f, "charond_control_requests_total", "counter",
	     "Control requests served.");
	sample(f, "charond_control_requests_total", NULL, NULL,
	       jint(c, "requests"));
	head(f, "charond_control_errors_total", "counter",
	     "Control requests answered with an error.");
	sample(f, "charond_control_errors_total", NULL, NULL,
	       jint(c, "errors"));
	head(f, "charond_control_dropped_total", "counter",
	     "Control clients dropped for not reading their output.");
	sample(f, "charond_control_dropped_total", NULL, NULL,
	       jint(c, "clients_dropped"));
	head(f, "charond_control_refused_total", "counter",
	     "Control clients refused (permissions, too many).");
	sample(f, "charond_control_refused_total", NULL, NULL,
	       jint(c, "clients_refused"));
}
