// diskfull.test.mjs — issue 14 item 6 on SQLite: when the disk is full, a
// write is answered 503 store.full (or store.unavailable for an I/O
// error), it changes nothing, and the server serves writes again once
// space returns — without a restart.
//
// The database lives on a small tmpfs the test mounts itself (size=) and
// unmounts at the end; the disk is "filled" by a filler file and "freed"
// by deleting it.  Needs root (mount); skipped otherwise.  SQLite only:
// PostgreSQL's disk is its server's.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ENGINE, cli, freePort } from '../api/helpers.mjs';

const mnt = mkdtempSync(join(tmpdir(), 'yb-full-'));
const mounted = ENGINE === 'sqlite' &&
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]).status === 0;
let child;
after(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (mounted) spawnSync('umount', ['-l', mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

/* Fill the file system to the last byte. */
function fill(path) {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x55);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if (e.code !== 'ENOSPC') throw e;
  }
  // the last partial chunk too
  for (let n = 4096; n >= 1; n = Math.floor(n / 2)) {
    try { for (;;) writeSync(fd, chunk.subarray(0, n)); } catch { /* full */ }
  }
  closeSync(fd);
}

test('disk full: 503 store.full, nothing changes, writes resume when space returns',
  { skip: !mounted && (ENGINE !== 'sqlite' ? 'SQLite only' : 'cannot mount a tmpfs (needs root)') }, async () => {
    const db = join(mnt, 'yibao.db');
    await cli(db, 'init');
    const admin = JSON.parse(await cli(db, 'key', 'create', '--role', 'admin', '--json')).key;
    const port = await freePort();
    child = spawn(BIN, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`, '--threads', '2', '--log-level', 'error'],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const base = `http://127.0.0.1:${port}`;
    const req = async (method, path, body) => {
      const r = await fetch(base + path, {
        method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : undefined, text };
    };
    for (let i = 0; ; i++) {
      try { if ((await fetch(base + '/healthz')).status === 200) break; } catch { /* not yet */ }
      assert.ok(i < 300, `server did not start: ${stderr}`);
      await new Promise((ok) => setTimeout(ok, 50));
    }
    const employer = (code) => req('POST', '/api/v1/employers', { code, name: `单位 ${code}` });
    assert.equal((await employer('E-FULL-0')).status, 201);

    // Full: writes are refused with a stable 503 until one is; the big
    // names make each write need fresh pages (WAL and database).
    const filler = join(mnt, 'filler');
    fill(filler);
    let refused = null, serial = 0;
    const name = '满'.repeat(15);
    for (; serial < 2000 && !refused; serial++) {
      const r = await req('POST', '/api/v1/employers', { code: `E-FULL-${serial + 1}`, name });
      if (r.status === 201) continue;
      refused = { ...r, code: `E-FULL-${serial + 1}` };
    }
    assert.ok(refused, 'some write must hit the full disk');
    assert.equal(refused.status, 503, refused.text);
    assert.ok(['store.full', 'store.unavailable'].includes(refused.json.error.code), refused.text);
    assert.equal(typeof refused.json.error.message, 'string');
    assert.equal(child.exitCode, null, 'the server is still running');
    // reads still work while full
    assert.equal((await fetch(base + '/healthz')).status, 200);

    // Space returns: the same write now succeeds, once (it changed nothing before).
    unlinkSync(filler);
    let again;
    for (let i = 0; i < 20; i++) {
      again = await req('POST', '/api/v1/employers', { code: refused.code, name });
      if (again.status !== 503) break;
      await new Promise((ok) => setTimeout(ok, 100));   // a checkpoint may still be retrying
    }
    assert.equal(again.status, 201, `after space returned: ${again.text}`);
    assert.equal((await req('POST', '/api/v1/employers', { code: refused.code, name })).status, 409);
    child.kill('SIGTERM');
    await new Promise((ok) => child.on('exit', ok));
    const audit = JSON.parse(await cli(db, '--json', 'audit', 'verify'));
    assert.equal(audit.ok, true, JSON.stringify(audit));
    const ledger = JSON.parse(await cli(db, '--json', 'ledger', 'check'));
    assert.equal(ledger.ok, true);
  });
