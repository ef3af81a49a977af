#!/usr/bin/env bash
# scan.sh - blackbar scan (docs/blackbar-scan.1.md): a baseline survives
# 50 lines inserted above every finding and reports only a changed value;
# no output, report, baseline or error message holds a secret (unless
# --show-values); the SARIF passes Microsoft's validator (skipped when
# tests/sarif/node_modules is missing: cd tests/sarif && npm ci); exit
# codes, the text line, binary/large/symlinked files, stdin, the ignore
# file, blackbar:allow:RULE, and -j 1 = -j 4. The git modes (--staged,
# --diff, --history, the hook) are tests/scan-git.sh.

set -u
# shellcheck source=tests/scan-lib.sh
. "$(dirname "$0")/scan-lib.sh"

# --- exit codes, the text line, masking -----------------------------
t=$work/plain
mkdir -p "$t/empty"
printf 'nothing here\n' > "$t/empty/a.txt"
printf 'first\ntoken = %s\n# \xc3\xa9 %s\n' "$ghp" "$akid" > "$t/t.txt"
cd "$t" || exit 1
expect "clean tree" 0 --no-git empty
expect "findings" 1 --no-git t.txt
same "text line, 1-based column, 4+4 chars shown" "$(sed -n 1p "$out")" \
    "t.txt:2:9: github-token: ghp_****…${ghp: -4}"
same "a 20-char value shows 2+2, columns count code points (é is one)" "$(sed -n 2p "$out")" \
    "t.txt:3:5: aws-access-key-id: AK****…${akid: -2}"
sum='^blackbar scan: 2 findings in 1 files? \(0 in baseline, 0 allowed\); '
sum+='skipped 0 \(binary 0, too large 0, symlink 0(, ignored 0)?\); '
sum+='unreadable 0$'
check "summary on stderr" grep -qE "$sum" "$err"
expect "-q: no summary" 1 -q --no-git t.txt && check "-q: stderr empty" \
    test ! -s "$err"
expect "unknown option" 2 --no-such-option
expect "missing path" 2 --no-git no-such-dir
expect "bad --format" 2 -f xml t.txt
expect "bad --max-file-size" 2 --max-file-size 12Q t.txt
printf 'x = %s\n' "$ghp" | "$BLACKBAR" scan - > "$out" 2> "$err"
same "stdin is path -" "$?:$(cat "$out")" \
    "1:-:1:5: github-token: ghp_****…${ghp: -4}"
cd "$work" || exit 1

# --- baseline -------------------------------------------------------
repo=$work/base
newrepo "$repo"
secret_files "$repo"
commit "$repo" "secrets"
cd "$repo" || exit 1
expect "all kinds found" 1 -f json
for r in aws-access-key-id aws-secret-access-key github-token slack-token \
    private-key-pem email; do
    check "found by $r" grep -qE "\"rule\" *: *\"$r\"" "$out"
done
nall=$(nfind "$out")
expect "--write-baseline" 0 --write-baseline "$work/b.json" &&
    check "baseline written" test -s "$work/b.json"
same "baseline: one entry a finding" \
    "$(grep -c '"fingerprint"' "$work/b.json")" "$nall"
check "baseline: no temporary file left beside it" \
    test -z "$(ls -A "$work" | grep '\.tmp\.')"
expect "--write-baseline into a missing directory" 2 \
    --write-baseline "$work/none/b.json"
check "--write-baseline into a missing directory: the message" \
    grep -q "none/\.b\.json\.tmp\..*No such file" "$err"
expect "--baseline: clean" 0 -f json --baseline "$work/b.json"
same "--baseline: 0 findings" "$(nfind "$out")" 0
same "--baseline: all counted as baselined" "$(jnum "$out" baselined)" \
    "$nall"
check "baseline holds no line numbers" \
    eval '! grep -qiE "\"(line|column|end_?line|start_?line)\"" "$work/b.json"'
q='"([^"]*)"'
grep '"fingerprint"' "$work/b.json" | tr -d ' ' |
    sed -E "s/.*\"path\":$q.*\"rule\":$q.*\"fingerprint\":$q.*/\\1 \\2 \\3/" \
    > "$work/keys"
check "baseline sorted by path, rule, fingerprint" \
    cmp -s "$work/keys" <(sort "$work/keys")
cp "$work/b.json" "$work/b-again.json"
bb --write-baseline "$work/b-again.json"
check "baseline rewritten over itself: same bytes" \
    cmp -s "$work/b.json" "$work/b-again.json"

