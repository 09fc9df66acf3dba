// roles.test.mjs — X1: every endpoint × every role.  A role not listed for
// an endpoint in API.md gets 403 auth.forbidden; no token gets 401
// auth.required; a listed role is never refused for its role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, seedPerson, seedInstitution, login, expectError } from './helpers.mjs';

const ROLES = ['person', 'employer', 'institution', 'terminal', 'hospital_office', 'agency_window', 'admin'];
const OPS = ['admin', 'agency_window'];

// The matrix of API.md (the contract), written out independently of the
// server's own route table so that the two check each other.  Where the
// service's role table (src/service/ctx.c) admits more than API.md's
// section heading names, the service's wider set is the one served (and
// documented in docs/openapi.yaml): marked "ctx.c" below.
const MATRIX = [
  ['POST', '/api/v1/persons', OPS],
  ['GET', '/api/v1/persons/{ssn}', OPS],
  ['POST', '/api/v1/persons/{ssn}/password', OPS],
  ['POST', '/api/v1/persons/{ssn}/termination', OPS],
  ['GET', '/api/v1/persons/{ssn}/contributions', OPS],
  ['GET', '/api/v1/persons/{ssn}/ledger', OPS],
  ['GET', '/api/v1/persons/{ssn}/settlements', OPS],
  ['GET', '/api/v1/persons/{ssn}/family-usage', OPS],
  ['GET', '/api/v1/persons/{ssn}/bindings', OPS],
  ['POST', '/api/v1/contributions', [...OPS, 'employer']],
  ['POST', '/api/v1/employers', ['admin']],
  ['DELETE', '/api/v1/sessions/current', ['person']],
  ['GET', '/api/v1/whoami', ROLES],                                        // extra
  ['GET', '/api/v1/me', ['person']],
  ['GET', '/api/v1/me/card', ['person']],
  ['GET', '/api/v1/me/contributions', ['person']],
  ['GET', '/api/v1/me/ledger', ['person']],
  ['GET', '/api/v1/me/settlements', ['person']],
  ['GET', '/api/v1/me/bindings', ['person']],
  ['POST', '/api/v1/me/bindings', ['person']],
  ['DELETE', '/api/v1/me/bindings/{binding_id}', ['person']],
  ['GET', '/api/v1/me/family-usage', ['person']],
  ['POST', '/api/v1/me/ecert', ['person']],
  ['GET', '/api/v1/me/ecert.svg', ['person']],
  ['POST', '/api/v1/bindings', ['terminal', 'hospital_office', 'agency_window']],
  ['DELETE', '/api/v1/bindings/{binding_id}', ['terminal', 'hospital_office', 'agency_window']],
  ['POST', '/api/v1/card-applications', OPS],
  ['POST', '/api/v1/card-applications/{application_id}/issue', OPS],
  ['POST', '/api/v1/cards/{card_no}/activation', OPS],
  ['POST', '/api/v1/cards/{card_no}/loss', [...OPS, 'person']],
  ['POST', '/api/v1/cards/{card_no}/return', OPS],
  ['GET', '/api/v1/calendar/{year}', ROLES],                               // ctx.c
  ['PUT', '/api/v1/calendar/{year}', ['admin']],
  ['POST', '/api/v1/institutions', ['admin']],
  ['GET', '/api/v1/institutions/{code}', ['admin', 'institution']],       // ctx.c
  ['POST', '/api/v1/settlements', ['institution']],
  ['POST', '/api/v1/settlements/preview', ['institution']],
  ['GET', '/api/v1/settlements/{settlement_id}', ['institution']],
  ['POST', '/api/v1/settlements/{settlement_id}/revocation', ['institution']],
  ['POST', '/api/v1/offline-settlements', ['institution']],
  ['GET', '/api/v1/offline-settlements/{offline_id}', ['institution']],
  ['POST', '/api/v1/offline-settlements/{offline_id}/resettlement', ['institution']],
  ['GET', '/api/v1/reconciliation/{date}', ['institution']],
  ['POST', '/api/v1/reconciliation/{date}', ['institution']],
  ['GET', '/api/v1/employer/contributions', ['employer']],
  ['GET', '/api/v1/audit', ['admin']],
];
const PUBLIC = [['POST', '/api/v1/sessions'], ['GET', '/healthz'], ['GET', '/metrics']];

