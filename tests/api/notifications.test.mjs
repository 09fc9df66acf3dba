// notifications.test.mjs — E3: every use of an authorizer's account by a
// relative writes one notification in the same transaction, which only
// the authorizer reads and marks read.  Runs on both engines (api-sqlite,
// api-pg).  Webhook delivery is in webhooks.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, seedPerson, seedInstitution, login, expectError } from './helpers.mjs';

let srv, pharmacy, window;

before(async () => {
  srv = await startServer();
  pharmacy = await seedInstitution(srv, 'P-NOTE', 'pharmacy');
  window = await srv.key('agency_window');
});
after(async () => { await srv?.stop(); });

const row = (p, relationship) => ({ ssn: p.ssn, id_number: p.id_number, relationship });
const notes = async (tok, q = '') => {
  const r = await srv.get(`/api/v1/me/notifications${q}`, { token: tok });
  assert.equal(r.status, 200, r.text);
  return r.json;
};

/* A father with an account, his son (resident, no account), both with
 * portal logins, and a stranger. */
async function family(tag) {
  const father = await seedPerson(srv, { name: '陈大文', password: `pw-father-${tag}`, balance: 50000 });
  const son = await seedPerson(srv, { name: '陈小宝', scheme: 'resident', birth: '20120901', password: `pw-son-${tag}-x` });
  const stranger = await seedPerson(srv, { name: '王五', password: `pw-stranger-${tag}` });
  return {
    father, son, stranger,
    ftok: await login(srv, father.ssn, `pw-father-${tag}`),
    stok: await login(srv, son.ssn, `pw-son-${tag}-x`),
    xtok: await login(srv, stranger.ssn, `pw-stranger-${tag}`),
  };
}

const bill = (p, txn, total) => ({
  txn_id: txn, credential: { type: 'id_number', value: p.id_number },
  visit_type: 'pharmacy', total_fen: total, fund_pay_fen: 0,
});

test('E3: binding made, share, revocation, binding ended — one notification each, for the authorizer only', async () => {
  const f = await family('a');
  // binding made (web)
  const b = await srv.post('/api/v1/me/bindings', { relatives: [row(f.son, 'child')] }, { token: f.ftok });
  assert.equal(b.status, 200, b.text);
  const bindingId = b.json.results[0].binding.binding_id;
  let page = await notes(f.ftok);
  assert.equal(page.items.length, 1);
  assert.equal(page.unread_count, 1);
  assert.equal(page.next_cursor, null);
  const made = page.items[0];
  assert.equal(made.kind, 'binding_created');
  assert.equal(made.relative.ssn, f.son.ssn);
  assert.equal(made.relative.name, '陈*');          // Q3: masked, as in family usage
  assert.equal(made.relative.relationship, 'child');
  assert.equal(made.detail, 'web');
  assert.equal(made.ref, `binding:${bindingId}`);
  assert.equal(made.read_at, null);
  assert.equal(made.institution, null);

  // a share: the son's pharmacy purchase paid from the father's account
  const s = await srv.post('/api/v1/settlements', bill(f.son, 'NOTE-A-1', 3500), { token: pharmacy.key });
  assert.equal(s.status, 201, s.text);
  assert.equal(s.json.shares[0].amount_fen, 3500);
  page = await notes(f.ftok);
  assert.equal(page.items.length, 2);
  assert.equal(page.unread_count, 2);
  const share = page.items[0];
  assert.equal(share.kind, 'settlement_share');
  assert.equal(share.amount_fen, 3500);
  assert.deepEqual(share.institution, { code: 'P-NOTE', name: '医院 P-NOTE' });
  assert.equal(share.detail, 'pharmacy');
  assert.equal(share.ref, `settlement:${s.json.settlement_id}`);

  // an idempotent repeat changes nothing, so tells nothing (S4)
  const again = await srv.post('/api/v1/settlements', bill(f.son, 'NOTE-A-1', 3500), { token: pharmacy.key });
  assert.equal(again.status, 200, again.text);
  assert.equal((await notes(f.ftok)).items.length, 2);

  // the revocation of that share
  const rv = await srv.post(`/api/v1/settlements/${s.json.settlement_id}/revocation`, {}, { token: pharmacy.key });
  assert.equal(rv.status, 200, rv.text);
  await srv.post(`/api/v1/settlements/${s.json.settlement_id}/revocation`, {}, { token: pharmacy.key }); // twice: harmless
  page = await notes(f.ftok);
  assert.equal(page.items.length, 3);
  assert.equal(page.items[0].kind, 'share_revoked');
  assert.equal(page.items[0].amount_fen, 3500);
  assert.equal(page.items[0].ref, share.ref);

  // binding ended by the authorizer
  const end = await srv.del(`/api/v1/me/bindings/${bindingId}`, { token: f.ftok });
  assert.equal(end.status, 200, end.text);
  page = await notes(f.ftok);
  assert.equal(page.items.length, 4);
  assert.equal(page.items[0].kind, 'binding_ended');
  assert.equal(page.items[0].detail, 'authorizer');
  assert.equal(page.unread_count, 4);

  // nobody else sees any of it: not the relative, not a stranger
  for (const tok of [f.stok, f.xtok]) {
    const other = await notes(tok);
    assert.equal(other.items.length, 0);
    assert.equal(other.unread_count, 0);
  }
});