# 50 lines above each finding's line, in every file
for f in config/aws.ini src/app.py keys/deploy.pem README.md; do
    awk '/AKIA|aws_secret|ghp_|xoxb-|BEGIN RSA|@/ {
            for (i = 1; i <= 50; i++) print "# filler " i }
         { print }' "$f" > "$f.new" && mv "$f.new" "$f"
done
expect "moved: still found" 1 -f json
check "moved: slack line 7 is now line 107" \
    eval 'rows "$out" | grep "\"path\":\"src/app.py\"" |
        grep -q "\"line\":107,"'
expect "moved, --baseline: no new finding" 0 -f json --baseline "$work/b.json"
same "moved, --baseline: 0 findings" "$(nfind "$out")" 0
bb --write-baseline "$work/b-moved.json"
check "moved: the baseline written again is the same bytes" \
    cmp -s "$work/b.json" "$work/b-moved.json"

ghp2=ghp_$(rnd 'A-Za-z0-9' 36)
values+=("$ghp2")
sed -i "s/$ghp/$ghp2/" src/app.py
expect "one value changed" 1 -f json --baseline "$work/b.json"
same "one value changed: 1 new finding" "$(nfind "$out")" 1
check "one value changed: it is the github token" \
    eval 'rows "$out" | grep "\"path\":\"src/app.py\"" |
        grep -q "\"rule\":\"github-token\""'
cp "$work/b.json" "$work/b-src.json"
bb --write-baseline "$work/b-src.json" src
tr -d ' ' < "$work/b-src.json" > "$work/b-src.flat"
check "--write-baseline of src keeps config's entries" \
    grep -qF '"path":"config/aws.ini"' "$work/b-src.flat"
same "--write-baseline of src replaces src's" \
    "$(grep -c '"path":"src/' "$work/b-src.flat")" 2
check "--write-baseline of src: the new github token's entry" \
    eval '! cmp -s "$work/b.json" "$work/b-src.json"'
expect "updated baseline: clean" 0 --baseline "$work/b-src.json"

# --- SARIF ----------------------------------------------------------
mkdir -p "my docs"
printf 'mail %s\n' "$email" > "my docs/a b.txt"
expect "sarif" 1 -f sarif -o "$work/scan.sarif"
check "sarif: uri relative, %-encoded" \
    grep -qF '"uri":"my%20docs/a%20b.txt"' <(tr -d ' \n' < "$work/scan.sarif")
tr -d ' \n' < "$work/scan.sarif" > "$work/sarif.flat"
for k in '"version":"2.1.0"' '"name":"blackbar"' \
    '"ruleIndex":' '"security-severity":' '"defaultConfiguration":' \
    '"shortDescription":' '"tags":' '"endLine":' '"startColumn":'; do
    check "sarif has $k" has "$work/sarif.flat" "$k"
done
check "sarif: message.text is rule: masked" \
    has "$work/sarif.flat" "\"text\":\"github-token:ghp_****…${ghp2: -4}\""
same "sarif: one partialFingerprint a result" \
    "$(grep -o 'blackbarFingerprint/v1' "$work/scan.sarif" | wc -l)" \
    "$((nall + 1))"
mt=$srcdir/tests/sarif/node_modules/.bin/sarif-multitool
if [ ! -s "$work/scan.sarif" ]; then
    fail "sarif validator: no SARIF written"
elif [ ! -x "$mt" ] || ! command -v node > /dev/null; then
    echo "SKIP sarif validator: tests/sarif/node_modules is missing" \
        "(cd tests/sarif && npm ci)"
else
    # $schema would make the validator fetch that URL: validate a copy
    # without it (against the schema it carries), offline.
    node -e 'const fs = require("fs"); const l = JSON.parse(
        fs.readFileSync(process.argv[1])); delete l["$schema"];
        fs.writeFileSync(process.argv[2], JSON.stringify(l, null, 1))' \
        "$work/scan.sarif" "$work/v.sarif"
    # It exits 0 even when the log is invalid: the errors are its output.
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$mt" validate "$work/v.sarif" \
        -o "$work/v.out.sarif" --log ForceOverwrite > "$work/v.txt" 2>&1
    vrc=$?
    if [ "$vrc" = 0 ] && grep -q 'Analysis completed successfully' \
        "$work/v.txt" && ! grep -q ': error ' "$work/v.txt"; then
        ok "sarif validator: no error"
    else
        fail "sarif validator: exit $vrc"
        sed 's/^/    /' "$work/v.txt"
    fi
    # warnings (not failures); SARIF2008 is the $schema dropped above
    grep ': warning ' "$work/v.txt" | grep -v SARIF2008 |
        sed 's/^/# validator /' | cut -c1-200
