// records.test.mjs — records and proofs (SPEC R1–R4) through the real
// server, on the engine asked for (both in `make test`):
//   R1 statements as CSV (UTF-8 with BOM) and PDF, streamed, for the
//      person, on his behalf, and for an employer (Q2);
//   R2 proofs: the PDF's text read back with pdftotext, its QR code
//      decoded with zbarimg (from a pdftoppm rendering) to a URL whose
//      code verifies; a changed, made-up or revoked code does not;
//   R3 gaps; R4 arrears per employee, for the person himself, and the
//      agency's sortable list with its CSV;
// and every refusal with its stable code: another person's statement,
// an employer outside its scope, bad periods, a century.
//
// Months are relative to today in Asia/Shanghai, as the server counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, seedPerson, login, expectError } from './helpers.mjs';

const run = promisify(execFile);
let srv, dir, seq = 0;

/* Month arithmetic on "YYYY-MM". */
function nowMonth() {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(new Date());
  return `${p.find((x) => x.type === 'year').value}-${p.find((x) => x.type === 'month').value}`;
}
const toK = (m) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
const toM = (k) => `${Math.floor(k / 12)}-${String(k % 12 + 1).padStart(2, '0')}`;
const add = (m, n) => toM(toK(m) + n);
const NOW = nowMonth();
const CLOSED = add(NOW, -1);

