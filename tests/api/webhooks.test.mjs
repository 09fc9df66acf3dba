// webhooks.test.mjs — E3 delivery: the agency's webhooks receive every
// notification signed (HMAC-SHA256 over timestamp and body), at least
// once with a delivery id to deduplicate on, retried with backoff while
// the receiver fails or is down, dead after N attempts and retryable by
// an operator; and nothing is lost when the server is killed between
// commit and delivery.  Real Node HTTP receivers (receiver.mjs); both
// engines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  startServer, seedPerson, seedInstitution, login, expectError, freePort, Server, BIN,
} from './helpers.mjs';
import { Receiver } from './receiver.mjs';

// Fast retries for the test; the defaults are in docs/settings.md.
const CONFIG = [
  'webhook_backoff_ms = 20', 'webhook_backoff_max_ms = 300', 'webhook_poll_ms = 20',
  'webhook_timeout_ms = 500', 'webhook_max_attempts = 1000', '',
].join('\n');

const row = (p, relationship) => ({ ssn: p.ssn, id_number: p.id_number, relationship });

/* A father and his son, bound; returns what a settlement needs. */
async function family(srv, tag) {
  const father = await seedPerson(srv, { name: '陈大文', password: `pw-father-${tag}`, balance: 100000 });
  const son = await seedPerson(srv, { name: '陈小宝', scheme: 'resident', birth: '20120901' });
  const tok = await login(srv, father.ssn, `pw-father-${tag}`);
  const b = await srv.post('/api/v1/me/bindings', { relatives: [row(son, 'child')] }, { token: tok });
  assert.equal(b.status, 200, b.text);
  return { father, son, tok };
}

const buy = (srv, inst, son, txn, fen) => srv.post('/api/v1/settlements', {
  txn_id: txn, credential: { type: 'id_number', value: son.id_number },
  visit_type: 'pharmacy', total_fen: fen, fund_pay_fen: 0,
}, { token: inst.key });

