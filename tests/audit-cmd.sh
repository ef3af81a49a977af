#!/usr/bin/env bash
# audit-cmd.sh - blackbar audit (docs/blackbar-audit.1.md) on a log of
# 300 records with values built at run time: the JSON report's totals,
# types, paths, days, distinct values and worst records; the findings
# file, line by line; no output holds a value; 4 shards audited at once
# and merged give the single run's report, byte for byte, as does the
# gzip; --redact-to's copies (placeholders, gzip, never a half-written
# file); a truncated gzip, a binary line, a 200 MB line and a file gone
# mid-run each named with its line, the rest audited, exit 2; exit
# codes, stdin, the progress line; SARIF (Microsoft's validator when
# tests/sarif/node_modules is there).

set -u
# shellcheck source=tests/audit-lib.sh
. "$(dirname "$0")/audit-lib.sh"

cd "$work" || exit 1
make_log app.jsonl
nlines=$(wc -l < app.jsonl)

# --- the JSON report ------------------------------------------------
expect "findings" 1 --report json -q app.jsonl --findings f.jsonl \
    --partial app.part
cp "$out" single.json
cp "$err" single.err
same "report: one line" "$(wc -l < single.json)" 1
same "totals.findings: every inserted value" \
    "$(js single.json r.totals.findings)" "$total"
same "totals.distinct: the address in 3 records counted once" \
    "$(js single.json r.totals.distinct)" "$((total - 2))"
same "totals.records, not_json, errors, files" \
    "$(js single.json '[r.totals.records, r.totals.not_json,
        r.totals.errors, r.totals.files]')" "[$nlines,3,0,1]"
same "totals.records_with_findings" \
    "$(js single.json r.totals.records_with_findings)" "$with"
same "totals.bytes: the file's size" "$(js single.json r.totals.bytes)" \
    "$(wc -c < app.jsonl)"
same "by_type" "$(js single.json r.by_type)" "$(json_counts by_type)"
same "by_rule" "$(js single.json r.by_rule)" \
    '{"aws-access-key-id":31,"credit-card":43,"email":83,"github-token":21}'
same "by_path: indexes as [*], \"\" for text" \
    "$(js single.json r.by_path)" "$(json_counts by_path)"
same "by_day: 3 days, per type (ISO as written, epoch s and ms in UTC)" \
    "$(js single.json r.by_day)" "$(json_days)"
same "by_day: the ISO time's date as written (no zone conversion)" \
    "$(js single.json 'Object.keys(r.by_day).join(" ")')" \
    "$day1 $day2 $day3"
