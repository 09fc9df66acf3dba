// concurrency.test.mjs — S8/A2/A3 under load through the real server:
// concurrent settlements over shared family accounts never overdraw and
// never lose an update; an idempotent repeat under concurrency settles
// once (S4); SIGTERM lets the requests in flight finish.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import {
  startServer, seedPerson, seedInstitution, bindWeb, cli, expectError,
} from './helpers.mjs';

let srv, inst;

before(async () => {
  srv = await startServer({ threads: 8 });
  inst = await seedInstitution(srv, 'H-CONC');
});
after(async () => {
  if (!srv) return;    // before() failed and said why
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

const balance = async (p) => (await srv.get(`/api/v1/persons/${p.ssn}`, { token: srv.keys.admin })).json.account.balance_fen;
const ledgerCheck = async () => JSON.parse(await cli(srv.db.url, '--json', 'ledger', 'check'));

test('S8/A2: 64 concurrent settlements over shared family accounts add up exactly', async () => {
  const authorizers = [];
  for (const [i, fen] of [[1, 100000], [2, 80000], [3, 50000]].entries()) {
    authorizers.push({ ...(await seedPerson(srv, { balance: fen, password: `pw-auth-${i}x`, birth: `196${i}0101` })), password: `pw-auth-${i}x` });
  }
  const patients = [];
  for (let i = 0; i < 4; i++) patients.push(await seedPerson(srv, { balance: i === 0 ? 5000 : 0, birth: `199${i}0101` }));
  for (const a of authorizers) await bindWeb(srv, a, patients, 'child');
  const everyone = [...authorizers, ...patients];
  const before_ = await Promise.all(everyone.map(balance));
  const totalBefore = before_.reduce((x, y) => x + y, 0);

  // 64 bills of 3,000–9,950 fen: more than all the accounts hold together.
  const bills = Array.from({ length: 64 }, (_, i) => ({
    txn_id: `C64-${i}`,
    credential: { type: 'id_number', value: patients[i % patients.length].id_number },
    visit_type: i % 3 ? 'outpatient' : 'pharmacy',
    total_fen: 3000 + (i * 7919) % 6951,
    fund_pay_fen: i % 5 === 0 ? 1000 : 0,
  }));
  const results = await Promise.all(bills.map((b) => srv.post('/api/v1/settlements', b, { token: inst.key })));
  const paidBy = new Map();
  let accountTotal = 0;
  for (const [i, r] of results.entries()) {
    assert.equal(r.status, 201, `bill ${i}: ${r.text}`);
    const s = r.json;
    assert.equal(s.fund_pay_fen + s.account_pay_fen + s.cash_pay_fen, s.total_fen);
    assert.equal(s.shares.reduce((x, y) => x + y.amount_fen, 0), s.account_pay_fen);
    for (const sh of s.shares) {
      assert.ok(sh.amount_fen > 0);
      paidBy.set(sh.payer_ssn, (paidBy.get(sh.payer_ssn) || 0) + sh.amount_fen);
    }
    accountTotal += s.account_pay_fen;
  }
  const after_ = await Promise.all(everyone.map(balance));
  for (const [i, p] of everyone.entries()) {
    assert.ok(after_[i] >= 0, 'A2: never below zero');
    assert.equal(before_[i] - after_[i], paidBy.get(p.ssn) || 0, `${p.ssn}: balance moved exactly by its shares`);
  }
  assert.equal(totalBefore - after_.reduce((x, y) => x + y, 0), accountTotal);
  assert.ok(results.some((r) => r.json.cash_pay_fen > 0), 'the accounts ran dry: some cash was paid');
  const check = await ledgerCheck();
  assert.equal(check.ok, true, JSON.stringify(check));
  assert.equal(check.sum_balances_fen, 0, 'A3');
  assert.equal(check.negative_personal, 0);
});

test('S4: the same bill sent 24 times at once settles once', async () => {
  const p = await seedPerson(srv, { balance: 10000 });
  const b = { txn_id: 'IDEM-1', credential: { type: 'id_number', value: p.id_number }, visit_type: 'outpatient', total_fen: 4000, fund_pay_fen: 0 };
  const rs = await Promise.all(Array.from({ length: 24 }, () => srv.post('/api/v1/settlements', b, { token: inst.key })));
  const statuses = rs.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 1, `one 201: ${statuses}`);
  assert.equal(statuses.filter((s) => s === 200).length, 23, `the rest 200: ${statuses}`);
  assert.equal(new Set(rs.map((r) => r.json.settlement_id)).size, 1);
  assert.equal(await balance(p), 6000, 'debited once');
  // and a conflicting repeat racing with good ones is refused, never settled
  const c = await Promise.all([
    srv.post('/api/v1/settlements', { ...b, total_fen: 4001 }, { token: inst.key }),
    srv.post('/api/v1/settlements', b, { token: inst.key }),
  ]);
  expectError(assert, c[0], 409, 'settlement.txn_id_reused');
  assert.equal(c[1].status, 200);
  assert.equal(await balance(p), 6000);
});

test('SIGTERM: a request in flight is finished, then the server exits 0', async () => {
  const s2 = await startServer({ threads: 2, logLevel: 'info' });
  try {
    const body = JSON.stringify({ code: 'E-TERM', name: '关机测试' });
    const half = Math.floor(body.length / 2);
    const sock = connect(s2.port, '127.0.0.1');
    let answer = '';
    sock.on('data', (d) => { answer += d; });
    const closed = new Promise((ok) => sock.on('close', ok));
    await new Promise((ok) => sock.on('connect', ok));
    sock.write(`POST /api/v1/employers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s2.keys.admin}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`);
    await new Promise((ok) => setTimeout(ok, 200));
    s2.child.kill('SIGTERM');
    await new Promise((ok) => setTimeout(ok, 300));
    // no new connections once the server is stopping (a fresh socket: the
    // fetch pool may still hold an idle keep-alive one, which is served)
    const refused = await new Promise((ok) => {
      const probe = connect(s2.port, '127.0.0.1');
      probe.on('connect', () => { probe.destroy(); ok(false); });
      probe.on('error', (e) => ok(e.code === 'ECONNREFUSED'));
    });
    assert.ok(refused, 'the listening socket is closed');
    assert.equal(s2.child.exitCode, null, 'still running while a request is in flight');
    sock.write(body.slice(half));
    await closed;
    assert.match(answer, /^HTTP\/1\.1 201 Created/, answer);
    assert.match(answer, /Connection: close/i);
    assert.match(answer, /"code":"E-TERM"/);
    const exit = await s2.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(s2.stderr, /shutting down/);
  } finally {
    await s2.stop();
  }
});

test('SIGTERM under load: every answer that comes back is whole; exit 0', async () => {
  const s3 = await startServer({ threads: 4 });
  try {
    const inflight = Array.from({ length: 200 }, (_, i) =>
      fetch(`${s3.base}/api/v1/audit?limit=${1 + (i % 50)}`, { headers: { authorization: `Bearer ${s3.keys.admin}` } })
        .then(async (r) => ({ status: r.status, body: await r.text() }), (e) => ({ error: e })));
    await new Promise((ok) => setTimeout(ok, 5));
    s3.child.kill('SIGTERM');
    const rs = await Promise.all(inflight);
    for (const r of rs) {
      if (r.error) continue;        // refused after the listener closed
      assert.equal(r.status, 200);
      assert.ok(Array.isArray(JSON.parse(r.body).items));
    }
    assert.deepEqual(await s3.exited, { code: 0, signal: null });
  } finally {
    await s3.stop();
  }
});
