#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Writes hand-made IKEv1 seed messages for fuzz_v1msg into
test/fuzz/corpus/v1msg/: one of each exchange's typical messages, with
every payload the codec decodes. Encrypted messages carry their plaintext
(chain and padding) as the body, which fuzz_v1msg frames as decrypted.
"""
import os
import struct
import sys

SA, P, T, KE, ID, CERT, CR, HASH, SIG, NONCE, N, D, VID = range(1, 14)
ATTR, NAT_D, NAT_OA, NAT_D_DRAFT, NAT_OA_DRAFT = 14, 20, 21, 130, 131
MM, AM, INFO, TRANS, QM = 2, 4, 5, 6, 32
E = 0x01


def chain(items):
    """items: list of (type, body); returns (first type, bytes)."""
    out = b""
    for i, (_, body) in enumerate(items):
        nxt = items[i + 1][0] if i + 1 < len(items) else 0
        out += struct.pack("!BBH", nxt, 0, 4 + len(body)) + body
    return (items[0][0] if items else 0), out


def msg(exch, items, flags=0, msgid=0, padding=b""):
    first, body = chain(items)
    body += padding
    hdr = bytes(range(1, 9)) + bytes(range(9, 17)) + struct.pack(
        "!BBBBII", first, 0x10, exch, flags, msgid, 28 + len(body))
    return hdr + body


def tv(t, v):
    return struct.pack("!HH", 0x8000 | t, v)


def tlv(t, v):
    return struct.pack("!HH", t, len(v)) + v


def xf(num, tid, attrs, last):
    body = struct.pack("!BBH", num, tid, 0) + b"".join(attrs)
    return struct.pack("!BBH", 0 if last else T, 0, 4 + len(body)) + body


def prop(num, proto, xfs, spi=b"", last=True):
    body = b"".join(xf(i + 1, t, a, i == len(xfs) - 1)
                    for i, (t, a) in enumerate(xfs))
    body = struct.pack("!BBBB", num, proto, len(spi), len(xfs)) + spi + body
    return struct.pack("!BBH", 0 if last else P, 0, 4 + len(body)) + body


def sa(props):
    return struct.pack("!II", 1, 1) + b"".join(props)


P1 = sa([prop(1, 1, [
    (1, [tv(1, 7), tv(14, 128), tv(2, 4), tv(3, 1), tv(4, 14), tv(11, 1),
         tlv(12, struct.pack("!I", 28800))]),
    (1, [tv(1, 5), tv(2, 2), tv(3, 1), tv(4, 2), tv(11, 1), tv(12, 3600)]),
])])
QM_SA = sa([
    prop(1, 3, [(12, [tv(1, 1), tlv(2, b"\x00\x00\x0e\x10"), tv(4, 1),
                      tv(5, 2), tv(6, 128)])], spi=b"\xc0\xff\xee\x01",
         last=False),
    prop(1, 4, [(2, [tv(4, 1)])], spi=b"\x12\x34"),
])
VID_3947 = bytes.fromhex("4a131c81070358455c5728f20e95452f")
VID_DPD = bytes.fromhex("afcad71368a1f1c96b8696fc77570100")
COOKIES = bytes(range(1, 17))


def ident(t, data, proto=0, port=0):
    return struct.pack("!BBH", t, proto, port) + data


def notify(t, spi=b"", data=b"", proto=1, doi=1):
    return struct.pack("!IBBH", doi, proto, len(spi), t) + spi + data


SEEDS = {
    "mm1": msg(MM, [(SA, P1), (VID, VID_3947), (VID, VID_DPD)]),
    "mm3": msg(MM, [(KE, bytes(range(128))), (NONCE, bytes(32)),
                    (NAT_D, bytes(20)), (NAT_D, bytes(range(20)))]),
    "mm5": msg(MM, [(ID, ident(1, bytes([192, 0, 2, 1]), 17, 500)),
                    (HASH, bytes(32)), (N, notify(24578, COOKIES))],
               flags=E, padding=bytes(7)),
    "mm5-cert": msg(MM, [(ID, ident(9, bytes.fromhex("3000"))),
                         (CERT, b"\x04" + bytes(40)), (CR, b"\x04"),
                         (SIG, bytes(64))], flags=E, padding=b"\x00\x03"),
    "am1": msg(AM, [(SA, P1), (KE, bytes(256)), (NONCE, bytes(16)),
                    (ID, ident(2, b"vpn.example.org")),
                    (VID, VID_3947), (NAT_D_DRAFT, bytes(20))]),
    "qm1": msg(QM, [(HASH, bytes(20)), (SA, QM_SA), (NONCE, bytes(8)),
                    (KE, bytes(64)),
                    (ID, ident(4, bytes([10, 1, 0, 0, 255, 255, 255, 0]))),
                    (ID, ident(8, bytes(32))),
                    (NAT_OA, ident(1, bytes([192, 168, 0, 1]))),
                    (NAT_OA_DRAFT, ident(5, bytes(16)))],
               flags=E, msgid=0xdeadbeef, padding=bytes(4)),
    "info-dpd": msg(INFO, [(HASH, bytes(20)),
                           (N, notify(36136, COOKIES, b"\x00\x00\x00\x01"))],
                    flags=E, msgid=7),
    "info-delete": msg(INFO, [(HASH, bytes(20)),
                              (D, struct.pack("!IBBH", 1, 3, 4, 2) +
                               bytes(range(8))),
                              (D, struct.pack("!IBBH", 1, 1, 16, 1) +
                               COOKIES)], flags=E, msgid=8),
    "info-clear": msg(INFO, [(N, notify(14, proto=1))]),
    "transaction": msg(TRANS, [(HASH, bytes(20)),
                               (ATTR, struct.pack("!BBH", 1, 0, 0) +
                                tv(1, 0) + tlv(16521, b"user"))],
                       flags=E, msgid=9),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "corpus", "v1msg")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
