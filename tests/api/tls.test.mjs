// tls.test.mjs — HTTPS: with --tls-cert and --tls-key the server speaks
// TLS only (certificate and key read into memory at start).  Needs the
// openssl command to make a throwaway certificate; skipped without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { startServer, rawRequest } from './helpers.mjs';

const execFileP = promisify(execFile);

function httpsGet(port, path, ca) {
  return new Promise((ok, fail) => {
    https.get({ host: '127.0.0.1', port, path, ca }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', fail);
  });
}

test('TLS: HTTPS with the given certificate; plain HTTP is not answered', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'yb-tls-'));
  const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
  try {
    await execFileP('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  } catch {
    t.skip('no openssl to make a certificate');
    await rm(dir, { recursive: true, force: true });
    return;
  }
  const srv = await startServer({ tls: { cert, key } });
  try {
    const ca = await readFile(cert);
    let r;
    for (let i = 0; i < 100; i++) {
      try { r = await httpsGet(srv.port, '/healthz', ca); break; } catch { await new Promise((ok) => setTimeout(ok, 50)); }
    }
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { status: 'ok' });
    const m = await httpsGet(srv.port, '/api/v1/me', ca);
    assert.equal(m.status, 401);
    const plain = await rawRequest(srv.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { waitMs: 1000 });
    assert.doesNotMatch(plain, /^HTTP\/1\.1 200/);
  } finally {
    assert.equal((await srv.stop()).code, 0, srv.stderr);
    await rm(dir, { recursive: true, force: true });
  }
});

test('TLS: a missing key file refuses to start', async () => {
  const { spawnSync } = await import('node:child_process');
  const { BIN } = await import('./helpers.mjs');
  const dir = await mkdtemp(join(tmpdir(), 'yb-tls-'));
  try {
    const r = spawnSync(BIN, ['--db', join(dir, 'x.db'), 'serve', '--listen', '127.0.0.1:1',
      '--tls-cert', join(dir, 'nope.pem'), '--tls-key', join(dir, 'nope.key')], { encoding: 'utf8', timeout: 10000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /nope\.pem/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
