#!/usr/bin/env bash
# audit-html.sh - blackbar audit's HTML report (src/cmd_audit_html.c) in
# a real browser. Headless Chromium opens each page from file:// with no
# console error, no uncaught exception and no request beyond the page;
# the numbers read back from the page's DOM (data-* of every bar and
# row) equal the report JSON's, and the bars' drawn sizes are in
# proportion; hostile strings come back intact (escaped, not markup); a
# screenshot is kept as tests/out/audit-report.png (a CI artifact).
#
# Pages come from tests/tools/bbhtml (the writer alone) and, once built,
# from `blackbar audit --report html` over a generated log. Chromium is
# Debian's `chromium`, installed here when missing and running as root
# (CI), else the test is skipped (77). node speaks the DevTools protocol
# to it over --remote-debugging-pipe (no npm package, no port, no
# websocket). A canary page with a console error, an exception and an
# outside request must be caught, or the detector itself is broken.

set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}
BBHTML=${BBHTML:-$builddir/tests/tools/bbhtml}
fixtures=$srcdir/tests/fixtures/audit
artifacts=$builddir/tests/out
failed=0

ok() {
    echo "ok   $*"
}
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}

if ! command -v node > /dev/null; then
    echo "SKIP: node is not installed (it drives Chromium)"
    exit 77
fi
CHROMIUM=${CHROMIUM:-$(command -v chromium)}
if [ -z "$CHROMIUM" ] && [ "$(id -u)" = 0 ] &&
    command -v apt-get > /dev/null; then
    echo "# installing Debian's chromium (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends chromium > /dev/null ||
        { apt-get update > /dev/null &&
            apt-get install -y --no-install-recommends chromium \
                > /dev/null; }
    CHROMIUM=$(command -v chromium)
fi
if [ -z "$CHROMIUM" ]; then
    echo "SKIP: chromium is not installed (as root: apt-get install -y" \
        "--no-install-recommends chromium)"
    exit 77
fi
echo "# $("$CHROMIUM" --version 2> /dev/null)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"

# The DevTools driver: node cdp.mjs PAGE.html REPORT.json [OPTIONS]
#   --shot PNG        keep a full-page screenshot
#   --expect K=V      DOM fact K (see facts below) must read V
#   --canary          the page must be caught (errors expected)
# Prints ok/FAIL lines; exits 1 if any FAIL.
cat > "$work/cdp.mjs" << 'EOF'
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const [browser, pagePath, reportPath] = argv;
let shot = null;
let canary = false;
const expects = [];
for (let i = 3; i < argv.length; i++) {
    if (argv[i] === '--shot') shot = argv[++i];
    else if (argv[i] === '--expect') expects.push(argv[++i]);
    else if (argv[i] === '--canary') canary = true;
}
const name = pagePath.replace(/.*\//, '');
const pageUrl = pathToFileURL(resolve(pagePath)).href;
let failed = 0;
const ok = (m) => console.log(`ok   ${name}: ${m}`);
const fail = (m) => { console.log(`FAIL ${name}: ${m}`); failed++; };
const check = (c, m, why) => (c ? ok(m) : fail(why ? `${m}: ${why}` : m));

// No network: a dead proxy, no name resolution, no background services;
// requests other than the page itself are also failed by Fetch below.
const profile = mkdtempSync(join(tmpdir(), 'bb-chromium-'));
const flags = [
    '--headless=new', '--no-sandbox', '--disable-gpu',
    '--disable-dev-shm-usage', '--remote-debugging-pipe',
    `--user-data-dir=${profile}`, '--no-first-run',
    '--no-default-browser-check', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    '--metrics-recording-only', '--disable-default-apps',
    '--disable-extensions', '--disable-breakpad', '--no-pings',
    '--disable-domain-reliability', '--proxy-server=127.0.0.1:9',
    '--host-resolver-rules=MAP * ~NOTFOUND', '--window-size=1200,1600',
    'about:blank',
];
const child = spawn(browser, flags,
                    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let stderr = '';
child.stdio[2].on('data', (d) => { stderr = (stderr + d).slice(-4000); });
const timer = setTimeout(() => {
    fail('timed out (60 s); chromium stderr:\n' + stderr);
    child.kill('SIGKILL');
    process.exit(1);
}, 60000);

let nextId = 1;
const pending = new Map();
const waiters = [];
const problems = [];
let buf = Buffer.alloc(0);
child.stdio[4].on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (let i; (i = buf.indexOf(0)) >= 0; buf = buf.subarray(i + 1)) {
        const msg = JSON.parse(buf.subarray(0, i).toString('utf8'));
        const p = pending.get(msg.id);
        if (p) {
            pending.delete(msg.id);
            if (msg.error) p.reject(new Error(JSON.stringify(msg.error)));
            else p.resolve(msg.result);
        } else if (msg.method) {
            onEvent(msg);
        }
    }
});
child.on('exit', (code) => {
    for (const p of pending.values()) {
        p.reject(new Error(`chromium exited (${code}): ${stderr}`));
    }
});
function send(method, params = {}, sessionId = undefined) {
    const id = nextId++;
    child.stdio[3].write(JSON.stringify({ id, method, params, sessionId })
                         + '\0');
    return new Promise((res, rej) => pending.set(id, { resolve: res,
                                                       reject: rej }));
}
function waitFor(method) {
    return new Promise((res) => waiters.push({ method, res }));
}

