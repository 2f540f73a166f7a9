/* SPDX-License-Identifier: ISC */
#include "nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define FAMILY        NFPROTO_IPV4
#define L2TP_UDP_PORT 1701

/* nftables' data types, for `nft list` to print the elements readably. */
#define TYPE_INTEGER      4
#define TYPE_IPADDR       7
#define TYPE_INET_SERVICE 13
#define TYPE_MARK         19
#define TYPE_BITS         6

/* The sets, by the ID that lets rules in the same transaction name them. */
enum { SET_ADDRS = 1, SET_MARK, SET_ZONE, SET_PORT, SET_OUT };

/* How nft should print keys and values: reqids and marks are in host
 * order, addresses and ports in network order. */
enum { BIG = 2, HOST = 1 };

static const struct {
	const char *name;
	uint32_t key_type, key_len, data_type, data_len;
	uint32_t key_order, data_order;
} sets[] = {
    /* Addresses that have an L2TP client: plain L2TP from them is
     * dropped, and ours to them must carry a client's mark. */
    [SET_ADDRS] = {"client-addrs", TYPE_IPADDR, 4, 0, 0, BIG, 0},
    /* reqid -> policy mark, conntrack zone, the port xl2tpd sees. */
    [SET_MARK] = {"reqid-mark", TYPE_INTEGER, 4, TYPE_MARK, 4, HOST, HOST},
    [SET_ZONE] = {"reqid-zone", TYPE_INTEGER, 4, TYPE_INTEGER, 2, HOST, HOST},
    [SET_PORT] = {"reqid-port", TYPE_INTEGER, 4, TYPE_INET_SERVICE, 2, HOST,
		  BIG},
    /* client address . the port xl2tpd sees -> policy mark */
    [SET_OUT] = {"addr-port-mark", TYPE_IPADDR << TYPE_BITS | TYPE_INET_SERVICE,
		 8, TYPE_MARK, 4, BIG, HOST},
};

struct l2tp_nft {
	struct mnl_socket *nl;
	uint32_t seq;
	char buf[1 << 15];
};

/* --- transactions ------------------------------------------------------- */

struct txn {
	struct l2tp_nft *n;
	struct mnl_nlmsg_batch *b;
	unsigned acks; /* messages that ask for one */
	bool failed;   /* out of room or memory */
};

static void
txn_begin(struct txn *t, struct l2tp_nft *n)
{
	memset(t, 0, sizeof(*t));
	t->n = n;
	t->b = mnl_nlmsg_batch_start(n->buf, sizeof(n->buf));
	nftnl_batch_begin(mnl_nlmsg_batch_current(t->b), n->seq++);
	mnl_nlmsg_batch_next(t->b);
}

static struct nlmsghdr *
txn_msg(struct txn *t, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	t->acks++;
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(t->b), type, FAMILY,
				    flags | NLM_F_ACK, t->n->seq++);
	return nlh;
}

static void
txn_next(struct txn *t)
{
	if (!mnl_nlmsg_batch_next(t->b))
		t->failed = true;
}

/* Sends the transaction and reads an answer for each message: 0, or -1
 * with the first error the kernel gave. */
static int
txn_commit(struct txn *t, char *why, size_t why_len)
{
	struct l2tp_nft *n = t->n;
	unsigned got = 0;
	int err = 0;
	ssize_t len;

	nftnl_batch_end(mnl_nlmsg_batch_current(t->b), n->seq++);
	mnl_nlmsg_batch_next(t->b);
	if (t->failed) {
		mnl_nlmsg_batch_stop(t->b);
		snprintf(why, why_len, "nftables: transaction too large");
		return -1;
	}
	len = mnl_socket_sendto(n->nl, mnl_nlmsg_batch_head(t->b),
				mnl_nlmsg_batch_size(t->b));
	mnl_nlmsg_batch_stop(t->b);
	if (len < 0) {
		snprintf(why, why_len, "nftables: send: %s", strerror(errno));
		return -1;
	}
	while (got < t->acks) {
		const struct nlmsghdr *nlh;
		int left;

		len = mnl_socket_recvfrom(n->nl, n->buf, sizeof(n->buf));
		if (len < 0) {
			snprintf(why, why_len, "nftables: no answer: %s",
				 strerror(errno));
			return -1;
		}
		left = (int)len;
		for (nlh = (const struct nlmsghdr *)n->buf;
		     mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *e;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error != 0 && err == 0)
				err = e->error;
			got++;
		}
	}
	if (err != 0) {
		snprintf(why, why_len, "nftables: %s", strerror(-err));
		errno = -err;
		return -1;
	}
	return 0;
}

