// family_desk.test.mjs — E1 and E2 at an operator's desk, through the real
// server on the engine asked for (both in `make test`): the agency window
// pays a relative's resident premium on the authorizer's behalf with the
// F5 materials of a binding (an active binding, or the materials and the
// relative's ID number, prove the relationship); the window and a
// hospital's office set and remove a monthly cap for the authorizer,
// audited with the operator; every refusal changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, seedPerson, seedInstitution, bindWeb, login, expectError,
} from './helpers.mjs';

let srv, window, hospital, terminal, inst, seq = 0;
const WINDOW_MATERIALS = { id_cards: true, social_security_cards: true, card_copies: true };

before(async () => {
  srv = await startServer({ threads: 4 });
  window = await srv.key('agency_window');
  hospital = await srv.key('hospital_office');
  terminal = await srv.key('terminal');
  inst = await seedInstitution(srv, 'P-DESK', 'pharmacy');
});
after(async () => {
  if (!srv) return;
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

const balance = async (p) => (await srv.get(`/api/v1/persons/${p.ssn}`, { token: srv.keys.admin })).json.account.balance_fen;
const auditTop = async () => (await srv.get('/api/v1/audit?limit=1', { token: srv.keys.admin })).json.items[0].seq;
const notes = async (p) => (await srv.get('/api/v1/me/notifications?limit=500', { token: p.token })).json.items;

async function authorizer(fen, birth, name = '陈大文') {
  const password = `pw-desk-${++seq}x`;
  const p = await seedPerson(srv, { balance: fen, password, birth, name });
  return { ...p, password, token: await login(srv, p.ssn, password) };
}

/* The window's body for an authorizer: his identity, channel, materials. */
const desk = (a, extra = {}) => ({
  authorizer: { ssn: a.ssn, id_number: a.id_number }, channel: 'agency_window',
  materials: WINDOW_MATERIALS, ...extra,
});
const payAtWindow = (body, key = window) => srv.post('/api/v1/premiums', body, { token: key });

test('E1 at the window: a bound mother\'s premium, recorded with the channel and operator; both see it', async () => {
  const son = await authorizer(100000, '19700202');
  const mum = await seedPerson(srv, { scheme: 'resident', birth: '19450303', name: '王秀英', password: 'pw-mum-desk1' });
  const [b] = await bindWeb(srv, son, [mum], 'parent');
  const body = desk(son, { relative_ssn: mum.ssn, year: 2026, client_request_id: `w-${++seq}` });
  const r = await payAtWindow(body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.amount_fen, 40000);
  assert.equal(r.json.channel, 'agency_window');
  assert.equal(r.json.relationship, 'parent');
  assert.equal(r.json.binding_id, b.binding_id, 'the binding proved it');
  assert.equal(r.json.payer.ssn, son.ssn);
  assert.equal(await balance(son), 60000);

  // the relative: paid from his son's account; the son: ledger, list, notification
  const mumTok = await login(srv, mum.ssn, 'pw-mum-desk1');
  const c = (await srv.get('/api/v1/me/contributions', { token: mumTok })).json.items.find((x) => x.period === '2026');
  assert.deepEqual(c.paid_by, { ssn: son.ssn, name: '陈*' });
  const l = (await srv.get('/api/v1/me/ledger', { token: son.token })).json.items[0];
  assert.deepEqual([l.kind, l.amount_fen], ['premium', -40000]);
  const mine = (await srv.get('/api/v1/me/premiums', { token: son.token })).json.items;
  assert.deepEqual(mine.map((x) => [x.premium_id, x.channel]), [[r.json.premium_id, 'agency_window']]);
  const told = (await notes(son)).filter((n) => n.kind === 'premium_payment');
  assert.equal(told.length, 1);
  assert.equal(told[0].relative.relationship, 'parent');
  assert.equal(told[0].amount_fen, 40000);

  // audited with the operator: his key, his role and channel
  const a = (await srv.get('/api/v1/audit?limit=5', { token: srv.keys.admin })).json.items.find((x) => x.action === 'premium.pay');
  assert.match(a.actor, /^key:\d+$/);
  assert.deepEqual([a.role, a.channel], ['agency_window', 'agency_window']);

  // a repeat answers the first payment, paying nothing
  const again = await payAtWindow(body);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.premium_id, r.json.premium_id);
  assert.equal(await balance(son), 60000);
});

test('E1 at the window without a binding: the materials and the relative\'s ID number prove it', async () => {
  const dad = await authorizer(100000, '19710404');
  const gran = await seedPerson(srv, { scheme: 'resident', birth: '19460505', name: '张桂兰' });
  const r = await payAtWindow(desk(dad, {
    relative_ssn: gran.ssn, relative_id_number: gran.id_number, relationship: 'parent',
    year: 2027, client_request_id: `w-${++seq}`,
  }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.binding_id, null);
  assert.equal(r.json.relationship, 'parent');
  assert.equal(await balance(dad), 60000);
  const told = (await notes(dad)).filter((n) => n.kind === 'premium_payment');
  assert.deepEqual(told.map((n) => [n.relative.ssn, n.relative.relationship, n.amount_fen]), [[gran.ssn, 'parent', 40000]]);
  // no binding was made by paying
  const bs = await srv.get(`/api/v1/persons/${dad.ssn}/bindings`, { token: srv.keys.admin });
  assert.equal(bs.json.authorized.length, 0);
});

test('E1 at the window: every refusal with its code, changing nothing', async () => {
  const a = await authorizer(100000, '19720606');
  const other = await authorizer(100000, '19730707', '林美玲');
  const rel = await seedPerson(srv, { scheme: 'resident', birth: '19470707' });
  const unbound = await seedPerson(srv, { scheme: 'resident', birth: '19480808' });
  await bindWeb(srv, a, [rel], 'parent');
  const start = await Promise.all([a, other].map(balance));
  const auditStart = await auditTop();
  const notesStart = (await notes(a)).length;
  const base = () => desk(a, { relative_ssn: rel.ssn, year: 2026, client_request_id: `w-${++seq}` });
  const cases = [
    [{ ...base(), materials: { id_cards: true, social_security_cards: true } }, 422, 'binding.materials_missing'],
    [{ ...base(), materials: undefined }, 422, 'binding.materials_missing'],
    [{ ...base(), channel: 'hospital_office' }, 403, 'binding.channel_not_allowed'],
    [{ ...base(), authorizer: { ssn: a.ssn, id_number: other.id_number } }, 422, 'binding.identity_mismatch'],
    [{ ...base(), authorizer: undefined }, 400, 'request.missing_field'],
    [{ ...base(), relative_ssn: unbound.ssn }, 422, 'premium.not_bound'],
    [{ ...base(), relative_ssn: unbound.ssn, relationship: 'parent' }, 422, 'premium.not_bound'],
    [{ ...base(), relative_ssn: unbound.ssn, relative_id_number: rel.id_number, relationship: 'parent' }, 422, 'binding.identity_mismatch'],
    [{ ...base(), relative_ssn: unbound.ssn, relative_id_number: unbound.id_number, relationship: 'sibling' }, 422, 'binding.relationship_not_allowed'],
    [{ ...base(), relative_ssn: a.ssn, relative_id_number: a.id_number, relationship: 'child' }, 422, 'binding.self'],
    [{ ...base(), relative_ssn: other.ssn, relative_id_number: other.id_number, relationship: 'spouse' }, 422, 'premium.relative_not_resident'],
    [{ ...base(), year: 2025 }, 422, 'premium.year_not_open'],
    [{ ...base(), relationship: 7 }, 400, 'request.invalid_field'],
  ];
  for (const [body, status, code] of cases) expectError(assert, await payAtWindow(body), status, code);
  // only the window: a hospital's office, a terminal, a person, the admin
  for (const key of [hospital, terminal, a.token, srv.keys.admin])
    expectError(assert, await payAtWindow(base(), key), 403, 'auth.forbidden');
  assert.deepEqual(await Promise.all([a, other].map(balance)), start, 'no money moved');
  assert.equal(await auditTop(), auditStart, 'nothing audited');
  assert.equal((await notes(a)).length, notesStart, 'no one told of nothing');
});

/* ---- E2 at a desk ---------------------------------------------------------- */

const capAtDesk = (id, body, key = window) => srv.put(`/api/v1/bindings/${id}/cap`, body, { token: key });
const uncapAtDesk = (id, body, key = window) => srv.del(`/api/v1/bindings/${id}/cap`, { token: key, body });
const settle = (patient, total) => srv.post('/api/v1/settlements', {
  txn_id: `DESK-${++seq}`, credential: { type: 'id_number', value: patient.id_number },
  visit_type: 'pharmacy', total_fen: total, fund_pay_fen: 0,
}, { token: inst.key });

test('E2 at a desk: the window sets a cap for the authorizer, a hospital\'s office removes it; audited with the operator', async () => {
  const dad = await authorizer(100000, '19740808');
  const son = await seedPerson(srv, { birth: '20050909' });
  const [b] = await bindWeb(srv, dad, [son], 'child');
  const r = await capAtDesk(b.binding_id, desk(dad, { monthly_cap_fen: 20000 }));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.monthly_cap_fen, r.json.cap_left_fen], [20000, 20000]);
  const s = await settle(son, 30000);
  assert.deepEqual(s.json.shares.map((x) => x.amount_fen), [20000], 'the cap applies');
  assert.deepEqual(s.json.cap_cuts.map((c) => c.cut_fen), [10000]);

  const set = (await srv.get('/api/v1/audit?limit=10', { token: srv.keys.admin })).json.items
    .find((x) => x.action === 'binding.cap_set' && x.target === `binding:${b.binding_id} cap_fen=20000`);
  assert.ok(set, 'the cap is audited');
  assert.match(set.actor, /^key:\d+$/, 'with the operator as the actor');
  assert.deepEqual([set.role, set.channel], ['agency_window', 'agency_window']);

  const rm = await uncapAtDesk(b.binding_id, { authorizer: { ssn: dad.ssn, id_number: dad.id_number },
    channel: 'hospital_office', materials: { id_cards: true, social_security_cards: true } }, hospital);
  assert.equal(rm.status, 200, rm.text);
  assert.equal(rm.json.monthly_cap_fen, null);
  const gone = (await srv.get('/api/v1/audit?limit=1', { token: srv.keys.admin })).json.items[0];
  assert.deepEqual([gone.action, gone.role], ['binding.cap_remove', 'hospital_office']);
  const mine = (await srv.get('/api/v1/me/bindings', { token: dad.token })).json.authorized[0];
  assert.equal(mine.monthly_cap_fen, null, 'the person sees what the desk did');
});