// What counts as the page failing to open cleanly.
function onEvent(msg) {
    const p = msg.params || {};
    if (msg.method === 'Runtime.exceptionThrown') {
        const d = p.exceptionDetails;
        problems.push(`uncaught: ${d.exception?.description || d.text}`);
    } else if (msg.method === 'Runtime.consoleAPICalled' &&
               (p.type === 'error' || p.type === 'assert')) {
        const text = p.args.map((a) => a.value ?? a.description).join(' ');
        problems.push(`console.${p.type}: ${text}`);
    } else if (msg.method === 'Log.entryAdded' &&
               p.entry.level === 'error') {
        problems.push(`console (${p.entry.source}): ${p.entry.text}`);
    } else if (msg.method === 'Fetch.requestPaused') {
        const allowed = p.request.url === pageUrl ||
                        p.request.url.startsWith('data:');
        if (!allowed) problems.push(`request: ${p.request.url}`);
        send(allowed ? 'Fetch.continueRequest' : 'Fetch.failRequest',
             allowed ? { requestId: p.requestId }
                     : { requestId: p.requestId,
                         errorReason: 'BlockedByClient' },
             msg.sessionId).catch(() => {});
    } else if (msg.method === 'Inspector.targetCrashed') {
        problems.push('the page crashed');
    }
    for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].method === msg.method) {
            waiters[i].res(p);
            waiters.splice(i, 1);
        }
    }
}

// Everything the test compares, read from the rendered DOM.
const factsJs = `(() => {
    const all = (s) => [...document.querySelectorAll(s)];
    const d = (e) => ({ ...e.dataset });
    const box = (e) => { const b = e.getBBox();
                         return { w: b.width, h: b.height }; };
    return {
        title: document.title,
        summary: document.getElementById('summary')?.textContent ?? null,
        noTimestamps: !!document.getElementById('no-timestamps'),
        incomplete: !!document.getElementById('incomplete'),
        undated: document.getElementById('undated')?.textContent ?? '',
        scripts: all('script').length,
        onAttrs: all('*').filter((e) => [...e.attributes].some(
            (a) => /^on/i.test(a.name))).length,
        elements: [...new Set(all('body *').map((e) => e.localName))],
        dayBars: all('#by-day rect.bar').map((e) => ({ ...d(e),
                                                       ...box(e) })),
        dayGroups: all('#by-day g.day').map(d),
        dayLabels: all('#by-day text.day-label').map((e) => ({
            x: +e.getAttribute('x'), text: e.textContent,
            tilted: /-45/.test(e.getAttribute('transform')) })),
        typeBars: all('#by-type rect.bar').map((e) => ({ ...d(e),
                                                         ...box(e) })),
        typeRows: all('#by-type tr[data-type]').map(d),
        ruleRows: all('#by-rule tr[data-rule]').map(d),
        pathRows: all('#by-path tr[data-path]').map(d),
        worstRows: all('#worst tr[data-file]').map(d),
        fileRows: all('#files tr[data-records]').map(d),
        errorRows: all('#files tr.error').map((e) => ({ ...d(e),
            message: e.querySelector('.msg').textContent })),
        totals: Object.fromEntries(Object.entries(d(document
            .getElementById('totals'))).map(([k, v]) => [k.replace(
            /[A-Z]/g, (c) => '_' + c.toLowerCase()), v])),
        scrollWidth: document.documentElement.scrollWidth,
    };
})()`;

