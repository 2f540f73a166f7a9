# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# bash completion for charonctl. The candidates come from charonctl
# itself (`charonctl __complete WORD... CUR`, charonctl/complete.c):
# commands and options from its command table, connection, child and SA
# names from the daemon at the socket given with -S (if any). Installed
# by `make install` into bash-completion's completions directory.

_charonctl() {
	local -a words=()
	local i n

	# bash splits --ike=NAME at the '=' (COMP_WORDBREAKS): charonctl is
	# given --ike NAME, and for --ike= alone, --ike and an empty word
	# (what bash replaces is the empty text after the '=').
	for ((i = 1; i <= COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == = && ${COMP_WORDS[i - 1]} == --* ]]; then
			((i == COMP_CWORD)) && words+=("")
			continue
		fi
		words+=("${COMP_WORDS[i]}")
	done
	n=${#words[@]}
	if ((n >= 2)) && [[ ${words[n - 2]} == -S || ${words[n - 2]} == --socket ]]; then
		# The control socket: any file.
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "${words[n - 1]}")
		return 0
	fi
	mapfile -t COMPREPLY < <(command "${COMP_WORDS[0]}" __complete \
	    "${words[@]}" 2>/dev/null)
	return 0
}

complete -F _charonctl charonctl
