// nhsa.test.mjs — the national-interface gateway (docs/NHSA.md) driven by
// tests/nhsa/client.mjs, a client written only from ../shared/NHSA.md:
// signed requests, sign-in, person info by ID number and by card,
// registration, visit and fee upload, pre-settlement, a relative's bill
// paid from the family account, revocation, queries, reconciliation
// (平 and 不平) — and every refusal.  Runs on both engines (api suite).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, seedPerson, seedInstitution, bindWeb, cli, login } from './helpers.mjs';
import { NhsaClient, tifSignature, today, infTime } from '../nhsa/client.mjs';
import { ok, refused, register, feeLine, setlData, ledgerBalances } from './nhsa_his.mjs';

const H1 = 'H44030000001';
const H2 = 'H44030000002';
let srv, his, his2, window, father, child, worker;

before(async () => {
  srv = await startServer();
  window = await srv.key('agency_window');
  await seedInstitution(srv, H1, 'hospital');
  await seedInstitution(srv, H2, 'hospital');
  const c1 = JSON.parse(await cli(srv.db.url, '--json', 'nhsa', 'credential', '--institution', H1));
  const c2 = JSON.parse(await cli(srv.db.url, '--json', 'nhsa', 'credential', '--institution', H2));
  his = new NhsaClient({ base: srv.base, paasid: c1.paasid, token: c1.token, fixmedins_code: H1 });
  his2 = new NhsaClient({ base: srv.base, paasid: c2.paasid, token: c2.token, fixmedins_code: H2, pathInfno: false });
  father = await seedPerson(srv, { name: '陈大文', balance: 50000, password: 'father-pass-1' });
  child = await seedPerson(srv, { name: '陈小宝', scheme: 'resident', birth: '20100601' });
  worker = await seedPerson(srv, { name: '林美玲', balance: 10000 });
  await bindWeb(srv, { ...father, password: 'father-pass-1' }, [child], 'child');
});

after(async () => {
  if (!srv) return;
  await ledgerBalances(srv);
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

// The server's count of settlement requests by outcome (/metrics), which
// the gateway's 2206/2207 feed as the JSON API's settlements do
// (bench/nhsa/run counts the answers it does not read by it).
const outcomes = async () => {
  const t = (await srv.get('/metrics')).text;
  const o = {};
  for (const m of t.matchAll(/^yibao_settlements_total\{outcome="(\w+)"\} (\d+)$/gm)) o[m[1]] = Number(m[2]);
  return o;
};
const counted = (a, b) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - a[k]]).filter(([, n]) => n));

const balance = async (p) => (await srv.get(`/api/v1/persons/${p.ssn}`, { token: srv.keys.admin })).json.account?.balance_fen ?? 0;

