# backends: postgresql
# A test killed outright (SIGKILL to its process group, as timeout(1)
# does, or to its process tree, as CTest does on a test's TIMEOUT) leaves
# nothing running: not the daemon, not the feed server, and not the
# PostgreSQL server that pg_ctl detached (lib/pg.sh's watchdog stops it).
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup

# leftovers PG_DIR: the processes still running from the killed test.
leftovers() {
	pgrep -f "$1" || true
}

# killed_run HOW: runs lib/killed_test.sh, kills it once it is up.
killed_run() {
	state="$WORK/state.$1"
	rm -f "$state"
	KILLED_TEST_STATE=$state setsid sh "$TESTS/e2e/lib/killed_test.sh" \
		>"$WORK/killed.$1.log" 2>&1 &
	pid=$!
	wait_for '[ -s "$state" ]' 600 || { fail "$1: killed test did not start"; cat "$WORK/killed.$1.log"; return; }
	read -r pgdir work daemon server <"$state"
	wait_for "grep -q 'polling 1 feed' '$work/daemon.log'" 300 || fail "$1: daemon did not start"
	case "$1" in
	group) /bin/kill -KILL -- "-$pid" ;;
	tree)  # CTest's way: every descendant by parent pid, then the test
		for p in $(pgrep -P "$pid"); do kill -KILL $(pgrep -P "$p") "$p" 2>/dev/null; done
		kill -KILL "$pid" ;;
	esac
	wait "$pid" 2>/dev/null
	wait_for "! kill -0 $daemon 2>/dev/null && ! kill -0 $server 2>/dev/null" 100 ||
		fail "$1: daemon or feed server left running"
	wait_for "[ -z \"\$(leftovers '$pgdir/data')\" ]" 150 &&
		pass "$1 kill: PostgreSQL server stopped" ||
		{ fail "$1 kill: PostgreSQL server left running"; leftovers "$pgdir/data"; }
	rm -rf "$pgdir" "$work"
}

killed_run group
killed_run tree
finish
