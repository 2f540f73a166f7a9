#!/bin/sh
# SPDX-License-Identifier: ISC
# Every exchange by each side, charond bringing the IKE SA up (IKE
# initiator until strongSwan rekeys the IKE SA); see test/vm/interop-exchanges.sh.
exec sh "${0%/*}/../interop-exchanges.sh" charond \
    sw-child cd-child cd-ike sw-child sw-delchild cd-newchild cd-delchild \
    sw-newchild sw-dpd sw-ike cd-child sw-child cd-ike cd-delike \
    sw-up cd-delike
