#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# Half-open IKE SAs for the end-to-end tests: IKE_SA_INIT requests (RFC
# 7296 1.2) that a responder answers and then waits on for an IKE_AUTH that
# never comes. The proposal is aes128gcm16-prfsha256-curve25519, whose key
# exchange value may be any 32 bytes, so no cryptography is needed here. A
# COOKIE request (2.6, the daemon under load) is answered by repeating the
# request with the cookie in front.
#
#   ikeinit.py ADDR PORT N    send N requests from one socket, print how
#                             many were answered with an SA, how many
#                             needed a cookie and how many were sent again
#                             after 2 s without an answer
import os
import socket
import struct
import sys
import time

SA, KE, NONCE, NOTIFY = 33, 34, 40, 41
N_COOKIE = 16390


def payload(next_type, body):
    return struct.pack("!BBH", next_type, 0, 4 + len(body)) + body


def transform(last, ttype, tid, attrs=b""):
    body = struct.pack("!BB", ttype, 0) + struct.pack("!H", tid) + attrs
    return struct.pack("!BBH", 0 if last else 3, 0, 4 + len(body)) + body


def sa_body():
    xf = (transform(False, 1, 20, struct.pack("!HH", 0x800E, 128)) +
          transform(False, 2, 5) + transform(True, 4, 31))
    prop = struct.pack("!BBBB", 1, 1, 0, 3) + xf
    return struct.pack("!BBH", 0, 0, 4 + len(prop)) + prop


def request(spi, ke, nonce, cookie=None):
    body = b""
    first = SA
    if cookie is not None:
        first = NOTIFY
        body += payload(SA, struct.pack("!BBH", 0, 0, N_COOKIE) + cookie)
    body += payload(KE, sa_body())
    body += payload(NONCE, struct.pack("!HH", 31, 0) + ke)
    body += payload(0, nonce)
    hdr = spi + bytes(8) + struct.pack("!BBBBII", first, 0x20, 34, 0x08, 0,
                                       28 + len(body))
    return hdr + body


def first_notify(msg):
    """The COOKIE of a response, or None."""
    nxt, off = msg[16], 28
    while nxt and off + 4 <= len(msg):
        plen = struct.unpack("!H", msg[off + 2:off + 4])[0]
        if nxt == NOTIFY and plen >= 8:
            ntype = struct.unpack("!H", msg[off + 6:off + 8])[0]
            if ntype == N_COOKIE:
                return msg[off + 8:off + plen]
        nxt, off = msg[off], off + plen
    return None


def main():
    addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.connect((addr, port))
    s.settimeout(2)
    pending = {}  # SPI -> (ke, nonce, tries)
    answered = cookies = sent = resent = 0
    window = 64
    deadline = time.time() + 600
    while (sent < n or pending) and time.time() < deadline:
        while sent < n and len(pending) < window:
            spi, ke, nonce = os.urandom(8), os.urandom(32), os.urandom(32)
            pending[spi] = (ke, nonce, 0)
            s.send(request(spi, ke, nonce))
            sent += 1
        try:
            msg = s.recv(65536)
        except socket.timeout:
            # Lost in a full socket buffer: ask again.
            for spi, (ke, nonce, tries) in list(pending.items()):
                if tries > 5:
                    del pending[spi]
                    continue
                pending[spi] = (ke, nonce, tries + 1)
                s.send(request(spi, ke, nonce))
                resent += 1
            continue
        if len(msg) < 28 or msg[:8] not in pending:
            continue
        spi = msg[:8]
        ke, nonce, tries = pending[spi]
        cookie = first_notify(msg)
        if cookie is not None:
            cookies += 1
            s.send(request(spi, ke, nonce, cookie))
            continue
        if msg[16] == SA:
            answered += 1
        del pending[spi]
    print("answered %d cookies %d resent %d" % (answered, cookies, resent))


main()
