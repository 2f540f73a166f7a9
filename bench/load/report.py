#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""One Markdown table row of bench/load/run.sh, or the table's header.

    report.py header
    report.py row SUITE RESPONDER N UP T0 T1 CPU0 CPU1 HZ RSS0 RSS1 HEAP0
              HEAP1 RETR FAIL RCVBUF DROPS INI_TICKS INI_LOG

The rates of the first and last 10 % and the latencies come from the
initiator's log (load-tester's charon, the same program for both
responders, timestamps in ms): an IKE SA's setup latency is the time
from its "initiating IKE_SA load-test[K]" line to its "IKE_SA
load-test[K] established" line, so it includes the initiator's own
queueing and work and both round trips. The first 10 % rate is the
first N/10 establishments over the time from the first initiation to
the (N/10)-th establishment; the last 10 % rate the last N/10 over the
time from the (N - N/10)-th to the N-th establishment.
"""
import re
import sys

COLS = [
    ("suite", "l"), ("responder", "l"), ("N", "r"), ("up", "r"),
    ("wall_s", "r"), ("SA/s", "r"), ("first10 SA/s", "r"),
    ("last10 SA/s", "r"), ("last/first", "r"), ("p50_ms", "r"),
    ("p99_ms", "r"), ("cpu_us/SA", "r"), ("rss0_kB", "r"),
    ("rss1_kB", "r"), ("kB/SA", "r"), ("heapB/SA", "r"), ("retr", "r"),
    ("fail", "r"), ("rcvbuf", "r"), ("drops", "r"), ("ini_us/SA", "r"),
]

INIT = re.compile(r"^(\d+\.\d+) .*initiating IKE_SA \S+\[(\d+)\]")
# initflood's "answered" stands for "established" (its IKE SAs end there).
EST = re.compile(
    r"^(\d+\.\d+) .*IKE_SA \S+\[(\d+)\] (?:established between|answered)")


def header():
    print("| " + " | ".join(c for c, _ in COLS) + " |")
    print("|" + "|".join("---" if a == "l" else "--:" for _, a in COLS)
          + "|")


def initiator_times(path):
    """{K: (initiated, established)} from the initiator's log."""
    init, est = {}, {}
    with open(path, errors="replace") as f:
        for line in f:
            if "IKE_SA" not in line:
                continue
            m = INIT.match(line)
            if m:
                # The first initiation: a retransmission is the same
                # attempt, its time is part of the latency.
                init.setdefault(m.group(2), float(m.group(1)))
                continue
            m = EST.match(line)
            if m:
                est.setdefault(m.group(2), float(m.group(1)))
    return {k: (init[k], est[k]) for k in est if k in init}


def percentile(sorted_vals, q):
    if not sorted_vals:
        return float("nan")
    i = min(len(sorted_vals) - 1, max(0, int(round(q * len(sorted_vals))) - 1))
    return sorted_vals[i]


def phases(times):
    """(first10 rate, last10 rate, p50 ms, p99 ms)."""
    if len(times) < 20:
        return (float("nan"),) * 4
    est = sorted(e for _, e in times.values())
    start = min(i for i, _ in times.values())
    n10 = len(est) // 10
    d1 = est[n10 - 1] - start
    d2 = est[-1] - est[-n10 - 1]
    # Timestamps have ms resolution: a span under 10 ms says nothing.
    r1 = n10 / d1 if d1 >= 0.01 else float("nan")
    r2 = n10 / d2 if d2 >= 0.01 else float("nan")
    lat = sorted((e - i) * 1e3 for i, e in times.values())
    return r1, r2, percentile(lat, 0.50), percentile(lat, 0.99)


def row(a):
    (suite, r, n, e, t0, t1, c0, c1, hz, r0, r1, h0, h1, retr, fail,
     rcvbuf, drops, ic, log) = a
    n, e, hz = int(n), int(e), int(hz)
    wall = float(t1) - float(t0)
    per = max(e, 1)
    cpu_us = (int(c1) - int(c0)) * 1e6 / hz / per
    heap = "%.0f" % ((int(h1) - int(h0)) / per) if h0 and h1 else "-"
    f10, l10, p50, p99 = phases(initiator_times(log))
    ratio = l10 / f10 if f10 == f10 and l10 == l10 and f10 > 0 else float(
        "nan")
    vals = [
        suite, r, "{:,}".format(n), "{:,}".format(e), "%.2f" % wall,
        "%.0f" % (e / wall if wall > 0 else 0), "%.0f" % f10, "%.0f" % l10,
        "%.2f" % ratio, "%.1f" % p50, "%.1f" % p99, "%.0f" % cpu_us,
        "{:,}".format(int(r0)), "{:,}".format(int(r1)),
        "%.2f" % ((int(r1) - int(r0)) / per), heap, retr, fail, rcvbuf, drops,
        "%.0f" % (int(ic) * 1e6 / hz / per),
    ]
    print("| " + " | ".join(vals) + " |")


def main():
    if sys.argv[1:2] == ["header"]:
        header()
    elif sys.argv[1:2] == ["row"] and len(sys.argv) == 21:
        row(sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
