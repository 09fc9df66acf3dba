// login_tokens.test.mjs — X2 and issue 14 over HTTP: logins throttled per
// login AND per client address, with 429 auth.throttled and Retry-After;
// a session ends on logout, when the person ends it from his session
// list, when he changes his password (all his other sessions) and when an
// operator sets his password (all of them).  Token expiry is proven with
// a moved clock in tests/service/test_auth.c (no timed tests here).
//
// Client addresses: the server listens on 127.0.0.1 and the test connects
// from other loopback addresses (127.0.0.2, ...), so each attempt can come
// from an address of its choosing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, seedPerson, login, expectError } from './helpers.mjs';

let srv;
before(async () => {
  srv = await startServer({ config: 'login_max_failures = 3\nlogin_lockout_seconds = 600\n' });
});
after(async () => {
  if (!srv) return;
  assert.equal((await srv.stop()).code, 0, srv.stderr);
});

/* POST /api/v1/sessions from a chosen loopback address. */
function loginFrom(addr, body) {
  return new Promise((ok, fail) => {
    const payload = JSON.stringify(body);
    const req = http.request({
      host: '127.0.0.1', port: srv.port, localAddress: addr, method: 'POST', path: '/api/v1/sessions',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      agent: false,
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, json: JSON.parse(text) }));
    });
    req.on('error', fail);
    req.end(payload);
  });
}

function assertThrottled(r) {
  assert.equal(r.status, 429, JSON.stringify(r.json));
  assert.equal(r.json.error.code, 'auth.throttled');
  const ra = Number(r.headers['retry-after']);
  assert.ok(Number.isInteger(ra) && ra >= 1 && ra <= 600, `Retry-After: ${r.headers['retry-after']}`);
}

test('X2: per login — wrong passwords from three addresses lock the account, even from a fourth', async () => {
  const p = await seedPerson(srv, { password: 'right-pass-1' });
  for (const [i, addr] of ['127.0.0.2', '127.0.0.3', '127.0.0.4'].entries()) {
    const r = await loginFrom(addr, { login: p.ssn, password: `wrong-${i}` });
    assert.equal(r.json.error.code, 'auth.invalid_credentials');
  }
  assertThrottled(await loginFrom('127.0.0.5', { login: p.ssn, password: 'right-pass-1' }));
  // by ID number too: the counter is the person's, not the spelling's
  assertThrottled(await loginFrom('127.0.0.5', { login: p.id_number, password: 'right-pass-1' }));
  // another person from that address is not affected
  const q = await seedPerson(srv, { password: 'right-pass-2' });
  assert.equal((await loginFrom('127.0.0.5', { login: q.ssn, password: 'right-pass-2' })).status, 201);
});

test('X2: per address — failures on many logins lock the address, not the accounts', async () => {
  const p = await seedPerson(srv, { password: 'right-pass-3' });
  for (const login of ['600999991', '600999992', '600999993']) {
    const r = await loginFrom('127.0.0.6', { login, password: 'guess' });
    assert.equal(r.json.error.code, 'auth.invalid_credentials');
  }
  assertThrottled(await loginFrom('127.0.0.6', { login: p.ssn, password: 'right-pass-3' }));
  assert.equal((await loginFrom('127.0.0.7', { login: p.ssn, password: 'right-pass-3' })).status, 201);
});

test('logout ends the session; the token is refused afterwards', async () => {
  const p = await seedPerson(srv, { password: 'pw-logout-1' });
  const t = await login(srv, p.ssn, 'pw-logout-1');
  assert.equal((await srv.get('/api/v1/me', { token: t })).status, 200);
  assert.equal((await srv.del('/api/v1/sessions/current', { token: t })).status, 204);
  expectError(assert, await srv.get('/api/v1/me', { token: t }), 401, 'auth.invalid_token');
});

