#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Shell completion (etc/completion/): `charonctl __complete` offers every
# command and, per command, every option the parser takes (and no other:
# both come from one table); the bash function completes commands from a
# prefix, options, log levels, and connection, child and IKE SA names
# from the daemon named with -S; with a dead socket it offers nothing,
# quickly, and exits 0. The zsh function likewise (and `zsh -n`), when zsh
# is installed; without it that part says SKIPPED.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

BASH_COMPL="$E2E_TOP/etc/completion/charonctl.bash"
ZSH_COMPL="$E2E_TOP/etc/completion/_charonctl"
IKEINIT="$E2E_TOP/test/e2e/ikeinit.py"
PATH="$E2E_TOP/$E2E_B/bin:$PATH"
export PATH

# --- the helper against the parser's table, no daemon needed ---------------
"$CHARONCTL" --help | sed -n '/^commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p' \
    >"$W/help-verbs"
"$CHARONCTL" __complete "" >"$W/compl-verbs"
check "__complete offers the commands of --help, in order" \
    cmp -s "$W/help-verbs" "$W/compl-verbs"
check "there are commands at all" test -s "$W/compl-verbs"
while read -r v; do
	"$CHARONCTL" "$v" --help >"$W/out" 2>"$W/err" ||
	    fail "charonctl $v --help"
	"$CHARONCTL" __complete "$v" -- >"$W/opts"
	for o in --help --json --socket; do
		grep -qx -- "$o" "$W/opts" || fail "$v: $o not offered"
	done
	# Every option offered is one the parser takes: with an argument
	# it reaches --help (exit 0), where an unknown one exits 2.
	grep -v -x -e --help -e --json -e --socket "$W/opts" >"$W/own" || :
	while read -r o; do
		rc=0
		"$CHARONCTL" "$v" "$o" 1 --help >/dev/null 2>&1 || rc=$?
		[ "$rc" -eq 0 ] ||
		    "$CHARONCTL" "$v" "$o" --help >/dev/null 2>&1 ||
		    fail "$v: offered $o is not taken by the parser"
		grep -q -- "$o" "$W/out" ||
		    fail "$v: offered $o is not in its --help"
	done <"$W/own"
	# And every option of the command's help is offered.
	sed -n 's/^  \(--[a-z-]*\) .*/\1/p' "$W/out" | sort -u >"$W/help-opts"
	sort -u "$W/own" >"$W/own-sorted"
	cmp -s "$W/help-opts" "$W/own-sorted" ||
	    fail "$v: options of --help ($(tr '\n' ' ' <"$W/help-opts")) \
and of __complete ($(tr '\n' ' ' <"$W/own-sorted")) differ"
done <"$W/compl-verbs"
pass "each command's options offered are those its --help names and the \
parser takes"
check "an option the parser does not take is refused (the check works)" \
    sh -c "! '$CHARONCTL' initiate --nosuch 1 --help >/dev/null 2>&1"

# --- bash, with a daemon: connections site (child net) and other ----------
cat >"$W/moon.yaml" <<EOF
daemon:
  listen: [127.0.0.1]
  plugin_dir: "$E2E_TOP/$E2E_B/plugins"
connections:
  site:
    local_addrs: [127.0.0.1]
    remote_addrs: [127.0.0.1]
    proposals: [aes128gcm16-prfsha256-x25519]
    local: {auth: psk, id: moon.example.org}
    remote: {auth: psk}
    children:
      net:
        local_ts: [10.1.0.0/16]
        remote_ts: [10.2.0.0/16]
  other:
    local_addrs: [127.0.0.1]
    remote_addrs: [192.0.2.9]
    local: {auth: psk}
    remote: {auth: psk}
    children:
      lan: {}
      net: {}
secrets:
  psk:
    - secret: "an e2e test secret"
EOF
e2e_start moon
S="$W/moon.sock"

# compl WORD... CUR: what the bash function offers, sorted, on one line.
compl() {
	# shellcheck disable=SC2016 # for the inner shell
	timeout 10 bash -c 'source "$0"
COMP_WORDS=(charonctl "$@"); COMP_CWORD=$#; _charonctl
printf "%s\n" "${COMPREPLY[@]}"' "$BASH_COMPL" "$@" >"$W/compl" ||
	    fail "completing '$*' (exit status $?)"
	sort "$W/compl" | tr '\n' ' ' | sed 's/ $//'
}

check "bash: commands from a prefix" test "$(compl -S "$S" li)" = \
    "list-authorities list-certs list-conns list-sas"
check "bash: all commands" test "$(compl "")" = \
    "$(sort "$W/compl-verbs" | tr '\n' ' ' | sed 's/ $//')"
check "bash: --ike offers the connections" \
    test "$(compl -S "$S" initiate --ike "")" = "other site"
check "bash: list-certs --conn offers the connections" \
    test "$(compl -S "$S" list-certs --conn "")" = "other site"
check "bash: --ike from a prefix" \
    test "$(compl -S "$S" initiate --ike s)" = "site"