before(async () => {
  srv = await startServer({ threads: 4 });
  dir = await mkdtemp(join(tmpdir(), 'yb-records-'));
  for (const code of ['E-R1', 'E-R2']) {
    const r = await srv.post('/api/v1/employers', { code, name: `单位${code}` }, { token: srv.keys.admin });
    assert.equal(r.status, 201, r.text);
  }
  srv.window = await srv.key('agency_window');
  srv.emp1 = await srv.key('employer', { employer: 'E-R1' });
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  if (!srv) return;
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

async function pay(ssn, period, employer = 'E-R1', credit = 25000) {
  const r = await srv.post('/api/v1/contributions', {
    ssn, period, employer_code: employer, base_fen: 1000000, employer_fen: 60000,
    personal_fen: 20000, account_credit_fen: credit,
  }, { token: srv.keys.admin });
  assert.equal(r.status, 201, r.text);
}

/* A person of E-R1 with a portal login, paid for the months given. */
async function worker(months, { employer = 'E-R1', name = '王小明' } = {}) {
  const password = `pw-rec-${++seq}x`;
  const p = await seedPerson(srv, { password, name, employer, birth: `1980010${seq % 9 + 1}` });
  for (const m of months) await pay(p.ssn, m, employer);
  return { ...p, password, token: await login(srv, p.ssn, password) };
}

const range = (from, to) => Array.from({ length: toK(to) - toK(from) + 1 }, (_, i) => add(from, i));

/* GET a file: status, headers and the raw bytes. */
async function getFile(path, token) {
  const res = await fetch(srv.base + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function pdfText(bytes) {
  const f = join(dir, `doc-${++seq}.pdf`);
  await writeFile(f, bytes);
  const { stdout } = await run('pdftotext', ['-layout', f, '-']);
  return { file: f, text: stdout };
}

/* ---- R1 ------------------------------------------------------------------ */

test('R1: a person downloads his contribution records of a period as CSV with a BOM, streamed', async () => {
  const a = await worker(range(add(NOW, -30), CLOSED));
  const from = add(NOW, -14), to = add(NOW, -3);
  const r = await getFile(`/api/v1/me/statements/contributions?from=${from}&to=${to}`, a.token);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(r.headers.get('transfer-encoding'), 'chunked', 'streamed, not buffered whole');
  assert.match(r.headers.get('content-disposition'), new RegExp(`attachment; filename="contributions-${a.ssn}-${from}-${to}\\.csv"`));
  assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
  const lines = r.bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
  assert.equal(lines[0], '所属期,缴费单位,缴费基数(元),单位缴纳(元),个人缴纳(元),划入个人账户(元),备注');
  assert.equal(lines.length, 1 + 12, 'twelve months, no more');
  assert.equal(lines[1], `${from},E-R1,10000.00,600.00,200.00,250.00,`);
  assert.equal(lines[12].slice(0, 7), to);
});

test('R1: the same records as a PDF (pdftotext reads them back), and the account entries', async () => {
  const a = await worker(range(add(NOW, -5), CLOSED), { name: '李建国' });
  const r = await getFile(`/api/v1/me/statements/contributions?from=${add(NOW, -5)}&to=${NOW}&format=pdf`, a.token);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.equal(r.bytes.subarray(0, 5).toString(), '%PDF-');
  const { text } = await pdfText(r.bytes);
  assert.match(text, /参保缴费明细/);
  assert.match(text, /李建国/);
  assert.ok(text.includes(a.ssn));
  assert.ok(text.includes(`${a.id_number.slice(0, 6)}********${a.id_number.slice(14)}`), 'ID number masked');
  for (const m of range(add(NOW, -5), CLOSED)) assert.ok(text.includes(m), `row ${m}`);
  assert.match(text, /共\s*5\s*条/);
  assert.match(text, /划入\s*个人账户\s*1,250\.00\s*元/);

  const l = await getFile(`/api/v1/me/statements/ledger?from=${add(NOW, -5)}&to=${NOW}`, a.token);
  assert.equal(l.status, 200);
  const rows = l.bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
  assert.equal(rows[0], '记账时间,摘要,业务编号,收支(元),余额(元)');
  assert.equal(rows.length, 1 + 5, 'five contributions credited this month');
  assert.match(rows[5], /,缴费划入,contribution:.*,\+250\.00,1250\.00$/);
  const lp = await getFile(`/api/v1/me/statements/ledger?format=pdf`, a.token);
  const { text: lt } = await pdfText(lp.bytes);
  assert.match(lt, /个人账户明细/);
  assert.match(lt, /期末余额\s*1,250\.00\s*元/);
});

test('R1: an operator downloads a person\'s statement on his behalf; another person may not', async () => {
  const a = await worker([CLOSED]);
  const b = await worker([CLOSED]);
  const r = await getFile(`/api/v1/persons/${b.ssn}/statements/contributions?from=${CLOSED}&to=${CLOSED}`, srv.window);
  assert.equal(r.status, 200);
  assert.ok(r.bytes.toString('utf8').includes(`${CLOSED},E-R1,`));
  // a person asks for b's statement: refused, with its code, as JSON
  for (const path of [`/api/v1/persons/${b.ssn}/statements/contributions`, `/api/v1/persons/${b.ssn}/statements/ledger`])
    expectError(assert, await srv.get(path, { token: a.token }), 403, 'auth.forbidden');
  expectError(assert, await srv.get('/api/v1/persons/699999999/statements/contributions', { token: srv.window }), 404, 'person.not_found');
});

test('R1, Q2: an employer downloads its own employees\' records, and no other employer\'s', async () => {
  const mine = await worker([add(NOW, -2)]);
  const theirs = await worker([add(NOW, -2)], { employer: 'E-R2' });
  const r = await getFile(`/api/v1/employers/E-R1/statements/contributions?from=${add(NOW, -2)}&to=${add(NOW, -2)}`, srv.emp1);
  assert.equal(r.status, 200);
  const text = r.bytes.toString('utf8');
  assert.ok(text.includes(mine.ssn));
  assert.ok(!text.includes(theirs.ssn), 'nobody of another employer');
  const pdf = await getFile(`/api/v1/employers/E-R1/statements/contributions?format=pdf`, srv.emp1);
  assert.match((await pdfText(pdf.bytes)).text, /单位职工缴费明细/);
  expectError(assert, await srv.get('/api/v1/employers/E-R2/statements/contributions', { token: srv.emp1 }), 403, 'record.outside_scope');
  expectError(assert, await srv.get('/api/v1/employers/E-R2/arrears', { token: srv.emp1 }), 403, 'record.outside_scope');
  expectError(assert, await srv.get('/api/v1/employers/E-NONE/statements/contributions', { token: srv.window }), 404, 'employer.not_found');
});

test('R1: bad periods and a period of a century are refused before anything is sent', async () => {
  const a = await worker([]);
  const cases = [
    ['from=2026-13&to=2026-12', 'period.invalid'],
    ['from=2026-01&to=2026-13', 'period.invalid'],
    ['from=2026-00&to=2026-01', 'period.invalid'],
    ['from=2026-1&to=2026-02', 'period.invalid'],
    ['from=2026-06&to=2026-01', 'period.invalid'],
    ['from=1926-01&to=2025-12', 'period.too_long'],
    ['from=1976-12&to=2026-12', 'period.too_long'],
  ];
  for (const kind of ['contributions', 'ledger']) {
    for (const [q, code] of cases)
      expectError(assert, await srv.get(`/api/v1/me/statements/${kind}?${q}`, { token: a.token }), 400, code);
    expectError(assert, await srv.get(`/api/v1/me/statements/${kind}?format=xlsx`, { token: a.token }), 400, 'record.invalid_format');
  }
  // fifty years is the longest period, and is served
  const ok = await getFile('/api/v1/me/statements/contributions?from=1977-01&to=2026-12', a.token);
  assert.equal(ok.status, 200);
  expectError(assert, await srv.get('/api/v1/me/gaps', { token: srv.emp1 }), 403, 'auth.forbidden');
  expectError(assert, await srv.get('/api/v1/arrears?from=2026-13', { token: srv.window }), 400, 'period.invalid');
  expectError(assert, await srv.get('/api/v1/me/arrears?from=1900-01&to=2026-01', { token: a.token }), 400, 'period.too_long');
});

/* ---- R2 -------------------------------------------------------------------- */

/* The QR code of a PDF's first page, decoded. */
async function qrOf(file) {
  const png = join(dir, `qr-${++seq}`);
  await run('pdftoppm', ['-r', '150', '-png', '-singlefile', '-f', '1', '-l', '1', file, png]);
  const { stdout } = await run('zbarimg', ['-q', '--raw', `${png}.png`]);
  return stdout.trim();
}

test('R2: a person\'s proof of insurance: its text, and a QR code that verifies', async () => {
  const months = [...range(add(NOW, -26), add(NOW, -15)), ...range(add(NOW, -12), CLOSED)];
  const a = await worker(months, { name: '陈大文' });
  const issued = await srv.post('/api/v1/me/proofs', undefined, { token: a.token });
  assert.equal(issued.status, 201, issued.text);
  const code = issued.json.code;
  assert.match(code, /^[A-Z2-7]{26}$/, '130 random bits in base32');
  assert.equal(issued.json.verdict, 'genuine');
  assert.equal(issued.json.stated.total_months, months.length);
  assert.equal(issued.json.stated.gap_months, 2);
  assert.equal(issued.json.stated.continuity_months, 12);

  const pdf = await getFile(issued.json.pdf_url, a.token);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const { file, text } = await pdfText(pdf.bytes);
  assert.match(text, /参保证明/);
  assert.match(text, /陈大文/);
  assert.ok(text.includes(a.ssn));
  assert.ok(text.includes(`${a.id_number.slice(0, 6)}********${a.id_number.slice(14)}`), 'ID masked');
  assert.ok(!text.includes(a.id_number), 'never the whole ID number');
  assert.match(text, /职工医保一档/);
  assert.match(text, /参保正常/);
  assert.match(text, new RegExp(`累计参保月数\\s+${months.length}\\s*个月`));
  assert.match(text, /连续参保月数\s+12\s*个月/);
  assert.match(text, /断缴月数\s+2\s*个月/);
  for (const y of new Set(months.map((m) => m.slice(0, 4)))) assert.ok(text.includes(y), `year ${y}`);
  assert.match(text, /深圳市医疗保障局/);
  assert.match(text, /出具时间：\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}/);
  assert.ok(text.includes(code), 'the verification code');

  // the QR code points at /verify/{code}, which says genuine
  const url = await qrOf(file);
  assert.equal(url, `http://127.0.0.1:8080/verify/${code}`, 'the setting proof_verify_url, then the code');
  const path = new URL(url).pathname;
  const page = await srv.get(path);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.text, /真实有效/);
  assert.match(page.text, /陈\*/, 'the name masked');
  assert.ok(!page.text.includes(a.ssn), 'the SSN masked');
  const v = await srv.get(`/api/v1/verify/${code}`);
  assert.equal(v.status, 200);
  assert.equal(v.json.genuine, true);
  assert.equal(v.json.stated.name, '陈*');
  assert.equal(v.json.stated.ssn, `${a.ssn.slice(0, 3)}****${a.ssn.slice(-2)}`);
  assert.equal(v.json.stated.total_months, months.length);
  assert.equal(v.json.stated.years.length, new Set(months.map((m) => m.slice(0, 4))).size);
});

test('R2: a changed or made-up code is not genuine; a revoked proof says so; others cannot fetch it', async () => {
  const a = await worker([CLOSED]);
  const b = await worker([CLOSED]);
  const { code } = (await srv.post('/api/v1/me/proofs', undefined, { token: a.token })).json;
  const changed = code.slice(0, 10) + (code[10] === 'A' ? 'B' : 'A') + code.slice(11);
  for (const c of [changed, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'not-a-code', code.slice(0, 25)]) {
    const v = await srv.get(`/api/v1/verify/${encodeURIComponent(c)}`);
    assert.equal(v.status, 200);
    assert.equal(v.json.genuine, false, c);
    assert.equal(v.json.verdict, 'unknown');
    assert.equal(v.json.stated, null);
    const page = await srv.get(`/verify/${encodeURIComponent(c)}`);
    assert.match(page.text, /无法核验/);
  }
  // lower case as typed on a phone is the same code
  assert.equal((await srv.get(`/api/v1/verify/${code.toLowerCase()}`)).json.genuine, true);
  // b cannot see a's proof: to him it does not exist
  expectError(assert, await srv.get(`/api/v1/proofs/${code}/pdf`, { token: b.token }), 404, 'proof.not_found');
  expectError(assert, await srv.get(`/api/v1/proofs/${code}`, { token: b.token }), 404, 'proof.not_found');
  expectError(assert, await srv.post(`/api/v1/persons/${a.ssn}/proofs`, undefined, { token: b.token }), 403, 'auth.forbidden');
  // a person does not revoke; the agency does, once, with a reason
  expectError(assert, await srv.post(`/api/v1/proofs/${code}/revocation`, { reason: 'x' }, { token: a.token }), 403, 'auth.forbidden');
  expectError(assert, await srv.post(`/api/v1/proofs/${code}/revocation`, { reason: '' }, { token: srv.window }), 400, 'proof.invalid_reason');
  const rv = await srv.post(`/api/v1/proofs/${code}/revocation`, { reason: '信息有误' }, { token: srv.window });
  assert.equal(rv.status, 200, rv.text);
  assert.equal(rv.json.verdict, 'revoked');
  expectError(assert, await srv.post(`/api/v1/proofs/${code}/revocation`, { reason: 'again' }, { token: srv.window }), 409, 'proof.already_revoked');
  expectError(assert, await srv.post(`/api/v1/proofs/${changed}/revocation`, { reason: 'none' }, { token: srv.window }), 404, 'proof.not_found');
  const v = await srv.get(`/api/v1/verify/${code}`);
  assert.equal(v.json.genuine, false);
  assert.equal(v.json.verdict, 'revoked');
  assert.equal(v.json.revoke_reason, '信息有误');
  assert.equal(v.json.stated.total_months, 1, 'still what it stated');
  assert.match((await srv.get(`/verify/${code}`)).text, /已撤销/);
  // the revoked proof's PDF says so too
  const { text } = await pdfText((await getFile(`/api/v1/proofs/${code}/pdf`, a.token)).bytes);
  assert.match(text, /本证明已于.*撤销：信息有误/);
  // listed, newest first, for him and for the agency
  const mine = await srv.get('/api/v1/me/proofs', { token: a.token });
  assert.equal(mine.json.items[0].code, code);
  assert.ok(mine.json.items[0].revoked_at);
  const ops = await srv.get(`/api/v1/persons/${a.ssn}/proofs`, { token: srv.window });
  assert.equal(ops.json.items.length, 1);
  // an operator issues one on a person's behalf
  const o = await srv.post(`/api/v1/persons/${b.ssn}/proofs`, undefined, { token: srv.window });
  assert.equal(o.status, 201, o.text);
  assert.equal(o.json.stated.ssn, b.ssn);
});

/* ---- R3 -------------------------------------------------------------------------- */

test('R3: a person\'s gaps since his first contribution, listed and counted, with the explanation', async () => {
  const first = add(NOW, -12);
  const paid = range(first, CLOSED).filter((m) => ![add(NOW, -9), add(NOW, -8), add(NOW, -4)].includes(m));
  const a = await worker(paid);
  const g = await srv.get('/api/v1/me/gaps', { token: a.token });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.first_month, first);
  assert.equal(g.json.last_closed_month, CLOSED);
  assert.equal(g.json.gap_months, 3);
  assert.deepEqual(g.json.gaps, [
    { from: add(NOW, -9), to: add(NOW, -8), months: 2 },
    { from: add(NOW, -4), to: add(NOW, -4), months: 1 },
  ]);
  assert.equal(g.json.continuity_months, 3);
  assert.match(g.json.explanation, /断缴/, 'the setting gap_explanation');
  const ops = await srv.get(`/api/v1/persons/${a.ssn}/gaps`, { token: srv.window });
  assert.deepEqual(ops.json, g.json);
  const none = await worker([]);
  const n = await srv.get('/api/v1/me/gaps', { token: none.token });
  assert.equal(n.json.first_month, null);
  assert.deepEqual(n.json.gaps, []);
});

/* ---- R4 ------------------------------------------------------------------------------ */

test('R4: an employer\'s employees in arrears, the person\'s own view, the agency\'s sorted list and CSV', async () => {
  await srv.post('/api/v1/employers', { code: 'E-ARR', name: '欠缴测试单位' }, { token: srv.keys.admin });
  const from = add(NOW, -6), to = CLOSED;
  const full = await worker(range(add(NOW, -12), CLOSED), { employer: 'E-ARR', name: '赵一' });
  const short = await worker(range(add(NOW, -12), add(NOW, -4)), { employer: 'E-ARR', name: '钱二' });
  const empKey = await srv.key('employer', { employer: 'E-ARR' });

  const r = await srv.get(`/api/v1/employers/E-ARR/arrears?from=${from}&to=${to}`, { token: empKey });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.employees, 2);
  assert.equal(r.json.employees_in_arrears, 1);
  assert.equal(r.json.missing_months, 3);
  assert.equal(r.json.items.length, 1);
  assert.equal(r.json.items[0].ssn, short.ssn);
  assert.equal(r.json.items[0].name, '钱*', 'an employer sees names masked (Q3)');
  assert.deepEqual(r.json.items[0].missing, [{ from: add(NOW, -3), to: CLOSED, months: 3 }]);
  const ops = await srv.get(`/api/v1/employers/E-ARR/arrears?from=${from}&to=${to}`, { token: srv.window });
  assert.equal(ops.json.items[0].name, '钱二');
  const csv = await getFile(`/api/v1/employers/E-ARR/arrears?from=${from}&to=${to}&format=csv`, srv.window);
  assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  const lines = csv.bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
  assert.equal(lines.length, 2);
  assert.match(lines[1], new RegExp(`^E-ARR,欠缴测试单位,${short.ssn},钱二,参保正常,${from},${to},3,${add(NOW, -3)}—${CLOSED}$`));

  // the person sees his own employer's missing months, for him only
  const mine = await srv.get(`/api/v1/me/arrears?from=${from}&to=${to}`, { token: short.token });
  assert.equal(mine.json.employer_code, 'E-ARR');
  assert.equal(mine.json.items.length, 1);
  assert.equal(mine.json.items[0].ssn, short.ssn);
  assert.equal(mine.json.items[0].missing_months, 3);
  const other = await srv.get(`/api/v1/me/arrears?from=${from}&to=${to}`, { token: full.token });
  assert.equal(other.json.items[0].missing_months, 0);
  assert.ok(!JSON.stringify(other.json).includes(short.ssn), 'not a colleague\'s');

  // the agency's list: E-ARR among the employers in arrears, sortable, CSV
  const list = await srv.get(`/api/v1/arrears?from=${from}&to=${to}&sort=missing_months`, { token: srv.window });
  assert.equal(list.status, 200, list.text);
  const row = list.json.items.find((x) => x.employer_code === 'E-ARR');
  assert.deepEqual(row, { employer_code: 'E-ARR', employer_name: '欠缴测试单位', employees: 2, employees_in_arrears: 1, missing_months: 3 });
  const counts = list.json.items.map((x) => x.missing_months);
  assert.deepEqual(counts, [...counts].sort((x, y) => y - x), 'largest first');
  const byCode = await srv.get(`/api/v1/arrears?from=${from}&to=${to}&sort=employer_code`, { token: srv.window });
  const codes = byCode.json.items.map((x) => x.employer_code);
  assert.deepEqual(codes, [...codes].sort(), 'codes A to Z');
  const desc = await srv.get(`/api/v1/arrears?from=${from}&to=${to}&sort=employer_code&order=desc`, { token: srv.window });
  assert.deepEqual(desc.json.items.map((x) => x.employer_code), [...codes].reverse());
  expectError(assert, await srv.get('/api/v1/arrears?sort=salary', { token: srv.window }), 400, 'record.invalid_sort');
  expectError(assert, await srv.get('/api/v1/arrears?order=up', { token: srv.window }), 400, 'record.invalid_sort');
  expectError(assert, await srv.get('/api/v1/arrears', { token: empKey }), 403, 'auth.forbidden');
  expectError(assert, await srv.get('/api/v1/arrears', { token: short.token }), 403, 'auth.forbidden');
  const lcsv = await getFile(`/api/v1/arrears?from=${from}&to=${to}&format=csv`, srv.window);
  const l = lcsv.bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
  assert.equal(l[0], '单位代码,单位名称,核对起始月,核对截止月,职工人数,欠缴人数,欠缴人月数');
  assert.ok(l.includes(`E-ARR,欠缴测试单位,${from},${to},2,1,3`));
});