same "worst: 20 records" "$(js single.json r.worst.length)" 20
rl=$(grep -n '"req-100"' app.jsonl | cut -d: -f1)
same "worst[0]: record 100, its 5 findings" \
    "$(js single.json 'r.worst[0]')" \
    "$(printf '{"file":"app.jsonl","findings":5,"line":%s,%s}' \
        "$rl" '"types":{"AWS_ACCESS_KEY":1,"CREDIT_CARD":1,"EMAIL":2,'`
        `'"GITHUB_TOKEN":1}')"
check "worst: most findings first, then line" \
    test "$(js single.json 'r.worst.every((w, i) => i === 0 ||
        r.worst[i - 1].findings > w.findings ||
        (r.worst[i - 1].findings === w.findings &&
         r.worst[i - 1].line < w.line))')" = true
cp app.jsonl first.jsonl
expect "two logs" 1 --report json -q first.jsonl app.jsonl
same "two logs: worst ties in argument order, then line" \
    "$(js "$out" 'r.worst.slice(0, 4).map((w) => w.file + ":" + w.line)
        .join(" ")')" \
    "$(printf 'first.jsonl:%s app.jsonl:%s first.jsonl:64 app.jsonl:64' \
        "$rl" "$rl")"
same "files: one, with its counts" \
    "$(js single.json 'r.files.map((f) => [f.file, f.records, f.findings,
        f.not_json, f.errors.length])')" \
    "[[\"app.jsonl\",$nlines,$total,3,0]]"

# --- the findings file ----------------------------------------------
same "findings file: one line a finding" "$(wc -l < f.jsonl)" "$total"
check "findings file: line, path, rule of each, in input order" \
    cmp -s <(js f.jsonl 'L.map((f) => f.line + " " + f.path + " " +
        f.rule).join("\n")') app.jsonl.truth
fmembers=file,fingerprint,line,masked,path,rule,severity,type
same "findings file: the members (day only with a time)" \
    "$(js f.jsonl '[...new Set(L.map((f) => Object.keys(f).sort()
        .join(",")))].join(" ")')" \
    "day,$fmembers $fmembers"
check "findings file: fingerprints are 32 hex digits" \
    test "$(js f.jsonl 'L.every((f) =>
        /^[0-9a-f]{32}$/.test(f.fingerprint))')" = true
same "findings file: day only for records with a time" \
    "$(js f.jsonl 'L.filter((f) => f.day !== undefined).length')" \
    "$((total - 4))"
same "findings file: record 100's AWS key at its line and path" \
    "$(js f.jsonl "JSON.stringify(L.filter((f) => f.line === $rl &&
        f.rule === 'aws-access-key-id').map((f) => [f.file, f.path,
        f.type, f.masked, f.day]))")" \
    "[[\"app.jsonl\",\"output[0].content\",\"AWS_ACCESS_KEY\",\"AK****…$(
        grep -o 'key AKIA[A-Z2-7]*' <(sed -n "${rl}p" app.jsonl) |
        tail -c 3)\",\"$day2\"]]"
tl=$(grep -n '^2026-11-28 12:00:01' app.jsonl | sed -n 2p | cut -d: -f1)
same "findings file: the 2nd text line's address, path \"\", no day" \
    "$(js f.jsonl "JSON.stringify(L.filter((f) => f.line === $tl)
        .map((f) => [f.path, f.rule, f.day === undefined]))")" \
    '[["","email",true]]'
same "findings file: the address of records 61-63, one fingerprint" \
    "$(js f.jsonl "[...new Set(L.filter((f) => f.line >= 62 &&
        f.line <= 64 && f.rule === 'email').map((f) => f.fingerprint))]
        .length")" 1
same "partial: one line" "$(wc -l < app.part)" 1
# The man page's shape (not the contract's): for each rule, its type and
# its distinct values' fingerprints run together.
same "partial: each distinct value's fingerprint, under its rule" \
    "$(js app.part 'Object.keys(r.fingerprints).sort().map((k) =>
        k + " " + r.fingerprints[k].type + " " +
        r.fingerprints[k].values.match(/.{32}/g).sort().join(" "))
        .join("\n")')" \
    "$(js f.jsonl 'const m = {}; L.forEach((f) => {
        m[f.rule] = m[f.rule] || {t: f.type, v: new Set()};
        m[f.rule].v.add(f.fingerprint); });
        Object.keys(m).sort().map((k) => k + " " + m[k].t + " " +
        [...m[k].v].sort().join(" ")).join("\n")')"

# --- text and SARIF reports; no output holds a value ----------------
expect "text report" 1 app.jsonl
cp "$out" text.out
cp "$err" text.err
check "text report: the summary line" \
    grep -qE "^blackbar audit: $total findings \($((total - 2)) distinct \
values\) in $with of $nlines records, 1 file," text.out
for t in AWS_ACCESS_KEY CREDIT_CARD EMAIL GITHUB_TOKEN 'input\[\*\]\.content' \
    "$day1" "$day2" "$day3" "app.jsonl:$rl"; do
    check "text report: names $t" grep -q "$t" text.out
done
expect "sarif report" 1 --report sarif -o app.sarif app.jsonl
cp "$err" sarif.err
same "sarif: one result a finding" \
    "$(js app.sarif 'r.runs[0].results.length')" "$total"
check "sarif: logical location = the finding's JSON path, line = its line" \
    cmp -s <(js app.sarif 'r.runs[0].results.map((x) => {
        const l = x.locations[0]; const q = l.logicalLocations;
        return l.physicalLocation.region.startLine + " " +
            (q ? q[0].fullyQualifiedName : "") + " " + x.ruleId; })
        .join("\n")') app.jsonl.truth
same "sarif: the file's uri" \
    "$(js app.sarif '[...new Set(r.runs[0].results.map((x) =>
        x.locations[0].physicalLocation.artifactLocation.uri))].join()')" \
    app.jsonl
mt=$srcdir/tests/sarif/node_modules/.bin/sarif-multitool
if [ ! -x "$mt" ]; then
    echo "SKIP sarif validator: tests/sarif/node_modules is missing" \
        "(cd tests/sarif && npm ci)"
else
    # $schema would make the validator fetch that URL: validate a copy
    # without it (against the schema it carries), offline.
    # shellcheck disable=SC2016 # JavaScript, not shell
    node -e 'const fs = require("fs"); const l = JSON.parse(
        fs.readFileSync(process.argv[1])); delete l["$schema"];
        fs.writeFileSync(process.argv[2], JSON.stringify(l, null, 1))' \
        app.sarif v.sarif
    # It exits 0 even when the log is invalid: the errors are its output.
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$mt" validate v.sarif \
        -o v.out.sarif --log ForceOverwrite > v.txt 2>&1
    vrc=$?
    if [ "$vrc" = 0 ] && grep -q 'Analysis completed successfully' v.txt &&
        ! grep -q ': error ' v.txt; then
        ok "sarif validator: no error"
    else
        fail "sarif validator: exit $vrc"
        sed 's/^/    /' v.txt
    fi
fi
same "no value in any output (reports, findings, partial, stderr)" \
    "$(leaks single.json single.err f.jsonl app.part text.out text.err \
        app.sarif sarif.err)" ""

# --- shards + merge = the single run ---------------------------------
per=$(((nlines + 3) / 4))
split -d -l "$per" app.jsonl shard
pids=()
first=1
for s in shard00 shard01 shard02 shard03; do
    "$BLACKBAR" audit --as app.jsonl --first-line "$first" \
        --partial "$s.part" -q -o /dev/null "$s" 2> "$s.err" &
    pids+=($!)
    first=$((first + per))
done
n=0
for p in "${pids[@]}"; do
    wait "$p"
    [ $? = 1 ] && n=$((n + 1))
done
same "4 shards audited at once: each exits 1" "$n" 4
expect "merge" 1 merge --report json shard00.part shard01.part \
    shard02.part shard03.part
check "merge of the shards = the single run's JSON report, byte for byte" \
    cmp -s "$out" single.json
expect "merge, text" 1 merge shard00.part shard01.part shard02.part \
    shard03.part
check "merge, text = the single run's text report" cmp -s "$out" text.out
gzip -c app.jsonl > app.gz
expect "gzip log" 1 --report json --as app.jsonl app.gz
check "the gzip log's report = the plain log's" cmp -s "$out" single.json
cp app.gz app-gz.jsonl
expect "gzip named .jsonl" 1 --report json --as app.jsonl app-gz.jsonl
check "gzip is told by content, not name" cmp -s "$out" single.json
expect "merge: --report sarif refused" 2 merge --report sarif shard00.part
printf 'key-one\n' > k1
printf 'key-two\n' > k2
expect "partial, --key-file k1" 1 --key-file k1 --partial p1.part -q \
    -o /dev/null shard00
expect "partial, --key-file k2" 1 --key-file k2 --partial p2.part -q \
    -o /dev/null shard01
expect "merge of two keys" 2 merge --report json p1.part p2.part
check "merge of two keys: the message names the partial and the key" \
    grep -q 'p2.part.*another fingerprint key' "$err"
same "merge of two keys: no report" "$(wc -c < "$out")" 0
expect "merge: not a partial" 2 merge app.jsonl
check "merge: not a partial: the message names it" grep -q app.jsonl "$err"
same "no value in the partials, the merged report or stderr" \
    "$(leaks shard0?.part shard0?.err p1.part p2.part)" ""

# --- -j: one report whatever the threads ------------------------------
# 4.8 MB, more than one chunk of lines
grep '^{' app.jsonl > rec.jsonl
for i in $(seq 60); do
    cat rec.jsonl
done > mid.jsonl
for j in 1 3; do
    "$BLACKBAR" audit -j $j -q --report json -o "mid$j.json" \
        --findings "mid$j.f" --partial "mid$j.part" mid.jsonl
done
same "-j 1: every finding of the 60 copies" \
    "$(js mid1.json r.totals.findings)" "$((60 * (total - 3)))"
check "-j 1 and -j 3: the same report" cmp -s mid1.json mid3.json
check "-j 1 and -j 3: the same findings file" cmp -s mid1.f mid3.f
check "-j 1 and -j 3: the same partial" cmp -s mid1.part mid3.part
# A gzip log's copy: a gzip member a chunk, compressed by the workers
gzip -c mid.jsonl > mid.gz
"$BLACKBAR" audit -j 3 -q -o /dev/null --redact-to midcp \
    --consistent-across-files mid.jsonl mid.gz
check "a gzip log of several chunks: its copy passes gzip -t" \
    gzip -t midcp/mid.gz
check "a gzip log of several chunks: the copy is the plain copy, gzipped" \
    cmp -s <(gzip -dc midcp/mid.gz) midcp/mid.jsonl
# gzip members: each a 10-byte header (no name), deflate data, 8 bytes
check "a gzip log of several chunks: the copy has several members" \
    test "$(node -e 'const z = require("zlib");
        const b = require("fs").readFileSync(process.argv[1]);
        let n = 0;
        for (let at = 0; at < b.length; n++) {
            const r = z.inflateRawSync(b.subarray(at + 10), { info: true });
            at += 10 + r.engine.bytesWritten + 8;
        }
        console.log(n);' midcp/mid.gz)" -gt 1
expect "a gzip log of several chunks: its copy audited" 0 --report json \
    midcp/mid.gz
same "a gzip log of several chunks: its copy has 0 findings" \
    "$(js "$out" r.totals.findings)" 0
rm -rf mid.jsonl mid?.* mid.gz midcp

# --- --redact-to ------------------------------------------------------
# norm: the inserted values (in a log) and the placeholders (in a copy)
# both made @PH@, so a copy must equal its log but for the values
printf '%s\n' "${values[@]}" | sed 's/\./\\./g; s|.*|s/&/@PH@/g|' > ph.sed
sed -f ph.sed app.jsonl > app.norm
norm() {
    sed -E 's/<[A-Z_]+_[0-9a-f]{8}>/@PH@/g' "$@"
}
# ph FILE LINE: the e-mail placeholders on LINE of FILE, one a line
ph() {
    sed -n "$2p" "$1" | grep -oE '<EMAIL_[0-9a-f]{8}>'
}
expect "--redact-to, plain and gzip" 1 --redact-to red -q -o /dev/null \
    app.jsonl app.gz
cp "$err" red.err
check "--redact-to: the copy, under the log's name" test -s red/app.jsonl
same "--redact-to: as many lines" "$(wc -l < red/app.jsonl)" "$nlines"
same "--redact-to: every JSON line of the log is JSON in the copy" \
    "$(js red/app.jsonl 'require("fs").readFileSync(process.argv[1],
        "utf8").split("\n").map((l) => { try { JSON.parse(l);
        return "j"; } catch (e) { return "t"; } }).join("")')" \
    "$(js app.jsonl 'require("fs").readFileSync(process.argv[1],
        "utf8").split("\n").map((l) => { try { JSON.parse(l);
        return "j"; } catch (e) { return "t"; } }).join("")')"
check "--redact-to: the copy is the log with each value a placeholder" \
    cmp -s <(norm red/app.jsonl) app.norm
check "--redact-to: the gzip log's copy is gzip" gzip -t red/app.gz
gzip -dc red/app.gz > red-gz.jsonl
check "--redact-to: the gzip copy is the log with placeholders" \
    cmp -s <(norm red-gz.jsonl) app.norm
same "--redact-to: no value in the copies or stderr" \
    "$(leaks red/app.jsonl red-gz.jsonl red.err)" ""
same "--redact-to: only the two copies in DIR" "$(ls -A red | tr '\n' ' ')" \
    "app.gz app.jsonl "
expect "audit of the copy: clean" 0 --report json red/app.jsonl
same "audit of the copy: 0 findings" "$(js "$out" r.totals.findings)" 0
same "one value, one placeholder in a file (records 61-63)" \
    "$(for l in 62 63 64; do ph red/app.jsonl $l; done | sort -u | wc -l)" 1
same "a placeholder a distinct value" \
    "$(grep -oE '<[A-Z_]+_[0-9a-f]{8}>' red/app.jsonl | sort -u | wc -l)" \
    "$((total - 2))"
check "two files: by default, a value's placeholders differ" \
    test "$(ph red/app.jsonl 62)" != "$(ph red-gz.jsonl 62)"
expect "--consistent-across-files" 1 --redact-to same -q -o /dev/null \
    --consistent-across-files app.jsonl app.gz
gzip -dc same/app.gz > same-gz.jsonl
check "--consistent-across-files: one value, one placeholder in both" \
    cmp -s same/app.jsonl same-gz.jsonl
check "--consistent-across-files: a new key each run" \
    test "$(ph same/app.jsonl 62)" != "$(ph red/app.jsonl 62)"
"$BLACKBAR" audit --as piped.jsonl --redact-to piped -q -o /dev/null - \
    < app.jsonl
check "--redact-to of stdin: the copy under the --as name" \
    cmp -s <(norm piped/piped.jsonl) app.norm
cp app.jsonl app.keep
expect "--redact-to the log's own directory" 2 --redact-to . -q \
    -o /dev/null app.jsonl
check "--redact-to the log's own directory: the message" \
    grep -q 'app.jsonl.*would write over the input' "$err"
check "--redact-to the log's own directory: the log unchanged" \
    cmp -s app.jsonl app.keep
mkdir -p d1 d2
cp app.jsonl d1/x.jsonl
head -1 app.jsonl > d2/x.jsonl
au --redact-to dup -q -o /dev/null d1/x.jsonl d2/x.jsonl
# Two copies cannot have one name: the second must not silently
# replace the first (it did: exit 1, one copy, no message).
check "two logs of one base name: not one copy lost in silence" \
    eval '[ "$rc" = 2 ] && grep -q x.jsonl "$err" ||
        [ "$(ls dup | wc -l)" = 2 ]'

# Killed half-way: no file under the copy's name, only its temporary.
for i in $(seq 150); do
    cat rec.jsonl
done > big.jsonl
mkdir kill
"$BLACKBAR" audit --redact-to kill -j 1 -q -o /dev/null big.jsonl &
pid=$!
# (up to 150 s: under valgrind the copy starts late)
for ((i = 0; i < 3000; i++)); do
    [ -n "$(ls -A kill)" ] && break
    sleep 0.05
done
# (bash's "Killed" notice on stderr is noise here)
exec 3>&2 2> /dev/null
if [ -z "$(ls -A kill)" ]; then
    fail "--redact-to: no temporary file appeared to kill the run at"
    kill -9 "$pid"
elif kill -9 "$pid"; then
    ok "--redact-to: killed while writing $(ls -A kill)"
else
    fail "--redact-to: the run ended before it could be killed"
fi
wait "$pid"
exec 2>&3 3>&-
check "killed: no copy under the final name" test ! -e kill/big.jsonl
same "killed: only temporary files in DIR" \
    "$(ls -A kill | grep -cvE '^\.big\.jsonl\.tmp\.')" 0
# What the kill left is removed by the next run once a minute old and
# unlocked; a fresh one (written "in 10 minutes", so still fresh when a
# run under valgrind gets there), or one a live run holds, is not.
stale=$(ls -A kill)
touch -d '2 minutes ago' "kill/$stale"
touch -d '10 minutes' kill/.big.jsonl.tmp.fresh1
cp "kill/$stale" kill/.big.jsonl.tmp.held01
exec 7< kill/.big.jsonl.tmp.held01
flock -x 7 # held by this shell (and the runs below, which inherit it)
touch -d '2 minutes ago' kill/.big.jsonl.tmp.held01
expect "after the kill, a whole run" 1 --redact-to kill -q -o /dev/null \
    big.jsonl
same "after the kill: the copy, whole" "$(wc -l < kill/big.jsonl 2>&1)" \
    "$(wc -l < big.jsonl)"
same "after the kill: the stale temporary file gone, fresh and held kept" \
    "$(ls -A kill | sort | tr '\n' ' ')" \
    ".big.jsonl.tmp.fresh1 .big.jsonl.tmp.held01 big.jsonl "
exec 7<&-
rm -rf big.jsonl kill

# --- inputs that cannot be read whole: named, the rest audited, 2 ----
head -c $(($(wc -c < app.gz) / 2)) app.gz > cut.gz
expect "truncated gzip" 2 --report json --findings cf.jsonl cut.gz \
    app.jsonl
cp "$out" cut.json
cl=$(grep -oE '^blackbar: audit: cut\.gz:[0-9]+: ' "$err" | grep -oE '[0-9]+')
check "truncated gzip: file:line in the message" test "${cl:-0}" -gt 1
check "truncated gzip: the message says the audit is incomplete" \
    grep -q incomplete "$err"
same "truncated gzip: its error in the report, at that line" \
    "$(js cut.json 'r.files[0].errors.map((e) => e.line)')" "[${cl:-0}]"
same "truncated gzip: totals.errors" "$(js cut.json r.totals.errors)" 1
same "truncated gzip: what was read of it is audited" \
    "$(js cut.json 'r.files[0].findings > 0 &&
        r.files[0].findings < '"$total")" true
same "truncated gzip: the next log still audited whole" \
    "$(js cut.json 'r.files[1].findings')" "$total"
same "truncated gzip: the findings file has both" \
    "$(js cf.jsonl 'L.filter((f) => f.file === "app.jsonl").length')" \
    "$total"
expect "truncated gzip, --redact-to" 2 --redact-to cut -q -o /dev/null \
    cut.gz app.jsonl
check "truncated gzip, --redact-to: the message" \
    grep -q '^blackbar: audit: cut\.gz: no scrubbed copy' "$err"
same "truncated gzip, --redact-to: no copy of it, the next log's copy" \
    "$(ls -A cut | tr '\n' ' ')" "app.jsonl "

email
after=$V
akid
after2=$V
values+=("$after" "$after2")
{
    head -5 app.jsonl
    printf 'junk\0\377\376'
    head -c 300 /dev/urandom | tr -d '\n'
    printf '\n{"input":[{"role":"user","content":"after %s"}]}\n' "$after"
} > bin.jsonl
expect "binary line" 2 --report json --findings bf.jsonl -q bin.jsonl
cp "$out" bin.json
check "binary line: bin.jsonl:6: in the message" \
    grep -q '^blackbar: audit: bin\.jsonl:6: ' "$err"
same "binary line: the line after it audited" \
    "$(js bf.jsonl 'L.filter((f) => f.line === 7).map((f) => f.rule)')" \
    '["email"]'
same "binary line: the lines before it audited" \
    "$(js bf.jsonl 'L.filter((f) => f.line < 6).length')" \
    "$(awk '$1 < 6' app.jsonl.truth | wc -l)"
same "binary line: one error, at line 6" \
    "$(js bin.json 'r.files[0].errors.map((e) => e.line)')" "[6]"

# A line of 2000 bytes over --max-record 1K, then a 200 MB line under
# the default 64M, streamed through stdin (never on disk).
{
    head -3 app.jsonl
    printf '{"input":[{"role":"user","content":"%s"}]}\n' \
        "$(head -c 2000 /dev/zero | tr '\0' a)"
    printf '{"input":[{"role":"user","content":"after %s"}]}\n' "$after"
} > long.jsonl
expect "--max-record 1K" 2 --max-record 1K --report json \
    --findings lf.jsonl -q long.jsonl
check "--max-record 1K: long.jsonl:4: in the message" \
    grep -q '^blackbar: audit: long\.jsonl:4: line longer than --max-record' \
    "$err"
same "--max-record 1K: the line after it audited" \
    "$(js lf.jsonl 'L.filter((f) => f.line === 5).map((f) => f.rule)')" \
    '["email"]'
same "--max-record 1K: records, bytes (the skipped line counted)" \
    "$(js "$out" '[r.totals.records, r.totals.bytes, r.totals.errors]')" \
    "[5,$(wc -c < long.jsonl),1]"
sed -n 4p app.jsonl > huge1
printf '{"input":[{"role":"user","content":"key %s"}]}\n' "$after2" > huge3
printf '{"input":[{"role":"user","content":"' > huge2a
printf '"}]}\n' > huge2b
hsize=$(($(cat huge1 huge2a huge2b huge3 | wc -c) + 200000000))
{
    cat huge1 huge2a
    head -c 200000000 /dev/zero | tr '\0' a
    cat huge2b huge3
} | "$BLACKBAR" audit --as huge.jsonl --report json --findings hf.jsonl \
    -q - > huge.json 2> huge.err
same "a 200 MB line: exit 2" "$?" 2
check "a 200 MB line: huge.jsonl:2: in the message" \
    grep -q '^blackbar: audit: huge\.jsonl:2: line longer than --max-record' \
    huge.err
same "a 200 MB line: the lines around it audited" \
    "$(js hf.jsonl 'L.map((f) => f.line + " " + f.rule).join()')" \
    "1 email,3 aws-access-key-id"
same "a 200 MB line: one error, at line 2" \
    "$(js huge.json 'r.files[0].errors.map((e) => e.line)')" "[2]"
same "a 200 MB line: records, bytes (as for the 2000-byte line)" \
    "$(js huge.json '[r.totals.records, r.totals.bytes]')" "[3,$hsize]"

# A log deleted mid-run: the first log is a FIFO the run blocks on;
# once it has opened it, the second log goes, then the FIFO is fed.
# -j 1: files one after the other, so the second is opened after.
mkfifo fifo
cp app.jsonl gone.jsonl
"$BLACKBAR" audit -j 1 --report json -q fifo gone.jsonl > gone.json \
    2> gone.err &
pid=$!
timeout 20 bash -c 'exec 3> fifo && rm gone.jsonl && cat app.jsonl >&3'
wait "$pid"
same "a log gone mid-run: exit 2" "$?" 2
check "a log gone mid-run: the message names it" \
    grep -q '^blackbar: audit: gone\.jsonl:' gone.err
same "a log gone mid-run: the first log audited, the other's error" \
    "$(js gone.json '[r.files[0].findings, r.files[1].errors.length]')" \
    "[$total,1]"
same "no value in the reports, findings or messages of bad input" \
    "$(leaks cut.json cf.jsonl bin.json bf.jsonl lf.jsonl huge.json \
        hf.jsonl huge.err gone.json gone.err)" ""

# --- exit codes, stdin, the progress line ----------------------------
expect "a clean log" 0 app.norm
expect "unknown option" 2 --no-such-option app.jsonl
check "unknown option: the message" grep -q 'no-such-option' "$err"
expect "no log" 2
expect "a log that does not exist" 2 no-such.jsonl
check "a log that does not exist: the message" \
    grep -q '^blackbar: audit: no-such\.jsonl' "$err"
expect "bad --report" 2 --report xml app.jsonl
expect "bad --max-record" 2 --max-record 12Q app.jsonl
"$BLACKBAR" audit --report json --as app.jsonl - < app.jsonl > stdin.json
same "- reads stdin: exit 1" "$?" 1
check "- reads stdin: the report of the file" cmp -s stdin.json single.json
check "no progress line when stderr is not a terminal" \
    eval '! grep -q $'"'\r'"' text.err red.err'
if command -v script > /dev/null; then
    script -qec "'$BLACKBAR' audit -o /dev/null app.jsonl" /dev/null \
        > tty.out 2>&1
    check "a terminal: the progress line" grep -q $'\r' tty.out
    script -qec "'$BLACKBAR' audit -q -o /dev/null app.jsonl" /dev/null \
        > tty.out 2>&1
    check "a terminal, -q: no progress line" eval '! grep -q $'"'\r'"' tty.out'
else
    echo "SKIP progress line on a terminal: script(1) is not installed"
fi

exit_status() {
    if [ "$failed" -gt 0 ]; then
        echo "$failed failed"
        exit 1
    fi
    exit 0
}
exit_status
