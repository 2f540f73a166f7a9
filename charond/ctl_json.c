/* SPDX-License-Identifier: ISC */
/*
 * What the control socket says about SAs and connections, as JSON: the
 * list-sas shape of the interface spec (SPIs as lowercase hex without 0x,
 * kernel counters as integers, state and mode words), list-conns'
 * rendering of the loaded configuration, monitor's event objects and the
 * event counts behind `stats`. Pure functions of their
 * arguments, so the unit tests can check every field.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "config_plugin.h"
#include "ctl.h"
#include "escape.h"

void
ctl_endpoint_text(const struct ike_endpoint *ep, char *buf, size_t len,
		  unsigned *port)
{
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)&ep->ss;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&ep->ss;

	buf[0] = '\0';
	*port = 0;
	if (ep->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &a4->sin_addr, buf, (socklen_t)len);
		*port = ntohs(a4->sin_port);
	} else if (ep->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &a6->sin6_addr, buf, (socklen_t)len);
		*port = ntohs(a6->sin6_port);
	}
}

/* Through the configuration's own formatter, so that selectors read the
 * same in list-sas as in the file. */
void
ctl_ts_text(const struct ts *t, char *buf, size_t len)
{
	struct cfg_ts c = {0};

	c.from.family = c.to.family =
	    t->type == IKEV2_TS_IPV6_ADDR_RANGE ? AF_INET6 : AF_INET;
	memcpy(c.from.a, t->saddr, sizeof(c.from.a));
	memcpy(c.to.a, t->eaddr, sizeof(c.to.a));
	c.proto = t->proto;
	c.port_from = t->sport;
	c.port_to = t->eport;
	cfg_ts_format(&c, buf, len);
}

static void
hex(const uint8_t *p, size_t n, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
}

void
ctl_id_text(const struct pld_id *id, char *buf, size_t len)
{
	const uint8_t *d = id->data.ptr;
	size_t n = id->data.len;

	buf[0] = '\0';
	if (id->type == IKEV2_ID_DER_ASN1_DN &&
	    ike_dn_text(d, n, buf, len) == 0)
		return;
	switch (id->type) {
	case IKEV2_ID_IPV4_ADDR:
		if (n == 4)
			inet_ntop(AF_INET, d, buf, (socklen_t)len);
		return;
	case IKEV2_ID_IPV6_ADDR:
		if (n == 16)
			inet_ntop(AF_INET6, d, buf, (socklen_t)len);
		return;
	case IKEV2_ID_FQDN:
	case IKEV2_ID_RFC822_ADDR:
		/* Text of the peer's choosing: NULs, newlines and bytes that
		 * are not UTF-8 escaped, as in the log. */
		esc_text(d, n, buf, len);
		return;
	default:
		/* strongSwan's notation for identities it cannot print. */
		if (len > 1) {
			buf[0] = '#';
			hex(d, n, buf + 1, len - 1);
		}
		return;
	}
}

void
ctl_child_proposal(const struct ike_child_info *c, char *buf, size_t len)
{
	struct proposal p;

	memset(&p, 0, sizeof(p));
	p.num = 1;
	p.proto = IKEV2_PROTO_ESP;
	p.xf[p.n_xf++] = (struct transform){
	    .type = IKEV2_TRANS_ENCR, .id = c->encr, .key_bits = c->encr_bits};
	if (c->integ != IKEV2_INTEG_NONE)
		p.xf[p.n_xf++] = (struct transform){.type = IKEV2_TRANS_INTEG,
						    .id = c->integ};
	p.xf[p.n_xf++] =
	    (struct transform){.type = IKEV2_TRANS_ESN,
			       .id = c->esn ? IKEV2_ESN_YES : IKEV2_ESN_NO};
	if (c->encr == 0)
		buf[0] = '\0';
	else
		prop_format(&p, buf, len);
}

json_t *
ctl_json_seconds(uint64_t ms)
{
	if (ms % 1000 == 0)
		return json_integer((json_int_t)(ms / 1000));
	return json_real((double)ms / 1000.0);
}

