#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Where charond's CPU goes, from a perf.data of run.sh (LT_PERF=record).

    bench/load/profile.py FILE.perf.data

Each sample's call chain (DWARF-unwound) is put in one group, the first
rule below that matches it: logging first (a write() under the logger is
logging), then malloc/free when the sample is in the allocator itself,
then the work the chain is for (key exchange, PRF, AEAD, ...), then the
kernel or our own code. Debian's libcrypto has no symbols for its
assembly (the P-256 field arithmetic): those samples are placed by their
callers. Prints the groups with their share of the samples, then the top
symbols by self and by children (perf report).
"""
import collections
import subprocess
import sys

MALLOC = {
    "malloc", "_int_malloc", "free", "cfree", "_int_free", "calloc",
    "__libc_calloc", "__GI___libc_malloc", "__GI___libc_free", "realloc",
    "_int_realloc", "malloc_consolidate", "tcache_get", "unlink_chunk",
    "__libc_malloc", "__libc_free", "cfree@GLIBC_2.2.5", "tcache_put",
    "CRYPTO_malloc", "CRYPTO_zalloc", "CRYPTO_free", "CRYPTO_clear_free",
    "_int_free_merge_chunk", "_int_free_create_chunk",
}

# (group, frame names or prefixes ending in "*"), in order of precedence.
RULES = [
    ("logging (format, write to the log file)",
     ["emit", "log_msg", "ike_log", "ike_logv", "log_event*"]),
    ("none-kernel recorder (kernel: none) and libxfrm",
     ["none_*", "kernel_none_*", "pol_find", "sa_record", "spi_in_use",
      "xfrm_*", "kernel_sa_*", "kernel_policy_*"]),
    ("malloc/free", None),  # leaf only, see classify()
    ("ECDH/EC math and key setup (OpenSSL, via dh.c)",
     ["dh_*", "ecp_*", "pkey_from", "peer_key", "modp_*"]),
    ("HMAC/PRF (SKEYSEED, prf+, AUTH octets)",
     ["crypto_prf*", "hmac_*", "keymat_*", "derive_sk", "derive_keys",
      "signed_octets", "ike_auth_octets", "psk_*"]),
    ("AES-GCM (SK payloads)",
     ["sk_*", "crypto_aead*", "aead_*", "cipher_*"]),
    ("random (nonces, SPIs)", ["crypto_random", "RAND_bytes*",
                               "EVP_RAND_*"]),
    ("plugin per-SA table lookups", ["hooks_sa_get", "hooks_sa_set"]),
    ("natt plugin (NAT-D SHA-1 hashes)", ["natd_*", "natt_*"]),
    ("config walks (conns, connection matching)",
     ["conns_*", "conn_*", "config_*", "select_conn*", "match_conn*"]),
    ("network syscalls (sendmsg, recvmsg)",
     ["send_from", "__libc_sendmsg", "__libc_recvmsg", "recvmsg*",
      "sendmsg*", "net_*"]),
    ("libev, epoll, timers", ["ev_*", "epoll_*", "timer*", "ike_timer*"]),
]


def match(name, pats):
    for p in pats:
        if p.endswith("*"):
            if name.startswith(p[:-1]):
                return True
        elif name == p:
            return True
    return False


def classify(frames):
    """frames: [(sym, dso)], leaf first."""
    names = [s for s, _ in frames]
    for group, pats in RULES:
        if pats is None:
            if names and names[0] in MALLOC:
                return group
            continue
        if any(match(n, pats) for n in names):
            return group
    leaf, dso = frames[0] if frames else ("?", "?")
    if "kernel" in dso:
        if any(n in ("do_syscall_64",) for n in names):
            return "other syscalls"
        return "kernel: interrupts, scheduling (preemption)"
    if any("charond" in d or d.endswith(".so") and "plugins" in d
           for _, d in frames[:3]):
        return "own code (libike, charond, plugins)"
    if any("charond" in d for _, d in frames):
        return "own code (libike, charond, plugins)"
    return "other"


def samples(path):
    out = subprocess.run(
        ["perf", "script", "-i", path, "-F", "ip,sym,dso"],
        capture_output=True, text=True, check=True).stdout
    chain = []
    for line in out.splitlines():
        line = line.strip()
        if not line:
            if chain:
                yield chain
            chain = []
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            continue
        rest = parts[1]
        dso = rest[rest.rfind("(") + 1:-1] if rest.endswith(")") else "?"
        sym = rest[:rest.rfind("(")].strip() if "(" in rest else rest
        sym = sym.split("+")[0]
        chain.append((sym, dso))
    if chain:
        yield chain


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    groups = collections.Counter()
    total = 0
    for chain in samples(path):
        groups[classify(chain)] += 1
        total += 1
    print("%d samples" % total)
    print()
    print("| group | share |")
    print("|---|--:|")
    for g, n in groups.most_common():
        print("| %s | %.1f %% |" % (g, 100.0 * n / total))
    for mode in ("--no-children", "--children"):
        print()
        print("top symbols, perf report %s:" % mode)
        rep = subprocess.run(
            ["perf", "report", "-i", path, mode, "--sort", "symbol",
             "--stdio", "-g", "none"], capture_output=True, text=True).stdout
        n = 0
        for line in rep.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if "[unknown]" in line or "0x0000" in line or "0xffff" in line:
                continue
            print("   " + line.rstrip())
            n += 1
            if n == 15:
                break


if __name__ == "__main__":
    main()
