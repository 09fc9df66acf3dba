// materials.test.mjs — E4 through the real server, on the engine asked for
// (both in `make test`): the operator channels attach scans of the F5
// materials (JPEG, PNG or PDF by their bytes, size-limited by the setting
// material_max_bytes) to a binding, a card application or a premium paid
// at the window; each is stored with its sha256 and audited; operators
// read them back byte for byte, nobody else ever; every refusal has its
// code and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import {
  startServer, seedPerson, seedInstitution, bindWeb, login, expectError,
} from './helpers.mjs';

const MAX = 200000;               // the setting, small enough to test cheaply
let srv, window, hospital, terminal, inst, employer, seq = 0;
const fx = {};

/* Files that are what their first bytes say, and some that are not. */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(150000), Buffer.from([0xff, 0xd9])]);
const PNG = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), randomBytes(2000)]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
const HTML = Buffer.from('<html><script>alert(1)</script></html>');
const sha = (b) => createHash('sha256').update(b).digest('hex');

const WINDOW = { id_cards: true, social_security_cards: true, card_copies: true };
const HOSPITAL = { id_cards: true, social_security_cards: true };

before(async () => {
  srv = await startServer({ threads: 4, config: `material_max_bytes = ${MAX}\n` });
  window = await srv.key('agency_window');
  hospital = await srv.key('hospital_office');
  terminal = await srv.key('terminal');
  inst = await seedInstitution(srv, 'H-MAT');
  await srv.post('/api/v1/employers', { code: 'E-MAT', name: '单位' }, { token: srv.keys.admin });
  employer = await srv.key('employer', { employer: 'E-MAT' });

  const a = await seedPerson(srv, { balance: 100000, password: 'pw-mat-a1', birth: '19700101', name: '陈大文' });
  const rel = await seedPerson(srv, { scheme: 'resident', birth: '19450101', name: '王秀英' });
  const kid = await seedPerson(srv, { scheme: 'resident', birth: '20100101' });
  const web = await seedPerson(srv, { scheme: 'resident', birth: '20110101' });
  const who = { ssn: a.ssn, id_number: a.id_number };
  const bind = async (key, channel, materials, p, relationship) => {
    const r = await srv.post('/api/v1/bindings', { authorizer: who, channel, materials,
      relatives: [{ ssn: p.ssn, id_number: p.id_number, relationship }] }, { token: key });
    assert.ok(r.json?.results?.[0]?.ok, r.text);
    return r.json.results[0].binding.binding_id;
  };
  fx.a = { ...a, token: await login(srv, a.ssn, 'pw-mat-a1') };
  fx.atWindow = await bind(window, 'agency_window', WINDOW, rel, 'parent');
  fx.atHospital = await bind(hospital, 'hospital_office', HOSPITAL, kid, 'child');
  [{ binding_id: fx.onWeb }] = await bindWeb(srv, { ...a, password: 'pw-mat-a1' }, [web], 'child');
  const app = await srv.post('/api/v1/card-applications', { ssn: rel.ssn, route: 'service_point' }, { token: window });
  assert.equal(app.status, 201, app.text);
  fx.app = app.json.application_id;
  const pw = await srv.post('/api/v1/premiums', { authorizer: who, channel: 'agency_window', materials: WINDOW,
    relative_ssn: rel.ssn, year: 2026, client_request_id: 'mat-1' }, { token: window });
  assert.equal(pw.status, 201, pw.text);
  fx.premium = pw.json.premium_id;
  const pp = await srv.post('/api/v1/me/premiums', { relative_ssn: kid.ssn, year: 2026, client_request_id: 'mat-2' }, { token: fx.a.token });
  assert.equal(pp.status, 201, pp.text);
  fx.webPremium = pp.json.premium_id;
});
after(async () => {
  if (!srv) return;
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

/* POST raw bytes; the Content-Type is what a client might claim. */
const upload = (path, bytes, { kind = 'id_card', key = window, type = 'application/octet-stream' } = {}) =>
  srv.req('POST', `${path}${kind === null ? '' : `?kind=${kind}`}`, { token: key, raw: bytes, headers: { 'content-type': type } });
const bytesOf = async (href, key) => {
  const r = await fetch(srv.base + href, { headers: { authorization: `Bearer ${key}` } });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
};
const auditTop = async () => (await srv.get('/api/v1/audit?limit=1', { token: srv.keys.admin })).json.items[0].seq;
const count = async (path) => (await srv.get(path, { token: window })).json.items.length;

test('E4: the window attaches a JPEG, a PNG and a PDF to a binding; sha256 kept; operators read them byte for byte', async () => {
  const path = `/api/v1/bindings/${fx.atWindow}/materials`;
  // the content decides, whatever the client says it is
  const j = await upload(path, JPEG, { kind: 'id_card', type: 'application/pdf' });
  assert.equal(j.status, 201, j.text);
  assert.deepEqual([j.json.target, j.json.target_id, j.json.kind, j.json.content_type, j.json.size_bytes, j.json.sha256],
    ['binding', fx.atWindow, 'id_card', 'image/jpeg', JPEG.length, sha(JPEG)]);
  assert.equal(j.json.channel, 'agency_window');
  assert.match(j.json.operator, /^key:\d+$/);
  assert.equal(j.json.href, `/api/v1/materials/${j.json.material_id}`);
  const p = await upload(path, PNG, { kind: 'social_security_card', type: 'image/jpeg' });
  assert.equal(p.json.content_type, 'image/png');
  const d = await upload(path, PDF, { kind: 'card_copy' });
  assert.equal(d.json.content_type, 'application/pdf');

  const audit = (await srv.get('/api/v1/audit?limit=3', { token: srv.keys.admin })).json.items;
  assert.deepEqual(audit.map((x) => x.action), ['material.attach', 'material.attach', 'material.attach']);
  assert.equal(audit[2].target, `binding:${fx.atWindow} material:${j.json.material_id} sha256:${sha(JPEG)}`);

  for (const key of [window, hospital, srv.keys.admin]) {
    const list = await srv.get(path, { token: key });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.items.map((m) => [m.kind, m.content_type, m.sha256]),
      [['id_card', 'image/jpeg', sha(JPEG)], ['social_security_card', 'image/png', sha(PNG)], ['card_copy', 'application/pdf', sha(PDF)]]);
    for (const [m, want] of [[j.json, JPEG], [p.json, PNG], [d.json, PDF]]) {
      const got = await bytesOf(m.href, key);
      assert.equal(got.status, 200);
      assert.ok(got.body.equals(want), 'the same bytes');
      assert.equal(sha(got.body), m.sha256);
      assert.equal(got.headers.get('content-type'), m.content_type);
      assert.match(got.headers.get('content-disposition'), /^attachment; filename="material-\d+\.(jpg|png|pdf)"$/);
      assert.equal(got.headers.get('etag'), `"${m.sha256}"`);
      assert.match(got.headers.get('content-security-policy'), /sandbox/);
      assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    }
  }
});

test('E4: a hospital\'s office scans for its bindings; card applications and window premiums are the window\'s', async () => {
  const h = await upload(`/api/v1/bindings/${fx.atHospital}/materials`, PNG, { key: hospital });
  assert.equal(h.status, 201, h.text);
  assert.equal(h.json.channel, 'hospital_office');
  const a = await upload(`/api/v1/card-applications/${fx.app}/materials`, JPEG, { kind: 'id_card' });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.target, 'card_application');
  const pr = await upload(`/api/v1/premiums/${fx.premium}/materials`, PDF, { kind: 'other' });
  assert.equal(pr.status, 201, pr.text);
  assert.equal(pr.json.target, 'premium');
  assert.deepEqual((await srv.get(`/api/v1/card-applications/${fx.app}/materials`, { token: srv.keys.admin })).json.items.map((m) => m.sha256), [sha(JPEG)]);
  assert.deepEqual((await srv.get(`/api/v1/premiums/${fx.premium}/materials`, { token: window })).json.items.map((m) => m.sha256), [sha(PDF)]);

  // the hospital's office: not the window's records
  expectError(assert, await upload(`/api/v1/card-applications/${fx.app}/materials`, PNG, { key: hospital }), 403, 'auth.forbidden');
  expectError(assert, await upload(`/api/v1/premiums/${fx.premium}/materials`, PNG, { key: hospital }), 403, 'auth.forbidden');
  expectError(assert, await srv.get(`/api/v1/card-applications/${fx.app}/materials`, { token: hospital }), 403, 'auth.forbidden');
  expectError(assert, await srv.get(`/api/v1/premiums/${fx.premium}/materials`, { token: hospital }), 403, 'auth.forbidden');
  expectError(assert, await srv.get(a.json.href, { token: hospital }), 403, 'auth.forbidden');
  expectError(assert, await srv.get(pr.json.href, { token: hospital }), 403, 'auth.forbidden');
  assert.equal((await bytesOf(h.json.href, hospital)).status, 200);
});