/* --- expressions -------------------------------------------------------- */

static void
add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (e != NULL)
		nftnl_rule_add_expr(r, e);
}

static struct nftnl_expr *
expr(const char *name)
{
	return nftnl_expr_alloc(name);
}

static void
meta_load(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = expr("meta");

	if (e == NULL)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	add(r, e);
}

static void
meta_store(struct nftnl_rule *r, uint32_t key, uint32_t sreg)
{
	struct nftnl_expr *e = expr("meta");

	if (e == NULL)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, sreg);
	add(r, e);
}

static void
payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len,
	uint32_t dreg)
{
	struct nftnl_expr *e = expr("payload");

	if (e == NULL)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	add(r, e);
}

static void
cmp(struct nftnl_rule *r, uint32_t sreg, uint32_t op, const void *data,
    uint32_t len)
{
	struct nftnl_expr *e = expr("cmp");

	if (e == NULL)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add(r, e);
}

static void
lookup(struct nftnl_rule *r, int set, uint32_t sreg, uint32_t dreg)
{
	struct nftnl_expr *e = expr("lookup");

	if (e == NULL)
		return;
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, sets[set].name);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, (uint32_t)set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
	if (dreg)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, dreg);
	add(r, e);
}

/* The reqid of the SA that decrypted the packet (no SA: no match). */
static void
ipsec_in_reqid(struct nftnl_rule *r, uint32_t dreg)
{
	struct nftnl_expr *e = expr("xfrm");

	if (e == NULL)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_XFRM_KEY, NFT_XFRM_KEY_REQID);
	nftnl_expr_set_u8(e, NFTNL_EXPR_XFRM_DIR, 0 /* XFRM_POLICY_IN */);
	nftnl_expr_set_u32(e, NFTNL_EXPR_XFRM_SPNUM, 0);
	nftnl_expr_set_u32(e, NFTNL_EXPR_XFRM_DREG, dreg);
	add(r, e);
}

static void
ct_store(struct nftnl_rule *r, uint32_t key, int dir, uint32_t sreg)
{
	struct nftnl_expr *e = expr("ct");

	if (e == NULL)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	if (dir >= 0)
		nftnl_expr_set_u8(e, NFTNL_EXPR_CT_DIR, (uint8_t)dir);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, sreg);
	add(r, e);
}

static void
masked(struct nftnl_rule *r, uint32_t reg, uint32_t mask)
{
	struct nftnl_expr *e = expr("bitwise");
	uint32_t zero = 0;

	if (e == NULL)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
	add(r, e);
}

static void
drop(struct nftnl_rule *r)
{
	struct nftnl_expr *e = expr("immediate");

	if (e == NULL)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
	add(r, e);
}

/* UDP, and its port at offset off (0: source, 2: destination) is 1701. */
static void
udp_l2tp(struct nftnl_rule *r, uint32_t off)
{
	uint8_t udp = 17;
	uint16_t port = htons(L2TP_UDP_PORT);

	meta_load(r, NFT_META_L4PROTO, NFT_REG32_00);
	cmp(r, NFT_REG32_00, NFT_CMP_EQ, &udp, 1);
	payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, off, 2, NFT_REG32_00);
	cmp(r, NFT_REG32_00, NFT_CMP_EQ, &port, 2);
}

