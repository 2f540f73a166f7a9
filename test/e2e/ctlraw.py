#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# A raw control socket client for the end-to-end tests: it does what
# charonctl never does (malformed and over-long lines, never reading,
# leaving mid-request, half-closing, crowding the daemon), and prints each
# reply line it gets so the shell test can check it.
#
#   ctlraw.py SOCKET send LINE...      send the lines, print one reply each
#   ctlraw.py SOCKET long N            a line of N bytes, then a version
#                                      request; print both replies
#   ctlraw.py SOCKET flood N           N list-conns requests, never reading;
#                                      print "dropped" once the daemon
#                                      hangs up on us
#   ctlraw.py SOCKET vanish LINE       send LINE and close at once
#   ctlraw.py SOCKET halfclose LINE    send LINE, shut down our sending
#                                      side, print the reply
#   ctlraw.py SOCKET crowd N           hold N connections, print the first
#                                      line a connection beyond them gets
#   ctlraw.py SOCKET idle N SECS       hold N connections that say nothing;
#                                      print what one beyond them gets, then
#                                      after SECS what another gets for a
#                                      version request, and what the held
#                                      ones got ("closed" once hung up)
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s


def read_line(s, buf):
    while b"\n" not in buf[0]:
        chunk = s.recv(65536)
        if not chunk:
            return None
        buf[0] += chunk
    line, _, rest = buf[0].partition(b"\n")
    buf[0] = rest
    return line.decode("utf-8", "replace")


def main():
    path, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if mode == "send":
        s = connect(path)
        buf = [b""]
        for line in args:
            s.sendall(line.encode("utf-8", "surrogateescape") + b"\n")
            print(read_line(s, buf))
    elif mode == "long":
        s = connect(path)
        buf = [b""]
        s.sendall(b'{"cmd": "version", "pad": "' + b"x" * int(args[0]) +
                  b'"}\n{"id": 2, "cmd": "version"}\n')
        print(read_line(s, buf))
        print(read_line(s, buf))
    elif mode == "flood":
        s = connect(path)
        # The daemon reads a flood at its own pace (sanitizer builds are
        # slow): be patient.
        s.settimeout(300)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        req = b'{"cmd": "list-conns"}\n' * int(args[0])
        try:
            s.sendall(req)
            # Everything is sent; the daemon must hang up on us anyway.
            deadline = time.time() + 10
            while time.time() < deadline:
                time.sleep(0.2)
                s.send(b"\n")
            print("not dropped")
        except (BrokenPipeError, ConnectionResetError):
            print("dropped")
    elif mode == "vanish":
        s = connect(path)
        s.sendall(args[0].encode() + b"\n")
        s.close()
        print("gone")
    elif mode == "halfclose":
        s = connect(path)
        s.sendall(args[0].encode() + b"\n")
        s.shutdown(socket.SHUT_WR)
        print(read_line(s, [b""]))
    elif mode == "crowd":
        held = [connect(path) for _ in range(int(args[0]))]
        time.sleep(0.3)
        extra = connect(path)
        print(read_line(extra, [b""]))
        for s in held:
            s.close()
    elif mode == "idle":
        held = [connect(path) for _ in range(int(args[0]))]
        time.sleep(0.3)
        extra = connect(path)
        print(read_line(extra, [b""]))
        time.sleep(float(args[1]))
        late = connect(path)
        buf = [b""]
        late.sendall(b'{"id": 1, "cmd": "version"}\n')
        print(read_line(late, buf))
        got = set()
        for s in held:
            b = [b""]
            line = read_line(s, b)
            got.add("%s then %s" % (line, "closed" if read_line(s, b) is None
                                    else "open"))
        for g in sorted(got):
            print(g)
    else:
        sys.exit("ctlraw.py: unknown mode " + mode)


main()
