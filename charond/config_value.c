/* SPDX-License-Identifier: ISC */
/*
 * The syntax of configuration values that are more than a word: durations,
 * numbers, booleans, hex secrets, addresses (IP, subnet, %any, DNS name)
 * and traffic selectors with their protocol and port ranges, plus printing
 * them back in the same syntax. Pure functions: no files, no resolving.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define MS_PER_DAY   (24ULL * 3600 * 1000)
#define DURATION_MAX (365 * MS_PER_DAY)

static void errf(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* --- numbers ------------------------------------------------------------- */

int
cfg_parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {
	    {"", 1000},       {"s", 1000},        {"ms", 1},
	    {"m", 60 * 1000}, {"h", 3600 * 1000}, {"d", MS_PER_DAY},
	};
	uint64_t ip = 0, fp = 0, scale = 1, total;
	size_t nd = 0, nf = 0, i;
	const char *p = s;

	for (; isdigit((unsigned char)*p); p++) {
		/* Ten digits of days still fit in 64 bits of milliseconds. */
		if (++nd > 10)
			return -1;
		ip = ip * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			/* Digits past nanoseconds cannot change the result. */
			if (nf < 9) {
				fp = fp * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
			nf++;
		}
		if (nf == 0)
			return -1;
	}
	if (nd == 0 && nf == 0)
		return -1;
	for (i = 0; i < NELEM(units); i++)
		if (strcmp(p, units[i].suffix) == 0)
			break;
	if (i == NELEM(units))
		return -1;
	total = ip * units[i].ms + (fp * units[i].ms + scale / 2) / scale;
	if (total > DURATION_MAX)
		return -1;
	*ms = total;
	return 0;
}

int
cfg_parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	unsigned long n = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (!isdigit((unsigned char)*s) || n > max / 10)
			return -1;
		n *= 10;
		if (d > max - n)
			return -1;
		n += d;
	}
	*v = n;
	return 0;
}

int
cfg_parse_bool(const char *s, bool *v)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	size_t i;

	for (i = 0; i < NELEM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = false;
			return 0;
		}
	}
	return -1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
cfg_parse_hex(const char *s, size_t len, uint8_t **out, size_t *outlen)
{
	size_t i, n;
	uint8_t *b;

	if (len < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	s += 2;
	n = len - 2;
	if (n == 0 || n % 2 != 0)
		return -1;
	b = malloc(n / 2);
	if (b == NULL)
		return -ENOMEM;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(b);
			return -1;
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = b;
	*outlen = n / 2;
	return 0;
}

unsigned
cfg_edit_distance(const char *a, const char *b)
{
	unsigned row[101], i, j, la = (unsigned)strlen(a),
				 lb = (unsigned)strlen(b);

	if (la > 100 || lb > 100)
		return 100;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned up = row[j], best;

			best = diag + (tolower((unsigned char)a[i - 1]) !=
				       tolower((unsigned char)b[j - 1]));
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb] > 100 ? 100 : row[lb];
}

/* --- addresses ----------------------------------------------------------- */

static unsigned
ip_bits(const struct cfg_ip *ip)
{
	return ip->family == AF_INET ? 32 : 128;
}

int
cfg_parse_ip(const char *s, struct cfg_ip *out)
{
	memset(out, 0, sizeof(*out));
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, out->a) != 1)
			return -1;
		out->family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, s, out->a) != 1)
			return -1;
		out->family = AF_INET;
	}
	return 0;
}