async function addHook(srv, url, secret, label) {
  const r = await srv.post('/api/v1/webhooks', { url, secret, label }, { token: srv.keys.admin });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function myNoteIds(srv, tok) {
  const r = await srv.get('/api/v1/me/notifications?limit=500', { token: tok });
  return r.json.items.map((n) => n.id).sort((a, b) => a - b);
}

function checkBodies(rcv, person) {
  for (const [id, body] of rcv.byDelivery) {
    assert.equal(String(body.delivery_id), id, 'the header names the body\'s delivery');
    assert.equal(body.person_ssn, person.ssn);
  }
}

test('E3: a receiver that fails its first tries and is down a while gets every notification exactly once, signed', async () => {
  const srv = await startServer({ config: CONFIG });
  const flaky = new Receiver('secret-of-the-sms-gateway');
  const steady = new Receiver('secret-of-the-wechat-service');
  try {
    await flaky.start();
    await steady.start();
    flaky.failFirst = 2;                  // every delivery: 500, 500, then 204
    const h1 = await addHook(srv, flaky.url, flaky.secret, 'SMS gateway');
    await addHook(srv, steady.url, steady.secret, 'WeChat templates');   // several allowed
    assert.equal(h1.secret, '…eway', 'the secret is not shown back');
    const inst = await seedInstitution(srv, 'P-HOOK', 'pharmacy');
    const f = await family(srv, 'w1');
    for (let i = 1; i <= 3; i++) assert.equal((await buy(srv, inst, f.son, `HOOK-1-${i}`, 100 * i)).status, 201);

    // the flaky receiver goes down for a while; uses go on meanwhile
    const port = flaky.port;
    await flaky.stop();
    for (let i = 4; i <= 6; i++) assert.equal((await buy(srv, inst, f.son, `HOOK-1-${i}`, 100 * i)).status, 201);
    const rv = await srv.post('/api/v1/settlements/1/revocation', {}, { token: inst.key });
    assert.equal(rv.status, 200, rv.text);
    await flaky.start(port);

    const ids = await myNoteIds(srv, f.tok);
    assert.equal(ids.length, 8);        // binding + 6 shares + 1 revocation
    const all = (r) => [...r.byDelivery.values()].map((b) => b.notification.id).sort((a, b) => a - b);
    await flaky.until(() => flaky.byDelivery.size === ids.length, 'every notification at the flaky receiver');
    await steady.until(() => steady.byDelivery.size === ids.length, 'every notification at the steady receiver');
    assert.deepEqual(all(flaky), ids, 'each notification exactly once by delivery id');
    assert.deepEqual(all(steady), ids);
    assert.equal(flaky.badSignatures + steady.badSignatures, 0, 'every signature verifies');
    assert.ok(flaky.posts.length >= 3 * ids.length, 'the first tries failed and were retried');
    checkBodies(flaky, f.father);
    const share = [...steady.byDelivery.values()].find((b) => b.notification.kind === 'settlement_share');
    assert.equal(share.notification.institution.code, 'P-HOOK');
    assert.equal(share.notification.relative.ssn, f.son.ssn);
    // a retry keeps its delivery id; the attempt number grows (attempts
    // while the receiver was down never reached it)
    const tries = flaky.posts.filter((p) => p.id === flaky.posts[0].id).map((p) => JSON.parse(p.body).attempt);
    assert.equal(tries[0], 1);
    assert.ok(tries.length >= 3 && tries.every((t, i) => i === 0 || t > tries[i - 1]), `attempts ${tries}`);

    // the operator's view: all delivered
    const list = await srv.get('/api/v1/webhook-deliveries?limit=500', { token: srv.keys.admin });
    assert.equal(list.status, 200, list.text);
    const states = new Set(list.json.items.map((d) => d.state));
    assert.ok(list.json.items.length === 2 * ids.length);
    assert.ok(states.has('delivered'));
  } finally {
    await flaky.stop();
    await steady.stop();
    await srv.stop();
  }
});

test('E3: dead after N attempts, visible and retryable by an operator; webhook rules', async () => {
  const srv = await startServer({ config: CONFIG.replace('webhook_max_attempts = 1000', 'webhook_max_attempts = 3') });
  const rcv = new Receiver('a-secret-of-sixteen+');
  try {
    await rcv.start();
    rcv.mode = 'fail';
    const hook = await addHook(srv, rcv.url, rcv.secret);
    const window = await srv.key('agency_window');
    const f = await family(srv, 'w2');                 // one notification: the binding
    const dead = async () => (await srv.get('/api/v1/webhook-deliveries?state=dead', { token: window })).json.items;
    await rcv.until(() => rcv.posts.length >= 3, 'three attempts');
    for (let i = 0; i < 100 && (await dead()).length === 0; i++) await new Promise((ok) => setTimeout(ok, 50));
    const [d] = await dead();
    assert.ok(d, 'the delivery is dead');
    assert.equal(d.attempts, 3);
    assert.equal(d.last_status, 500);
    assert.equal(d.webhook_id, hook.webhook_id);
    await new Promise((ok) => setTimeout(ok, 300));
    assert.equal(rcv.posts.length, 3, 'no attempt after dead');

    // the receiver is repaired; the agency window retries it from the console
    rcv.mode = 'ok';
    expectError(assert, await srv.post(`/api/v1/webhook-deliveries/${d.delivery_id}/retry`, {}, { token: (await srv.key('terminal')) }),
      403, 'auth.forbidden');
    const r = await srv.post(`/api/v1/webhook-deliveries/${d.delivery_id}/retry`, {}, { token: window });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'pending');
    assert.equal(r.json.attempts, 0);
    await rcv.until(() => rcv.byDelivery.size === 1, 'the retried delivery');
    assert.equal([...rcv.byDelivery.keys()][0], String(d.delivery_id));
    assert.equal(rcv.byDelivery.get(String(d.delivery_id)).notification.kind, 'binding_created');
    let one;
    for (let i = 0; i < 100; i++) {
      one = (await srv.get('/api/v1/webhook-deliveries?state=delivered', { token: window })).json.items;
      if (one.length) break;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    assert.equal(one[0].delivery_id, d.delivery_id);
    expectError(assert, await srv.post(`/api/v1/webhook-deliveries/${d.delivery_id}/retry`, {}, { token: window }), 409, 'delivery.not_dead');
    expectError(assert, await srv.post('/api/v1/webhook-deliveries/999999/retry', {}, { token: window }), 404, 'delivery.not_found');
    expectError(assert, await srv.get('/api/v1/webhook-deliveries?state=lost', { token: window }), 400, 'request.invalid_field');

    // webhooks are the administrator's
    expectError(assert, await srv.post('/api/v1/webhooks', { url: rcv.url, secret: rcv.secret }, { token: window }), 403, 'auth.forbidden');
    expectError(assert, await srv.get('/api/v1/webhooks', { token: f.tok }), 403, 'auth.forbidden');
    expectError(assert, await srv.post('/api/v1/webhooks', { url: 'ftp://x/', secret: rcv.secret }, { token: srv.keys.admin }), 400, 'webhook.invalid_url');
    expectError(assert, await srv.post('/api/v1/webhooks', { url: rcv.url, secret: 'short' }, { token: srv.keys.admin }), 400, 'webhook.invalid_secret');
    expectError(assert, await srv.post('/api/v1/webhooks', { url: rcv.url }, { token: srv.keys.admin }), 400, 'request.missing_field');
    const list = await srv.get('/api/v1/webhooks', { token: srv.keys.admin });
    assert.deepEqual(list.json.items.map((w) => w.webhook_id), [hook.webhook_id]);
    const del = await srv.del(`/api/v1/webhooks/${hook.webhook_id}`, { token: srv.keys.admin });
    assert.equal(del.status, 204, del.text);
    expectError(assert, await srv.del(`/api/v1/webhooks/${hook.webhook_id}`, { token: srv.keys.admin }), 404, 'webhook.not_found');
    assert.equal((await srv.get('/api/v1/webhooks', { token: srv.keys.admin })).json.items.length, 0);
    // a removed webhook gets nothing more
    const before = rcv.posts.length;
    const other = await seedPerson(srv, { scheme: 'resident', birth: '20100101' });
    await srv.post('/api/v1/me/bindings', { relatives: [row(other, 'child')] }, { token: f.tok });
    await new Promise((ok) => setTimeout(ok, 300));
    assert.equal(rcv.posts.length, before);
  } finally {
    await rcv.stop();
    await srv.stop();
  }
});

/* The same database, served again (after a SIGKILL). */
async function restart(srv) {
  const port = await freePort();
  const child = spawn(BIN, ['--db', srv.db.url, '--config', join(srv.dir, 'yibao.conf'), 'serve',
    '--listen', `127.0.0.1:${port}`, '--threads', '2', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const again = new Server(srv.dir, srv.db, port, child);
  again.keys = srv.keys;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${again.base}/healthz`)).status === 200) return again; } catch { /* not yet */ }
    if (i > 300 || child.exitCode !== null) throw new Error(`restart failed: ${again.stderr}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

test('E3: the server killed between commit and delivery delivers after restart', async () => {
  const srv = await startServer({ config: CONFIG });
  const rcv = new Receiver('the-secret-survives-a-crash');
  let again;
  try {
    await rcv.start();
    rcv.mode = 'hang';                  // takes the post and never answers
    await addHook(srv, rcv.url, rcv.secret);
    const inst = await seedInstitution(srv, 'P-KILL', 'pharmacy');
    const f = await family(srv, 'w3');
    assert.equal((await buy(srv, inst, f.son, 'KILL-1', 1234)).status, 201);   // committed and answered
    await rcv.until(() => rcv.hung.length >= 1, 'the sender\'s first post');
    // a receiver that does not answer holds up no settlement, nor a premium (E1)
    assert.equal((await buy(srv, inst, f.son, 'KILL-2', 99)).status, 201);
    const pm = await srv.post('/api/v1/me/premiums', { relative_ssn: f.son.ssn, year: 2026, client_request_id: 'kill-1' }, { token: f.tok });
    assert.equal(pm.status, 201, pm.text);
    srv.child.kill('SIGKILL');          // mid-delivery: no outcome recorded
    assert.equal((await srv.exited).signal, 'SIGKILL');
    rcv.mode = 'ok';
    again = await restart(srv);
    const ids = await myNoteIds(again, f.tok);
    assert.equal(ids.length, 4);         // the binding, two shares, the premium
    await rcv.until(() => rcv.byDelivery.size === 4, 'every notification after the restart');
    const got = [...rcv.byDelivery.values()].map((b) => b.notification.id).sort((a, b) => a - b);
    assert.deepEqual(got, ids, 'nothing lost, each once by delivery id');
    assert.equal(rcv.badSignatures, 0);
    const shares = [...rcv.byDelivery.values()].filter((b) => b.notification.kind === 'settlement_share');
    assert.deepEqual(shares.map((b) => b.notification.amount_fen).sort((a, b) => a - b), [99, 1234]);
    const premium = [...rcv.byDelivery.values()].find((b) => b.notification.kind === 'premium_payment');
    assert.deepEqual([premium.notification.amount_fen, premium.notification.detail], [40000, '2026']);
  } finally {
    await rcv.stop();
    if (again) await again.stop(); else await srv.stop();
  }
});
