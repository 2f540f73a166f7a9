/* SPDX-License-Identifier: ISC */
/*
 * charond's configuration: the plain structs a loaded YAML file becomes, the
 * loader's entry points, and the diagnostics list it reports problems on
 * (every one with FILE:LINE:COL). A config is immutable once loaded; a
 * reload loads a new one and compares connections with config_equal_conn().
 *
 * Files: config.c (loading, includes, cross-checks, free, compare),
 * config_schema.c (walking maps; daemon, authorities, top level),
 * config_conn.c (connections and children), config_secrets.c (PSKs and
 * passphrases of encrypted keys),
 * config_plugin.c (keys plugins declare, see config_plugin.h),
 * config_yaml.c (YAML to a tree with positions), config_value.c
 * (durations, addresses, traffic selectors), config_diag.c (the
 * diagnostics list).
 */
#ifndef CHAROND_CONFIG_H
#define CHAROND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "buf.h"
#include "ike.h"
#include "prop.h"

/* --- diagnostics (config_diag.c) ----------------------------------------- */

enum diag_sev {
	DIAG_ERROR,
	DIAG_WARNING,
};

struct diag {
	char *file;    /* as the loader named it */
	unsigned line; /* 1-based; 0 when the problem has no position */
	unsigned col;  /* 1-based, in characters */
	enum diag_sev sev;
	char *msg;
};

/* Zero-initialise (or diag_list_init()) before use; the caller owns it. */
struct diag_list {
	struct diag *v;
	size_t n, cap;
	size_t n_errors, n_warnings;
	bool truncated; /* DIAG_MAX reached; later problems were dropped */
};

#define DIAG_MAX 1000