check "bash: --child offers the child names, each once" \
    test "$(compl -S "$S" initiate --child "")" = "lan net"
check "bash: --child after --ike offers that connection's children" \
    test "$(compl -S "$S" terminate --ike site --child "")" = "net"
check "bash: --socket=PATH is followed too" \
    test "$(compl --socket="$S" list-sas --ike "")" = "other site"
check "bash: --ike=NAME, split at the '=' by bash" \
    test "$(compl -S "$S" initiate --ike = s)" = "site"
check "bash: --ike= alone" \
    test "$(compl -S "$S" initiate --ike =)" = "other site"
check "bash: -S after the command is followed too" \
    test "$(compl initiate -S "$S" --ike o)" = "other"
CHAROND_SOCKET=$S
export CHAROND_SOCKET
check "bash: \$CHAROND_SOCKET without -S" \
    test "$(compl list-conns --ike "")" = "other site"
unset CHAROND_SOCKET
check "bash: options of a command" \
    test "$(compl -S "$S" initiate --)" = \
    "--child --help --ike --json --socket --timeout"
check "bash: monitor --level" \
    test "$(compl monitor --level "")" = "debug error info none trace warn"
check "bash: log-level's argument" \
    test "$(compl log-level "")" = "debug error info trace warn"
check "bash: nothing after log-level's argument" \
    test "$(compl log-level info "")" = ""
check "bash: global options" \
    test "$(compl --)" = "--help --json --socket --version"
check "bash: -S completes files" \
    test "$(compl -S "$W/moon.so")" = "$W/moon.sock"

python3 "$IKEINIT" 127.0.0.1 500 1 >"$W/init.out"
expect_in "$W/init.out" "answered 1 " "a half-open IKE SA"
ctl moon --json list-sas
id=$(jget 'd["ike_sas"][0]["id"]' <"$W/out")
check "bash: --ike-id offers the IKE SA" \
    test "$(compl -S "$S" rekey --ike-id "")" = "$id"

# A socket nobody listens on, and one that does not exist: nothing,
# quickly, exit 0.
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])' "$W/dead.sock"
for sock in "$W/dead.sock" "$W/nosuch.sock"; do
	t0=$(date +%s)
	check "bash: --ike with ${sock##*/}: nothing" \
	    test "$(compl -S "$sock" initiate --ike "")" = ""
	check "bash: --child with ${sock##*/}: nothing" \
	    test "$(compl -S "$sock" initiate --child "")" = ""
	check "and quickly" test $(($(date +%s) - t0)) -le 3
done
rc=0
out=$("$CHARONCTL" __complete -S "$W/dead.sock" initiate --ike "" 2>&1) ||
    rc=$?
check "__complete with a dead socket: exit 0, no output at all" \
    test "$rc:$out" = "0:"
# A daemon that accepts but never answers: given up after 2 s.
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(5); time.sleep(30)' "$W/mute.sock" &
mute=$!
sleep 0.3
t0=$(date +%s)
check "bash: --ike with a daemon that does not answer: nothing" \
    test "$(compl -S "$W/mute.sock" initiate --ike "")" = ""
check "given up within 4 s" test $(($(date +%s) - t0)) -le 4
kill "$mute"

# --- zsh ---------------------------------------------------------------------
if ! command -v zsh >/dev/null; then
	echo "*** ctl-complete: zsh tests SKIPPED: zsh is not installed ***"
	e2e_stop moon
	exit 0
fi
check "zsh -n _charonctl" zsh -n "$ZSH_COMPL"
# The function outside a completion widget: words and CURRENT set by
# hand, compadd and _files stand-ins that print what they are given.
zcompl() {
	# shellcheck disable=SC2016 # for the inner shell
	timeout 10 zsh -f -c 'fpath=("${1:h}" $fpath); autoload -Uz _charonctl
compadd() { [[ $1 == -a ]] && print -rl -- "${(@P)2}" }
_files() { print -r -- FILES }
compset() { : }
shift; words=(charonctl "$@"); CURRENT=$#words; _charonctl' \
	    zsh "$ZSH_COMPL" "$@" >"$W/compl" ||
	    fail "zsh: completing '$*' (exit status $?)"
	sort "$W/compl" | tr '\n' ' ' | sed 's/ $//'
}
check "zsh: commands from a prefix" test "$(zcompl li)" = \
    "list-authorities list-certs list-conns list-sas"
check "zsh: --ike offers the connections" \
    test "$(zcompl -S "$S" initiate --ike "")" = "other site"
check "zsh: list-certs --conn offers the connections" \
    test "$(zcompl -S "$S" list-certs --conn "")" = "other site"
check "zsh: --child offers the child names" \
    test "$(zcompl -S "$S" initiate --child "")" = "lan net"
check "zsh: --ike=NAME" \
    test "$(zcompl -S "$S" initiate --ike=o)" = "other"
check "zsh: -S completes files" test "$(zcompl -S "")" = "FILES"
check "zsh: a dead socket: nothing" \
    test "$(zcompl -S "$W/dead.sock" initiate --ike "")" = ""
e2e_stop moon
