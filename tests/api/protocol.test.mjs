// protocol.test.mjs — the HTTP conventions every endpoint shares (API.md
// "Conventions", SPEC X4): errors, 404/405, authentication, body limits,
// strict JSON, money as integers, keep-alive, operations endpoints and
// static files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ENGINE, startServer, seedPerson, expectError, rawRequest, keepAliveAgent, httpGet, identity, cli,
} from './helpers.mjs';

let srv, web;

before(async () => {
  web = await mkdtemp(join(tmpdir(), 'yb-web-'));
  await writeFile(join(web, 'index.html'), '<!doctype html><title>yibao</title>');
  await writeFile(join(web, 'app.js'), 'export {};');
  await writeFile(join(web, 'style.css'), 'body{}');
  await writeFile(join(web, '.secret'), 'hidden');
  await mkdir(join(web, 'kiosk'));
  await writeFile(join(web, 'kiosk', 'index.html'), '<!doctype html><title>kiosk</title>');
  await symlink('/etc/passwd', join(web, 'passwd'));
  srv = await startServer({ web });
});

after(async () => {
  if (web) await rm(web, { recursive: true, force: true });
  if (!srv) return;    // before() failed and said why
  const r = await srv.stop();
  assert.equal(r.code, 0, `server exit: ${JSON.stringify(r)}\n${srv.stderr}`);
});

const person = () => ({ ...identity(), name: '王小明', scheme: 'employee_tier1' });

test('healthz answers ok with JSON', async () => {
  const r = await srv.get('/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok' });
  assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
});

test('unknown route is 404 request.not_found; wrong method 405 with Allow', async () => {
  expectError(assert, await srv.get('/api/v1/nothing-here', { token: srv.keys.admin }), 404, 'request.not_found');
  expectError(assert, await srv.get('/api/v2/persons'), 404, 'request.not_found');
  expectError(assert, await srv.get('/api/v1/persons/'), 404, 'request.not_found');
  const r = await srv.req('PUT', '/api/v1/persons', { token: srv.keys.admin, body: {} });
  expectError(assert, r, 405, 'request.method_not_allowed');
  assert.equal(r.headers.get('allow'), 'POST');
  const g = await srv.req('DELETE', '/api/v1/settlements/1');
  expectError(assert, g, 405, 'request.method_not_allowed');
  assert.equal(g.headers.get('allow'), 'GET');
});

test('no token is 401 auth.required; a bad one 401 auth.invalid_token', async () => {
  const r = await srv.get('/api/v1/persons/600000001');
  expectError(assert, r, 401, 'auth.required');
  assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  expectError(assert, await srv.get('/api/v1/persons/600000001', { token: 'nope' }), 401, 'auth.invalid_token');
  expectError(assert, await srv.get('/api/v1/me', { headers: { authorization: 'Basic YWJjOmRlZg==' } }), 401, 'auth.invalid_token');
  expectError(assert, await srv.get('/api/v1/me', { headers: { authorization: 'Bearer ' } }), 401, 'auth.invalid_token');
  expectError(assert, await srv.get('/api/v1/me', { token: 'x'.repeat(5000) }), 401, 'auth.invalid_token');
});

test('a write is refused for its caller before its body: 401 and 403 outrank bad JSON', async () => {
  // On SQLite a write's caller is looked up in the writer's batch
  // (server_request.c, "The caller in the batch"), unless its body is
  // refused first: the answers are the same either way.
  const raw = '{"name": ';
  const headers = { 'content-type': 'application/json' };
  const terminal = await srv.key('terminal');
  expectError(assert, await srv.req('POST', '/api/v1/persons', { raw, headers }), 401, 'auth.required');
  expectError(assert, await srv.req('POST', '/api/v1/persons', { token: 'nope', raw, headers }), 401, 'auth.invalid_token');
  expectError(assert, await srv.req('POST', '/api/v1/persons', { token: terminal, raw, headers }), 403, 'auth.forbidden');
  const who = person();
  expectError(assert, await srv.post('/api/v1/persons', who, { token: 'nope' }), 401, 'auth.invalid_token');
  expectError(assert, await srv.post('/api/v1/persons', who, { token: terminal }), 403, 'auth.forbidden');
  const r = await srv.post('/api/v1/persons', who, { token: srv.keys.admin });
  assert.equal(r.status, 201, r.text);
});

