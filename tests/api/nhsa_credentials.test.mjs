// nhsa_credentials.test.mjs — the operator's side of the national
// interface (docs/NHSA.md "Credentials"): an institution's gateway
// credentials issued (the token once), listed (never the token) and
// revoked — through the API the console uses and through the CLI — and a
// kept message looked up by msgid.  A revoked paasid is refused by the
// gateway from the next request on.  Both engines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, seedInstitution, cli, expectError } from './helpers.mjs';
import { NhsaClient } from '../nhsa/client.mjs';
import { ok, refused } from './nhsa_his.mjs';

const H = 'H44030000301';
let srv, admin, window;

before(async () => {
  srv = await startServer();
  admin = { token: srv.keys.admin };
  window = { token: await srv.key('agency_window') };
  await seedInstitution(srv, H, 'hospital');
});

after(async () => {
  if (!srv) return;
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

let cred, second, signIn;

test('issue: 201 with the token, once; only an admin; an unknown institution is 404', async () => {
  const r = await srv.post('/api/v1/nhsa/credentials', { institution_code: H }, admin);
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.paasid, /^[\w-]{32}$/);
  assert.match(r.json.token, /^[\w-]{43}$/);
  assert.equal(r.json.institution_code, H);
  assert.equal(r.json.revoked_at, null);
  cred = r.json;
  expectError(assert, await srv.post('/api/v1/nhsa/credentials', { institution_code: H }, window), 403, 'auth.forbidden');
  expectError(assert, await srv.post('/api/v1/nhsa/credentials', { institution_code: 'H-NONE' }, admin), 404, 'institution.not_found');
  expectError(assert, await srv.post('/api/v1/nhsa/credentials', {}, admin), 400, 'request.missing_field');
  // the HIS signs with it
  const his = new NhsaClient({ base: srv.base, paasid: cred.paasid, token: cred.token, fixmedins_code: H });
  signIn = await his.signIn();
  ok(signIn);
});

test('list: newest first, never the token; the CLI lists the same', async () => {
  second = (await srv.post('/api/v1/nhsa/credentials', { institution_code: H }, admin)).json;
  const r = await srv.get(`/api/v1/nhsa/credentials?institution=${H}`, admin);
  assert.equal(r.status, 200, r.text);
  const ids = r.json.items.map((c) => c.paasid);
  assert.deepEqual(new Set(ids), new Set([cred.paasid, second.paasid]));
  assert.ok(!r.text.includes(cred.token) && !r.text.includes(second.token));
  for (const c of r.json.items) assert.deepEqual(Object.keys(c).sort(), ['created_at', 'institution_code', 'paasid', 'revoked_at']);
  const viaCli = JSON.parse(await cli(srv.db.url, '--json', 'nhsa', 'credentials', '--institution', H));
  assert.deepEqual(new Set(viaCli.items.map((c) => c.paasid)), new Set(ids));
  expectError(assert, await srv.get('/api/v1/nhsa/credentials', admin), 400, 'request.missing_field');
  expectError(assert, await srv.get('/api/v1/nhsa/credentials?institution=H-NONE', admin), 404, 'institution.not_found');
  expectError(assert, await srv.get(`/api/v1/nhsa/credentials?institution=${H}`, window), 403, 'auth.forbidden');
});

test('a kept message by msgid: the operator sees the facts and the reply', async () => {
  const msgid = JSON.parse(signIn.sent).msgid;
  for (const who of [admin, window]) {
    const r = await srv.get(`/api/v1/nhsa/messages/${msgid}?institution=${H}`, who);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.msgid, msgid);
    assert.equal(r.json.infno, '9001');
    assert.equal(r.json.infcode, 0);
    assert.equal(r.json.institution, H);
    assert.equal(r.json.response, signIn.text);
  }
  expectError(assert, await srv.get(`/api/v1/nhsa/messages/${msgid}?institution=H-OTHER`, admin), 404, 'nhsa.message_not_found');
  const inst = { token: await srv.key('institution', { institution: H }) };
  expectError(assert, await srv.get(`/api/v1/nhsa/messages/${msgid}?institution=${H}`, inst), 403, 'auth.forbidden');
});

test('revoke: the gateway refuses the paasid from the next request on; again is harmless', async () => {
  const his = new NhsaClient({ base: srv.base, paasid: cred.paasid, token: cred.token, fixmedins_code: H });
  const r = await srv.post(`/api/v1/nhsa/credentials/${cred.paasid}/revocation`, undefined, admin);
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.revoked_at, /^\d{4}-\d\d-\d\dT/);
  refused(await his.signIn(), 'nhsa.auth_unknown_paasid');
  const again = await srv.post(`/api/v1/nhsa/credentials/${cred.paasid}/revocation`, undefined, admin);
  assert.equal(again.json.revoked_at, r.json.revoked_at);
  expectError(assert, await srv.post('/api/v1/nhsa/credentials/no-such/revocation', undefined, admin), 404, 'nhsa.credential_not_found');
  // the other credential still works, and the CLI revokes it too
  const list = (await srv.get(`/api/v1/nhsa/credentials?institution=${H}`, admin)).json.items;
  const other = list.find((c) => c.paasid !== cred.paasid);
  assert.equal(other.revoked_at, null);
  // in use by the gateway (each connection thread has read the credential)
  // when the CLI's own process revokes it: refused from the next request on
  assert.equal(other.paasid, second.paasid);
  const his2 = new NhsaClient({ base: srv.base, paasid: second.paasid, token: second.token, fixmedins_code: H });
  for (let i = 0; i < 4; i++) ok(await his2.signIn());
  const out = JSON.parse(await cli(srv.db.url, '--json', 'nhsa', 'revoke', other.paasid));
  assert.equal(out.paasid, other.paasid);
  for (let i = 0; i < 4; i++) refused(await his2.signIn(), 'nhsa.auth_unknown_paasid');
  const after = (await srv.get(`/api/v1/nhsa/credentials?institution=${H}`, admin)).json.items;
  assert.ok(after.every((c) => c.revoked_at !== null));
  // audited
  const audit = await srv.get('/api/v1/audit?limit=100', admin);
  assert.equal(audit.status, 200, audit.text);
  assert.equal(audit.json.items.filter((a) => a.action === 'nhsa.credential.revoke').length, 2);
});
