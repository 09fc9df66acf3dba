// persons.test.mjs — the register (P1–P4), contributions (A4), employers,
// portal sessions (X2) and a person's own view (Q1, Q3, C1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, seedPerson, identity, idNumber, login, credit, expectError,
} from './helpers.mjs';

let srv, window;

before(async () => {
  srv = await startServer();
  window = await srv.key('agency_window');
});
after(async () => {
  if (!srv) return;    // before() failed and said why
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

const PERSON_KEYS = ['ssn', 'id_number', 'name', 'sex', 'birth_date', 'region', 'scheme', 'status', 'account'];

test('P1/U2: register a person; sex and birth date come from the ID number', async () => {
  const who = { ssn: '7000001', id_number: idNumber('19900215', 2, '440304'), name: '李娜', scheme: 'employee_tier1' };
  const r = await srv.post('/api/v1/persons', who, { token: srv.keys.admin });
  assert.equal(r.status, 201, r.text);
  for (const k of PERSON_KEYS) assert.ok(k in r.json, k);
  assert.equal(r.json.ssn, '7000001');
  assert.equal(r.json.id_number, who.id_number, 'admin sees the full ID number');
  assert.equal(r.json.sex, 'female');
  assert.equal(r.json.birth_date, '1990-02-15');
  assert.equal(r.json.region, '440300');
  assert.equal(r.json.status, 'active');
  assert.deepEqual(r.json.account, { balance_fen: 0, closed: false });
  const g = await srv.get('/api/v1/persons/7000001', { token: window });
  assert.equal(g.status, 200);
  assert.equal(g.json.id_number, who.id_number, 'agency window sees the full ID number');
  // a lower-case x is accepted and stored upper-case (U2)
  let x = '';
  for (let seq = 1; seq < 999 && !x.endsWith('X'); seq++) x = idNumber('19851111', seq);
  const lower = await srv.post('/api/v1/persons', { ssn: '7000002', id_number: x.toLowerCase(), name: 'X', scheme: 'resident' }, { token: srv.keys.admin });
  assert.equal(lower.status, 201, lower.text);
  assert.equal(lower.json.id_number, x);
  assert.equal(lower.json.account, null, 'P2: residents have no personal account');
});

test('P1: registration errors', async () => {
  const t = srv.keys.admin;
  const ok = { ...identity(), name: '赵六', scheme: 'employee_tier1' };
  expectError(assert, await srv.post('/api/v1/persons', { ...ok, id_number: '440305198001010010' }, { token: t }), 400, 'person.invalid_id_number');
  expectError(assert, await srv.post('/api/v1/persons', { ...ok, id_number: idNumber('20991231', 1) }, { token: t }), 400, 'person.invalid_id_number');
  expectError(assert, await srv.post('/api/v1/persons', { ...ok, ssn: '12345' }, { token: t }), 400, 'person.invalid_ssn');
  expectError(assert, await srv.post('/api/v1/persons', { ...ok, ssn: '12345678a' }, { token: t }), 400, 'person.invalid_ssn');
  expectError(assert, await srv.post('/api/v1/persons', { ...ok, scheme: 'gold' }, { token: t }), 400, 'person.invalid_scheme');
  expectError(assert, await srv.post('/api/v1/persons', { ...ok, employer_code: 'NOPE' }, { token: t }), 404, 'employer.not_found');
  assert.equal((await srv.post('/api/v1/persons', ok, { token: t })).status, 201);
  expectError(assert, await srv.post('/api/v1/persons', ok, { token: t }), 409, 'person.duplicate');
  expectError(assert, await srv.post('/api/v1/persons', { ...ok, ssn: identity().ssn }, { token: t }), 409, 'person.duplicate');
  expectError(assert, await srv.get('/api/v1/persons/999999999', { token: t }), 404, 'person.not_found');
});

test('employers: register, duplicate is 409', async () => {
  const r = await srv.post('/api/v1/employers', { code: 'E100', name: '深圳某公司' }, { token: srv.keys.admin });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.code, 'E100');
  assert.equal(r.json.name, '深圳某公司');
  expectError(assert, await srv.post('/api/v1/employers', { code: 'E100', name: 'again' }, { token: srv.keys.admin }), 409, 'employer.duplicate');
  expectError(assert, await srv.post('/api/v1/employers', { code: 'E101' }, { token: srv.keys.admin }), 400, 'request.missing_field');
});

test('A4: contributions credit the account once; duplicates refused', async () => {
  const t = srv.keys.admin;
  await srv.post('/api/v1/employers', { code: 'E200', name: '单位二' }, { token: t });
  const p = await seedPerson(srv, { employer: 'E200' });   // E200's employee
  const c = { ssn: p.ssn, period: '2026-03', employer_code: 'E200', base_fen: 800000, employer_fen: 48000, personal_fen: 16000, account_credit_fen: 20000 };
  const r = await srv.post('/api/v1/contributions', c, { token: window });
  assert.equal(r.status, 201, r.text);
  for (const k of Object.keys(c)) assert.equal(r.json[k], c[k], k);
  assert.ok(r.json.contribution_id > 0);
  expectError(assert, await srv.post('/api/v1/contributions', c, { token: t }), 409, 'contribution.duplicate');
  expectError(assert, await srv.post('/api/v1/contributions', { ...c, period: '2026-13' }, { token: t }), 400, 'contribution.invalid_period');
  expectError(assert, await srv.post('/api/v1/contributions', { ...c, period: '2026-04', account_credit_fen: 70000 }, { token: t }), 400, 'contribution.invalid_amounts');
  expectError(assert, await srv.post('/api/v1/contributions', { ...c, period: '2026-04', employer_code: 'NONE' }, { token: t }), 404, 'employer.not_found');
  expectError(assert, await srv.post('/api/v1/contributions', { ...c, ssn: '999999998' }, { token: t }), 404, 'person.not_found');
  const g = await srv.get(`/api/v1/persons/${p.ssn}`, { token: t });
  assert.equal(g.json.account.balance_fen, 20000);
  // an employer posts for its own staff only
  const ek = await srv.key('employer', { employer: 'E200' });
  const own = await srv.post('/api/v1/contributions', { ...c, period: '2026-05' }, { token: ek });
  assert.equal(own.status, 201, own.text);
  await srv.post('/api/v1/employers', { code: 'E201', name: '单位三' }, { token: t });
  const other = await srv.post('/api/v1/contributions', { ...c, period: '2026-06', employer_code: 'E201' }, { token: ek });
  assert.equal(other.status, 403, other.text);
  // Q2: the employer sees its employees' records only
  const list = await srv.get('/api/v1/employer/contributions', { token: ek });
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.length >= 2);
  assert.ok(list.json.items.every((x) => x.employer_code === 'E200'));
  const per = await srv.get('/api/v1/employer/contributions?period=2026-05', { token: ek });
  assert.deepEqual(per.json.items.map((x) => x.period), ['2026-05']);
  assert.equal(per.json.next_cursor, null);
});

