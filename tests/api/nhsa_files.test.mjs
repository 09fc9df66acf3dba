// nhsa_files.test.mjs — the national interface's files (docs/NHSA.md
// "Files"), driven by tests/nhsa/client.mjs: 9101 uploads a day's detail
// file (a .zip made with fflate, or a plain .txt; `in` as a byte array
// or base64), 3202 reconciles the day by it — 平, and 不平 with one
// settlement missing and one amount differing — and 9102 downloads the
// result file, whose rows are checked.  Refusals: `in` badly encoded, a
// corrupt zip, files too large (bytes, unzipped, body), a malformed line,
// another institution's file_qury_no.  Runs on both engines (api suite).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync, unzipSync, strToU8, strFromU8, Zip, ZipDeflate } from 'fflate';
import { seedPerson } from './helpers.mjs';
import { today } from '../nhsa/client.mjs';
import { startGateway, ok, refused, register, feeLine, setlData, ledgerBalances } from './nhsa_his.mjs';

const H1 = 'H44030000011';
const H2 = 'H44030000012';
let srv, his, his2;
const setls = [];                // { setl_id, mdtrt_id, psn_no, medfee, fund, acct, cash, refd }

const yuan = (v) => v.toFixed(2);
const line = (s, over = {}) => {
  const r = { ...s, ...over };
  return [r.setl_id, r.mdtrt_id, r.psn_no, yuan(r.medfee), yuan(r.fund), yuan(r.acct), r.refd ? '1' : '0'].join('\t');
};
const zip = (name, text) => Buffer.from(zipSync({ [name]: strToU8(text) }));
/* As a streaming writer makes it (Java's ZipOutputStream too): sizes and
 * CRC in a data descriptor after the data (flag bit 3). */
function streamedZip(name, text) {
  const parts = [];
  const z = new Zip((err, chunk) => { if (err) throw err; parts.push(chunk); });
  const f = new ZipDeflate(name, { level: 6 });
  z.add(f);
  f.push(strToU8(text), true);
  z.end();
  return Buffer.concat(parts.map((p) => Buffer.from(p)));
}
/* The serial of a file_qury_no (F + yyyyMMdd + 10 digits + random):
 * consecutive files have consecutive serials, so a gap would show a file
 * kept by a refused request. */
const serial = (no) => Number(no.slice(9, 19));

async function settle(p, medfee) {
  const mdtrt_id = await register(his, p, '310');
  ok(await his.call('2204', { feedetail: [feeLine(mdtrt_id, p.ssn, `F${setls.length}`, 'B1', 1, medfee, medfee)] }));
  const s = ok(await his.call('2207', setlData(p, mdtrt_id, 'B1', medfee, '310'))).setlinfo;
  const row = { setl_id: s.setl_id, mdtrt_id, psn_no: p.ssn, medfee: s.medfee_sumamt, fund: s.fund_pay_sumamt, acct: s.acct_pay, cash: s.psn_cash_pay, refd: false };
  setls.push(row);
  return row;
}

/* 3202 of today by file_qury_no, the totals of the settlements not revoked. */
function stmt(file_qury_no, over = {}) {
  const live = setls.filter((s) => !s.refd);
  const sum = (k) => Math.round(live.reduce((a, s) => a + s[k] * 100, 0)) / 100;
  const d = today();
  return { data: { setl_optins: '440300', file_qury_no, stmt_begndate: d, stmt_enddate: d,
    medfee_sumamt: sum('medfee'), fund_pay_sumamt: sum('fund'), cash_payamt: sum('cash'), fixmedins_setl_cnt: live.length, ...over } };
}

/* 9102 of a result file: its rows, by setl_id. */
async function resultRows(client, info) {
  const out = ok(await client.download(info.file_qury_no, info.filename));
  assert.equal(out.filename, info.filename);
  const files = unzipSync(new Uint8Array(Buffer.from(out.out, 'base64')));
  const names = Object.keys(files);
  assert.equal(names.length, 1);
  assert.match(names[0], /\.txt$/);
  const text = strFromU8(files[names[0]]);
  const rows = text.split('\n').filter((l) => l).map((l) => {
    const f = l.split('\t');
    assert.equal(f.length, 10, l);
    const [psn_no, mdtrt_id, setl_id, msgid, stmt_rslt, refd_setl_flag, memo, medfee, fund, acct] = f;
    return { psn_no, mdtrt_id, setl_id, msgid, stmt_rslt, refd_setl_flag, memo, medfee, fund, acct };
  });
  return Object.fromEntries(rows.map((r) => [r.setl_id, r]));
}