test('malformed, truncated, non-object and duplicate-key JSON is request.invalid_json', async () => {
  const t = srv.keys.admin;
  for (const raw of ['{', '{"ssn": "60000', 'not json', '[1,2]', '"str"', '{"a":1,"a":2}', '{"a":1} trailing',
    '{"name":"\\u0000"}', '{"a":1\0}', '{"a":1}\0', '{"a":"x\0y"}']) {
    const r = await srv.req('POST', '/api/v1/persons', { token: t, raw, headers: { 'content-type': 'application/json' } });
    expectError(assert, r, 400, 'request.invalid_json');
  }
  const deep = '{"a":'.repeat(40) + '1' + '}'.repeat(40);
  expectError(assert, await srv.req('POST', '/api/v1/persons', {
    token: t, raw: deep, headers: { 'content-type': 'application/json' },
  }), 400, 'request.invalid_json');
  // no body where one is required
  expectError(assert, await srv.req('POST', '/api/v1/persons', { token: t }), 400, 'request.invalid_json');
});

test('a truncated body (short of Content-Length) gets no answer and harms nothing', async () => {
  const body = JSON.stringify(person());
  const out = await rawRequest(srv.port,
    `POST /api/v1/persons HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${srv.keys.admin}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length + 20}\r\n\r\n${body}`, { waitMs: 500 });
  assert.equal(out, '', 'the server waits for the rest of the body');
  assert.equal((await srv.get('/healthz')).status, 200);
});

test('chunked bodies and Expect: 100-continue are read like any other', async () => {
  const body = JSON.stringify({ code: 'E-CHUNK', name: '分块' });
  const chunked = await rawRequest(srv.port,
    `POST /api/v1/employers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${srv.keys.admin}\r\n` +
    'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
    `5\r\n${body.slice(0, 5)}\r\n${Buffer.byteLength(body.slice(5)).toString(16)}\r\n${body.slice(5)}\r\n0\r\n\r\n`);
  assert.match(chunked, /^HTTP\/1\.1 201 /, chunked);
  const b2 = '{"code":"E-CONT","name":"续"}';
  const cont = await rawRequest(srv.port,
    `POST /api/v1/employers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${srv.keys.admin}\r\n` +
    `Content-Type: application/json\r\nExpect: 100-continue\r\nConnection: close\r\n` +
    `Content-Length: ${Buffer.byteLength(b2)}\r\n\r\n${b2}`);
  assert.match(cont, /HTTP\/1\.1 201 /, cont);
});

test('wrong content type is 415 request.unsupported_media_type', async () => {
  const t = srv.keys.admin;
  const body = JSON.stringify(person());
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1',
    'application/jsonp']) {
    expectError(assert, await srv.req('POST', '/api/v1/persons', { token: t, raw: body, headers: { 'content-type': ct } }),
      415, 'request.unsupported_media_type');
  }
  const ok = await srv.req('POST', '/api/v1/persons', {
    token: t, raw: body, headers: { 'content-type': 'Application/JSON; charset="UTF-8"' },
  });
  assert.equal(ok.status, 201, ok.text);
});

test('a body over 64 KiB is 413 request.too_large', async () => {
  const big = { ...person(), padding: 'x'.repeat(70 * 1024) };
  expectError(assert, await srv.post('/api/v1/persons', big, { token: srv.keys.admin }), 413, 'request.too_large');
  // declared far larger than the limit: refused before it is read
  const out = await rawRequest(srv.port,
    `POST /api/v1/persons HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{`);
  assert.match(out, /^HTTP\/1\.1 413 /);
  assert.match(out, /request\.too_large/);
  // exactly at the limit is parsed (and then judged on its fields)
  const at = JSON.stringify({ ...person(), pad: '' });
  const pad = 'y'.repeat(64 * 1024 - Buffer.byteLength(at));
  const r = await srv.req('POST', '/api/v1/persons', {
    token: srv.keys.admin, raw: at.replace('"pad":""', `"pad":"${pad}"`), headers: { 'content-type': 'application/json' },
  });
  assert.equal(r.status, 201, r.text);
});

