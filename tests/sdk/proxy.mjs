// proxy.mjs - the real SDKs (openai 7.x and 4.x with their AzureOpenAI,
// @anthropic-ai/sdk, @google/genai, pinned in package.json) talk to BASE,
// normally blackbar proxy in front of the stand-in tests/tools/bbprovider:
// the stand-in must see placeholders only, the SDK must get the values
// back, streamed and whole alike; blocks, retries and a dead upstream must
// reach each SDK as its own API errors.
//
//   node proxy.mjs BASE STANDIN LOG [CHECK] [--direct]
//
// BASE: the URL the SDKs are given; STANDIN: the stand-in's URL (for GET
// /count); LOG: the bodies the stand-in received, one a line. CHECK:
// happy (the default), block-request, block-stream, retry, down; with
// --direct (BASE is the stand-in itself, no blackbar) happy and standin,
// which check that the SDKs read the stand-in's answers. Prints "ok ..."
// or "FAIL ...: what differed" per case, and "BLOCKED-REQUEST-ID ID" for
// each blocked call; exits 1 when a case failed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const direct = args.includes('--direct');
const [BASE, STANDIN, LOG, CHECK = 'happy'] = args.filter((a) => a !== '--direct');

const EMAIL = 'jane.doe@example.com';
const PHONE = '+1 415 555 0134';
const TOKEN = 'ghp_' + 'R7kQ2mX9pL4vT8nB3cW6yZ1aD5fH0jK2sE4u';
const VALUES = [EMAIL, PHONE, TOKEN];
const PLACEHOLDERS = ['<EMAIL_1>', '<PHONE_1>', '<GITHUB_TOKEN_1>'];
// Pieces of the values that must not reach the stand-in either.
const PIECES = ['jane.doe', '555 0134', TOKEN.slice(4, 20)];
const SYSTEM = 'You are a terse assistant. Acknowledge what you are given.';
const API_KEY = 'sk-test-0123456789';
const MODEL = 'gpt-4o-mini';

// What the user sends: the values (through blackbar) or, --direct, the
// placeholders that blackbar would have sent in their place.
const sent = direct ? PLACEHOLDERS : VALUES;
const USER = `Please write to ${sent[0]} or call ${sent[1]}; ` +
    `the deploy token is ${sent[2]}.`;
const ANSWER = `Noted: ${sent.join(' and ')}.`;

function pkgVersion(pkg) {
    const url = new URL(`./node_modules/${pkg}/package.json`, import.meta.url);
    return JSON.parse(readFileSync(url)).version;
}

const OPENAI = [
    { name: `openai ${pkgVersion('openai')}`, mod: require('openai') },
    { name: `openai ${pkgVersion('openai4')}`, mod: require('openai4') },
];
const Anthropic = require('@anthropic-ai/sdk');
const ANTHROPIC = `@anthropic-ai/sdk ${pkgVersion('@anthropic-ai/sdk')}`;
const genai = require('@google/genai');
const GENAI = `@google/genai ${pkgVersion('@google/genai')}`;

let failed = 0;

async function run(label, fn) {
    try {
        const note = await fn();
        console.log(`ok ${label}${note ? ': ' + note : ''}`);
    } catch (e) {
        failed++;
        console.log(`FAIL ${label}: ${e instanceof assert.AssertionError
            ? e.message : (e?.stack ?? e)}`);
    }
}

function logLines() {
    if (!existsSync(LOG)) return [];
    return readFileSync(LOG, 'utf8').split('\n').filter((l) => l !== '');
}

async function count() {
    const res = await fetch(`${STANDIN}/count`);
    assert.equal(res.status, 200, 'GET /count');
    return parseInt(await res.text(), 10);
}

// The clients. maxRetries 0: a retry must be blackbar's, never the SDK's.
function openaiClient(mod, retries = 0) {
    const Client = mod.OpenAI ?? mod.default;
    return new Client({ baseURL: `${BASE}/v1`, apiKey: API_KEY,
                        maxRetries: retries, timeout: 20000 });
}

function azureClient(mod) {
    return new mod.AzureOpenAI({ endpoint: BASE, apiKey: API_KEY,
                                 apiVersion: '2024-10-21',
                                 deployment: MODEL, maxRetries: 0,
                                 timeout: 20000 });
}

function anthropicClient() {
    const Client = Anthropic.Anthropic ?? Anthropic.default;
    return new Client({ baseURL: BASE, apiKey: API_KEY, maxRetries: 0,
                        timeout: 20000 });
}

