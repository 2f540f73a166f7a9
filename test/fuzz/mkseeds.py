#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Writes synthetic seed messages for fuzz_msg into test/fuzz/corpus/msg/.

The real packets captured from strongSwan (test/data/ikev2/*/*.bin) are the
main seeds; these add payloads the captures lack (CP, EAP, CERT, D with
SPIs, unknown and critical payloads) and SK messages whose body is a
plaintext payload chain, which fuzz_msg also frames as an inner chain.
"""
import os
import struct
import sys


def pld(np, body, crit=False):
    return struct.pack("!BBH", np, 0x80 if crit else 0, 4 + len(body)) + body


def chain(items):
    """items: list of (type, body[, crit]); returns (first type, bytes)."""
    out = b""
    for i, it in enumerate(items):
        nxt = items[i + 1][0] if i + 1 < len(items) else 0
        out += pld(nxt, it[1], len(it) > 2 and it[2])
    return (items[0][0] if items else 0), out


def msg(exch, items, flags=0x08, msgid=0, sk=None):
    first, body = chain(items)
    if sk is not None:
        inner_first, inner = chain(sk)
        # no IV, padding or ICV: fuzz_msg frames the body as a chain
        skp = pld(inner_first, inner)
        if body:
            # link the last outer payload to SK
            body = body[:-len(chain(items[-1:])[1])] + \
                pld(46, items[-1][1])
        else:
            first = 46
        body += skp
    hdr = bytes(range(1, 9)) + bytes(8) + struct.pack(
        "!BBBBII", first, 0x20, exch, flags, msgid, 28 + len(body))
    return hdr + body


def xf(t, i, keylen=None, last=True):
    attrs = struct.pack("!HH", 0x800E, keylen) if keylen else b""
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), t, 0,
                       i) + attrs


def prop(num, proto, xfs, spi=b"", last=True):
    body = b"".join(xf(*x, last=(k == len(xfs) - 1))
                    for k, x in enumerate(xfs))
    return struct.pack("!BBHBBBB", 0 if last else 2, 0, 8 + len(spi) +
                       len(body), num, proto, len(spi), len(xfs)) + spi + body


def ts4(a, b, proto=0, sp=0, ep=65535):
    return struct.pack("!BBHHH", 7, proto, 16, sp, ep) + bytes(a) + bytes(b)


def ts6(proto=0):
    return struct.pack("!BBHHH", 8, proto, 40, 0, 65535) + bytes(16) + \
        b"\xff" * 16


ike_sa = prop(1, 1, [(1, 20, 128), (2, 5), (4, 19)], last=False) + \
    prop(2, 1, [(1, 12, 256), (3, 12), (2, 5), (4, 15)])
esp_sa = prop(1, 3, [(1, 20, 128), (5, 0)], spi=b"\xc0\xff\xee\x01")
nonce = bytes(range(32))
seeds = {
    "init-req": msg(34, [(33, ike_sa), (34, struct.pack("!HH", 19, 0) +
                    bytes(64)), (40, nonce),
                    (41, struct.pack("!BBH", 0, 0, 16388) + bytes(20)),
                    (41, struct.pack("!BBH", 0, 0, 16430))]),
    "invalid-ke": msg(34, [(41, struct.pack("!BBHH", 0, 0, 17, 15))],
                      flags=0x20),
    "auth-inner": msg(35, [], msgid=1, sk=[
        (35, b"\x02\x00\x00\x00moon.example.org"),
        (37, b"\x04" + bytes(40)),
        (38, b"\x04" + bytes(20)),
        (39, b"\x02\x00\x00\x00" + bytes(32)),
        (47, struct.pack("!B3xHHHH", 1, 1, 0, 3, 0)),
        (33, esp_sa),
        (44, struct.pack("!B3x", 2) + ts4([10, 1, 0, 0], [10, 1, 255, 255])
         + ts6()),
        (45, struct.pack("!B3x", 1) + ts4([10, 2, 0, 0], [10, 2, 255, 255],
                                          17, 1701, 1701)),
        (41, struct.pack("!BBH", 0, 0, 16391)),
    ]),
    "eap": msg(35, [], msgid=2, sk=[(48, struct.pack("!BBHB", 1, 7, 5, 1)),
                                    (48, struct.pack("!BBH", 3, 7, 4))]),
    "delete": msg(37, [], msgid=3, sk=[
        (42, struct.pack("!BBH", 3, 4, 2) + bytes(range(8))),
        (42, struct.pack("!BBH", 1, 0, 0))]),
    "unknown-critical": msg(37, [(43, b"charond"), (200, b"x" * 8),
                                 (201, b"", True)]),
    "skf": msg(35, [(53, struct.pack("!HH", 1, 2) + bytes(40))]),
}


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "corpus", "msg")
    os.makedirs(outdir, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(outdir, "synth-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
