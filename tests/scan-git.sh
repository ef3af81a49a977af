#!/usr/bin/env bash
# scan-git.sh - blackbar scan in git work trees: tracked and untracked
# files but not ignored ones; --staged reads the index, not the work
# tree; --diff REV reports only the lines added since REV; --history
# finds a secret a later commit removed, with its commit; the pre-commit
# hook (--install-hook) stops a commit holding a key, lets it through
# with blackbar:allow, and replaces a foreign hook only with --force.

set -u
# shellcheck source=tests/scan-lib.sh
. "$(dirname "$0")/scan-lib.sh"

# paths FILE: the JSON report's finding paths, one line
paths() {
    rows "$1" | grep -oE '"path":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' '
}

# --- which files: tracked, untracked, not ignored -------------------
r=$work/files
newrepo "$r"
printf 'ignored.txt\nbuild/\n' > "$r/.gitignore"
printf 'plain\n' > "$r/tracked.txt"
commit "$r" init
printf 'id = %s\n' "$akid" > "$r/tracked.txt"
printf 't = %s\n' "$ghp" > "$r/ignored.txt"
mkdir -p "$r/build"
printf 't = %s\n' "$ghp" > "$r/build/out.txt"
printf 't = %s\n' "$slack" > "$r/untracked.txt"
cd "$r" || exit 1
expect "git tree" 1 -f json
same "tracked and untracked scanned, ignored not" "$(paths "$out")" \
    "tracked.txt untracked.txt "
expect "--no-git walks ignored files too" 1 -f json --no-git
same "--no-git: 4 findings" "$(nfind "$out")" 4

# --- --staged -------------------------------------------------------
r=$work/staged
newrepo "$r"
printf 'clean\n' > "$r/a.txt"
commit "$r" init
cd "$r" || exit 1
printf 'x = %s\n' "$ghp" > new.txt
git add new.txt
printf 'clean\n' > new.txt
expect "--staged: the index holds a secret, the work tree not" 1 --staged
same "--staged: found in the index's new.txt" "$(cat "$out")" \
    "new.txt:1:5: github-token: ghp_****…${ghp: -4}"
printf 'clean\nk = %s\n' "$akid" > a.txt
git add a.txt
printf 'clean\n' > a.txt
expect "--staged: a modified file's staged content" 1 --staged a.txt
same "--staged: line 2 of the staged a.txt" "$(cat "$out")" \
    "a.txt:2:5: aws-access-key-id: AK****…${akid: -2}"
# One git cat-file --batch a worker: a blob over --max-file-size is read
# past, and the blobs after it are still read whole and in step.
for i in 1 2 3; do
    printf 'k%d = %s\n' "$i" "$ghp" > "s$i.txt"
done
head -c 5000 /dev/zero | tr '\0' 'x' > big.txt
printf '\nz = %s\n' "$ghp" >> big.txt
git add s1.txt s2.txt s3.txt big.txt
expect "--staged: a blob too large among others" 1 --staged -j 1 \
    --max-file-size 1K -f json
same "--staged: the blobs after the large one read whole" \
    "$(paths "$out")" "a.txt new.txt s1.txt s2.txt s3.txt "
check "--staged: the large one counted as too large" \
    grep -q "too large 1" "$err"
rm -f s1.txt s2.txt s3.txt big.txt
git reset -q
rm new.txt
printf 'clean\nk = %s\n' "$akid" > a.txt
printf 'y = %s\n' "$ghp" > untracked.txt
expect "--staged: the work tree holds secrets, the index not" 0 --staged
expect "without --staged they are found" 1

# --- --diff REV -----------------------------------------------------
r=$work/diff
newrepo "$r"
printf 'one\nold = %s\nthree\n' "$akid" > "$r/f.txt"
commit "$r" A
rev=$(git -C "$r" rev-parse HEAD)
printf 'one\nold = %s\nthree\nfour\nnew = %s\n' "$akid" "$ghp" > "$r/f.txt"
# a blank in the name: git's diff ends "+++ b/g h.txt" with a tab
printf 'slack: %s\n' "$slack" > "$r/g h.txt"
commit "$r" B
printf 'w = %s\n' "$email" >> "$r/f.txt"
cd "$r" || exit 1
expect "--diff REV" 1 --diff "$rev"
same "--diff: only the added lines, with their line numbers" \
    "$(tr '\n' '|' < "$out")" \
    "f.txt:5:7: github-token: ghp_****…${ghp: -4}|f.txt:6:5: email: $(
    printf '%s' "$email" | cut -c1-3)****…$(printf '%s' "$email" |
    rev | cut -c1-3 | rev)|g h.txt:1:8: slack-token: xoxb****…${slack: -4}|"