const num = (v) => String(Math.max(0, Math.trunc(Number(v) || 0)));
// The page shows control characters as U+FFFD.
const txt = (s) => String(s ?? '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g,
                                          '\ufffd');
const allowed = new Set(['h1', 'h2', 'p', 'strong', 'section', 'ul', 'li',
    'svg', 'g', 'rect', 'line', 'text', 'title', 'table', 'tbody', 'tr',
    'th', 'td', 'span', 'footer']);
// A multiset of "k1\tk2…=count" strings, sorted, for exact comparison.
const bag = (rows) => rows.map((r) => r.map(txt).join('\t')).sort();
const same = (what, got, want) => {
    const g = JSON.stringify(got);
    const w = JSON.stringify(want);
    check(g === w, what, `got ${g.slice(0, 400)}, want ${w.slice(0, 400)}`);
};
const nonzero = (o) => Object.entries(o || {}).filter(([, v]) => +v > 0);

// Drawn size / count must be one constant across a chart's bars.
function proportional(what, bars, size) {
    const r = bars.map((b) => b[size] / Number(b.count));
    const lo = Math.min(...r);
    const hi = Math.max(...r);
    check(bars.length === 0 || hi - lo <= 0.02 * hi + 0.01,
          `${what}: bar ${size === 'h' ? 'heights' : 'widths'} in ` +
          'proportion to the counts', `ratios ${lo}..${hi}`);
}

function compare(f, rep) {
    const byDay = Object.entries(rep.by_day || {}).flatMap(
        ([day, t]) => nonzero(t).map(([type, n]) => [day, type, num(n)]));
    same('day x type bars = by_day',
         bag(f.dayBars.map((b) => [b.day, b.type, b.count])), bag(byDay));
    same('day totals = sums of by_day', bag(f.dayGroups.map(
        (g) => [g.day, g.count])), bag(Object.entries(rep.by_day || {})
        .map(([day, t]) => [day, num(nonzero(t).reduce(
            (s, [, n]) => s + Number(n), 0))]).filter(([, n]) => n > 0)));
    proportional('per day', f.dayBars, 'h');
    const types = bag(nonzero(rep.by_type).map(([k, n]) => [k, num(n)]));
    same('type bars = by_type',
         bag(f.typeBars.map((b) => [b.type, b.count])), types);
    same('type table = by_type',
         bag(f.typeRows.map((r) => [r.type, r.count])), types);
    proportional('per type', f.typeBars, 'w');
    same('rule table = by_rule', bag(f.ruleRows.map((r) => [r.rule,
         r.count])), bag(Object.entries(rep.by_rule || {}).map(
         ([k, n]) => [k, num(n)])));
    same('path table = by_path', bag(f.pathRows.map((r) => [r.path,
         r.count])), bag(Object.entries(rep.by_path || {}).map(
         ([k, n]) => [k, num(n)])));
    same('worst records, in order', f.worstRows.map((r) => [r.file,
         r.line, r.count]), (rep.worst || []).map((w) => [txt(w.file),
         num(w.line), num(w.findings)]));
    same('files table = files', f.fileRows.map((r) => [r.file, r.records,
         r.bytes, r.notJson, r.count, r.errors]), (rep.files || []).map(
         (x) => [txt(x.file), num(x.records), num(x.bytes), num(x.not_json),
                 num(x.findings), String((x.errors || []).length)]));
    same('errors table = files[].errors', f.errorRows.map((r) => [r.file,
         r.line, r.message]), (rep.files || []).flatMap((x) => (x.errors
         || []).map((e) => [txt(x.file), num(e.line), txt(e.message)])));
    same('totals', Object.entries(f.totals).sort(), ['files', 'records',
         'bytes', 'not_json', 'errors', 'findings', 'records_with_findings',
         'distinct'].map((k) => [k, num((rep.totals || {})[k])]).sort());
    check(f.scripts === 0 && f.onAttrs === 0, 'no script, no on* handler',
          `${f.scripts} scripts, ${f.onAttrs} handlers`);
    check(f.scrollWidth <= 1200, 'fits 1200 px: no sideways scrolling',
          `${f.scrollWidth} px`);
    const odd = f.elements.filter((e) => !allowed.has(e));
    check(odd.length === 0, 'only the expected elements (no markup from ' +
          'the report)', odd.join(' '));
    const tight = f.dayLabels.filter((l, i) => i > 0 &&
        l.x - f.dayLabels[i - 1].x < (l.tilted ? 15 : 70));
    check(f.dayLabels.length <= 63 && tight.length === 0,
          `${f.dayLabels.length} day labels, none crowding the next`,
          tight.map((l) => l.text).join(' '));
}

