#!/bin/sh
# check_layers.sh [SOURCE_DIR] — fails when a file under daemon/ includes a
# header it may not see: one of a layer that its folder does not link
# (a layer above it, or a sibling), or another folder's private header
# (*_int.h).  The layers and their links are read from the
# demarche_layer(NAME DEPS...) lines of daemon/CMakeLists.txt, so the
# build and this check cannot disagree.  The two mains at daemon/ may
# include any public header.  Prints one "FILE:LINE: ..." per violation.
set -eu
root=${1:-$(dirname "$0")/../..}
cd "$root/daemon"

deps=$(sed -n 's/^demarche_layer(\([a-z_]*\)\(.*\))$/\1\2/p' CMakeLists.txt)
[ -n "$deps" ] || { echo "check_layers: no demarche_layer() lines" >&2; exit 2; }
# header -> folder, for every header under a layer folder
headers=$(for h in */*.h; do echo "${h#*/} ${h%%/*}"; done)

status=0
for f in *.c */*.c */*.h; do
	[ -e "$f" ] || continue
	case $f in */*) layer=${f%%/*} ;; *) layer= ;; esac
	out=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
	awk -v file="$f" -v layer="$layer" -v deps="$deps" -v headers="$headers" '
	BEGIN {
		n = split(deps, lines, "\n")
		for (i = 1; i <= n; i++) {
			m = split(lines[i], w, " ")
			known[w[1]] = 1
			for (j = 2; j <= m; j++) allowed[w[1], w[j]] = 1
		}
		n = split(headers, lines, "\n")
		for (i = 1; i <= n; i++) {
			split(lines[i], w, " ")
			if (w[1] in home) dup[w[1]] = 1
			home[w[1]] = w[2]
		}
		if (layer != "" && !(layer in known)) {
			printf "%s:1: folder %s is not a layer of daemon/CMakeLists.txt\n", file, layer
			bad = 1
		}
	}
	{
		line = $0; sub(/:.*/, "", line)
		h = $0; sub(/^[^"]*"/, "", h); sub(/".*/, "", h)
		if (h in dup) {
			printf "%s:%s: \"%s\" exists in two folders\n", file, line, h
			bad = 1; next
		}
		if (!(h in home)) next   # generated or not ours
		there = home[h]
		if (there == layer) next
		if (h ~ /_int\.h$/) {
			printf "%s:%s: \"%s\" is private to %s/\n", file, line, h, there
			bad = 1; next
		}
		if (layer == "") next    # the mains see every public header
		if (!((layer, there) in allowed)) {
			printf "%s:%s: %s/ may not include \"%s\" of %s/ (not a layer it links)\n", file, line, layer, h, there
			bad = 1
		}
	}
	END { exit bad }') || { status=1; }
	[ -z "$out" ] || echo "$out"
done
[ $status -eq 0 ] && echo "check_layers: every include points down"
exit $status