bool
cfg_ip_equal(const struct cfg_ip *a, const struct cfg_ip *b)
{
	return a->family == b->family && memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

static int
ip_cmp(const struct cfg_ip *a, const struct cfg_ip *b)
{
	return memcmp(a->a, b->a, ip_bits(a) / 8);
}

/* Clear the bits after prefix (set them when ones); whether any changed. */
static bool
ip_fill(struct cfg_ip *ip, unsigned prefix, bool ones)
{
	unsigned i, n = ip_bits(ip) / 8;
	bool changed = false;

	for (i = 0; i < n; i++) {
		uint8_t mask, old = ip->a[i];

		if (prefix >= 8 * (i + 1))
			continue;
		mask =
		    prefix <= 8 * i ? 0 : (uint8_t)(0xff << (8 - prefix % 8));
		ip->a[i] =
		    ones ? (uint8_t)(old | ~mask) : (uint8_t)(old & mask);
		changed |= ip->a[i] != old;
	}
	return changed;
}

/* "ADDR/LEN" into a network address; 1 when host bits were cleared. */
static int
parse_subnet(const char *s, struct cfg_ip *ip, unsigned *prefix)
{
	const char *slash = strchr(s, '/');
	unsigned long plen;
	char addr[INET6_ADDRSTRLEN];
	size_t n;

	if (slash == NULL) {
		if (cfg_parse_ip(s, ip) != 0)
			return -1;
		*prefix = ip_bits(ip);
		return 0;
	}
	n = (size_t)(slash - s);
	if (n == 0 || n >= sizeof(addr))
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (cfg_parse_ip(addr, ip) != 0 ||
	    cfg_parse_uint(slash + 1, ip_bits(ip), &plen) != 0)
		return -1;
	*prefix = (unsigned)plen;
	return ip_fill(ip, *prefix, false) ? 1 : 0;
}

/*
 * RFC 1123 host names: letters, digits and hyphens, labels of 1..63, at
 * most 253 in all, an optional final dot. A last label of digits only is
 * not a name (RFC 3696 2) -- it is a mistyped IPv4 address.
 */
bool
cfg_dns_name_ok(const char *s)
{
	size_t len = strlen(s), lab = 0, i;
	bool digits = true;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (lab == 0 || s[i - 1] == '-')
				return false;
			if (i == len && digits)
				return false;
			lab = 0;
			digits = true;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-')
			return false;
		if (c == '-' && lab == 0)
			return false;
		if (!isdigit((unsigned char)c))
			digits = false;
		if (++lab > 63)
			return false;
	}
	return true;
}

int
cfg_parse_addr(const char *s, struct cfg_addr *out, char *err, size_t errlen)
{
	unsigned prefix;
	int r;

	memset(out, 0, sizeof(*out));
	if (strcmp(s, "%any") == 0 || strcmp(s, "%any4") == 0 ||
	    strcmp(s, "%any6") == 0) {
		out->kind = CFG_ADDR_ANY;
		out->ip.family = s[4] == '4'   ? AF_INET
				 : s[4] == '6' ? AF_INET6
					       : AF_UNSPEC;
		return 0;
	}
	if (strchr(s, ':') != NULL || strchr(s, '/') != NULL ||
	    !cfg_dns_name_ok(s)) {
		r = parse_subnet(s, &out->ip, &prefix);
		if (r < 0) {
			errf(err, errlen,
			     "'%s' is not an IP address, subnet, %%any or DNS "
			     "name",
			     s);
			return -1;
		}
		out->kind = CFG_ADDR_IP;
		out->prefix = (uint8_t)prefix;
		if (r == 1) {
			char buf[64];

			cfg_addr_format(out, buf, sizeof(buf));
			errf(err, errlen, "host bits set in '%s'; using %s", s,
			     buf);
		}
		return r;
	}
	out->kind = CFG_ADDR_DNS;
	out->dns = strdup(s);
	if (out->dns == NULL) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void
cfg_addr_clear(struct cfg_addr *a)
{
	free(a->dns);
	a->dns = NULL;
}

bool
cfg_addr_equal(const struct cfg_addr *a, const struct cfg_addr *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case CFG_ADDR_IP:
		return a->prefix == b->prefix && cfg_ip_equal(&a->ip, &b->ip);
	case CFG_ADDR_ANY:
		return a->ip.family == b->ip.family;
	case CFG_ADDR_DNS:
		return strcasecmp(a->dns, b->dns) == 0;
	}
	return false;
}

int
cfg_ip_format(const struct cfg_ip *ip, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (inet_ntop(ip->family, ip->a, tmp, sizeof(tmp)) == NULL)
		return snprintf(buf, len, "?");
	return snprintf(buf, len, "%s", tmp);
}

int
cfg_addr_format(const struct cfg_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	switch (a->kind) {
	case CFG_ADDR_ANY:
		return snprintf(buf, len, "%s",
				a->ip.family == AF_INET    ? "%any4"
				: a->ip.family == AF_INET6 ? "%any6"
							   : "%any");
	case CFG_ADDR_DNS:
		return snprintf(buf, len, "%s", a->dns);
	case CFG_ADDR_IP:
		break;
	}
	cfg_ip_format(&a->ip, ip, sizeof(ip));
	if (a->prefix == ip_bits(&a->ip))
		return snprintf(buf, len, "%s", ip);
	return snprintf(buf, len, "%s/%u", ip, a->prefix);
}