// The headers of the last stream's response: openai 4 raises Responses'
// "event: error" without them (so without request_id), genai's errors
// never carry them.
let lastHeaders = null;

function genaiClient() {
    const keep = async (...a) => {
        const res = await fetch(...a);
        lastHeaders = res.headers;
        return res;
    };
    return new genai.GoogleGenAI({ apiKey: API_KEY,
                                   httpOptions: { baseUrl: BASE, fetch: keep,
                                                  timeout: 20000 } });
}

async function streamOf(apiPromise) {
    const { data, response } = await apiPromise.withResponse();
    lastHeaders = response.headers;
    return data;
}

// One API, called whole and streamed: each returns the answer's text
// (streamed: the deltas the SDK yields, joined).
function responsesCall(client, user) {
    const body = (stream) => ({
        model: MODEL, stream, temperature: 0.2, max_output_tokens: 64,
        input: [{ role: 'system', content: SYSTEM },
                { role: 'user', content: user }] });
    return {
        whole: async () => (await client.responses.create(body(false))).output_text,
        stream: async (got = []) => {
            const finals = {};
            for await (const ev of await streamOf(client.responses.create(body(true)))) {
                if (ev.type === 'response.output_text.delta') got.push(ev.delta);
                if (ev.type === 'response.output_text.done') finals.done = ev.text;
                if (ev.type === 'response.completed') {
                    finals.completed = ev.response.output[0].content[0].text;
                }
            }
            const text = got.join('');
            assert.deepEqual(finals, { done: text, completed: text },
                'response.output_text.done and response.completed carry ' +
                'the text of the deltas');
            return text;
        },
    };
}

function chatCall(client, user) {
    const body = (stream) => ({
        model: MODEL, stream, temperature: 0.2, max_tokens: 64,
        messages: [{ role: 'system', content: SYSTEM },
                   { role: 'user', content: user }] });
    return {
        whole: async () =>
            (await client.chat.completions.create(body(false))).choices[0].message.content,
        stream: async (got = []) => {
            let finish = null;
            for await (const chunk of await streamOf(
                client.chat.completions.create(body(true)))) {
                const c = chunk.choices[0];
                if (c?.delta?.content) got.push(c.delta.content);
                if (c?.finish_reason) finish = c.finish_reason;
            }
            assert.equal(finish, 'stop', 'the last chunk has finish_reason stop');
            return got.join('');
        },
    };
}

function anthropicCall(client, user) {
    const body = (stream) => ({
        model: 'claude-sonnet-5-5', max_tokens: 64, temperature: 0.2, stream,
        system: SYSTEM, messages: [{ role: 'user', content: user }] });
    return {
        whole: async () => (await client.messages.create(body(false))).content[0].text,
        stream: async (got = []) => {
            let stop = false;
            for await (const ev of await streamOf(client.messages.create(body(true)))) {
                if (ev.type === 'content_block_delta') got.push(ev.delta.text);
                if (ev.type === 'message_stop') stop = true;
            }
            assert.ok(stop, 'the stream ends with message_stop');
            return got.join('');
        },
    };
}

function genaiCall(ai, user) {
    const req = {
        model: 'gemini-2.0-flash',
        contents: [{ role: 'user', parts: [{ text: user }] }],
        config: { systemInstruction: SYSTEM, temperature: 0.2,
                  maxOutputTokens: 64 } };
    return {
        whole: async () => (await ai.models.generateContent(req)).text,
        stream: async (got = []) => {
            for await (const chunk of await ai.models.generateContentStream(req)) {
                if (chunk.text) got.push(chunk.text);
            }
            return got.join('');
        },
    };
}

// Every API the proxy serves, as [label, call].
function allCalls(user) {
    const calls = [];
    for (const { name, mod } of OPENAI) {
        calls.push([`${name} responses`, responsesCall(openaiClient(mod), user)]);
        calls.push([`${name} chat.completions`, chatCall(openaiClient(mod), user)]);
        calls.push([`${name} AzureOpenAI chat.completions`,
                    chatCall(azureClient(mod), user)]);
        calls.push([`${name} AzureOpenAI responses`,
                    responsesCall(azureClient(mod), user)]);
    }
    calls.push([`${ANTHROPIC} messages`, anthropicCall(anthropicClient(), user)]);
    calls.push([`${GENAI} models.generateContent`, genaiCall(genaiClient(), user)]);
    return calls;
}