test('field types: missing, wrong type, too long', async () => {
  const t = srv.keys.admin;
  const p = person();
  delete p.name;
  const m = await srv.post('/api/v1/persons', p, { token: t });
  expectError(assert, m, 400, 'request.missing_field');
  assert.match(m.json.error.message, /name/);
  expectError(assert, await srv.post('/api/v1/persons', { ...person(), ssn: 600000123 }, { token: t }), 400, 'request.invalid_field');
  expectError(assert, await srv.post('/api/v1/persons', { ...person(), name: null }, { token: t }), 400, 'request.missing_field');
  expectError(assert, await srv.post('/api/v1/persons', { ...person(), name: 'x'.repeat(2000) }, { token: t }), 400, 'request.invalid_field');
});

test('money must be an integer of fen: floats, strings, huge values refused; nothing changes', async () => {
  const t = srv.keys.admin;
  const p = await seedPerson(srv);
  await srv.post('/api/v1/employers', { code: 'E-MONEY', name: '钱' }, { token: t });
  const base = { ssn: p.ssn, period: '2026-01', employer_code: 'E-MONEY', base_fen: 100000, employer_fen: 1000, personal_fen: 1000, account_credit_fen: 500 };
  for (const [field, value] of [['base_fen', 1.5], ['personal_fen', '100'], ['account_credit_fen', true],
    ['employer_fen', 100000000000000], ['employer_fen', -100000000000000]]) {
    const r = await srv.post('/api/v1/contributions', { ...base, [field]: value }, { token: t });
    expectError(assert, r, 400, 'request.invalid_field');
    assert.match(r.json.error.message, new RegExp(field));
  }
  // 1.0 and 1e3 are reals in JSON, not integers
  for (const lit of ['100000.0', '1e5', '1E5']) {
    const real = await srv.req('POST', '/api/v1/contributions', {
      token: t, raw: JSON.stringify(base).replace('"base_fen":100000', `"base_fen":${lit}`), headers: { 'content-type': 'application/json' },
    });
    expectError(assert, real, 400, 'request.invalid_field');
  }
  // beyond int64: the parser refuses it
  const huge = await srv.req('POST', '/api/v1/contributions', {
    token: t, raw: JSON.stringify(base).replace('"base_fen":100000', '"base_fen":99999999999999999999999'), headers: { 'content-type': 'application/json' },
  });
  expectError(assert, huge, 400, 'request.invalid_json');
  expectError(assert, await srv.post('/api/v1/contributions', { ...base, personal_fen: -1 }, { token: t }), 400, 'contribution.invalid_amounts');
  const after = await srv.get(`/api/v1/persons/${p.ssn}`, { token: t });
  assert.equal(after.json.account.balance_fen, 0, 'nothing was credited');
});

test('unicode names round-trip; control characters are refused', async () => {
  const t = srv.keys.admin;
  for (const name of ['欧阳娜娜', 'Zoë Ångström', '𠀋𡈽 test', 'أحمد']) {
    const p = { ...person(), name };
    const r = await srv.post('/api/v1/persons', p, { token: t });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.name, name);
    assert.equal((await srv.get(`/api/v1/persons/${p.ssn}`, { token: t })).json.name, name);
  }
  const bad = await srv.post('/api/v1/persons', { ...person(), name: 'a\tb' }, { token: t });
  expectError(assert, bad, 400, 'person.invalid_name');
});