/* The packet's mark is (or is not, op) one of a client's. */
static void
our_mark(struct nftnl_rule *r, uint32_t op)
{
	uint32_t base = L2TP_MARK_BASE;

	meta_load(r, NFT_META_MARK, NFT_REG32_01);
	masked(r, NFT_REG32_01, L2TP_MARK_MASK);
	cmp(r, NFT_REG32_01, op, &base, 4);
}

/* --- the table ------------------------------------------------------------ */

static void
msg_table(struct txn *t, uint16_t type, uint16_t flags)
{
	struct nftnl_table *tb = nftnl_table_alloc();

	if (tb == NULL) {
		t->failed = true;
		return;
	}
	nftnl_table_set_str(tb, NFTNL_TABLE_NAME, L2TP_NFT_TABLE);
	nftnl_table_set_u32(tb, NFTNL_TABLE_FAMILY, FAMILY);
	nftnl_table_nlmsg_build_payload(txn_msg(t, type, flags), tb);
	nftnl_table_free(tb);
	txn_next(t);
}

static struct nftnl_set *
set_of(int id)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (s == NULL)
		return NULL;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, L2TP_NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, sets[id].name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, FAMILY);
	nftnl_set_set_u32(s, NFTNL_SET_ID, (uint32_t)id);
	return s;
}

static void
msg_set(struct txn *t, int id)
{
	struct nftnl_set *s = set_of(id);
	struct nftnl_udata_buf *ud;

	if (s == NULL) {
		t->failed = true;
		return;
	}
	ud = nftnl_udata_buf_alloc(64);
	if (ud != NULL) {
		nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
				    sets[id].key_order);
		if (sets[id].data_len)
			nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATABYTEORDER,
					    sets[id].data_order);
		nftnl_set_set_data(s, NFTNL_SET_USERDATA,
				   nftnl_udata_buf_data(ud),
				   nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, sets[id].key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sets[id].key_len);
	if (sets[id].data_len) {
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, sets[id].data_type);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, sets[id].data_len);
	}
	nftnl_set_nlmsg_build_payload(
	    txn_msg(t, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL), s);
	nftnl_set_free(s);
	txn_next(t);
}

static void
msg_chain(struct txn *t, const char *name, const char *type, uint32_t hook,
	  int32_t prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (c == NULL) {
		t->failed = true;
		return;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, L2TP_NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, FAMILY);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_nlmsg_build_payload(
	    txn_msg(t, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL), c);
	nftnl_chain_free(c);
	txn_next(t);
}

static struct nftnl_rule *
rule_in(const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (r == NULL)
		return NULL;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, L2TP_NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, FAMILY);
	return r;
}

static void
msg_rule(struct txn *t, struct nftnl_rule *r)
{
	if (r == NULL) {
		t->failed = true;
		return;
	}
	nftnl_rule_nlmsg_build_payload(
	    txn_msg(t, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND), r);
	nftnl_rule_free(r);
	txn_next(t);
}

/* Before conntrack: plain L2TP from a client's address is dropped (its
 * policies carry marks, so the kernel's policy check would let it
 * through); decrypted L2TP of a client's SA gets the SA's mark, for the
 * in policy, and its own conntrack zone in the original direction, so
 * that clients with the same address and port get one entry each. */
static void
rules_prerouting(struct txn *t)
{
	struct nftnl_rule *r = rule_in("prerouting");
	uint8_t no = 0;

	if (r != NULL) {
		udp_l2tp(r, 2);
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG32_01);
		lookup(r, SET_ADDRS, NFT_REG32_01, 0);
		meta_load(r, NFT_META_SECPATH, NFT_REG32_02);
		cmp(r, NFT_REG32_02, NFT_CMP_EQ, &no, 1);
		drop(r);
	}
	msg_rule(t, r);

	r = rule_in("prerouting");
	if (r != NULL) {
		udp_l2tp(r, 2);
		ipsec_in_reqid(r, NFT_REG32_01);
		lookup(r, SET_MARK, NFT_REG32_01, NFT_REG32_02);
		meta_store(r, NFT_META_MARK, NFT_REG32_02);
		lookup(r, SET_ZONE, NFT_REG32_01, NFT_REG32_03);
		ct_store(r, NFT_CT_ZONE, 0 /* IP_CT_DIR_ORIGINAL */,
			 NFT_REG32_03);
	}
	msg_rule(t, r);
}

