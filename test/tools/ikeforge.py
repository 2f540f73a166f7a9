#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# ikeforge.py: forged and hostile IKEv2 datagrams for the tests (standard
# library only). Spoofed IPv4 sources go out through a raw socket with
# IP_HDRINCL; without --spoof a plain UDP socket sends (and, where a mode
# says so, receives the answers).
#
#   ikeforge.py [SEND OPTIONS] MODE [MODE OPTIONS]
#
# Send options (before MODE):
#   --to ADDR[:PORT]      the target (port 500 by default; to port 4500 a
#                         non-ESP marker is put in front of each message)
#   --spoof ADDR[:PORT]   source address (and port, default 500) written in
#                         the IPv4 header; repeatable: sources in turn
#   --from ADDR[:PORT]    a real source: plain UDP bound there (port 0: any);
#                         repeatable, and mixable with --spoof
#   --rate N              packets a second at most (0: as fast as possible)
#   --wait S              after sending, collect answers for S seconds
#                         (plain UDP sources only) and count them
#
# Modes (numbers in decimal or 0x hex; LIST: comma-separated, A-B ranges):
#   header --spi-i HEX --spi-r HEX [--exchange LIST] [--msgid LIST]
#          [--flags LIST] [--next LIST] [--body LIST] [--count N]
#       Messages of the cross product of the lists, in turn, until COUNT
#       (default: one of each) are sent. Exchanges by number or name
#       (IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL), flags by
#       letters (I, R, IR, "-" for none) or number, next payload by number
#       or name (none, SA, KE, N, D, SK, SKF). KIND (a list too): none (a
#       28-byte header-only message, whatever the next payload says: the
#       default), delete (a cleartext Delete of the IKE SA), notify:TYPE
#       (a cleartext Notify), sk:N (an Encrypted payload of N random bytes).
#   init-response --spi-i HEX --spi-r HEX [--msgid LIST] [--flags LIST]
#          [--payloads LIST] [--count N]
#       Cleartext IKE_SA_INIT responses (flags R by default), each with
#       payloads sa (SA, KE and Nonce for ecp256, the default) or any KIND.
#   info-response --spi-i HEX --spi-r HEX [--msgid LIST] [--flags LIST]
#          [--body LIST] [--count N]
#       Unsolicited INFORMATIONAL responses (flags R by default).
#   capture --listen ADDR --peer ADDR [--exchange N] [--timeout S]
#          --out FILE
#       Wait for one IKE datagram from PEER to ADDR (port 500 or 4500,
#       marker stripped) of exchange N (any by default) and write it as hex
#       to FILE. Sees datagrams through a raw socket, next to the daemon;
#       prints "listening" once it does. Needs no --to.
#   mangle --in FILE [--count N]
#       Copies of the datagram in FILE (hex), each truncated at a random
#       length or with 1 to 3 random bits flipped (never the unchanged
#       datagram), COUNT in all (default 64).
#   flood [--count N] [--group 19] [--echo-cookies]
#       IKE_SA_INIT requests with random SPIs and nonces and a valid
#       ecp256 public value, offering aes128gcm16-prfsha256-ecp256, from
#       the sources in turn at --rate. --echo-cookies (plain UDP sources
#       only): a COOKIE answer gets the same request again with the
#       cookie in front, once. Prints "flooding" as the first one goes.
#   batch
#       One mode with its options per line of stdin ("#" comments), all
#       sent with the same send options but for a line's own --to, given
#       before its mode ("--to 192.0.2.1:4500 header ..."): one process
#       start for a whole attack (each costs a second or two under
#       emulation). Prints "sent N: LINE" per line.
#
# Output: "sent N in S s" and, with --wait or --echo-cookies, one line
# "answers: init=N cookie=N notify=N other=N silent=N unmatched=N":
# per flood request sent from a plain UDP source, what came back last
# (init: an IKE_SA_INIT response with an SA payload; cookie: a COOKIE
# notify; notify: any other notify; silent: nothing), and the datagrams
# that answer no flood request (in the other modes: every answer); and
# "received: init=N cookie=N notify=N other=N", every datagram that came
# back (with --echo-cookies, the answers to both rounds).
import argparse
import os
import select
import shlex
import socket
import struct
import sys
import time

