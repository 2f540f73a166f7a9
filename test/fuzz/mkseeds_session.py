#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Writes seed programs for fuzz_session into test/fuzz/corpus/session/.

A program is one configuration byte and then operations (fuzz_session.c,
run_op). The forged messages carry inner payload chains built here; the
harness seals them with the sender's real keys at run time, so they stay
valid whatever the keys. The SPIs are the fake kernel's: moon allocates
c1000001, c1000002, ... and sun c2000001, ...
"""
import os
import struct
import sys

from mkseeds import chain, prop, ts4

DELIVER, DELIVER_AT, DROP, DUP, FLIP, CLOCK, NEXT, CMD, FORGE, RESEAL, \
    PUMP, KFAIL, RAW = 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15
# commands (op_cmd)
INITIATE, INITIATE_CHILD, REKEY, REKEY_CHILD, TERMINATE, TERMINATE_CHILD, \
    TERMINATE_ALL, LIST = range(8)
# children of "site", as op_cmd names them
NET, PFS, WEB = 0, 1, 2
MOON, SUN = 0, 1
# configuration byte
GCM, CBC, CHACHA, ECP = 0, 1, 2, 3
ANY_ID, SHORT_REKEY, ADDR_ID, IPV6, ROAM = 4, 8, 16, 32, 64

PL_SA, PL_KE, PL_IDI, PL_IDR, PL_AUTH, PL_NONCE, PL_N, PL_D, PL_TSI, \
    PL_TSR = 33, 34, 35, 36, 39, 40, 41, 42, 44, 45
AUTH_MAGIC = b"fuzz-authenticated"  # fuzz_session's forged_auth


def cmd(host, c, sa=0, child=0):
    return bytes([CMD, host | c << 1, sa | child << 4])


def forge(frm, response, exchange, items, mode=0, sa=0, msgid=None):
    """exchange: None (what the victim expects), "auth", "create", "info",
    or a raw exchange type from 34 to 49."""
    a = frm | sa << 1 | (0x10 if response else 0) | mode << 5
    if exchange is None:
        x = 0
    elif isinstance(exchange, int):
        x = 0xf0 | (exchange - 34)
    else:
        x = {"auth": 1, "create": 2, "info": 3}[exchange]
    np, body = chain(items) if items else (0, b"")
    out = bytes([FORGE, a, x])
    if mode == 6:
        out += struct.pack("!I", msgid)
    return out + bytes([np]) + struct.pack("!H", len(body)) + body


def reseal(edits, cut=False):
    out = bytes([RESEAL, len(edits) | (0x80 if cut else 0)])
    for pos, x in edits:
        out += struct.pack("!HB", pos, x)
    return out


def ident(name):
    return b"\x02\x00\x00\x00" + name  # FQDN


def auth(data=AUTH_MAGIC, method=2):
    return bytes([method, 0, 0, 0]) + data


def notify(ntype, proto=0, spi=b"", data=b""):
    return struct.pack("!BBH", proto, len(spi), ntype) + spi + data


def delete(proto, spis=(), spi_size=4):
    return struct.pack("!BBH", proto, spi_size if spis else 0,
                       len(spis)) + b"".join(spis)


def ke(group=31, n=32, fill=0x42):
    return struct.pack("!HH", group, 0) + bytes([fill]) * n


def ts(*sels):
    return struct.pack("!B3x", len(sels)) + b"".join(sels)


def spi(v):
    return struct.pack("!I", v)


NONCE = bytes(range(32))
NET_M = ts4([10, 1, 0, 0], [10, 1, 255, 255])
NET_S = ts4([10, 2, 0, 0], [10, 2, 255, 255])
HOST_M = ts4([192, 0, 2, 1], [192, 0, 2, 1])
HOST_S = ts4([192, 0, 2, 2], [192, 0, 2, 2])
TRANSPORT = (PL_N, notify(16391))


def esp_gcm(s):
    return prop(1, 3, [(1, 20, 128), (5, 0)], spi=spi(s))


def esp_pfs(s):
    return prop(1, 3, [(1, 12, 128), (3, 12), (4, 31), (5, 1)], spi=spi(s))


def esp_ecp(s):
    return prop(1, 3, [(1, 20, 256), (4, 19), (5, 0)], spi=spi(s))


def ike_prop(s):
    return prop(1, 1, [(1, 20, 128), (2, 5), (4, 31)], spi=s)


def child_items(esp, tsi, tsr):
    return [(PL_SA, esp), (PL_TSI, ts(tsi)), (PL_TSR, ts(tsr))]


seeds = {
    # real exchanges only: set-up, timers, commands
    "up-gcm": bytes([GCM, PUMP]),
    "timers-cbc": bytes([CBC | SHORT_REKEY, PUMP, CLOCK, 0xff, PUMP, NEXT,
                         PUMP, CLOCK, 0xff, PUMP, NEXT, PUMP, CLOCK, 0x80,
                         PUMP]),
    "commands-chacha": bytes([CHACHA | ANY_ID, PUMP]) +
    cmd(SUN, INITIATE_CHILD, child=PFS) + bytes([PUMP]) +
    cmd(MOON, REKEY_CHILD) + bytes([PUMP]) + cmd(SUN, REKEY) +
    bytes([PUMP]) + cmd(MOON, TERMINATE_CHILD, child=1) + bytes([PUMP]) +
    cmd(SUN, LIST) + cmd(SUN, TERMINATE) + bytes([PUMP]),
    "web-ecp": bytes([ECP, PUMP]) + cmd(MOON, INITIATE_CHILD, child=WEB) +
    bytes([PUMP]) + cmd(MOON, INITIATE) + bytes([PUMP]),
    "ipv6-address-ids": bytes([CHACHA | ADDR_ID | IPV6, PUMP]) +
    cmd(MOON, INITIATE_CHILD, child=PFS) + bytes([PUMP]) +
    cmd(SUN, INITIATE_CHILD, child=WEB) + bytes([PUMP]),
    # both ends at once
    "collide-child-rekey": bytes([GCM, PUMP]) + cmd(MOON, REKEY_CHILD) +
    cmd(SUN, REKEY_CHILD) + bytes([PUMP, NEXT, PUMP, NEXT, PUMP]),
    "collide-ike-rekey": bytes([CBC, PUMP]) + cmd(MOON, REKEY) +
    cmd(SUN, REKEY) + bytes([PUMP, NEXT, PUMP, NEXT, PUMP]),
    "delete-during-child-rekey": bytes([GCM, PUMP]) +
    cmd(MOON, REKEY_CHILD) + cmd(SUN, TERMINATE_CHILD) +
    bytes([PUMP, NEXT, PUMP]),
    "terminate-during-ike-rekey": bytes([GCM, PUMP]) + cmd(MOON, REKEY) +
    cmd(SUN, TERMINATE) + bytes([PUMP, NEXT, PUMP]),
    "child-rekey-across-ike-rekey": bytes([GCM, PUMP]) + cmd(MOON, REKEY) +
    bytes([DELIVER]) + cmd(SUN, REKEY_CHILD, sa=1) +
    cmd(SUN, REKEY_CHILD) + bytes([PUMP, NEXT, PUMP]),
    "lossy": bytes([GCM, DUP, DELIVER, DROP, NEXT, DELIVER, FLIP, 0, 0x30,
                    0x40, NEXT, PUMP, NEXT, PUMP]),
    "kernel-fails": bytes([GCM, KFAIL, 2, PUMP, KFAIL, 1]) +
    cmd(MOON, INITIATE_CHILD, child=PFS) + bytes([PUMP, KFAIL, 3]) +
    cmd(SUN, INITIATE_CHILD, child=NET) + bytes([PUMP]),
    # IKE_AUTH forged, to the responder and to the initiator
    "auth-request-forged": bytes([GCM, DROP]) +
    forge(MOON, False, "auth", [
        (PL_IDI, ident(b"moon.example.org")), (PL_AUTH, auth()),
        (PL_N, notify(16384))] +
        child_items(esp_gcm(0xc1000009), NET_M, NET_S)) + bytes([PUMP]),
    "auth-request-forged-transport": bytes([GCM | ANY_ID, DROP]) +
    forge(MOON, False, "auth", [
        (PL_IDI, ident(b"mallory")), (PL_AUTH, auth()), TRANSPORT] +
        child_items(esp_pfs(0xc1000009), HOST_M, HOST_S)) + bytes([PUMP]),
    "auth-request-forged-roaming": bytes([GCM | ROAM, DROP]) +
    forge(MOON, False, "auth", [
        (PL_IDI, ident(b"mallory")), (PL_AUTH, auth())] +
        child_items(esp_gcm(0xc1000009), NET_M, NET_S)) + bytes([PUMP]),
    "auth-response-forged": bytes([GCM, DELIVER, DROP]) +
    forge(SUN, True, None, [
        (PL_IDR, ident(b"sun.example.org")), (PL_AUTH, auth())] +
        child_items(esp_gcm(0xc2000009), NET_M, NET_S)) + bytes([PUMP]),
    "auth-response-forged-child-refused": bytes([CBC, DELIVER, DROP]) +
    forge(SUN, True, None, [
        (PL_IDR, ident(b"sun.example.org")), (PL_AUTH, auth()),
        (PL_N, notify(38))]) + bytes([PUMP]),
    "auth-response-at-child-rekey": bytes([GCM, PUMP]) +
    cmd(MOON, REKEY_CHILD) +
    forge(SUN, True, "auth", [
        (PL_IDR, ident(b"sun.example.org")), (PL_AUTH, auth())] +
        child_items(esp_gcm(0xc2000009), NET_M, NET_S)) + bytes([PUMP]),
    "auth-response-at-ike-rekey": bytes([GCM, PUMP]) + cmd(MOON, REKEY) +
    forge(SUN, True, "auth", [
        (PL_IDR, ident(b"sun.example.org")), (PL_AUTH, auth())]) +
    bytes([PUMP]),
    "auth-request-when-established": bytes([GCM, PUMP]) +
    forge(MOON, False, "auth", [
        (PL_IDI, ident(b"moon.example.org")), (PL_AUTH, auth())] +
        child_items(esp_gcm(0xc1000009), NET_M, NET_S)) + bytes([PUMP]),
    # CREATE_CHILD_SA forged, with a KE, both ways, requests and responses
    "create-child-ke-to-responder": bytes([GCM, PUMP]) +
    forge(MOON, False, "create", [
        TRANSPORT, (PL_SA, esp_pfs(0xc1000010)), (PL_NONCE, NONCE),
        (PL_KE, ke()), (PL_TSI, ts(HOST_M)), (PL_TSR, ts(HOST_S))]) +
    bytes([PUMP]),
    "create-child-ke-to-initiator": bytes([CBC, PUMP]) +
    forge(SUN, False, "create", [
        TRANSPORT, (PL_SA, esp_pfs(0xc2000010)), (PL_NONCE, NONCE),
        (PL_KE, ke()), (PL_TSI, ts(HOST_S)), (PL_TSR, ts(HOST_M))]) +
    bytes([PUMP]),
    "create-child-wrong-group": bytes([GCM, PUMP]) +
    forge(SUN, False, "create", [
        TRANSPORT, (PL_SA, esp_pfs(0xc2000010)), (PL_NONCE, NONCE),
        (PL_KE, ke(19, 64)), (PL_TSI, ts(HOST_S)), (PL_TSR, ts(HOST_M))]) +
    bytes([PUMP]),
    "create-child-duplicate-spi": bytes([GCM, PUMP]) +
    forge(SUN, False, "create", [
        (PL_SA, esp_gcm(0xc2000001)), (PL_NONCE, NONCE),
        (PL_TSI, ts(NET_S)), (PL_TSR, ts(NET_M))]) + bytes([PUMP]),
    "create-child-invalid-ecp-point": bytes([GCM, PUMP]) +
    forge(SUN, False, "create", [
        TRANSPORT, (PL_SA, esp_ecp(0xc2000010)), (PL_NONCE, NONCE),
        (PL_KE, ke(19, 64, 0x07)), (PL_TSI, ts(HOST_S)),
        (PL_TSR, ts(HOST_M))]) + bytes([PUMP]),
    "ike-rekey-invalid-ecp-point": bytes([ECP, PUMP]) +
    forge(MOON, False, "create", [
        (PL_SA, prop(1, 1, [(1, 20, 128), (2, 5), (4, 19)],
                     spi=b"\x33" * 8)),
        (PL_NONCE, NONCE), (PL_KE, ke(19, 64, 0x07))]) + bytes([PUMP]),
    "create-child-rekey-forged": bytes([GCM, PUMP]) +
    forge(SUN, False, "create", [
        (PL_N, notify(16393, 3, spi(0xc2000001))),
        (PL_SA, esp_gcm(0xc2000010)), (PL_NONCE, NONCE),
        (PL_TSI, ts(NET_S)), (PL_TSR, ts(NET_M))]) + bytes([PUMP]),
    "create-child-response-ke": bytes([GCM, PUMP]) +
    cmd(MOON, INITIATE_CHILD, child=PFS) +
    forge(SUN, True, None, [
        TRANSPORT, (PL_SA, esp_pfs(0xc2000011)), (PL_NONCE, NONCE),
        (PL_KE, ke()), (PL_TSI, ts(HOST_M)), (PL_TSR, ts(HOST_S))]) +
    bytes([DROP, PUMP]),
    "create-child-response-refused": bytes([GCM, PUMP]) +
    cmd(MOON, REKEY_CHILD) +
    forge(SUN, True, None, [(PL_N, notify(43))]) + bytes([DROP, PUMP]),
    "ike-rekey-forged": bytes([GCM, PUMP]) +
    forge(MOON, False, "create", [
        (PL_SA, ike_prop(b"\x11" * 8)), (PL_NONCE, NONCE),
        (PL_KE, ke())]) + bytes([PUMP]),
    "ike-rekey-response-forged": bytes([GCM, PUMP]) + cmd(MOON, REKEY) +
    forge(SUN, True, None, [
        (PL_SA, ike_prop(b"\x22" * 8)), (PL_NONCE, NONCE),
        (PL_KE, ke())]) + bytes([DROP, PUMP]) + cmd(MOON, REKEY_CHILD) +
    bytes([PUMP]),
    # INFORMATIONAL forged: DELETE payloads of both kinds
    "info-delete-both-kinds": bytes([GCM, PUMP]) +
    forge(SUN, False, "info", [
        (PL_D, delete(3, [spi(0xc2000001), spi(0xdeadbeef)])),
        (PL_D, delete(1))]) + bytes([PUMP]),
    "info-delete-both-kinds-to-responder": bytes([GCM, PUMP]) +
    forge(MOON, False, "info", [
        (PL_D, delete(1)), (PL_D, delete(3, [spi(0xc1000001)]))]) +
    bytes([PUMP]),
    "info-delete-response": bytes([GCM, PUMP]) +
    cmd(MOON, TERMINATE_CHILD) +
    forge(SUN, True, None, [(PL_D, delete(3, [spi(0xc2000001)]))]) +
    bytes([DROP, PUMP]),
    "info-liveness-and-critical": bytes([GCM, PUMP]) +
    forge(SUN, False, "info", []) + bytes([PUMP]) +
    forge(MOON, False, "info", [(200, b"", True)]) + bytes([PUMP]),
    # authentic messages, edited and sealed again
    "reseal-auth": bytes([GCM]) + reseal([(0x30, 0x01)]) + bytes([DELIVER]) +
    reseal([(0x50, 0x80)]) + bytes([PUMP]),
    "reseal-cut": bytes([CBC, PUMP]) + cmd(MOON, REKEY_CHILD) +
    reseal([(0x40, 0x00)], cut=True) + bytes([PUMP]),
    # in the clear, with the right SPIs
    "raw-info": bytes([GCM, PUMP, RAW, 0x00, 37, 0, 0, 0, 2, 0, 9,
                       46, 0, 0, 0, 8, 1, 2, 3, 4, PUMP]),
}


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "corpus", "session")
    os.makedirs(outdir, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
