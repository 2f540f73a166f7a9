#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Writes seed programs for fuzz_session_v1 into
test/fuzz/corpus/session_v1/.

A program is one configuration byte and then operations (fuzz_session_v1.c,
run_op). Forged messages carry the payload chain after their HASH, built
here; the harness computes the HASH and encrypts them with the victim
SA's keys at run time, and puts the SA's cookies where COOKIE_MARKER is.
The SPIs are the fake kernel's: moon allocates c1000001, c1000002, ...
and sun c2000001, ...
"""
import os
import struct
import sys

from mkseeds_v1 import SA, KE, ID, HASH, NONCE, N, D, VID, chain, \
    ident, notify, prop, sa, tlv, tv, VID_DPD

DELIVER, DELIVER_AT, DROP, DUP, FLIP, CLOCK, NEXT, CMD, FORGE, RAW_NEW, \
    PUMP, KFAIL, RAW = 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15
# commands (op_cmd)
INITIATE, INITIATE_CHILD, REKEY, REKEY_CHILD, TERMINATE, TERMINATE_CHILD, \
    TERMINATE_ALL, LIVENESS = range(8)
NET, PFS, L2TP = 0, 1, 2
MOON, SUN = 0, 1
# configuration byte
SHA256, SHA1_X25519, SHA1, SHA384 = 0, 1, 2, 3
START_NET, SHORT_LIFE, AGGRESSIVE, IPV6, ANY_ID, PHASE1_OPEN = \
    4, 8, 16, 32, 64, 128
# forge: message ID modes and flags of x
IN_FLIGHT, GIVEN, FRESH, ZERO = 0, 1, 2, 3
INFO_X, CLEAR, NO_HASH, BAD_HASH, P2_IV = 1, 8, 16, 32, 64
MM, AM, INFO, QM = 0, 1, 2, 3  # raw exchanges

COOKIE_MARKER = b"ISAKMP-SA-COOKIE"
# The P-256 generator as a KE value: a point on the curve.
P256_G = bytes.fromhex(
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")


def cmd(host, c, sa_n=0, child=0):
    return bytes([CMD, host | c << 1, sa_n | child << 4])


def forge(to, items, mode=FRESH, x=0, sa_n=0, qm=0, msgid=None):
    a = to | sa_n << 1 | mode << 4 | qm << 6
    np, body = chain(items) if items else (0, b"")
    out = bytes([FORGE, a, x])
    if mode == GIVEN:
        out += struct.pack("!I", msgid)
    return out + bytes([np]) + struct.pack("!H", len(body)) + body


def raw(to, exch, items, new=True, flags=0, msgid=0, sa_n=0):
    np, body = chain(items) if items else (0, b"")
    return bytes([RAW_NEW if new else RAW, to | sa_n << 1, exch,
                  flags]) + struct.pack("!I", msgid) + bytes([np]) + \
        struct.pack("!H", len(body)) + body


def subnet(a, b):
    return ident(4, bytes([10, a, 0, 0, 255, 255, 0, 0]))


def esp_sa(spi, tid=12, auth=5, bits=128, mode=1, life=None, group=None):
    attrs = [tv(1, 1), tlv(2, struct.pack("!I", life or 3600)),
             tv(4, mode), tv(5, auth), tv(6, bits)]
    if group:
        attrs.insert(2, tv(3, group))
    return sa([prop(1, 3, [(tid, attrs)], spi=struct.pack("!I", spi))])


def p1_sa(group=19, hash_alg=4):
    return sa([prop(1, 1, [
        (1, [tv(1, 7), tv(14, 128), tv(2, hash_alg), tv(3, 1),
             tv(4, group), tv(11, 1), tlv(12, struct.pack("!I", 28800))]),
    ])])


def qm1(spi, ci, cr, nonce=b"\x11" * 16, **kw):
    """A Quick Mode message 1's payloads after HASH(1)."""
    return [(SA, esp_sa(spi, **kw)), (NONCE, nonce), (ID, ci), (ID, cr)]


def delete(proto, spi_size, spis):
    return struct.pack("!IBBH", 1, proto, spi_size, len(spis)) + \
        b"".join(spis)


NET_M, NET_S = subnet(1, 1), subnet(2, 2)  # moon's 10.1/16, sun's 10.2/16
R_U_THERE, R_U_THERE_ACK, INITIAL_CONTACT = 36136, 36137, 24578

