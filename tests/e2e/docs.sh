# The man pages and the bash completion tell the truth about the code:
# demarche(1), demarched(8) and demarche.conf(5) render without a warning
# (groff -ww, and man -l); every command of daemon/demarche.c and every
# option its --help names is in demarche(1), every option of demarched in
# demarched(8), every key of the table in daemon/conf/config.c in
# demarche.conf(5); the completion, sourced in bash, completes commands,
# options, formats, account handles and categories; `cmake --install`
# puts them all under share/.  Skipped (77) without groff.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
command -v groff >/dev/null 2>&1 || { echo "no groff (groff-base)"; exit 77; }
D="$BUILD/demarche"
MAN="$SRC/daemon/man"
export LC_ALL=C.UTF-8

for page in demarche.1 demarched.8 demarche.conf.5; do
	groff -man -Tutf8 -ww -z "$MAN/$page" >"$WORK/out" 2>&1
	check "$page renders with groff -ww" "$?" 0
	check "$page: no groff warning" "$(cat "$WORK/out")" ""
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 man --warnings -l "$MAN/$page" >"$WORK/out" 2>"$WORK/err"
		check "$page renders with man -l" "$?" 0
		check "$page: no man warning" "$(cat "$WORK/err")" ""
		check "$page: has a NAME" "$(grep -c '^NAME' "$WORK/out")" 1
	fi
	# The source with man's escaped hyphens made plain, for the greps.
	sed 's/\\-/-/g' "$MAN/$page" >"$WORK/$page.txt"
done

# Every command of the tool's table, and version and help.
cmds=$(sed -n 's/^ *{"\([a-z-]*\)", cmd_[a-z_]*\(, [a-z]*\)\?},.*/\1/p' "$SRC/daemon/demarche.c")
check "the command table was read" "$([ "$(echo "$cmds" | wc -l)" -ge 10 ] && echo yes)" yes
missing=""
for c in $cmds version help; do
	grep -q "^\.SS \"\?$c\b" "$WORK/demarche.1.txt" || missing="$missing $c"
	"$D" --help | grep -q "^  $c " || fail "demarche --help does not list $c"
done
check "demarche(1) documents every command" "$missing" ""

# Every option that a command's --help names, and the global ones.
missing=""
for c in $cmds; do
	for o in $("$D" "$c" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		grep -q -- "$o\b" "$WORK/demarche.1.txt" || missing="$missing $c:$o"
	done
done
for o in $("$D" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
	grep -q -- "$o\b" "$WORK/demarche.1.txt" || missing="$missing $o"
done
check "demarche(1) documents every option" "$missing" ""
missing=""
for o in $("$BUILD/demarched" --help 2>&1 | grep -o -- '-[a-zA-Z-][a-z-]*' | sort -u); do
	grep -q -- "$o\b" "$WORK/demarched.8.txt" || missing="$missing $o"
done
check "demarched(8) documents every option" "$missing" ""

# Every key and section of the config table.
keys=$(cat "$SRC"/daemon/conf/config*.c | sed -n 's/^ *{SEC_[A-Z]*, "\([a-z_]*\)".*/\1/p' | sort -u)
check "the key table was read" "$([ "$(echo "$keys" | wc -l)" -ge 30 ] && echo yes)" yes
missing=""
for k in $keys; do
	grep -q "^\.B $k\$" "$WORK/demarche.conf.5.txt" || missing="$missing $k"
done
check "demarche.conf(5) documents every key" "$missing" ""
missing=""
for s in $(cat "$SRC"/daemon/conf/config*.c | sed -n 's/^ *{"\([a-z_]*\)", SEC_[A-Z]*},.*/\1/p'); do
	grep -q "^\.SH \"\[$s[] ]" "$WORK/demarche.conf.5.txt" || missing="$missing $s"
done
check "demarche.conf(5) documents every section" "$missing" ""

# The completion, sourced in bash and called as bash calls it.
if command -v bash >/dev/null 2>&1; then
	cat >"$WORK/comp.bash" <<'SH'
. "$SRC/daemon/completion/demarche.bash"
comp() {
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"
	COMPREPLY=(); _demarche
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '; echo
}
complete -p demarche
comp "$D" ""
comp "$D" rec
comp "$D" -d x.db report --f
comp "$D" trends --format ""
comp "$D" -c "$SRC/config/demo.conf" posts --account zl
comp "$D" -c "$SRC/config/demo.conf" posts --category ""
comp "$D" -
comp "$D" -c "$SRC/config/demo.conf" report --since ""
SH
	SRC="$SRC" D="$D" bash "$WORK/comp.bash" >"$WORK/comp.out" 2>"$WORK/comp.err"
	check "completion runs without an error" "$?:$(cat "$WORK/comp.err")" "0:"
	line() { sed -n "$1p" "$WORK/comp.out"; }
	check "completion is registered" "$(line 1)" "complete -F _demarche demarche"
	check "commands complete" "$(line 2)" "$(printf '%s\n' $cmds version help | sort | tr '\n' ' ')"
	check "a command's prefix completes" "$(line 3)" "reclassify "
	check "options of the command complete" "$(line 4)" "--format "
	check "--format values come from the command's help" "$(line 5)" "csv json text "
	check "account handles come from -c" "$(line 6)" "zlj517 "
	check "categories" "$(line 7)" "blame_rebuttal economic_coercion none origin_narrative western_failure "
	check "global options" "$(line 8)" "--config --database --help --verbose --version -V -c -d -h -v "
	check "durations" "$(line 9)" "24h 30d 52w 7d "
fi

# Installed where man and bash-completion look.
PREFIX="$WORK/prefix"
cmake -S "$SRC" -B "$WORK/build" -DCMAKE_INSTALL_PREFIX="$PREFIX" >"$WORK/cmake.log" 2>&1 ||
	{ cat "$WORK/cmake.log"; fail "cmake configure"; finish; }
cp "$BUILD/demarched" "$BUILD/demarche" "$WORK/build/"
cmake --install "$WORK/build" >"$WORK/install.log" 2>&1 ||
	{ cat "$WORK/install.log"; fail "cmake --install"; finish; }
for f in share/man/man1/demarche.1 share/man/man5/demarche.conf.5 \
	share/man/man8/demarched.8 share/bash-completion/completions/demarche; do
	check "installed $f" "$([ -s "$PREFIX/$f" ] && echo yes)" yes
done
if command -v man >/dev/null 2>&1; then
	check "man finds the installed page" \
		"$(MANPATH="$PREFIX/share/man" man -w demarche.conf 2>/dev/null)" \
		"$PREFIX/share/man/man5/demarche.conf.5"
fi
finish