fi

# --- no value leaks -------------------------------------------------
leak=$work/leak
mkdir -p "$leak"
n=0
keep() { # keep the last run's stdout and stderr for the grep below
    n=$((n + 1))
    cp "$out" "$leak/$n.out"
    cp "$err" "$leak/$n.err"
}
for fmt in text json sarif; do
    bb -f "$fmt"
    keep
    bb -f "$fmt" -o "$leak/report.$fmt"
    keep
done
cp "$work"/b*.json "$leak/"
printf '{"tool":"blackbar","findings":[%s\n' "$ghp" > "$work/bad.json"
expect "baseline not JSON" 2 --baseline "$work/bad.json" && keep
printf '{"tool":"blackbar","version":1,"findings":[{"path":"%s","rule":7}]}\n' \
    "$slack" > "$work/bad2.json"
expect "baseline of the wrong shape" 2 --baseline "$work/bad2.json" && keep
expect "--diff with a bad rev" 2 --diff no-such-rev && keep
u=$work/unread
mkdir -p "$u"
printf 'a = %s\n' "$ghp" > "$u/a.txt"
printf 'b = %s\n' "$slack" > "$u/b.txt"
chmod 000 "$u/b.txt"
as=()
if [ "$(id -u)" = 0 ]; then # root reads a mode 000 file: scan as nobody
    as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    chmod 755 "$work"
    # the build tree may sit where nobody cannot reach it
    "${as[@]}" "$BLACKBAR" --version > /dev/null 2>&1 || as=(skip)
fi
if [ "${as[0]:-}" = skip ]; then
    echo "SKIP unreadable file: root, and nobody cannot run $BLACKBAR"
else
    "${as[@]}" "$BLACKBAR" scan --no-git "$u" > "$out" 2> "$err"
    rc=$?
    keep
    same "unreadable file: exit 2" "$rc" 2
    check "unreadable file: the other file's finding still printed" \
        has "$out" github-token
    check "unreadable file: named" has "$err" b.txt
    check "unreadable file: counted" grep -q 'unreadable 1$' "$err"
fi
chmod 700 "$work"
leaks=0
for v in "${values[@]}"; do
    if grep -rqF -- "$v" "$leak"; then
        fail "a value leaked: in $(grep -rlF -- "$v" "$leak" | tr '\n' ' ')"
        leaks=$((leaks + 1))
    fi
done
[ "$leaks" = 0 ] && ok "no value in $(ls "$leak" | wc -l) outputs"
mkdir -p "$leak/shown"
for fmt in text json sarif; do
    bb -f "$fmt" --show-values
    cp "$out" "$leak/shown/$fmt"
done
cp "$work/b.json" "$work/b-shown.json"
bb --show-values --write-baseline "$work/b-shown.json"
shown=0
for v in "${values[@]}"; do
    [ "$v" = "$ghp" ] && continue # replaced in the tree by $ghp2
    for fmt in text json; do
        has "$leak/shown/$fmt" "$v" || shown=$((shown + 1))
    done
    if has "$work/b-shown.json" "$v"; then
        fail "--show-values put a value in the baseline"
    fi
done
same "--show-values: every value in text and json" "$shown" 0

# --- what is skipped ------------------------------------------------
s=$work/skip
mkdir -p "$s/in" "$s/out"
printf 'x\0y\ntoken = %s\n' "$ghp" > "$s/in/blob.dat"
{ head -c 3000 /dev/zero | tr '\0' 'a'; printf '\n%s\n' "$ghp"; } \
    > "$s/in/big.txt"
printf 'k = %s\n' "$ghp" > "$s/out/secret.txt"
ln -s "$s/out/secret.txt" "$s/in/link.txt"
printf 'fine\n' > "$s/in/ok.txt"
expect "skipped: binary, too large, symlink out" 0 --no-git -f json \
    --max-file-size 2K "$s/in"
same "binary skipped and counted" "$(jnum "$out" skipped_binary)" 1
same "too large skipped and counted" "$(jnum "$out" skipped_large)" 1
same "symlink out of the tree skipped and counted" \
    "$(jnum "$out" skipped_symlink)" 1
check "summary line counts them" grep -qE \
    'skipped 3 \(binary 1, too large 1, symlink 1(, ignored 0)?\)' "$err"