test('9001 sign-in: sign_no for the operator; the reply envelope', async () => {
  const r = await his.signIn();
  const out = ok(r);
  assert.match(out.signinoutb.sign_no, /^\w{1,30}$/);
  assert.match(out.signinoutb.sign_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  ok(await his2.signIn());
});

test('1101 person info by ID number, by card, by e-credential (C1)', async () => {
  const first = await his.call('1101', { data: { mdtrt_cert_type: '02', mdtrt_cert_no: father.id_number, psn_cert_type: '01', certno: father.id_number, psn_name: father.name } });
  let out = ok(first);
  assert.equal(out.baseinfo.psn_no, father.ssn);
  assert.equal(out.baseinfo.psn_name, '陈大文');
  assert.match(out.baseinfo.gend, /^[12]$/);
  assert.equal(out.baseinfo.certno, father.id_number);
  assert.ok(Array.isArray(out.insuinfo));
  assert.equal(out.insuinfo[0].insutype, '310');
  assert.equal(out.insuinfo[0].balc, 500);
  assert.match(first.text, /"insuinfo":\[\{"balc":500\.00,/);   // a number with 2 decimals
  assert.equal(out.insuinfo[0].insuplc_admdvs, '440300');
  assert.ok(Array.isArray(out.idetinfo));

  const card = (await srv.post('/api/v1/card-applications', { ssn: worker.ssn, route: 'center' }, { token: window })).json.card_no;
  out = ok(await his.call('1101', { data: { mdtrt_cert_type: '03', mdtrt_cert_no: card, card_sn: 'SN0001' } }));
  assert.equal(out.baseinfo.psn_no, worker.ssn);
  assert.equal(out.insuinfo[0].balc, 100);

  // 01: the e-credential token the person shows on his phone
  const tok = await login(srv, father.ssn, 'father-pass-1');
  const ecert = (await srv.post('/api/v1/me/ecert', undefined, { token: tok })).json.token;
  out = ok(await his.call('1101', { data: { mdtrt_cert_type: '01', mdtrt_cert_no: ecert } }));
  assert.equal(out.baseinfo.psn_no, father.ssn);
  refused(await his.call('1101', { data: { mdtrt_cert_type: '01', mdtrt_cert_no: `${ecert}x` } }), 'settlement.credential_invalid');

  out = ok(await his.call('1101', { data: { mdtrt_cert_type: '02', mdtrt_cert_no: child.id_number } }));
  assert.equal(out.insuinfo[0].insutype, '390');
  assert.equal(out.insuinfo[0].balc, 0);

  // C5: a card reported lost is refused at once
  await srv.post(`/api/v1/cards/${card}/loss`, {}, { token: window });
  refused(await his.call('1101', { data: { mdtrt_cert_type: '03', mdtrt_cert_no: card, card_sn: 'SN0001' } }), 'settlement.credential_invalid');
  refused(await his.call('1101', { data: { mdtrt_cert_type: '02', mdtrt_cert_no: '110101199003070000' } }), 'settlement.credential_invalid');
  refused(await his.call('1101', { data: { mdtrt_cert_type: '03', mdtrt_cert_no: card } }), 'nhsa.missing_field');
});

let setl;   // the child's settlement, revoked at the end

test('2201–2207: a relative\'s bill paid from the family account (acct_mulaid_pay > 0)', async () => {
  const mdtrt_id = await register(his, child, '390');
  ok(await his.call('2203', {
    mdtrtinfo: { mdtrt_id, psn_no: child.ssn, med_type: '11', begntime: infTime(), main_cond_dscr: '发热', dise_codg: 'J06.900', dise_name: '上呼吸道感染' },
    diseinfo: [{ diag_type: '1', diag_srt_no: 1, diag_code: 'J06.900', diag_name: '上呼吸道感染', diag_dept: '内科', dise_dor_no: 'D001', dise_dor_name: '李医生', diag_time: infTime(), vali_flag: '1' }],
  }));
  const up = ok(await his.call('2204', { feedetail: [
    feeLine(mdtrt_id, child.ssn, 'F1', 'B1', 2, 15, 30),
    feeLine(mdtrt_id, child.ssn, 'F2', 'B1', 1, 270.5, 270.5),
    feeLine(mdtrt_id, child.ssn, 'F3', 'B1', 1, 9.9, 9.9),
  ] }));
  assert.equal(up.result.length, 3);
  assert.equal(up.result[1].det_item_fee_sumamt, 270.5);
  // 2205 takes F3 back (its batch is re-uploaded without it)
  ok(await his.call('2205', { data: { mdtrt_id, chrg_bchno: 'B1', psn_no: child.ssn } }));
  ok(await his.call('2204', { feedetail: [
    feeLine(mdtrt_id, child.ssn, 'F1', 'B1', 2, 15, 30),
    feeLine(mdtrt_id, child.ssn, 'F2', 'B1', 1, 270, 270),
  ] }));
  const before = await balance(father);
  const out0 = await outcomes();

  // 2206: the same computation, nothing kept
  const pre = ok(await his.call('2206', setlData(child, mdtrt_id, 'B1', 300, '390')));
  assert.equal(pre.setlinfo.setl_id, undefined);
  assert.equal(pre.setlinfo.acct_mulaid_pay, 200);
  assert.equal(await balance(father), before);

  const r = await his.call('2207', setlData(child, mdtrt_id, 'B1', 300, '390'));
  const s = ok(r).setlinfo;
  // N1–N3 with the 390 outpatient policy: 起付线 100.00, then 50 %
  assert.equal(s.medfee_sumamt, 300);
  assert.equal(s.act_pay_dedc, 100);
  assert.equal(s.hifp_pay, 100);
  assert.equal(s.pool_prop_selfpay, 0.5);
  assert.equal(s.fund_pay_sumamt, 100);
  assert.equal(s.psn_part_amt, 200);
  assert.equal(s.acct_pay, 200);            // own 0 + family 200
  assert.equal(s.acct_mulaid_pay, 200);     // S3: the father's account
  assert.equal(s.psn_cash_pay, 0);
  assert.equal(s.balc, 0);                  // the child has no account of his own
  assert.equal(s.psn_part_amt, s.medfee_sumamt - s.fund_pay_sumamt);
  assert.equal(s.psn_part_amt, s.acct_pay + s.psn_cash_pay);
  assert.equal(s.fund_pay_sumamt, s.hifp_pay + s.cvlserv_pay + s.hifes_pay + s.hifmi_pay + s.hifob_pay + s.maf_pay + s.oth_pay);
  for (const k of ['setl_id', 'mdtrt_id', 'psn_no', 'psn_name', 'psn_cert_type', 'certno', 'gend', 'naty', 'brdy', 'age',
    'insutype', 'psn_type', 'cvlserv_flag', 'setl_time', 'mdtrt_cert_type', 'med_type', 'medfee_sumamt', 'fulamt_ownpay_amt',
    'overlmt_selfpay', 'preselfpay_amt', 'inscp_scp_amt', 'act_pay_dedc', 'hifp_pay', 'pool_prop_selfpay', 'cvlserv_pay',
    'hifes_pay', 'hifmi_pay', 'hifob_pay', 'maf_pay', 'oth_pay', 'fund_pay_sumamt', 'psn_part_amt', 'acct_pay', 'psn_cash_pay',
    'hosp_part_amt', 'balc', 'acct_mulaid_pay', 'medins_setl_id', 'clr_optins', 'clr_way', 'clr_type']) assert.ok(k in s, k);
  // in NHSA.md's order, and the fields yibao has none of as it writes them
  assert.deepEqual(Object.keys(s).slice(0, 4), ['setl_id', 'mdtrt_id', 'psn_no', 'psn_name']);
  assert.deepEqual(Object.keys(s).slice(-4), ['medins_setl_id', 'clr_optins', 'clr_way', 'clr_type']);
  assert.match(r.text, /"psn_cert_type":"01","certno":"\d{17}[\dX]","gend":"[12]","naty":"","brdy":"2010-06-01","age":\d+,"insutype":"390","psn_type":"1501","cvlserv_flag":"0",/);
  assert.match(r.text, /"fulamt_ownpay_amt":0\.00,"overlmt_selfpay":0\.00,"preselfpay_amt":0\.00,"inscp_scp_amt":300\.00,/);
  assert.match(r.text, /"pool_prop_selfpay":0\.5000,"cvlserv_pay":0\.00,"hifes_pay":0\.00,"hifmi_pay":0\.00,"hifob_pay":0\.00,"maf_pay":0\.00,"oth_pay":0\.00,"fund_pay_sumamt":100\.00,/);
  assert.match(r.text, /"psn_cash_pay":0\.00,"hosp_part_amt":0\.00,"balc":0\.00,/);
  assert.match(r.text, /"clr_way":"1","clr_type":"11"\}/);
  assert.match(r.text, /"medfee_sumamt":300\.00,/);
  assert.equal(s.medins_setl_id, JSON.parse(r.sent).msgid);
  const det = ok(r).setldetail;
  assert.deepEqual(det.map((d) => [d.fund_pay_type, d.fund_payamt]), [['390100', 100], ['310200', 200]]);
  assert.deepEqual(det.map((d) => [d.fund_pay_type_name, d.setl_proc_info]), [
    ['城乡居民基本医疗保险统筹基金', '符合范围300.00，起付线100.00，支付比例50.00%'],
    ['职工个人账户', '本人账户及家庭共济账户支付']]);
  assert.equal(await balance(father), before - 20000);
  setl = { id: s.setl_id, mdtrt_id, msgSent: r.sent, text: r.text };

  // S4: a repeat on (institution, mdtrt_id/chrg_bchno) answers the first
  const again = ok(await his.call('2207', setlData(child, mdtrt_id, 'B1', 300, '390')));
  assert.equal(again.setlinfo.setl_id, s.setl_id);
  assert.equal(await balance(father), before - 20000);
  refused(await his.call('2207', setlData(child, mdtrt_id, 'B1', 300, '390', { acct_used_flag: '0' })), 'nhsa.setl_reused');
  assert.deepEqual(counted(out0, await outcomes()), { settled: 1, repeat: 1, preview: 1, refused: 1 });
});

test('msgid: the same message answers the first reply and never acts twice; another body is refused', async () => {
  const before = await balance(father);
  const out0 = await outcomes();
  const r = await his.post('2207', undefined, { raw: setl.msgSent });
  assert.equal(r.text, setl.text);
  assert.equal(await balance(father), before);
  const other = JSON.parse(setl.msgSent);
  other.input.data.medfee_sumamt = 301;
  refused(await his.post('2207', other), 'nhsa.msgid_reused');
  assert.deepEqual(counted(out0, await outcomes()), { repeat: 1, refused: 1 });
  // an operator finds the message
  const m = JSON.parse(await cli(srv.db.url, '--json', 'nhsa', 'message', '--institution', H1, '--msgid', other.msgid));
  assert.equal(m.infno, '2207');
  assert.equal(m.infcode, 0);
  assert.equal(m.institution, H1);
  assert.equal(m.response, setl.text);
  // and over HTTP: a 2207's reply is kept as its facts, shown as the text sent
  const h = await srv.get(`/api/v1/nhsa/messages/${other.msgid}?institution=${H1}`, { token: srv.keys.admin });
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.response, setl.text);
});

test('5203 query and 5206 yearly totals', async () => {
  const q = ok(await his.call('5203', { data: { psn_no: child.ssn, setl_id: setl.id, mdtrt_id: setl.mdtrt_id } }));
  assert.equal(q.setlinfo.setl_id, setl.id);
  assert.equal(q.setlinfo.refd_setl_flag, '0');
  assert.equal(q.setlinfo.cash_payamt, 0);
  assert.equal(q.setlinfo.psn_pay, 200);
  assert.equal(q.setlinfo.fixmedins_code, H1);
  assert.ok(!('psn_part_amt' in q.setlinfo));
  refused(await his2.call('5203', { data: { psn_no: child.ssn, setl_id: setl.id, mdtrt_id: setl.mdtrt_id } }), 'nhsa.setl_not_found');
  const ym = today().slice(0, 7).replace('-', '');
  const c = ok(await his.call('5206', { data: { psn_no: child.ssn, cum_ym: ym } }));
  const cum = Object.fromEntries(c.cumInfo.map((x) => [x.cum_type_code, x.cum]));
  assert.equal(cum.MZ_QFX, 100);
  assert.equal(cum.MZ_TC, 100);
  assert.equal(cum.MZ_FY, 300);
});

test('3201 reconciliation: 平 and 不平; 3202 needs a file of 9101', async () => {
  const d = today();
  const base = { insutype: '390', clr_type: '11', setl_optins: '440300', stmt_begndate: d, stmt_enddate: d };
  let s = ok(await his.call('3201', { data: { ...base, medfee_sumamt: 300, fund_pay_sumamt: 100, acct_pay: 200, fixmedins_setl_cnt: 1 } }));
  assert.equal(s.stmtinfo.stmt_rslt, '0');
  s = ok(await his.call('3201', { data: { ...base, medfee_sumamt: 301, fund_pay_sumamt: 100, acct_pay: 200, fixmedins_setl_cnt: 2 } }));
  assert.equal(s.stmtinfo.stmt_rslt, '1');
  assert.match(s.stmtinfo.stmt_rslt_dscr, /医疗费总额 本方300\.00 贵方301\.00/);
  assert.match(s.stmtinfo.stmt_rslt_dscr, /结算笔数 本方1 贵方2/);
  // 3202 by the detail file: tests/api/nhsa_files.test.mjs
  refused(await his.call('3202', { data: { setl_optins: '440300', file_qury_no: 'FQ0001', stmt_begndate: d, stmt_enddate: d, medfee_sumamt: 300, fund_pay_sumamt: 100, cash_payamt: 0, fixmedins_setl_cnt: 1 } }), 'nhsa.file_not_found');
});

test('2208 revocation: shares back, totals back, harmless twice (S5)', async () => {
  const before = await balance(father);
  const r = ok(await his.call('2208', { data: { setl_id: setl.id, mdtrt_id: setl.mdtrt_id, psn_no: child.ssn } }));
  assert.equal(r.setlinfo.setl_id, `R${setl.id}`);
  assert.equal(r.setlinfo.medfee_sumamt, -300);
  assert.equal(r.setlinfo.acct_mulaid_pay, -200);
  assert.equal(await balance(father), before + 20000);
  ok(await his.call('2208', { data: { setl_id: setl.id, mdtrt_id: setl.mdtrt_id, psn_no: child.ssn } }));
  assert.equal(await balance(father), before + 20000);
  const q = ok(await his.call('5203', { data: { psn_no: child.ssn, setl_id: setl.id, mdtrt_id: setl.mdtrt_id } }));
  assert.equal(q.setlinfo.refd_setl_flag, '1');
  const ym = today().slice(0, 7).replace('-', '');
  const c = ok(await his.call('5206', { data: { psn_no: child.ssn, cum_ym: ym } }));
  assert.equal(Object.fromEntries(c.cumInfo.map((x) => [x.cum_type_code, x.cum])).MZ_QFX, 0);
  const d = today();
  const s = ok(await his.call('3201', { data: { insutype: '390', clr_type: '11', setl_optins: '440300', stmt_begndate: d, stmt_enddate: d, medfee_sumamt: 0, fund_pay_sumamt: 0, acct_pay: 0, fixmedins_setl_cnt: 0 } }));
  assert.equal(s.stmtinfo.stmt_rslt, '0');
});

test('2207 acct_used_flag 0: no personal account at all; fee totals must match the details', async () => {
  const mdtrt_id = await register(his2, worker, '310');
  ok(await his2.call('2204', { feedetail: [feeLine(mdtrt_id, worker.ssn, 'F1', 'B9', 1, 400, 400)] }));
  refused(await his2.call('2207', setlData(worker, mdtrt_id, 'B9', 399.99, '310')), 'nhsa.fee_total_mismatch');
  refused(await his2.call('2207', setlData(worker, mdtrt_id, 'B9', 400, '390')), 'nhsa.insutype_mismatch');
  const before = await balance(worker);
  const s = ok(await his2.call('2207', setlData(worker, mdtrt_id, 'B9', 400, '310', { acct_used_flag: '0' }))).setlinfo;
  // 310 outpatient: 起付线 200.00, then 70 % → 140.00
  assert.equal(s.act_pay_dedc, 200);
  assert.equal(s.hifp_pay, 140);
  assert.equal(s.acct_pay, 0);
  assert.equal(s.psn_cash_pay, 260);
  assert.equal(s.balc, 100);
  assert.equal(await balance(worker), before);
});

test('N6: yearly totals stay exact when one person\'s bills settle at once', async () => {
  const p = await seedPerson(srv, { name: '周并发', balance: 100000 });
  const ids = [];
  for (let i = 0; i < 6; i++) {
    const id = await register(his, p, '310');
    ok(await his.call('2204', { feedetail: [feeLine(id, p.ssn, 'F1', 'C1', 1, 150, 150)] }));
    ids.push(id);
  }
  const rs = await Promise.all(ids.map((id) => his.call('2207', setlData(p, id, 'C1', 150, '310'))));
  const s = rs.map((r) => ok(r).setlinfo);
  // 310 outpatient: the 200.00 deductible is paid once over the six bills
  const dedc = s.reduce((a, x) => a + Math.round(x.act_pay_dedc * 100), 0);
  const fund = s.reduce((a, x) => a + Math.round(x.hifp_pay * 100), 0);
  assert.equal(dedc, 20000);
  assert.equal(fund, Math.floor((90000 - 20000) * 0.7));
  const ym = today().slice(0, 7).replace('-', '');
  const c = ok(await his.call('5206', { data: { psn_no: p.ssn, cum_ym: ym } }));
  const cum = Object.fromEntries(c.cumInfo.map((x) => [x.cum_type_code, Math.round(x.cum * 100)]));
  assert.equal(cum.MZ_QFX, 20000);
  assert.equal(cum.MZ_TC, fund);
  assert.equal(cum.MZ_FY, 90000);
  assert.equal(cum.MZ_CS, 600);
});

test('S5/N6: a gateway settlement revoked through the JSON API gives the yearly totals back too', async () => {
  const p = await seedPerson(srv, { name: '吴撤销', balance: 100000 });
  const id = await register(his, p, '310');
  ok(await his.call('2204', { feedetail: [feeLine(id, p.ssn, 'F1', 'R1', 1, 500, 500)] }));
  const s = ok(await his.call('2207', setlData(p, id, 'R1', 500, '310'))).setlinfo;
  const key = await srv.key('institution', { institution: H1 });
  const r = await srv.post(`/api/v1/settlements/${s.setl_id}/revocation`, undefined, { token: key });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'revoked');
  const ym = today().slice(0, 7).replace('-', '');
  const c = ok(await his.call('5206', { data: { psn_no: p.ssn, cum_ym: ym } }));
  const cum = Object.fromEntries(c.cumInfo.map((x) => [x.cum_type_code, x.cum]));
  assert.equal(cum.MZ_QFX, 0);
  assert.equal(cum.MZ_TC, 0);
  const q = ok(await his.call('5203', { data: { psn_no: p.ssn, setl_id: s.setl_id, mdtrt_id: id } }));
  assert.equal(q.setlinfo.refd_setl_flag, '1');
  // and 2208 afterwards is the harmless repeat (S5)
  ok(await his.call('2208', { data: { setl_id: s.setl_id, mdtrt_id: id, psn_no: p.ssn } }));
  assert.equal(await balance(p), 100000);
});