async function main() {
    const { targetId } = await send('Target.createTarget',
                                    { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget',
                                     { targetId, flatten: true });
    for (const m of ['Runtime.enable', 'Log.enable', 'Page.enable',
                     'Inspector.enable']) {
        await send(m, {}, sessionId);
    }
    await send('Fetch.enable', { patterns: [{ urlPattern: '*' }] },
               sessionId);
    const loaded = waitFor('Page.loadEventFired');
    await send('Page.navigate', { url: pageUrl }, sessionId);
    await loaded;
    await new Promise((r) => setTimeout(r, 300)); // late console output
    const { result } = await send('Runtime.evaluate', {
        expression: factsJs, returnByValue: true }, sessionId);
    const facts = result.value;
    if (canary) {
        check(problems.length >= 3, 'the canary page is caught',
              problems.join('; '));
        return;
    }
    check(problems.length === 0, 'opens with no console error and no ' +
          'outside request', problems.join('; '));
    compare(facts, JSON.parse(readFileSync(reportPath, 'utf8')));
    for (const e of expects) {
        const [k, v] = e.split(/=(.*)/s);
        const got = typeof facts[k] === 'object' ? facts[k].length
                                                  : facts[k];
        check(String(got) === v, `${k} = ${v}`, `got ${got}`);
    }
    if (shot) {
        const m = await send('Page.getLayoutMetrics', {}, sessionId);
        const h = Math.min(Math.ceil(m.cssContentSize.height), 12000);
        const { data } = await send('Page.captureScreenshot', {
            format: 'png', captureBeyondViewport: true,
            clip: { x: 0, y: 0, width: 1200, height: h, scale: 1 } },
            sessionId);
        writeFileSync(shot, Buffer.from(data, 'base64'));
        ok(`screenshot ${shot} (1200x${h})`);
    }
}

main().catch((e) => fail(`driver: ${e.message}`)).finally(async () => {
    await send('Browser.close').catch(() => {});
    clearTimeout(timer);
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    child.on('exit', () => {
        rmSync(profile, { recursive: true, force: true });
        process.exit(failed ? 1 : 0);
    });
});
EOF

# page NAME REPORT [CDP-OPTIONS...]: render REPORT with bbhtml into
# $work/NAME.html, check it is self-contained, open it in Chromium.
page() {
    local name=$1 report=$2 html=$work/$1.html
    shift 2
    if ! "$BBHTML" "$report" > "$html"; then
        fail "$name: bbhtml exited $?"
        return
    fi
    browse "$html" "$report" "$@"
}
# browse HTML REPORT [CDP-OPTIONS...]
tags='<(script|link|iframe|frame|object|embed|img|image|use|base|form)\b'
attrs='<[a-z][^>]*[[:space:]](src|href|xlink:href|action|poster|srcset)='
browse() {
    local html=$1 name bad
    name=$(basename "$html")
    # Escaped text holds no '<' and values no '"': with the values
    # blanked, any tag or attribute found is the writer's.
    bad=$( (sed 's/"[^"]*"/""/g' "$html" | grep -oiE "$tags|$attrs"
        grep -oiE 'http-equiv="refresh"' "$html"
        sed -n '/<style>/,/<\/style>/p' "$html" | grep -oiE 'url\(|@import'
    ) | head -5)
    if [ -n "$bad" ]; then
        fail "$name: not self-contained: $bad"
    else
        ok "$name: self-contained (no script, no link, no src/href, no url())"
    fi
    node "$work/cdp.mjs" "$CHROMIUM" "$@" > "$work/cdp.out" 2>&1
    local rc=$?
    cat "$work/cdp.out"
    if [ "$rc" != 0 ] && ! grep -q '^FAIL' "$work/cdp.out"; then
        fail "$name: the driver exited $rc"
    fi
    failed=$((failed + $(grep -c '^FAIL' "$work/cdp.out")))
}

# --- the detector catches what it must ------------------------------
cat > "$work/canary.html" << 'EOF'
<!DOCTYPE html><html><head><title>canary</title></head><body>
<img src="http://blackbar-canary.invalid/x.png" alt="">
<script>console.error("canary"); no_such_function();</script>
</body></html>
EOF
node "$work/cdp.mjs" "$CHROMIUM" "$work/canary.html" /dev/null --canary \
    > "$work/cdp.out" 2>&1
cat "$work/cdp.out"
failed=$((failed + $(grep -c '^FAIL' "$work/cdp.out")))
grep -q '^ok' "$work/cdp.out" || fail "canary: the driver did not run"

# --- the writer alone (bbhtml) ---------------------------------------
page report "$fixtures/report.json" --shot "$artifacts/audit-report.png" \
    --expect "summary=41 findings of personal data or secrets in 1,000 \
records of 2 files; 25 distinct values." --expect incomplete=true \
    --expect "undated=Not in this chart: 2 findings in records without \
a time." --expect dayLabels=3
cp "$work/report.html" "$artifacts/audit-report.html"
page empty "$fixtures/empty.json" --expect dayBars=0 --expect typeBars=0 \
    --expect "summary=No personal data or secrets found in 1,000 records \
of 1 file." --expect incomplete=false
page nodays "$fixtures/nodays.json" --expect noTimestamps=true \
    --expect typeBars=1 --expect "summary=1 finding of personal data or \
secrets in 1 record of 1 file; 1 distinct value."
# Markup, quotes, ampersands and control bytes in every string field; very
# long rule ids and paths (they wrap, the page stays 1200 px wide).
page hostile "$fixtures/hostile.json" --expect dayBars=4 --expect typeBars=3

# many NDAYS SPAN: a report over NDAYS days with findings spread over SPAN
# calendar days (the chart keeps the gaps up to 400 days, else one place
# a day), 1 to 3 types a day, counts up to 500.
many() {
    node -e '
        const [n, span] = process.argv.slice(1).map(Number);
        const types = ["API_TOKEN", "CREDIT_CARD", "EMAIL", "IBAN",
                       "IP_ADDRESS", "PHONE", "US_SSN"];
        const r = { tool: "blackbar", kind: "audit", version: 1,
                    key_id: "0123456789abcdef", by_type: {}, by_rule: {},
                    by_path: {}, by_day: {}, worst: [], files: [] };
        let seed = 7;
        const rnd = (k) => (seed = (seed * 1103515245 + 12345) % 2147483648)
                           % k;
        let total = 0;
        for (let i = 0; i < n; i++) {
            const t0 = Date.UTC(2025, 0, 1) +
                Math.floor(i * span / n) * 86400000;
            const day = new Date(t0).toISOString().slice(0, 10);
            const d = (r.by_day[day] = {});
            for (let k = 1 + rnd(3); k > 0; k--) {
                const t = types[rnd(types.length)];
                const c = 1 + rnd(500);
                d[t] = (d[t] || 0) + c;
                r.by_type[t] = (r.by_type[t] || 0) + c;
                total += c;
            }
        }
        r.by_type = Object.fromEntries(Object.entries(r.by_type).sort());
        for (const d of Object.keys(r.by_day)) {
            r.by_day[d] = Object.fromEntries(Object.entries(r.by_day[d])
                                                    .sort());
        }
        r.by_rule = { "generated": total };
        r.by_path = { "input[*].content": total };
        r.totals = { files: 1, records: total, bytes: total * 100,
                     not_json: 0, errors: 0, findings: total,
                     records_with_findings: total, distinct: total };
        r.files = [{ file: "big.jsonl", records: total, bytes: total * 100,
                     not_json: 0, findings: total, errors: [] }];
        console.log(JSON.stringify(r, null, 1));' "$1" "$2"
}
many 150 225 > "$work/many-days.json"
page many-days "$work/many-days.json" --expect dayGroups=150
many 40 2000 > "$work/long-span.json"
page long-span "$work/long-span.json" --expect dayGroups=40


# --- through blackbar audit -------------------------------------------
# A log with known findings: e-mails and card numbers on 3 days (ISO
# text, epoch seconds, created_at), one record without a time, one line
# that is not JSON.
if [ -x "$BLACKBAR" ] && "$BLACKBAR" audit --help > /dev/null 2>&1; then
    card='4111 1111 1111 1111'
    user='"input":[{"role":"user","content"'
    {
        for i in 1 2; do
            printf '{"timestamp":"2026-12-01T1%d:00:00Z",%s:"to ann.%d@%s"}]}\n' \
                "$i" "$user" "$i" example.com
        done
        for i in 3 4; do
            printf '{"timestamp":"2026-12-02T1%d:00:00Z",%s:"mail bo.%d@%s"}]}\n' \
                "$i" "$user" "$i" example.com
        done
        # 2026-12-02T09:30:00Z
        printf '{"timestamp":1796203800,"messages":[{"content":"card %s"}]}\n' \
            "$card"
        for i in 5 6; do
            printf '{"created_at":"2026-12-03T0%d:00:00Z","output":"cy.%d@%s"}\n' \
                "$i" "$i" example.net
        done
        printf '{"created_at":"2026-12-03T09:00:00Z",%s:"%s, again %s"}]}\n' \
            "$user" "$card" "$card"
        printf '{"input":"no time here: %s"}\nnot json: dee@example.org\n' \
            "$card"
    } > "$work/traffic.jsonl"
    (cd "$work" && "$BLACKBAR" audit -q --report json -o cli.json \
        traffic.jsonl)
    rc=$?
    want='{"2026-12-01":{"EMAIL":2},"2026-12-02":{"CREDIT_CARD":1,"EMAIL":2},'
    want+='"2026-12-03":{"CREDIT_CARD":2,"EMAIL":2}} '
    want+='{"CREDIT_CARD":4,"EMAIL":7} 11'
    got=$(node -e 'const r = JSON.parse(require("fs").readFileSync(
        process.argv[1], "utf8")); console.log(JSON.stringify(r.by_day),
        JSON.stringify(r.by_type), r.totals.findings)' "$work/cli.json")
    if [ "$rc" = 1 ] && [ "$got" = "$want" ]; then
        ok "blackbar audit: the log's findings per day and type (exit 1)"
    else
        fail "blackbar audit: exit $rc, got $got, want $want"
    fi
    if "$BLACKBAR" audit --help | grep -q html; then
        (cd "$work" && "$BLACKBAR" audit -q --report html -o cli.html \
            traffic.jsonl)
        rc=$?
        if [ "$rc" = 1 ]; then
            ok "blackbar audit --report html: exit 1"
        else
            fail "blackbar audit --report html: exit $rc, want 1"
        fi
        browse "$work/cli.html" "$work/cli.json" \
            --shot "$artifacts/audit-cli.png" --expect dayGroups=3 \
            --expect "undated=Not in this chart: 2 findings in records \
without a time."
    else
        echo "# blackbar audit has no --report html yet: its JSON report" \
            "rendered by bbhtml"
        page cli "$work/cli.json" --expect dayGroups=3 \
            --expect "undated=Not in this chart: 2 findings in records \
without a time."
    fi
else
    echo "# blackbar audit not built: only the writer was tested"
fi

exit $((failed > 0))