/* After conntrack: the entry keeps the client's mark, which says whose
 * it is when it is flushed. */
static void
rules_mangle(struct txn *t)
{
	struct nftnl_rule *r = rule_in("mark-conntrack");

	if (r != NULL) {
		our_mark(r, NFT_CMP_EQ);
		meta_load(r, NFT_META_MARK, NFT_REG32_01);
		ct_store(r, NFT_CT_MARK, -1, NFT_REG32_01);
	}
	msg_rule(t, r);
}

/* On the way in: the source port becomes the client's own, so that
 * xl2tpd sees each client as a peer of its own. Conntrack turns the
 * replies' destination back into the client's address and port. */
static void
rules_input_nat(struct txn *t)
{
	struct nftnl_rule *r = rule_in("input-nat");
	struct nftnl_expr *e;

	if (r != NULL) {
		udp_l2tp(r, 2);
		ipsec_in_reqid(r, NFT_REG32_01);
		lookup(r, SET_PORT, NFT_REG32_01, NFT_REG32_02);
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG32_03);
		e = expr("nat");
		if (e != NULL) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE,
					   NFT_NAT_SNAT);
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, FAMILY);
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN,
					   NFT_REG32_03);
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN,
					   NFT_REG32_02);
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX,
					   NFT_REG32_02);
			add(r, e);
		}
	}
	msg_rule(t, r);
}

/* xl2tpd's answers to a client's port get the client's mark, so that
 * the kernel picks that client's out policy and SA (a route chain: the
 * new mark routes the packet again). Any other L2TP of ours to a
 * client's address is dropped rather than sent in the clear. */
static void
rules_output(struct txn *t)
{
	struct nftnl_rule *r = rule_in("output");

	if (r != NULL) {
		udp_l2tp(r, 0);
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG32_01);
		payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_02);
		lookup(r, SET_OUT, NFT_REG32_01, NFT_REG32_03);
		meta_store(r, NFT_META_MARK, NFT_REG32_03);
	}
	msg_rule(t, r);

	r = rule_in("output");
	if (r != NULL) {
		udp_l2tp(r, 0);
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG32_02);
		lookup(r, SET_ADDRS, NFT_REG32_02, 0);
		our_mark(r, NFT_CMP_NEQ);
		drop(r);
	}
	msg_rule(t, r);
}

int
l2tp_nft_create(struct l2tp_nft *n, char *why, size_t why_len)
{
	struct txn t;
	int id;

	if (l2tp_nft_delete(n, why, why_len) < 0)
		return -1;
	txn_begin(&t, n);
	msg_table(&t, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL);
	for (id = SET_ADDRS; id <= SET_OUT; id++)
		msg_set(&t, id);
	msg_chain(&t, "prerouting", "filter", NF_INET_PRE_ROUTING,
		  NF_IP_PRI_RAW);
	msg_chain(&t, "mark-conntrack", "filter", NF_INET_PRE_ROUTING,
		  NF_IP_PRI_MANGLE);
	msg_chain(&t, "input-nat", "nat", NF_INET_LOCAL_IN, NF_IP_PRI_NAT_SRC);
	msg_chain(&t, "output", "route", NF_INET_LOCAL_OUT, NF_IP_PRI_MANGLE);
	rules_prerouting(&t);
	rules_mangle(&t);
	rules_input_nat(&t);
	rules_output(&t);
	return txn_commit(&t, why, why_len);
}

/* A GETTABLE by name, without an ACK asked for: the kernel answers with
 * the table or with an error (ENOENT), one message either way. */
