#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Turn tshark's dissection of IKEv1 packets into charond's normalized text.

Usage: tshark2dump.py [--allow-undecrypted] PDML OUTDIR

PDML is the output of `tshark -T pdml` for a capture (ideally filtered with
`-Y isakmp` and given the IKEv1 decryption table, so that encrypted messages
are decrypted). For every ISAKMP message, in capture order, the script
writes into OUTDIR:

  NN-<exchange>-<i|r>.bin     the message's bytes (the UDP payload, without
                              the 4-byte non-ESP marker on port 4500)
  NN-<exchange>-<i|r>.expect  tshark's dissection in the normalized format
                              described in test/data/ikev1/README.md

NN counts from 01, <exchange> is main/aggr/info/quick (or xN for another
exchange type N), and i/r says whether the original initiator or the
original responder sent it. IKEv1 headers carry no initiator flag: the
original initiator is the sender of the first message whose responder
cookie is zero.

Like the IKEv2 converter (whose helpers this one shares), every value comes
from a field tshark dissected and nothing parses the message bytes. IKEv1
encryption has no integrity check tshark could report, so unless
--allow-undecrypted is given an encrypted message counts as decrypted when
tshark shows payloads inside it and reports no malformed packet; the
capture script checks further that every HASH payload equals a hash
strongSwan logged.
"""

import argparse
import os
import sys
import xml.etree.ElementTree as ET

# The IKEv2 converter's directory goes first: this file has the same name.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "ikev2"))
# pylint: disable=wrong-import-position
from tshark2dump import (  # noqa: E402
    DissectionError, cert_data, chex, child, children, cnum, find_field,
    hexv, num, opt_child, payloads)

EXCHANGES = {2: "main", 4: "aggr", 5: "info", 32: "quick"}

# Payload types (RFC 2408 section 3.1, RFC 3947; 130 and 131 are the NAT-D
# and NAT-OA numbers of the drafts before it).
PT_SA, PT_PROPOSAL, PT_TRANSFORM, PT_KE, PT_ID, PT_CERT = 1, 2, 3, 4, 5, 6
PT_CERTREQ, PT_HASH, PT_SIG, PT_NONCE, PT_N, PT_D, PT_VID = (
    7, 8, 9, 10, 11, 12, 13)
PT_NATD, PT_NATOA, PT_NATD_DRAFT, PT_NATOA_DRAFT = 20, 21, 130, 131


def whole_after(pld, skip, field):
    """The bytes of a payload after its first `skip` octets (the generic
    header included), from the payload field's own value; tshark shows
    some variable parts only through sub-fields that do not cover them
    (an ID's subnet as address and mask). field names the tshark field
    that covers those bytes: its size must match."""
    whole = hexv(pld)
    size = int(child(pld, field).get("size", "-1"))
    if whole == "-" or len(whole) != 2 * (skip + size):
        raise DissectionError("%s: payload value does not hold it" % field)
    return whole[2 * skip:] or "-"


def attributes(xf, prefix, out):
    """One line per data attribute of a transform, in order."""
    for attr in children(xf, prefix + ".attr"):
        tv = cnum(attr, prefix + ".attr.format")
        value = hexv(child(attr, prefix + ".attr.value"))
        if tv and len(value) != 4:
            raise DissectionError("TV attribute value not 2 octets")
        out.append("attr type=%d fmt=%s value=%s" % (
            cnum(attr, prefix + ".attr.type"), "tv" if tv else "tlv", value))


def body_sa(pld, out):
    out.append("sa doi=%d sit=%s" % (cnum(pld, "isakmp.sa.doi"),
                                     chex(pld, "isakmp.sa.situation")))
    doi = cnum(pld, "isakmp.sa.doi")
    for prop in payloads(pld):
        if num(prop) != PT_PROPOSAL:
            raise DissectionError("SA holds a non-proposal substructure")
        spisize = cnum(prop, "isakmp.spisize")
        spi = hexv(opt_child(prop, "isakmp.spi")) if spisize else "-"
        if spisize and len(spi) != 2 * spisize:
            raise DissectionError("proposal SPI not shown")
        proto = cnum(prop, "isakmp.prop.protoid")
        out.append("prop num=%d proto=%d spisize=%d spi=%s ntf=%d" % (
            cnum(prop, "isakmp.prop.number"), proto, spisize, spi,
            cnum(prop, "isakmp.prop.transforms")))
        # ISAKMP (protocol 1) transforms carry IKE attributes (RFC 2409
        # appendix A), the others IPsec DOI attributes (RFC 2407 4.5).
        prefix = "isakmp.ike" if proto == 1 or doi != 1 else "isakmp.ipsec"
        for xf in payloads(prop):
            if num(xf) != PT_TRANSFORM:
                raise DissectionError("proposal holds a non-transform")
            out.append("xf num=%d id=%d" % (cnum(xf, "isakmp.trans.number"),
                                            cnum(xf, "isakmp.trans.id")))
            attributes(xf, prefix, out)


def body_id(pld, out):
    out.append("id type=%d proto=%d port=%d data=%s" % (
        cnum(pld, "isakmp.id.type"), cnum(pld, "isakmp.id.protoid"),
        cnum(pld, "isakmp.id.port"),
        whole_after(pld, 8, "isakmp.id.data")))


def body_certreq(pld, out):
    # An empty authority asks for any CA. strongSwan's IKEv1 CERTREQs name
    # their CA by its DER-encoded subject, which tshark 4.0 shows as a
    # field called isakmp.ike.certreq.authority.sig (dissected as an RDN
    # sequence); the bytes are those after the type octet.
    data = "-"
    if cnum(pld, "isakmp.payloadlength") > 5:
        data = whole_after(pld, 5, opt_field(pld, (
            "isakmp.ike.certreq.authority",
            "isakmp.ike.certreq.authority.sig")))
    out.append("certreq enc=%d data=%s" % (
        cnum(pld, "isakmp.certreq.type"), data))


def body_notify(pld, out):
    spisize = cnum(pld, "isakmp.spisize")
    spi = hexv(opt_child(pld, "isakmp.spi")) if spisize else "-"
    if spisize and len(spi) != 2 * spisize:
        raise DissectionError("notify SPI not shown")
    value = hexv(opt_child(pld, "isakmp.notify.data"))
    if value == "-" and cnum(pld, "isakmp.payloadlength") > 12 + spisize:
        raise DissectionError("notify data not shown")
    out.append("notify doi=%d proto=%d spisize=%d type=%d spi=%s data=%s" % (
        cnum(pld, "isakmp.notify.doi"), cnum(pld, "isakmp.notify.protoid"),
        spisize, cnum(pld, "isakmp.notify.msgtype"), spi, value))


def body_delete(pld, out):
    spis = [hexv(s) for s in children(pld, "isakmp.delete.spi")]
    nspi = cnum(pld, "isakmp.spinum")
    if len(spis) != nspi:
        raise DissectionError("delete: %d SPIs shown, %d announced"
                              % (len(spis), nspi))
    out.append("delete doi=%d proto=%d spisize=%d nspi=%d spis=%s" % (
        cnum(pld, "isakmp.delete.doi"), cnum(pld, "isakmp.delete.protoid"),
        cnum(pld, "isakmp.spisize"), nspi,
        "".join(spis) if spis else "-"))


def body_natoa(pld, out):
    # RFC 3947 5.2: ID type, three reserved octets, the address.
    out.append("natoa type=%d data=%s" % (
        cnum(pld, "isakmp.id.type"), whole_after(
            pld, 8, opt_field(pld, ("isakmp.ike.nat_original_address_ipv4",
                                    "isakmp.ike.nat_original_address_ipv6"))
        )))


def opt_field(pld, names):
    """The name of the one field of names that pld has."""
    found = [n for n in names if opt_child(pld, n) is not None]
    if len(found) != 1:
        raise DissectionError("expected one of %s" % ", ".join(names))
    return found[0]


def payload(pld, out):
    ptype = num(pld)
    out.append("pld type=%d res=%d len=%d" % (
        ptype, int(child(pld, "isakmp.reserved").get("value"), 16),
        cnum(pld, "isakmp.payloadlength")))
    if ptype == PT_SA:
        body_sa(pld, out)
    elif ptype == PT_KE:
        out.append("ke data=%s" % chex(pld, "isakmp.key_exchange.data"))
    elif ptype == PT_ID:
        body_id(pld, out)
    elif ptype == PT_CERT:
        out.append("cert enc=%d data=%s" % (
            cnum(pld, "isakmp.cert.encoding"), cert_data(pld)))
    elif ptype == PT_CERTREQ:
        body_certreq(pld, out)
    elif ptype == PT_HASH:
        out.append("hash data=%s" % chex(pld, "isakmp.hash"))
    elif ptype == PT_SIG:
        out.append("sig data=%s" % chex(pld, "isakmp.sig"))
    elif ptype == PT_NONCE:
        out.append("nonce data=%s" % chex(pld, "isakmp.nonce"))
    elif ptype == PT_N:
        body_notify(pld, out)
    elif ptype == PT_D:
        body_delete(pld, out)
    elif ptype == PT_VID:
        out.append("vid data=%s" % chex(pld, "isakmp.vid_bytes"))
    elif ptype in (PT_NATD, PT_NATD_DRAFT):
        out.append("natd data=%s" % chex(pld, "isakmp.ike.nat_hash"))
    elif ptype in (PT_NATOA, PT_NATOA_DRAFT):
        body_natoa(pld, out)


def malformed(ike):
    """Whether tshark flagged anything in this ISAKMP tree as malformed or
    as an error."""
    for f in ike.iter("field"):
        name = f.get("name") or ""
        if name == "_ws.malformed":
            return True
        if name == "_ws.expert.severity" and f.get("show") in (
                "8388608", "error"):
            return True
    return False


def message(ike, strict):
    """The normalized lines of one isakmp protocol element."""
    version = child(ike, "isakmp.version")
    flags = child(ike, "isakmp.flags")
    out = ["hdr icookie=%s rcookie=%s np=%d ver=%d.%d exch=%d flags=%02x "
           "mid=%d len=%d" % (
               chex(ike, "isakmp.ispi"), chex(ike, "isakmp.rspi"),
               cnum(ike, "isakmp.nextpayload"),
               cnum(version, "isakmp.mjver"), cnum(version, "isakmp.mnver"),
               cnum(ike, "isakmp.exchangetype"), num(flags),
               cnum(ike, "isakmp.messageid"), cnum(ike, "isakmp.length"))]
    if cnum(version, "isakmp.mjver") != 1:
        raise DissectionError("not an IKEv1 message")
    if not cnum(flags, "isakmp.flag_e"):
        for p in payloads(ike):
            payload(p, out)
        return out
    enc = child(ike, "isakmp.enc.data")
    inner = payloads(enc)
    if not inner or malformed(ike):
        if strict:
            raise DissectionError("encrypted message not decrypted")
        out.append("# not decrypted")
        return out
    pad = opt_child(enc, "isakmp.extradata")
    out.append("enc len=%d pad=%s" % (int(enc.get("size")), hexv(pad)))
    for p in inner:
        payload(p, out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--allow-undecrypted", action="store_true")
    ap.add_argument("pdml")
    ap.add_argument("outdir")
    args = ap.parse_args()

    root = ET.parse(args.pdml).getroot()
    n = 0
    initiator = None
    seen = set()
    for packet in root.iter("packet"):
        protos = {p.get("name"): p for p in packet.findall("proto")}
        ike = protos.get("isakmp")
        if ike is None:
            continue
        n += 1
        frame = find_field(protos["frame"], "frame.number").get("show")
        try:
            ip = protos.get("ip") or protos.get("ipv6")
            src = find_field(ip, "ip.src" if "ip" in protos
                             else "ipv6.src").get("show")
            if initiator is None:
                if chex(ike, "isakmp.rspi") != "0" * 16:
                    raise DissectionError("the capture does not start "
                                          "with a first message")
                initiator = src
            raw = bytes.fromhex(child(protos["udp"], "udp.payload")
                                .get("value"))
            if "udpencap" in protos:
                raw = raw[4:]
            if len(raw) != cnum(ike, "isakmp.length"):
                raise DissectionError("UDP payload is not one IKE message")
            # tshark decrypts a retransmitted copy of an encrypted message
            # with the IV that follows the original: refuse rather than
            # write garbage.
            if raw in seen:
                raise DissectionError("a retransmission: capture again")
            seen.add(raw)
            lines = message(ike, not args.allow_undecrypted)
            exch = cnum(ike, "isakmp.exchangetype")
        except DissectionError as e:
            sys.exit("tshark2dump: frame %s: %s" % (frame, e))
        base = os.path.join(args.outdir, "%02d-%s-%s" % (
            n, EXCHANGES.get(exch, "x%d" % exch),
            "i" if src == initiator else "r"))
        with open(base + ".bin", "wb") as f:
            f.write(raw)
        with open(base + ".expect", "w") as f:
            f.write("\n".join(lines) + "\n")
        print(os.path.basename(base))
    if n == 0:
        sys.exit("tshark2dump: no IKE message in %s" % args.pdml)


if __name__ == "__main__":
    main()
