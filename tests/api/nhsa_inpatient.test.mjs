// nhsa_inpatient.test.mjs — a hospital stay through the national
// interface (docs/NHSA.md "Inpatient"): 2301 fee lines day by day, 2302
// taking one back, 2303 pre-settlement, 2304 a mid-stay (中途结算) and a
// final settlement with the inpatient policy (setting nhsa_policy_310_
// inpatient_*: ¥1,000 deductible, 90 %), the stay closed and its S4
// repeat, 2305 reopening it — and the refusals.  Both engines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { seedPerson } from './helpers.mjs';
import { today } from '../nhsa/client.mjs';
import {
  startGateway, ok, refused, register, visitInfo, feeLine, setlData, iptData,
  yearTotals, balance, ledgerBalances,
} from './nhsa_his.mjs';

const H = 'H44030000101';
let srv, his, p, stay;
const ym = () => today().slice(0, 7).replace('-', '');

before(async () => {
  ({ srv, his: { [H]: his } } = await startGateway([H]));
  p = await seedPerson(srv, { name: '赵住院', balance: 100000 });
  stay = await register(his, p, '310');
  ok(await visitInfo(his, p, stay, '21'));
});

after(async () => {
  if (!srv) return;
  await ledgerBalances(srv);
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

let mid, fin;

test('2301 day by day, 2302 takes a line back (one, or an unknown one refused)', async () => {
  const d1 = ok(await his.call('2301', { feedetail: [
    feeLine(stay, p.ssn, 'F1', 'D1', 1, 800, 800),
    feeLine(stay, p.ssn, 'F2', 'D1', 2, 100, 200),
  ] }));
  assert.deepEqual(d1.result.map((x) => x.feedetl_sn), ['F1', 'F2']);
  ok(await his.call('2301', { feedetail: [feeLine(stay, p.ssn, 'F3', 'D2', 1, 1500, 1500)] }));
  ok(await his.call('2302', { data: { feedetl_sn: 'F2', mdtrt_id: stay, psn_no: p.ssn } }));
  refused(await his.call('2302', { data: { feedetl_sn: 'F9', mdtrt_id: stay, psn_no: p.ssn } }), 'nhsa.fee_not_found');
  // the stay is 800 + 1500 now: anything else does not settle
  refused(await his.call('2304', iptData(p, stay, 2500, '310')), 'nhsa.fee_total_mismatch');
});

test('2303 pre-settles the stay with the inpatient policy; nothing is kept', async () => {
  const before = await balance(srv, p);
  const s = ok(await his.call('2303', iptData(p, stay, 2300, '310'))).setlinfo;
  assert.equal(s.setl_id, undefined);
  assert.equal(s.med_type, '21');
  assert.equal(s.clr_type, '21');
  assert.equal(s.act_pay_dedc, 1000);               // 起付线 ¥1,000
  assert.equal(s.hifp_pay, 1170);                   // 90 % of 1,300
  assert.equal(s.pool_prop_selfpay, 0.9);
  assert.equal(s.acct_pay, 1000);                   // his account, all of it
  assert.equal(s.psn_cash_pay, 130);
  assert.equal(await balance(srv, p), before);
  refused(await his.call('2303', iptData(p, stay, 2300, '310', { mid_setl_flag: '2' })), 'nhsa.invalid_field');
});

test('2304: a mid-stay settlement, more lines, the final one; the stay is closed', async () => {
  const m = ok(await his.call('2304', iptData(p, stay, 2300, '310', { mid_setl_flag: '1' })));
  mid = m.setlinfo;
  assert.match(mid.setl_id, /^\d+$/);
  assert.equal(mid.hifp_pay, 1170);
  assert.equal(await balance(srv, p), 0);
  assert.deepEqual(m.setldetail.map((d) => [d.fund_pay_type, d.fund_payamt]), [['310100', 1170], ['310200', 1000]]);
  // the stay goes on: day 3
  ok(await his.call('2301', { feedetail: [feeLine(stay, p.ssn, 'F4', 'D3', 1, 500, 500)] }));
  fin = ok(await his.call('2304', iptData(p, stay, 500, '310'))).setlinfo;
  assert.notEqual(fin.setl_id, mid.setl_id);
  assert.equal(fin.act_pay_dedc, 0);                // met by the first
  assert.equal(fin.hifp_pay, 450);
  assert.equal(fin.psn_cash_pay, 50);
  // closed: no more lines, and a repeat (another msgid) answers the same (S4)
  refused(await his.call('2301', { feedetail: [feeLine(stay, p.ssn, 'F5', 'D4', 1, 10, 10)] }), 'nhsa.visit_state');
  const again = ok(await his.call('2304', iptData(p, stay, 500, '310'))).setlinfo;
  assert.equal(again.setl_id, fin.setl_id);
  refused(await his.call('2304', iptData(p, stay, 500, '310', { acct_used_flag: '0' })), 'nhsa.setl_reused');
  const cum = await yearTotals(his, p, ym());
  assert.equal(cum.ZY_QFX, 100000);
  assert.equal(cum.ZY_TC, 117000 + 45000);
  assert.equal(cum.ZY_FY, 280000);
  assert.equal(cum.ZY_CS, 200);
});

test('2305 revokes the final settlement and reopens the stay; 2208 is for outpatients', async () => {
  const ref = { setl_id: fin.setl_id, mdtrt_id: stay, psn_no: p.ssn };
  refused(await his.call('2208', { data: ref }), 'nhsa.setl_not_found');
  const r = ok(await his.call('2305', { data: ref })).setlinfo;
  assert.equal(r.setl_id, `R${fin.setl_id}`);
  assert.equal(r.hifp_pay, -450);
  ok(await his.call('2305', { data: ref }));        // again: harmless
  const q = ok(await his.call('5203', { data: ref })).setlinfo;
  assert.equal(q.refd_setl_flag, '1');
  const cum = await yearTotals(his, p, ym());
  assert.equal(cum.ZY_CS, 100);
  assert.equal(cum.ZY_TC, 117000);
  // its lines are unsettled again: the stay settles anew, under a new id
  const anew = ok(await his.call('2304', iptData(p, stay, 500, '310'))).setlinfo;
  assert.notEqual(anew.setl_id, fin.setl_id);
  assert.equal(anew.hifp_pay, 450);
});

test('2304 needs an inpatient med_type; 2305 does not revoke an outpatient bill', async () => {
  const visit = await register(his, p, '310');
  ok(await visitInfo(his, p, visit, '11'));
  ok(await his.call('2204', { feedetail: [feeLine(visit, p.ssn, 'F1', 'B1', 1, 30, 30)] }));
  refused(await his.call('2304', iptData(p, visit, 30, '310')), 'nhsa.visit_state');
  const s = ok(await his.call('2207', setlData(p, visit, 'B1', 30, '310'))).setlinfo;
  refused(await his.call('2305', { data: { setl_id: s.setl_id, mdtrt_id: visit, psn_no: p.ssn } }), 'nhsa.setl_not_found');
  // a registered visit without 2203 has no med_type: not a stay either
  const bare = await register(his, p, '310');
  refused(await his.call('2303', iptData(p, bare, 1, '310')), 'nhsa.visit_state');
});
