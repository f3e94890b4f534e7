# demarche.bash - bash completion of demarche(1); installed by cmake
# --install as share/bash-completion/completions/demarche.
#
# The commands and each command's options are read from the program itself
# (`demarche help`, `demarche COMMAND --help`), so a new command or option
# completes without an edit here.  Account handles (--account) and
# categories (--category) come from the configuration given with -c, else
# $DEMARCHE_CONFIG, else the installed /etc/demarche/demarche.conf.

# The commands: the lines of `demarche help` under "commands:".
_demarche_commands()
{
	"$1" help 2>/dev/null | sed -n '/^commands:/,$ s/^  \([a-z][a-z-]*\) .*/\1/p'
}

# The long and short options that `demarche COMMAND --help` names.
_demarche_options()
{
	"$1" "$2" --help 2>/dev/null |
		grep -o -- '\(^\|[[ ]\)--\?[a-zA-Z][a-z0-9-]*' |
		sed 's/^[[ ]//' | grep '^-' | sort -u
}

# The words a --format of COMMAND takes, as its --help lists them.
_demarche_formats()
{
	"$1" "$2" --help 2>/dev/null |
		sed -n '/--format/,/^  *-/p' | tr -c 'a-z\n' ' ' | tr ' ' '\n' |
		grep -x 'auto\|rss\|atom\|jsonfeed\|mastodon\|bluesky\|text\|md\|json\|jsonl\|html\|csv' |
		sort -u
}

# The configuration file in use: -c/--config on the line, else the default.
_demarche_config()
{
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		-c | --config)
			printf '%s\n' "${COMP_WORDS[i + 1]/#\~/$HOME}"
			return
			;;
		--config=*)
			printf '%s\n' "${COMP_WORDS[i]#--config=}"
			return
			;;
		esac
	done
	local f
	for f in "${DEMARCHE_CONFIG:-}" /etc/demarche/demarche.conf \
		/usr/local/etc/demarche/demarche.conf; do
		if [[ -n $f && -r $f ]]; then
			printf '%s\n' "$f"
			return
		fi
	done
}

# The handles of the [account "HANDLE"] sections of a config.
_demarche_accounts()
{
	[[ -r $1 ]] || return
	sed -n 's/^[[:space:]]*\[account[[:space:]]*"\([^"]*\)"[[:space:]]*\].*/\1/p' "$1"
}

# The keys of the [narrative "KEY"] sections of a config.
_demarche_narratives()
{
	[[ -r $1 ]] || return
	sed -n 's/^[[:space:]]*\[narrative[[:space:]]*"\([^"]*\)"[[:space:]]*\].*/\1/p' "$1"
}

# The categories: the codebook's four, then every `category KEY` of the
# *.rules files in the config's [classifier] rules folder (a folder may
# add categories, config/rules/README.md), and none.
_demarche_categories()
{
	local conf=$1 dir=""
	if [[ -r $conf ]]; then
		dir=$(sed -n '/^[[:space:]]*\[classifier\]/,/^[[:space:]]*\[/ s/^[[:space:]]*rules[[:space:]]*=[[:space:]]*\([^#;]*[^#; ]\).*/\1/p' "$conf" | head -n 1)
		[[ -n $dir && $dir != /* ]] && dir=$(dirname -- "$conf")/$dir
	fi
	{
		printf '%s\n' blame_rebuttal western_failure economic_coercion origin_narrative
		if [[ -n $dir && -d $dir ]]; then
			sed -n 's/^[[:space:]]*category[[:space:]][[:space:]]*\([a-z0-9_]*\)[[:space:]]*$/\1/p' \
				"$dir"/*.rules 2>/dev/null
		fi
		printf '%s\n' none
	} | awk '!seen[$0]++'
}

_demarche()
{
	local cur prev prog cmd="" i words
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=""
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	prog=${COMP_WORDS[0]}
	COMPREPLY=()

	# The command: the first word that is neither an option nor the
	# value of a global option.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-d | --database | -c | --config) ((i++)) ;;
		-*) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	case $prev in
	-c | --config | -d | --database | --from | --to | -o | --output | \
		--labels | --model | --rules | --base)
		if [[ $prev == --rules ]]; then
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
		compopt -o filenames 2>/dev/null
		return
		;;
	--format)
		words=$(_demarche_formats "$prog" "$cmd")
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return
		;;
	--account)
		words=$(_demarche_accounts "$(_demarche_config)")
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return
		;;
	--category)
		words=$(_demarche_categories "$(_demarche_config)")
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return
		;;
	--role)
		mapfile -t COMPREPLY < <(compgen -W "diplomat spokesperson mission ministry state_media other" -- "$cur")
		return
		;;
	--since | --until)
		mapfile -t COMPREPLY < <(compgen -W "24h 7d 30d 52w" -- "$cur")
		return
		;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			words="-d --database -c --config -v --verbose -h --help -V --version"
		else
			words="$(_demarche_commands "$prog")"
		fi
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return
	fi
	if [[ $cur == -* ]]; then
		words=$(_demarche_options "$prog" "$cmd")
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return
	fi
	# Operands: parse and check-config take files, narrative a key.
	case $cmd in
	parse | check-config)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		compopt -o filenames 2>/dev/null
		;;
	narrative)
		words=$(_demarche_narratives "$(_demarche_config)")
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		;;
	esac
}

complete -F _demarche demarche