void diag_list_init(struct diag_list *dl);
/* Frees the entries (not dl itself) and leaves an empty list. */
void diag_list_free(struct diag_list *dl);
/* Appends a problem; an exact repeat (same place, same text) is dropped. */
void diag_add(struct diag_list *dl, enum diag_sev sev, const char *file,
	      unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* "FILE:LINE:COL: error: message" ("FILE: error: ..." without a position);
 * returns what snprintf() returns. */
int diag_format(const struct diag *d, char *buf, size_t len);
/* Every entry, one per line, in the order found. */
void diag_print(FILE *f, const struct diag_list *dl);

/* --- values ------------------------------------------------------------- */

/* Where a config item was written; file points into config->files. */
struct cfg_pos {
	const char *file;
	unsigned line, col;
};

/* An IP address, network byte order; IPv4 in the first 4 bytes. */
struct cfg_ip {
	sa_family_t family; /* AF_INET or AF_INET6 */
	uint8_t a[16];
};

enum cfg_addr_kind {
	CFG_ADDR_IP,  /* ip/prefix: a host or a subnet */
	CFG_ADDR_ANY, /* %any (family AF_UNSPEC), %any4, %any6 */
	CFG_ADDR_DNS, /* a name resolved when it is used, never here */
};

struct cfg_addr {
	enum cfg_addr_kind kind;
	struct cfg_ip ip; /* IP: host bits zero; ANY: only family is set */
	uint8_t prefix;   /* IP: 32 or 128 for a host */
	char *dns;        /* DNS */
};

/* A traffic selector: an inclusive address range, a protocol and an
 * inclusive port range (RFC 7296 3.13.1). */
struct cfg_ts {
	bool dynamic;       /* the SA's own (local) or the peer's address */
	struct cfg_ip from; /* unset when dynamic */
	struct cfg_ip to;   /* from <= to, same family */
	uint8_t proto;      /* IP protocol number, 0 = any */
	uint16_t port_from; /* 0..65535 = any */
	uint16_t port_to;
};

/*
 * Durations: "30s", "1.5s", "5m", "4h", "1d", "250ms" or bare seconds
 * ("30", "0.5"), at most 365 days, rounded to milliseconds.
 * Returns 0, or -1 if the text is not a duration.
 */
int cfg_parse_duration(const char *s, uint64_t *ms);
/* An address, "2001:db8::/32" style subnet, %any/%any4/%any6 or a DNS name
 * (syntax only). Returns 0; 1 when a subnet had host bits set (they are
 * cleared); -1 with a message in err. out->dns is malloc'ed: cfg_addr_clear. */
int cfg_parse_addr(const char *s, struct cfg_addr *out, char *err,
		   size_t errlen);
void cfg_addr_clear(struct cfg_addr *a);
/* An IP address only, no prefix. Returns 0 or -1. */
int cfg_parse_ip(const char *s, struct cfg_ip *out);
/*
 * A traffic selector: "10.1.0.0/16", "10.2.0.5", "10.0.0.1-10.0.0.9",
 * "dynamic", each optionally followed by "[PROTO]" or "[PROTO/PORT]" with
 * PROTO a name (tcp, udp, icmp, ...), a number or %any, and PORT a number,
 * a name (l2tp, http, ...), "LOW-HIGH" or %any. "10.2.0.5/32[udp/1701]".
 * Returns as cfg_parse_addr().
 */
int cfg_parse_ts(const char *s, struct cfg_ts *out, char *err, size_t errlen);
/* Canonical text (what the parsers accept). Return snprintf()'s value. */
int cfg_ip_format(const struct cfg_ip *ip, char *buf, size_t len);
int cfg_addr_format(const struct cfg_addr *a, char *buf, size_t len);
int cfg_ts_format(const struct cfg_ts *ts, char *buf, size_t len);
bool cfg_ip_equal(const struct cfg_ip *a, const struct cfg_ip *b);

/* --- the configuration --------------------------------------------------- */

enum cfg_log_level {
	CFG_LOG_ERROR,
	CFG_LOG_WARN,
	CFG_LOG_INFO,
	CFG_LOG_DEBUG,
	CFG_LOG_TRACE,
};

enum cfg_log_format {
	CFG_LOG_TEXT,
	CFG_LOG_JSON,
};

enum cfg_mode {
	CFG_MODE_TUNNEL,
	CFG_MODE_TRANSPORT,
};

enum cfg_start_action {
	CFG_START_NONE,
	CFG_START_TRAP,
	CFG_START_START,
};

enum cfg_hw_offload {
	CFG_HW_NO,
	CFG_HW_CRYPTO,
	CFG_HW_PACKET,
	CFG_HW_AUTO,
};

#define CFG_DEFAULT_SOCKET "/run/charond/charond.sock"

/* Where CHILD SAs go: XFRM, or nowhere (a recorder; benchmarks, tests). */
enum cfg_kernel {
	CFG_KERNEL_XFRM,
	CFG_KERNEL_NONE,
};

struct daemon_cfg {
	char *socket;          /* control socket path */
	bool has_socket_group; /* else the socket's directory's group */
	gid_t socket_group;    /* may talk to the socket, besides root */
	uint64_t ctl_idle_ms;  /* idle control clients are closed; 0 never */
	struct cfg_ip *listen; /* default 0.0.0.0 and :: */
	size_t n_listen;
	uint16_t port;          /* 500 */
	uint16_t port_nat_t;    /* 4500 */
	unsigned fragment_size; /* RFC 7383, an IP datagram's; 0: off */
	bool all_plugins;       /* no `plugins` key: every plugin found */
	char **plugins;         /* else these, in this order */
	size_t n_plugins;
	char *plugin_dir;               /* NULL: the installed directory */
	enum cfg_log_level log_level;   /* info */
	enum cfg_log_format log_format; /* text */
	uint64_t retransmit_timeout_ms; /* 4 s */
	double retransmit_base;         /* 1.8 */
	unsigned retransmit_tries;      /* 5 */
	struct ike_limits limits;       /* daemon.limits; ike_limits_default */
	enum cfg_kernel kernel;         /* xfrm */
	char *save_keys_dir; /* daemon.save_keys.dir; NULL: off (the default) */
	unsigned receive_buffer;  /* bytes of each IKE socket's; 4 MiB */
	unsigned start_in_flight; /* start_action start: at most this many
				     connecting at once (8) */
	unsigned crypto_workers;  /* threads for key exchanges; 0: none, on
				     the event loop (default: the CPUs) */
	/* The SPD's hash thresholds, both prefixes (0: as they are). */
	unsigned spd_hash_ipv4, spd_hash_ipv6;
};

#define CFG_CRYPTO_WORKERS_MAX 64
/* One per online CPU, none on a machine with one: a thread that shares
 * the loop's only core gains nothing. */
unsigned cfg_crypto_workers_default(void);

struct authority_cfg {
	char *name;
	char *cacert; /* path */
	/* `crl`: one file or a list, the CRLs of the authority and of
	 * intermediate CAs below it; none: no revocation checking. */
	char **crls;
	size_t n_crls;
	struct cfg_pos pos;
};

/* One side of a connection. Paths are absolute or relative to the working
 * directory (relative ones in the file were taken from the file's
 * directory). */
struct auth_cfg {
	char *auth; /* a method a plugin provides: "psk", "pubkey" (default) */
	char *id;   /* NULL: the IP address in use */
	char **certs; /* local pubkey: certificate files, own first */
	size_t n_certs;
	char *key;             /* local pubkey: private key file */
	char *ca;              /* remote: name of an authority; NULL = any */
	struct cfg_pos pos;    /* of the `auth` value, else of the connection */
	struct cfg_pos ca_pos; /* of the `ca` value */
	struct cfg_pos certs_pos, key_pos; /* of those values; line 0: none */
};

/*
 * A CHILD_SA's settings. With l2tp, mode defaults to transport (tunnel is
 * an error: L2TP/IPsec clients all use transport mode and the L2TP
 * plugin's filter relies on it) and the selectors default to local
 * dynamic[udp/1701], remote dynamic[udp] (docs/clients.md).
 */
struct child_cfg {
	char *name;
	enum cfg_mode mode;      /* tunnel */
	struct cfg_ts *local_ts; /* default: dynamic */
	size_t n_local_ts;
	struct cfg_ts *remote_ts; /* default: dynamic */
	size_t n_remote_ts;
	struct proposal *esp_proposals;     /* numbered from 1; in props */
	size_t n_esp_proposals;             /* default: prop_default(ESP) */
	enum cfg_start_action start_action; /* none */
	uint64_t rekey_time_ms;             /* 1 h; 0 = never */
	enum cfg_hw_offload hw_offload;     /* no */
	bool l2tp;              /* the L2TP plugin protects UDP/1701 */
	bool remote_ts_default; /* remote_ts not written: set by child_finish */
	struct cfg_pos pos;     /* of the child's name */
};

struct conn_cfg {
	char *name;
	uint8_t version;              /* 2; 1; 0 = either (responder) */
	struct cfg_addr *local_addrs; /* default: %any */
	size_t n_local_addrs;
	struct cfg_addr *remote_addrs; /* default: %any */
	size_t n_remote_addrs;
	struct proposal *proposals; /* IKE; default prop_default(IKE); in
				       config->props */
	size_t n_proposals;
	uint64_t rekey_time_ms;  /* 4 h; 0 = never */
	uint64_t reauth_time_ms; /* 0 = never */
	unsigned keyingtries;    /* 3; 0 = forever */
	struct auth_cfg local, remote;
	struct child_cfg *children;
	size_t n_children;
	struct cfg_pos pos; /* of the connection's name */
	/* IKEv1 Aggressive Mode allowed (no), and where it was said, for
	 * the whole-connection check. */
	bool aggressive;
	struct cfg_pos aggressive_pos;
};

struct psk_cfg {
	char **ids; /* empty: any peer */
	size_t n_ids;
	struct secret *secret; /* cleansed when the config is freed */
	struct cfg_pos pos;    /* of the list item */
};

/* A `secrets: private:` entry: the passphrase of an encrypted private key,
 * for the connections whose local.key is that file. */
struct privkey_cfg {
	char *file;            /* as written, relative ones made absolute */
	char *canon;           /* realpath() of file at load; else file */
	struct secret *secret; /* cleansed when the config is freed */
	struct cfg_pos pos;    /* of the list item */
};

/* Names to array indexes (config.c), so that lookups by name, duplicate
 * checks and a reload's comparison stay linear in the connections. */
struct name_index;

struct config {
	struct daemon_cfg daemon;
	struct authority_cfg *authorities;
	size_t n_authorities;
	struct conn_cfg *conns; /* in the order written, includes merged */
	size_t n_conns;
	struct psk_cfg *psks;
	size_t n_psks;
	struct privkey_cfg *privkeys; /* secrets.private */
	size_t n_privkeys;
	char **files; /* every file loaded, in order; cfg_pos points here */
	size_t n_files;
	/* Values of the keys plugins declare (config_plugin.h). */
	struct cfg_plugin_values *plugin_values;
	/* Every proposal list above, shared where alike (never written). */
	struct prop_pool *props;
	struct name_index *conn_index;      /* conns by name */
	struct name_index *authority_index; /* authorities by name */
};

/*
 * config_load_buffer() flag for fuzzing: never open a file. Includes match
 * nothing, secret_file is an error, certificate, key and CA paths are not
 * checked.
 */
#define CONFIG_NO_FILES 0x01
/* Only the daemon section (and the includes that may set it): what the
 * daemon needs to know which plugins to open before the whole file can be
 * checked against the keys they declare. */
#define CONFIG_DAEMON_ONLY 0x02

#define CONFIG_MAX_INCLUDE_DEPTH 16
#define CONFIG_MAX_FILE_SIZE     (128 * 1024 * 1024)

/*
 * Keys the loader parses (so their values are checked) but the core does
 * not act on: each is refused at load with "not supported yet: KEY (needs
 * the PLUGIN plugin)" unless the caller says a loaded plugin acts on it.
 * scope is the path of the map holding the key, "*" standing for any
 * name: "" (top level), "connections.*", "connections.*.children.*".
 */
struct config_claim {
	const char *scope;
	const char *key;    /* or "KEY=VALUE": that value of the key */
	const char *plugin; /* NULL: the core will, once written */
};

/* The claimed keys: *n of them. */
const struct config_claim *config_claims(size_t *n);

struct config_opts {
	/* Whether a loaded plugin acts on a claimed key; NULL: none does. */
	bool (*key_supported)(void *ctx, const char *scope, const char *key);
	void *ctx;
};

/*
 * Load and validate a configuration file and everything it includes. Every
 * problem found (all of them, in one pass) is appended to diags, warnings
 * included. Returns 0 with a new config in *out; else *out is NULL (a
 * config with errors is never returned in part) and the result is -EINVAL
 * when there was at least one error, -ENOMEM, or -errno when path itself
 * cannot be read (also in diags).
 *
 * Includes (`include: [GLOBS]`) are relative to the including file's
 * directory and merged where the key stands, matches in name order: later
 * daemon settings override earlier ones, connections, authorities and PSKs
 * add up (a repeated name is an error). A glob matching nothing is fine;
 * a matched file that cannot be read, or an include loop, is an error; a
 * file included twice is loaded once (with a warning). Other relative
 * paths (certificates, keys, secret_file, socket, plugin_dir) are also
 * taken from the directory of the file that names them.
 */
int config_load(const char *path, struct config **out, struct diag_list *diags);
/* The same with CONFIG_* flags. */
int config_load_flags(const char *path, unsigned flags, struct config **out,
		      struct diag_list *diags);
/* The same for text already in memory; name is used in diagnostics and its
 * directory for relative paths. */
int config_load_buffer(const char *name, const void *data, size_t len,
		       unsigned flags, struct config **out,
		       struct diag_list *diags);
/* Both with options (opts NULL: as above, no claimed key supported). */
int config_load_opts(const char *path, const struct config_opts *opts,
		     struct config **out, struct diag_list *diags);
int config_load_buffer_opts(const char *name, const void *data, size_t len,
			    unsigned flags, const struct config_opts *opts,
			    struct config **out, struct diag_list *diags);
void config_free(struct config *cfg);

/* By name, in constant time. */
/* Every remote address names one host: a connection that dials its peer
 * (an L2TP client's), not one that takes peers from %any or a subnet. */
bool conn_remote_hosts_only(const struct conn_cfg *c);
const struct conn_cfg *config_find_conn(const struct config *cfg,
					const char *name);
const struct authority_cfg *config_find_authority(const struct config *cfg,
						  const char *name);
const struct child_cfg *config_find_child(const struct conn_cfg *conn,
					  const char *name);
/*
 * Whether two connections (with their children) are configured alike, so a
 * reload keeps the old one's SAs. Positions are ignored; so are secrets and
 * the contents of certificate files, which only matter to the next
 * authentication.
 */
bool config_equal_conn(const struct conn_cfg *a, const struct conn_cfg *b);
bool config_equal_child(const struct child_cfg *a, const struct child_cfg *b);

#endif
