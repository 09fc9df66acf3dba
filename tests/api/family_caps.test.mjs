// family_caps.test.mjs — E2 through the real server, on the engine asked
// for (both in `make test`): a monthly cap per binding, set, changed and
// removed by the authorizer (audited); applied in S3 step 2 with the rest
// going to the next authorizer and then to cash; shown in the settlement
// and the family usage; given back by a revocation; never exceeded by
// parallel settlements (like S8); and every refusal changing nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, seedPerson, seedInstitution, bindWeb, login, expectError, cli,
} from './helpers.mjs';

let srv, inst, seq = 0;

before(async () => {
  srv = await startServer({ threads: 8 });
  inst = await seedInstitution(srv, 'H-CAP');
});
after(async () => {
  if (!srv) return;
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

const balance = async (p) => (await srv.get(`/api/v1/persons/${p.ssn}`, { token: srv.keys.admin })).json.account.balance_fen;

/* An authorizer with a balance and a portal login. */
async function authorizer(fen, birth = '19600101') {
  const password = `pw-cap-${++seq}x`;
  const p = await seedPerson(srv, { balance: fen, password, birth });
  return { ...p, password, token: await login(srv, p.ssn, password) };
}

function bill(patient, total, extra = {}) {
  return {
    txn_id: `CAP-${++seq}`, credential: { type: 'id_number', value: patient.id_number },
    visit_type: 'pharmacy', total_fen: total, fund_pay_fen: 0, ...extra,
  };
}

const settle = (b) => srv.post('/api/v1/settlements', b, { token: inst.key });
const setCap = (a, id, fen) => srv.put(`/api/v1/me/bindings/${id}/cap`, { monthly_cap_fen: fen }, { token: a.token });
const myBinding = async (a, id) => (await srv.get('/api/v1/me/bindings', { token: a.token })).json.authorized.find((b) => b.binding_id === id);

test('E2: a cap cuts the share, the rest in cash; the settlement and family usage show it', async () => {
  const dad = await authorizer(100000);
  const son = await seedPerson(srv, { birth: '20000101' });
  const [b] = await bindWeb(srv, dad, [son], 'child');
  assert.equal(b.monthly_cap_fen, null, 'no cap by default');

  const r = await setCap(dad, b.binding_id, 20000);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.monthly_cap_fen, 20000);
  assert.equal(r.json.cap_used_this_month_fen, 0);
  assert.equal(r.json.cap_left_fen, 20000);

  const s = await settle(bill(son, 30000));
  assert.equal(s.status, 201, s.text);
  assert.deepEqual(s.json.shares.map((x) => [x.payer_ssn, x.amount_fen]), [[dad.ssn, 20000]]);
  assert.equal(s.json.cash_pay_fen, 10000);
  assert.deepEqual(s.json.cap_cuts, [{ binding_id: b.binding_id, payer_ssn: dad.ssn, cut_fen: 10000 }]);
  assert.equal(await balance(dad), 80000);

  // S4: the repeat answers the same, cuts included
  const again = await settle({ ...bill(son, 30000), txn_id: s.json.txn_id });
  assert.equal(again.status, 200);
  assert.deepEqual(again.json.cap_cuts, s.json.cap_cuts);

  // used up: the next bill is all cash, and the cut still shows
  const s2 = await settle(bill(son, 5000));
  assert.equal(s2.status, 201);
  assert.deepEqual(s2.json.shares, []);
  assert.equal(s2.json.cash_pay_fen, 5000);
  assert.deepEqual(s2.json.cap_cuts, [{ binding_id: b.binding_id, payer_ssn: dad.ssn, cut_fen: 5000 }]);
  assert.equal(await balance(dad), 80000);

  const mine = await myBinding(dad, b.binding_id);
  assert.equal(mine.cap_used_this_month_fen, 20000);
  assert.equal(mine.cap_left_fen, 0);
  const use = await srv.get('/api/v1/me/family-usage', { token: dad.token });
  assert.equal(use.status, 200);
  const line = use.json.items.find((u) => u.settlement_id === s.json.settlement_id);
  assert.equal(line.amount_fen, 20000);
  assert.equal(line.cap_cut_fen, 10000);
  // the cap used up left no share in s2, and family usage still shows the cut
  const cutOnly = use.json.items.find((u) => u.settlement_id === s2.json.settlement_id);
  assert.ok(cutOnly, use.text);
  assert.deepEqual([cutOnly.amount_fen, cutOnly.cap_cut_fen, cutOnly.relationship, cutOnly.state, cutOnly.relative_ssn],
    [0, 5000, 'child', 'settled', son.ssn]);
  assert.deepEqual(use.json.items.map((u) => u.settlement_id), [s2.json.settlement_id, s.json.settlement_id], 'newest first, each once');
  // paged one by one: the same rows, in the same order (shares and cuts merged)
  const paged = [];
  for (let cursor = null; ;) {
    const pg = await srv.get(`/api/v1/me/family-usage?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: dad.token });
    paged.push(...pg.json.items.map((u) => [u.settlement_id, u.amount_fen, u.cap_cut_fen]));
    cursor = pg.json.next_cursor;
    if (!cursor) break;
  }
  assert.deepEqual(paged, use.json.items.map((u) => [u.settlement_id, u.amount_fen, u.cap_cut_fen]));
  const ops = await srv.get(`/api/v1/persons/${dad.ssn}/family-usage`, { token: srv.keys.admin });
  assert.deepEqual(ops.json.items, use.json.items, 'the operator sees the same');

  // the relative sees the cap on the binding made for him
  const sonView = await srv.get(`/api/v1/persons/${son.ssn}/bindings`, { token: srv.keys.admin });
  assert.equal(sonView.json.authorized_by[0].monthly_cap_fen, 20000);
});

test('E2: the cut part goes to the next authorizer in the order, then cash', async () => {
  const mum = await authorizer(90000, '19610101');
  const dad = await authorizer(50000, '19620101');
  const kid = await seedPerson(srv, { birth: '20010101' });
  const [bm] = await bindWeb(srv, mum, [kid], 'child');
  await bindWeb(srv, dad, [kid], 'child');
  assert.equal((await setCap(mum, bm.binding_id, 5000)).status, 200);

  const s = await settle(bill(kid, 30000));
  assert.equal(s.status, 201, s.text);
  // S3: mum is richer and pays first, up to her cap; dad takes the rest
  assert.deepEqual(s.json.shares.map((x) => [x.payer_ssn, x.amount_fen]), [[mum.ssn, 5000], [dad.ssn, 25000]]);
  assert.equal(s.json.cash_pay_fen, 0);
  assert.deepEqual(s.json.cap_cuts.map((c) => [c.payer_ssn, c.cut_fen]), [[mum.ssn, 25000]]);
});

test('E2: revocation gives the amount back to its month; change and remove are audited', async () => {
  const a = await authorizer(100000, '19630101');
  const r1 = await seedPerson(srv, { birth: '20020101' });
  const [b] = await bindWeb(srv, a, [r1], 'child');
  await setCap(a, b.binding_id, 10000);
  const s = await settle(bill(r1, 8000));
  assert.equal(s.json.shares[0].amount_fen, 8000);
  assert.equal((await myBinding(a, b.binding_id)).cap_left_fen, 2000);

  const rv = await srv.post(`/api/v1/settlements/${s.json.settlement_id}/revocation`, undefined, { token: inst.key });
  assert.equal(rv.status, 200, rv.text);
  assert.equal((await myBinding(a, b.binding_id)).cap_left_fen, 10000, 'the revoked share no longer counts');

  // change: a cap below what is used leaves 0 and takes nothing back
  await settle(bill(r1, 6000));
  const ch = await setCap(a, b.binding_id, 4000);
  assert.equal(ch.json.cap_used_this_month_fen, 6000);
  assert.equal(ch.json.cap_left_fen, 0);
  const rm = await srv.del(`/api/v1/me/bindings/${b.binding_id}/cap`, { token: a.token });
  assert.equal(rm.status, 200, rm.text);
  assert.equal(rm.json.monthly_cap_fen, null);
  assert.equal(rm.json.cap_left_fen, null);
  const s3 = await settle(bill(r1, 50000));
  assert.equal(s3.json.shares[0].amount_fen, 50000, 'no cap: the whole balance may pay');
  assert.deepEqual(s3.json.cap_cuts, []);

  const audit = await srv.get('/api/v1/audit?limit=100', { token: srv.keys.admin });
  const mine = audit.json.items.filter((x) => x.target.startsWith(`binding:${b.binding_id}`));
  assert.deepEqual(mine.map((x) => x.action).slice(0, 3), ['binding.cap_remove', 'binding.cap_set', 'binding.cap_set']);
  assert.match(mine[1].target, /cap_fen=4000$/);
});

test('E2 refusals: each with its code, changing nothing', async () => {
  const a = await authorizer(10000, '19640101');
  const other = await authorizer(10000, '19650101');
  const rel = await seedPerson(srv, { birth: '20030101', password: 'pw-rel-cap1' });
  const [b] = await bindWeb(srv, a, [rel], 'spouse');
  const relTok = await login(srv, rel.ssn, 'pw-rel-cap1');
  const auditBefore = (await srv.get('/api/v1/audit?limit=1', { token: srv.keys.admin })).json.items[0].seq;

  expectError(assert, await setCap(a, b.binding_id, -1), 400, 'binding.invalid_cap');
  expectError(assert, await setCap(a, b.binding_id, 1.5), 400, 'request.invalid_field');
  expectError(assert, await setCap(a, b.binding_id, '200'), 400, 'request.invalid_field');
  expectError(assert, await srv.put(`/api/v1/me/bindings/${b.binding_id}/cap`, {}, { token: a.token }), 400, 'request.missing_field');
  expectError(assert, await setCap(other, b.binding_id, 100), 404, 'binding.not_found');
  expectError(assert, await setCap(a, 999999, 100), 404, 'binding.not_found');
  expectError(assert, await setCap({ token: relTok }, b.binding_id, 100), 403, 'auth.forbidden');
  expectError(assert, await srv.put(`/api/v1/me/bindings/${b.binding_id}/cap`, { monthly_cap_fen: 1 }, { token: inst.key }), 403, 'auth.forbidden');
  assert.equal((await myBinding(a, b.binding_id)).monthly_cap_fen, null, 'nothing was set');

  await srv.del(`/api/v1/me/bindings/${b.binding_id}`, { token: a.token });
  const auditMid = (await srv.get('/api/v1/audit?limit=1', { token: srv.keys.admin })).json.items[0].seq;
  assert.equal(auditMid, auditBefore + 1, 'only the unbinding was audited');
  expectError(assert, await setCap(a, b.binding_id, 100), 409, 'binding.already_ended');
  expectError(assert, await srv.del(`/api/v1/me/bindings/${b.binding_id}/cap`, { token: a.token }), 409, 'binding.already_ended');
});

test('E2/S8: parallel settlements of one relative never exceed the cap', async () => {
  const a = await authorizer(1000000, '19660101');
  const r = await seedPerson(srv, { birth: '20040101' });
  const [b] = await bindWeb(srv, a, [r], 'child');
  await setCap(a, b.binding_id, 10000);
  const before_ = await balance(a);
  const rs = await Promise.all(Array.from({ length: 24 }, () => settle(bill(r, 1500))));
  let paid = 0, cut = 0;
  for (const x of rs) {
    assert.equal(x.status, 201, x.text);
    paid += x.json.shares.reduce((s, y) => s + y.amount_fen, 0);
    cut += x.json.cap_cuts.reduce((s, y) => s + y.cut_fen, 0);
    assert.equal(x.json.account_pay_fen + x.json.cash_pay_fen, 1500);
  }
  assert.equal(paid, 10000, 'the cap is reached exactly, never passed');
  assert.equal(cut, 24 * 1500 - 10000);
  assert.equal(before_ - await balance(a), 10000);
  assert.equal((await myBinding(a, b.binding_id)).cap_left_fen, 0);
  const check = JSON.parse(await cli(srv.db.url, '--json', 'ledger', 'check'));
  assert.equal(check.ok, true, JSON.stringify(check));
});