SEEDS = {
    # Main Mode alone, then the queue emptied; moon's own children.
    "main-only": bytes([SHA256]) + bytes([PUMP]),
    "children": bytes([SHA256]) + cmd(MOON, INITIATE_CHILD, child=NET) +
    bytes([PUMP]) + cmd(SUN, INITIATE_CHILD, child=PFS) + bytes([PUMP]) +
    cmd(MOON, INITIATE_CHILD, child=L2TP) + bytes([PUMP]),
    # A forged Quick Mode to sun (message 1, then 3: sun installs).
    "qm-to-sun": bytes([SHA256]) +
    forge(SUN, qm1(0xc1ffff01, NET_M, NET_S)) + bytes([DROP]) +
    forge(SUN, [], mode=IN_FLIGHT),
    "qm-to-moon": bytes([SHA1_X25519]) +
    forge(MOON, qm1(0xc2ffff01, NET_S, NET_M)) + bytes([DROP]) +
    forge(MOON, [], mode=IN_FLIGHT),
    "qm-to-sun-pfs": bytes([SHA256]) +
    forge(SUN, qm1(0xc1ffff02, ident(1, bytes([192, 0, 2, 1])),
                   ident(1, bytes([192, 0, 2, 2])), mode=2, group=19) +
          [(KE, P256_G)]) + bytes([DROP]) + forge(SUN, [], mode=IN_FLIGHT),
    "qm-to-sun-lifetime": bytes([SHA256]) +
    forge(SUN, qm1(0xc1ffff03, NET_M, NET_S, life=86400)) +
    bytes([DROP]) + forge(SUN, [], mode=IN_FLIGHT),
    # moon's Quick Mode answered by the fuzzer (HASH(2)): moon installs.
    "qm2-to-moon": bytes([SHA256]) + cmd(MOON, INITIATE_CHILD, child=NET) +
    bytes([DROP]) + forge(MOON, qm1(0xc2ffff04, NET_M, NET_S,
                                    nonce=b"\x22" * 20), mode=IN_FLIGHT),
    "qm2-refused": bytes([SHA256]) + cmd(MOON, INITIATE_CHILD, child=NET) +
    bytes([DROP]) + forge(MOON, [(N, notify(14, proto=3))], x=INFO_X),
    # Informationals on a pair from Main Mode and Quick Mode.
    "delete-esp": bytes([SHA256 | START_NET]) +
    forge(SUN, [(D, delete(3, 4, [b"\xc1\x00\x00\x01"]))], x=INFO_X) +
    forge(MOON, [(D, delete(3, 4, [b"\xc2\x00\x00\x01",
                                   b"\xc2\x00\x00\x09"]))], x=INFO_X),
    "delete-isakmp": bytes([SHA256 | START_NET]) +
    forge(SUN, [(N, notify(INITIAL_CONTACT, COOKIE_MARKER)),
                (D, delete(1, 16, [COOKIE_MARKER]))], x=INFO_X) +
    bytes([PUMP]),
    "dpd": bytes([SHA256]) +
    forge(SUN, [(N, notify(R_U_THERE, COOKIE_MARKER,
                           b"\x00\x00\x00\x05"))], x=INFO_X) +
    bytes([PUMP]) + cmd(MOON, LIVENESS) + bytes([DROP]) +
    forge(MOON, [(N, notify(R_U_THERE_ACK, COOKIE_MARKER,
                            b"\x00\x00\x00\x00"))], x=INFO_X) +
    cmd(SUN, LIVENESS) + bytes([NEXT, NEXT, NEXT, NEXT, NEXT, NEXT]),
    "bad-forgeries": bytes([SHA256]) +
    forge(SUN, qm1(0xc1ffff05, NET_M, NET_S), x=BAD_HASH) +
    forge(SUN, qm1(0xc1ffff06, NET_M, NET_S), x=CLEAR) +
    forge(SUN, qm1(0xc1ffff07, NET_M, NET_S), x=NO_HASH) +
    forge(SUN, qm1(0xc1ffff08, NET_M, NET_S), mode=ZERO) +
    forge(SUN, qm1(0xc1ffff09, NET_M, NET_S), mode=GIVEN,
          msgid=0x12345678) + bytes([DUP, PUMP]),
    # Rekeys by either side, and of the ISAKMP SA (v1_rekey.c).
    "rekeys": bytes([SHA256 | START_NET]) + cmd(MOON, REKEY_CHILD) +
    bytes([PUMP]) + cmd(SUN, REKEY_CHILD) + bytes([PUMP]) +
    cmd(MOON, REKEY) + bytes([PUMP, CLOCK, 200, PUMP]),
    "short-life": bytes([SHA256 | START_NET | SHORT_LIFE]) +
    bytes([CLOCK, 80, PUMP, CLOCK, 60, PUMP, NEXT, PUMP]),
    "aggressive": bytes([SHA256 | START_NET | AGGRESSIVE]) +
    bytes([NEXT, PUMP]) + cmd(SUN, INITIATE_CHILD, child=PFS) +
    bytes([PUMP]),
    # Phase 1 under way: lost, repeated, damaged messages.
    "phase1-open": bytes([SHA256 | PHASE1_OPEN]) +
    bytes([DUP, DELIVER, DROP, NEXT, DELIVER, DELIVER, FLIP, 0, 40, 1,
           NEXT, PUMP]),
    "phase1-aggr-open": bytes([SHA1 | AGGRESSIVE | PHASE1_OPEN | IPV6]) +
    bytes([DROP, NEXT, PUMP]),
    # Unprotected phase 1 from a stranger at moon's address.
    "raw-main1": bytes([SHA256]) +
    raw(SUN, MM, [(SA, p1_sa()), (VID, VID_DPD)]) + bytes([DROP]) +
    raw(SUN, MM, [(SA, p1_sa(group=31, hash_alg=2))]) + bytes([PUMP]),
    "raw-aggr1": bytes([SHA256 | AGGRESSIVE]) +
    raw(SUN, AM, [(SA, p1_sa()), (KE, P256_G), (NONCE, b"\x33" * 16),
                  (ID, ident(2, b"moon.example.org")), (VID, VID_DPD)]) +
    bytes([PUMP]),
    "raw-cookies": bytes([SHA256]) +
    raw(SUN, INFO, [(N, notify(24, proto=1))], new=False) +
    raw(MOON, QM, [(HASH, b"\x00" * 32)], new=False, flags=1,
        msgid=0x01020304) +
    raw(SUN, MM, [(KE, P256_G), (NONCE, b"\x44" * 16)], new=False),
    "terminate": bytes([SHA256 | START_NET]) +
    cmd(SUN, TERMINATE_CHILD) + bytes([PUMP]) + cmd(MOON, TERMINATE) +
    bytes([PUMP]) + cmd(MOON, INITIATE) + bytes([PUMP]) +
    cmd(SUN, TERMINATE_ALL),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "corpus", "session_v1")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
