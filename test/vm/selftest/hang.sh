#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Fixture of group.sh: never ends by itself (VM_EACH_TIMEOUT ends it).
echo "hang: sleeping"
sleep 1000