expect "--diff json" 1 --diff "$rev" -f json "g h.txt"
rows "$out" | grep -oE '"fingerprint":"[0-9a-f]+"' > "$work/fp.diff"
expect "whole-file json" 1 -f json "g h.txt"
rows "$out" | grep -oE '"fingerprint":"[0-9a-f]+"' > "$work/fp.file"
check "--diff: the fingerprint a whole-file scan gives (one baseline)" \
    eval '[ -s "$work/fp.file" ] && cmp -s "$work/fp.diff" "$work/fp.file"'
expect "--diff HEAD: the uncommitted line" 1 --diff HEAD
same "--diff HEAD: 1 finding" "$(grep -c '' "$out")" 1
git checkout -q f.txt
expect "--diff HEAD on a clean tree" 0 --diff HEAD

# --- --history ------------------------------------------------------
r=$work/hist
newrepo "$r"
printf 'a\n' > "$r/h i.txt"
commit "$r" one
printf 'a\ns = %s\n' "$slack" > "$r/h i.txt"
commit "$r" two
c2=$(git -C "$r" rev-parse HEAD)
printf 'a\n' > "$r/h i.txt"
commit "$r" three
printf 'b\n' > "$r/other.txt"
commit "$r" four
cd "$r" || exit 1
expect "HEAD is clean" 0
expect "--history" 1 --history
same "--history: the removed secret, with the commit that added it" \
    "$(cat "$out")" \
    "h i.txt:2:5: slack-token: xoxb****…${slack: -4} (commit ${c2:0:12})"
expect "--history json" 1 --history -f json
check "--history json: the whole commit id" \
    eval 'rows "$out" | grep -q "\"commit\":\"$c2\""'
check "--history: no value in the output" lacks "$out" "$slack"

# --- the pre-commit hook --------------------------------------------
r=$work/hook
newrepo "$r"
printf 'x\n' > "$r/a.txt"
commit "$r" init
cd "$r" || exit 1
h=.git/hooks/pre-commit
rm -f "$h"
expect "--install-hook" 0 --install-hook
same "hook mode 0755" "$(stat -c %a "$h" 2>&1)" 755
same "hook: #! line, then the marker line" "$(head -2 "$h" 2>&1)" "#!/bin/sh
# blackbar pre-commit hook: installed by \`blackbar scan --install-hook\`"
# (BLACKBAR_EXE: the binary behind a wrapper such as valgrind.sh's)
same "hook: runs the binary by its absolute path" \
    "$(grep -v '^#' "$h" 2>&1)" \
    "exec '$(readlink -f "${BLACKBAR_EXE:-$BLACKBAR}")' scan --staged"
head0=$(git rev-parse HEAD)
printf 'aws_access_key_id = %s\n' "$akid" > keys.txt
git add keys.txt
git commit -q -m "add a key" > "$work/commit.out" 2>&1
rc=$?
check "hook: a commit adding a key fails" test "$rc" != 0
same "hook: no commit made" "$(git rev-parse HEAD)" "$head0"
check "hook: it says why" has "$work/commit.out" aws-access-key-id
check "hook: without the value" lacks "$work/commit.out" "$akid"
printf 'aws_access_key_id = %s # blackbar:allow\n' "$akid" > keys.txt
git add keys.txt
git commit -q -m "add an allowed key" > "$work/commit.out" 2>&1
rc=$?
check "hook: with blackbar:allow the commit is made" test "$rc" = 0
check "hook: the commit holds keys.txt" eval \
    'git cat-file -e HEAD:keys.txt && [ "$(git rev-parse HEAD~1)" = "$head0" ]'
expect "hook: installed again over our own" 0 --install-hook
printf '#!/bin/sh\necho foreign hook\n' > "$h"
chmod 755 "$h"
cp "$h" "$work/foreign"
expect "hook: a foreign hook is refused" 2 --install-hook
check "hook: the foreign hook unchanged" cmp -s "$h" "$work/foreign"
check "hook: the refusal says --force" has "$err" --force
expect "hook: --force replaces it" 0 --install-hook --force
check "hook: ours now" grep -q '^# blackbar pre-commit hook' "$h"
mkdir -p "$work/nogit"
cd "$work/nogit" || exit 1
expect "--install-hook outside a git work tree" 2 --install-hook
check "--install-hook outside: no hook written" test ! -e .git/hooks/pre-commit

echo "$failed failed"
[ "$failed" -eq 0 ]