test('E4: never served to a person, a terminal, an institution or an employer', async () => {
  const m = await upload(`/api/v1/bindings/${fx.atWindow}/materials`, PNG, { kind: 'other' });
  assert.equal(m.status, 201, m.text);
  const before_ = await count(`/api/v1/bindings/${fx.atWindow}/materials`);
  for (const key of [fx.a.token, terminal, inst.key, employer]) {
    expectError(assert, await srv.get(m.json.href, { token: key }), 403, 'auth.forbidden');
    expectError(assert, await srv.get(`/api/v1/bindings/${fx.atWindow}/materials`, { token: key }), 403, 'auth.forbidden');
    expectError(assert, await srv.get(`/api/v1/card-applications/${fx.app}/materials`, { token: key }), 403, 'auth.forbidden');
    expectError(assert, await upload(`/api/v1/bindings/${fx.atWindow}/materials`, PNG, { key }), 403, 'auth.forbidden');
  }
  expectError(assert, await srv.get(m.json.href), 401, 'auth.required');
  assert.equal(await count(`/api/v1/bindings/${fx.atWindow}/materials`), before_);
  // the binding as the person sees it says nothing of the scans
  const mine = await srv.get('/api/v1/me/bindings', { token: fx.a.token });
  assert.ok(!JSON.stringify(mine.json).includes('material'));
});

