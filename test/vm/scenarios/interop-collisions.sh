#!/bin/sh
# SPDX-License-Identifier: ISC
# Collisions against strongSwan: both sides rekey the CHILD SA, the IKE SA,
# delete the CHILD SA at once; charond rekeys a CHILD SA strongSwan
# deletes. See test/vm/interop-exchanges.sh.
exec sh "${0%/*}/../interop-exchanges.sh" charond \
    both-child both-ike both-child both-delchild sw-newchild \
    cdrekey-swdel cd-newchild both-ike both-child
