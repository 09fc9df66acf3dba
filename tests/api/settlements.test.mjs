// settlements.test.mjs — institutions (S1), settlement and its order of
// payment (S2–S4), preview, revocation (S5), offline re-settlement (S6),
// reconciliation (S7), family usage (F7) and the audit listing (X3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, seedPerson, seedInstitution, login, bindWeb, expectError, cli } from './helpers.mjs';

let srv, h1, h2, window;
let txn = 0;
const nextTxn = () => `T-${process.pid}-${++txn}`;

before(async () => {
  srv = await startServer();
  window = await srv.key('agency_window');
  h1 = await seedInstitution(srv, 'H440300001', 'hospital');
  h2 = await seedInstitution(srv, 'P440300002', 'pharmacy');
});
after(async () => {
  if (!srv) return;    // before() failed and said why
  const check = JSON.parse(await cli(srv.db.url, '--json', 'ledger', 'check'));
  assert.equal(check.ok, true, JSON.stringify(check));
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

const SETTLEMENT_KEYS = ['settlement_id', 'txn_id', 'institution_code', 'patient', 'visit_type', 'total_fen',
  'fund_pay_fen', 'account_pay_fen', 'cash_pay_fen', 'shares', 'state', 'settled_at'];

function bill(patient, total_fen, fund_pay_fen = 0, extra = {}) {
  return {
    txn_id: nextTxn(), credential: { type: 'id_number', value: patient.id_number },
    visit_type: 'outpatient', total_fen, fund_pay_fen, ...extra,
  };
}
const balance = async (p) => (await srv.get(`/api/v1/persons/${p.ssn}`, { token: srv.keys.admin })).json.account?.balance_fen;

test('S1: institutions — register, read, errors', async () => {
  const t = srv.keys.admin;
  const r = await srv.post('/api/v1/institutions', { code: 'C440300003', name: '社区诊所', type: 'clinic' }, { token: t });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.code, 'C440300003');
  assert.equal(r.json.type, 'clinic');
  assert.deepEqual((await srv.get('/api/v1/institutions/C440300003', { token: t })).json, r.json);
  expectError(assert, await srv.post('/api/v1/institutions', { code: 'C440300003', name: 'again', type: 'clinic' }, { token: t }), 409, 'institution.duplicate');
  expectError(assert, await srv.post('/api/v1/institutions', { code: 'X1', name: 'x', type: 'spa' }, { token: t }), 400, 'institution.invalid_type');
  expectError(assert, await srv.get('/api/v1/institutions/NOPE', { token: t }), 404, 'institution.not_found');
});

test('S2–S4: settle with the patient\'s own account, then cash; idempotent repeat', async () => {
  const p = await seedPerson(srv, { balance: 10000, name: '黄病人' });
  const b = bill(p, 30000, 12000);
  const r = await srv.post('/api/v1/settlements', b, { token: h1.key });
  assert.equal(r.status, 201, r.text);
  for (const k of SETTLEMENT_KEYS) assert.ok(k in r.json, k);
  assert.equal(r.json.txn_id, b.txn_id);
  assert.equal(r.json.institution_code, h1.code);
  assert.deepEqual(r.json.patient, { ssn: p.ssn, name: '黄病人' });
  assert.equal(r.json.fund_pay_fen, 12000);
  assert.equal(r.json.account_pay_fen, 10000);
  assert.equal(r.json.cash_pay_fen, 8000);
  assert.deepEqual(r.json.shares, [{ payer_ssn: p.ssn, relationship: 'self', amount_fen: 10000 }]);
  assert.equal(r.json.state, 'settled');
  assert.match(r.json.settled_at, /Z$/);
  assert.equal(await balance(p), 0);

  const again = await srv.post('/api/v1/settlements', b, { token: h1.key });
  assert.equal(again.status, 200, 'S4: a repeat returns the first result');
  assert.deepEqual(again.json, r.json);
  expectError(assert, await srv.post('/api/v1/settlements', { ...b, total_fen: 30001 }, { token: h1.key }), 409, 'settlement.txn_id_reused');
  // the same txn_id at another institution is another bill
  const other = await srv.post('/api/v1/settlements', { ...b, visit_type: 'pharmacy' }, { token: h2.key });
  assert.equal(other.status, 201, other.text);
  assert.equal(other.json.account_pay_fen, 0);

  const g = await srv.get(`/api/v1/settlements/${r.json.settlement_id}`, { token: h1.key });
  assert.deepEqual(g.json, r.json);
  expectError(assert, await srv.get(`/api/v1/settlements/${r.json.settlement_id}`, { token: h2.key }), 404, 'settlement.not_found');
  expectError(assert, await srv.get('/api/v1/settlements/0', { token: h1.key }), 404, 'settlement.not_found');
  expectError(assert, await srv.get('/api/v1/settlements/abc', { token: h1.key }), 404, 'settlement.not_found');
});

test('S3: relatives pay only after the own account, richest first, not for inpatients', async () => {
  const patient = await seedPerson(srv, { balance: 1000, name: '林患者', birth: '19900101' });
  const r1 = await seedPerson(srv, { balance: 30000, password: 'pw-r1-xyz', birth: '19600101' });
  const r2 = await seedPerson(srv, { balance: 50000, password: 'pw-r2-xyz', birth: '19610101' });
  const r3 = await seedPerson(srv, { balance: 50000, password: 'pw-r3-xyz', birth: '19620101' });
  await bindWeb(srv, { ...r1, password: 'pw-r1-xyz' }, [patient], 'child');
  await bindWeb(srv, { ...r2, password: 'pw-r2-xyz' }, [patient], 'child');
  await bindWeb(srv, { ...r3, password: 'pw-r3-xyz' }, [patient], 'child');

  const inp = await srv.post('/api/v1/settlements', bill(patient, 5000, 0, { visit_type: 'inpatient' }), { token: h1.key });
  assert.equal(inp.status, 201, inp.text);
  assert.deepEqual(inp.json.shares.map((s) => s.amount_fen), [1000], 'inpatient: own account only');
  assert.equal(inp.json.cash_pay_fen, 4000);

  const pre = await srv.post('/api/v1/settlements/preview', bill(patient, 121000, 0), { token: h1.key });
  assert.equal(pre.status, 200, pre.text);
  assert.equal(pre.json.state, 'preview');
  assert.equal(pre.json.settlement_id, null);
  assert.deepEqual(pre.json.shares.map((s) => [s.payer_ssn, s.amount_fen]), [[r2.ssn, 50000], [r3.ssn, 50000], [r1.ssn, 21000]]);
  assert.deepEqual([await balance(r1), await balance(r2), await balance(r3)], [30000, 50000, 50000], 'a preview moves nothing');

  const b = bill(patient, 121000, 0);
  const s = await srv.post('/api/v1/settlements', b, { token: h1.key });
  assert.equal(s.status, 201, s.text);
  assert.deepEqual(s.json.shares, pre.json.shares);
  assert.equal(s.json.shares[0].relationship, 'child');
  assert.equal(s.json.account_pay_fen, 121000);
  assert.equal(s.json.cash_pay_fen, 0);
  assert.deepEqual([await balance(r1), await balance(r2), await balance(r3)], [9000, 0, 0]);

  // F7: the authorizer sees who used his account
  const tok = await login(srv, r2.ssn, 'pw-r2-xyz');
  const use = await srv.get('/api/v1/me/family-usage', { token: tok });
  assert.equal(use.status, 200);
  assert.equal(use.json.items.length, 1);
  const u = use.json.items[0];
  assert.equal(u.settlement_id, s.json.settlement_id);
  assert.equal(u.relative_ssn, patient.ssn);
  assert.equal(u.relative_name, '林*', 'Q3: masked');
  assert.equal(u.amount_fen, 50000);
  assert.equal(u.institution_code, h1.code);
  assert.equal(u.state, 'settled');
  // Q1: the patient sees his settlements
  await srv.post(`/api/v1/persons/${patient.ssn}/password`, { password: 'pw-patient' }, { token: srv.keys.admin });
  const ptok = await login(srv, patient.ssn, 'pw-patient');
  const mine = await srv.get('/api/v1/me/settlements', { token: ptok });
  assert.deepEqual(mine.json.items.map((x) => x.settlement_id), [s.json.settlement_id, inp.json.settlement_id]);

  // S5: revocation puts every share back where it came from; twice is harmless
  const rv = await srv.post(`/api/v1/settlements/${s.json.settlement_id}/revocation`, undefined, { token: h1.key });
  assert.equal(rv.status, 200, rv.text);
  assert.equal(rv.json.state, 'revoked');
  assert.deepEqual([await balance(r1), await balance(r2), await balance(r3)], [30000, 50000, 50000]);
  const rv2 = await srv.post(`/api/v1/settlements/${s.json.settlement_id}/revocation`, {}, { token: h1.key });
  assert.equal(rv2.status, 200);
  assert.equal(rv2.json.state, 'revoked');
  assert.deepEqual([await balance(r1), await balance(r2), await balance(r3)], [30000, 50000, 50000]);
  expectError(assert, await srv.post(`/api/v1/settlements/${s.json.settlement_id}/revocation`, {}, { token: h2.key }), 404, 'settlement.not_found');
  assert.equal((await srv.get('/api/v1/me/family-usage', { token: tok })).json.items[0].state, 'revoked');
});

test('S2/C4/C5: credentials — card, e-credential, lost card, unknown, not insured', async () => {
  const p = await seedPerson(srv, { balance: 500, password: 'pw-cred-1' });
  const card = (await srv.post('/api/v1/card-applications', { ssn: p.ssn, route: 'center' }, { token: window })).json.card_no;
  const c = await srv.post('/api/v1/settlements', bill(p, 100, 0, { credential: { type: 'card', value: card } }), { token: h1.key });
  assert.equal(c.status, 201, c.text);
  const tok = await login(srv, p.ssn, 'pw-cred-1');
  const ecert = (await srv.post('/api/v1/me/ecert', {}, { token: tok })).json.token;
  const e = await srv.post('/api/v1/settlements', bill(p, 100, 0, { credential: { type: 'ecert', value: ecert } }), { token: h1.key });
  assert.equal(e.status, 201, e.text);
  assert.equal(e.json.patient.ssn, p.ssn);
  // One character of the signature changed, ten from the end, where each
  // base64 character carries six bits of it. (Its last three were once
  // set to 'AAA': the signature's last byte is small, so 1 token in ~1,000
  // already ended so, and the "tampered" one was the original.)
  const i = ecert.length - 10;
  const tampered = ecert.slice(0, i) + (ecert[i] === 'A' ? 'B' : 'A') + ecert.slice(i + 1);
  assert.notEqual(tampered, ecert);
  expectError(assert, await srv.post('/api/v1/settlements', bill(p, 100, 0, { credential: { type: 'ecert', value: tampered } }), { token: h1.key }),
    422, 'settlement.credential_invalid');
  await srv.post(`/api/v1/cards/${card}/loss`, {}, { token: window });
  expectError(assert, await srv.post('/api/v1/settlements', bill(p, 100, 0, { credential: { type: 'card', value: card } }), { token: h1.key }),
    422, 'settlement.credential_invalid');
  expectError(assert, await srv.post('/api/v1/settlements', bill(p, 100, 0, { credential: { type: 'card', value: 'NOSUCHCARD' } }), { token: h1.key }),
    422, 'settlement.credential_invalid');
  const gone = await seedPerson(srv);
  await srv.post(`/api/v1/persons/${gone.ssn}/termination`, { reason: 'transferred_out' }, { token: window });
  expectError(assert, await srv.post('/api/v1/settlements', bill(gone, 100), { token: h1.key }), 422, 'settlement.patient_not_insured');
});

test('S2/X4: bad bills are refused and change nothing', async () => {
  const p = await seedPerson(srv, { balance: 700 });
  const k = { token: h1.key };
  expectError(assert, await srv.post('/api/v1/settlements', bill(p, 100, 200), k), 400, 'settlement.invalid_amounts');
  expectError(assert, await srv.post('/api/v1/settlements', bill(p, -100, 0), k), 400, 'settlement.invalid_amounts');
  expectError(assert, await srv.post('/api/v1/settlements', bill(p, 100, -1), k), 400, 'settlement.invalid_amounts');
  expectError(assert, await srv.post('/api/v1/settlements', bill(p, 100.5, 0), k), 400, 'request.invalid_field');
  expectError(assert, await srv.post('/api/v1/settlements', bill(p, '100', 0), k), 400, 'request.invalid_field');
  expectError(assert, await srv.post('/api/v1/settlements', bill(p, 100, 0, { visit_type: 'spa' }), k), 400, 'settlement.invalid_visit_type');
  expectError(assert, await srv.post('/api/v1/settlements', bill(p, 100, 0, { credential: 'x' }), k), 400, 'request.invalid_field');
  expectError(assert, await srv.post('/api/v1/settlements', bill(p, 100, 0, { credential: { type: 'card' } }), k), 400, 'request.missing_field');
  const noTxn = bill(p, 100);
  delete noTxn.txn_id;
  expectError(assert, await srv.post('/api/v1/settlements', noTxn, k), 400, 'request.missing_field');
  expectError(assert, await srv.post('/api/v1/settlements/preview', bill(p, 100, 200), k), 400, 'settlement.invalid_amounts');
  assert.equal(await balance(p), 700);
});

test('S6: offline visits — record, re-settle once, at the same institution, within the window', async () => {
  const p = await seedPerson(srv, { balance: 3000 });
  const occurred = new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const body = { ...bill(p, 5000, 1000), occurred_at: occurred };
  const r = await srv.post('/api/v1/offline-settlements', body, { token: h1.key });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.state, 'cash_paid');
  assert.ok(r.json.offline_id > 0);
  assert.equal(r.json.occurred_at, occurred);
  assert.equal(await balance(p), 3000, 'recording moves no account money');
  expectError(assert, await srv.post('/api/v1/offline-settlements', body, { token: h1.key }), 409, 'offline.txn_id_reused');
  assert.deepEqual((await srv.get(`/api/v1/offline-settlements/${r.json.offline_id}`, { token: h1.key })).json, r.json);

  expectError(assert, await srv.post(`/api/v1/offline-settlements/${r.json.offline_id}/resettlement`, {}, { token: h2.key }),
    403, 'offline.wrong_institution');
  const rs = await srv.post(`/api/v1/offline-settlements/${r.json.offline_id}/resettlement`, undefined, { token: h1.key });
  assert.equal(rs.status, 200, rs.text);
  assert.equal(rs.json.offline_id, r.json.offline_id);
  assert.equal(rs.json.state, 'resettled');
  assert.equal(rs.json.account_pay_fen, 3000);
  assert.equal(rs.json.refund_to_patient_fen, 3000);
  assert.deepEqual(rs.json.shares, [{ payer_ssn: p.ssn, relationship: 'self', amount_fen: 3000 }]);
  assert.ok(rs.json.settlement_id > 0);
  assert.equal(await balance(p), 0);
  expectError(assert, await srv.post(`/api/v1/offline-settlements/${r.json.offline_id}/resettlement`, {}, { token: h1.key }),
    409, 'offline.already_resettled');
  expectError(assert, await srv.post('/api/v1/offline-settlements/424242/resettlement', {}, { token: h1.key }), 404, 'offline.not_found');

  const old = new Date(Date.now() - 40 * 86400e3).toISOString();
  expectError(assert, await srv.post('/api/v1/offline-settlements', { ...bill(p, 100), occurred_at: old }, { token: h1.key }),
    422, 'offline.window_expired');
  expectError(assert, await srv.post('/api/v1/offline-settlements', { ...bill(p, 100), occurred_at: 'yesterday' }, { token: h1.key }),
    400, 'request.invalid_field');
  expectError(assert, await srv.post('/api/v1/offline-settlements', bill(p, 100), { token: h1.key }), 400, 'request.missing_field');
});

