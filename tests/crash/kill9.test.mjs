// kill9.test.mjs — S4, A1–A3, X3 across crashes: settlements on 16
// connections against the real server, which is killed with SIGKILL at
// random moments and restarted on the same database, again and again.
//
// What it proves, after every restart:
//  - every settlement that was acknowledged with 2xx is still there and
//    identical: the idempotent repeat with the same txn_id answers 200 and
//    the very same object (S4) — an acknowledged write is never lost;
//  - a settlement whose answer was lost with the connection either
//    happened once or not at all: its repeat answers 200 (it committed)
//    or 201 (it did not, and settles now) — never a half;
// and at the end (and every YB_KILL_CHECK_EVERY kills):
//  - the balances moved by exactly the sum of the settlements' account
//    shares (nothing lost, nothing doubled), `yibao ledger check` balances
//    (A1–A3) and `yibao audit verify` passes (X3).
// Everything goes through the public HTTP API and the CLI, so the test does
// not depend on how either engine stores it.
//
// Knobs (environment): YB_KILLS (default 20), YB_KILL_SEED (random by
// default; printed, so a failure can be replayed), YB_KILL_CHECK_EVERY
// (default 5), YB_KILL_REPORT (a file to write the figures to, as JSON).
// Long run: YB_KILLS=1000 node --test tests/crash/kill9.test.mjs
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import {
  BIN, ENGINE, Server, startServer, seedPerson, seedInstitution, bindWeb, cli, freePort,
} from '../api/helpers.mjs';

const KILLS = Number(process.env.YB_KILLS || 20);
const SEED = Number(process.env.YB_KILL_SEED || Math.floor(Math.random() * 2 ** 31));
const CHECK_EVERY = Number(process.env.YB_KILL_CHECK_EVERY || 5);
const CONNS = 16;
const PATIENTS = 24;

/* mulberry32: a small seeded generator, so a failing run can be replayed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(SEED);
const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

let first;          // the server helpers.mjs made: owns the database and dir
let proc = null;    // the server process running now
after(async () => {
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  if (first) await first.stop('SIGKILL');
});

/* (Re)start `yibao serve` on the same database, on a fresh port. */
async function launch(db) {
  const port = await freePort();
  const child = spawn(BIN, ['--db', db.url, 'serve', '--listen', `127.0.0.1:${port}`,
    '--threads', '4', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNS });
  return { child, port, agent, exited, stderr: () => stderr };
}

