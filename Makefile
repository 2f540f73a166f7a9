# SPDX-License-Identifier: ISC
#
# charond's one Makefile (not recursive). configure writes config.mk with the
# flags of the libraries it found; if it has not run yet, make runs it.
#
#   make                          build everything
#   make check                    install what is missing, run every test
#   make check-unit               unit tests only
#   make check-fuzz               the fuzzers, FUZZ_SECONDS each (default 60;
#                                 make check: CHECK_FUZZ_TOTAL shared by all)
#   make check-sim                the deterministic simulation (test/sim), SIM_SEEDS
#   make sim SIM_SEEDS=100000     a longer simulation run
#   make check-vm                 real-kernel scenarios in a QEMU VM (test/vm)
#   make check-vm-group           run.sh --group's own test (one VM boot)
#   make check-e2e                charond + charonctl on the host (test/e2e)
#   make deb                      the Debian package, in build/debian/
#   make check-package            build it, lintian, install/use/purge in the VM
#   make install                  PREFIX, PLUGIN_DIR, MANDIR, DESTDIR,
#                                 BASH_COMPLETION_DIR, ZSH_COMPLETION_DIR,
#                                 SYSTEMD_UNIT_DIR
#   make CC=clang ...             build with clang (objects go to build/clang)
#   make SANITIZE=address,undefined check-unit
#   make format / make lint       clang-format / cppcheck

ifeq ($(filter clean distclean deps,$(MAKECMDGOALS)),)
include config.mk
endif

ifeq ($(origin CC),default)
CC := $(CONFIGURED_CC)
endif

comma := ,
V_SAN := $(if $(SANITIZE),-$(subst $(comma),-,$(SANITIZE)))
B := build/$(notdir $(firstword $(CC)))$(V_SAN)

WARN := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wformat=2 \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) \
	$(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=all) $(OPENSSL_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(if $(SANITIZE),-fsanitize=$(SANITIZE))

.PHONY: all check check-unit check-fuzz fuzz deps format lint clean distclean \
	demo check-e2e install check-sim sim

all: $(B)/libike.a $(B)/libxfrm.a

# --- libike -----------------------------------------------------------------
LIBIKE_SRC := $(sort $(wildcard libike/*.c))
LIBIKE_OBJ := $(LIBIKE_SRC:%.c=$(B)/%.o)

$(B)/libike.a: $(LIBIKE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -Ilibike -c -o $@ $<

# --- libxfrm (XFRM netlink over libmnl) -------------------------------------
LIBXFRM_SRC := $(sort $(wildcard libxfrm/*.c))
LIBXFRM_OBJ := $(LIBXFRM_SRC:%.c=$(B)/%.o)

$(B)/libxfrm.a: $(LIBXFRM_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/libxfrm/%.o: libxfrm/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(MNL_CFLAGS) -MMD -MP -Ilibike -c -o $@ $<

# --- charond and its plugins ------------------------------------------------
# Plugins resolve libike's functions against the executable, so it exports
# every symbol (-rdynamic) and takes all of libike. A plugin sees plugin.h
# (plugins/include, alone there) and libike's headers, never charond's.
PLUGIN_INC := -Iplugins/include -Ilibike
PREFIX ?= /usr/local
PLUGIN_DIR ?= $(PREFIX)/lib/charond
CHAROND_CFG_SRC := $(sort $(wildcard charond/config*.c))
CHAROND_CFG_OBJ := $(CHAROND_CFG_SRC:%.c=$(B)/%.o)
CHAROND_SRC := $(sort $(wildcard charond/*.c))
CHAROND_OBJ := $(CHAROND_SRC:%.c=$(B)/%.o)
PLUGINS := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard plugins/*/*.c)))))
PLUGIN_SO := $(PLUGINS:%=$(B)/plugins/%.so)

all: $(B)/bin/charond $(PLUGIN_SO) $(B)/bench/initflood

$(B)/charond/%.o: charond/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(YAML_CFLAGS) $(JANSSON_CFLAGS) -MMD -MP -Ilibike \
	    -Ilibxfrm -Iplugins/include -DPLUGIN_DIR='"$(PLUGIN_DIR)"' -c -o $@ $<

