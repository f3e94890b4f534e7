# The unit file passes `systemd-analyze verify` (with the binary paths
# pointed at this build).  Skipped (77) where systemd-analyze is missing.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
command -v systemd-analyze >/dev/null 2>&1 || { echo "no systemd-analyze"; exit 77; }
sed "s|/usr/sbin/demarched|$BUILD/demarched|g" "$SRC/systemd/demarched.service" \
	>"$WORK/demarched.service"
out=$(systemd-analyze verify "$WORK/demarched.service" 2>&1)
rc=$?
echo "$out"
check "systemd-analyze verify" "$rc" 0
check "no warnings" "$(printf '%s' "$out" | grep -c demarched.service)" 0
grep -q '^Type=notify' "$SRC/systemd/demarched.service" && pass "Type=notify" || fail "not Type=notify"
grep -q '^DynamicUser=yes' "$SRC/systemd/demarched.service" && pass "DynamicUser" || fail "no DynamicUser"
grep -q '^ExecReload=.*-HUP' "$SRC/systemd/demarched.service" && pass "ExecReload sends SIGHUP" || fail "no ExecReload"
finish
