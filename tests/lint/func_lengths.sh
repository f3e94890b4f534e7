#!/bin/sh
# func_lengths.sh [-c] [FILE...] — the length of every function of the C
# files given (default: daemon/**/*.c), longest first, as
# "LINES FILE:LINE NAME".  A function is what clang-format leaves in the
# house style: a line at column 0 that is "{" alone opens it, the next "}"
# at column 0 closes it, and the name is the identifier before the "(" of
# the lines above.  LINES counts from the signature's first line to the
# closing brace.
#
# With -c it checks the limits of daemon/README.md instead: no function over
# 150 lines, at most 10 over 100, no .c file over 1,500 lines; prints what
# breaks them and exits 1.
set -eu
check=0
if [ "${1:-}" = -c ]; then
	check=1
	shift
fi
if [ $# -eq 0 ]; then
	cd "$(dirname "$0")/../.."
	# shellcheck disable=SC2046
	set -- $(find daemon -name '*.c' | sort)
fi

lengths=$(awk '
	FNR == 1 { sig = 0; open = 0 }
	!open && /^[A-Za-z_].*\(/ && !/;[[:space:]]*$/ { sig = FNR; sigtext = $0; next }
	!open && sig && /^[^{}#]/ && !/^[[:space:]]*$/ && !/;[[:space:]]*$/ { sigtext = sigtext " " $0; next }
	!open && /^\{[[:space:]]*$/ && sig {
		open = 1; start = sig
		name = sigtext; sub(/\(.*/, "", name); sub(/.*[^A-Za-z0-9_]/, "", name)
		next
	}
	open && /^\}/ {
		printf "%d %s:%d %s\n", FNR - start + 1, FILENAME, start, name
		open = 0; sig = 0; next
	}
	!open && /^[}#]|;[[:space:]]*$|^[[:space:]]*$/ { sig = 0 }
' "$@" | sort -rn)

if [ $check -eq 0 ]; then
	echo "$lengths"
	exit 0
fi
status=0
over150=$(echo "$lengths" | awk '$1 > 150')
n100=$(echo "$lengths" | awk '$1 > 100' | wc -l)
if [ -n "$over150" ]; then
	echo "functions over 150 lines:"
	echo "$over150"
	status=1
fi
if [ "$n100" -gt 10 ]; then
	echo "$n100 functions over 100 lines (at most 10):"
	echo "$lengths" | awk '$1 > 100'
	status=1
fi
for f in "$@"; do
	n=$(wc -l < "$f")
	if [ "$n" -gt 1500 ]; then
		echo "$f: $n lines (at most 1500)"
		status=1
	fi
done
[ $status -eq 0 ] && echo "func_lengths: within limits ($n100 functions over 100 lines)"
exit $status