test('S7: reconciliation — our totals, match and differences', async () => {
  const inst = await seedInstitution(srv, 'H440300009');
  const p = await seedPerson(srv, { balance: 100000 });
  const a = await srv.post('/api/v1/settlements', bill(p, 10000, 4000), { token: inst.key });
  const b = await srv.post('/api/v1/settlements', bill(p, 20000, 0), { token: inst.key });
  await srv.post('/api/v1/settlements', bill(p, 500, 0), { token: inst.key }).then((x) =>
    srv.post(`/api/v1/settlements/${x.json.settlement_id}/revocation`, {}, { token: inst.key }));
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const g = await srv.get(`/api/v1/reconciliation/${today}`, { token: inst.key });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.date, today);
  assert.equal(g.json.count, 2);
  assert.equal(g.json.total_fen, a.json.total_fen + b.json.total_fen);
  assert.equal(g.json.fund_pay_fen, 4000);
  assert.equal(g.json.account_pay_fen, a.json.account_pay_fen + b.json.account_pay_fen);
  assert.equal(g.json.cash_pay_fen, a.json.cash_pay_fen + b.json.cash_pay_fen);
  assert.equal(g.json.revoked_count, 1);
  const theirs = { count: g.json.count, total_fen: g.json.total_fen, fund_pay_fen: g.json.fund_pay_fen,
    account_pay_fen: g.json.account_pay_fen, cash_pay_fen: g.json.cash_pay_fen };
  const m = await srv.post(`/api/v1/reconciliation/${today}`, theirs, { token: inst.key });
  assert.equal(m.status, 200, m.text);
  assert.equal(m.json.match, true);
  assert.deepEqual(m.json.differences, []);
  const d = await srv.post(`/api/v1/reconciliation/${today}`, { ...theirs, count: 3, cash_pay_fen: 1 }, { token: inst.key });
  assert.equal(d.json.match, false);
  assert.deepEqual(d.json.differences, [
    { field: 'count', ours: 2, yours: 3 }, { field: 'cash_pay_fen', ours: g.json.cash_pay_fen, yours: 1 }]);
  expectError(assert, await srv.get('/api/v1/reconciliation/2026-02-30', { token: inst.key }), 400, 'request.invalid_date');
  expectError(assert, await srv.get('/api/v1/reconciliation/today', { token: inst.key }), 400, 'request.invalid_date');
  expectError(assert, await srv.post(`/api/v1/reconciliation/${today}`, { count: 1 }, { token: inst.key }), 400, 'request.missing_field');
  const empty = await srv.get('/api/v1/reconciliation/2020-01-01', { token: inst.key });
  assert.equal(empty.json.count, 0);
});