// Run fn, which must reach the stand-in exactly once; check the body it
// got (placeholders, never the values) and return fn's text.
async function throughStandin(what, fn) {
    const before = logLines().length;
    const text = await fn();
    const lines = logLines();
    assert.equal(lines.length, before + 1,
        `${what}: the stand-in got ${lines.length - before} requests, not 1`);
    const body = lines[lines.length - 1];
    for (const v of [...VALUES, ...PIECES]) {
        assert.ok(!body.includes(v), `${what}: the stand-in saw "${v}": ${body}`);
    }
    for (const p of PLACEHOLDERS) {
        assert.ok(body.includes(p), `${what}: no ${p} in what the stand-in got: ${body}`);
    }
    return text;
}

function checkAnswer(what, text) {
    assert.equal(typeof text, 'string', `${what}: no text in the answer`);
    if (!direct) {
        for (const v of VALUES) {
            assert.ok(text.includes(v), `${what}: "${v}" not restored in "${text}"`);
        }
        assert.ok(!/<[A-Z][A-Z0-9_]*_[0-9]+>|<EMAIL_/.test(text),
            `${what}: a placeholder is left in "${text}"`);
    }
    assert.equal(text, ANSWER, `${what}: the answer`);
}

async function happy() {
    for (const [label, call] of allCalls(USER)) {
        await run(label, async () => {
            const whole = await throughStandin('whole', call.whole);
            checkAnswer('whole', whole);
            const got = [];
            const streamed = await throughStandin('streamed', () => call.stream(got));
            checkAnswer('streamed', streamed);
            assert.equal(streamed, whole, 'streamed and whole differ');
            assert.ok(got.length >= 3, `only ${got.length} deltas`);
            return `${got.length} deltas`;
        });
    }
}

// The request id an SDK error carries: openai 7 requestID, openai 4
// request_id (both x-request-id), anthropic requestID (request-id); else
// the response's headers.
function requestId(err, headers) {
    const h = err?.headers ?? headers;
    const get = (k) => (typeof h?.get === 'function' ? h.get(k) : h?.[k]);
    return err?.requestID ?? err?.request_id ?? get('x-request-id') ??
        get('request-id');
}

function printBlocked(id, label) {
    assert.ok(id, `${label}: the error carries no request id`);
    console.log(`BLOCKED-REQUEST-ID ${id}`);
}

function header(err, name) {
    const h = err?.headers;
    return typeof h?.get === 'function' ? h.get(name) : h?.[name];
}

