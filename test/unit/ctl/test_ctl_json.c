/* SPDX-License-Identifier: ISC */
/*
 * SAs and connections as the control socket shows them: every list-sas
 * field the interface spec relies on, from a made-up engine view (SPIs in
 * lowercase hex without 0x, ours first for the initiator and second for
 * the responder, counters as integers, selectors as in the config), and
 * list-conns from a configuration loaded from text.
 */
#include <arpa/inet.h>
#include <string.h>

#include <check.h>

#include "config_plugin.h"
#include "ctl.h"
#include "ikev2_const.h"
#include "tests.h"

static void
endpoint(struct ike_endpoint *ep, const char *addr, uint16_t port)
{
	memset(ep, 0, sizeof(*ep));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ep->ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		ck_assert_int_eq(inet_pton(AF_INET6, addr, &a->sin6_addr), 1);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ep->ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		ck_assert_int_eq(inet_pton(AF_INET, addr, &a->sin_addr), 1);
	}
}

static void
ts4(struct ts *t, const char *from, const char *to)
{
	memset(t, 0, sizeof(*t));
	t->type = IKEV2_TS_IPV4_ADDR_RANGE;
	t->eport = 65535;
	inet_pton(AF_INET, from, t->saddr);
	inet_pton(AF_INET, to, t->eaddr);
}

static const uint8_t spi_i[8] = {0x1a, 0x2b, 0x3c, 0x4d,
				 0x5e, 0x6f, 0x70, 0x81};
static const uint8_t spi_r[8] = {0xfe, 0xdc, 0xba, 0x98,
				 0x76, 0x54, 0x32, 0x10};
static struct ts lts, rts;

static void
make_sa(struct ike_sa_info *sa, bool initiator)
{
	struct ike_child_info *c = &sa->children[0];

	memset(sa, 0, sizeof(*sa));
	sa->id = 1;
	sa->conn = "site";
	sa->state = "ESTABLISHED";
	sa->version = 2;
	sa->initiator = initiator;
	endpoint(&sa->local, "192.0.2.1", 4500);
	endpoint(&sa->remote, "192.0.2.2", 4500);
	sa->spi_i = spi_i;
	sa->spi_r = spi_r;
	snprintf(sa->proposal, sizeof(sa->proposal),
		 "aes128gcm16-prfsha256-ecp256");
	sa->local_id.type = IKEV2_ID_FQDN;
	sa->local_id.data =
	    (struct bytes){(const uint8_t *)"moon.example.org", 16};
	sa->remote_id.type = IKEV2_ID_FQDN;
	sa->remote_id.data =
	    (struct bytes){(const uint8_t *)"sun.example.org", 15};
	sa->n_children = 1;
	c->id = 1;
	c->name = "net";
	c->installed = true;
	c->spi_in = 0xc0ffee01;
	c->spi_out = 0x0000ee02;
	c->reqid = 1;
	c->encr = IKEV2_ENCR_AES_GCM_16;
	c->encr_bits = 128;
	c->integ = IKEV2_INTEG_NONE;
	ts4(&lts, "10.1.0.0", "10.1.255.255");
	ts4(&rts, "10.2.0.5", "10.2.0.5");
	rts.proto = 17;
	rts.sport = rts.eport = 1701;
	c->n_local_ts = c->n_remote_ts = 1;
	c->local_ts = &lts;
	c->remote_ts = &rts;
}

static const char *
s_at(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	if (b)
		v = json_object_get(v, b);
	ck_assert_msg(json_is_string(v), "%s.%s is not a string", a,
		      b ? b : "");
	return json_string_value(v);
}

static json_int_t
i_at(json_t *o, const char *a)
{
	json_t *v = json_object_get(o, a);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", a);
	return json_integer_value(v);
}

