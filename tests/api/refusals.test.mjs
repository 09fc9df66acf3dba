// refusals.test.mjs — bad input gets a clear error, and the client reads
// it (SPEC X4; issue #14).  Two defects found by an outside fuzzer:
//  - a JSON string with an invalid escape or invalid UTF-8 was answered
//    500 out_of_memory (jansson's error text quotes the bad bytes and the
//    error body could not be encoded): now 400 request.invalid_json;
//  - a body far over the limit was answered 413 before it was read and
//    the connection closed, so a client still sending saw a reset: now
//    the body is read and dropped (server.c "Early refusals") and every
//    refusal reaches Node's fetch and curl, tried many times each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, seedPerson, login, expectError } from './helpers.mjs';

const execFileP = promisify(execFile);
const TRIES = 20;
let srv, dir, person, token;

before(async () => {
  srv = await startServer({ config: 'login_max_failures = 2\n' });
  dir = await mkdtemp(join(tmpdir(), 'yb-refusals-'));
  person = await seedPerson(srv, { password: 'correct horse 1' });
  token = await login(srv, person.ssn, 'correct horse 1');
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  if (!srv) return;
  const r = await srv.stop();
  assert.equal(r.code, 0, `server exit: ${JSON.stringify(r)}\n${srv.stderr}`);
});

const JSON_CT = { 'content-type': 'application/json' };

/* POST raw bytes with fetch. */
function postRaw(path, bytes, { tok, headers = JSON_CT } = {}) {
  return srv.req('POST', path, { token: tok, raw: bytes, headers });
}

/* POST a file with curl: [status, body]. */
async function curlPost(path, file, { tok, ct = 'application/json', extra = [] } = {}) {
  const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '-H', `content-type: ${ct}`,
    '--data-binary', `@${file}`, ...extra];
  if (tok) args.push('-H', `authorization: Bearer ${tok}`);
  const { stdout } = await execFileP('curl', [...args, srv.base + path], { maxBuffer: 1 << 20 });
  const i = stdout.lastIndexOf('\n');
  return [Number(stdout.slice(i + 1)), stdout.slice(0, i)];
}

test('an invalid escape or invalid UTF-8 in a string is 400 request.invalid_json, on every JSON route', async () => { /* X4 */
  const bodies = [
    Buffer.from('{"login":"张\\三","password":"x"}'),                // the reported one
    Buffer.from('{"name":"\\张","ssn":"1"}'),
    Buffer.concat([Buffer.from('{"login":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","password":"x"}')]),
    Buffer.concat([Buffer.from('{"login":"张'), Buffer.from([0xe4, 0xb8]), Buffer.from('","password":"x"}')]),
    Buffer.from('{"login":"\\ud800","password":"x"}'),               // a lone surrogate
    Buffer.from(`{"login":"${'张'.repeat(100)}\\${'三'.repeat(100)}"}`), // long text near the error
  ];
  const routes = [['/api/v1/sessions'], ['/api/v1/persons', srv.keys.admin],
    ['/api/v1/card-applications', srv.keys.admin], ['/api/v1/me/bindings', token]];
  for (const [path, tok] of routes) {
    for (const b of bodies) {
      const r = await postRaw(path, b, { tok });
      expectError(assert, r, 400, 'request.invalid_json');
      assert.ok(!r.text.includes('\ufffd'), r.text);   // the message is valid UTF-8 as sent
    }
  }
});

test('a 2 MB body and a 1 MB password are 413 request.too_large, read by fetch every time', async () => { /* X4 */
  const two = JSON.stringify({ ssn: '600000001', padding: 'x'.repeat(2 * 1024 * 1024) });
  const pw = JSON.stringify({ login: person.ssn, password: 'p'.repeat(1024 * 1024) });
  for (let i = 0; i < TRIES; i++) {
    expectError(assert, await postRaw('/api/v1/persons', two, { tok: srv.keys.admin }), 413, 'request.too_large');
    expectError(assert, await postRaw('/api/v1/sessions', pw), 413, 'request.too_large');
  }
  // the server still answers normally afterwards
  assert.equal((await srv.get('/healthz')).status, 200);
});