test('X3: the audit listing, newest first, records the changes', async () => {
  const r = await srv.get('/api/v1/audit?limit=5', { token: srv.keys.admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 5);
  const seqs = r.json.items.map((x) => x.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a));
  for (const k of ['seq', 'at', 'actor', 'role', 'channel', 'action', 'target', 'result', 'hash']) assert.ok(k in r.json.items[0], k);
  assert.ok(r.json.next_cursor);
  const all = [];
  let cursor = '';
  for (;;) {
    const page = await srv.get(`/api/v1/audit?limit=500${cursor ? `&cursor=${cursor}` : ''}`, { token: srv.keys.admin });
    all.push(...page.json.items);
    if (!page.json.next_cursor) break;
    cursor = page.json.next_cursor;
  }
  const actions = new Set(all.map((x) => x.action));
  for (const a of ['person.register', 'settlement.create', 'settlement.revoke', 'offline.resettle', 'institution.register']) {
    assert.ok(actions.has(a), `${a} in ${[...actions]}`);
  }
});

test('metrics: settlements are counted by what their answers said, once each', async () => {
  const outcomes = async () => {
    const text = (await srv.get('/metrics')).text;
    const n = (o) => Number((text.match(new RegExp(`^yibao_settlements_total\\{outcome="${o}"\\} (\\d+)$`, 'm')) || [])[1]);
    return { settled: n('settled'), repeat: n('repeat'), refused: n('refused'), error: n('error') };
  };
  const p = await seedPerson(srv, { balance: 50000, name: '计数人' });
  const before = await outcomes();
  // Sent at once, so that they share group-commit batches (a batch of
  // handlers may run twice: undo on demand); one is a repeat, one refused.
  const bills = Array.from({ length: 10 }, () => bill(p, 1000));
  const sent = [...bills, bills[0], { ...bill(p, 1000), credential: { type: 'ssn', value: '000000000000000000' } }];
  const rs = await Promise.all(sent.map((b) => srv.post('/api/v1/settlements', b, { token: h1.key })));
  const status = rs.map((r) => r.status);
  const after = await outcomes();
  assert.equal(after.settled - before.settled, status.filter((s) => s === 201).length, status.join());
  assert.equal(after.repeat - before.repeat, status.filter((s) => s === 200).length, status.join());
  assert.equal(after.refused - before.refused, status.filter((s) => s >= 400 && s < 500).length, status.join());
  assert.equal(after.error - before.error, 0);
  assert.equal(after.settled - before.settled + after.repeat - before.repeat, 11);
});
