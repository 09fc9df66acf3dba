// readdb.test.mjs — `serve --read-db`: the reads that may be a little
// stale are served by the standby, writes and every other read by the
// primary (issue 16).  Run inside scripts/with-pg-ha (tests/ha/meson.build).
//
// How the test tells the two apart: the standby's replay is paused, so it
// keeps receiving (and, as a synchronous standby, acknowledging) the WAL
// but shows the data as it was.  A write made then succeeds — it went to
// the primary — and is invisible to a person view, a statement and the
// reconciliation (standby) while a settlement look-up (primary) sees it.
// The records likewise: a contribution posted then is missing from the
// streamed statement (its pages read on the standby too) and the gaps,
// while a proof just issued is in the person's list of proofs (primary).
// pg_stat_activity shows the server's connections on each side by their
// application_name.  Then: replay resumes and the reads catch up; the
// standby dies and the reads go on from the primary.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, exec } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, seedPerson, seedInstitution, withDbname, expectError } from '../api/helpers.mjs';

const run = promisify(execFile);
const sh = promisify(exec);
const STANDBY = process.env.YB_PG_HA_STANDBY;
const PRIMARY = process.env.YB_PG_HA_PRIMARY;
const APP = 'yibao-standby-reads';
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function psql(conninfo, sql) {
  const { stdout } = await run('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', conninfo, '-c', sql]);
  return stdout.trim();
}

