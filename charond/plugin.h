/* SPDX-License-Identifier: ISC */
/*
 * The plugin ABI. A plugin is a shared object in the plugin directory that
 * exports one const `struct charond_plugin` named `charond_plugin`. charond
 * loads the configured plugins with dlopen(RTLD_NOW | RTLD_LOCAL), refuses
 * one whose `abi` differs from CHAROND_PLUGIN_ABI, orders them so that what
 * a plugin `requires` is provided by one loaded before it, and calls init
 * with the services of struct charond_api. Plugins never touch libev,
 * sockets or netlink: they register hooks.
 *
 * Hooks, each shaped by the plugin that needs it:
 *   auth methods      psk, x509 (pubkey): sign and verify the AUTH payload
 *   SA listeners      dpd: IKE and CHILD SA lifecycle events
 * (NAT-T payload hooks and L2TP child filters come with those plugins.)
 *
 * Bump CHAROND_PLUGIN_ABI whenever any struct below changes.
 */
#ifndef CHAROND_PLUGIN_H
#define CHAROND_PLUGIN_H

#include <stdint.h>

#include "ike.h"

#define CHAROND_PLUGIN_ABI    1u
#define CHAROND_PLUGIN_SYMBOL "charond_plugin"

struct config;

/* An authentication method; `name` is the config's `auth:` value. */
struct charond_auth_method {
	const char *name;
	int (*sign)(void *state, const struct ike_auth_req *r, uint8_t *method,
		    uint8_t *out, size_t *len);
	int (*verify)(void *state, const struct ike_auth_req *r, uint8_t method,
		      struct bytes data, char *why, size_t why_len);
};

struct charond_sa_listener {
	void (*event)(void *state, const struct ike_event *ev);
};

/* What charond offers a plugin. */
struct charond_api {
	uint32_t abi;
	void (*log)(enum ike_log_level level, const char *plugin,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
	/* The running configuration; valid until the next reload. */
	const struct config *(*config)(void);
	int (*add_auth)(const struct charond_auth_method *m, void *state);
	int (*add_listener)(const struct charond_sa_listener *l, void *state);
};

struct charond_plugin {
	uint32_t abi;
	const char *name;
	const char *version;
	const char *provides; /* space-separated, e.g. "auth:psk" */
	const char *requires; /* space-separated; NULL or "" for none */
	int (*init)(const struct charond_api *api, void **state);
	void (*fini)(void *state);
};

#endif
