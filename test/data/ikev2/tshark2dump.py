#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Turn tshark's dissection of IKEv2 packets into charond's normalized text.

Usage: tshark2dump.py [--allow-undecrypted] PDML OUTDIR

PDML is the output of `tshark -T pdml` for a capture (ideally filtered with
`-Y isakmp` and given the IKEv2 decryption table so that SK payloads are
decrypted). For every IKE message, in capture order, the script writes into
OUTDIR:

  NN-<exchange>-<i|r>.bin     the message's bytes (the UDP payload, without
                              the 4-byte non-ESP marker on port 4500)
  NN-<exchange>-<i|r>.expect  tshark's dissection in the normalized format
                              described in README.md

NN counts from 01, <exchange> is init/auth/child/info (or xN for another
exchange type N) and i/r says whether the original initiator (I flag set)
or the original responder sent it.

Every value written to an .expect file comes from a field tshark dissected;
nothing here parses the message bytes itself, so the result is an
independent reference for charond's own decoder. The only bytes copied
verbatim are the .bin files (tshark's udp.payload field).

Unless --allow-undecrypted is given, an SK payload that tshark did not
decrypt, or whose integrity check tshark did not report as correct, is an
error.
"""

import argparse
import os
import sys
import xml.etree.ElementTree as ET

EXCHANGES = {34: "init", 35: "auth", 36: "child", 37: "info"}

# Payload types (RFC 7296 section 3.2, RFC 7383).
PT_SA, PT_KE, PT_IDI, PT_IDR, PT_CERT, PT_CERTREQ = 33, 34, 35, 36, 37, 38
PT_AUTH, PT_NONCE, PT_N, PT_D, PT_V, PT_TSI, PT_TSR = 39, 40, 41, 42, 43, 44, 45
PT_SK, PT_CP, PT_EAP, PT_SKF = 46, 47, 48, 53
PT_PROPOSAL, PT_TRANSFORM = 2, 3


class DissectionError(Exception):
    """tshark's tree lacks something the normalized format needs."""


def children(el, name):
    """Direct child <field> elements called name."""
    return [c for c in el if c.tag == "field" and c.get("name") == name]


def child(el, name):
    """The one direct child field called name."""
    found = children(el, name)
    if len(found) != 1:
        raise DissectionError(
            "expected one %s under %s, found %d"
            % (name, el.get("name") or el.get("showname"), len(found)))
    return found[0]


def opt_child(el, name):
    found = children(el, name)
    if len(found) > 1:
        raise DissectionError("more than one %s" % name)
    return found[0] if found else None


def num(field):
    """A field's numeric value as tshark shows it (decimal or 0x hex)."""
    return int(field.get("show"), 0)


def hexv(field):
    """A field's raw value as lowercase hex, '-' when empty or absent."""
    if field is None:
        return "-"
    value = (field.get("value") or "").lower()
    return value if value else "-"


def cnum(el, name):
    return num(child(el, name))


def chex(el, name):
    return hexv(child(el, name))


def data_of(container):
    """Bytes of a field that tshark only shows through sub-fields (such as
    isakmp.id.data, which holds an isakmp.id.data.fqdn/ipv4_addr/...):
    the field's own value if it has one, else that of its one sub-field
    covering the whole of it."""
    own = hexv(container)
    if own != "-":
        return own
    size = int(container.get("size", "0"))
    if size == 0:
        return "-"
    subs = [c for c in container if c.tag == "field" and c.get("value")
            and int(c.get("size", "-1")) == size]
    if len(subs) != 1:
        raise DissectionError("cannot find the value of %s"
                              % container.get("name"))
    return hexv(subs[0])


def cert_data(pld):
    """A CERT payload's certificate. tshark dissects an X.509 certificate
    into its parts and gives isakmp.cert.data no value of its own, nor any
    sub-field covering all of it; the payload field's value is the whole
    payload, though: the certificate follows its 4-byte generic header and
    the encoding octet, and must be as long as tshark says it is."""
    data = child(pld, "isakmp.cert.data")
    own = hexv(data)
    if own != "-":
        return own
    whole = hexv(pld)
    size = int(data.get("size", "-1"))
    if whole == "-" or len(whole) != 2 * (5 + size):
        raise DissectionError("CERT payload value does not hold the "
                              "certificate")
    return whole[10:]


def payloads(el):
    """The direct child payload fields of el."""
    return children(el, "isakmp.typepayload")


def body_sa(pld, out):
    for prop in payloads(pld):
        if num(prop) != PT_PROPOSAL:
            raise DissectionError("SA holds a non-proposal substructure")
        spisize = cnum(prop, "isakmp.spisize")
        spi = hexv(opt_child(prop, "isakmp.spi")) if spisize else "-"
        out.append("prop num=%d proto=%d spisize=%d spi=%s ntf=%d" % (
            cnum(prop, "isakmp.prop.number"),
            cnum(prop, "isakmp.prop.protoid"), spisize, spi,
            cnum(prop, "isakmp.prop.transforms")))
        for xf in payloads(prop):
            if num(xf) != PT_TRANSFORM:
                raise DissectionError("proposal holds a non-transform")
            ids = [c for c in xf if c.tag == "field"
                   and c.get("name", "").startswith("isakmp.tf.id.")]
            if len(ids) != 1:
                raise DissectionError("transform without one ID field")
            keylen = "-"
            for attr in children(xf, "isakmp.ike2.attr"):
                kl = opt_child(attr, "isakmp.ike2.attr.key_length")
                if kl is not None:
                    keylen = str(num(kl))
            out.append("xf type=%d id=%d keylen=%s" % (
                cnum(xf, "isakmp.tf.type"), num(ids[0]), keylen))


def body_notify(pld, out):
    spisize = cnum(pld, "isakmp.spisize")
    spi = hexv(opt_child(pld, "isakmp.spi")) if spisize else "-"
    if spisize and spi == "-":
        raise DissectionError("notify SPI missing")
    data = opt_child(pld, "isakmp.notify.data")
    value = hexv(data)
    if value == "-" and cnum(pld, "isakmp.payloadlength") > 8 + spisize:
        raise DissectionError("notify data not shown")
    out.append("notify proto=%d spisize=%d type=%d spi=%s data=%s" % (
        cnum(pld, "isakmp.notify.protoid"), spisize,
        cnum(pld, "isakmp.notify.msgtype"), spi, value))


def body_delete(pld, out):
    spis = [hexv(s) for s in children(pld, "isakmp.delete.spi")]
    nspi = cnum(pld, "isakmp.spinum")
    if len(spis) != nspi:
        raise DissectionError("delete: %d SPIs shown, %d announced"
                              % (len(spis), nspi))
    out.append("delete proto=%d spisize=%d nspi=%d spis=%s" % (
        cnum(pld, "isakmp.delete.protoid"), cnum(pld, "isakmp.spisize"),
        nspi, "".join(spis) if spis else "-"))


def body_ts(pld, out):
    sels = children(pld, "isakmp.ts.data")
    count = cnum(pld, "isakmp.ts.number")
    out.append("ts count=%d" % count)
    for sel in sels:
        addrs = []
        for end in ("start", "end"):
            f = opt_child(sel, "isakmp.ts.%s_ipv4" % end)
            if f is None:
                f = opt_child(sel, "isakmp.ts.%s_ipv6" % end)
            if f is None:
                raise DissectionError("selector without addresses")
            addrs.append(f.get("show"))
        out.append("tsel type=%d proto=%d sport=%d eport=%d saddr=%s eaddr=%s"
                   % (cnum(sel, "isakmp.ts.type"),
                      cnum(sel, "isakmp.ts.protoid"),
                      cnum(sel, "isakmp.ts.start_port"),
                      cnum(sel, "isakmp.ts.end_port"), addrs[0], addrs[1]))


def body_cp(pld, out):
    out.append("cp type=%d" % cnum(pld, "isakmp.cfg.type"))
    for attr in children(pld, "isakmp.cfg.attr"):
        value = opt_child(attr, "isakmp.cfg.attr.value")
        out.append("attr type=%d data=%s" % (
            cnum(attr, "isakmp.cfg.attr.type"), hexv(value)))


def body_certreq(pld, out):
    # tshark shows an IKEv2 CERTREQ's certification authority field as one
    # 20-byte SHA-1 hash after another (the pubkey-* captures have them).
    hashes = [hexv(f) for f in pld.iter("field")
              if f.get("name") == "isakmp.ike.certreq.authority.sig"]
    if not hashes:
        hashes = [hexv(f) for f in children(pld,
                                            "isakmp.ike.certreq.authority")]
    data = "".join(h for h in hashes if h != "-")
    if not data and cnum(pld, "isakmp.payloadlength") > 5:
        raise DissectionError("CERTREQ authority not shown")
    out.append("certreq enc=%d data=%s" % (
        cnum(pld, "isakmp.certreq.type"), data or "-"))


def body_skf(pld, out):
    out.append("skf num=%d total=%d" % (
        cnum(pld, "isakmp.frag.number"),
        cnum(pld, "isakmp.frag.total")))


def body_sk(pld, out, strict):
    dec = opt_child(pld, "isakmp.enc.decrypted")
    icd = opt_child(pld, "isakmp.enc.icd")
    ok = (dec is not None and icd is not None
          and "[correct]" in (icd.get("showname") or ""))
    if not ok:
        if strict:
            raise DissectionError("SK payload not decrypted and verified")
        out.append("# SK payload not decrypted")
        return
    inner = opt_child(dec, "isakmp.enc.contained")
    if inner is None:
        # Nothing inside (an empty INFORMATIONAL, say): tshark then shows
        # only the padding, and the SK payload's next payload is NONE.
        if cnum(pld, "isakmp.nextpayload") != 0:
            raise DissectionError("decrypted SK payload shows no payloads")
        return
    for p in payloads(inner):
        payload(p, out, strict)


def payload(pld, out, strict):
    ptype = num(pld)
    out.append("pld type=%d crit=%d len=%d" % (
        ptype, cnum(pld, "isakmp.criticalpayload"),
        cnum(pld, "isakmp.payloadlength")))
    if ptype == PT_SA:
        body_sa(pld, out)
    elif ptype == PT_KE:
        out.append("ke group=%d data=%s" % (
            cnum(pld, "isakmp.key_exchange.dh_group"),
            chex(pld, "isakmp.key_exchange.data")))
    elif ptype in (PT_IDI, PT_IDR):
        out.append("id type=%d data=%s" % (
            cnum(pld, "isakmp.id.type"),
            data_of(child(pld, "isakmp.id.data"))))
    elif ptype == PT_CERT:
        out.append("cert enc=%d data=%s" % (
            cnum(pld, "isakmp.cert.encoding"), cert_data(pld)))
    elif ptype == PT_CERTREQ:
        body_certreq(pld, out)
    elif ptype == PT_AUTH:
        out.append("auth method=%d data=%s" % (
            cnum(pld, "isakmp.auth.method"), chex(pld, "isakmp.auth.data")))
    elif ptype == PT_NONCE:
        out.append("nonce data=%s" % chex(pld, "isakmp.nonce"))
    elif ptype == PT_N:
        body_notify(pld, out)
    elif ptype == PT_D:
        body_delete(pld, out)
    elif ptype == PT_V:
        out.append("vid data=%s" % chex(pld, "isakmp.vid_bytes"))
    elif ptype in (PT_TSI, PT_TSR):
        body_ts(pld, out)
    elif ptype == PT_SK:
        body_sk(pld, out, strict)
    elif ptype == PT_CP:
        body_cp(pld, out)
    elif ptype == PT_EAP:
        out.append("eap data=%s" % chex(pld, "isakmp.eap.data"))
    elif ptype == PT_SKF:
        body_skf(pld, out)


def message(ike, strict):
    """The normalized lines of one isakmp protocol element."""
    version = child(ike, "isakmp.version")
    out = ["hdr ispi=%s rspi=%s np=%d ver=%d.%d exch=%d flags=%02x mid=%d "
           "len=%d" % (
               chex(ike, "isakmp.ispi"), chex(ike, "isakmp.rspi"),
               cnum(ike, "isakmp.nextpayload"),
               cnum(version, "isakmp.mjver"), cnum(version, "isakmp.mnver"),
               cnum(ike, "isakmp.exchangetype"), cnum(ike, "isakmp.flags"),
               cnum(ike, "isakmp.messageid"), cnum(ike, "isakmp.length"))]
    for p in payloads(ike):
        payload(p, out, strict)
    return out


def find_field(el, name):
    for f in el.iter("field"):
        if f.get("name") == name:
            return f
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--allow-undecrypted", action="store_true")
    ap.add_argument("pdml")
    ap.add_argument("outdir")
    args = ap.parse_args()

    root = ET.parse(args.pdml).getroot()
    n = 0
    for packet in root.iter("packet"):
        protos = {p.get("name"): p for p in packet.findall("proto")}
        ike = protos.get("isakmp")
        if ike is None:
            continue
        n += 1
        frame = find_field(protos["frame"], "frame.number").get("show")
        try:
            lines = message(ike, not args.allow_undecrypted)
            exch = cnum(ike, "isakmp.exchangetype")
            flags = child(ike, "isakmp.flags")
            side = "i" if cnum(flags, "isakmp.flag_i") else "r"
            raw = bytes.fromhex(child(protos["udp"], "udp.payload")
                                .get("value"))
            if "udpencap" in protos:
                raw = raw[4:]
            if len(raw) != cnum(ike, "isakmp.length"):
                raise DissectionError("UDP payload is not one IKE message")
        except DissectionError as e:
            sys.exit("tshark2dump: frame %s: %s" % (frame, e))
        base = os.path.join(args.outdir, "%02d-%s-%s" % (
            n, EXCHANGES.get(exch, "x%d" % exch), side))
        with open(base + ".bin", "wb") as f:
            f.write(raw)
        with open(base + ".expect", "w") as f:
            f.write("\n".join(lines) + "\n")
        print(os.path.basename(base))
    if n == 0:
        sys.exit("tshark2dump: no IKE message in %s" % args.pdml)


if __name__ == "__main__":
    main()