int
l2tp_nft_exists(struct l2tp_nft *n, char *why, size_t why_len)
{
	struct nftnl_table *tb = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	ssize_t len;
	int rc;

	if (tb == NULL) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	nftnl_table_set_str(tb, NFTNL_TABLE_NAME, L2TP_NFT_TABLE);
	nlh = nftnl_nlmsg_build_hdr(n->buf, NFT_MSG_GETTABLE, FAMILY, 0,
				    n->seq++);
	nftnl_table_nlmsg_build_payload(nlh, tb);
	nftnl_table_free(tb);
	if (mnl_socket_sendto(n->nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(why, why_len, "nftables: send: %s", strerror(errno));
		return -1;
	}
	len = mnl_socket_recvfrom(n->nl, n->buf, sizeof(n->buf));
	if (len < 0) {
		snprintf(why, why_len, "nftables: no answer: %s",
			 strerror(errno));
		return -1;
	}
	rc = mnl_cb_run(n->buf, (size_t)len, 0, 0, NULL, NULL);
	if (rc >= 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	snprintf(why, why_len, "nftables: %s", strerror(errno));
	return -1;
}

int
l2tp_nft_delete(struct l2tp_nft *n, char *why, size_t why_len)
{
	struct txn t;

	txn_begin(&t, n);
	msg_table(&t, NFT_MSG_DELTABLE, 0);
	if (txn_commit(&t, why, why_len) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* --- elements ------------------------------------------------------------- */

static void
msg_elem(struct txn *t, int id, bool add_it, const void *key, uint32_t key_len,
	 const void *data, uint32_t data_len)
{
	struct nftnl_set *s = set_of(id);
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();

	if (s == NULL || e == NULL) {
		if (s != NULL)
			nftnl_set_free(s);
		if (e != NULL)
			nftnl_set_elem_free(e);
		t->failed = true;
		return;
	}
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, key_len);
	if (data_len)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, data, data_len);
	nftnl_set_elem_add(s, e);
	nftnl_set_elems_nlmsg_build_payload(
	    txn_msg(t, add_it ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM,
		    add_it ? NLM_F_CREATE : 0),
	    s);
	nftnl_set_free(s);
	txn_next(t);
}

int
l2tp_nft_client(struct l2tp_nft *n, const struct l2tp_client *c, int add_it,
		int with_addr, char *why, size_t why_len)
{
	uint32_t mark = l2tp_mark(c->slot);
	uint16_t zone = c->slot, port = htons(l2tp_port(c->slot));
	uint8_t out_key[8] = {0};
	struct txn t;

	/* A concatenation's parts each fill whole 32-bit registers. */
	memcpy(out_key, &c->addr, 4);
	memcpy(out_key + 4, &port, 2);
	txn_begin(&t, n);
	if (with_addr)
		msg_elem(&t, SET_ADDRS, add_it, &c->addr, 4, NULL, 0);
	msg_elem(&t, SET_MARK, add_it, &c->reqid, 4, &mark, 4);
	msg_elem(&t, SET_ZONE, add_it, &c->reqid, 4, &zone, 2);
	msg_elem(&t, SET_PORT, add_it, &c->reqid, 4, &port, 2);
	msg_elem(&t, SET_OUT, add_it, out_key, 8, &mark, 4);
	return txn_commit(&t, why, why_len);
}

/* --- the socket ------------------------------------------------------------
 */

struct l2tp_nft *
l2tp_nft_open(char *why, size_t why_len)
{
	struct l2tp_nft *n = calloc(1, sizeof(*n));
	struct timeval tv = {.tv_sec = 2};

	if (n == NULL) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	n->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (n->nl == NULL ||
	    mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(why, why_len, "nftables netlink: %s", strerror(errno));
		l2tp_nft_close(n);
		return NULL;
	}
	/* An answer that never comes must not hang the daemon. */
	setsockopt(mnl_socket_get_fd(n->nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	n->seq = (uint32_t)time(NULL);
	return n;
}

void
l2tp_nft_close(struct l2tp_nft *n)
{
	if (n == NULL)
		return;
	if (n->nl != NULL)
		mnl_socket_close(n->nl);
	free(n);
}
