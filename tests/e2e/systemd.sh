# The unit file, as `cmake --install` installs it for a prefix, passes
# `systemd-analyze verify`, names the installed binary and config, and
# its ExecStartPre (demarched -n) passes on the installed config once the
# database folder exists.  Skipped (77) where systemd-analyze is missing.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
command -v systemd-analyze >/dev/null 2>&1 || { echo "no systemd-analyze"; exit 77; }

# A build of this tree configured for a prefix of the test's own.
PREFIX="$WORK/prefix"
cmake -S "$SRC" -B "$WORK/build" -DCMAKE_INSTALL_PREFIX="$PREFIX" >"$WORK/cmake.log" 2>&1 ||
	{ cat "$WORK/cmake.log"; fail "cmake configure"; finish; }
# Install this build's binaries through the configured tree's rules,
# without compiling again: the unit and data come from the configure step.
mkdir -p "$WORK/build" && cp "$BUILD/demarched" "$BUILD/demarche" "$WORK/build/"
cmake --install "$WORK/build" >"$WORK/install.log" 2>&1 ||
	{ cat "$WORK/install.log"; fail "cmake --install"; finish; }
UNIT="$PREFIX/lib/systemd/system/demarched.service"
check "unit installed under <prefix>/lib/systemd/system" "$([ -f "$UNIT" ] && echo yes)" yes
check "binary installed under <prefix>/sbin" "$([ -x "$PREFIX/sbin/demarched" ] && echo yes)" yes
check "unit runs the installed binary" \
	"$(grep -c "^ExecStart=$PREFIX/sbin/demarched -c $PREFIX/etc/demarche/demarche.conf --foreground$" "$UNIT")" 1
check "ExecStartPre checks the installed config" \
	"$(grep -c "^ExecStartPre=$PREFIX/sbin/demarched -c $PREFIX/etc/demarche/demarche.conf -n$" "$UNIT")" 1
check "credential name is the one the code reads" \
	"$(grep -c '^#LoadCredential=smtp_password:' "$UNIT")" 1
check "code reads the credential smtp_password" \
	"$(cat "$SRC"/daemon/*.c "$SRC"/daemon/*/*.c | grep -c '"%s/smtp_password"')" 1

out=$(systemd-analyze verify "$UNIT" 2>&1)
rc=$?
echo "$out"
check "systemd-analyze verify on the installed unit" "$rc" 0
check "no warnings" "$(printf '%s' "$out" | grep -c demarched.service)" 0
grep -q '^Type=notify' "$UNIT" && pass "Type=notify" || fail "not Type=notify"
grep -q '^DynamicUser=yes' "$UNIT" && pass "DynamicUser" || fail "no DynamicUser"
grep -q '^ExecReload=.*-HUP' "$UNIT" && pass "ExecReload sends SIGHUP" || fail "no ExecReload"

# The installed config names /var/lib/demarche/demarche.db: -n refuses it
# while that folder is missing, naming the key's line; the shipped config
# pointed at a folder that exists passes.
CONF="$PREFIX/etc/demarche/demarche.conf"
line=$(grep -n '^database = ' "$CONF" | cut -d: -f1)
if [ ! -d /var/lib/demarche ]; then
	"$PREFIX/sbin/demarched" -c "$CONF" -n >"$WORK/n.out" 2>&1
	check "-n with a missing database folder exits 78" "$?" 78
	check "the error names FILE:LINE and the folder" \
		"$(grep -c "^$CONF:$line: database /var/lib/demarche/demarche.db: folder /var/lib/demarche: No such file or directory" "$WORK/n.out")" 1
fi
mkdir "$WORK/state"
sed "s|^database = .*|database = $WORK/state/demarche.db|" "$CONF" >"$WORK/ok.conf"
"$PREFIX/sbin/demarched" -c "$WORK/ok.conf" -n >"$WORK/n2.out" 2>&1
check "-n passes with the folder in place" "$?" 0
finish
