# lib.sh — what the test scripts share, sourced after they cd to the repository root:
# the build under test ($BUILD, $BENCH), PASS/FAIL counting, a scratch directory, the
# one-line-error check and the summary line run-integration.sh reads.
# shellcheck shell=bash
BUILD=${BUILD:-build}
BENCH=${BENCH:-$BUILD/bench}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# scratch: make a temporary directory in $t, removed when the script exits
scratch() {
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
}

# expect_error NAME REGEX COMMAND...: COMMAND fails (non-zero status) and its stderr is
# one line matching REGEX (bad input gets a clear one-line error)
expect_error() {
	local name=$1 re=$2 err st
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	st=$?
	if [ "$st" -ne 0 ] && grep -Eq -- "$re" <<<"$err" && [ "$(wc -l <<<"$err")" -eq 1 ]; then
		ok "$name"
	else
		bad "$name (status $st: $err)"
	fi
}

# golden NAME FILE: FILE equals tests/golden/NAME (with UPDATE_GOLDEN=1 it is written
# there first: regenerate after checking that a change is intended)
golden() {
	local g=tests/golden
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then cp "$2" "$g/$1"; fi
	if cmp -s "$2" "$g/$1"; then ok "golden $1"; else bad "golden $1"; diff "$g/$1" "$2" | head -8; fi
}

# summary SUITE: the suite's count line; the status is 0 only if nothing failed
summary() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