/* --- traffic selectors --------------------------------------------------- */

static const struct {
	const char *name;
	uint8_t num;
} protos[] = {
    {"icmp", 1},   {"tcp", 6},       {"udp", 17},       {"gre", 47},
    {"esp", 50},   {"ah", 51},       {"ipv6-icmp", 58}, {"icmpv6", 58},
    {"sctp", 132}, {"udplite", 136},
};

/* Named ports people write in selectors; anything else by number, so the
 * result never depends on /etc/services. */
static const struct {
	const char *name;
	uint16_t num;
} ports[] = {
    {"ssh", 22},     {"domain", 53}, {"http", 80},          {"https", 443},
    {"isakmp", 500}, {"l2tp", 1701}, {"ipsec-nat-t", 4500},
};

/* Protocols whose selectors may name ports (RFC 7296 3.13.1). */
static bool
proto_has_ports(uint8_t p)
{
	return p == 6 || p == 17 || p == 132 || p == 136;
}

static int
parse_proto(const char *s, uint8_t *out)
{
	unsigned long n;
	size_t i;

	if (strcmp(s, "%any") == 0 || strcmp(s, "any") == 0) {
		*out = 0;
		return 0;
	}
	for (i = 0; i < NELEM(protos); i++) {
		if (strcasecmp(s, protos[i].name) == 0) {
			*out = protos[i].num;
			return 0;
		}
	}
	if (cfg_parse_uint(s, 255, &n) != 0)
		return -1;
	*out = (uint8_t)n;
	return 0;
}

static int
parse_port(const char *s, uint16_t *out)
{
	unsigned long n;
	size_t i;

	for (i = 0; i < NELEM(ports); i++) {
		if (strcasecmp(s, ports[i].name) == 0) {
			*out = ports[i].num;
			return 0;
		}
	}
	if (cfg_parse_uint(s, 65535, &n) != 0)
		return -1;
	*out = (uint16_t)n;
	return 0;
}

/* "PROTO" or "PROTO/PORT" (the text between the brackets). */
static int
parse_proto_port(const char *s, struct cfg_ts *ts, char *err, size_t errlen)
{
	char proto[32], lo[32];
	const char *slash = strchr(s, '/'), *dash;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n == 0 || n >= sizeof(proto)) {
		errf(err, errlen, "missing protocol in '[%s]'", s);
		return -1;
	}
	memcpy(proto, s, n);
	proto[n] = '\0';
	if (parse_proto(proto, &ts->proto) != 0) {
		errf(err, errlen,
		     "unknown protocol '%s' (a name like tcp, udp, icmp, or "
		     "0-255)",
		     proto);
		return -1;
	}
	if (slash == NULL || strcmp(slash + 1, "%any") == 0)
		return 0;
	if (!proto_has_ports(ts->proto)) {
		errf(err, errlen,
		     "protocol '%s' has no ports; ports need tcp, udp, sctp "
		     "or udplite",
		     proto);
		return -1;
	}
	s = slash + 1;
	dash = strchr(s, '-');
	n = dash ? (size_t)(dash - s) : strlen(s);
	if (n == 0 || n >= sizeof(lo))
		goto bad;
	memcpy(lo, s, n);
	lo[n] = '\0';
	if (parse_port(lo, &ts->port_from) != 0)
		goto bad;
	ts->port_to = ts->port_from;
	if (dash != NULL && parse_port(dash + 1, &ts->port_to) != 0)
		goto bad;
	if (ts->port_from > ts->port_to) {
		errf(err, errlen, "port range '%s' runs backwards", s);
		return -1;
	}
	return 0;
bad:
	errf(err, errlen,
	     "bad port '%s' (a number, a range like 1024-65535, a name like "
	     "l2tp, or %%any)",
	     s);
	return -1;
}