test('E2 at a desk: every refusal with its code, changing nothing', async () => {
  const a = await authorizer(50000, '19750909');
  const other = await authorizer(50000, '19761010', '林美玲');
  const rel = await seedPerson(srv, { birth: '20061111' });
  const [b] = await bindWeb(srv, a, [rel], 'child');
  const [ended] = await bindWeb(srv, other, [rel], 'child');
  await srv.del(`/api/v1/me/bindings/${ended.binding_id}`, { token: other.token });
  const auditStart = await auditTop();
  const body = (extra = {}) => desk(a, { monthly_cap_fen: 100, ...extra });
  const cases = [
    [b.binding_id, body({ materials: { id_cards: true } }), window, 422, 'binding.materials_missing'],
    [b.binding_id, body({ authorizer: { ssn: a.ssn, id_number: other.id_number } }), window, 422, 'binding.identity_mismatch'],
    [b.binding_id, desk(other, { monthly_cap_fen: 100 }), window, 404, 'binding.not_found'],
    [b.binding_id, body({ channel: 'hospital_office' }), window, 403, 'binding.channel_not_allowed'],
    [b.binding_id, body({ monthly_cap_fen: -5 }), window, 400, 'binding.invalid_cap'],
    [b.binding_id, body({ monthly_cap_fen: undefined }), window, 400, 'request.missing_field'],
    [999999, body(), window, 404, 'binding.not_found'],
    [ended.binding_id, desk(other, { monthly_cap_fen: 100 }), window, 409, 'binding.already_ended'],
    [b.binding_id, body({ channel: 'terminal' }), terminal, 403, 'auth.forbidden'],
    [b.binding_id, body(), a.token, 403, 'auth.forbidden'],
    [b.binding_id, body(), srv.keys.admin, 403, 'auth.forbidden'],
  ];
  for (const [id, bd, key, status, code] of cases) expectError(assert, await capAtDesk(id, bd, key), status, code);
  // the relative named as the authorizer: only the authorizer sets a cap
  const relDesk = await capAtDesk(b.binding_id, desk(rel, { monthly_cap_fen: 100 }));
  expectError(assert, relDesk, 403, 'auth.forbidden');
  expectError(assert, await uncapAtDesk(b.binding_id, { authorizer: { ssn: a.ssn, id_number: a.id_number }, channel: 'agency_window' }), 422, 'binding.materials_missing');
  const mine = (await srv.get('/api/v1/me/bindings', { token: a.token })).json.authorized[0];
  assert.equal(mine.monthly_cap_fen, null, 'no cap was set');
  assert.equal(await auditTop(), auditStart, 'nothing audited');
});

test('E1: the years of the setting and their payment windows', async () => {
  const p = await authorizer(0, '19771111');
  for (const key of [p.token, window, srv.keys.admin]) {
    const r = await srv.get('/api/v1/premium-years', { token: key });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((y) => [y.year, y.amount_fen, y.opens_on, y.closes_on]),
      [[2026, 40000, '2025-09-01', '2026-12-31'], [2027, 40000, '2026-09-01', '2027-12-31']]);
    // "open" is today's: between the two dates or not
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    for (const y of r.json.items) assert.equal(y.open, y.opens_on <= today && today <= y.closes_on);
  }
  for (const key of [hospital, terminal, inst.key])
    expectError(assert, await srv.get('/api/v1/premium-years', { token: key }), 403, 'auth.forbidden');
});