/* POST with "Expect: 100-continue": the body goes only if the server asks for it. */
const askFirst = (path, body, key) => new Promise((resolve, reject) => {
  const u = new URL(srv.base + path);
  const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', agent: false,
    headers: { 'content-length': body.length, expect: '100-continue', ...(key ? { authorization: `Bearer ${key}` } : {}) } });
  let continued = false;
  req.on('continue', () => { continued = true; req.end(body); });
  req.on('response', (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => {
      req.destroy();
      const text = Buffer.concat(chunks).toString();
      resolve({ continued, status: res.statusCode, code: JSON.parse(text).error?.code, json: JSON.parse(text), text });
    });
  });
  req.on('error', reject);
  req.flushHeaders();
});

test('E4: only a caller the route takes may send a scan past 64 KiB; the others are refused on the headers', async () => {
  const path = `/api/v1/bindings/${fx.atWindow}/materials?kind=other`;
  const big = Buffer.concat([PNG, randomBytes(100000)]);   // past other bodies' 64 KiB, under the setting
  const n0 = await count(`/api/v1/bindings/${fx.atWindow}/materials`);
  for (const [key, status, code] of [[null, 401, 'auth.required'], ['not-a-token', 401, 'auth.invalid_token'],
    [fx.a.token, 403, 'auth.forbidden'], [terminal, 403, 'auth.forbidden'], [inst.key, 403, 'auth.forbidden']]) {
    const r = await askFirst(path, big, key);
    assert.deepEqual([r.continued, r.status, r.code], [false, status, code], `${key}: ${r.text}`);
  }
  // sent without waiting, the body is read and dropped past 64 KiB: the same refusals
  expectError(assert, await upload(path.replace('?kind=other', ''), big, { kind: 'other', key: fx.a.token }), 403, 'auth.forbidden');
  expectError(assert, await srv.req('POST', path, { raw: big }), 401, 'auth.required');
  // the window's key is asked for the body, and it is kept whole
  const ok = await askFirst(path, big, window);
  assert.deepEqual([ok.continued, ok.status, ok.json.size_bytes, ok.json.sha256], [true, 201, big.length, sha(big)], ok.text);
  assert.equal(await count(`/api/v1/bindings/${fx.atWindow}/materials`), n0 + 1);
});

test('E4 refusals: each with its code, changing nothing', async () => {
  const path = `/api/v1/bindings/${fx.atHospital}/materials`;
  const n0 = await count(path);
  const auditStart = await auditTop();
  const cases = [
    [upload(path, GIF), 400, 'material.unsupported_type'],
    [upload(path, HTML, { type: 'image/png' }), 400, 'material.unsupported_type'],
    [upload(path, Buffer.alloc(0)), 400, 'material.unsupported_type'],
    [upload(path, Buffer.from([0xff, 0xd8])), 400, 'material.unsupported_type'],
    [upload(path, PNG, { kind: 'passport' }), 400, 'request.invalid_field'],
    [upload(path, PNG, { kind: null }), 400, 'request.invalid_field'],
    [upload(path, Buffer.concat([PNG, Buffer.alloc(MAX + 1 - PNG.length)])), 413, 'material.too_large'],
    [upload(path, Buffer.concat([PNG, Buffer.alloc(3 * MAX)])), 413, 'material.too_large'],
    [upload('/api/v1/bindings/999999/materials', PNG), 404, 'binding.not_found'],
    [upload('/api/v1/bindings/abc/materials', PNG), 404, 'binding.not_found'],
    [upload(`/api/v1/bindings/${fx.onWeb}/materials`, PNG), 422, 'material.not_operator_channel'],
    [upload('/api/v1/card-applications/999999/materials', PNG), 404, 'card.application_not_found'],
    [upload('/api/v1/premiums/999999/materials', PNG), 404, 'premium.not_found'],
    [upload(`/api/v1/premiums/${fx.webPremium}/materials`, PNG), 422, 'material.not_operator_channel'],
  ];
  for (const [p, status, code] of cases) expectError(assert, await p, status, code);
  expectError(assert, await srv.get('/api/v1/materials/999999', { token: window }), 404, 'material.not_found');
  expectError(assert, await srv.get('/api/v1/bindings/999999/materials', { token: window }), 404, 'binding.not_found');
  // exactly the limit is fine
  const full = await upload(path, Buffer.concat([PNG, Buffer.alloc(MAX - PNG.length)]));
  assert.equal(full.status, 201, full.text);
  assert.equal(full.json.size_bytes, MAX);
  assert.equal(await count(path), n0 + 1);
  assert.equal(await auditTop(), auditStart + 1, 'only the good one was audited');
});

test('E4: at most 20 scans on one binding', async () => {
  const path = `/api/v1/bindings/${fx.atHospital}/materials`;
  for (let n = await count(path); n < 20; n++) assert.equal((await upload(path, PDF, { key: hospital })).status, 201);
  expectError(assert, await upload(path, PDF, { key: hospital }), 409, 'material.too_many');
  assert.equal(await count(path), 20);
});
