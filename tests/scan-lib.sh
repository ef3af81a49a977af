# shellcheck shell=bash
# scan-lib.sh - sourced by tests/scan.sh and tests/scan-git.sh: finds the
# binary (TESTS_ENVIRONMENT's BLACKBAR), makes a temp dir removed on exit,
# check helpers, throwaway git repos, and secrets built from random
# characters at run time (never a placeholder a rule allow-lists).

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}
if ! command -v git > /dev/null; then
    echo "SKIP: git is not installed"
    exit 77
fi
case $BLACKBAR in
/*) ;;
*) BLACKBAR=$(cd "$(dirname "$BLACKBAR")" && pwd)/$(basename "$BLACKBAR") ;;
esac
work=$(mktemp -d)
trap 'cd /; chmod -R u+rwX "$work" 2>/dev/null
      [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
# The user's and the system's git settings (hooksPath, signing, templates)
# stay out; fingerprints use the built-in key unless a test sets one.
export HOME=$work GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
unset BLACKBAR_SCAN_KEY GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
failed=0

ok() {
    echo "ok   $*"
}
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}
# check NAME COMMAND...: ok when COMMAND succeeds
check() {
    local name=$1
    shift
    if "$@"; then
        ok "$name"
    else
        fail "$name"
    fi
}
# bb ARGS...: blackbar scan ARGS; stdout in $out, stderr in $err, exit in rc
out=$work/out
err=$work/err
bb() {
    "$BLACKBAR" scan "$@" > "$out" 2> "$err"
    rc=$?
}
# expect NAME WANT-EXIT ARGS...: bb ARGS, ok when it exits WANT-EXIT
expect() {
    local name=$1 want=$2
    shift 2
    bb "$@"
    if [ "$rc" = "$want" ]; then
        ok "$name: exit $rc"
        return 0
    fi
    fail "$name: exit $rc, want $want (scan $*)"
    sed 's/^/    stdout: /' "$out" | head -20
    sed 's/^/    stderr: /' "$err" | head -20
    return 1
}
# nfind FILE: how many findings a JSON report holds
nfind() {
    grep -o '"fingerprint" *:' "$1" | wc -l
}
# rows FILE: a JSON report's findings one a line, blanks removed
rows() {
    tr -d ' \n' < "$1" | sed -E 's/\},\{/}\n{/g'
}
# jnum FILE KEY: the number after "KEY": in a JSON report (first one)
jnum() {
    grep -o "\"$2\" *: *[0-9]*" "$1" | head -1 | grep -o '[0-9]*$'
}
# has FILE FIXED-STRING / lacks FILE FIXED-STRING
has() {
    grep -qF -- "$2" "$1"
}
lacks() {
    ! grep -qF -- "$2" "$1"
}
# same NAME GOT WANT: ok when the strings are equal
same() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        fail "$1: got '$2', want '$3'"
    fi
}
# rnd SET N: N random characters from the tr SET
rnd() {
    tr -dc "$1" < /dev/urandom | head -c "$2"
}
# newrepo DIR: an empty git repository with a local identity
newrepo() {
    mkdir -p "$1"
    git -C "$1" -c init.defaultBranch=main init -q
    git -C "$1" config user.name "Scan Test"
    git -C "$1" config user.email scan-test@invalid
    git -C "$1" config commit.gpgsign false
}
# commit DIR MESSAGE: add everything and commit
commit() {
    git -C "$1" add -A && git -C "$1" commit -q --no-verify -m "$2"
}

# The secrets (and the rule each one is found by). The AWS secret has no
# '/' or '+' so it reads the same in JSON; the PEM body's lines are each
# checked, since a whole multi-line value cannot be grepped.
akid=AKIA$(rnd 'A-Z2-7' 16)                 # aws-access-key-id
awssec=$(rnd 'A-Za-z0-9' 40)                # aws-secret-access-key
ghp=ghp_$(rnd 'A-Za-z0-9' 36)               # github-token
slack=xoxb-$(rnd '1-9' 12)-$(rnd '1-9' 13)-$(rnd 'A-Za-z0-9' 24) # slack-token
email=$(rnd 'a-z' 8).$(rnd 'a-z' 6)@$(rnd 'a-z' 9).com            # email
pem1=$(rnd 'A-Za-z0-9' 64)
pem2=$(rnd 'A-Za-z0-9' 64)
pem3=$(rnd 'A-Za-z0-9' 40)
pem="-----BEGIN RSA PRIVATE KEY-----
MII$pem1
$pem2
$pem3==
-----END RSA PRIVATE KEY-----"               # private-key-pem
# shellcheck disable=SC2034 # used by the scripts that source this
values=("$akid" "$awssec" "$ghp" "$slack" "$email" "$pem1" "$pem2" "$pem3")

# secret_files DIR: files holding one secret of each kind, two or three
# a file, with other lines between them
secret_files() {
    mkdir -p "$1/config" "$1/src" "$1/keys"
    printf '%s\n' '[default]' 'region = eu-west-1' \
        "aws_access_key_id = $akid" '# rotate' \
        "aws_secret_access_key = $awssec" > "$1/config/aws.ini"
    printf '%s\n' 'import os' '' "GITHUB = \"$ghp\"" '' '' 'def main():' \
        "    slack = \"$slack\"" '    return slack' > "$1/src/app.py"
    printf '# deploy key\n%s\n' "$pem" > "$1/keys/deploy.pem"
    printf 'Maintainer\n\nWrite to %s for access.\n' "$email" \
        > "$1/README.md"
}
