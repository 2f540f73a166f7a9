#!/bin/sh
# SPDX-License-Identifier: ISC
# Every exchange by each side, strongSwan bringing the IKE SA up (charond
# IKE responder until it rekeys the IKE SA); see test/vm/interop-exchanges.sh.
exec sh "${0%/*}/../interop-exchanges.sh" strongswan \
    cd-child sw-child sw-ike cd-child sw-delchild cd-newchild cd-delchild \
    sw-newchild sw-dpd cd-ike sw-child cd-child sw-ike sw-delike \
    cd-up sw-delike