// fn must throw the SDK's BadRequestError (400) with the provider's error
// shape and x-should-retry: false.
async function expectBadRequest(label, mod, shape, fn) {
    let err = null;
    try {
        await fn();
    } catch (e) {
        err = e;
    }
    assert.ok(err instanceof mod.BadRequestError,
        `${label}: want BadRequestError, got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.status, 400, `${label}: status`);
    shape(err);
    assert.equal(header(err, 'x-should-retry'), 'false', `${label}: x-should-retry`);
    printBlocked(requestId(err), label);
    return err.message;
}

// The same for genai: its ApiError with status 400, the message holding
// Gemini's {"error":{"code":400,...}}.
async function expectGenaiBlock(label, fn) {
    lastHeaders = null;
    const err = await fn().then(() => null, (e) => e);
    assert.ok(err instanceof genai.ApiError,
        `${label}: want ApiError, got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.status, 400, `${label}: status (${err.message})`);
    assert.match(err.message, /"error":\{"code":400,/, `${label}: Gemini's shape`);
    assert.match(err.message, /blocked by blackbar/, label);
    printBlocked(requestId(null, lastHeaders), label);
    return err.message;
}

function openaiShape(err) {
    assert.equal(typeof err.error?.message, 'string',
        `not OpenAI's {"error":{"message",...}}: ${JSON.stringify(err.error)}`);
    assert.equal(typeof err.error?.type, 'string', 'error.type');
}

function anthropicShape(err) {
    assert.equal(err.error?.type, 'error',
        `not Anthropic's {"type":"error",...}: ${JSON.stringify(err.error)}`);
    assert.equal(typeof err.error?.error?.type, 'string', 'error.error.type');
    assert.equal(typeof err.error?.error?.message, 'string', 'error.error.message');
}

async function blockRequest() {
    const user = `Summarise the PROJECT-NIGHTJAR plan for ${EMAIL}.`;
    const before = await count();
    for (const { name, mod } of OPENAI) {
        const chat = chatCall(openaiClient(mod), user);
        const resp = responsesCall(openaiClient(mod), user);
        await run(`block-request ${name} chat.completions`, () =>
            expectBadRequest('whole', mod, openaiShape, chat.whole));
        await run(`block-request ${name} chat.completions stream`, () =>
            expectBadRequest('streamed', mod, openaiShape, chat.stream));
        await run(`block-request ${name} responses`, () =>
            expectBadRequest('whole', mod, openaiShape, resp.whole));
    }
    const msg = anthropicCall(anthropicClient(), user);
    await run(`block-request ${ANTHROPIC} messages`, () =>
        expectBadRequest('whole', Anthropic, anthropicShape, msg.whole));
    await run(`block-request ${ANTHROPIC} messages stream`, () =>
        expectBadRequest('streamed', Anthropic, anthropicShape, msg.stream));
    await run(`block-request ${GENAI} models.generateContent`, () =>
        expectGenaiBlock('whole', genaiCall(genaiClient(), user).whole));
    await run('block-request: nothing reached the stand-in', async () => {
        assert.equal(await count(), before, 'the stand-in was called');
    });
}

// A stream with HARMTEST: the deltas before the threat arrive (values
// restored), then the SDK throws its APIError.
async function expectCutStream(label, ErrorClass, call) {
    const got = [];
    let err = null;
    try {
        await call.stream(got);
    } catch (e) {
        err = e;
    }
    const text = got.join('');
    assert.ok(err instanceof ErrorClass,
        `${label}: want an APIError after ${JSON.stringify(got)}, got ` +
        `${err ? err.constructor.name + ': ' + err.message : 'no error'}`);
    assert.ok(/blocked by blackbar/.test(err.message), `${label}: ${err.message}`);
    assert.ok(got.length > 0 && text.length > 0,
        `${label}: no delta before the error`);
    const full = `Noted: ${EMAIL} And I will kill you.`;
    assert.ok(full.startsWith(text) && !text.includes('kill'),
        `${label}: the deltas before the error: ${JSON.stringify(got)}`);
    return { err, text };
}

async function blockStream() {
    const user = `HARMTEST: write to ${EMAIL}.`;
    for (const { name, mod } of OPENAI) {
        for (const [api, make] of [['chat.completions', chatCall],
                                   ['responses', responsesCall]]) {
            await run(`block-stream ${name} ${api} stream`, async () => {
                const { err, text } = await expectCutStream(api, mod.APIError,
                    make(openaiClient(mod), user));
                printBlocked(requestId(err, lastHeaders), api);
                return JSON.stringify(text);
            });
        }
        await run(`block-stream ${name} chat.completions whole`, () =>
            expectBadRequest('whole', mod, openaiShape,
                             chatCall(openaiClient(mod), user).whole));
    }
    await run(`block-stream ${ANTHROPIC} messages stream`, async () => {
        const { err, text } = await expectCutStream('messages', Anthropic.APIError,
            anthropicCall(anthropicClient(), user));
        printBlocked(requestId(err, lastHeaders), 'messages');
        return JSON.stringify(text);
    });
    await run(`block-stream ${ANTHROPIC} messages whole`, () =>
        expectBadRequest('whole', Anthropic, anthropicShape,
                         anthropicCall(anthropicClient(), user).whole));
    await run(`block-stream ${GENAI} generateContentStream`, async () => {
        const got = [];
        const call = genaiCall(genaiClient(), user);
        const msg = await expectGenaiBlock('stream', async () => {
            await call.stream(got);
        });
        const full = `Noted: ${EMAIL} And I will kill you.`;
        const text = got.join('');
        assert.ok(text.length > 0 && full.startsWith(text) && !text.includes('kill'),
            `the chunks before the error: ${JSON.stringify(got)} (${msg})`);
        return JSON.stringify(text);
    });
    await run(`block-stream ${GENAI} generateContent`, () =>
        expectGenaiBlock('whole', genaiCall(genaiClient(), user).whole));
}

async function retry() {
    const user = `FAIL500ONCE ${USER}`;
    const mod = OPENAI[0].mod;
    await run(`retry ${OPENAI[0].name} chat.completions, maxRetries 0`, async () => {
        const before = await count();
        const text = await chatCall(openaiClient(mod), user).whole();
        checkAnswer('whole', text);
        assert.equal(await count(), before + 2,
            'the stand-in was not called twice (500, then 200)');
    });
}

async function down() {
    for (const { name, mod } of OPENAI.slice(0, 1)) {
        for (const how of ['whole', 'stream']) {
            await run(`down ${name} chat.completions ${how}`, async () => {
                const err = await chatCall(openaiClient(mod), USER)[how]()
                    .then(() => null, (e) => e);
                assert.ok(err instanceof mod.APIError,
                    `want an APIError, got ${err?.constructor?.name}: ${err?.message}`);
                assert.equal(err.status, 502, `status (${err.message})`);
                openaiShape(err);
            });
        }
    }
    await run(`down ${ANTHROPIC} messages`, async () => {
        const err = await anthropicCall(anthropicClient(), USER).whole()
            .then(() => null, (e) => e);
        assert.ok(err instanceof Anthropic.APIError,
            `want an APIError, got ${err?.constructor?.name}: ${err?.message}`);
        assert.equal(err.status, 502, `status (${err.message})`);
        anthropicShape(err);
    });
    await run(`down ${GENAI} models.generateContent`, async () => {
        const err = await genaiCall(genaiClient(), USER).whole()
            .then(() => null, (e) => e);
        assert.ok(err instanceof genai.ApiError,
            `want an ApiError, got ${err?.constructor?.name}: ${err?.message}`);
        assert.equal(err.status, 502, `status (${err.message})`);
        const body = JSON.parse(err.message);
        assert.equal(body.error?.code, 502, `not Gemini's error shape: ${err.message}`);
    });
}

// --direct only: the stand-in's own behaviours, read by the SDKs.
async function standin() {
    const mod = OPENAI[0].mod;
    await run('standin HARMTEST: the threat after the first two deltas', async () => {
        const got = [];
        await chatCall(openaiClient(mod), `HARMTEST ${USER}`).stream(got);
        assert.equal(got[0] + got[1], 'Noted: <EMAIL_1>');
        assert.equal(got.slice(2).join('').slice(0, 21), ' And I will kill you.');
    });
    await run('standin FAIL500ONCE: 500 once, in OpenAI\'s shape', async () => {
        const before = await count();
        const err = await chatCall(openaiClient(mod), `FAIL500ONCE ${USER}`).whole()
            .then(() => null, (e) => e);
        assert.ok(err instanceof mod.InternalServerError, `got ${err}`);
        openaiShape(err);
        checkAnswer('then', await chatCall(openaiClient(mod), `FAIL500ONCE ${USER}`).whole());
        assert.equal(await count(), before + 2);
    });
    await run('standin: bad JSON is a 400 in each provider\'s shape', async () => {
        for (const [path, key] of [['/v1/chat/completions', 'message'],
                                   ['/v1/messages', 'type'],
                                   ['/v1beta/models/g:generateContent', 'code']]) {
            const res = await fetch(BASE + path, { method: 'POST', body: '{"a":' });
            assert.equal(res.status, 400, path);
            const body = await res.json();
            assert.ok(key in body.error, `${path}: ${JSON.stringify(body)}`);
            assert.match(res.headers.get('x-request-id'), /^req_prov_[0-9]+$/);
            assert.equal(res.headers.get('request-id'), res.headers.get('x-request-id'));
        }
    });
    await run('standin: unknown route is a 404', async () => {
        const res = await fetch(`${BASE}/v1/nothing`, { method: 'POST', body: '{}' });
        assert.equal(res.status, 404);
    });
    await run(`standin ${GENAI} stream of a JSON array (no alt=sse)`, async () => {
        const res = await fetch(`${BASE}/v1beta/models/g:streamGenerateContent`,
                                { method: 'POST', body: JSON.stringify({ contents: [
                                    { parts: [{ text: USER }] }] }) });
        const chunks = await res.json();
        const text = chunks.map((c) => c.candidates[0].content.parts[0].text).join('');
        assert.equal(text, ANSWER);
    });
}

const checks = {
    happy,
    'block-request': blockRequest,
    'block-stream': blockStream,
    retry,
    down,
    standin,
};
if (!(CHECK in checks) || (CHECK === 'standin' && !direct) || !BASE || !LOG) {
    console.error('usage: node proxy.mjs BASE STANDIN LOG ' +
                  `[${Object.keys(checks).join('|')}] [--direct]`);
    process.exit(2);
}
await checks[CHECK]();
process.exit(failed ? 1 : 0);
