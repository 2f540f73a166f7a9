#!/bin/sh
# SPDX-License-Identifier: ISC
# Certificates (x509 plugin) on a real kernel, pairing "strongswan" (charond and strongSwan 5.9.8): chains through an
# intermediate, IKE fragmentation, refused certificates (see test/vm/x509.sh).
exec sh "${0%/*}/../x509.sh" strongswan