EXCHANGES = {"IKE_SA_INIT": 34, "IKE_AUTH": 35, "CREATE_CHILD_SA": 36,
             "INFORMATIONAL": 37}
PAYLOADS = {"NONE": 0, "SA": 33, "KE": 34, "IDI": 35, "IDR": 36, "N": 41,
            "D": 42, "NONCE": 40, "SK": 46, "SKF": 53}
F_I, F_V, F_R = 0x08, 0x10, 0x20
N_COOKIE = 16390
NON_ESP = b"\0\0\0\0"

# --- NIST P-256, just enough for valid public values ------------------------
P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1
P256_A = P256_P - 3
P256_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
          0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def ec_add(p, q):
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0]:
        if (p[1] + q[1]) % P256_P == 0:
            return None
        lam = (3 * p[0] * p[0] + P256_A) * pow(2 * p[1], -1, P256_P)
    else:
        lam = (q[1] - p[1]) * pow(q[0] - p[0], -1, P256_P)
    lam %= P256_P
    x = (lam * lam - p[0] - q[0]) % P256_P
    return (x, (lam * (p[0] - x) - p[1]) % P256_P)


def ec_mul(k, p):
    r = None
    while k:
        if k & 1:
            r = ec_add(r, p)
        p = ec_add(p, p)
        k >>= 1
    return r


def p256_pool(n):
    """n valid public values (x || y); small random scalars keep it quick
    under emulation, and the daemon only needs points on the curve."""
    out = []
    for _ in range(n):
        k = int.from_bytes(os.urandom(4), "big") | 1
        x, y = ec_mul(k, P256_G)
        out.append(x.to_bytes(32, "big") + y.to_bytes(32, "big"))
    return out


# --- building messages ------------------------------------------------------
def payload(next_type, body):
    return struct.pack("!BBH", next_type, 0, 4 + len(body)) + body


def chain(parts):
    """parts: [(type, body)...] -> (first type, bytes) with next fields."""
    out = b""
    for i, (_, body) in enumerate(parts):
        nxt = parts[i + 1][0] if i + 1 < len(parts) else 0
        out += payload(nxt, body)
    return (parts[0][0] if parts else 0), out


def header(spi_i, spi_r, next_type, exchange, flags, msgid, body_len):
    return struct.pack("!8s8sBBBBII", spi_i, spi_r, next_type, 0x20,
                       exchange, flags, msgid, 28 + body_len)


def transform(ttype, tid, keylen=None, last=False):
    attrs = struct.pack("!HH", 0x800E, keylen) if keylen else b""
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs),
                       ttype, 0, tid) + attrs


def sa_body(group):
    ts = (transform(1, 20, 128) + transform(2, 5) +
          transform(4, group, last=True))
    return struct.pack("!BBHBBBB", 0, 0, 8 + len(ts), 1, 1, 0, 3) + ts


def ke_body(group, pub):
    return struct.pack("!HH", group, 0) + pub


def notify_body(ntype, data=b""):
    return struct.pack("!BBH", 0, 0, ntype) + data


def delete_ike_body():
    return struct.pack("!BBH", 1, 0, 0)


def body_parts(kind):
    if kind == "none":
        return []
    if kind == "delete":
        return [(42, delete_ike_body())]
    if kind.startswith("sk:"):
        return [(46, os.urandom(int(kind[3:], 0)))]
    if kind.startswith("notify:"):
        return [(41, notify_body(int(kind[7:], 0)))]
    raise SystemExit("unknown body '%s'" % kind)


# --- parsing arguments ------------------------------------------------------
def num_list(text, names=None):
    out = []
    for item in text.split(","):
        item = item.strip()
        if names is not None and item.upper() in names:
            out.append(names[item.upper()])
        elif "-" in item[1:]:
            a, b = item.split("-", 1)
            out.extend(range(int(a, 0), int(b, 0) + 1))
        else:
            out.append(int(item, 0))
    return out


def flag_list(text):
    out = []
    for item in text.split(","):
        if item and all(c in "IRV-" for c in item.upper()):
            f = 0
            for c in item.upper():
                f |= {"I": F_I, "R": F_R, "V": F_V, "-": 0}[c]
            out.append(f)
        else:
            out.append(int(item, 0))
    return out


def spi(text):
    t = text[2:] if text.lower().startswith("0x") else text
    if len(t) != 16:
        raise argparse.ArgumentTypeError("an SPI is 16 hex digits: " + text)
    return bytes.fromhex(t)


