#!/bin/sh
# SPDX-License-Identifier: ISC
# Exit 0 if this kernel can install an AES-GCM ESP SA (tried in a
# throw-away network namespace), 1 otherwise.
ns=charond-esp-probe-$$
ip netns add "$ns" 2>/dev/null || exit 1
ip -n "$ns" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp \
    spi 0x100 mode transport \
    aead 'rfc4106(gcm(aes))' 0x0123456789abcdef0123456789abcdef01234567 \
    128 >/dev/null 2>&1
rc=$?
ip netns del "$ns"
[ $rc -eq 0 ]