test('refusals before a handler runs reach fetch with a large body: 401, 415, 429, on the API and FHIR', async () => { /* X4 */
  const big = JSON.stringify({ ssn: '600000001', padding: 'x'.repeat(60 * 1024) });
  const huge = JSON.stringify({ ssn: '600000001', padding: 'x'.repeat(3 * 1024 * 1024) });
  // lock the login out (login_max_failures = 2 in this server's config)
  for (let i = 0; i < 2; i++) {
    const r = await srv.post('/api/v1/sessions', { login: person.ssn, password: 'wrong' });
    assert.equal(r.status, 401, r.text);
  }
  const locked = JSON.stringify({ login: person.ssn, password: 'correct horse 1', pad: 'x'.repeat(60 * 1024) });
  for (let i = 0; i < TRIES; i++) {
    expectError(assert, await postRaw('/api/v1/persons', huge), 401, 'auth.required');
    expectError(assert, await postRaw('/api/v1/persons', big), 401, 'auth.required');
    expectError(assert, await postRaw('/api/v1/persons', big, { tok: srv.keys.admin, headers: { 'content-type': 'text/plain' } }),
      415, 'request.unsupported_media_type');
    expectError(assert, await postRaw('/api/v1/sessions', locked), 429, 'auth.throttled');
    // the FHIR edge's refusals too, as OperationOutcomes
    const oo = await postRaw('/fhir/R4/Claim/$submit', huge, { headers: { 'content-type': 'application/fhir+json' } });
    assert.equal(oo.status, 401, oo.text);
    assert.equal(oo.json.issue[0].details.coding[0].code, 'auth.required');
  }
});

test('curl reads the same refusals, with and without Expect: 100-continue', async () => { /* X4 */
  const two = join(dir, 'two.json');
  await writeFile(two, JSON.stringify({ login: person.ssn, password: 'p'.repeat(2 * 1024 * 1024) }));
  const esc = join(dir, 'esc.json');
  await writeFile(esc, '{"login":"张\\三","password":"x"}');
  for (let i = 0; i < TRIES; i++) {
    // curl sends Expect: 100-continue for a body this large: answered at once
    let [st, body] = await curlPost('/api/v1/sessions', two);
    assert.equal(st, 413, body);
    assert.match(body, /request\.too_large/);
    // without Expect, the body is sent straight away, read, and dropped
    [st, body] = await curlPost('/api/v1/sessions', two, { extra: ['-H', 'Expect:'] });
    assert.equal(st, 413, body);
    assert.match(body, /request\.too_large/);
    [st, body] = await curlPost('/api/v1/persons', two, { extra: ['-H', 'Expect:'] });
    assert.equal(st, 401, body);
    assert.match(body, /auth\.required/);
    [st, body] = await curlPost('/api/v1/sessions', esc);
    assert.equal(st, 400, body);
    assert.match(body, /request\.invalid_json/);
  }
  // 401, 415 and 429 are decided after the body is read: a 60 KB body
  // (under the limit), sent at once or after "100 Continue"
  const big = join(dir, 'big.json');
  await writeFile(big, JSON.stringify({ ssn: '600000001', padding: 'x'.repeat(60 * 1024) }));
  const locked = join(dir, 'locked.json');   // the login the test before locked out
  await writeFile(locked, JSON.stringify({ login: person.ssn, password: 'correct horse 1', pad: 'x'.repeat(60 * 1024) }));
  const cases = [
    ['/api/v1/persons', big, {}, 401, /auth\.required/],
    ['/fhir/R4/Claim/$submit', big, { ct: 'application/fhir+json' }, 401, /"OperationOutcome".*auth\.required/],
    ['/api/v1/persons', big, { tok: srv.keys.admin, ct: 'text/plain' }, 415, /request\.unsupported_media_type/],
    ['/api/v1/sessions', locked, {}, 429, /auth\.throttled/],
  ];
  for (let i = 0; i < TRIES; i++) {
    for (const [path, file, opt, want, code] of cases) {
      for (const expect of ['Expect:', 'Expect: 100-continue']) {
        const [st, body] = await curlPost(path, file, { ...opt, extra: ['-H', expect] });
        assert.equal(st, want, `${path} (${expect}): ${body}`);
        assert.match(body, code);
      }
    }
  }
  // a chunked body over the limit (no Content-Length) is read too
  const [st, body] = await curlPost('/api/v1/sessions', two, { extra: ['-H', 'Transfer-Encoding: chunked', '-H', 'Expect:'] });
  assert.equal(st, 413, body);
});