/* A JSON string, or JSON null for an empty one. */
static json_t *
text_or_null(const char *s)
{
	return s && *s ? ctl_json_text(s, strlen(s)) : json_null();
}

static json_t *
ts_list(const struct ts *t, unsigned n)
{
	json_t *a = json_array();
	char buf[128];
	unsigned i;

	for (i = 0; a && i < n; i++) {
		ctl_ts_text(&t[i], buf, sizeof(buf));
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

/* The engine's view has no state word: a child not (or no longer)
 * installed is being created while it holds an inbound SPI, and being
 * deleted once that SPI went back to the kernel; an IKEv1 pair a rekey
 * replaced stays installed for a grace time. */
static const char *
child_state(const struct ike_child_info *c)
{
	if (c->installed)
		return c->rekeyed ? "REKEYED" : "INSTALLED";
	return c->spi_in ? "INSTALLING" : "DELETING";
}

static json_t *
child_json(const struct ike_child_info *c, const struct ctl_child_counters *k)
{
	char spi_in[9], spi_out[9], prop[160];
	static const struct ctl_child_counters zero;

	if (!k || !k->valid)
		k = &zero;
	snprintf(spi_in, sizeof(spi_in), "%08x", c->spi_in);
	snprintf(spi_out, sizeof(spi_out), "%08x", c->spi_out);
	ctl_child_proposal(c, prop, sizeof(prop));
	return json_pack(
	    "{s:I,s:o,s:s,s:s,s:b,s:o,s:s,s:s,s:I,s:b,s:o,s:o,s:I,s:I,s:I,s:I}",
	    "id", (json_int_t)c->id, "name", text_or_null(c->name), "state",
	    child_state(c), "mode", c->transport ? "transport" : "tunnel",
	    "encap", k->encap, "proposal", text_or_null(prop), "spi_in", spi_in,
	    "spi_out", spi_out, "reqid", (json_int_t)c->reqid, "esn", c->esn,
	    "local_ts", ts_list(c->local_ts, c->n_local_ts), "remote_ts",
	    ts_list(c->remote_ts, c->n_remote_ts), "bytes_in",
	    (json_int_t)k->bytes_in, "bytes_out", (json_int_t)k->bytes_out,
	    "packets_in", (json_int_t)k->packets_in, "packets_out",
	    (json_int_t)k->packets_out);
}

static json_t *
side_json(const struct ike_endpoint *ep, const struct pld_id *id,
	  const uint8_t *spi)
{
	char addr[INET6_ADDRSTRLEN], idt[ESC_MAX(IKE_ID_MAX) + 2], spis[17];
	unsigned port;
	json_t *jid;

	ctl_endpoint_text(ep, addr, sizeof(addr), &port);
	if (id->type) {
		ctl_id_text(id, idt, sizeof(idt));
		jid = ctl_json_text(idt, strlen(idt));
	} else {
		jid = json_null();
	}
	if (spi)
		hex(spi, 8, spis, sizeof(spis));
	else
		snprintf(spis, sizeof(spis), "%016x", 0);
	return json_pack("{s:o,s:I,s:o,s:s}", "addr", text_or_null(addr),
			 "port", (json_int_t)port, "id", jid, "spi", spis);
}

json_t *
ctl_json_ike_sa(const struct ike_sa_info *sa,
		const struct ctl_child_counters *counters)
{
	const uint8_t *ours = sa->initiator ? sa->spi_i : sa->spi_r;
	const uint8_t *theirs = sa->initiator ? sa->spi_r : sa->spi_i;
	struct pld_id local_id = sa->local_id;
	char addr[INET6_ADDRSTRLEN];
	uint8_t raw[16];
	unsigned port, i;
	json_t *o, *ch;

	/* Without a configured identity the engine uses our address. */
	if (!local_id.type) {
		ctl_endpoint_text(&sa->local, addr, sizeof(addr), &port);
		if (inet_pton(AF_INET, addr, raw) == 1) {
			local_id.type = IKEV2_ID_IPV4_ADDR;
			local_id.data = (struct bytes){raw, 4};
		} else if (inet_pton(AF_INET6, addr, raw) == 1) {
			local_id.type = IKEV2_ID_IPV6_ADDR;
			local_id.data = (struct bytes){raw, 16};
		}
	}
	ch = json_array();
	for (i = 0; ch && i < sa->n_children; i++)
		json_array_append_new(
		    ch, child_json(&sa->children[i],
				   counters ? &counters[i] : NULL));
	/* nat: what the natt plugin found (ike_sa_set_nat); a child's encap:
	 * what the kernel holds. */
	o = json_pack("{s:I,s:o,s:i,s:s,s:b,s:o,s:o,s:{s:b,s:b},s:o,s:o}", "id",
		      (json_int_t)sa->id, "name", text_or_null(sa->conn),
		      "version", sa->version, "state",
		      sa->state ? sa->state : "UNKNOWN", "initiator",
		      sa->initiator, "local",
		      side_json(&sa->local, &local_id, ours), "remote",
		      side_json(&sa->remote, &sa->remote_id, theirs), "nat",
		      "local", sa->nat_local, "remote", sa->nat_remote,
		      "proposal", json_string(sa->proposal), "children", ch);
	return o;
}

static json_t *
addr_list(const struct cfg_addr *a, size_t n)
{
	json_t *l = json_array();
	char buf[300];
	size_t i;

	if (l && n == 0)
		json_array_append_new(l, json_string("%any"));
	for (i = 0; l && i < n; i++) {
		cfg_addr_format(&a[i], buf, sizeof(buf));
		json_array_append_new(l, ctl_json_text(buf, strlen(buf)));
	}
	return l;
}

static json_t *
cfg_ts_list(const struct cfg_ts *t, size_t n)
{
	json_t *l = json_array();
	char buf[128];
	size_t i;

	if (l && n == 0)
		json_array_append_new(l, json_string("dynamic"));
	for (i = 0; l && i < n; i++) {
		cfg_ts_format(&t[i], buf, sizeof(buf));
		json_array_append_new(l, json_string(buf));
	}
	return l;
}

static json_t *
prop_list(const struct proposal *p, size_t n)
{
	json_t *l = json_array();
	char buf[256];
	size_t i;

	for (i = 0; l && i < n; i++) {
		prop_format(&p[i], buf, sizeof(buf));
		json_array_append_new(l, json_string(buf));
	}
	return l;
}

static json_t *
str_list(char *const *s, size_t n)
{
	json_t *l = json_array();
	size_t i;

	for (i = 0; l && i < n; i++)
		json_array_append_new(l, text_or_null(s[i]));
	return l;
}

/* Credentials as configured, whatever method uses them. */
static json_t *
auth_json(const struct auth_cfg *a, bool local)
{
	json_t *o =
	    json_pack("{s:s,s:o}", "auth", a->auth, "id", text_or_null(a->id));

	if (o && local && (a->n_certs > 0 || a->key != NULL)) {
		json_object_set_new(o, "certs", str_list(a->certs, a->n_certs));
		json_object_set_new(o, "key", text_or_null(a->key));
	}
	if (o && !local && a->ca != NULL)
		json_object_set_new(o, "ca", text_or_null(a->ca));
	return o;
}

static json_t *
child_cfg_json(const struct child_cfg *c)
{
	static const char *const start[] = {"none", "trap", "start"};
	static const char *const hw[] = {"no", "crypto", "packet", "auto"};

	return json_pack("{s:o,s:s,s:o,s:o,s:o,s:s,s:o,s:s,s:b}", "name",
			 text_or_null(c->name), "mode",
			 c->mode == CFG_MODE_TRANSPORT ? "transport" : "tunnel",
			 "local_ts", cfg_ts_list(c->local_ts, c->n_local_ts),
			 "remote_ts", cfg_ts_list(c->remote_ts, c->n_remote_ts),
			 "esp_proposals",
			 prop_list(c->esp_proposals, c->n_esp_proposals),
			 "start_action", start[c->start_action], "rekey_time",
			 ctl_json_seconds(c->rekey_time_ms), "hw_offload",
			 hw[c->hw_offload], "l2tp", c->l2tp);
}

/* --- plugin-declared values ------------------------------------------------
 */

static json_t *
plugin_value_json(const char *text, const struct charond_value *v)
{
	json_t *l;
	size_t i;

	switch (v->type) {
	case CHAROND_T_BOOL:
		return json_boolean(v->u.b);
	case CHAROND_T_INT:
		return json_integer((json_int_t)v->u.i);
	case CHAROND_T_DURATION:
		return ctl_json_seconds(v->u.ms);
	case CHAROND_T_LIST:
		l = json_array();
		for (i = 0; l && i < v->u.list.n; i++)
			json_array_append_new(l, text_or_null(v->u.list.v[i]));
		return l;
	case CHAROND_T_STRING:
	case CHAROND_T_ENUM: /* its choice's name, as written */
		break;
	}
	return text_or_null(text);
}

struct plugin_vals {
	json_t *conn, *children;
};

/* A dotted key ("dpd.delay") as a member of its map ("dpd": {...}). */
static void
put_dotted(json_t *o, const char *key, json_t *val)
{
	const char *dot;
	char head[128];
	json_t *sub;

	while ((dot = strchr(key, '.')) != NULL &&
	       (size_t)(dot - key) < sizeof(head)) {
		snprintf(head, sizeof(head), "%.*s", (int)(dot - key), key);
		sub = json_object_get(o, head);
		if (!json_is_object(sub)) {
			sub = json_object();
			if (!sub || json_object_set_new(o, head, sub) < 0)
				break;
		}
		o = sub;
		key = dot + 1;
	}
	json_object_set_new(o, key, val);
}

static void
plugin_val(void *ctx, enum charond_scope scope, const char *child,
	   const char *key, const char *text, const struct charond_value *v)
{
	struct plugin_vals *pv = ctx;
	json_t *o = pv->conn;
	size_t i;

	if (scope == CHAROND_SCOPE_CHILD) {
		o = NULL;
		for (i = 0; child && i < json_array_size(pv->children); i++) {
			json_t *ch = json_array_get(pv->children, i);

			if (json_is_string(json_object_get(ch, "name")) &&
			    strcmp(
				json_string_value(json_object_get(ch, "name")),
				child) == 0)
				o = ch;
		}
	}
	if (o)
		put_dotted(o, key, plugin_value_json(text, v));
}

/* The keys plugins declare are shown as written, whichever plugin they
 * are for: the core knows none of them by name. */
json_t *
ctl_json_conn(const struct config *cfg, const struct conn_cfg *c, size_t *hint)
{
	struct plugin_vals pv;
	json_t *o, *ch;
	size_t i;

	ch = json_array();
	for (i = 0; ch && i < c->n_children; i++)
		json_array_append_new(ch, child_cfg_json(&c->children[i]));
	o = json_pack(
	    "{s:o,s:i,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o}", "name",
	    text_or_null(c->name), "version", c->version, "local_addrs",
	    addr_list(c->local_addrs, c->n_local_addrs), "remote_addrs",
	    addr_list(c->remote_addrs, c->n_remote_addrs), "proposals",
	    prop_list(c->proposals, c->n_proposals), "rekey_time",
	    ctl_json_seconds(c->rekey_time_ms), "reauth_time",
	    ctl_json_seconds(c->reauth_time_ms), "keyingtries",
	    (json_int_t)c->keyingtries, "local", auth_json(&c->local, true),
	    "remote", auth_json(&c->remote, false), "children", ch);
	if (o && cfg) {
		pv.conn = o;
		pv.children = ch;
		*hint =
		    config_plugin_each(cfg, c->name, *hint, plugin_val, &pv);
	}
	return o;
}

/* --- events and their counts ---------------------------------------------- */

static const char *
event_name(const struct ike_event *ev)
{
	switch (ev->type) {
	case IKE_EV_IKE_UP:
		return "ike-up";
	case IKE_EV_IKE_DOWN:
		return "ike-down";
	case IKE_EV_CHILD_UP:
		return "child-up";
	case IKE_EV_CHILD_DOWN:
		return "child-down";
	case IKE_EV_AUTH_FAILED:
		return "auth-failed";
	case IKE_EV_FAILED:
		return ev->child ? "child-failed" : "ike-failed";
	case IKE_EV_CHILD_REKEYED:
		return "child-rekeyed";
	case IKE_EV_IKE_REKEYED:
		return "ike-rekeyed";
	}
	return "unknown";
}

static void
count_reason(struct ctl_stats *s, const char *reason)
{
	unsigned i;

	if (!reason)
		reason = "unknown";
	for (i = 0; i < s->n_reasons; i++)
		if (strcmp(s->reasons[i].reason, reason) == 0)
			break;
	if (i == s->n_reasons) {
		/* The last slot collects whatever does not fit. */
		if (i == sizeof(s->reasons) / sizeof(s->reasons[0])) {
			i--;
			reason = "other";
			snprintf(s->reasons[i].reason,
				 sizeof(s->reasons[i].reason), "%s", reason);
		} else {
			snprintf(s->reasons[i].reason,
				 sizeof(s->reasons[i].reason), "%s", reason);
			s->n_reasons++;
		}
	}
	s->reasons[i].n++;
}

void
ctl_stats_count(struct ctl_stats *s, const struct ike_event *ev)
{

	switch (ev->type) {
	case IKE_EV_IKE_UP:
		s->ike_up++;
		break;
	case IKE_EV_IKE_DOWN:
		s->ike_down++;
		break;
	case IKE_EV_CHILD_UP:
		s->child_up++;
		break;
	case IKE_EV_CHILD_DOWN:
		s->child_down++;
		break;
	case IKE_EV_AUTH_FAILED:
		s->auth_failed++;
		count_reason(s, ev->reason);
		break;
	case IKE_EV_FAILED:
		if (ev->child)
			s->child_failed++;
		else
			s->ike_failed++;
		count_reason(s, ev->reason);
		break;
	case IKE_EV_CHILD_REKEYED:
		s->child_rekeyed++;
		break;
	case IKE_EV_IKE_REKEYED:
		s->ike_rekeyed++;
		break;
	}
}

bool
ctl_filter_match(const struct ctl_filter *f, const char *conn, unsigned ike_id,
		 unsigned old_id)
{
	if (!f->conn && !f->ike_id)
		return true;
	if (!conn || !*conn)
		return false;
	if (f->conn && strcmp(f->conn, conn) != 0)
		return false;
	return !f->ike_id || f->ike_id == ike_id ||
	       (old_id && f->ike_id == old_id);
}

json_t *
ctl_json_log(int level, const char *conn, unsigned ike_id, const char *line,
	     double now)
{
	json_t *o;

	o = json_pack("{s:s,s:f,s:s,s:o}", "event", "log", "time", now, "level",
		      ctl_level_name(level), "message",
		      ctl_json_text(line, strlen(line)));
	if (o && conn) {
		json_object_set_new(o, "conn",
				    ctl_json_text(conn, strlen(conn)));
		json_object_set_new(o, "ike_id", json_integer(ike_id));
	}
	return o;
}

json_t *
ctl_json_event(const struct ike_event *ev, double now)
{
	json_t *o;

	o = json_pack("{s:s,s:f,s:I,s:s}", "event", event_name(ev), "time", now,
		      "ike_id", (json_int_t)ev->ike_id, "conn",
		      ev->conn ? ev->conn : "");
	if (o && ev->child) {
		json_object_set_new(o, "child_id", json_integer(ev->child_id));
		json_object_set_new(o, "child", json_string(ev->child));
	}
	if (o && ev->old_id)
		json_object_set_new(o, "old_id", json_integer(ev->old_id));
	if (o && ev->reason)
		json_object_set_new(
		    o, "reason", ctl_json_text(ev->reason, strlen(ev->reason)));
	return o;
}