START_TEST(ike_sa_fields)
{
	struct ctl_child_counters k = {.valid = true,
				       .encap = true,
				       .bytes_in = 252,
				       .packets_in = 3,
				       .bytes_out = 336,
				       .packets_out = 4};
	struct ike_sa_info sa;
	json_t *o, *ch;

	make_sa(&sa, true);
	sa.nat_remote = true; /* as the natt plugin says */
	o = ctl_json_ike_sa(&sa, &k);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(i_at(o, "id"), 1);
	ck_assert_str_eq(s_at(o, "name", NULL), "site");
	ck_assert_int_eq(i_at(o, "version"), 2);
	ck_assert_str_eq(s_at(o, "state", NULL), "ESTABLISHED");
	ck_assert(json_is_true(json_object_get(o, "initiator")));
	ck_assert_str_eq(s_at(o, "local", "addr"), "192.0.2.1");
	ck_assert_int_eq(i_at(json_object_get(o, "local"), "port"), 4500);
	ck_assert_str_eq(s_at(o, "local", "id"), "moon.example.org");
	ck_assert_str_eq(s_at(o, "local", "spi"), "1a2b3c4d5e6f7081");
	ck_assert_str_eq(s_at(o, "remote", "addr"), "192.0.2.2");
	ck_assert_str_eq(s_at(o, "remote", "id"), "sun.example.org");
	ck_assert_str_eq(s_at(o, "remote", "spi"), "fedcba9876543210");
	ck_assert(
	    json_is_false(json_object_get(json_object_get(o, "nat"), "local")));
	ck_assert(
	    json_is_true(json_object_get(json_object_get(o, "nat"), "remote")));
	ck_assert_str_eq(s_at(o, "proposal", NULL),
			 "aes128gcm16-prfsha256-ecp256");
	ck_assert_uint_eq(json_array_size(json_object_get(o, "children")), 1);
	ch = json_array_get(json_object_get(o, "children"), 0);
	ck_assert_int_eq(i_at(ch, "id"), 1);
	ck_assert_str_eq(s_at(ch, "name", NULL), "net");
	ck_assert_str_eq(s_at(ch, "state", NULL), "INSTALLED");
	ck_assert_str_eq(s_at(ch, "mode", NULL), "tunnel");
	ck_assert(json_is_true(json_object_get(ch, "encap")));
	ck_assert_str_eq(s_at(ch, "proposal", NULL), "aes128gcm16");
	ck_assert_str_eq(s_at(ch, "spi_in", NULL), "c0ffee01");
	ck_assert_str_eq(s_at(ch, "spi_out", NULL), "0000ee02");
	ck_assert_str_eq(json_string_value(json_array_get(
			     json_object_get(ch, "local_ts"), 0)),
			 "10.1.0.0/16");
	ck_assert_str_eq(json_string_value(json_array_get(
			     json_object_get(ch, "remote_ts"), 0)),
			 "10.2.0.5/32[udp/1701]");
	ck_assert_int_eq(i_at(ch, "bytes_in"), 252);
	ck_assert_int_eq(i_at(ch, "packets_in"), 3);
	ck_assert_int_eq(i_at(ch, "bytes_out"), 336);
	ck_assert_int_eq(i_at(ch, "packets_out"), 4);
	json_decref(o);
}
END_TEST

START_TEST(ike_sa_responder)
{
	struct ike_sa_info sa;
	json_t *o, *ch;

	make_sa(&sa, false);
	sa.children[0].installed = false;
	sa.children[0].transport = true;
	/* No configured identity: our address stands in, as on the wire. */
	sa.local_id.type = 0;
	sa.remote_id.type = 0;
	sa.proposal[0] = '\0';
	o = ctl_json_ike_sa(&sa, NULL);
	ck_assert(json_is_false(json_object_get(o, "initiator")));
	ck_assert_str_eq(s_at(o, "local", "spi"), "fedcba9876543210");
	ck_assert_str_eq(s_at(o, "remote", "spi"), "1a2b3c4d5e6f7081");
	ck_assert_str_eq(s_at(o, "local", "id"), "192.0.2.1");
	ck_assert(
	    json_is_null(json_object_get(json_object_get(o, "remote"), "id")));
	ck_assert(json_is_string(json_object_get(o, "proposal")));
	ch = json_array_get(json_object_get(o, "children"), 0);
	ck_assert_str_eq(s_at(ch, "state", NULL), "INSTALLING");
	ck_assert_str_eq(s_at(ch, "mode", NULL), "transport");
	ck_assert_int_eq(i_at(ch, "bytes_in"), 0);
	json_decref(o);
	/* Uninstalled, its inbound SPI released: our DELETE is out. */
	sa.children[0].spi_in = 0;
	o = ctl_json_ike_sa(&sa, NULL);
	ch = json_array_get(json_object_get(o, "children"), 0);
	ck_assert_str_eq(s_at(ch, "state", NULL), "DELETING");
	json_decref(o);
}
END_TEST