test('X2: sessions — login by SSN or ID number, logout, wrong password', async () => {
  const p = await seedPerson(srv, { password: 'pass-word-1' });
  const a = await srv.post('/api/v1/sessions', { login: p.ssn, password: 'pass-word-1' });
  assert.equal(a.status, 201, a.text);
  assert.match(a.json.token, /^[A-Za-z0-9_-]{20,}$/);
  assert.ok(Date.parse(a.json.expires_at) > Date.now());
  assert.match(a.json.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const b = await srv.post('/api/v1/sessions', { login: p.id_number, password: 'pass-word-1' });
  assert.equal(b.status, 201);
  expectError(assert, await srv.post('/api/v1/sessions', { login: p.ssn, password: 'wrong-pass' }), 401, 'auth.invalid_credentials');
  expectError(assert, await srv.post('/api/v1/sessions', { login: '000000001', password: 'pass-word-1' }), 401, 'auth.invalid_credentials');
  expectError(assert, await srv.post('/api/v1/sessions', { login: p.ssn }), 400, 'request.missing_field');
  const del = await srv.del('/api/v1/sessions/current', { token: a.json.token });
  assert.equal(del.status, 204);
  assert.equal(del.text, '');
  expectError(assert, await srv.get('/api/v1/me', { token: a.json.token }), 401, 'auth.invalid_token');
  assert.equal((await srv.get('/api/v1/me', { token: b.json.token })).status, 200, 'other sessions stay');
  expectError(assert, await srv.post(`/api/v1/persons/${p.ssn}/password`, { password: 'short' }, { token: srv.keys.admin }), 400, 'auth.weak_password');
  expectError(assert, await srv.post('/api/v1/persons/999999997/password', { password: 'long-enough' }, { token: srv.keys.admin }), 404, 'person.not_found');
});

test('Q1: /me — my record with card; my lists; full ID number only for me', async () => {
  const p = await seedPerson(srv, { password: 'pass-word-2', name: '陈思远' });
  await credit(srv, p.ssn, 12345);
  const tok = await login(srv, p.ssn, 'pass-word-2');
  const me = await srv.get('/api/v1/me', { token: tok });
  assert.equal(me.status, 200, me.text);
  for (const k of PERSON_KEYS) assert.ok(k in me.json, k);
  assert.equal(me.json.id_number, p.id_number);
  assert.equal(me.json.name, '陈思远');
  assert.equal(me.json.card, null);
  assert.equal(me.json.account.balance_fen, 12345);
  expectError(assert, await srv.get('/api/v1/me/card', { token: tok }), 404, 'card.not_found');
  const app = await srv.post('/api/v1/card-applications', { ssn: p.ssn, route: 'center' }, { token: window });
  assert.equal(app.status, 201, app.text);
  const me2 = await srv.get('/api/v1/me', { token: tok });
  assert.deepEqual(me2.json.card, { card_no: app.json.card_no, state: 'issued', activated: false });
  assert.deepEqual((await srv.get('/api/v1/me/card', { token: tok })).json, me2.json.card);

  const contrib = await srv.get('/api/v1/me/contributions', { token: tok });
  assert.equal(contrib.status, 200);
  assert.equal(contrib.json.items.length, 1);
  assert.equal(contrib.json.items[0].account_credit_fen, 12345);
  assert.equal(contrib.json.next_cursor, null);
  const ledger = await srv.get('/api/v1/me/ledger', { token: tok });
  assert.equal(ledger.json.items[0].amount_fen, 12345);
  assert.equal(ledger.json.items[0].balance_after_fen, 12345);
  assert.deepEqual((await srv.get('/api/v1/me/settlements', { token: tok })).json, { items: [], next_cursor: null });
  assert.deepEqual((await srv.get('/api/v1/me/family-usage', { token: tok })).json, { items: [], next_cursor: null });
  assert.deepEqual((await srv.get('/api/v1/me/bindings', { token: tok })).json, { authorized: [], authorized_by: [] });
  // the operator console's extras show the same
  const op = await srv.get(`/api/v1/persons/${p.ssn}/ledger`, { token: window });
  assert.deepEqual(op.json.items, ledger.json.items);
  assert.deepEqual((await srv.get(`/api/v1/persons/${p.ssn}/contributions`, { token: window })).json, contrib.json);
  assert.deepEqual((await srv.get(`/api/v1/persons/${p.ssn}/settlements`, { token: window })).json.items, []);
  assert.deepEqual((await srv.get(`/api/v1/persons/${p.ssn}/family-usage`, { token: window })).json.items, []);
  assert.deepEqual((await srv.get(`/api/v1/persons/${p.ssn}/bindings`, { token: window })).json, { authorized: [], authorized_by: [] });
  expectError(assert, await srv.get('/api/v1/persons/999999996/ledger', { token: window }), 404, 'person.not_found');
});

test('C1: the electronic credential — token and QR code SVG', async () => {
  const p = await seedPerson(srv, { password: 'pass-word-3' });
  const tok = await login(srv, p.ssn, 'pass-word-3');
  const e = await srv.post('/api/v1/me/ecert', undefined, { token: tok });
  assert.equal(e.status, 201, e.text);
  assert.match(e.json.token, /^YB1\./);
  const ttl = Date.parse(e.json.expires_at) - Date.now();
  assert.ok(ttl > 0 && ttl <= 301000, `lifetime ${ttl}`);
  const svg = await srv.get('/api/v1/me/ecert.svg', { token: tok });
  assert.equal(svg.status, 200);
  assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
  assert.equal(svg.headers.get('cache-control'), 'no-store');
  const svgTtl = Date.parse(svg.headers.get('x-credential-expires-at')) - Date.now();
  assert.ok(svgTtl > 0 && svgTtl <= 301000, `C1: the QR code says when it lapses (${svgTtl} ms)`);
  assert.match(svg.text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
  assert.match(svg.text, /<path fill="#000" d="(M\d+ \d+h\d+v1h-\d+z)+"\/><\/svg>/);
  // an empty JSON object body is fine too
  assert.equal((await srv.post('/api/v1/me/ecert', {}, { token: tok })).status, 201);
});

test('P4: termination — status, reason, account closed; errors', async () => {
  const p = await seedPerson(srv, { balance: 5000 });
  const t = srv.keys.admin;
  expectError(assert, await srv.post(`/api/v1/persons/${p.ssn}/termination`, { reason: 'bored' }, { token: t }), 400, 'person.invalid_reason');
  const r = await srv.post(`/api/v1/persons/${p.ssn}/termination`, { reason: 'emigrated' }, { token: window });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'terminated');
  assert.equal(r.json.termination_reason, 'emigrated');
  assert.equal(r.json.account.closed, true);
  assert.equal(r.json.account.balance_fen, 0, 'the balance moved to the closed-account liability');
  expectError(assert, await srv.post(`/api/v1/persons/${p.ssn}/termination`, { reason: 'deceased' }, { token: t }), 409, 'person.already_terminated');
  expectError(assert, await srv.post('/api/v1/persons/999999995/termination', { reason: 'deceased' }, { token: t }), 404, 'person.not_found');
});

test('X2: repeated failed logins are throttled (429 auth.throttled)', async () => {
  const s2 = await startServer({ config: 'login_max_failures = 3\nlogin_lockout_seconds = 600\n' });
  try {
    const p = await seedPerson(s2, { password: 'right-pass' });
    for (let i = 0; i < 3; i++) {
      expectError(assert, await s2.post('/api/v1/sessions', { login: p.ssn, password: `wrong-${i}` }), 401, 'auth.invalid_credentials');
    }
    expectError(assert, await s2.post('/api/v1/sessions', { login: p.ssn, password: 'right-pass' }), 429, 'auth.throttled');
  } finally {
    assert.equal((await s2.stop()).code, 0);
  }
});