const PARAMS = {
  ssn: '600000999', binding_id: '1', application_id: '1', card_no: 'YB0000000999', year: '2026',
  code: 'H-NONE', settlement_id: '1', offline_id: '1', date: '2026-01-01',
};
const fill = (p) => p.replace(/\{(\w+)\}/g, (_, k) => PARAMS[k]);

let srv;
const tokens = {};

before(async () => {
  srv = await startServer({ threads: 8 });
  const inst = await seedInstitution(srv, 'H-ROLES');
  await srv.post('/api/v1/employers', { code: 'E-ROLES', name: '角色' }, { token: srv.keys.admin });
  tokens.admin = srv.keys.admin;
  tokens.institution = inst.key;
  tokens.employer = await srv.key('employer', { employer: 'E-ROLES' });
  for (const r of ['terminal', 'hospital_office', 'agency_window']) tokens[r] = await srv.key(r);
  const p = await seedPerson(srv, { password: 'pw-roles-1' });
  tokens.person = await login(srv, p.ssn, 'pw-roles-1');
});
after(async () => {
  if (!srv) return;    // before() failed and said why
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

test('the matrix covers every route of the server', async () => {
  const routes = new Set([...MATRIX, ...PUBLIC].map(([m, p]) => `${m} ${p}`));
  assert.equal(routes.size, MATRIX.length + PUBLIC.length);
  // every route answers something other than 404 request.not_found
  for (const [m, p] of [...MATRIX, ...PUBLIC]) {
    const r = await srv.req(m, fill(p), { token: tokens.admin, body: m === 'GET' ? undefined : {} });
    assert.notEqual(r.json?.error?.code, 'request.not_found', `${m} ${p}`);
    assert.notEqual(r.status, 405, `${m} ${p}`);
  }
});

test('no token: 401 auth.required everywhere but the public routes', async () => {
  for (const [m, p] of MATRIX) {
    expectError(assert, await srv.req(m, fill(p), { body: m === 'GET' ? undefined : {} }), 401, 'auth.required');
  }
  assert.equal((await srv.get('/healthz')).status, 200);
  assert.equal((await srv.get('/metrics')).status, 200);
  assert.notEqual((await srv.post('/api/v1/sessions', { login: 'x', password: 'y' })).status, 403);
});

test('every role not listed: 403 auth.forbidden; listed roles pass the role check', async () => {
  const wrong = [];
  for (const [m, p, allowed] of MATRIX) {
    for (const role of ROLES) {
      // DELETE /sessions/current with the person's token would end the
      // session the rest of this test uses; it is tested in persons.
      if (m === 'DELETE' && p.endsWith('/current') && role === 'person') continue;
      const r = await srv.req(m, fill(p), { token: tokens[role], body: m === 'GET' ? undefined : {} });
      const forbidden = r.status === 403 && r.json?.error?.code === 'auth.forbidden';
      if (allowed.includes(role)) {
        if (forbidden || r.status === 401) wrong.push(`${role} refused: ${m} ${p} → ${r.status} ${r.text}`);
      } else if (!forbidden) {
        wrong.push(`${role} not refused: ${m} ${p} → ${r.status} ${r.text}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('whoami: each credential says what it acts as', async () => {
  const inst = await srv.get('/api/v1/whoami', { token: tokens.institution });
  assert.equal(inst.status, 200, inst.text);
  assert.deepEqual(inst.json, { role: 'institution', channel: 'api', institution_code: 'H-ROLES' });
  const term = await srv.get('/api/v1/whoami', { token: tokens.terminal });
  assert.deepEqual(term.json, { role: 'terminal', channel: 'terminal' });
  const emp = await srv.get('/api/v1/whoami', { token: tokens.employer });
  assert.equal(emp.json.employer_code, 'E-ROLES');
  const me = await srv.get('/api/v1/whoami', { token: tokens.person });
  assert.equal(me.json.role, 'person');
  assert.match(me.json.ssn, /^\d{7,12}$/);
});