test('C4: a registration with someone else\'s credential is refused', async () => {
  refused(await his.call('2201', { data: {
    psn_no: child.ssn, insutype: '390', begntime: infTime(), mdtrt_cert_type: '02', mdtrt_cert_no: father.id_number,
    ipt_otp_no: 'MZX1', atddr_no: 'D001', dr_name: '李医生', dept_code: 'K01', dept_name: '内科', caty: 'A03',
  } }), 'nhsa.person_mismatch');
});

test('refusals: signature, timestamp, nonce, institution, fields, infno, sign_no, amounts', async () => {
  const one = () => ({ data: { mdtrt_cert_type: '02', mdtrt_cert_no: father.id_number } });
  const h = his.headers();
  refused(await his.post('1101', his.envelope('1101', one()), { headers: { ...h, 'x-tif-signature': 'ab'.repeat(32) } }), 'nhsa.auth_bad_signature');
  // upper-case hex is the same signature
  const up = his.headers();
  ok(await his.post('1101', his.envelope('1101', one()), { headers: { ...up, 'x-tif-signature': up['x-tif-signature'].toUpperCase() } }));
  // Two seconds past the 300-second window: the server's time(NULL) reads
  // the kernel's coarse clock, which may lag Date.now() by a tick, so one
  // second past the edge was accepted now and then (a flaky test).
  const stale = String(Math.floor(Date.now() / 1000) - 302);
  refused(await his.post('1101', his.envelope('1101', one()), { headers: his.headers({ timestamp: stale }) }), 'nhsa.auth_stale_timestamp');
  const fixed = his.headers({ nonce: `n-${process.pid}-replay` });
  ok(await his.post('1101', his.envelope('1101', one()), { headers: fixed }));
  refused(await his.post('1101', his.envelope('1101', one()), { headers: fixed }), 'nhsa.auth_nonce_replayed');
  const noHeaders = { 'content-type': 'application/json;charset=utf-8' };
  refused(await his.post('1101', his.envelope('1101', one()), { headers: noHeaders }), 'nhsa.auth_missing');
  refused(await his.post('1101', his.envelope('1101', one()), { headers: his.headers({ paasid: 'nobody' }) }), 'nhsa.auth_unknown_paasid');
  // H1's credential, H2's fixmedins_code
  refused(await his.call('1101', one(), { env: { fixmedins_code: H2 } }), 'nhsa.institution_mismatch');
  // fields
  refused(await his.call('1101', { data: { mdtrt_cert_type: '02' } }), 'nhsa.missing_field');
  refused(await his.call('1101', one(), { env: { opter_name: '名'.repeat(51) } }), 'nhsa.field_too_long');
  refused(await his.call('1101', one(), { env: { msgid: 'short' } }), 'nhsa.invalid_field');
  refused(await his.call('1101', one(), { env: { inf_time: '2026/12/04 10:00:00' } }), 'nhsa.invalid_field');
  refused(await his.call('1101', one(), { env: { infver: undefined } }), 'nhsa.missing_field');
  refused(await his.post('1101', undefined, { raw: '{"infno": "1101",' }), 'nhsa.invalid_json');
  refused(await his.post('1101', undefined, { raw: '[]' }), 'nhsa.invalid_json');
  // infno
  refused(await his.call('9999', {}), 'nhsa.unknown_infno');
  refused(await his.post('1101', his.envelope('2207', one())), 'nhsa.infno_mismatch');
  // sign_no: none, made up, another operator's, signed out
  refused(await his.call('1101', one(), { env: { sign_no: '' } }), 'nhsa.sign_required');
  refused(await his.call('1101', one(), { env: { sign_no: 'S000000000099AAAA' } }), 'nhsa.sign_invalid');
  refused(await his.call('1101', one(), { env: { opter: 'OP9999' } }), 'nhsa.sign_invalid');
  refused(await his2.call('1101', one(), { env: { sign_no: his.sign_no } }), 'nhsa.sign_invalid');
  const out = new NhsaClient({ ...his, opter: 'OP0002' });
  out.seq = 5000;
  ok(await out.signIn());
  // used first (each connection thread has read, and kept, the sign-in),
  // then signed out: refused from the next request on
  for (let i = 0; i < 4; i++) ok(await out.call('1101', one()));
  ok(await out.signOut());
  for (let i = 0; i < 4; i++) refused(await out.call('1101', one()), 'nhsa.sign_invalid');
  // amounts: 3 decimals (number and string), negative
  const mdtrt_id = await register(his, worker, '310');
  refused(await his.call('2204', { feedetail: [feeLine(mdtrt_id, worker.ssn, 'F1', 'B1', 1, 1, '1.001')] }), 'nhsa.invalid_amount');
  const env = his.envelope('2207', setlData(worker, mdtrt_id, 'B1', 1, '310'));
  refused(await his.post('2207', undefined, { raw: JSON.stringify(env).replace('"medfee_sumamt":1', '"medfee_sumamt":1.001') }), 'nhsa.invalid_amount');
  refused(await his.call('2207', setlData(worker, mdtrt_id, 'B1', -1, '310')), 'nhsa.invalid_amount');
  refused(await his.call('2207', setlData(worker, mdtrt_id, 'B1', '12.345', '310')), 'nhsa.invalid_amount');
  refused(await his.call('2207', setlData(worker, mdtrt_id, 'B1', 1e2, '310')), 'nhsa.fee_total_mismatch');
  refused(await his.call('2204', { feedetail: [feeLine(mdtrt_id, worker.ssn, 'F1', 'B1', 3, 1, 2)] }), 'nhsa.fee_line_mismatch');
  // a 2207 with no fee details uploaded changes nothing
  refused(await his.call('2207', setlData(worker, mdtrt_id, 'B1', 12.34, '310')), 'nhsa.fee_total_mismatch');
  assert.equal(tifSignature('1', 't', 'n'), tifSignature('1', 't', 'n'));
});

