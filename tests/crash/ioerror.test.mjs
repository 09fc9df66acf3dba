// ioerror.test.mjs — issue 14 item 6 on SQLite, the I/O-error half (the
// disk-full half is diskfull.test.mjs): when the disk answers a write or
// a sync with an error, the request is answered 503 store.unavailable,
// nothing it asked for happened, reads go on, and once the disk is well
// again the server serves writes without a restart.
//
// The failing disk is the "yibao" VFS's test switch
// (src/store/sqlite/vfs_fault.c): the server runs with
// YB_TEST_IO_FAULT=<file>, and while that file exists every write
// ('w'), every sync ('s') or both ('') of the database and its WAL fail
// with SQLITE_IOERR_WRITE / SQLITE_IOERR_FSYNC.  No root needed.
// SQLite only: PostgreSQL's disk is its server's.
//
// The second test kills the server right after the refused write: a
// commit whose write failed may have left frames in the WAL, and before
// the VFS cut them off (store/sqlite/vfs.c) the restart replayed the write the
// client had been told failed.
//
// A failed *sync* is another matter (the third test).  The group-commit
// writer's commits are synced apart, by a syncer thread, while the next
// batch runs (service/batch.h, "The sync apart"): when that sync fails,
// the batch is visible already and the kernel may have dropped its
// pages, so the server does what PostgreSQL does — one log line and exit
// status 74, no answer for the writes the sync was to cover.  The
// restart has every write answered 2xx before, the books and the audit
// chain are whole, and the write in flight, retried with its txn_id,
// is settled exactly once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ENGINE, cli, freePort, identity } from '../api/helpers.mjs';