def endpoint(text, default_port):
    if text.startswith("["):
        addr, _, port = text[1:].partition("]")
        port = port.lstrip(":")
    elif text.count(":") == 1:
        addr, port = text.split(":")
    else:
        addr, port = text, ""
    return addr, int(port) if port else default_port


# --- sending ----------------------------------------------------------------
def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Source:
    """One sender: spoofed (raw IPv4) or real (plain UDP)."""

    def __init__(self, kind, addr, port, dst):
        self.kind, self.addr, self.port, self.dst = kind, addr, port, dst
        self.answers = {}
        if kind == "raw":
            if ":" in addr:
                raise SystemExit("--spoof works for IPv4 only")
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                      socket.IPPROTO_RAW)
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        else:
            fam = socket.AF_INET6 if ":" in dst[0] else socket.AF_INET
            self.sock = socket.socket(fam, socket.SOCK_DGRAM)
            if addr:
                self.sock.bind((addr, port))
            self.sock.setblocking(False)

    def send(self, data):
        if self.dst[1] == 4500:
            data = NON_ESP + data
        if self.kind == "udp":
            try:
                self.sock.sendto(data, self.dst)
            except BlockingIOError:
                pass
            return
        src = socket.inet_aton(self.addr)
        dst = socket.inet_aton(self.dst[0])
        ulen = 8 + len(data)
        pseudo = src + dst + struct.pack("!BBH", 0, 17, ulen)
        udp = struct.pack("!HHHH", self.port, self.dst[1], ulen, 0) + data
        c = csum(pseudo + udp) or 0xFFFF
        udp = udp[:6] + struct.pack("!H", c) + udp[8:]
        # The kernel fills in the total length, the ID and the checksum.
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0, 64, 17,
                         0, src, dst)
        self.sock.sendto(ip + udp, (self.dst[0], 0))

    def recv_all(self):
        """Datagrams waiting on a plain UDP socket, markers stripped."""
        out = []
        while self.kind == "udp":
            try:
                data, _ = self.sock.recvfrom(65535)
            except BlockingIOError:
                break
            if self.dst[1] == 4500:
                if data[:4] != NON_ESP:
                    continue
                data = data[4:]
            out.append(data)
        return out


class Pacer:
    def __init__(self, rate):
        self.rate, self.n, self.t0 = rate, 0, time.monotonic()

    def tick(self):
        self.n += 1
        if self.rate:
            ahead = self.t0 + self.n / self.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)


def classify(msg):
    """What an answer is: init, cookie, notify or other."""
    if len(msg) < 28:
        return "other", None
    nxt, exch = msg[16], msg[18]
    off = 28
    kinds = []
    while nxt and off + 4 <= len(msg):
        plen = struct.unpack("!H", msg[off + 2:off + 4])[0]
        if plen < 4:
            break
        if nxt == 41 and plen >= 8:
            ntype = struct.unpack("!H", msg[off + 6:off + 8])[0]
            spisz = msg[off + 5]
            if ntype == N_COOKIE:
                return "cookie", msg[off + 8 + spisz:off + plen]
            kinds.append("notify")
        elif nxt == 33:
            kinds.append("sa")
        nxt = msg[off]
        off += plen
    if exch == 34 and "sa" in kinds:
        return "init", None
    return ("notify" if "notify" in kinds else "other"), None


# --- the modes --------------------------------------------------------------
def cross(*lists):
    out = [()]
    for lst in lists:
        out = [o + (x,) for o in out for x in lst]
    return out


def str_list(text):
    return [x.strip() for x in text.split(",") if x.strip()]


def mode_header(a, emit):
    combos = cross(num_list(a.exchange, EXCHANGES), num_list(a.msgid),
                   flag_list(a.flags), num_list(a.next, PAYLOADS),
                   str_list(a.body))
    count = a.count or len(combos)
    for i in range(count):
        exch, msgid, flags, nxt, kind = combos[i % len(combos)]
        parts = body_parts(kind)
        first, body = chain(parts)
        emit(header(a.spi_i, a.spi_r, first if parts else nxt, exch, flags,
                    msgid, len(body)) + body)


