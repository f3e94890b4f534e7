# The command line tells the truth about itself: --help, --version and -V
# answer on stdout with exit 0, every subcommand's --help explains each of
# its options, a mistyped command gets a "did you mean", and check-config /
# demarched -n refuse a database folder that does not exist (FILE:LINE,
# 78), a PostgreSQL URL that does not parse (78) and a missing file (66).
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
D="$BUILD/demarche"

for args in "--help" "-h" "help"; do
	"$D" $args >"$WORK/out" 2>"$WORK/err"
	check "demarche $args exits 0" "$?" 0
	check "demarche $args prints to stdout only" "$([ -s "$WORK/out" ] && [ ! -s "$WORK/err" ] && echo yes)" yes
done
for args in "--version" "-V" "version"; do
	check "demarche $args" "$("$D" $args 2>&1)" "demarche $(sed -n 's/^project(demarche VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")"
done
check "demarched --version" "$("$BUILD/demarched" --version 2>&1 | cut -d' ' -f1)" demarched

# Every command is listed by --help, and each one's --help names each of
# its options (the list is the commands' contract).
while read -r cmd opts; do
	"$D" --help | grep -q "^  $cmd " || fail "demarche --help does not list $cmd"
	"$D" "$cmd" --help >"$WORK/out" 2>"$WORK/err"
	check "$cmd --help exits 0" "$?" 0
	check "$cmd --help on stdout only" "$([ -s "$WORK/out" ] && [ ! -s "$WORK/err" ] && echo yes)" yes
	missing=""
	for o in $opts --help; do
		grep -q -- "^ *\(-[a-zA-Z], \)\?$o\b" "$WORK/out" || missing="$missing $o"
	done
	check "$cmd --help explains every option" "$missing" ""
done <<'LIST'
parse --format --base --content-type --max-entries
classify --rules --model --model-weight
eval --labels --from-db --cv --rules --model --model-weight --errors
train --labels --from-db --output --cv --rules --no-stack --words --buckets --ngram --epochs --seed --rate --l2 --pos-weight --note
label --by
reclassify --since --until --rules --model --model-weight --batch
report --since --until --format --output --deliver
trends --format --since --until --output
candidates --format
amplification --since --until --format
show --format
migrate --from --to
posts --account --role --country --category --since --until --search --edited --deleted --reposts --no-reposts --lang --limit --format
narrative --since --until --format --rescan --send-alerts
check-config --config
LIST

"$D" reprot >"$WORK/out" 2>"$WORK/err"
check "mistyped command exits 64" "$?" 64
check "mistyped command: did you mean" "$(cat "$WORK/err")" "demarche: unknown command 'reprot'; did you mean 'report'?"
"$D" frobnicate 2>"$WORK/err"
check "unknown command exits 64" "$?" 64
check "unknown command points to --help" "$(grep -c 'demarche --help' "$WORK/err")" 1

# --- the database target, checked before anything starts ---
cat >"$WORK/nofolder.conf" <<CONF
[storage]
# the folder below does not exist
database = $WORK/missing/demarche.db
CONF
"$D" check-config -c "$WORK/nofolder.conf" >"$WORK/out" 2>"$WORK/err"
check "check-config: missing database folder exits 78" "$?" 78
check "check-config names FILE:LINE and the folder" \
	"$(cat "$WORK/err")" \
	"$WORK/nofolder.conf:3: database $WORK/missing/demarche.db: folder $WORK/missing: No such file or directory (create it, writable by the service)"
"$BUILD/demarched" -c "$WORK/nofolder.conf" -n >"$WORK/out" 2>"$WORK/err"
check "demarched -n: missing database folder exits 78" "$?" 78
check "demarched -n says it once" "$(grep -c 'missing/demarche.db' "$WORK/err")" 1
"$BUILD/demarched" -c "$WORK/nofolder.conf" --once >"$WORK/out" 2>"$WORK/err"
check "demarched --once: missing database folder exits 78" "$?" 78

if [ "$(id -u)" != 0 ]; then
	mkdir "$WORK/ro" && chmod 555 "$WORK/ro"
	printf '[storage]\ndatabase = %s/ro/x.db\n' "$WORK" >"$WORK/ro.conf"
	"$D" check-config -c "$WORK/ro.conf" 2>"$WORK/err"
	check "read-only database folder exits 78" "$?" 78
fi
printf '[storage]\ndatabase = /etc/hostname/x.db\n' >"$WORK/notdir.conf"
"$D" check-config -c "$WORK/notdir.conf" 2>"$WORK/err"
check "a file where the folder should be exits 78" "$?" 78

printf '[storage]\ndatabase = postgresql://u:secret@127.0.0.1/db?bogus_option=1\n' >"$WORK/pg.conf"
"$D" check-config -c "$WORK/pg.conf" >"$WORK/out" 2>"$WORK/err"
check "unparsable PostgreSQL URL exits 78" "$?" 78
check "it names FILE:LINE" "$(grep -c "^$WORK/pg.conf:2: database URL: not a valid PostgreSQL URL" "$WORK/err")" 1
check "the password is not printed" "$(grep -c secret "$WORK/err")" 0
printf '[storage]\ndatabase = postgresql://u@127.0.0.1:1/db\n' >"$WORK/pgok.conf"
"$D" check-config -c "$WORK/pgok.conf" >/dev/null 2>&1
check "a well-formed PostgreSQL URL passes (nothing is connected)" "$?" 0

mkdir "$WORK/state"
printf '[storage]\ndatabase = %s/state/demarche.db\n' "$WORK" >"$WORK/ok.conf"
"$D" check-config -c "$WORK/ok.conf" >/dev/null 2>&1
check "existing folder passes" "$?" 0

"$D" check-config -c "$WORK/no-such.conf" >"$WORK/out" 2>"$WORK/err"
check "check-config: missing config file exits 66" "$?" 66
"$BUILD/demarched" -c "$WORK/no-such.conf" -n >"$WORK/out" 2>"$WORK/err"
check "demarched -n: missing config file exits 66" "$?" 66
"$BUILD/demarched" -c "$WORK/no-such.conf" --once >"$WORK/out" 2>"$WORK/err"
check "demarched --once: missing config file exits 66" "$?" 66
check "the error names the file" "$(grep -c "no-such.conf" "$WORK/err")" 1
finish
