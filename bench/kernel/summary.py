#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The kernel-side benchmark's table, from bench/kernel/vm.sh's results.

    summary.py DIR

DIR holds none-N.md and real-N.md (tables of bench/load/report.py rows,
the responder's kernel off and on) and xfrm.txt (per run: suite,
responder, N, kernel, IKE SAs up, SAs and policies in the responder's
XFRM, entries found where there should be none). For each responder and
N: the install cost per tunnel is the real kernel's figure minus the
kernel-off one (responder CPU time, and wall time per tunnel); the
XFRM counts show that the installs happened; last/first is the rate of
the last 10 % of the tunnels over that of the first 10 %, with the kernel
on (a value well under 1 is a sag).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "load"))
import report  # noqa: E402  (the columns of the rows it wrote)

NAMES = [c for c, _ in report.COLS]


def num(s):
    s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return float("nan")


def rows(path):
    """{(responder, N): {column: text}} of one results file."""
    out = {}
    with open(path) as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != len(NAMES) or not cells[2][:1].isdigit():
                continue
            r = dict(zip(NAMES, cells))
            out[(r["responder"], int(num(r["N"])))] = r
    return out


def xfrm(path):
    """{(responder, N, kernel): (up, SAs, policies, stray)}."""
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) == 8:
                    out[(p[1], int(p[2]), p[3])] = tuple(int(x)
                                                         for x in p[4:])
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    res = {"none": {}, "real": {}}
    for name in sorted(os.listdir(d)):
        m = re.match(r"^(none|real)-\d+\.md$", name)
        if m:
            res[m.group(1)].update(rows(os.path.join(d, name)))
    xf = xfrm(os.path.join(d, "xfrm.txt"))
    cols = ["responder", "N", "up off/on", "XFRM SAs", "XFRM policies",
            "cpu_us/SA off", "cpu_us/SA on", "install cpu_us/tunnel",
            "wall_ms/SA off", "wall_ms/SA on", "install wall_ms/tunnel",
            "SA/s off", "SA/s on", "first10 on", "last10 on",
            "last/first off", "last/first on", "retr off/on"]
    print("| " + " | ".join(cols) + " |")
    print("|---|" + "--:|" * (len(cols) - 1))
    bad = False
    for key in sorted(set(res["none"]) | set(res["real"]),
                      key=lambda k: (k[1], k[0])):
        off, on = res["none"].get(key), res["real"].get(key)
        if not off or not on:
            bad = True
            continue
        r, n = key
        up = (int(num(off["up"])), int(num(on["up"])))
        c0, c1 = num(off["cpu_us/SA"]), num(on["cpu_us/SA"])
        w0 = num(off["wall_s"]) * 1e3 / max(up[0], 1)
        w1 = num(on["wall_s"]) * 1e3 / max(up[1], 1)
        x = xf.get((r, n, "real"), (0, -1, -1, -1))
        # Every tunnel must be up and in the kernel: 2 SAs each, and
        # at least its in and out policies; nothing anywhere else.
        if (up != (n, n) or x[1] != 2 * n or x[2] < 2 * n or x[3] != 0
                or xf.get((r, n, "none"), (0, 0, 0, 0))[1:] != (0, 0, 0)):
            bad = True
        print("| " + " | ".join([
            r, "{:,}".format(n), "%d / %d" % up, "{:,}".format(x[1]),
            "{:,}".format(x[2]), "%.0f" % c0, "%.0f" % c1,
            "**%.0f**" % (c1 - c0), "%.2f" % w0, "%.2f" % w1,
            "%.2f" % (w1 - w0), off["SA/s"], on["SA/s"],
            on["first10 SA/s"], on["last10 SA/s"], off["last/first"],
            on["last/first"], "%s / %s" % (off["retr"], on["retr"])]) + " |")
    if bad:
        print("\nbench-kernel: a run is missing, or its SAs or policies "
              "are not all there (see xfrm.txt)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