const dir = mkdtempSync(join(tmpdir(), 'yb-ioerr-'));
const db = join(dir, 'yibao.db');
const fault = join(dir, 'disk-fails');
let child = null;
let ctx = null;     // what the first test made, for the second
after(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/* Start `yibao serve` on the database, with the switch armed. */
async function serve() {
  const port = await freePort();
  const proc = spawn(BIN, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`, '--threads', '2', '--log-level', 'error'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, YB_TEST_IO_FAULT: fault } });
  proc.stderrText = '';
  proc.stderr.on('data', (d) => { proc.stderrText += d; });
  proc.base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(proc.base + '/healthz')).status === 200) break; } catch { /* not yet */ }
    assert.ok(i < 300, `server did not start: ${proc.stderrText}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return proc;
}

async function req(method, path, token, body) {
  const r = await fetch(child.base + path, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined, text };
}

const stop = async () => {
  child.kill('SIGTERM');
  const code = await new Promise((ok) => child.on('exit', ok));
  assert.equal(code, 0, `the server exits cleanly: ${child.stderrText}`);
};

test('an I/O error on write or sync: 503 store.unavailable, nothing changes, the server recovers',
  { skip: ENGINE !== 'sqlite' && 'SQLite only' }, async () => {
    await cli(db, 'init');
    const admin = JSON.parse(await cli(db, 'key', 'create', '--role', 'admin', '--json')).key;
    child = await serve();
    const must = async (p, want) => { const r = await p; assert.equal(r.status, want, r.text); return r; };
    await must(req('POST', '/api/v1/employers', admin, { code: 'E-IO', name: '单位 IO' }), 201);
    await must(req('POST', '/api/v1/institutions', admin, { code: 'H-IO2', name: '医院 IO2', type: 'hospital' }), 201);
    const hosp = JSON.parse(await cli(db, 'key', 'create', '--role', 'institution', '--institution', 'H-IO2', '--json')).key;
    const who = identity('19800101');
    await must(req('POST', '/api/v1/persons', admin, { ...who, name: '王磁盘', scheme: 'employee_tier1' }), 201);
    const contribution = (period) => ({ ssn: who.ssn, period, employer_code: 'E-IO', base_fen: 500000, employer_fen: 50000, personal_fen: 10000, account_credit_fen: 20000 });
    await must(req('POST', '/api/v1/contributions', admin, contribution('2026-01')), 201);
    const balance = async () => (await must(req('GET', `/api/v1/persons/${who.ssn}`, admin), 200)).json.account.balance_fen;
    assert.equal(await balance(), 20000);
    const bill = (txn) => ({ txn_id: txn, credential: { type: 'id_number', value: who.id_number }, visit_type: 'outpatient', total_fen: 3000, fund_pay_fen: 1000 });

    let round = 0;
    // '': a write fails first, and no sync is asked of the disk for a
    // commit that failed (service/batch_sync.c).
    for (const mode of ['w', '']) {
      round += 1;
      const what = { w: 'writes fail', '': 'writes and syncs fail' }[mode];
      writeFileSync(fault, mode);
      // Three kinds of write: a register entry, a contribution (money in)
      // and a settlement (money out): each refused with the stable 503.
      const tries = [
        ['POST', '/api/v1/employers', admin, { code: `E-IO-${round}`, name: `单位 ${round}` }],
        ['POST', '/api/v1/contributions', admin, contribution(`2026-0${round + 1}`)],
        ['POST', '/api/v1/settlements', hosp, bill(`IO-${round}`)],
      ];
      for (const [method, path, token, body] of tries) {
        const r = await req(method, path, token, body);
        assert.equal(r.status, 503, `${what}: ${path} → ${r.text}`);
        assert.equal(r.json.error.code, 'store.unavailable', r.text);
        assert.equal(typeof r.json.error.message, 'string');
      }
      assert.equal(child.exitCode, null, 'the server is still running');
      // Reads go on while the disk fails, and show that nothing moved.
      assert.equal((await fetch(child.base + '/healthz')).status, 200);
      assert.equal(await balance(), 20000 + 20000 * (round - 1) - 2000 * (round - 1), `${what}: the balance did not move`);

      // The disk is well again: the very same writes succeed, once.
      unlinkSync(fault);
      for (const [method, path, token, body] of tries) {
        let r;
        for (let i = 0; i < 20; i++) {
          r = await req(method, path, token, body);
          if (r.status !== 503) break;
          await new Promise((ok) => setTimeout(ok, 100));
        }
        assert.equal(r.status, 201, `${what}, then well: ${path} → ${r.text}`);
      }
      await must(req('POST', '/api/v1/employers', admin, tries[0][3]), 409);
      await must(req('POST', '/api/v1/contributions', admin, tries[1][3]), 409);
      await must(req('POST', '/api/v1/settlements', hosp, tries[2][3]), 200);   // S4: the same one
      assert.equal(await balance(), 20000 + 20000 * round - 2000 * round);
    }
    await stop();

    // The books and the audit chain are whole, and a restart sees exactly
    // what was acknowledged.
    assert.equal(JSON.parse(await cli(db, '--json', 'audit', 'verify')).ok, true);
    const ledger = JSON.parse(await cli(db, '--json', 'ledger', 'check'));
    assert.equal(ledger.ok, true, JSON.stringify(ledger));
    child = await serve();
    assert.equal(await balance(), 20000 + 20000 * round - 2000 * round);
    const mine = await must(req('GET', `/api/v1/persons/${who.ssn}/settlements`, admin), 200);
    assert.deepEqual(mine.json.items.map((s) => s.txn_id).sort(), ['IO-1', 'IO-2']);
    await stop();
    ctx = { admin, hosp, who, bill, balance, must };
  });

test('a crash right after the refused write does not bring it back',
  { skip: ENGINE !== 'sqlite' && 'SQLite only' }, async () => {
    assert.ok(ctx, 'needs the first test');
    const { admin, hosp, who, bill, balance, must } = ctx;
    for (const mode of ['w', '']) {
      child = await serve();
      const before = await balance();
      const txn = `IO-CRASH-${mode || 'ws'}`;
      // Two writes that succeed first, at once: the first starts the WAL
      // (its header, synced) and wakes the checkpointer, whose pass is
      // then a second away; so the refused commit's frames follow the
      // second's in the WAL, as a busy server's would, instead of
      // starting it over (a header whose sync fails before any frame).
      await must(req('POST', '/api/v1/employers', admin, { code: `E-${txn}-0`, name: '单位' }), 201);
      await must(req('POST', '/api/v1/employers', admin, { code: `E-${txn}-1`, name: '单位' }), 201);
      writeFileSync(fault, mode);
      // Exactly one refused write, then the kill: a second one would
      // overwrite the first's frames and hide what is tested here.
      const refused = await req('POST', '/api/v1/settlements', hosp, bill(txn));
      assert.equal(refused.status, 503, refused.text);
      child.kill('SIGKILL');
      await new Promise((ok) => child.on('exit', ok));
      unlinkSync(fault);
      child = await serve();
      assert.equal(await balance(), before, `mode '${mode}': the refused settlement stayed undone`);
      await must(req('POST', '/api/v1/settlements', hosp, bill(txn)), 201);
      assert.equal(await balance(), before - 2000);
      await stop();
    }
    assert.equal(JSON.parse(await cli(db, '--json', 'audit', 'verify')).ok, true);
    assert.equal(JSON.parse(await cli(db, '--json', 'ledger', 'check')).ok, true);
  });

test('a failed sync stops the server (exit 74); the restart has every acknowledged write, the one in flight settles once',
  { skip: ENGINE !== 'sqlite' && 'SQLite only' }, async () => {
    assert.ok(ctx, 'needs the first test');
    const { admin, hosp, who, bill, balance, must } = ctx;
    child = await serve();
    const before = await balance();
    // Acknowledged before the disk fails: all of them must survive.
    const acked = [];
    for (let i = 0; i < 3; i++) {
      const code = `E-SYNC-${i}`;
      await must(req('POST', '/api/v1/employers', admin, { code, name: '单位' }), 201);
      acked.push(code);
    }
    await must(req('POST', '/api/v1/settlements', hosp, bill('SYNC-OK')), 201);
    writeFileSync(fault, 's');
    // The write commits, but its sync fails: no answer, the server exits.
    const exited = new Promise((ok) => child.on('exit', (code) => ok(code)));
    const lost = await req('POST', '/api/v1/settlements', hosp, bill('SYNC-LOST')).then(
      (r) => r.status, () => 'no answer');
    assert.equal(lost, 'no answer', 'nothing is answered for a write whose sync failed');
    assert.equal(await exited, 74, `exit status 74: ${child.stderrText}`);
    assert.match(child.stderrText, /"level":"error".*the database log's sync failed: exiting/);
    assert.equal(child.stderrText.match(/sync failed/g).length, 1, 'one line');
    unlinkSync(fault);

    // On the same database: whole books, a whole audit chain ...
    assert.equal(JSON.parse(await cli(db, '--json', 'audit', 'verify')).ok, true);
    const ledger = JSON.parse(await cli(db, '--json', 'ledger', 'check'));
    assert.equal(ledger.ok, true, JSON.stringify(ledger));
    child = await serve();
    // ... every acknowledged write ...
    for (const code of acked)
      await must(req('POST', '/api/v1/employers', admin, { code, name: '单位' }), 409);
    await must(req('POST', '/api/v1/settlements', hosp, bill('SYNC-OK')), 200);
    // ... and the one in flight, retried, settled exactly once (201 if it
    // never reached the disk, 200 with the same settlement if it did).
    const retry = await req('POST', '/api/v1/settlements', hosp, bill('SYNC-LOST'));
    assert.ok([200, 201].includes(retry.status), retry.text);
    await must(req('POST', '/api/v1/settlements', hosp, bill('SYNC-LOST')), 200);
    assert.equal(await balance(), before - 2000 * 2);
    const mine = await must(req('GET', `/api/v1/persons/${who.ssn}/settlements`, admin), 200);
    assert.equal(mine.json.items.filter((s) => s.txn_id === 'SYNC-LOST').length, 1);
    await stop();
    assert.equal(JSON.parse(await cli(db, '--json', 'ledger', 'check')).ok, true);
  });
