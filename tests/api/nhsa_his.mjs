// nhsa_his.mjs — what the gateway's test files share: a server with
// institutions and their credentials (issued with the CLI, as an
// operator would), the checks of a reply envelope, and the HIS's usual
// messages (registration, fee lines, settlement data) built with
// tests/nhsa/client.mjs, which knows only ../shared/NHSA.md.
import assert from 'node:assert/strict';
import { startServer, seedInstitution, cli } from './helpers.mjs';
import { NhsaClient, infTime } from '../nhsa/client.mjs';

/* A server with hospitals `codes`, a credential and a signed-in client
 * for each: { srv, his: { code: client } }. */
export async function startGateway(codes, opts = {}) {
  const srv = await startServer(opts);
  const his = {};
  for (const [i, code] of codes.entries()) {
    await seedInstitution(srv, code, 'hospital');
    const c = JSON.parse(await cli(srv.db.url, '--json', 'nhsa', 'credential', '--institution', code));
    his[code] = new NhsaClient({ base: srv.base, paasid: c.paasid, token: c.token, fixmedins_code: code, pathInfno: i % 2 === 0 });
    ok(await his[code].signIn());
  }
  return { srv, his };
}

/* infcode 0, the reply envelope as NHSA.md §1.2 says; the output. */
export function ok(r) {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json?.infcode, 0, r.text);
  assert.match(r.text, /"infcode":0[,}]/);        // a JSON number
  assert.equal(r.json.err_msg, '');
  assert.match(r.json.inf_refmsgid, /^440300\d{24}$/);
  assert.match(r.json.refmsg_time, /^\d{17}$/);
  assert.match(r.json.respond_time, /^\d{17}$/);
  return r.json.output;
}

/* infcode -1 with the stable code and a Chinese text; HTTP 200. */
export function refused(r, code) {
  assert.equal(r.status, 200, r.text);                   // never a 4xx/5xx
  assert.equal(r.json?.infcode, -1, r.text);
  assert.ok(r.json.err_msg.includes(`[${code}]`), `want ${code}: ${r.json.err_msg}`);
  assert.match(r.json.err_msg, /[\u4e00-\u9fff]/);       // Chinese text
  assert.deepEqual(r.json.output, {});
}

let otp = 0;
/* 2201 with the person's ID number; the mdtrt_id. */
export async function register(client, p, insutype, cert = ['02', p.id_number]) {
  otp += 1;
  const out = ok(await client.call('2201', { data: {
    psn_no: p.ssn, insutype, begntime: infTime(), mdtrt_cert_type: cert[0], mdtrt_cert_no: cert[1],
    ipt_otp_no: `MZ${process.pid}${otp}`, atddr_no: 'D001', dr_name: '李医生', dept_code: 'K01',
    dept_name: '内科', caty: 'A03',
  } }));
  assert.match(out.data.mdtrt_id, /^\d+$/);
  assert.equal(out.data.psn_no, p.ssn);
  return out.data.mdtrt_id;
}

/* 2203 naming the visit's med_type. */
export async function visitInfo(client, p, mdtrt_id, med_type) {
  return client.call('2203', {
    mdtrtinfo: { mdtrt_id, psn_no: p.ssn, med_type, begntime: infTime(), main_cond_dscr: '', dise_codg: 'J06.900', dise_name: '' },
    diseinfo: [{ diag_type: '1', diag_srt_no: 1, diag_code: 'J06.900', diag_name: '上呼吸道感染', diag_dept: '内科', dise_dor_no: 'D001', dise_dor_name: '李医生', diag_time: infTime(), vali_flag: '1' }],
  });
}

/* One line of 2204/2301. */
export function feeLine(mdtrt_id, psn_no, sn, chrg_bchno, cnt, pric, amount) {
  return {
    feedetl_sn: sn, mdtrt_id, psn_no, chrg_bchno, rx_circ_flag: '0', fee_ocur_time: infTime(),
    med_list_codg: 'XA01AAA001', medins_list_codg: 'YP0001', det_item_fee_sumamt: amount,
    cnt, pric, bilg_dept_codg: 'K01', bilg_dept_name: '内科', bilg_dr_codg: 'D001',
    bilg_dr_name: '李医生', hosp_appr_flag: '0',
  };
}

/* input of 2206/2207. */
export function setlData(p, mdtrt_id, chrg_bchno, medfee, insutype, extra = {}) {
  return { data: {
    psn_no: p.ssn, mdtrt_cert_type: '02', mdtrt_cert_no: p.id_number, med_type: '11',
    medfee_sumamt: medfee, psn_setlway: '01', mdtrt_id, chrg_bchno, insutype,
    acct_used_flag: '1', ...extra,
  } };
}

/* input of 2303/2304 (a stay: no med_type, no chrg_bchno). */
export function iptData(p, mdtrt_id, medfee, insutype, extra = {}) {
  return { data: {
    psn_no: p.ssn, mdtrt_cert_type: '02', mdtrt_cert_no: p.id_number, medfee_sumamt: medfee,
    psn_setlway: '01', mdtrt_id, insutype, acct_used_flag: '1', invono: '', mid_setl_flag: '0', ...extra,
  } };
}

/* 5206 as { code: fen }. */
export async function yearTotals(client, p, ym) {
  const c = ok(await client.call('5206', { data: { psn_no: p.ssn, cum_ym: ym } }));
  return Object.fromEntries(c.cumInfo.map((x) => [x.cum_type_code, Math.round(x.cum * 100)]));
}

/* A person's own balance in fen, as the JSON API shows it. */
export async function balance(srv, p) {
  return (await srv.get(`/api/v1/persons/${p.ssn}`, { token: srv.keys.admin })).json.account?.balance_fen ?? 0;
}

/* The ledger balances at the end of a file (A1–A3). */
export async function ledgerBalances(srv) {
  const check = JSON.parse(await cli(srv.db.url, '--json', 'ledger', 'check'));
  assert.equal(check.ok, true, JSON.stringify(check));
}