async function waitHealthy(p, ms = 30000) {
  const until = Date.now() + ms;
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`server exited ${p.child.exitCode}: ${p.stderr()}`);
    const r = await request(p, 'GET', '/healthz');
    if (r.status === 200) return;
    if (Date.now() > until) throw new Error(`server not healthy: ${p.stderr()}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

/* One request over the process's keep-alive pool.  A lost connection is
 * {status: 0} — the outcome of a write is then unknown. */
function request(p, method, path, { token, body } = {}) {
  return new Promise((ok) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) { headers['content-type'] = 'application/json'; headers['content-length'] = Buffer.byteLength(payload); }
    const req = http.request({ host: '127.0.0.1', port: p.port, method, path, headers, agent: p.agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        ok({ status: res.statusCode, text, json });
      });
      res.on('error', (e) => ok({ status: 0, error: e }));
    });
    req.on('error', (e) => ok({ status: 0, error: e }));
    if (payload) req.write(payload);
    req.end();
  });
}

test(`kill -9 under load (${ENGINE}): ${KILLS} kills, no acknowledged settlement lost`, { timeout: Infinity }, async () => {
  process.stderr.write(`kill9: engine ${ENGINE}, ${KILLS} kills, seed YB_KILL_SEED=${SEED}\n`);
  // The cast: an institution, patients with money, and families so that
  // settlements also move relatives' accounts (S3), set up by the server
  // helpers.mjs starts; then that server is killed too and only the
  // database is kept.
  const T0 = Date.now();
  first = await startServer({ threads: 4 });
  const inst = await seedInstitution(first, 'H-KILL9');
  const patients = [];
  for (let i = 0; i < PATIENTS; i++) {
    // only the authorizers log in (Argon2id is slow on purpose)
    const password = i % 4 === 0 && i < 12 ? `pw-kill9-${i}` : undefined;
    patients.push({ ...(await seedPerson(first, {
      balance: i % 4 === 3 ? 0 : 5_000_000, password, birth: `19${60 + i}0101`,
    })), password });
  }
  for (let i = 0; i < 12; i += 4) await bindWeb(first, patients[i], [patients[i + 3]], 'child');
  const balances = async (p) => Promise.all(patients.map(async (x) =>
    (await request(p, 'GET', `/api/v1/persons/${x.ssn}`, { token: first.keys.admin })).json.account?.balance_fen ?? 0));
  first.child.kill('SIGKILL');
  await first.exited;

  const acked = new Map();     // txn_id → { body, answer }: what was acknowledged
  const settled = new Map();   // txn_id → answer: acknowledged or resolved later
  let unknown = [];            // bodies whose answer was lost with the connection
  let refused = 0, serial = 0, underLoad = 0, duringStart = 0, roundsChecked = 0;
  const key = inst.key;

  proc = await launch(first.db);
  await waitHealthy(proc);
  const start = await balances(proc);
  const t0 = Date.now();
  process.stderr.write(`kill9: set up in ${t0 - T0} ms\n`);

  const bill = () => {
    serial += 1;
    const who = patients[between(0, PATIENTS - 1)];
    const total = between(100, 20000);
    return {
      txn_id: `K9-${SEED}-${serial}`,
      credential: { type: 'id_number', value: who.id_number },
      visit_type: rand() < 0.7 ? 'outpatient' : 'pharmacy',
      total_fen: total,
      fund_pay_fen: rand() < 0.3 ? Math.floor(total / 3) : 0,
    };
  };

  for (let kill = 1; kill <= KILLS; kill++) {
    // One kill in ten falls while the server is starting up (recovery,
    // migrations check); the rest under the load of 16 connections.
    const atStart = kill % 10 === 0;
    let stop = false;
    const fresh = [];
    const worker = async () => {
      while (!stop) {
        const b = bill();
        const r = await request(proc, 'POST', '/api/v1/settlements', { token: key, body: b });
        if (r.status === 201 || r.status === 200) {
          acked.set(b.txn_id, { body: b, answer: r.json });
          settled.set(b.txn_id, r.json);
          fresh.push(b.txn_id);
        } else if (r.status === 0) {
          unknown.push(b);
          return;                  // the server is gone
        } else {
          // a refusal changes nothing (store.busy under load, say); the
          // repeat decides what happened all the same
          refused += 1;
          unknown.push(b);
        }
      }
    };
    let workers = [];
    if (atStart) {
      proc.child.kill('SIGKILL');
      await proc.exited;
      proc = await launch(first.db);
      await new Promise((ok) => setTimeout(ok, between(0, 30)));
      duringStart += 1;
    } else {
      workers = Array.from({ length: CONNS }, worker);
      await new Promise((ok) => setTimeout(ok, between(30, 400)));
      underLoad += 1;
    }
    proc.child.kill('SIGKILL');
    const exit = await proc.exited;
    assert.equal(exit.signal, 'SIGKILL', `kill ${kill}: the server was killed, not gone by itself: ${proc.stderr()}`);
    stop = true;
    await Promise.all(workers);
    proc.agent.destroy();

    proc = await launch(first.db);
    await waitHealthy(proc);

    // Acknowledged in this round: there, and the same (S4).
    for (const t of fresh) {
      const { body, answer } = acked.get(t);
      const r = await request(proc, 'POST', '/api/v1/settlements', { token: key, body });
      assert.equal(r.status, 200, `kill ${kill}: acknowledged ${t} is not there: ${r.status} ${r.text}`);
      assert.deepEqual(r.json, answer, `kill ${kill}: acknowledged ${t} changed`);
    }
    // Lost answers: the repeat settles it once, or finds it settled.
    for (const b of unknown) {
      const r = await request(proc, 'POST', '/api/v1/settlements', { token: key, body: b });
      assert.ok(r.status === 200 || r.status === 201, `kill ${kill}: ${b.txn_id}: ${r.status} ${r.text}`);
      settled.set(b.txn_id, r.json);
    }
    unknown = [];

    if (kill % CHECK_EVERY === 0 || kill === KILLS) {
      await checkBooks(first.db, `after kill ${kill}`);
      roundsChecked += 1;
    }
  }

  const tLoop = Date.now();
  // Every acknowledged settlement, once more, after all the kills.
  for (const [t, { body, answer }] of acked) {
    const r = await request(proc, 'POST', '/api/v1/settlements', { token: key, body });
    assert.equal(r.status, 200, `${t}: ${r.text}`);
    assert.deepEqual(r.json, answer, `${t} changed`);
  }
  // The money: each account moved by exactly its shares, no more, no less.
  const end = await balances(proc);
  const paid = new Map();
  for (const s of settled.values()) for (const sh of s.shares) paid.set(sh.payer_ssn, (paid.get(sh.payer_ssn) || 0) + sh.amount_fen);
  for (const [i, p] of patients.entries()) {
    assert.equal(start[i] - end[i], paid.get(p.ssn) || 0, `${p.ssn}: balance moved by exactly its shares`);
  }
  proc.child.kill('SIGKILL');
  await proc.exited;
  proc.agent.destroy();
  await checkBooks(first.db, 'at the end');

  const figures = {
    engine: ENGINE, seed: SEED, kills: KILLS, kills_under_load: underLoad, kills_during_start: duringStart,
    settlements_acknowledged: acked.size, settlements_total: settled.size,
    answers_lost_with_connection: settled.size - acked.size, refused_under_load: refused,
    books_checked: roundsChecked + 1, lost: 0, kill_loop_ms: tLoop - t0,
  };
  process.stderr.write(`kill9: ${JSON.stringify(figures)}\n`);
  if (process.env.YB_KILL_REPORT) writeFileSync(process.env.YB_KILL_REPORT, JSON.stringify(figures, null, 2) + '\n');
  assert.ok(acked.size > KILLS, `the load acknowledged settlements (${acked.size})`);
});

/* A1–A3 and X3 through the CLI, as an operator would check after a crash. */
async function checkBooks(db, when) {
  const ledger = JSON.parse(await cli(db.url, '--json', 'ledger', 'check'));
  assert.equal(ledger.ok, true, `${when}: ledger check ${JSON.stringify(ledger)}`);
  assert.equal(ledger.sum_balances_fen, 0, `${when}: A3`);
  assert.equal(ledger.negative_personal, 0, `${when}: A2`);
  const audit = JSON.parse(await cli(db.url, '--json', 'audit', 'verify'));
  assert.equal(audit.ok, true, `${when}: audit verify ${JSON.stringify(audit)}`);
}
