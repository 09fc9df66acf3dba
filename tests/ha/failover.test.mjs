// failover.test.mjs — settlements under load on 8 connections while the
// PostgreSQL primary is killed (kill -9) and its synchronous standby
// promoted (issue 16, pgha).  Run by failover.sh inside
// scripts/with-pg-ha; YB_KILL_AFTER = how many acknowledged settlements
// before the kill.  Also run by scripts/patroni-demo against two Patroni
// nodes, with YB_PG_HA_AUTO=1: there Patroni promotes and
// YB_PG_HA_PROMOTE only waits until it has.  What must hold:
//  - the server carries on: no crash; requests during the outage get 503
//    with a stable code (store.unavailable / store.busy) and Retry-After,
//    never hang past the client's timeout; /healthz says 503 meanwhile;
//  - every settlement acknowledged with 2xx is present and identical on
//    the new primary (synchronous commit: nothing acknowledged is lost);
//  - a settlement retried with its txn_id after the failover gets the
//    original result or is settled once, never twice (S4);
//  - ledger check and audit verify pass on the new primary (A1, X3).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { exec } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, seedPerson, seedInstitution, cli } from '../api/helpers.mjs';

const sh = promisify(exec);
const KILL_AFTER = Number(process.env.YB_KILL_AFTER || 20);
const CONNS = 8;
const PER_CONN = 40;                 // settlements each connection makes
const REQUEST_TIMEOUT_MS = 15000;    // a request answering later is a hang
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

let srv;
after(async () => { if (srv) await srv.stop(); });