before(async () => {
  ({ srv, his: { [H1]: his, [H2]: his2 } } = await startGateway([H1, H2]));
  const a = await seedPerson(srv, { name: '张一', balance: 50000 });
  const b = await seedPerson(srv, { name: '李二', balance: 50000 });
  await settle(a, 100);
  await settle(a, 250.5);
  const third = await settle(b, 80);
  ok(await his.call('2208', { data: { setl_id: third.setl_id, mdtrt_id: third.mdtrt_id, psn_no: b.ssn } }));
  third.refd = true;
});

after(async () => {
  if (!srv) return;
  await ledgerBalances(srv);
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

let first;                       // the 平 day's detail file

test('9101 a .zip as a byte array; 3202 平; 9102 the result file, every row 0', async () => {
  const text = setls.map((s) => line(s)).join('\r\n') + '\r\n';
  const up = await his.upload('H44030000011_detail.zip', zip('detail.txt', text));
  first = ok(up);
  assert.match(first.file_qury_no, /^F\d{18}[A-Za-z0-9]{8}$/);
  assert.ok(first.file_qury_no.length <= 30);
  assert.equal(first.filename, 'H44030000011_detail.zip');
  assert.match(first.dld_endtime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  // the same message again: the first reply, no second file
  assert.equal((await his.post('9101', undefined, { raw: up.sent })).text, up.text);

  const r = ok(await his.call('3202', stmt(first.file_qury_no)));
  assert.equal(r.stmtinfo.stmt_rslt, '0', r.stmtinfo.stmt_rslt_dscr);
  assert.equal(r.stmtinfo.stmt_rslt_dscr, '对账相符；明细3笔相符');
  assert.match(r.fileinfo.file_qury_no, /^F\d{18}/);
  assert.equal(serial(r.fileinfo.file_qury_no), serial(first.file_qury_no) + 1);
  assert.equal(r.fileinfo.filename, `${first.file_qury_no}_RESULT.zip`);
  const rows = await resultRows(his, r.fileinfo);
  assert.deepEqual(Object.keys(rows).sort(), setls.map((s) => s.setl_id).sort());
  for (const s of setls) {
    const row = rows[s.setl_id];
    assert.equal(row.stmt_rslt, '0');
    assert.equal(row.memo, '');
    assert.equal(row.psn_no, s.psn_no);
    assert.equal(row.mdtrt_id, s.mdtrt_id);
    assert.match(row.msgid, /^H44030000011\d{18}$/);     // the 2207's
    assert.equal(row.refd_setl_flag, s.refd ? '1' : '0');
    assert.equal(row.medfee, yuan(s.medfee));
    assert.equal(row.fund, yuan(s.fund));
    assert.equal(row.acct, yuan(s.acct));
  }
});

test('9101 a .txt as base64; 3202 不平: one settlement missing, one amount differing', async () => {
  const [a, b, c] = setls;
  const text = [line(a, { medfee: a.medfee + 1 }), line(c)].join('\n');   // b missing, no last newline
  const up = ok(await his.upload('day.txt', Buffer.from(text), { as: 'base64' }));
  const r = ok(await his.call('3202', stmt(up.file_qury_no)));
  assert.equal(r.stmtinfo.stmt_rslt, '1');
  assert.match(r.stmtinfo.stmt_rslt_dscr, /明细不符 本方3笔 贵方2笔/);
  assert.match(r.stmtinfo.stmt_rslt_dscr, /贵方无1笔/);
  assert.match(r.stmtinfo.stmt_rslt_dscr, /金额不符1笔/);
  const rows = await resultRows(his, r.fileinfo);
  assert.equal(rows[a.setl_id].stmt_rslt, '1');
  assert.equal(rows[a.setl_id].memo, `医疗费总额 本方${yuan(a.medfee)} 贵方${yuan(a.medfee + 1)}`);
  assert.equal(rows[a.setl_id].medfee, yuan(a.medfee));          // ours
  assert.equal(rows[b.setl_id].stmt_rslt, '1');
  assert.equal(rows[b.setl_id].memo, '贵方无此结算');
  assert.equal(rows[c.setl_id].stmt_rslt, '0');
  assert.equal(rows[c.setl_id].refd_setl_flag, '1');

  // the same file from a streaming zip writer: 3202 finds the same
  const streamed = streamedZip('day.txt', text);
  assert.equal(streamed.readUInt16LE(6) & 8, 8);                  // a data descriptor
  const r3 = ok(await his.call('3202', stmt(ok(await his.upload('day.zip', streamed)).file_qury_no)));
  assert.equal(r3.stmtinfo.stmt_rslt_dscr, r.stmtinfo.stmt_rslt_dscr);

  // a settlement only they have; a revocation they do not know of
  const other = ok(await his.upload('d2.txt', Buffer.from([line(a), line(b), line(c, { refd: false }), line(a, { setl_id: '999999' })].join('\n'))));
  const r2 = ok(await his.call('3202', stmt(other.file_qury_no)));
  assert.equal(r2.stmtinfo.stmt_rslt, '1');
  const rows2 = await resultRows(his, r2.fileinfo);
  assert.equal(rows2['999999'].memo, '本方无此结算（或不在对账期间）');
  assert.equal(rows2['999999'].msgid, '');
  assert.equal(rows2[c.setl_id].memo, '撤销状态 本方已撤销 贵方未撤销');
  assert.equal(rows2[a.setl_id].stmt_rslt, '0');
});

test('3202 of a day without settlements by an empty file: 平, an empty result file', async () => {
  const up = ok(await his.upload('empty.zip', zip('empty.txt', '')));
  const r = ok(await his.call('3202', stmt(up.file_qury_no, { stmt_begndate: '2026-01-01', stmt_enddate: '2026-01-01',
    medfee_sumamt: 0, fund_pay_sumamt: 0, cash_payamt: 0, fixmedins_setl_cnt: 0 })));
  assert.equal(r.stmtinfo.stmt_rslt, '0');
  assert.equal(r.stmtinfo.stmt_rslt_dscr, '对账相符；明细0笔相符');
  assert.deepEqual(await resultRows(his, r.fileinfo), {});
  // the same file against today: every settlement of ours is missing on theirs
  const t = ok(await his.call('3202', stmt(up.file_qury_no)));
  assert.match(t.stmtinfo.stmt_rslt_dscr, /^明细不符 本方3笔 贵方0笔：贵方无3笔/);
});

test('9101 over 64 KiB: the larger limit of /nhsa/api/9101 only, for a signed request', async () => {
  // 4,000 lines (about 250 KiB of text): a busy hospital's day
  const many = Array.from({ length: 4000 }, (_, i) => line(setls[0], { setl_id: `X${i}` })).join('\n');
  const big = ok(await his.upload('busy.txt', Buffer.from(many)));
  assert.ok(serial(big.file_qury_no) > serial(first.file_qury_no));
  // his2 posts to /nhsa/api (infno in the envelope only): 64 KiB there
  refused(await his2.upload('busy.txt', Buffer.from(many)), 'nhsa.too_large');
  // unsigned: the server does not keep megabytes for it
  const env = his.envelope('9101', { fsUploadIn: { in: [...Buffer.from(many)], filename: 'busy.txt', fixmedins_code: H1 } });
  refused(await his.post('9101', env, { headers: his.headers({ signature: '0'.repeat(64) }) }), 'nhsa.too_large');
});

test('refusals: encoding of in, corrupt zip, too large, malformed line, another institution; nothing kept', async () => {
  const before = ok(await his.upload('probe.txt', Buffer.from(line(setls[0]))));
  const up = (infno, node) => his.call(infno, { fsUploadIn: { filename: 'x.txt', fixmedins_code: H1, ...node } });
  refused(await up('9101', { in: { a: 1 } }), 'nhsa.file_encoding');
  refused(await up('9101', { in: [49, 256] }), 'nhsa.file_encoding');
  refused(await up('9101', { in: [49, 1.5] }), 'nhsa.file_encoding');
  refused(await up('9101', { in: ['49'] }), 'nhsa.file_encoding');
  refused(await up('9101', { in: 'bm90IGJhc2U2NC!!' }), 'nhsa.file_encoding');
  refused(await up('9101', { in: 12 }), 'nhsa.file_encoding');
  refused(await up('9101', { in: [] }), 'nhsa.missing_field');
  refused(await up('9101', { in: [49], filename: '../x.txt' }), 'nhsa.invalid_field');
  refused(await up('9101', { in: [49], filename: 'x.csv' }), 'nhsa.invalid_field');
  refused(await up('9101', { in: [49], fixmedins_code: H2 }), 'nhsa.institution_mismatch');
  // Gson's signed bytes are bytes too: 0xEF 0xBB 0xBF (a BOM) as -17,-69,-65
  ok(await up('9101', { in: [-17, -69, -65, ...Buffer.from(line(setls[0]))] }));

  // corrupt zip: not a zip; truncated; two entries; no .txt inside
  const good = zip('d.txt', line(setls[0]));
  refused(await his.upload('a.zip', Buffer.from('PK\x03\x04 not really a zip')), 'nhsa.file_invalid');
  refused(await his.upload('a.zip', good.subarray(0, good.length - 10)), 'nhsa.file_invalid');
  refused(await his.upload('a.zip', Buffer.from(zipSync({ 'a.txt': strToU8(line(setls[0])), 'b.txt': strToU8('') }))), 'nhsa.file_invalid');
  refused(await his.upload('a.zip', zip('d.csv', line(setls[0]))), 'nhsa.file_invalid');
  const flipped = Buffer.from(zipSync({ 'd.txt': strToU8(line(setls[0]).repeat(20)) }, { level: 0 }));
  flipped[40] ^= 0xff;                                   // a byte of the data: the CRC fails
  refused(await his.upload('a.zip', flipped), 'nhsa.file_invalid');

  // too large: a zip bomb (17 MiB of text in a few KiB); over 1 MiB of bytes
  const bomb = zip('d.txt', `${line(setls[0])}\n`.repeat(Math.ceil(17 * 1024 * 1024 / (line(setls[0]).length + 1))));
  assert.ok(bomb.length < 200 * 1024);
  const r = await his.upload('bomb.zip', bomb, { as: 'base64' });
  refused(r, 'nhsa.file_too_large');
  assert.match(r.json.err_msg, /^文件过大：/);
  refused(await his.upload('big.txt', Buffer.alloc(1024 * 1024 + 1, 0x31), { as: 'base64' }), 'nhsa.file_too_large');
  // a body over the 9101 limit: the gateway's envelope (or the server's 413 before reading it)
  const huge = await his.upload('huge.txt', Buffer.alloc(7 * 1024 * 1024, 0x31), { as: 'base64' });
  if (huge.status === 413) assert.equal(huge.json.error.code, 'request.too_large');
  else refused(huge, 'nhsa.too_large');

  // malformed lines name the line
  const bad = async (text, want) => {
    const x = await his.upload('bad.txt', Buffer.from(text));
    refused(x, 'nhsa.file_line');
    assert.ok(x.json.err_msg.includes(want), x.json.err_msg);
  };
  const l0 = line(setls[0]);
  await bad(`${l0}\n${l0.split('\t').slice(0, 6).join('\t')}\n`, '第2行 字段数须为7');
  const field = (l, i, v) => l.split('\t').map((f, k) => (k === i ? v : f)).join('\t');
  await bad(`${line(setls[1])}\n${field(l0, 3, '1.005')}`, '第2行 medfee_sumamt');
  await bad(`${line(setls[1])}\n${field(l0, 4, '-1.00')}`, '第2行 fund_pay_sumamt');
  await bad(`${l0}\n${l0}`, '第2行 setl_id重复');
  await bad(`${l0}\n\n${line(setls[1])}`, '第2行 空行');
  await bad(`${line(setls[1])}\n${l0.replace(/\t0$/, '\t2')}`, '第2行 refd_setl_flag');
  await bad(`${l0.replace(setls[0].psn_no, '张三')}`, '第1行 psn_no');
  await bad(`${l0.replace(/^[^\t]+/, 'x'.repeat(31))}`, '第1行 setl_id');

  // nothing was kept by any refusal: the next file follows the probe's
  // (and the one accepted signed-byte upload)
  const after = ok(await his.upload('probe.txt', Buffer.from(line(setls[0]))));
  assert.equal(serial(after.file_qury_no), serial(before.file_qury_no) + 2);

  // a range over a year, or reversed (3201's rule too)
  refused(await his.call('3202', stmt(first.file_qury_no, { stmt_begndate: '2025-01-01', stmt_enddate: '2026-12-31' })), 'reconciliation.invalid');
  refused(await his.call('3202', stmt(first.file_qury_no, { stmt_begndate: '2026-02-02', stmt_enddate: '2026-02-01' })), 'reconciliation.invalid');
  refused(await his.call('3201', { data: { insutype: '310', clr_type: '11', setl_optins: '440300', stmt_begndate: '2026-02-02',
    stmt_enddate: '2026-02-01', medfee_sumamt: 0, fund_pay_sumamt: 0, acct_pay: 0, fixmedins_setl_cnt: 0 } }), 'reconciliation.invalid');

  // another institution's file_qury_no: as absent as none
  refused(await his2.call('3202', stmt(first.file_qury_no)), 'nhsa.file_not_found');
  refused(await his2.download(first.file_qury_no, first.filename), 'nhsa.file_not_found');
  // the wrong filename, an unknown number, a result file as a detail file
  refused(await his.download(first.file_qury_no, 'other.zip'), 'nhsa.file_not_found');
  refused(await his.download('F000000000000000000XXXXXXXX', 'x.zip'), 'nhsa.file_not_found');
  const res = ok(await his.call('3202', stmt(first.file_qury_no))).fileinfo;
  refused(await his.call('3202', stmt(res.file_qury_no)), 'nhsa.file_not_found');
  // its own detail file comes back byte for byte
  const back = ok(await his.download(first.file_qury_no, first.filename));
  const txt = strFromU8(unzipSync(new Uint8Array(Buffer.from(back.out, 'base64')))['detail.txt']);
  assert.equal(txt, setls.map((s) => line(s)).join('\r\n') + '\r\n');
});