$(B)/bin/charond: $(CHAROND_OBJ) $(B)/libike.a $(B)/libxfrm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -rdynamic -o $@ $(CHAROND_OBJ) \
	    -Wl,--whole-archive $(B)/libike.a -Wl,--no-whole-archive \
	    $(B)/libxfrm.a $(YAML_LIBS) $(JANSSON_LIBS) $(EV_LIBS) $(MNL_LIBS) $(OPENSSL_LIBS) -ldl -pthread

# charonctl, the admin CLI: a client of the control socket (charond/ctl*.c).
CHARONCTL_SRC := $(sort $(wildcard charonctl/*.c))
CHARONCTL_OBJ := $(CHARONCTL_SRC:%.c=$(B)/%.o)

all: $(B)/bin/charonctl

$(B)/charonctl/%.o: charonctl/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(JANSSON_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/bin/charonctl: $(CHARONCTL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(JANSSON_LIBS) -lm

.SECONDEXPANSION:
# A plugin is rebuilt when any header it can see changes: it shares
# structures with charond and libike, and a stale one crashes the daemon.
$(B)/plugins/%.so: $$(wildcard plugins/%/*.c) $$(wildcard plugins/%/*.h) \
    $(wildcard plugins/include/*.h libike/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PLUGIN_CFLAGS_$*) -fPIC -shared $(PLUGIN_INC) \
	    $(ALL_LDFLAGS) -o $@ $(filter %.c,$^) $(PLUGIN_LIBS_$*) $(OPENSSL_LIBS)

# The l2tp plugin drives nftables (libnftnl) and conntrack over netlink.
PLUGIN_CFLAGS_l2tp := $(NFTNL_CFLAGS) $(MNL_CFLAGS)
PLUGIN_LIBS_l2tp := $(NFTNL_LIBS) $(MNL_LIBS)

# The loader's test plugins (test/e2e/plugin-loader.sh), never installed.
TEST_PLUGIN_SRC := $(sort $(wildcard test/plugins/*.c))
TEST_PLUGIN_SO := $(TEST_PLUGIN_SRC:test/plugins/%.c=$(B)/test/plugins/%.so)

$(B)/test/plugins/%.so: test/plugins/%.c $(wildcard plugins/include/*.h \
    libike/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -shared $(PLUGIN_INC) -o $@ $<

# --- unit tests (Check) -----------------------------------------------------
# Every test/unit/*.c file defines one or more `Suite *NAME_suite(void)`;
# the runner's list of suites is generated from those definitions. The
# other test directories likewise, each with a binary of its own, all with
# the one runner, test/unit/runner.c, compiled against their suites.h.
UNIT_SRC := $(sort $(wildcard test/unit/*.c))
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o)
TEST_DATA := $(CURDIR)/test/data

$(B)/test/unit/suites.h: $(UNIT_SRC)
	@mkdir -p $(dir $@)
	sed -n 's/^\([a-z0-9_]*_suite\)(void)$$/X(\1)/p' $(UNIT_SRC) > $@

$(B)/test/unit/%.o: test/unit/%.c $(B)/test/unit/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -MMD -MP -Ilibike -I$(B)/test/unit \
	    -DTEST_DATA='"$(TEST_DATA)"' -c -o $@ $<

# test_v1_natt.c drives the natt plugin's code (compiled as the plugin
# is, linked in) behind a fake charond API.
NATT_PART_OBJ := $(patsubst plugins/natt/%.c,$(B)/test/unit/natt-parts/%.o,\
    $(sort $(wildcard plugins/natt/*.c)))
$(B)/test/unit/natt-parts/%.o: plugins/natt/%.c $(wildcard plugins/natt/*.h) \
    $(wildcard plugins/include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -Ilibike -Iplugins/include -c -o $@ $<
$(B)/test/unit/test_v1_natt.o: CHECK_CFLAGS += -Iplugins/include -Iplugins/natt

$(B)/check_libike: $(UNIT_OBJ) $(NATT_PART_OBJ) $(B)/libike.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(OPENSSL_LIBS)

# The list of suites and the runner of the tests in test/unit/DIR/. The
# lists are explicit rules (not a pattern): a pattern rule that is not
# known to make a prerequisite lets make fall back to test/unit/%.o, which
# lacks the directory's include paths.
define unit_suites
$(B)/test/unit/$(1)/suites.h: $(sort $(wildcard test/unit/$(1)/*.c))
	@mkdir -p $$(dir $$@)
	sed -n 's/^\([a-z0-9_]*_suite\)(void)$$$$/X(\1)/p' $$^ > $$@
endef
$(foreach d,charond xfrm ctl plugin x509 l2tp,$(eval $(call unit_suites,$(d))))

$(B)/test/unit/%/runner.o: test/unit/runner.c $(B)/test/unit/%/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -MMD -MP -I$(B)/test/unit/$* \
	    -c -o $@ $<

# charond's tests (test/unit/charond/).
CHAROND_UNIT_SRC := $(sort $(wildcard test/unit/charond/*.c))
CHAROND_UNIT_OBJ := $(CHAROND_UNIT_SRC:%.c=$(B)/%.o) \
    $(B)/test/unit/charond/runner.o

$(B)/test/unit/charond/%.o: test/unit/charond/%.c \
    $(B)/test/unit/charond/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(YAML_CFLAGS) -MMD -MP -Ilibike \
	    -Icharond -Ilibxfrm -Iplugins/include -I$(B)/test/unit/charond -DTEST_DATA='"$(TEST_DATA)"' \
	    -c -o $@ $<

# The psk plugin, linked in: the config tests run its check (test_config.c).
$(B)/test/unit/charond/psk_plugin.o: plugins/psk/psk.c \
    $(wildcard plugins/include/*.h libike/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PLUGIN_INC) -c -o $@ $<

# conns.c (config to engine connections) is tested too, with its logging,
# and kernel_none.c, the recorder of daemon.kernel: none.
$(B)/check_charond: $(CHAROND_UNIT_OBJ) $(B)/test/unit/charond/psk_plugin.o \
    $(CHAROND_CFG_OBJ) $(B)/charond/conns.o $(B)/charond/log.o \
    $(B)/charond/log_buf.o \
    $(B)/charond/kernel_none.o \
    $(B)/charond/escape.o $(B)/libike.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(YAML_LIBS) $(CHECK_LIBS) $(OPENSSL_LIBS)

# libxfrm's tests (test/unit/xfrm/) likewise; as root, some also talk to
# the kernel, each in a network namespace of its own. test_alg_registry.c
# takes every proposal keyword from libike's parser to libxfrm's builder,
# so this runner links libike too (libxfrm itself does not).
XFRM_UNIT_SRC := $(sort $(wildcard test/unit/xfrm/*.c))
XFRM_UNIT_OBJ := $(XFRM_UNIT_SRC:%.c=$(B)/%.o) $(B)/test/unit/xfrm/runner.o

$(B)/test/unit/xfrm/%.o: test/unit/xfrm/%.c $(B)/test/unit/xfrm/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(MNL_CFLAGS) -MMD -MP -Ilibike \
	    -Ilibxfrm -I$(B)/test/unit/xfrm -c -o $@ $<

$(B)/check_libxfrm: $(XFRM_UNIT_OBJ) $(B)/libxfrm.a $(B)/libike.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MNL_LIBS) $(CHECK_LIBS) $(OPENSSL_LIBS)

# The control socket's tests (test/unit/ctl/) likewise: framing, requests,
# replies and the JSON of SAs and connections, without a daemon.
CTL_UNIT_SRC := $(sort $(wildcard test/unit/ctl/*.c))
CTL_UNIT_OBJ := $(CTL_UNIT_SRC:%.c=$(B)/%.o) $(B)/test/unit/ctl/runner.o

$(B)/test/unit/ctl/%.o: test/unit/ctl/%.c $(B)/test/unit/ctl/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) -MMD -MP -Ilibike \
	    -Icharond -Ilibxfrm -Iplugins/include -I$(B)/test/unit/ctl -c -o $@ $<

# test_complete.c runs charonctl's completion helper (charonctl/complete.c)
# against its own --help: the built binary, not linked in.
$(B)/test/unit/ctl/test_complete.o: ALL_CFLAGS += \
    -DCHARONCTL_BIN='"$(CURDIR)/$(B)/bin/charonctl"'

$(B)/check_ctl: $(CTL_UNIT_OBJ) $(B)/charond/ctl_proto.o $(B)/charond/ctl_list.o \
    $(B)/charond/escape.o $(B)/charond/log.o $(B)/charond/log_buf.o \
    $(B)/charond/cert_info.o \
    $(B)/charond/ctl_json.o $(CHAROND_CFG_OBJ) $(B)/libike.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(JANSSON_LIBS) $(YAML_LIBS) \
	    $(CHECK_LIBS) $(OPENSSL_LIBS)

# The plugin hooks and views (test/unit/plugin/): charond/plugin_hooks.c
# and plugin_views.c against a fake daemon the tests define.
PLUGIN_UNIT_SRC := $(sort $(wildcard test/unit/plugin/*.c))
PLUGIN_UNIT_OBJ := $(PLUGIN_UNIT_SRC:%.c=$(B)/%.o) $(B)/test/unit/plugin/runner.o

$(B)/test/unit/plugin/%.o: test/unit/plugin/%.c $(B)/test/unit/plugin/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(YAML_CFLAGS) -MMD -MP -Ilibike \
	    -Icharond -Ilibxfrm -Iplugins/include -I$(B)/test/unit/plugin \
	    -c -o $@ $<

$(B)/check_plugin: $(PLUGIN_UNIT_OBJ) $(B)/charond/plugin_hooks.o \
    $(B)/charond/plugin_views.o $(CHAROND_CFG_OBJ) $(B)/libike.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(YAML_LIBS) $(CHECK_LIBS) $(OPENSSL_LIBS)

# The x509 plugin's parts (test/unit/x509/): plugins/x509/*.c but its
# glue to charond (x509.c), compiled as the plugin is and linked with
# libike (whose functions charond gives the plugin), against
# certificates, keys and CRLs the tests make with OpenSSL.
X509_UNIT_SRC := $(sort $(wildcard test/unit/x509/*.c))
X509_UNIT_OBJ := $(X509_UNIT_SRC:%.c=$(B)/%.o) $(B)/test/unit/x509/runner.o
X509_PART_SRC := $(filter-out plugins/x509/x509.c,$(sort $(wildcard plugins/x509/*.c)))
X509_PART_OBJ := $(X509_PART_SRC:plugins/x509/%.c=$(B)/test/unit/x509-parts/%.o)

$(B)/test/unit/x509/%.o: test/unit/x509/%.c $(B)/test/unit/x509/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -MMD -MP $(PLUGIN_INC) \
	    -Iplugins/x509 -I$(B)/test/unit/x509 -DTEST_DATA='"$(TEST_DATA)"' \
	    -c -o $@ $<

$(B)/test/unit/x509-parts/%.o: plugins/x509/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(PLUGIN_INC) -c -o $@ $<

$(B)/check_x509: $(X509_UNIT_OBJ) $(X509_PART_OBJ) $(B)/libike.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(OPENSSL_LIBS)

# The l2tp plugin's pure parts (test/unit/l2tp/): plugins/l2tp/
# neighbour.c and clients.c, compiled as the plugin is (it needs nothing of
# charond's or libike's), against the fake /proc trees and xl2tpd.conf
# files of test/data/l2tp/.
L2TP_UNIT_SRC := $(sort $(wildcard test/unit/l2tp/*.c))
L2TP_UNIT_OBJ := $(L2TP_UNIT_SRC:%.c=$(B)/%.o) $(B)/test/unit/l2tp/runner.o
L2TP_PART_OBJ := $(B)/test/unit/l2tp-parts/neighbour.o \
    $(B)/test/unit/l2tp-parts/clients.o

$(B)/test/unit/l2tp/%.o: test/unit/l2tp/%.c $(B)/test/unit/l2tp/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -MMD -MP $(PLUGIN_INC) \
	    -Iplugins/l2tp -I$(B)/test/unit/l2tp -DTEST_DATA='"$(TEST_DATA)"' \
	    -c -o $@ $<

$(B)/test/unit/l2tp-parts/%.o: plugins/l2tp/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(PLUGIN_INC) -c -o $@ $<

$(B)/check_l2tp: $(L2TP_UNIT_OBJ) $(L2TP_PART_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS)

check-unit: $(B)/check_libike $(B)/check_charond $(B)/check_libxfrm \
    $(B)/check_ctl $(B)/check_plugin $(B)/check_x509 $(B)/check_l2tp \
    $(B)/bin/charonctl
	CK_FORK=$(if $(SANITIZE),no,yes) $(B)/check_libike
	CK_FORK=$(if $(SANITIZE),no,yes) $(B)/check_charond
	CK_FORK=$(if $(SANITIZE),no,yes) $(B)/check_libxfrm
	CK_FORK=$(if $(SANITIZE),no,yes) $(B)/check_ctl
	CK_FORK=$(if $(SANITIZE),no,yes) $(B)/check_plugin
	CK_FORK=$(if $(SANITIZE),no,yes) $(B)/check_x509
	CK_FORK=$(if $(SANITIZE),no,yes) $(B)/check_l2tp

# --- the deterministic simulation (test/sim/README.md) -----------------------
# Engines on a simulated network with faults and an adversary, one seed per
# run. check-sim runs a fixed range (about a minute here), plus a few seeds
# twice to prove they replay; `make sim` is the long run. IKEv1 pairs made a
# seed about a quarter dearer: 2400 seeds take what 3000 took before.
SIM_SRC := $(sort $(wildcard test/sim/*.c))
SIM_OBJ := $(SIM_SRC:%.c=$(B)/%.o)
SIM_SEEDS ?= $(if $(SANITIZE),1200,2400)
SIM_START ?= 1
SIM_FLAGS ?=

$(B)/test/sim/%.o: test/sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -Ilibike -c -o $@ $<

$(B)/sim: $(SIM_OBJ) $(B)/libike.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(OPENSSL_LIBS)

SIM_COLLISION_SEEDS ?= $(if $(SANITIZE),300,1000)
# Seeds past that range which once failed (a CHILD SA being created when
# its IKE SA was replaced in a rekey collision).
SIM_REGRESS_COLLISIONS := 13903

# And with collisions (both ends rekeying or deleting one SA at once):
# seeds 1-10,000 pass; `make sim SIM_FLAGS=--collisions` runs more. Seed
# 524 of that range moved an IKE SA while both rekeys of it were settled
# (the CHILD SAs ended up under an SA at other endpoints than the kernel's).
check-sim: $(B)/sim
	$(B)/sim --seeds 20 --start $(SIM_START) --twice $(SIM_FLAGS)
	$(B)/sim --seeds $(SIM_SEEDS) --start $(SIM_START) $(SIM_FLAGS)
	$(B)/sim --seeds $(SIM_COLLISION_SEEDS) --start 1 --collisions
	for s in $(SIM_REGRESS_COLLISIONS); do \
	    $(B)/sim --seeds 1 --start $$s --collisions || exit 1; done

sim: $(B)/sim
	$(B)/sim --seeds $(SIM_SEEDS) --start $(SIM_START) $(SIM_FLAGS)

# charond and charonctl on the host (test/e2e/README.md): whatever needs no
# ESP, in a network namespace; root only (it says so and skips otherwise).
check-e2e: all $(TEST_PLUGIN_SO)
	test/e2e/run.sh $(B)

# test/vm/scenarios/libxfrm.sh runs that runner in the VM.
check-vm: all $(B)/check_libxfrm

# --- fuzzers (clang's libFuzzer) --------------------------------------------
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
# make check gives the fuzzers six minutes in all, shared evenly, so that
# a new fuzzer does not make it longer.
CHECK_FUZZ_TOTAL ?= 360
FB := build/fuzz
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	$(OPENSSL_CFLAGS)
FUZZ_SRC := $(sort $(wildcard test/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:test/fuzz/%.c=$(FB)/%)

$(FB)/libike/%.o: libike/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_FLAGS)) \
	    -MMD -MP -Ilibike -c -o $@ $<

# The targets themselves are held to the warnings of the rest of the tree.
$(FB)/fuzz_%: test/fuzz/fuzz_%.c $(LIBIKE_SRC:%.c=$(FB)/%.o)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(WARN) -Ilibike -o $@ $^ $(OPENSSL_LIBS)

# fuzz_config also needs charond's configuration loader and libyaml.
$(FB)/charond/%.o: charond/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_FLAGS)) \
	    $(YAML_CFLAGS) -MMD -MP -Ilibike -Iplugins/include -c -o $@ $<

$(FB)/fuzz_config: test/fuzz/fuzz_config.c $(CHAROND_CFG_SRC:%.c=$(FB)/%.o) \
    $(LIBIKE_SRC:%.c=$(FB)/%.o)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(WARN) -Ilibike -Icharond -Iplugins/include -o $@ $^ $(YAML_LIBS) \
	    $(OPENSSL_LIBS)

# fuzz_x509 also needs the x509 plugin's parts (not its glue, x509.c).
$(FB)/plugins/x509/%.o: plugins/x509/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_FLAGS)) \
	    -MMD -MP $(PLUGIN_INC) -c -o $@ $<

$(FB)/fuzz_x509: test/fuzz/fuzz_x509.c $(X509_PART_SRC:%.c=$(FB)/%.o) \
    $(LIBIKE_SRC:%.c=$(FB)/%.o)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(WARN) $(PLUGIN_INC) -Iplugins/x509 -o $@ $^ \
	    $(OPENSSL_LIBS)

fuzz: $(FUZZ_BIN)

# Each fuzzer starts from its committed seed corpus (never written to) and a
# scratch corpus; any crash, leak or sanitizer report fails the target.
check-fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	    n=$${f##*/fuzz_}; work=$(FB)/work-$$n; \
	    rm -rf $$work; mkdir -p $$work; \
	    echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	        -print_final_stats=1 -artifact_prefix=$(FB)/ \
	        $$work test/fuzz/corpus/$$n > $(FB)/fuzz-$$n.log 2>&1 \
	    || { tail -n 60 $(FB)/fuzz-$$n.log; \
	         echo "fuzz: $$n FAILED (log: $(FB)/fuzz-$$n.log)"; exit 1; }; \
	    grep -E '^stat::number_of_executed_units|^Done' $(FB)/fuzz-$$n.log; \
	done

# --- real-kernel scenarios in a QEMU VM (test/vm/README.md) -----------------
VM_SCENARIOS := $(sort $(wildcard test/vm/scenarios/*.sh))
.PHONY: check-vm

# Skipped, loudly, only when QEMU cannot run here at all; a scenario that
# fails, or a VM that cannot be set up while QEMU works, fails the target.
# Two guests at a time (VM_JOBS), see test/vm/run-all.sh.
check-vm:
	@if ! test/vm/setup.sh >/dev/null; then \
	    if qemu-system-x86_64 -accel help 2>/dev/null | grep -qx tcg; then \
	        echo "vm: set-up FAILED"; exit 1; fi; \
	    echo "*** check-vm SKIPPED: QEMU cannot run on this machine ***"; \
	    exit 0; \
	fi; \
	test/vm/run-all.sh $(VM_SCENARIOS)

# run.sh --group itself: one boot, scenarios that fail, leave everything
# behind and overrun their time, each with its own status (test/vm/group.sh).
.PHONY: check-vm-group
check-vm-group:
	test/vm/setup.sh >/dev/null && test/vm/group.sh

# --- demo: a tunnel between two namespaces (README's first command) ----------
# Directly when this kernel has ESP with AES-GCM, else inside the test VM.
demo: all
	@if scripts/has-esp.sh; then sh scripts/demo.sh; \
	else echo "demo: this kernel has no ESP; running in the test VM"; \
	    test/vm/setup.sh >/dev/null && test/vm/run.sh scripts/demo.sh; fi

# --- demo-l2tp: the L2TP/IPsec gateway and a client (etc/examples) -----------
# Always in the test VM: it needs the kernel's L2TP and PPP besides ESP.
.PHONY: demo-l2tp
demo-l2tp: all
	test/vm/setup.sh >/dev/null && test/vm/run.sh scripts/demo-l2tp.sh

# --- bench: set-up rate and memory against strongSwan (bench/README.md) ------
# In the test VM; minutes, so not part of check. BENCH_N="50 200" runs each.
.PHONY: bench
bench: all
	bench/run.sh $(BENCH_N)

# --- bench-load: a responder under strongSwan's load-tester, on the host -----
# initflood: IKE_SA_INITs from a template, for the responder-bound rate.
$(B)/bench/initflood: bench/load/initflood.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(OPENSSL_LIBS)

# Builds strongSwan's charon with load-tester into build/load-tester/ once,
# then N IKE SAs to charond (kernel: none), then to strongSwan (fake
# kernel), for each suite; the table goes to build/bench-load/results.md.
# Root; not part of check; about 25 minutes for the PSK suites on 2 CPUs.
# Then cert-ecdsa (a patched load-tester, bench/README.md) at
# BENCH_LOAD_CERT_N (build/bench-load/cert.md); then the cores: charond
# with crypto_workers 0 and at its default, and strongSwan, answering
# initflood's IKE_SA_INITs as fast as they can (build/bench-load/flood.md),
# and charond with 0 workers under load-tester (build/bench-load/1thread.md).
BENCH_LOAD_N ?= 1000 10000 50000 100000
BENCH_LOAD_SUITES ?= psk-ecp256 psk-x25519
BENCH_LOAD_CERT_N ?= 1000 10000 50000 100000
BENCH_LOAD_FLOOD_N ?= 30000
.PHONY: bench-load
bench-load: all $(B)/bench/initflood
	bench/load/build-load-tester.sh
	B=$(B) LT_SUITES="$(BENCH_LOAD_SUITES)" bench/load/run.sh $(BENCH_LOAD_N)
	B=$(B) LT_SUITES=cert-ecdsa LT_SPEED=0 \
	    LT_RESULTS=build/bench-load/cert.md bench/load/run.sh $(BENCH_LOAD_CERT_N)
	B=$(B) LT_SUITES=psk-ecp256 LT_RESPONDERS=charond-1thread LT_SPEED=0 \
	    LT_RESULTS=build/bench-load/1thread.md bench/load/run.sh 10000
	B=$(B) LT_SUITES=psk-ecp256 LT_INITIATOR=flood LT_SPEED=0 \
	    LT_RESPONDERS="charond-1thread charond strongswan" \
	    LT_RESULTS=build/bench-load/flood.md \
	    bench/load/run.sh $(BENCH_LOAD_FLOOD_N)

# --- bench-kernel: installing CHILD SAs in a real kernel, in the test VM ----
# load-tester against charond and strongSwan, each with its kernel off and
# on; the difference is the install cost per tunnel (bench/README.md).
# Root; not part of check; about 15 minutes for the default N (TCG).
BENCH_KERNEL_N ?= 200
.PHONY: bench-kernel
bench-kernel: all $(B)/bench/xfrm-bench
	bench/load/build-load-tester.sh
	test/vm/setup.sh >/dev/null
	bench/kernel/run.sh $(BENCH_KERNEL_N)

# charond's libxfrm alone installing N tunnels (bench/kernel/vm.sh runs it).
$(B)/bench/xfrm-bench: bench/kernel/xfrm-bench.c $(B)/libxfrm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ilibxfrm -o $@ $< $(ALL_LDFLAGS) $(B)/libxfrm.a \
	    $(MNL_LIBS)

# --- check: the README's test command ---------------------------------------
check: deps
	$(MAKE) check-unit
	$(MAKE) check-sim
	$(MAKE) check-e2e
	$(MAKE) check-fuzz \
	    FUZZ_SECONDS=$$(( $(CHECK_FUZZ_TOTAL) / $(words $(FUZZ_BIN)) ))
	$(MAKE) check-vm
	# check-unit ran above: the package build need not run it again.
	DEB_BUILD_OPTIONS="nocheck parallel=2" $(MAKE) check-package

deps:
	scripts/deps.sh

config.mk: configure.ac config.mk.in
	scripts/deps.sh
	autoconf
	./configure

configure: configure.ac
	autoconf

# --- install (DESTDIR for staging and packages) -----------------------------
MANDIR ?= $(PREFIX)/share/man
# Shell completion (etc/completion/): where bash-completion looks (its
# pkg-config file says; else Debian's place) and zsh's vendor directory.
BASH_COMPLETION_DIR ?= $(or $(shell pkg-config --variable=completionsdir \
    bash-completion 2>/dev/null),/usr/share/bash-completion/completions)
ZSH_COMPLETION_DIR ?= /usr/share/zsh/vendor-completions
# The systemd unit: with PREFIX=/usr where systemd's pkg-config file says
# (Debian 12: /lib/systemd/system, where dh_installsystemd finds it for the
# package), otherwise under PREFIX, which systemd searches too
# (/usr/local/lib/systemd/system).
SYSTEMD_UNIT_DIR ?= $(if $(filter /usr,$(PREFIX)),$(or $(shell pkg-config \
    --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system),$(PREFIX)/lib/systemd/system)

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PLUGIN_DIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(B)/bin/charond $(DESTDIR)$(PREFIX)/sbin/charond
	install -m 0755 $(B)/bin/charonctl $(DESTDIR)$(PREFIX)/bin/charonctl
	$(if $(PLUGIN_SO),install -m 0755 $(PLUGIN_SO) $(DESTDIR)$(PLUGIN_DIR)/)
	install -m 0644 man/charond.8 man/charonctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/charond.yaml.5 $(DESTDIR)$(MANDIR)/man5/
	install -d $(DESTDIR)$(BASH_COMPLETION_DIR) $(DESTDIR)$(ZSH_COMPLETION_DIR)
	install -m 0644 etc/completion/charonctl.bash \
	    $(DESTDIR)$(BASH_COMPLETION_DIR)/charonctl
	install -m 0644 etc/completion/_charonctl $(DESTDIR)$(ZSH_COMPLETION_DIR)/_charonctl
	install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	sed -e 's|/usr/sbin/charond|$(PREFIX)/sbin/charond|' \
	    -e 's|/usr/bin/charonctl|$(PREFIX)/bin/charonctl|' \
	    etc/charond.service >$(DESTDIR)$(SYSTEMD_UNIT_DIR)/charond.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/charond.service

# --- the Debian package (debian/) -------------------------------------------
# dpkg-buildpackage runs in a copy of the tree's files (git's, committed or
# not) in build/debian/src: its clean and its outputs, which it writes to
# the parent directory, stay inside build/. The .debs are build/debian/*.deb;
# lintian must find no error or warning in them.
.PHONY: deb check-package
deb:
	rm -rf build/debian
	mkdir -p build/debian/src
	git ls-files -co --exclude-standard -z | \
	    tar --null --ignore-failed-read -T - -cf - | tar -xf - -C build/debian/src
	cd build/debian/src && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning --info --display-info \
	    build/debian/charond_*.changes

# The package installed, run, used by a member of the group charond and
# purged, in the test VM (test/vm/package.sh); its peer for a first tunnel
# (test/vm/package-user.sh) is the build tree's charond.
check-package: deb all
	@if ! test/vm/setup.sh >/dev/null; then \
	    if qemu-system-x86_64 -accel help 2>/dev/null | grep -qx tcg; then \
	        echo "vm: set-up FAILED"; exit 1; fi; \
	    echo "*** check-package's VM test SKIPPED: QEMU cannot run here ***"; \
	    exit 0; \
	fi; \
	test/vm/run.sh test/vm/package.sh build/debian/charond_*.deb

# --- hygiene ----------------------------------------------------------------
FORMAT_SRC = $(wildcard libike/*.[ch] test/unit/*.[ch] test/fuzz/*.c test/sim/*.[ch] \
	charond/*.[ch] test/unit/charond/*.[ch] libxfrm/*.[ch] \
	plugins/*/*.c test/plugins/*.c \
	test/unit/xfrm/*.[ch] charonctl/*.[ch] test/unit/ctl/*.[ch] \
	test/unit/plugin/*.[ch] test/unit/l2tp/*.[ch] plugins/l2tp/*.h \
	bench/kernel/*.c)

format:
	clang-format -i $(FORMAT_SRC)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --std=c11 --inline-suppr -Ilibike -Icharond -Ilibxfrm \
	    -Iplugins/include libike charond plugins test/plugins \
	    libxfrm test/fuzz test/sim charonctl bench/kernel

clean:
	rm -rf build

distclean: clean
	rm -rf config.mk config.log config.status configure autom4te.cache

# (Not build/debian: the package's tree has an etc/charond/conf.d.)
-include $(shell find build -path build/debian -prune -o -name '*.d' -type f \
    -print 2>/dev/null)
