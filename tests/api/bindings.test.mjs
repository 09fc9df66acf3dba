// bindings.test.mjs — family mutual aid bindings (F1–F8) over the web and
// at terminals and operators' desks, with Q3 masking of others' names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, seedPerson, login, expectError } from './helpers.mjs';

let srv, window, terminal, hospital;

before(async () => {
  srv = await startServer();
  window = await srv.key('agency_window');
  terminal = await srv.key('terminal');
  hospital = await srv.key('hospital_office');
});
after(async () => {
  if (!srv) return;    // before() failed and said why
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

const row = (p, relationship = 'spouse') => ({ ssn: p.ssn, id_number: p.id_number, relationship });
const BINDING_KEYS = ['binding_id', 'authorizer_ssn', 'relative_ssn', 'relative_name', 'relationship', 'channel', 'created_at', 'ended_at'];

/* An issued card, financially activated unless told otherwise. */
async function card(p, activate = true) {
  const a = await srv.post('/api/v1/card-applications', { ssn: p.ssn, route: 'center' }, { token: window });
  assert.equal(a.status, 201, a.text);
  if (activate) assert.equal((await srv.post(`/api/v1/cards/${a.json.card_no}/activation`, {}, { token: window })).status, 200);
  return a.json.card_no;
}

test('F1–F4: a person binds relatives on the web; each row on its own', async () => {
  const me = await seedPerson(srv, { password: 'pw-binder-1', name: '王建国' });
  const wife = await seedPerson(srv, { name: '刘美丽', scheme: 'resident', birth: '19820505' });
  const son = await seedPerson(srv, { name: '王小宝', scheme: 'employee_tier2', birth: '20050101' });
  const gone = await seedPerson(srv, { name: '孙某', birth: '19500101' });
  await srv.post(`/api/v1/persons/${gone.ssn}/termination`, { reason: 'deceased' }, { token: srv.keys.admin });
  const tok = await login(srv, me.ssn, 'pw-binder-1');
  const r = await srv.post('/api/v1/me/bindings', {
    relatives: [
      row(wife),
      { ...row(son), relationship: 'child' },
      { ssn: son.ssn, id_number: wife.id_number, relationship: 'child' },
      row(gone, 'parent'),
      { ...row(son), relationship: 'sibling' },
      row(me),
      { ssn: '999999990', id_number: wife.id_number, relationship: 'spouse' },
      row(wife),
    ],
  }, { token: tok });
  assert.equal(r.status, 200, r.text);
  const res = r.json.results;
  assert.deepEqual(res.map((x) => x.index), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(res.map((x) => x.ok), [true, true, false, false, false, false, false, false]);
  assert.deepEqual(res.slice(2).map((x) => x.error.code), [
    'binding.identity_mismatch', 'binding.relative_not_eligible', 'binding.relationship_not_allowed',
    'binding.self', 'binding.identity_mismatch', 'binding.duplicate']);
  assert.equal(res[2].error.message, res[6].error.message, 'F2: the same answer whichever is unregistered');
  const b = res[0].binding;
  for (const k of BINDING_KEYS) assert.ok(k in b, k);
  assert.equal(b.authorizer_ssn, me.ssn);
  assert.equal(b.relative_ssn, wife.ssn);
  assert.equal(b.relative_name, '刘*', 'Q3: others\' names masked');
  assert.equal(b.authorizer_name, me.name, 'Q3 masks others only: my own name in full');
  assert.equal(b.relationship, 'spouse');
  assert.equal(b.channel, 'web');
  assert.equal(b.ended_at, null);
  assert.doesNotMatch(r.text, new RegExp(wife.id_number), 'no ID numbers in the answer');

  const mine = await srv.get('/api/v1/me/bindings', { token: tok });
  assert.deepEqual(mine.json.authorized.map((x) => x.relative_ssn).sort(), [son.ssn, wife.ssn].sort());
  assert.deepEqual(mine.json.authorized_by, []);
  // the operator console sees the same from the relative's side
  const theirs = await srv.get(`/api/v1/persons/${wife.ssn}/bindings`, { token: window });
  assert.equal(theirs.json.authorized_by.length, 1);
  assert.equal(theirs.json.authorized_by[0].authorizer_ssn, me.ssn);
});

test('F3/F5: who may authorize, over which channel, how many at once', async () => {
  const tier2 = await seedPerson(srv, { password: 'pw-binder-2', scheme: 'employee_tier2' });
  const rel = await seedPerson(srv, { birth: '19600101' });
  const tok = await login(srv, tier2.ssn, 'pw-binder-2');
  const r = await srv.post('/api/v1/me/bindings', { relatives: [row(rel, 'parent')] }, { token: tok });
  assert.equal(r.status, 200);
  assert.equal(r.json.results[0].error.code, 'binding.authorizer_not_eligible');

  const me = await seedPerson(srv, { password: 'pw-binder-3' });
  const t2 = await login(srv, me.ssn, 'pw-binder-3');
  const w = await srv.post('/api/v1/me/bindings', { relatives: [row(rel, 'parent')], channel: 'wechat' }, { token: t2 });
  assert.equal(w.json.results[0].binding.channel, 'wechat');
  expectError(assert, await srv.post('/api/v1/me/bindings', { relatives: [row(rel, 'parent')], channel: 'terminal' }, { token: t2 }),
    403, 'binding.channel_not_allowed');
  expectError(assert, await srv.post('/api/v1/me/bindings', { relatives: Array(11).fill(row(rel, 'parent')) }, { token: t2 }),
    400, 'binding.too_many');
  expectError(assert, await srv.post('/api/v1/me/bindings', { relatives: [] }, { token: t2 }), 400, 'request.invalid_field');
  expectError(assert, await srv.post('/api/v1/me/bindings', { relatives: ['x'] }, { token: t2 }), 400, 'request.invalid_field');
  expectError(assert, await srv.post('/api/v1/me/bindings', { relatives: [{ ssn: rel.ssn }] }, { token: t2 }), 400, 'request.missing_field');
  expectError(assert, await srv.post('/api/v1/me/bindings', {}, { token: t2 }), 400, 'request.missing_field');
});

test('F6: the authorizer ends a binding; history stays; others cannot', async () => {
  const me = await seedPerson(srv, { password: 'pw-binder-4' });
  const rel = await seedPerson(srv, { password: 'pw-binder-5', birth: '19700101' });
  const tok = await login(srv, me.ssn, 'pw-binder-4');
  const b = (await srv.post('/api/v1/me/bindings', { relatives: [row(rel, 'parent')] }, { token: tok })).json.results[0].binding;
  const relTok = await login(srv, rel.ssn, 'pw-binder-5');
  expectError(assert, await srv.del(`/api/v1/me/bindings/${b.binding_id}`, { token: relTok }), 403, 'auth.forbidden');
  expectError(assert, await srv.del('/api/v1/me/bindings/99999', { token: tok }), 404, 'binding.not_found');
  expectError(assert, await srv.del('/api/v1/me/bindings/abc', { token: tok }), 404, 'binding.not_found');
  const d = await srv.del(`/api/v1/me/bindings/${b.binding_id}`, { token: tok });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.binding_id, b.binding_id);
  assert.ok(d.json.ended_at);
  const again = await srv.del(`/api/v1/me/bindings/${b.binding_id}`, { token: tok });
  assert.equal(again.status, 200, 'ending an ended binding is harmless');
  assert.equal(again.json.ended_at, d.json.ended_at);
  const list = await srv.get('/api/v1/me/bindings', { token: tok });
  assert.equal(list.json.authorized[0].ended_at, d.json.ended_at, 'history is kept');
  // a new binding of the same pair is allowed once the old one ended
  const re = await srv.post('/api/v1/me/bindings', { relatives: [row(rel, 'parent')] }, { token: tok });
  assert.equal(re.json.results[0].ok, true);
});

test('F5 terminal: activated own cards; errors refuse the whole request', async () => {
  const me = await seedPerson(srv, { name: '周大福' });
  const rel = await seedPerson(srv, { name: '周小福', birth: '20000101' });
  const other = await seedPerson(srv);
  const myCard = await card(me);
  const relCard = await card(rel);
  const otherCard = await card(other, false);
  const base = { authorizer: { ssn: me.ssn, id_number: me.id_number }, relatives: [row(rel, 'child')], channel: 'terminal' };

  expectError(assert, await srv.post('/api/v1/bindings', { ...base, materials: {} }, { token: terminal }), 422, 'binding.materials_missing');
  expectError(assert, await srv.post('/api/v1/bindings', { ...base }, { token: terminal }), 422, 'binding.materials_missing');
  expectError(assert, await srv.post('/api/v1/bindings', { ...base, materials: { authorizer_card_no: myCard } }, { token: terminal }),
    422, 'binding.materials_missing');
  expectError(assert, await srv.post('/api/v1/bindings', { ...base, materials: { authorizer_card_no: relCard, relative_card_no: relCard } }, { token: terminal }),
    422, 'binding.card_mismatch');
  expectError(assert, await srv.post('/api/v1/bindings', { ...base, materials: { authorizer_card_no: myCard, relative_id_number: other.id_number } }, { token: terminal }),
    422, 'binding.card_mismatch');
  const other2 = await seedPerson(srv);
  const c2 = await card(other2, false);
  expectError(assert, await srv.post('/api/v1/bindings', {
    ...base, authorizer: { ssn: other2.ssn, id_number: other2.id_number }, materials: { authorizer_card_no: c2, relative_card_no: relCard },
  }, { token: terminal }), 422, 'binding.card_not_activated');
  void otherCard;
  expectError(assert, await srv.post('/api/v1/bindings', { ...base, channel: 'hospital_office', materials: { id_cards: true, social_security_cards: true } }, { token: terminal }),
    403, 'binding.channel_not_allowed');
  expectError(assert, await srv.post('/api/v1/bindings', { ...base, materials: { authorizer_card_no: 42 } }, { token: terminal }),
    400, 'request.invalid_field');
  expectError(assert, await srv.post('/api/v1/bindings', { relatives: base.relatives, channel: 'terminal' }, { token: terminal }),
    400, 'request.missing_field');

  const ok = await srv.post('/api/v1/bindings', { ...base, materials: { authorizer_card_no: myCard, relative_card_no: relCard } }, { token: terminal });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.results[0].ok, true);
  assert.equal(ok.json.results[0].binding.channel, 'terminal');
  assert.equal(ok.json.results[0].binding.relative_name, '周*');

  const end = await srv.req('DELETE', `/api/v1/bindings/${ok.json.results[0].binding.binding_id}`, {
    token: terminal, body: { authorizer: base.authorizer, channel: 'terminal', materials: { authorizer_card_no: myCard } },
  });
  assert.equal(end.status, 200, end.text);
  assert.ok(end.json.ended_at);
  expectError(assert, await srv.req('DELETE', `/api/v1/bindings/${ok.json.results[0].binding.binding_id}`, {
    token: terminal, body: { authorizer: base.authorizer, channel: 'terminal', materials: {} },
  }), 422, 'binding.materials_missing');
  expectError(assert, await srv.req('DELETE', '/api/v1/bindings/1', { token: terminal }), 400, 'request.invalid_json');
});

test('F5 hospital office and agency window: their materials', async () => {
  const me = await seedPerson(srv);
  const rel = await seedPerson(srv, { birth: '19550101' });
  const base = { authorizer: { ssn: me.ssn, id_number: me.id_number }, relatives: [row(rel, 'parent')] };
  expectError(assert, await srv.post('/api/v1/bindings', { ...base, channel: 'hospital_office', materials: { id_cards: true } }, { token: hospital }),
    422, 'binding.materials_missing');
  expectError(assert, await srv.post('/api/v1/bindings', { ...base, channel: 'hospital_office', materials: { id_cards: 'yes', social_security_cards: true } }, { token: hospital }),
    400, 'request.invalid_field');
  const h = await srv.post('/api/v1/bindings', { ...base, channel: 'hospital_office', materials: { id_cards: true, social_security_cards: true } }, { token: hospital });
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.results[0].binding.channel, 'hospital_office');

  const rel2 = await seedPerson(srv, { birth: '19560101' });
  const b2 = { ...base, relatives: [row(rel2, 'parent')], channel: 'agency_window' };
  expectError(assert, await srv.post('/api/v1/bindings', { ...b2, materials: { id_cards: true, social_security_cards: true } }, { token: window }),
    422, 'binding.materials_missing');
  const w = await srv.post('/api/v1/bindings', { ...b2, materials: { id_cards: true, social_security_cards: true, card_copies: true } }, { token: window });
  assert.equal(w.status, 200, w.text);
  assert.equal(w.json.results[0].ok, true);
  // identity of the authorizer must match, too
  const bad = await srv.post('/api/v1/bindings', {
    ...b2, authorizer: { ssn: me.ssn, id_number: rel.id_number }, materials: { id_cards: true, social_security_cards: true, card_copies: true },
  }, { token: window });
  assert.equal(bad.json?.error?.code ?? bad.json.results[0].error.code, 'binding.identity_mismatch');
});

test('F8: terminating either person ends the binding', async () => {
  const me = await seedPerson(srv, { password: 'pw-binder-6' });
  const rel = await seedPerson(srv, { birth: '19400101' });
  const tok = await login(srv, me.ssn, 'pw-binder-6');
  await srv.post('/api/v1/me/bindings', { relatives: [row(rel, 'parent')] }, { token: tok });
  await srv.post(`/api/v1/persons/${rel.ssn}/termination`, { reason: 'deceased' }, { token: window });
  const list = await srv.get('/api/v1/me/bindings', { token: tok });
  assert.ok(list.json.authorized[0].ended_at, 'ended by the termination');
});