def mode_init_response(a, emit):
    combos = cross(num_list(a.msgid), flag_list(a.flags),
                   str_list(a.payloads))
    count = a.count or len(combos)
    pub = p256_pool(1)[0]
    for i in range(count):
        msgid, flags, kind = combos[i % len(combos)]
        if kind == "sa":
            parts = [(33, sa_body(19)), (34, ke_body(19, pub)),
                     (40, os.urandom(32))]
        else:
            parts = body_parts(kind)
        first, body = chain(parts)
        emit(header(a.spi_i, a.spi_r, first, 34, flags, msgid, len(body)) +
             body)


def mode_info_response(a, emit):
    combos = cross(num_list(a.msgid), flag_list(a.flags), str_list(a.body))
    count = a.count or len(combos)
    for i in range(count):
        msgid, flags, kind = combos[i % len(combos)]
        first, body = chain(body_parts(kind))
        emit(header(a.spi_i, a.spi_r, first, 37, flags, msgid, len(body)) +
             body)


def mode_capture(a):
    listen, peer = a.listen, a.peer
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    # The caller may start the exchange to capture once it sees this.
    print("listening", flush=True)
    deadline = time.monotonic() + a.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            raise SystemExit("capture: nothing from %s within %ss" %
                             (peer, a.timeout))
        pkt = s.recv(65535)
        ihl = (pkt[0] & 0x0F) * 4
        if socket.inet_ntoa(pkt[12:16]) != peer or \
                socket.inet_ntoa(pkt[16:20]) != listen:
            continue
        dport = struct.unpack("!H", pkt[ihl + 2:ihl + 4])[0]
        data = pkt[ihl + 8:]
        if dport == 4500:
            if data[:4] != NON_ESP:
                continue
            data = data[4:]
        elif dport != 500:
            continue
        if len(data) < 28 or (a.exchange and data[18] != a.exchange):
            continue
        with open(a.out, "w") as f:
            f.write(data.hex() + "\n")
        print("captured %d bytes: exchange %d, message ID %d, flags 0x%02x"
              % (len(data), data[18], struct.unpack("!I", data[20:24])[0],
                 data[19]))
        return


