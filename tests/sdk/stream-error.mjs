// stream-error.mjs - the real SDKs read a stream that blackbar moderate
// cut at a block: the deltas before it arrive, then the SDK raises an API
// error (not a silent, truncated answer). A server on 127.0.0.1 (an
// ephemeral port) plays the moderated stream back as text/event-stream.
//
//   node stream-error.mjs BLACKBAR FIXTURES_DIR
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [blackbar, fixtures] = process.argv.slice(2);
let failed = 0;

function pkgVersion(pkg) {
    const url = new URL(`./node_modules/${pkg}/package.json`, import.meta.url);
    return JSON.parse(readFileSync(url)).version;
}

function moderated(name) {
    try {
        execFileSync(blackbar, ['moderate', '--format', 'sse',
                                `${fixtures}/${name}`]);
    } catch (e) {
        if (e.status !== 1) throw e; /* 1: blocked, as wanted */
        return e.stdout;
    }
    throw new Error(`${name}: blackbar moderate did not block`);
}

async function serve(body, fn) {
    const server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.end(body);
        });
    });
    await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
    try {
        return await fn(`http://127.0.0.1:${server.address().port}`);
    } finally {
        server.close();
    }
}

/* Run an SDK stream; it must yield `want` text pieces, then throw an
 * API error (a class named *APIError or with a status field). */
async function check(label, want, run) {
    const got = [];
    let error = null;
    try {
        for await (const piece of run()) {
            if (piece !== null && piece !== undefined) got.push(piece);
        }
    } catch (e) {
        error = e;
    }
    const ok = error !== null && /APIError|Error/.test(error.constructor.name) &&
        /blocked by blackbar/.test(String(error.message)) &&
        JSON.stringify(got) === JSON.stringify(want);
    console.log(`${ok ? 'ok' : 'FAIL'} ${label}: ${got.length} deltas, then ` +
        `${error ? error.constructor.name + ': ' + error.message : 'no error'}`);
    if (!ok) {
        failed++;
        console.log(`  got ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`);
    }
}

const want = ['Sure.', ' Write to <EMAIL_1>', ' and I will', ' answer you there.'];

for (const pkg of ['openai', 'openai4']) {
    const OpenAI = require(pkg);
    const Client = OpenAI.default ?? OpenAI.OpenAI ?? OpenAI;
    const version = pkgVersion(pkg);

    await serve(moderated('chat-harmful.sse'), (url) => check(
        `openai ${version} chat.completions`, ['', ...want], async function* () {
            const client = new Client({ baseURL: url + '/v1', apiKey: 'test', maxRetries: 0 });
            const stream = await client.chat.completions.create({
                model: 'gpt-4o-mini', stream: true,
                messages: [{ role: 'user', content: 'hi' }] });
            for await (const chunk of stream) yield chunk.choices[0]?.delta?.content;
        }));
    if (Client.prototype && 'responses' in new Client({ apiKey: 'x' })) {
        await serve(moderated('responses-harmful.sse'), (url) => check(
            `openai ${version} responses`, want, async function* () {
                const client = new Client({ baseURL: url + '/v1', apiKey: 'test', maxRetries: 0 });
                const stream = await client.responses.create({
                    model: 'gpt-4o-mini', stream: true, input: 'hi' });
                for await (const ev of stream) {
                    if (ev.type === 'response.output_text.delta') yield ev.delta;
                }
            }));
    }
}

{
    const Anthropic = require('@anthropic-ai/sdk');
    const Client = Anthropic.default ?? Anthropic.Anthropic ?? Anthropic;
    const version = pkgVersion('@anthropic-ai/sdk');
    await serve(moderated('anthropic-harmful.sse'), (url) => check(
        `@anthropic-ai/sdk ${version} messages`, want, async function* () {
            const client = new Client({ baseURL: url, apiKey: 'test', maxRetries: 0 });
            const stream = await client.messages.create({
                model: 'claude-test', max_tokens: 64, stream: true,
                messages: [{ role: 'user', content: 'hi' }] });
            for await (const ev of stream) {
                if (ev.type === 'content_block_delta') yield ev.delta.text;
            }
        }));
}

process.exit(failed ? 1 : 0);
