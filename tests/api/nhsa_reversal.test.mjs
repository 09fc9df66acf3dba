// nhsa_reversal.test.mjs — 2601 冲正 (docs/NHSA.md "2601"): a settlement
// undone (money back, yearly totals back), a registration cancelled, a fee
// upload's own lines deleted — and what is refused: a settled upload, a
// transaction that cannot be undone, the wrong oinfno or person.  A
// message never received is closed against a late arrival; a reversed
// message's repeat is refused.  Both engines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { seedPerson, cli } from './helpers.mjs';
import { today } from '../nhsa/client.mjs';
import {
  startGateway, ok, refused, register, visitInfo, feeLine, setlData,
  yearTotals, balance, ledgerBalances,
} from './nhsa_his.mjs';

const H = 'H44030000201';
let srv, his, p, q;
const ym = () => today().slice(0, 7).replace('-', '');
const reverse = (person, env, oinfno) =>
  his.call('2601', { data: { psn_no: person.ssn, omsgid: JSON.parse(env).msgid, oinfno } });

before(async () => {
  ({ srv, his: { [H]: his } } = await startGateway([H]));
  p = await seedPerson(srv, { name: '钱冲正', balance: 100000 });
  q = await seedPerson(srv, { name: '孙旁人', balance: 100000 });
});

after(async () => {
  if (!srv) return;
  await ledgerBalances(srv);
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

test('a 2207 reversed: the settlement is revoked, the money and yearly totals are back', async () => {
  const visit = await register(his, p, '310');
  ok(await his.call('2204', { feedetail: [feeLine(visit, p.ssn, 'F1', 'B1', 1, 300, 300)] }));
  const before = await balance(srv, p);
  const st = await his.call('2207', setlData(p, visit, 'B1', 300, '310'));
  const s = ok(st).setlinfo;
  assert.ok(await balance(srv, p) < before);
  // another person's psn_no does not reverse it; nor another oinfno
  refused(await reverse(q, st.sent, '2207'), 'nhsa.person_mismatch');
  refused(await reverse(p, st.sent, '2204'), 'nhsa.reversal_refused');
  ok(await reverse(p, st.sent, '2207'));
  assert.equal(await balance(srv, p), before);
  const r = ok(await his.call('5203', { data: { psn_no: p.ssn, setl_id: s.setl_id, mdtrt_id: visit } }));
  assert.equal(r.setlinfo.refd_setl_flag, '1');
  assert.equal((await yearTotals(his, p, ym())).MZ_CS, 0);
  ok(await reverse(p, st.sent, '2207'));              // again: harmless
  assert.equal(await balance(srv, p), before);
  // the original message again: not its first reply, whose effect is gone
  refused(await his.post('2207', undefined, { raw: st.sent }), 'nhsa.msgid_reversed');
  // the reversal is in the message log
  const m = JSON.parse(await cli(srv.db.url, '--json', 'nhsa', 'message', '--institution', H, '--msgid', JSON.parse(st.sent).msgid));
  assert.match(m.reversed_by, /^\w{30}$/);
  assert.equal(m.effect.setl_id, s.setl_id);
});

test('a 2201 reversed cancels the visit; a 2204 reversed deletes its own lines only', async () => {
  const reg = await his.call('2201', { data: {
    psn_no: p.ssn, insutype: '310', begntime: '2026-01-05 09:00:00', mdtrt_cert_type: '02', mdtrt_cert_no: p.id_number,
    ipt_otp_no: `R${process.pid}`, atddr_no: 'D001', dr_name: '李医生', dept_code: 'K01', dept_name: '内科', caty: 'A03',
  } });
  const visit = ok(reg).data.mdtrt_id;
  const up1 = await his.call('2204', { feedetail: [feeLine(visit, p.ssn, 'F1', 'B1', 1, 100, 100)] });
  ok(up1);
  const up2 = await his.call('2204', { feedetail: [feeLine(visit, p.ssn, 'F2', 'B1', 1, 20, 20)] });
  ok(up2);
  ok(await reverse(p, up1.sent, '2204'));
  // F1 is gone, F2 stays: the batch is 20.00
  refused(await his.call('2206', setlData(p, visit, 'B1', 120, '310')), 'nhsa.fee_total_mismatch');
  ok(await his.call('2206', setlData(p, visit, 'B1', 20, '310')));
  // the registration: the visit is cancelled, nothing more goes to it
  ok(await reverse(p, reg.sent, '2201'));
  refused(await his.call('2204', { feedetail: [feeLine(visit, p.ssn, 'F3', 'B2', 1, 1, 1)] }), 'nhsa.visit_state');
});

test('refused: an upload already settled, a registration with a settlement, 2203', async () => {
  const reg = await his.call('2201', { data: {
    psn_no: q.ssn, insutype: '310', begntime: '2026-01-05 09:00:00', mdtrt_cert_type: '02', mdtrt_cert_no: q.id_number,
    ipt_otp_no: `S${process.pid}`, atddr_no: 'D001', dr_name: '李医生', dept_code: 'K01', dept_name: '内科', caty: 'A03',
  } });
  const visit = ok(reg).data.mdtrt_id;
  const info = await visitInfo(his, q, visit, '11');
  ok(info);
  const up = await his.call('2204', { feedetail: [feeLine(visit, q.ssn, 'F1', 'B1', 1, 50, 50)] });
  ok(up);
  ok(await his.call('2207', setlData(q, visit, 'B1', 50, '310')));
  const before = await balance(srv, q);
  refused(await reverse(q, up.sent, '2204'), 'nhsa.batch_settled');
  refused(await reverse(q, reg.sent, '2201'), 'nhsa.visit_state');
  refused(await reverse(q, info.sent, '2203'), 'nhsa.reversal_refused');
  assert.equal(await balance(srv, q), before);
});

test('a msgid never received is closed; a failed message needs nothing undone', async () => {
  const visit = await register(his, p, '310');
  const late = his.envelope('2204', { feedetail: [feeLine(visit, p.ssn, 'F1', 'B1', 1, 10, 10)] });
  ok(await his.call('2601', { data: { psn_no: p.ssn, omsgid: late.msgid, oinfno: '2204' } }));
  refused(await his.post('2204', late), 'nhsa.msgid_reversed');
  refused(await his.call('2206', setlData(p, visit, 'B1', 10, '310')), 'nhsa.fee_total_mismatch');
  const failed = await his.call('2207', setlData(p, visit, 'B9', 10, '310'));
  refused(failed, 'nhsa.fee_total_mismatch');
  ok(await reverse(p, failed.sent, '2207'));
  // a reversal names another message, never itself, and a well-formed one
  const self = his.envelope('2601', {});
  self.input = { data: { psn_no: p.ssn, omsgid: self.msgid, oinfno: '2207' } };
  refused(await his.post('2601', self), 'nhsa.reversal_refused');
  refused(await his.call('2601', { data: { psn_no: p.ssn, omsgid: 'short', oinfno: '2207' } }), 'nhsa.invalid_field');
  refused(await his.call('2601', { data: { psn_no: p.ssn, omsgid: late.msgid } }), 'nhsa.missing_field');
});