def mode_mangle(a, emit):
    with open(getattr(a, "in")) as f:
        orig = bytes.fromhex(f.read().strip())
    for i in range(a.count):
        if i % 2 == 0 and len(orig) > 1:
            cut = 1 + int.from_bytes(os.urandom(4), "big") % (len(orig) - 1)
            emit(orig[:cut])
            continue
        m = bytearray(orig)
        for _ in range(1 + os.urandom(1)[0] % 3):
            bit = int.from_bytes(os.urandom(4), "big") % (8 * len(m))
            m[bit // 8] ^= 1 << (bit % 8)
        if bytes(m) == orig:
            m[-1] ^= 1
        emit(bytes(m))


def flood_request(pub, group, cookie=None, spi_i=None, nonce=None):
    spi_i = spi_i or os.urandom(8)
    nonce = nonce or os.urandom(32)
    parts = [(33, sa_body(group)), (34, ke_body(group, pub)), (40, nonce)]
    if cookie is not None:
        parts.insert(0, (41, notify_body(N_COOKIE, cookie)))
    first, body = chain(parts)
    return header(spi_i, b"\0" * 8, first, 34, F_I, 0, len(body)) + body


def parser():
    ap = argparse.ArgumentParser(description="forged IKEv2 datagrams")
    ap.add_argument("--to")
    ap.add_argument("--spoof", action="append", default=[])
    ap.add_argument("--from", dest="real", action="append", default=[])
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--wait", type=float, default=0)
    sub = ap.add_subparsers(dest="mode", required=True)

    def sa_args(p, flags):
        p.add_argument("--spi-i", type=spi, required=True)
        p.add_argument("--spi-r", type=spi, required=True)
        p.add_argument("--msgid", default="0")
        p.add_argument("--flags", default=flags)
        p.add_argument("--count", type=int, default=0)

    p = sub.add_parser("header")
    sa_args(p, "I")
    p.add_argument("--exchange", default="INFORMATIONAL")
    p.add_argument("--next", default="none")
    p.add_argument("--body", default="none")
    p = sub.add_parser("init-response")
    sa_args(p, "R")
    p.add_argument("--payloads", default="sa")
    p = sub.add_parser("info-response")
    sa_args(p, "R")
    p.add_argument("--body", default="none")
    p = sub.add_parser("capture")
    p.add_argument("--listen", required=True)
    p.add_argument("--peer", required=True)
    p.add_argument("--exchange", type=int, default=0)
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("--out", required=True)
    p = sub.add_parser("mangle")
    p.add_argument("--in", required=True)
    p.add_argument("--count", type=int, default=64)
    p = sub.add_parser("flood")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--group", type=int, default=19)
    p.add_argument("--echo-cookies", action="store_true")
    sub.add_parser("batch")
    return ap


def main():
    ap = parser()
    a = ap.parse_args()
    if a.mode == "capture":
        mode_capture(a)
        return
    if not a.to:
        ap.error("--to is needed to send")
    dst = endpoint(a.to, 500)
    sources = [Source("raw", *endpoint(s, 500), dst) for s in a.spoof]
    sources += [Source("udp", *endpoint(s, 0), dst) for s in a.real]
    if not sources:
        sources = [Source("udp", "", 0, dst)]
    pacer = Pacer(a.rate)
    sent = [0]
    # Per plain UDP source: initiator SPI -> [request, KE, what came back].
    pending = [{} for _ in sources]
    unmatched = [0]
    # Every datagram received, by kind.
    got = {"init": 0, "cookie": 0, "notify": 0, "other": 0}

    def emit(data, src=None):
        src = src if src is not None else sent[0] % len(sources)
        sources[src].send(data)
        sent[0] += 1
        pacer.tick()
        return src

    def collect(seconds):
        end = time.monotonic() + seconds
        socks = [s.sock for s in sources if s.kind == "udp"]
        while socks:
            for i, s in enumerate(sources):
                for msg in s.recv_all():
                    key = msg[:8]
                    got[classify(msg)[0]] += 1
                    if key in pending[i]:
                        pending[i][key][2] = classify(msg)
                    else:
                        unmatched[0] += 1
            left = end - time.monotonic()
            if left <= 0:
                break
            select.select(socks, [], [], left)

    def flood(a):
        pool = p256_pool(4)
        # The caller may time the flood from here.
        print("flooding", flush=True)
        for i in range(a.count):
            pub = pool[i % len(pool)]
            req = flood_request(pub, a.group)
            s = emit(req)
            if sources[s].kind == "udp":
                pending[s][req[:8]] = [req, pub, ("silent", None)]
            if i % 64 == 63:
                collect(0)
        if not a.echo_cookies:
            return
        collect(max(a.wait, 1))
        for s, reqs in enumerate(pending):
            for key, (req, pub, (kind, cookie)) in list(reqs.items()):
                if kind != "cookie":
                    continue
                # The same request, the cookie in front (RFC 7296 2.6).
                again = flood_request(pub, a.group, cookie, key, req[-32:])
                reqs[key] = [again, pub, ("silent", None)]
                emit(again, s)

    def run(a):
        before = sent[0]
        for src in sources:
            src.dst = endpoint(a.to, 500)
        if a.mode == "flood":
            flood(a)
        elif a.mode == "header":
            mode_header(a, emit)
        elif a.mode == "init-response":
            mode_init_response(a, emit)
        elif a.mode == "info-response":
            mode_info_response(a, emit)
        elif a.mode == "mangle":
            mode_mangle(a, emit)
        else:
            raise SystemExit("%s: not in a batch" % a.mode)
        return sent[0] - before

    t0 = time.monotonic()
    if a.mode == "batch":
        # One line per mode with its options; the send options are ours.
        prefix = sys.argv[1:sys.argv.index("batch")]
        for line in sys.stdin:
            words = shlex.split(line, comments=True)
            if words:
                print("sent %d: %s" % (run(ap.parse_args(prefix + words)),
                                       " ".join(words)))
    else:
        run(a)
    print("sent %d in %.2f s" % (sent[0], time.monotonic() - t0))
    if a.wait or (a.mode == "flood" and a.echo_cookies):
        collect(a.wait or 1)
        n = {"init": 0, "cookie": 0, "notify": 0, "other": 0, "silent": 0}
        for reqs in pending:
            for _, _, (kind, _) in reqs.values():
                n[kind] += 1
        n["unmatched"] = unmatched[0]
        print("answers: " + " ".join("%s=%d" % kv for kv in n.items()))
        print("received: " + " ".join("%s=%d" % kv for kv in got.items()))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