START_TEST(ike_sa_ipv6_and_ids)
{
	static const uint8_t keyid[3] = {0x01, 0xab, 0xff};
	struct ike_sa_info sa;
	char buf[64];
	json_t *o;

	make_sa(&sa, true);
	endpoint(&sa.local, "2001:db8::1", 500);
	endpoint(&sa.remote, "2001:db8::2", 500);
	sa.local_id.type = 0;
	sa.remote_id.type = IKEV2_ID_KEY_ID;
	sa.remote_id.data = (struct bytes){keyid, 3};
	o = ctl_json_ike_sa(&sa, NULL);
	ck_assert_str_eq(s_at(o, "local", "addr"), "2001:db8::1");
	ck_assert_str_eq(s_at(o, "local", "id"), "2001:db8::1");
	ck_assert_str_eq(s_at(o, "remote", "id"), "#01abff");
	json_decref(o);
	/* A peer's name with a NUL, a newline and bytes that are not UTF-8
	 * stays one line of text, escaped, in the JSON as in the log. */
	sa.remote_id.type = IKEV2_ID_FQDN;
	sa.remote_id.data =
	    (struct bytes){(const uint8_t *)"a\0b\nc\xff\xc3\xa9\\", 9};
	ctl_id_text(&sa.remote_id, buf, sizeof(buf));
	ck_assert_str_eq(buf, "a\\x00b\\x0ac\\xff\xc3\xa9\\");
	o = ctl_json_ike_sa(&sa, NULL);
	ck_assert_str_eq(s_at(o, "remote", "id"),
			 "a\\x00b\\x0ac\\xff\xc3\xa9\\");
	json_decref(o);
	sa.remote_id.type = IKEV2_ID_RFC822_ADDR;
	sa.remote_id.data = (struct bytes){(const uint8_t *)"x@y\r\n\xfe", 6};
	o = ctl_json_ike_sa(&sa, NULL);
	ck_assert_str_eq(s_at(o, "remote", "id"), "x@y\\x0d\\x0a\\xfe");
	json_decref(o);
}
END_TEST