test('lists: limit and cursor are validated; pages chain with next_cursor', async () => {
  const t = srv.keys.admin;
  for (const q of ['limit=0', 'limit=501', 'limit=abc', 'limit=-1', 'limit=1.5']) {
    expectError(assert, await srv.get(`/api/v1/audit?${q}`, { token: t }), 400, 'request.invalid_field');
  }
  for (const q of ['cursor=abc', 'cursor=-5', 'cursor=0', 'cursor=1e5', 'cursor=99999999999999999999']) {
    expectError(assert, await srv.get(`/api/v1/audit?${q}`, { token: t }), 400, 'request.invalid_cursor');
  }
  const seen = new Set();
  let cursor = null, pages = 0;
  do {
    const r = await srv.get(`/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: t });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length <= 3);
    for (const it of r.json.items) { assert.ok(!seen.has(it.seq)); seen.add(it.seq); }
    cursor = r.json.next_cursor;
    pages++;
  } while (cursor && pages < 100);
  const all = await srv.get('/api/v1/audit?limit=500', { token: t });
  assert.equal(all.json.items.length, seen.size);
  const one = await srv.get('/api/v1/audit', { token: t });
  assert.ok(one.json.items.length <= 50);
});

test('keep-alive: many requests on one connection', async () => {
  const agent = keepAliveAgent();
  const sockets = new Set();
  for (let i = 0; i < 50; i++) {
    const r = await httpGet(srv, i % 2 ? '/healthz' : '/api/v1/audit?limit=1', agent, srv.keys.admin);
    assert.equal(r.status, 200);
    assert.notEqual(r.headers.connection, 'close');
    sockets.add(r.socket);
  }
  agent.destroy();
  assert.equal(sockets.size, 1, 'all requests went over one connection');
});

test('HTTP/1.1 pipelining of two requests on one socket', async () => {
  const out = await rawRequest(srv.port,
    'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(out.match(/HTTP\/1\.1 200 OK/g)?.length, 2, out);
});

test('metrics: Prometheus text with the request, duration, settlement and db counters', async () => {
  await srv.get('/api/v1/persons/1', { token: srv.keys.admin });
  const r = await srv.get('/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  assert.match(r.text, /# TYPE yibao_http_requests_total counter/);
  assert.match(r.text, /yibao_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  assert.match(r.text, /yibao_http_requests_total\{method="GET",route="\/api\/v1\/persons\/\{ssn\}",status="404"\} \d+/);
  assert.match(r.text, /# TYPE yibao_http_request_duration_seconds histogram/);
  assert.match(r.text, /yibao_http_request_duration_seconds_bucket\{method="GET",route="\/healthz",le="\+Inf"\} \d+/);
  assert.match(r.text, /yibao_http_request_duration_seconds_count\{method="GET",route="\/healthz"\} \d+/);
  assert.match(r.text, /yibao_settlements_total\{outcome="settled"\} \d+/);
  assert.match(r.text, /yibao_db_errors_total \d+/);
  assert.doesNotMatch(r.text, /600000/, 'no raw paths with SSNs in labels');
});

test('metrics: group commit counters (the batcher is on by default on both engines)', async () => {
  const before = await srv.get('/metrics');
  const commits = (t) => Number((t.match(/^yibao_batch_commits_total (\d+)$/m) || [])[1]);
  await seedPerson(srv, {});
  const r = await srv.get('/metrics');
  assert.ok(commits(r.text) > commits(before.text), 'a write went through a group commit');
  assert.match(r.text, /^yibao_batch_requests_total \d+$/m);
  assert.match(r.text, /^yibao_batch_largest [1-9]\d*$/m);
  assert.match(r.text, /^yibao_batch_retried_total \d+$/m);
  assert.match(r.text, /^yibao_wal_holds_total \d+$/m);
  assert.match(r.text, /^yibao_batch_replayed_total \d+$/m);
  assert.match(r.text, /^yibao_batch_run_seconds_total \d+\.\d+$/m);
  // every commit in the histogram: its count is the commits made
  const count = Number((r.text.match(/^yibao_batch_commit_duration_seconds_count (\d+)$/m) || [])[1]);
  const inf = Number((r.text.match(/^yibao_batch_commit_duration_seconds_bucket\{le="\+Inf"\} (\d+)$/m) || [])[1]);
  assert.equal(count, commits(r.text));
  assert.equal(inf, count);
  assert.match(r.text, /^yibao_batch_commit_duration_seconds_bucket\{le="0.001"\} \d+$/m);
  // where the writes' time goes, and how big the batches are: one run
  // and one size per commit, one queue wait per request run
  const num = (re) => Number((r.text.match(re) || [])[1]);
  assert.equal(num(/^yibao_batch_run_duration_seconds_count (\d+)$/m), commits(r.text));
  assert.equal(num(/^yibao_batch_run_duration_seconds_bucket\{le="\+Inf"\} (\d+)$/m), commits(r.text));
  assert.equal(num(/^yibao_batch_size_count (\d+)$/m), commits(r.text));
  const requests = num(/^yibao_batch_requests_total (\d+)$/m);
  assert.equal(num(/^yibao_batch_size_sum ([\d.]+)$/m), requests, 'the sizes add up to the requests run');
  assert.equal(num(/^yibao_batch_queue_wait_seconds_count (\d+)$/m), requests);
  assert.match(r.text, /^yibao_batch_size_bucket\{le="256"\} \d+$/m);
  assert.match(r.text, /^yibao_batch_queue_wait_seconds_bucket\{le="0.25"\} \d+$/m);
  // the sync apart (SQLite under synchronous FULL; PostgreSQL's commit syncs)
  const syncs = (t) => Number((t.match(/^yibao_batch_syncs_total (\d+)$/m) || [])[1]);
  if (ENGINE === 'sqlite') assert.ok(syncs(r.text) > syncs(before.text), 'the write was synced apart');
  else assert.equal(syncs(r.text), 0);
  assert.match(r.text, /^yibao_batch_sync_seconds_total \d+\.\d+$/m);
  assert.equal(num(/^yibao_batch_sync_duration_seconds_count (\d+)$/m), syncs(r.text), 'every sync in the histogram');
  assert.match(r.text, /^yibao_durable_waits_total \d+$/m);
});

test('the access log has one JSON line per request, route patterns, no secrets', async () => {
  const p = await seedPerson(srv, { password: 'secret-pass-1' });
  await srv.post('/api/v1/sessions', { login: p.id_number, password: 'secret-pass-1' });
  await srv.get(`/api/v1/persons/${p.ssn}`, { token: srv.keys.admin });
  await srv.get(`/api/v1/persons/${p.id_number}`, { token: srv.keys.admin });
  await new Promise((ok) => setTimeout(ok, 100));
  assert.doesNotMatch(srv.stderr, new RegExp(p.id_number), 'no ID numbers in the log');
  assert.doesNotMatch(srv.stderr, /secret-pass-1/);
  assert.doesNotMatch(srv.stderr, new RegExp(srv.keys.admin));
  // Our lines are JSON; libpq may print a server NOTICE of its own.
  const lines = srv.stderr.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const access = lines.filter((l) => l.route);
  assert.ok(access.length > 0);
  for (const l of access) {
    for (const k of ['time', 'method', 'route', 'status', 'duration_us', 'remote', 'actor']) assert.ok(k in l, k);
  }
  assert.ok(access.some((l) => l.route === '/api/v1/persons/{ssn}'));
});

test('static files: content types, index, directories, no traversal', async () => {
  let r = await srv.get('/');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(r.text, /<title>yibao/);
  assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal((await srv.get('/app.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await srv.get('/style.css')).headers.get('content-type'), 'text/css; charset=utf-8');
  r = await srv.req('GET', '/kiosk', { headers: {} });
  assert.equal(r.status, 200, 'fetch follows the redirect to /kiosk/');
  assert.match(r.text, /kiosk/);
  for (const path of ['/.secret', '/passwd', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/kiosk/..%2f..%2fetc/passwd',
    '/missing.html']) {
    const x = await srv.get(path);
    assert.equal(x.status, 404, `${path}: ${x.status}`);
    assert.doesNotMatch(x.text, /root:/);
  }
  const raw = await rawRequest(srv.port, 'GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.doesNotMatch(raw, /root:/);
  assert.equal((await srv.req('POST', '/index.html', { raw: 'x' })).status, 404);
});

test('routes: the CLI-free table prints every route', async () => {
  // `yibao routes` is the CLI's; if it is there, it must list our table.
  let out = '';
  try { out = await cli(srv.db.url, 'routes'); } catch { return; }
  assert.match(out, /POST\t\/api\/v1\/settlements\tinstitution/);
});