expect "under --max-file-size 4K: found" 1 --no-git --max-file-size 4K "$s/in"

# --- .blackbarignore, --ignore-file ---------------------------------
g=$work/ign
mkdir -p "$g/sub/docs" "$g/docs" "$g/node_modules/p" "$g/sub/node_modules" \
    "$g/gen/a/b"
for f in a.min.js sub/b.min.js node_modules/p/i.js sub/node_modules/q.js \
    gen/a/b/out.txt; do
    printf 't = "%s"\n' "$ghp" > "$g/$f"
done
printf 'mail %s\n' "$email" > "$g/docs/x.md"
printf 'mail %s\n' "$email" > "$g/sub/docs/x.md"
printf 'a = %s\nb = %s\n' "$ghp" "$akid" > "$g/keep.txt"
cd "$g" || exit 1
expect "no ignore file: all found" 1 --no-git -f json
same "no ignore file: 9 findings" "$(nfind "$out")" 9
fp=$(rows "$out" | grep '"rule":"aws-access-key-id"' |
    grep -oE '"fingerprint":"[0-9a-f]{32}"' | grep -oE '[0-9a-f]{32}')
printf '%s\n' '# *.txt is a comment' '*.min.js' 'docs/*.md' node_modules \
    'gen/**/out.txt' "$fp" > .blackbarignore
expect "ignore file" 1 --no-git -f json
got=$(rows "$out" | grep -oE '"path":"[^"]*","line":[0-9]+' | tr -d '"' |
    tr '\n' ' ')
same "ignore file: globs and the fingerprint" "$got" \
    "path:keep.txt,line:1 path:sub/docs/x.md,line:1 "
mv .blackbarignore "$work/ignore"
expect "--ignore-file" 1 --no-git -f json --ignore-file "$work/ignore"
same "--ignore-file: 2 findings" "$(nfind "$out")" 2
cd "$work" || exit 1

# --- blackbar:allow -------------------------------------------------
a=$work/allow
mkdir -p "$a"
{
    printf 'k1 = %s # blackbar:allow:github-token\n' "$akid"
    printf 'k2 = %s # blackbar:allow:aws-access-key-id\n' "$akid"
    printf 'k3 = %s # blackbar:allow:AWS_ACCESS_KEY\n' "$akid"
    printf 'k4 = %s %s # blackbar:allow:github-token\n' "$ghp" "$akid"
    printf 'k5 = %s # blackbar:allow\n' "$ghp"
    printf 'k6 = %s %s # blackbar:allow:github-token,aws-access-key-id\n' \
        "$ghp" "$akid"
} > "$a/allow.txt"
expect "allow" 1 --no-git -f json "$a"
got=$(rows "$out" | grep '"rule"' |
    sed -E 's/.*"line":([0-9]+).*"rule":"([^"]*)".*/\1:\2/' | tr '\n' ' ')
same "allow:RULE suppresses only that rule" "$got" \
    "1:aws-access-key-id 4:aws-access-key-id "
same "allowed counted" "$(jnum "$out" allowed)" 6

# --- -j 1 and -j 4 give the same bytes ------------------------------
d=$work/many
for i in $(seq 200); do
    mkdir -p "$d/d$((i % 7))/e$((i % 3))"
    f=$d/d$((i % 7))/e$((i % 3))/f$i.txt
    printf 'line one\n' > "$f"
    [ $((i % 2)) = 0 ] && printf 'gh = %s\n' "$ghp" >> "$f"
    [ $((i % 3)) = 0 ] && printf 'id = %s\nmail %s\n' "$akid" "$email" >> "$f"
    [ $((i % 5)) = 0 ] && printf '%s\n' "$pem" >> "$f"
done
for fmt in json text; do
    "$BLACKBAR" scan --no-git -f "$fmt" -j 1 "$d" > "$work/j1" 2> "$work/j1e"
    "$BLACKBAR" scan --no-git -f "$fmt" -j 4 "$d" > "$work/j4" 2> "$work/j4e"
    check "-j 1 and -j 4: same $fmt, same summary" eval \
        'cmp -s "$work/j1" "$work/j4" && cmp -s "$work/j1e" "$work/j4e"'
done
same "-j: 200 files scanned" "$(grep -o 'in [0-9]* files' "$work/j1e")" \
    "in 200 files"
check "-j: text in path then line order" cmp -s "$work/j1" <(sort -s -t: \
    -k1,1 -k2,2n "$work/j1")

echo "$failed failed"
[ "$failed" -eq 0 ]