test('E3: a refused settlement or binding writes no notification', async () => {
  const f = await family('b');
  await srv.post('/api/v1/me/bindings', { relatives: [row(f.son, 'child')] }, { token: f.ftok });
  const dup = await srv.post('/api/v1/me/bindings', { relatives: [row(f.son, 'child')] }, { token: f.ftok });
  assert.equal(dup.json.results[0].error.code, 'binding.duplicate');
  await srv.post('/api/v1/settlements', bill(f.son, 'NOTE-B-1', 1000), { token: pharmacy.key });
  // the same txn_id with other content is refused: nothing written
  expectError(assert, await srv.post('/api/v1/settlements', bill(f.son, 'NOTE-B-1', 2000), { token: pharmacy.key }),
    409, 'settlement.txn_id_reused');
  const page = await notes(f.ftok);
  assert.deepEqual(page.items.map((n) => n.kind), ['settlement_share', 'binding_created']);
});

test('E3: bindings on operator channels and ended by termination (F8) are told too', async () => {
  const f = await family('c');
  const grandma = await seedPerson(srv, { name: '林婆婆', birth: '19500101' });
  const w = await srv.post('/api/v1/bindings', {
    authorizer: { ssn: f.father.ssn, id_number: f.father.id_number }, relatives: [row(grandma, 'parent')],
    channel: 'agency_window', materials: { id_cards: true, social_security_cards: true, card_copies: true },
  }, { token: window });
  assert.equal(w.status, 200, w.text);
  assert.equal(w.json.results[0].ok, true, w.text);
  let page = await notes(f.ftok);
  assert.equal(page.items[0].kind, 'binding_created');
  assert.equal(page.items[0].detail, 'agency_window');
  assert.equal(page.items[0].relative.relationship, 'parent');

  // the relative's termination ends the binding: the authorizer is told
  const t = await srv.post(`/api/v1/persons/${grandma.ssn}/termination`, { reason: 'deceased' }, { token: window });
  assert.equal(t.status, 200, t.text);
  page = await notes(f.ftok);
  assert.equal(page.items.length, 2);
  assert.equal(page.items[0].kind, 'binding_ended');
  assert.equal(page.items[0].detail, 'terminated');
  assert.equal(page.items[0].relative.ssn, grandma.ssn);
});

test('E3: mark one read, mark all read, paging; another person can neither read nor mark them', async () => {
  const f = await family('d');
  await srv.post('/api/v1/me/bindings', { relatives: [row(f.son, 'child')] }, { token: f.ftok });
  for (let i = 1; i <= 3; i++) {
    const s = await srv.post('/api/v1/settlements', bill(f.son, `NOTE-D-${i}`, 100 * i), { token: pharmacy.key });
    assert.equal(s.status, 201, s.text);
  }
  // cursor paging, the API's convention
  const p1 = await notes(f.ftok, '?limit=2');
  assert.equal(p1.items.length, 2);
  assert.equal(typeof p1.next_cursor, 'string');
  assert.equal(p1.unread_count, 4);
  const p2 = await notes(f.ftok, `?limit=2&cursor=${p1.next_cursor}`);
  assert.equal(p2.items.length, 2);
  assert.equal(p2.next_cursor, null);
  assert.ok(p2.items[0].id < p1.items[1].id);

  const first = p1.items[0].id;
  // another person: not found, and nothing changes
  expectError(assert, await srv.post(`/api/v1/me/notifications/${first}/read`, {}, { token: f.xtok }), 404, 'notification.not_found');
  expectError(assert, await srv.post(`/api/v1/me/notifications/${first}/read`, {}, { token: f.stok }), 404, 'notification.not_found');
  const mineAll = await srv.post('/api/v1/me/notifications/read', {}, { token: f.xtok });
  assert.equal(mineAll.json.marked, 0);
  assert.equal((await notes(f.ftok)).unread_count, 4);
  // operators and institutions are not persons
  expectError(assert, await srv.get('/api/v1/me/notifications', { token: srv.keys.admin }), 403, 'auth.forbidden');
  expectError(assert, await srv.get('/api/v1/me/notifications', { token: pharmacy.key }), 403, 'auth.forbidden');
  expectError(assert, await srv.get('/api/v1/me/notifications'), 401, 'auth.required');
  expectError(assert, await srv.post('/api/v1/me/notifications/abc/read', {}, { token: f.ftok }), 404, 'notification.not_found');
  expectError(assert, await srv.post('/api/v1/me/notifications/999999/read', {}, { token: f.ftok }), 404, 'notification.not_found');

  // one
  const one = await srv.post(`/api/v1/me/notifications/${first}/read`, {}, { token: f.ftok });
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.marked, 1);
  let page = await notes(f.ftok);
  assert.equal(page.unread_count, 3);
  assert.ok(page.items.find((n) => n.id === first).read_at);
  const twice = await srv.post(`/api/v1/me/notifications/${first}/read`, {}, { token: f.ftok });
  assert.equal(twice.json.marked, 0);
  // all
  const all = await srv.post('/api/v1/me/notifications/read', undefined, { token: f.ftok });
  assert.equal(all.status, 200, all.text);
  assert.equal(all.json.marked, 3);
  page = await notes(f.ftok);
  assert.equal(page.unread_count, 0);
  assert.ok(page.items.every((n) => n.read_at));
});