async function post(path, body, token) {
  const res = await fetch(srv.base + path, {
    method: 'POST', body: JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

// 300 s: a safety net only (4 s on an idle machine, 20–35 s at load 15);
// the timeout that means something is REQUEST_TIMEOUT_MS.
test(`failover after ${KILL_AFTER} acknowledged settlements`, { timeout: 300000 }, async () => {
  srv = await startServer({ threads: CONNS });
  const inst = await seedInstitution(srv, 'H-HA');
  const patients = await Promise.all(Array.from({ length: 16 },
    (_, i) => seedPerson(srv, { balance: 1000000, name: `患者${i}` })));

  const acked = new Map();           // txn_id → first 2xx answer
  const unavailable = [];            // 503 answers seen
  let killed = false, promoted = false;
  // For the record (scripts/patroni-demo prints it): when the kill
  // happened; ms after it, the promotion seen and the first settlement
  // acknowledged of those sent after the kill (one sent before may still
  // be acknowledged by the old primary: it committed there, and on the
  // standby, before the kill); what /healthz said 0.3 s after it.
  const at = { kill: 0, promoted: 0, firstAck: 0, healthz: 0 };

  async function failover() {
    while (acked.size < KILL_AFTER) await sleep(5);
    await sh(process.env.YB_PG_HA_KILL);
    at.kill = Date.now();
    killed = true;
    await sleep(300);                // the server meets a dead database
    const h = await fetch(srv.base + '/healthz', { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    at.healthz = h.status;
    // With an automatic failover (Patroni: scripts/patroni-demo,
    // YB_PG_HA_AUTO=1) the new primary may already be there.
    if (!process.env.YB_PG_HA_AUTO) assert.equal(h.status, 503, '/healthz says the database is not reachable');
    await h.text();
    await sh(process.env.YB_PG_HA_PROMOTE);
    at.promoted = Date.now() - at.kill;
    promoted = true;
  }

  async function worker(w) {
    for (let n = 0; n < PER_CONN; n++) {
      const p = patients[(w * PER_CONN + n) % patients.length];
      const body = {
        txn_id: `ha-${w}-${n}`, credential: { type: 'id_number', value: p.id_number },
        visit_type: 'outpatient', total_fen: 1000 + n, fund_pay_fen: 300,
      };
      // the hospital retries the same txn_id until it has an answer
      for (let attempt = 0; ; attempt++) {
        let r;
        const sent = Date.now();
        try {
          r = await post('/api/v1/settlements', body, inst.key);
        } catch (e) {
          if (e.name === 'TimeoutError') throw new Error(`request hung past ${REQUEST_TIMEOUT_MS} ms`);
          throw e;
        }
        if (r.status === 201 || r.status === 200) {
          if (killed && sent >= at.kill && !at.firstAck) at.firstAck = Date.now() - at.kill;
          if (!acked.has(body.txn_id)) acked.set(body.txn_id, r.json);
          else assert.deepEqual(r.json, acked.get(body.txn_id));
          break;
        }
        assert.equal(r.status, 503, `unexpected ${r.status} ${JSON.stringify(r.json)}; server log: ${srv.stderr.slice(-2000)}`);
        assert.ok(['store.unavailable', 'store.busy'].includes(r.json.error.code), r.json.error.code);
        assert.equal(r.headers.get('retry-after'), '1');
        unavailable.push(r.json.error.code);
        assert.ok(attempt < 2000, 'the server never came back');
        await sleep(killed && !promoted ? 50 : 20);
      }
    }
  }

  await Promise.all([failover(), ...Array.from({ length: CONNS }, (_, w) => worker(w))]);
  assert.ok(killed && promoted);
  assert.equal(srv.child.exitCode, null, 'the server is still running');
  assert.equal(acked.size, CONNS * PER_CONN);

  // Every acknowledged settlement, identical, on the new primary (read
  // on 8 connections at once; a worker may still be backing off from the
  // outage for up to a second, and answers 503 meanwhile, which a client
  // retries); a retry of its txn_id answers the original.
  const all = [...acked];
  let retried = 0;
  await Promise.all(Array.from({ length: CONNS }, async (_, w) => {
    for (let i = w; i < all.length; i += CONNS) {
      const [txn, first] = all[i];
      for (let attempt = 0; ; attempt++) {
        const g = await fetch(`${srv.base}/api/v1/settlements/${first.settlement_id}`,
          { headers: { authorization: `Bearer ${inst.key}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const body = await g.json();
        if (g.status === 503 && body.error.code === 'store.unavailable' && attempt < 30) {
          retried++;
          await sleep(100);
          continue;
        }
        assert.equal(g.status, 200, `${txn}: ${JSON.stringify(body)}`);
        assert.deepEqual(body, first, txn);
        break;
      }
    }
  }));
  const again = await post('/api/v1/settlements', {
    txn_id: 'ha-0-0', credential: { type: 'id_number', value: patients[0].id_number },
    visit_type: 'outpatient', total_fen: 1000, fund_pay_fen: 300,
  }, inst.key);
  assert.equal(again.status, 200);
  assert.deepEqual(again.json, acked.get('ha-0-0'));
  // settled once each: as many settlements as txn_ids, nothing twice
  const ids = new Set([...acked.values()].map((s) => s.settlement_id));
  assert.equal(ids.size, acked.size);
  const { stdout } = await sh(`psql -XAt -d "${srv.db.url.slice(3)}" -c ` +
    `"SELECT count(*), count(DISTINCT txn_id), pg_is_in_recovery() FROM settlements"`);
  assert.equal(stdout.trim(), `${acked.size}|${acked.size}|f`);

  // The books and the audit chains on the new primary (the CLI exits
  // non-zero, and cli() throws, when either fails).
  await Promise.all([cli(srv.db.url, 'ledger', 'check'), cli(srv.db.url, 'audit', 'verify')]);
  console.log(`# round: kill after ${KILL_AFTER}, ${unavailable.length} answers 503 during the failover, ${retried} after it`);
  console.log(`# timing: /healthz ${at.healthz} 0.3 s after the kill; promotion seen ${(at.promoted / 1000).toFixed(2)} s after it; first settlement acknowledged ${(at.firstAck / 1000).toFixed(2)} s after it; ${acked.size} acknowledged, ${acked.size} present and identical`);
});
