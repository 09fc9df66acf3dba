// role_matrix.test.mjs — X1 as a matrix generated from the route table:
// every endpoint the server serves × every kind of caller (no credential,
// bad ones, each role's API key, a person's token, another person's
// token), compared with the allowed set written once — the roles column
// of `yibao routes`, i.e. src/http/routes.c ∩ the service's table
// (src/service/ctx.c), which routes.test.mjs holds equal to the x-roles of
// docs/openapi.yaml.  A route added tomorrow is in the matrix without a
// line here; a path parameter the matrix has no sample value for fails
// the first test, so it cannot be skipped silently.
//
// Then every IDOR shape: one person's token on another person's binding,
// card, session; a body naming someone else; institution A on institution
// B's settlement, offline record, record and totals; employer A on
// employer B's staff.  Each is refused AND changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, startServer, seedPerson, seedInstitution, credit, login, expectError } from './helpers.mjs';

const ROLE_KEYS = ['employer', 'institution', 'terminal', 'hospital_office', 'agency_window', 'admin'];

/* The table as the server dispatches from it: [{method, path, roles}]. */
function routeTable() {
  const r = spawnSync(BIN, ['routes'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `yibao routes: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((line) => {
    const [method, path, roles] = line.split('\t');
    return { method, path, roles: roles === 'public' ? null : roles.split(',') };
  });
}

// Sample values for path parameters: things that do not exist, so that an
// allowed caller gets past the role check to a 404 or 400 and nothing
// changes.  A new {param} needs a value here (the first test says so).
const PARAMS = {
  ssn: '600000999', binding_id: '999999', application_id: '999999', card_no: 'YB0000000999',
  year: '2026', code: 'H-NONE', settlement_id: '999999', offline_id: '999999', date: '2026-01-01',
  session_id: '999999',
  id: '999999', infno: '9001', notification_id: '999999', webhook_id: '999999', delivery_id: '999999',
  paasid: 'no-such-paasid', msgid: 'H44030000999202601010000000001',
};
const fill = (p) => p.replace(/\{(\w+)\}/g, (_, k) => PARAMS[k]);

let srv;
const who = {};      // caller name → { token, role }
const fx = {};       // the resources the IDOR tests aim at

before(async () => {
  srv = await startServer({ threads: 4 });
  const admin = { token: srv.keys.admin };
  for (const code of ['E-MA', 'E-MB']) await srv.post('/api/v1/employers', { code, name: `单位 ${code}` }, admin);
  const ha = await seedInstitution(srv, 'H-MA');
  const hb = await seedInstitution(srv, 'H-MB');
  who.employer = { token: await srv.key('employer', { employer: 'E-MA' }), role: 'employer' };
  who.employer_b = { token: await srv.key('employer', { employer: 'E-MB' }), role: 'employer' };
  who.institution = { token: ha.key, role: 'institution' };
  who.institution_b = { token: hb.key, role: 'institution' };
  for (const r of ['terminal', 'hospital_office', 'agency_window']) who[r] = { token: await srv.key(r), role: r };
  who.admin = { token: srv.keys.admin, role: 'admin' };

  // Person A; person B, employed by E-MB, with money, a card, a relative
  // he authorized, a settlement and an offline record at H-MB.
  const a = await seedPerson(srv, { password: 'pw-matrix-a', balance: 50000, birth: '19700101' });
  const b = await seedPerson(srv, { password: 'pw-matrix-b', balance: 50000, birth: '19710101', employer: 'E-MB' });
  const rel = await seedPerson(srv, { birth: '20100101' });
  who.person = { token: await login(srv, a.ssn, 'pw-matrix-a'), role: 'person' };
  who.person_b = { token: await login(srv, b.ssn, 'pw-matrix-b'), role: 'person' };
  const card = await srv.post('/api/v1/card-applications', { ssn: b.ssn, route: 'center' }, admin);
  assert.equal(card.status, 201, card.text);
  const bind = await srv.post('/api/v1/me/bindings', {
    relatives: [{ ssn: rel.ssn, id_number: rel.id_number, relationship: 'child' }],
  }, { token: who.person_b.token });
  assert.ok(bind.json?.results?.[0]?.ok, bind.text);
  const bill = (txn) => ({ txn_id: txn, credential: { type: 'id_number', value: b.id_number }, visit_type: 'outpatient', total_fen: 3000, fund_pay_fen: 0 });
  const st = await srv.post('/api/v1/settlements', bill('MATRIX-1'), { token: hb.key });
  assert.equal(st.status, 201, st.text);
  const off = await srv.post('/api/v1/offline-settlements', { ...bill('MATRIX-OFF-1'), occurred_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }, { token: hb.key });
  assert.equal(off.status, 201, off.text);
  Object.assign(fx, { a, b, rel, ha, hb, card_no: card.json.card_no, binding: bind.json.results[0].binding, settlement: st.json, offline: off.json, bill });
});
after(async () => {
  if (!srv) return;
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

/* Every caller of the matrix: name → Authorization header (or none). */
function callers() {
  const c = [
    ['no credential', null, null],
    ['an unknown token', 'Bearer not-a-token-of-ours-0123456789', null],
    ['an empty bearer', 'Bearer ', null],
    ['another scheme', `Basic ${Buffer.from('admin:admin').toString('base64')}`, null],
  ];
  for (const [name, { token, role }] of Object.entries(who)) c.push([name, `Bearer ${token}`, role]);
  return c;
}

async function call(method, path, auth) {
  const headers = auth ? { authorization: auth } : {};
  return srv.req(method, path, { headers, body: method === 'GET' ? undefined : {} });
}

test('every route of the table has sample values for its parameters', () => {
  const missing = [];
  for (const { method, path } of routeTable())
    for (const [, k] of path.matchAll(/\{(\w+)\}/g)) if (!(k in PARAMS)) missing.push(`${method} ${path}: {${k}}`);
  assert.deepEqual(missing, [], 'add a sample value to PARAMS in role_matrix.test.mjs');
});

test('X1: every route × every caller answers as the route table allows', async () => {
  const wrong = [];
  let cells = 0;
  for (const { method, path, roles } of routeTable()) {
    for (const [name, auth, role] of callers()) {
      // Logging out would end the session the rest of the matrix uses: a
      // fresh session of the same person stands in for it.
      let h = auth;
      if (method === 'DELETE' && path === '/api/v1/sessions/current' && role === 'person')
        h = `Bearer ${await login(srv, name === 'person' ? fx.a.ssn : fx.b.ssn, name === 'person' ? 'pw-matrix-a' : 'pw-matrix-b')}`;
      const r = await call(method, fill(path), h);
      // FHIR routes answer errors as OperationOutcomes, with the same code.
      const code = r.json?.error?.code ?? r.json?.issue?.[0]?.details?.coding?.[0]?.code;
      cells += 1;
      const got = `${method} ${path} by ${name} → ${r.status} ${code ?? ''}`;
      if (roles === null) {                           // public
        if (r.status === 401 || r.status === 403) wrong.push(`public route refused: ${got}`);
      } else if (!role) {
        const want = auth === null ? 'auth.required' : 'auth.invalid_token';
        if (r.status !== 401 || code !== want) wrong.push(`${got}, want 401 ${want}`);
      } else if (roles.includes(role)) {
        if (r.status === 401 || code === 'auth.forbidden') wrong.push(`allowed caller refused: ${got}`);
      } else if (r.status !== 403 || code !== 'auth.forbidden') {
        wrong.push(`${got}, want 403 auth.forbidden`);
      }
      if (r.status >= 500) wrong.push(`server error: ${got}`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.equal(cells, routeTable().length * callers().length);
});

/* ---- IDOR: a person on another person's things ----------------------- */

test('IDOR: person A cannot end person B\'s binding, by path', async () => {
  const r = await srv.del(`/api/v1/me/bindings/${fx.binding.binding_id}`, { token: who.person.token });
  assert.ok([403, 404].includes(r.status), r.text);
  const still = await srv.get(`/api/v1/persons/${fx.b.ssn}/bindings`, { token: srv.keys.admin });
  assert.equal(still.json.authorized.find((x) => x.binding_id === fx.binding.binding_id).ended_at, null);
  // nor at an operator's desk naming B with A's identity in the body
  const desk = await srv.req('DELETE', `/api/v1/bindings/${fx.binding.binding_id}`, {
    token: who.agency_window.token,
    body: { authorizer: { ssn: fx.a.ssn, id_number: fx.a.id_number }, channel: 'agency_window', materials: { id_cards: true, social_security_cards: true, card_copies: true } },
  });
  assert.ok(desk.status >= 400 && desk.status < 500, desk.text);
  const again = await srv.get(`/api/v1/persons/${fx.b.ssn}/bindings`, { token: srv.keys.admin });
  assert.equal(again.json.authorized.find((x) => x.binding_id === fx.binding.binding_id).ended_at, null);
});

test('IDOR: person A cannot report person B\'s card lost', async () => {
  const r = await srv.post(`/api/v1/cards/${fx.card_no}/loss`, {}, { token: who.person.token });
  assert.ok([403, 404].includes(r.status), r.text);
  assert.equal((await srv.get('/api/v1/me', { token: who.person_b.token })).json.card.state, 'issued');
});

test('IDOR: a body naming someone else acts for the caller only', async () => {
  // /me/bindings with B named as the authorizer: A authorizes, or nobody
  const r = await srv.post('/api/v1/me/bindings', {
    authorizer: { ssn: fx.b.ssn, id_number: fx.b.id_number }, authorizer_ssn: fx.b.ssn,
    relatives: [{ ssn: fx.rel.ssn, id_number: fx.rel.id_number, relationship: 'child' }],
  }, { token: who.person.token });
  if (r.status === 200 && r.json.results[0].ok) assert.equal(r.json.results[0].binding.authorizer_ssn, fx.a.ssn);
  const bs = await srv.get(`/api/v1/persons/${fx.b.ssn}/bindings`, { token: srv.keys.admin });
  assert.equal(bs.json.authorized.filter((x) => x.ended_at === null).length, 1, 'B authorized nobody new');
  // an e-credential asked for with B's SSN in the body is A's
  const e = await srv.post('/api/v1/me/ecert', { ssn: fx.b.ssn }, { token: who.person.token });
  assert.equal(e.status, 201, e.text);
  const pre = await srv.post('/api/v1/settlements/preview', {
    ...fx.bill('MATRIX-ECERT'), credential: { type: 'ecert', value: e.json.token },
  }, { token: fx.ha.key });
  assert.equal(pre.status, 200, pre.text);
  assert.equal(pre.json.patient.ssn, fx.a.ssn);
  // and /me is always the caller
  assert.equal((await srv.get('/api/v1/me?ssn=' + fx.b.ssn, { token: who.person.token })).json.ssn, fx.a.ssn);
  const usage = await srv.get(`/api/v1/me/settlements?ssn=${fx.b.ssn}`, { token: who.person.token });
  assert.deepEqual(usage.json.items, [], 'A has no settlements; B\'s are not shown');
});

/* ---- IDOR: institution A on institution B's records ------------------ */

test('IDOR: institution A cannot read or revoke B\'s settlement', async () => {
  const id = fx.settlement.settlement_id;
  const g = await srv.get(`/api/v1/settlements/${id}`, { token: fx.ha.key });
  assert.ok([403, 404].includes(g.status), g.text);
  const rv = await srv.post(`/api/v1/settlements/${id}/revocation`, {}, { token: fx.ha.key });
  assert.ok([403, 404].includes(rv.status), rv.text);
  const mine = await srv.get(`/api/v1/settlements/${id}`, { token: fx.hb.key });
  assert.equal(mine.json.state, 'settled', 'B\'s settlement is untouched');
  // B's txn_id sent by A is A's own transaction, never B's answer
  const dup = await srv.post('/api/v1/settlements/preview', fx.bill('MATRIX-1'), { token: fx.ha.key });
  assert.equal(dup.json.institution_code, 'H-MA', dup.text);
});

test('IDOR: institution A cannot read or re-settle B\'s offline record', async () => {
  const id = fx.offline.offline_id;
  const g = await srv.get(`/api/v1/offline-settlements/${id}`, { token: fx.ha.key });
  assert.ok([403, 404].includes(g.status), g.text);
  const rs = await srv.post(`/api/v1/offline-settlements/${id}/resettlement`, {}, { token: fx.ha.key });
  assert.ok([403, 404].includes(rs.status), rs.text);
  assert.equal((await srv.get(`/api/v1/offline-settlements/${id}`, { token: fx.hb.key })).json.state, 'cash_paid');
});

test('IDOR: institution A sees its own record and totals only', async () => {
  const r = await srv.get('/api/v1/institutions/H-MB', { token: fx.ha.key });
  assert.ok([403, 404].includes(r.status), r.text);
  // the agency's day (UTC+8), in which the settlement was booked
  const day = new Date(Date.parse(fx.settlement.settled_at) + 8 * 3600e3).toISOString().slice(0, 10);
  const a = await srv.get(`/api/v1/reconciliation/${day}`, { token: fx.ha.key });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.count, 0, 'B\'s settlement is not in A\'s totals');
  assert.equal((await srv.get(`/api/v1/reconciliation/${day}`, { token: fx.hb.key })).json.count, 1);
});

/* ---- IDOR: employer A on employer B's staff -------------------------- */

test('IDOR: employer A cannot post for or read employer B\'s staff', async () => {
  const c = { ssn: fx.b.ssn, period: '2026-01', employer_code: 'E-MB', base_fen: 100000, employer_fen: 6000, personal_fen: 2000, account_credit_fen: 2500 };
  expectError(assert, await srv.post('/api/v1/contributions', c, { token: who.employer.token }), 403, 'auth.forbidden');
  // nor under its own code: B is not its employee (to A, nobody — as an
  // unknown SSN is — so its key cannot probe who is insured elsewhere)
  const under = await srv.post('/api/v1/contributions', { ...c, employer_code: 'E-MA' }, { token: who.employer.token });
  expectError(assert, under, 404, 'person.not_found');
  const own = await srv.post('/api/v1/contributions', { ...c, period: '2026-02' }, { token: who.employer_b.token });
  assert.equal(own.status, 201, own.text);
  const list = await srv.get('/api/v1/employer/contributions', { token: who.employer.token });
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.every((x) => x.employer_code === 'E-MA'), list.text);
  const qb = await srv.get('/api/v1/employer/contributions?employer_code=E-MB', { token: who.employer.token });
  assert.ok(qb.status >= 400 || qb.json.items.every((x) => x.employer_code === 'E-MA'), qb.text);
});