test('the session list: mine only, the current one marked; ending one ends its token', async () => {
  const p = await seedPerson(srv, { password: 'pw-list-1' });
  const other = await seedPerson(srv, { password: 'pw-list-2' });
  const t1 = await login(srv, p.ssn, 'pw-list-1');
  const t2 = await login(srv, p.id_number, 'pw-list-1');
  const to = await login(srv, other.ssn, 'pw-list-2');
  const list = await srv.get('/api/v1/me/sessions', { token: t1 });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.items.length, 2);
  assert.equal(list.json.next_cursor, null);
  assert.equal(list.json.items.filter((s) => s.current).length, 1);
  for (const s of list.json.items) {
    assert.match(s.session_id, /^[0-9a-f]{16}$/);
    assert.ok(!t1.includes(s.session_id) && !t2.includes(s.session_id), 'the id is not the token');
    assert.ok(Date.parse(s.expires_at) > Date.parse(s.created_at));
  }
  const second = list.json.items.find((s) => !s.current).session_id;
  // IDOR: another person cannot end it, nor see it
  expectError(assert, await srv.del(`/api/v1/me/sessions/${second}`, { token: to }), 404, 'session.not_found');
  assert.equal((await srv.get('/api/v1/me/sessions', { token: to })).json.items.length, 1);
  assert.equal((await srv.get('/api/v1/me', { token: t2 })).status, 200, 'still alive');
  expectError(assert, await srv.del('/api/v1/me/sessions/nothex', { token: t1 }), 404, 'session.not_found');
  // its owner can
  assert.equal((await srv.del(`/api/v1/me/sessions/${second}`, { token: t1 })).status, 204);
  expectError(assert, await srv.get('/api/v1/me', { token: t2 }), 401, 'auth.invalid_token');
  assert.equal((await srv.get('/api/v1/me', { token: t1 })).status, 200);
  assert.equal((await srv.get('/api/v1/me/sessions', { token: t1 })).json.items.length, 1);
  const audit = await srv.get('/api/v1/audit?limit=5', { token: srv.keys.admin });
  assert.ok(audit.json.items.some((a) => a.action === 'session.delete'), 'ending a session is audited');
});

test('password change by the person ends his other sessions, keeps this one', async () => {
  const p = await seedPerson(srv, { password: 'pw-change-1' });
  const here_ = await login(srv, p.ssn, 'pw-change-1');
  const elsewhere = await login(srv, p.ssn, 'pw-change-1');
  const wrong = await srv.post('/api/v1/me/password', { current_password: 'not-it-at-all', new_password: 'pw-change-2' }, { token: here_ });
  expectError(assert, wrong, 422, 'auth.wrong_password');
  assert.equal((await srv.get('/api/v1/me', { token: elsewhere })).status, 200, 'a refused change ends nothing');
  expectError(assert, await srv.post('/api/v1/me/password', { current_password: 'pw-change-1', new_password: 'short' }, { token: here_ }),
    400, 'auth.weak_password');
  const ok = await srv.post('/api/v1/me/password', { current_password: 'pw-change-1', new_password: 'pw-change-2' }, { token: here_ });
  assert.equal(ok.status, 204, ok.text);
  expectError(assert, await srv.get('/api/v1/me', { token: elsewhere }), 401, 'auth.invalid_token');
  assert.equal((await srv.get('/api/v1/me', { token: here_ })).status, 200);
  expectError(assert, await srv.post('/api/v1/sessions', { login: p.ssn, password: 'pw-change-1' }), 401, 'auth.invalid_credentials');
  assert.equal((await srv.post('/api/v1/sessions', { login: p.ssn, password: 'pw-change-2' })).status, 201);
});

test('wrong current passwords are throttled like logins (429 with Retry-After)', async () => {
  const p = await seedPerson(srv, { password: 'pw-guess-1' });
  const t = await login(srv, p.ssn, 'pw-guess-1');
  for (let i = 0; i < 3; i++) {
    expectError(assert, await srv.post('/api/v1/me/password', { current_password: `guess-${i}-x`, new_password: 'pw-guess-2' }, { token: t }),
      422, 'auth.wrong_password');
  }
  const r = await srv.post('/api/v1/me/password', { current_password: 'pw-guess-1', new_password: 'pw-guess-2' }, { token: t });
  expectError(assert, r, 429, 'auth.throttled');
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
});

test('an operator setting the password ends all the person\'s sessions', async () => {
  const p = await seedPerson(srv, { password: 'pw-reset-1' });
  const a = await login(srv, p.ssn, 'pw-reset-1');
  const b = await login(srv, p.ssn, 'pw-reset-1');
  const r = await srv.post(`/api/v1/persons/${p.ssn}/password`, { password: 'pw-reset-2' }, { token: srv.keys.admin });
  assert.equal(r.status, 204, r.text);
  for (const t of [a, b]) expectError(assert, await srv.get('/api/v1/me', { token: t }), 401, 'auth.invalid_token');
});
