#!/bin/sh
# check_gotos.sh [SOURCE_DIR] — the house rules for goto in daemon/:
# only forward (a goto never jumps to a label above it in its function),
# and clean-up labels say what they undo (out_free_buf:, out_close_store:),
# so the generic out:, out_free:, out_cleanup:, cleanup:, err:, error: and
# fail: are refused.  Prints one "FILE:LINE: ..." per finding.
set -eu
cd "${1:-$(dirname "$0")/../..}"
# shellcheck disable=SC2046
awk '
	FNR == 1 { delete seen }
	/^\{/ { delete seen }
	/^[a-z_][a-z_0-9]*:[[:space:]]*$/ {
		l = $0; sub(/:.*/, "", l)
		seen[l] = 1
		if (l ~ /^(out|out_free|out_cleanup|cleanup|err|error|fail)$/) {
			printf "%s:%d: label %s: says nothing of what it undoes\n", FILENAME, FNR, l
			bad = 1
		}
	}
	/goto [a-z_][a-z_0-9]*;/ {
		g = $0; sub(/.*goto /, "", g); sub(/;.*/, "", g)
		if (g in seen) {
			printf "%s:%d: goto %s jumps backward\n", FILENAME, FNR, g
			bad = 1
		}
	}
	END { exit bad }
' $(find daemon -name '*.c' | sort) && echo "check_gotos: forward only, labels named"