/* Poll until f() is true (the standby replaying), at most `ms`. */
async function until(what, f, ms = 20000) {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

let srv;
after(async () => {
  // if the test failed with the standby dead, the primary would wait for
  // it on every commit and the server's stop with it: let it commit alone
  await psql(PRIMARY, "ALTER SYSTEM SET synchronous_standby_names = ''").catch(() => {});
  await psql(PRIMARY, 'SELECT pg_reload_conf()').catch(() => {});
  if (srv) await srv.stop();
});

test('reads from the standby, writes to the primary', { timeout: 120000 }, async () => {
  assert.ok(STANDBY && PRIMARY, 'run me inside scripts/with-pg-ha');
  srv = await startServer({
    threads: 2,
    serveArgs: (db) => ['--read-db', `pg:${withDbname(STANDBY, db.name)} application_name=${APP}`],
  });
  const standbyDb = withDbname(STANDBY, srv.db.name);
  const primaryDb = withDbname(PRIMARY, srv.db.name);
  const inst = await seedInstitution(srv, 'H-RD');
  const p = await seedPerson(srv, { balance: 500000, name: '读者' });
  const admin = { token: srv.keys.admin };
  const view = (ssn) => srv.get(`/api/v1/persons/${ssn}`, admin);
  const statement = async (ssn) => (await srv.get(`/api/v1/persons/${ssn}/settlements`, admin)).json.items;
  const day = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const recon = async () => (await srv.get(`/api/v1/reconciliation/${day}`, { token: inst.key })).json.count;
  // records: last month's contributions in the streamed CSV statement
  // (rows after its header line), the gaps (up to last month), the proofs
  const [y, m] = day.slice(0, 7).split('-').map(Number);
  const month = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  const stmtRows = async (ssn) => {
    const res = await fetch(`${srv.base}/api/v1/persons/${ssn}/statements/contributions?from=${month}&to=${month}`,
      { headers: { authorization: `Bearer ${admin.token}` } });
    assert.equal(res.status, 200);
    return (await res.text()).split('\r\n').filter(Boolean).length - 1;
  };
  const gapMonths = async (ssn) => (await srv.get(`/api/v1/persons/${ssn}/gaps`, admin)).json;
  const proofs = async (ssn) => (await srv.get(`/api/v1/persons/${ssn}/proofs`, admin)).json.items.length;

  // the standby has replayed the seeding once the view finds him
  await until('the standby to show the person', async () => (await view(p.ssn)).status === 200);
  assert.deepEqual(await statement(p.ssn), []);
  assert.equal(await recon(), 0);

  // the server's connections: its read connections on the standby only
  const onStandby = await psql(standbyDb, `SELECT count(*) FILTER (WHERE application_name = '${APP}'), count(*) FILTER (WHERE application_name = 'yibao') FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  const onPrimary = await psql(primaryDb, `SELECT count(*) FILTER (WHERE application_name = '${APP}'), count(*) FILTER (WHERE application_name = 'yibao') FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  const [sApp, sMain] = onStandby.split('|').map(Number);
  const [pApp, pMain] = onPrimary.split('|').map(Number);
  assert.ok(sApp >= 1 && sMain === 0, `standby: ${onStandby}`);
  assert.ok(pApp === 0 && pMain >= 1, `primary: ${onPrimary}`);

  // --- replay paused: the standby stays where it is -------------------
  await psql(STANDBY, 'SELECT pg_wal_replay_pause()');
  await until('replay to pause', async () => (await psql(STANDBY, 'SELECT pg_get_wal_replay_pause_state()')) === 'paused');

  const s = await srv.post('/api/v1/settlements', {
    txn_id: 'RD-1', credential: { type: 'id_number', value: p.id_number },
    visit_type: 'outpatient', total_fen: 12000, fund_pay_fen: 5000,
  }, { token: inst.key });
  assert.equal(s.status, 201, s.text);
  const q = await seedPerson(srv, { name: '新人' });      // a write: 201
  assert.equal(await psql(primaryDb, `SELECT count(*) FROM persons WHERE ssn = '${q.person.ssn}'`), '1');
  assert.equal(await psql(standbyDb, `SELECT count(*) FROM persons WHERE ssn = '${q.person.ssn}'`), '0');
  const gapsBefore = await gapMonths(p.ssn);
  const c = await srv.post('/api/v1/contributions', {
    ssn: p.ssn, period: month, employer_code: 'E-TEST', base_fen: 100000,
    employer_fen: 6000, personal_fen: 2000, account_credit_fen: 2500,
  }, admin);
  assert.equal(c.status, 201, c.text);
  const proof = await srv.post(`/api/v1/persons/${p.ssn}/proofs`, undefined, admin);
  assert.equal(proof.status, 201, proof.text);

  // standby reads: as they were
  expectError(assert, await view(q.person.ssn), 404, 'person.not_found');
  assert.deepEqual(await statement(p.ssn), []);
  assert.equal(await recon(), 0);
  assert.equal((await view(p.ssn)).json.account.balance_fen, 500000);
  assert.equal(await stmtRows(p.ssn), 0);
  assert.deepEqual(await gapMonths(p.ssn), gapsBefore);
  // primary reads: the proof just issued, in his list
  assert.equal(await proofs(p.ssn), 1);
  // primary reads: the settlement the hospital has just made
  const g = await srv.get(`/api/v1/settlements/${s.json.settlement_id}`, { token: inst.key });
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.json, s.json);

  // --- replay resumed: the reads catch up ------------------------------
  await psql(STANDBY, 'SELECT pg_wal_replay_resume()');
  await until('the standby to show the new person', async () => (await view(q.person.ssn)).status === 200);
  const items = await statement(p.ssn);
  assert.equal(items.length, 1);
  assert.equal(items[0].settlement_id, s.json.settlement_id);
  assert.equal(await recon(), 1);
  assert.equal(await stmtRows(p.ssn), 1);
  assert.equal((await gapMonths(p.ssn)).gap_months, gapsBefore.gap_months - 1);
  assert.equal((await view(p.ssn)).json.account.balance_fen, 500000 + 2500 - s.json.account_pay_fen);

  // --- the standby dies: reads go on from the primary -------------------
  await sh(process.env.YB_PG_HA_KILL_STANDBY);
  for (let i = 0; i < 20; i++) {
    const r = await view(q.person.ssn);
    assert.equal(r.status, 200, `read ${i} with the standby down: ${r.text}`);
    assert.equal((await statement(p.ssn)).length, 1);
  }
  // the primary commits alone from now on (what Patroni would do), and
  // writes go on
  await psql(PRIMARY, "ALTER SYSTEM SET synchronous_standby_names = ''");
  await psql(PRIMARY, 'SELECT pg_reload_conf()');
  const s2 = await srv.post('/api/v1/settlements', {
    txn_id: 'RD-2', credential: { type: 'id_number', value: p.id_number },
    visit_type: 'outpatient', total_fen: 1000, fund_pay_fen: 0,
  }, { token: inst.key });
  assert.equal(s2.status, 201, s2.text);
  // a statement (a standby read) shows it: the primary answered
  assert.equal((await statement(p.ssn)).length, 2);
  assert.equal(srv.child.exitCode, null, 'the server is still running');
});