int
cfg_parse_ts(const char *s, struct cfg_ts *out, char *err, size_t errlen)
{
	char addr[2 * INET6_ADDRSTRLEN + 8], pp[64];
	const char *br = strchr(s, '['), *dash;
	size_t n = br ? (size_t)(br - s) : strlen(s);
	unsigned prefix;
	int r = 0;

	memset(out, 0, sizeof(*out));
	out->port_to = 65535;
	if (n == 0 || n >= sizeof(addr)) {
		errf(err, errlen, "bad traffic selector '%s'", s);
		return -1;
	}
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (br != NULL) {
		size_t m = strlen(br + 1);

		if (m == 0 || br[m] != ']' || m - 1 >= sizeof(pp) ||
		    memchr(br + 1, '[', m - 1) != NULL) {
			errf(err, errlen,
			     "bad traffic selector '%s': expected "
			     "ADDR[PROTO/PORT], e.g. 10.2.0.5/32[udp/1701]",
			     s);
			return -1;
		}
		memcpy(pp, br + 1, m - 1);
		pp[m - 1] = '\0';
		if (parse_proto_port(pp, out, err, errlen) != 0)
			return -1;
	}

	dash = strchr(addr, '-');
	if (strcmp(addr, "dynamic") == 0 || strcmp(addr, "%dynamic") == 0) {
		out->dynamic = true;
	} else if (dash != NULL) {
		*(char *)dash = '\0';
		if (cfg_parse_ip(addr, &out->from) != 0 ||
		    cfg_parse_ip(dash + 1, &out->to) != 0 ||
		    out->from.family != out->to.family) {
			errf(err, errlen,
			     "bad address range '%s' (two addresses of one "
			     "family, e.g. 10.0.0.1-10.0.0.9)",
			     s);
			return -1;
		}
		if (ip_cmp(&out->from, &out->to) > 0) {
			errf(err, errlen, "address range '%s' runs backwards",
			     s);
			return -1;
		}
	} else {
		r = parse_subnet(addr, &out->from, &prefix);
		if (r < 0) {
			errf(err, errlen,
			     "bad traffic selector '%s': expected a subnet, an "
			     "address, a range or dynamic",
			     s);
			return -1;
		}
		out->to = out->from;
		ip_fill(&out->to, prefix, true);
		if (r == 1) {
			char buf[128];

			cfg_ts_format(out, buf, sizeof(buf));
			errf(err, errlen, "host bits set in '%s'; using %s", s,
			     buf);
		}
	}
	return r;
}

/* The prefix length when [from, to] is exactly one subnet, else -1. */
static int
ts_prefix(const struct cfg_ts *ts)
{
	unsigned p, bits = ip_bits(&ts->from);

	for (p = 0; p <= bits; p++) {
		struct cfg_ip lo = ts->from, hi = ts->from;

		ip_fill(&lo, p, false);
		ip_fill(&hi, p, true);
		if (cfg_ip_equal(&lo, &ts->from) && cfg_ip_equal(&hi, &ts->to))
			return (int)p;
	}
	return -1;
}

int
cfg_ts_format(const struct cfg_ts *ts, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], addr[128], pp[48];
	const char *pname = NULL;
	size_t i;
	int p;

	if (ts->dynamic) {
		snprintf(addr, sizeof(addr), "dynamic");
	} else {
		cfg_ip_format(&ts->from, a, sizeof(a));
		p = ts_prefix(ts);
		if (p >= 0) {
			snprintf(addr, sizeof(addr), "%s/%d", a, p);
		} else {
			cfg_ip_format(&ts->to, b, sizeof(b));
			snprintf(addr, sizeof(addr), "%s-%s", a, b);
		}
	}
	pp[0] = '\0';
	if (ts->proto != 0 || ts->port_from != 0 || ts->port_to != 65535) {
		char num[8];

		for (i = 0; i < NELEM(protos); i++)
			if (protos[i].num == ts->proto && pname == NULL)
				pname = protos[i].name;
		if (ts->proto == 0)
			pname = "%any";
		if (pname == NULL) {
			snprintf(num, sizeof(num), "%u", ts->proto);
			pname = num;
		}
		if (ts->port_from == 0 && ts->port_to == 65535)
			snprintf(pp, sizeof(pp), "[%s]", pname);
		else if (ts->port_from == ts->port_to)
			snprintf(pp, sizeof(pp), "[%s/%u]", pname,
				 ts->port_from);
		else
			snprintf(pp, sizeof(pp), "[%s/%u-%u]", pname,
				 ts->port_from, ts->port_to);
	}
	return snprintf(buf, len, "%s%s", addr, pp);
}

bool
cfg_ts_equal(const struct cfg_ts *a, const struct cfg_ts *b)
{
	if (a->dynamic != b->dynamic || a->proto != b->proto ||
	    a->port_from != b->port_from || a->port_to != b->port_to)
		return false;
	return a->dynamic || (cfg_ip_equal(&a->from, &b->from) &&
			      cfg_ip_equal(&a->to, &b->to));
}