START_TEST(child_proposals)
{
	struct ike_child_info c = {0};
	char buf[64];

	c.encr = IKEV2_ENCR_AES_CBC;
	c.encr_bits = 256;
	c.integ = IKEV2_INTEG_HMAC_SHA2_256_128;
	ctl_child_proposal(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "aes256-sha256");
	c.esn = true;
	ctl_child_proposal(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "aes256-sha256-esn");
	memset(&c, 0, sizeof(c));
	ctl_child_proposal(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
}
END_TEST

static const char conf[] =
    "connections:\n"
    "  site:\n"
    "    local_addrs: [192.0.2.1]\n"
    "    remote_addrs: [192.0.2.2, 198.51.100.0/24]\n"
    "    proposals: [aes128gcm16-prfsha256-ecp256]\n"
    "    dpd: {delay: 30s, timeout: 150s, action: restart}\n"
    "    rekey_time: 1.5s\n"
    "    local: {auth: psk, id: moon.example.org}\n"
    "    remote: {auth: psk, id: sun.example.org}\n"
    "    children:\n"
    "      net:\n"
    "        local_ts: [10.1.0.0/16]\n"
    "        remote_ts: [\"10.2.0.5/32[udp/1701]\"]\n"
    "        esp_proposals: [aes128gcm16]\n"
    "        start_action: start\n"
    "      host:\n"
    "        mode: transport\n"
    "        tag: 7\n"
    "secrets: {psk: [{secret: s}]}\n";

/* A plugin declaring dpd's keys and a child key, as the daemon's loader
 * would register them: list-conns shows their values, knowing none. */
static const char *const dpd_actions[] = {"clear", "restart", "trap", NULL};
static const struct charond_config_key fake_keys[] = {
    {CHAROND_SCOPE_CONN, "dpd.delay", CHAROND_T_DURATION, NULL, 0, 0, ""},
    {CHAROND_SCOPE_CONN, "dpd.timeout", CHAROND_T_DURATION, NULL, 0, 0, ""},
    {CHAROND_SCOPE_CONN, "dpd.action", CHAROND_T_ENUM, dpd_actions, 0, 0, ""},
    {CHAROND_SCOPE_CHILD, "tag", CHAROND_T_INT, NULL, 0, 99, ""},
    {0, NULL, 0, NULL, 0, 0, NULL},
};

static const struct charond_config_key *
fake_find(void *ctx, enum charond_scope scope, const char *plugin,
	  const char *key)
{
	const struct charond_config_key *k;

	for (k = fake_keys; k->key; k++)
		if (k->scope == scope && strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

static bool
fake_is_map(void *ctx, enum charond_scope scope, const char *plugin,
	    const char *prefix)
{
	const struct charond_config_key *k;
	size_t n = strlen(prefix);

	for (k = fake_keys; k->key; k++)
		if (k->scope == scope && strncmp(k->key, prefix, n) == 0 &&
		    k->key[n] == '.')
			return true;
	return false;
}

static bool
fake_loaded(void *ctx, const char *plugin)
{
	return false;
}

static int
fake_auth(void *ctx, const char *name, char *hint, size_t len)
{
	return 0;
}

static const struct config_plugin_registry fake = {
    NULL, fake_find, fake_is_map, fake_loaded, fake_auth,
};

START_TEST(connection)
{
	struct config *cfg = NULL;
	struct diag_list dl;
	json_t *o, *ch;
	size_t hint = 0;

	diag_list_init(&dl);
	config_plugin_set_registry(&fake);
	ck_assert_int_eq(config_load_buffer("t.yaml", conf, strlen(conf),
					    CONFIG_NO_FILES, &cfg, &dl),
			 0);
	config_plugin_set_registry(NULL);
	o = ctl_json_conn(cfg, &cfg->conns[0], &hint);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(s_at(o, "name", NULL), "site");
	ck_assert_int_eq(i_at(o, "version"), 2);
	ck_assert_str_eq(json_string_value(json_array_get(
			     json_object_get(o, "remote_addrs"), 1)),
			 "198.51.100.0/24");
	ck_assert_str_eq(json_string_value(json_array_get(
			     json_object_get(o, "proposals"), 0)),
			 "aes128gcm16-prfsha256-ecp256");
	ck_assert_str_eq(s_at(o, "dpd", "action"), "restart");
	ck_assert_int_eq(i_at(json_object_get(o, "dpd"), "delay"), 30);
	ck_assert_int_eq(i_at(json_object_get(o, "dpd"), "timeout"), 150);
	ck_assert_int_eq(
	    i_at(json_array_get(json_object_get(o, "children"), 1), "tag"), 7);
	ck_assert_ptr_null(json_object_get(
	    json_array_get(json_object_get(o, "children"), 0), "tag"));
	ck_assert(json_real_value(json_object_get(o, "rekey_time")) == 1.5);
	ck_assert_str_eq(s_at(o, "local", "auth"), "psk");
	ck_assert_str_eq(s_at(o, "remote", "id"), "sun.example.org");
	ch = json_array_get(json_object_get(o, "children"), 0);
	ck_assert_str_eq(s_at(ch, "name", NULL), "net");
	ck_assert_str_eq(s_at(ch, "start_action", NULL), "start");
	ck_assert_str_eq(json_string_value(json_array_get(
			     json_object_get(ch, "remote_ts"), 0)),
			 "10.2.0.5/32[udp/1701]");
	ch = json_array_get(json_object_get(o, "children"), 1);
	ck_assert_str_eq(s_at(ch, "mode", NULL), "transport");
	ck_assert_str_eq(json_string_value(json_array_get(
			     json_object_get(ch, "local_ts"), 0)),
			 "dynamic");
	json_decref(o);
	config_free(cfg);
	diag_list_free(&dl);
}
END_TEST

/* list-conns walks the connections in order, handing each one's hint to
 * the next; any hint (a wrong one, one past the end) still finds all of a
 * connection's values, and only its own. */
static const char three[] = "connections:\n"
			    "  a: {dpd: {delay: 1s}, children: {x: {tag: 1}}}\n"
			    "  b: {}\n"
			    "  c: {dpd: {action: trap, timeout: 3s}}\n";

static json_t *
conn_at(const struct config *cfg, size_t i, size_t *hint)
{
	return ctl_json_conn(cfg, &cfg->conns[i], hint);
}

START_TEST(connection_plugin_values_hint)
{
	struct config *cfg = NULL;
	struct diag_list dl;
	json_t *o[3];
	size_t hint = 0, i;

	diag_list_init(&dl);
	config_plugin_set_registry(&fake);
	ck_assert_int_eq(config_load_buffer("t.yaml", three, strlen(three),
					    CONFIG_NO_FILES, &cfg, &dl),
			 0);
	config_plugin_set_registry(NULL);
	for (i = 0; i < 3; i++)
		o[i] = conn_at(cfg, i, &hint);
	ck_assert_int_eq(i_at(json_object_get(o[0], "dpd"), "delay"), 1);
	ck_assert_int_eq(
	    i_at(json_array_get(json_object_get(o[0], "children"), 0), "tag"),
	    1);
	ck_assert_ptr_null(json_object_get(o[1], "dpd"));
	ck_assert_str_eq(s_at(o[2], "dpd", "action"), "trap");
	ck_assert_int_eq(i_at(json_object_get(o[2], "dpd"), "timeout"), 3);
	ck_assert_ptr_null(
	    json_object_get(json_object_get(o[2], "dpd"), "delay"));
	for (i = 0; i < 3; i++)
		json_decref(o[i]);
	/* c alone, from the start; a alone, from past the end. */
	hint = 0;
	o[2] = conn_at(cfg, 2, &hint);
	ck_assert_str_eq(s_at(o[2], "dpd", "action"), "trap");
	hint = 1000;
	o[0] = conn_at(cfg, 0, &hint);
	ck_assert_int_eq(i_at(json_object_get(o[0], "dpd"), "delay"), 1);
	ck_assert_ptr_null(
	    json_object_get(json_object_get(o[0], "dpd"), "action"));
	json_decref(o[0]);
	json_decref(o[2]);
	config_free(cfg);
	diag_list_free(&dl);
}
END_TEST

START_TEST(events)
{
	struct ike_event up = {IKE_EV_CHILD_UP, 3, 2, "site", "net", NULL};
	struct ike_event fail = {IKE_EV_FAILED, 4,    0,
				 "site",        NULL, "peer not responding"};
	json_t *o;

	o = ctl_json_event(&up, 1700000000.25);
	ck_assert_str_eq(s_at(o, "event", NULL), "child-up");
	ck_assert_int_eq(i_at(o, "ike_id"), 3);
	ck_assert_int_eq(i_at(o, "child_id"), 2);
	ck_assert_str_eq(s_at(o, "conn", NULL), "site");
	ck_assert_str_eq(s_at(o, "child", NULL), "net");
	ck_assert(json_real_value(json_object_get(o, "time")) == 1700000000.25);
	ck_assert_ptr_null(json_object_get(o, "reason"));
	json_decref(o);
	o = ctl_json_event(&fail, 0);
	ck_assert_str_eq(s_at(o, "event", NULL), "ike-failed");
	ck_assert_str_eq(s_at(o, "reason", NULL), "peer not responding");
	ck_assert_ptr_null(json_object_get(o, "child"));
	json_decref(o);
	fail.child = "net";
	o = ctl_json_event(&fail, 0);
	ck_assert_str_eq(s_at(o, "event", NULL), "child-failed");
	json_decref(o);
}
END_TEST

START_TEST(monitor_filter)
{
	struct ctl_filter none = {NULL, 0}, site = {"site", 0}, id = {NULL, 7},
			  both = {"site", 7};

	/* No filter: everything, lines about no IKE SA too. */
	ck_assert(ctl_filter_match(&none, NULL, 0, 0));
	ck_assert(ctl_filter_match(&none, "other", 2, 0));
	/* A filter: nothing about no IKE SA ("" is an event's none). */
	ck_assert(!ctl_filter_match(&site, NULL, 0, 0));
	ck_assert(!ctl_filter_match(&site, "", 7, 0));
	ck_assert(!ctl_filter_match(&id, NULL, 0, 0));
	/* By name: any of its IKE SAs, not a name it prefixes. */
	ck_assert(ctl_filter_match(&site, "site", 1, 0));
	ck_assert(ctl_filter_match(&site, "site", 9, 0));
	ck_assert(!ctl_filter_match(&site, "other", 1, 0));
	ck_assert(!ctl_filter_match(&site, "site2", 1, 0));
	ck_assert(!ctl_filter_match(&site, "sit", 1, 0));
	/* By number: that IKE SA, and the rekey that replaces it. */
	ck_assert(ctl_filter_match(&id, "other", 7, 0));
	ck_assert(!ctl_filter_match(&id, "site", 8, 0));
	ck_assert(ctl_filter_match(&id, "site", 8, 7));
	/* Both: both must hold. */
	ck_assert(ctl_filter_match(&both, "site", 7, 0));
	ck_assert(!ctl_filter_match(&both, "other", 7, 0));
	ck_assert(!ctl_filter_match(&both, "site", 6, 0));
}
END_TEST

START_TEST(log_event)
{
	json_t *o;

	o = ctl_json_log(IKE_LOG_INFO, "site", 3, "[site#3] IKE SA established",
			 1700000000.5);
	ck_assert_str_eq(s_at(o, "event", NULL), "log");
	ck_assert_str_eq(s_at(o, "level", NULL), "info");
	ck_assert_str_eq(s_at(o, "conn", NULL), "site");
	ck_assert_int_eq(i_at(o, "ike_id"), 3);
	ck_assert_str_eq(s_at(o, "message", NULL),
			 "[site#3] IKE SA established");
	json_decref(o);
	o = ctl_json_log(IKE_LOG_WARN, NULL, 0, "listening", 0);
	ck_assert_str_eq(s_at(o, "level", NULL), "warn");
	ck_assert_ptr_null(json_object_get(o, "conn"));
	ck_assert_ptr_null(json_object_get(o, "ike_id"));
	json_decref(o);
}
END_TEST

START_TEST(stats_counts)
{
	static struct ctl_stats s;
	struct ike_event ev = {IKE_EV_IKE_UP, 1, 0, "site", NULL, NULL};
	char reason[32];
	unsigned i;

	ctl_stats_count(&s, &ev);
	ev.type = IKE_EV_AUTH_FAILED;
	ev.reason = "bad psk";
	ctl_stats_count(&s, &ev);
	ev.type = IKE_EV_FAILED;
	ctl_stats_count(&s, &ev);
	ck_assert_uint_eq(s.ike_up, 1);
	ck_assert_uint_eq(s.auth_failed, 1);
	ck_assert_uint_eq(s.ike_failed, 1);
	ck_assert_uint_eq(s.n_reasons, 1);
	ck_assert_str_eq(s.reasons[0].reason, "bad psk");
	ck_assert_uint_eq(s.reasons[0].n, 2);
	/* Reasons are bounded: the overflow goes to one "other". */
	for (i = 0; i < 100; i++) {
		snprintf(reason, sizeof(reason), "reason %u", i);
		ev.reason = reason;
		ctl_stats_count(&s, &ev);
	}
	ck_assert_uint_eq(s.n_reasons, 32);
	ck_assert_str_eq(s.reasons[31].reason, "other");
	ck_assert_uint_eq(s.ike_failed, 101);
}
END_TEST

Suite *
ctl_json_suite(void)
{
	Suite *s = suite_create("ctl_json");
	TCase *t = tcase_create("sas");

	tcase_add_test(t, ike_sa_fields);
	tcase_add_test(t, ike_sa_responder);
	tcase_add_test(t, ike_sa_ipv6_and_ids);
	tcase_add_test(t, child_proposals);
	suite_add_tcase(s, t);
	t = tcase_create("conns");
	tcase_add_test(t, connection);
	tcase_add_test(t, connection_plugin_values_hint);
	tcase_add_test(t, events);
	tcase_add_test(t, stats_counts);
	tcase_add_test(t, monitor_filter);
	tcase_add_test(t, log_event);
	suite_add_tcase(s, t);
	return s;
}