// A message that acts is authenticated in the writer's batch (docs/NHSA.md
// "How a message is handled", gw4): the same refusals, in the same order,
// and nothing done for any of them.
test('refusals of a message that acts (admitted on the writer): the same codes, nothing settled', async () => {
  const p = await seedPerson(srv, { name: '周志强', balance: 10000 });
  const mdtrt_id = await register(his, p, '310');
  ok(await his.call('2204', { feedetail: [feeLine(mdtrt_id, p.ssn, 'W1', 'BW', 1, 12, 12)] }));
  const input = setlData(p, mdtrt_id, 'BW', 12, '310');
  const before = await balance(p);
  const h = his.headers();
  refused(await his.post('2207', his.envelope('2207', input), { headers: { ...h, 'x-tif-signature': 'ab'.repeat(32) } }), 'nhsa.auth_bad_signature');
  refused(await his.post('2207', his.envelope('2207', input), { headers: his.headers({ paasid: 'nobody' }) }), 'nhsa.auth_unknown_paasid');
  const stranger = new NhsaClient({ ...his, token: 'not-the-token' });
  refused(await stranger.call('2207', input), 'nhsa.auth_bad_signature');
  // a stranger learns nothing of the body: the credential's refusal first
  refused(await stranger.call('2207', setlData(p, mdtrt_id, 'BW', -1, '310')), 'nhsa.auth_bad_signature');
  refused(await his.post('2207', his.envelope('2207', input), { headers: his.headers({ paasid: 'nobody' }) }), 'nhsa.auth_unknown_paasid');
  const stale = String(Math.floor(Date.now() / 1000) - 302);
  refused(await his.post('2207', his.envelope('2207', input), { headers: his.headers({ timestamp: stale }) }), 'nhsa.auth_stale_timestamp');
  const fixed = his.headers({ nonce: `n-${process.pid}-replay-2207` });
  ok(await his.post('1101', his.envelope('1101', { data: { mdtrt_cert_type: '02', mdtrt_cert_no: p.id_number } }), { headers: fixed }));
  refused(await his.post('2207', his.envelope('2207', input), { headers: fixed }), 'nhsa.auth_nonce_replayed');
  refused(await his.call('2207', input, { env: { fixmedins_code: H2 } }), 'nhsa.institution_mismatch');
  refused(await his.call('2207', input, { env: { sign_no: '' } }), 'nhsa.sign_required');
  refused(await his.call('2207', input, { env: { sign_no: 'S000000000099AAAA' } }), 'nhsa.sign_invalid');
  refused(await his.call('2207', input, { env: { opter: 'OP9999' } }), 'nhsa.sign_invalid');
  refused(await his2.call('2207', input, { env: { sign_no: his.sign_no } }), 'nhsa.sign_invalid');
  // a sign-in used by messages that act, then signed out: refused at once
  const op = new NhsaClient({ ...his, opter: 'OP0007' });
  op.seq = 7000;
  ok(await op.signIn());
  ok(await op.call('2203', { mdtrtinfo: { mdtrt_id, psn_no: p.ssn, med_type: '11', begntime: infTime(), main_cond_dscr: '', dise_codg: 'J06.900', dise_name: '' }, diseinfo: [] }));
  ok(await op.signOut());
  for (let i = 0; i < 4; i++) refused(await op.call('2207', input), 'nhsa.sign_invalid');
  assert.equal(await balance(p), before);
  // nothing was taken by the refused ones: the bill settles once, now
  const s = ok(await his.call('2207', input)).setlinfo;
  assert.equal(s.medfee_sumamt, 12);
  assert.equal(before - await balance(p), Math.round(s.acct_pay * 100));
  assert.ok(s.acct_pay > 0);
});

test('msgid: copies of one message sent at once act once, and every copy gets the first reply', async () => {
  // On SQLite the claim is a read in the writer's transaction and the
  // row is written once (docs/NHSA.md step 5); on PostgreSQL the copies
  // wait at the unique key.  Each copy is signed with its own nonce.
  const p = await seedPerson(srv, { name: '郑同发', balance: 100000 });
  const id = await register(his, p, '310');
  ok(await his.call('2204', { feedetail: [feeLine(id, p.ssn, 'F1', 'M1', 1, 300, 300)] }));
  const before = await balance(p);
  const body = JSON.stringify(his.envelope('2207', setlData(p, id, 'M1', 300, '310')));
  const rs = await Promise.all(Array.from({ length: 8 }, () => his.post('2207', undefined, { raw: body })));
  const first = ok(rs[0]).setlinfo;
  for (const r of rs) assert.equal(r.text, rs[0].text);
  assert.equal(await balance(p), before - Math.round(first.acct_pay * 100));
  assert.ok(first.acct_pay > 0);
});
