// prep.mjs — the requests of bench/nhsa/run, made before the load so that
// the load generator only replays bytes: N settlements through the JSON
// API and N 2207 settlements through the national interface, for the
// same patients.  Each gateway request is signed with its own nonce and
// msgid; each settles its own fee batch (chrg_bchno) of a visit
// registered and uploaded here (2201 + 2204, 25 batches per visit).
// Each kind is written twice: KIND-requests.txt, a line per request
// (PATH \t HEADER:VALUE|... \t BODY, for replay.mjs), and
// KIND-requests.http, the same requests as the bytes wrk sends (for
// bench/wrk/replay.lua, which then does no work per request but send).
//   node prep.mjs BASE ADMIN_KEY INST_KEY PAASID TOKEN INST N OUTDIR
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NhsaClient, infTime, tifSignature } from '../../tests/nhsa/client.mjs';
import { randomBytes } from 'node:crypto';

const [base, admin, instKey, paasid, token, inst, nStr, out] = process.argv.slice(2);
const N = Number(nStr);
const PERSONS = 200, PER_VISIT = 25;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function idNumber(seq) {
  const body = `440305198001${String(1 + (seq % 28)).padStart(2, '0')}${String(seq % 999 + 1).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * WEIGHTS[i];
  return body + '10X98765432'[sum % 11];
}

async function api(path, body, key = admin) {
  const r = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

async function persons() {
  await api('/api/v1/employers', { code: 'EB1', name: '基准单位' });
  const ps = [];
  const seen = new Set();
  for (let i = 0; ps.length < PERSONS; i++) {
    const id = idNumber(i);
    if (seen.has(id)) continue;
    seen.add(id);
    const p = { ssn: String(700000000 + i), id_number: id, name: '基准人', scheme: 'employee_tier1' };
    await api('/api/v1/persons', p);
    await api('/api/v1/contributions', { ssn: p.ssn, period: '2026-01', employer_code: 'EB1', base_fen: 10000000, employer_fen: 600000, personal_fen: 400000, account_credit_fen: 1000000 });
    ps.push(p);
  }
  return ps;
}

// The lines of one kind, and the same requests as HTTP/1.1 bytes, each
// framed as "LENGTH\n" + bytes (what wrk.format would have made of them).
function write(kind, lines) {
  writeFileSync(join(out, `${kind}-requests.txt`), lines.join('\n') + '\n');
  const host = new URL(base).host;
  const parts = [];
  for (const l of lines) {
    const [path, hdrs, body] = l.split('\t');
    const b = Buffer.from(body);
    let head = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\n`;
    for (const h of hdrs.split('|')) {
      const i = h.indexOf(':');
      head += `${h.slice(0, i)}: ${h.slice(i + 1)}\r\n`;
    }
    head += `Content-Length: ${b.length}\r\n\r\n`;
    const req = Buffer.concat([Buffer.from(head), b]);
    parts.push(Buffer.from(`${req.length}\n`), req);
  }
  writeFileSync(join(out, `${kind}-requests.http`), Buffer.concat(parts));
}

async function main() {
  const ps = await persons();
  const json = [];
  for (let i = 0; i < N; i++) {
    const p = ps[i % ps.length];
    const body = JSON.stringify({ txn_id: `JB-${i}`, credential: { type: 'id_number', value: p.id_number }, visit_type: 'outpatient', total_fen: 15000, fund_pay_fen: 4500 });
    json.push(`/api/v1/settlements\tauthorization:Bearer ${instKey}|content-type:application/json\t${body}`);
  }
  write('json', json);

  const his = new NhsaClient({ base, paasid, token, fixmedins_code: inst });
  const s = await his.signIn();
  if (s.json?.infcode !== 0) throw new Error(s.text);
  const lines = [];
  const visits = Math.ceil(N / PER_VISIT);
  for (let v = 0; v < visits; v++) {
    const p = ps[v % ps.length];
    const reg = await his.call('2201', { data: { psn_no: p.ssn, insutype: '310', begntime: infTime(), mdtrt_cert_type: '02', mdtrt_cert_no: p.id_number, ipt_otp_no: `B${v}`, atddr_no: 'D1', dr_name: '医生', dept_code: 'K1', dept_name: '内科', caty: 'A03' } });
    if (reg.json?.infcode !== 0) throw new Error(reg.text);
    const mdtrt_id = reg.json.output.data.mdtrt_id;
    const fees = [];
    for (let b = 0; b < PER_VISIT; b++) fees.push({ feedetl_sn: `F${b}`, mdtrt_id, psn_no: p.ssn, chrg_bchno: `B${b}`, rx_circ_flag: '0', fee_ocur_time: infTime(), med_list_codg: 'X1', medins_list_codg: 'Y1', det_item_fee_sumamt: 150, cnt: 1, pric: 150, bilg_dept_codg: 'K1', bilg_dept_name: '内科', bilg_dr_codg: 'D1', bilg_dr_name: '医生', hosp_appr_flag: '0' });
    const up = await his.call('2204', { feedetail: fees });
    if (up.json?.infcode !== 0) throw new Error(up.text);
    for (let b = 0; b < PER_VISIT && lines.length < N; b++) {
      const env = his.envelope('2207', { data: { psn_no: p.ssn, mdtrt_cert_type: '02', mdtrt_cert_no: p.id_number, med_type: '11', medfee_sumamt: 150, psn_setlway: '01', mdtrt_id, chrg_bchno: `B${b}`, insutype: '310', acct_used_flag: '1' } });
      const ts = String(Math.floor(Date.now() / 1000));
      const nonce = randomBytes(16).toString('hex');
      const h = `content-type:application/json;charset=utf-8|x-tif-paasid:${paasid}|x-tif-timestamp:${ts}|x-tif-nonce:${nonce}|x-tif-signature:${tifSignature(ts, token, nonce)}`;
      lines.push(`/nhsa/api/2207\t${h}\t${JSON.stringify(env)}`);
    }
  }
  write('nhsa', lines);
}

main().catch((e) => { console.error(e); process.exit(1); });
