// family_premiums.test.mjs — E1 through the real server, on the engine
// asked for (both in `make test`): an authorizer pays a bound relative's
// yearly resident premium from his personal account; the relative sees it
// in his contribution records ("paid from X's account"), the authorizer in
// his ledger and his list of premiums; once per (relative, year) by
// anyone; idempotent by client request id; and every refusal (each its
// own code) changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, seedPerson, bindWeb, login, expectError, cli,
} from './helpers.mjs';

let srv, seq = 0;

before(async () => { srv = await startServer({ threads: 4 }); });
after(async () => {
  if (!srv) return;
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

const balance = async (s, p) => (await s.get(`/api/v1/persons/${p.ssn}`, { token: s.keys.admin })).json.account.balance_fen;

async function authorizer(s, fen, birth = '19600101', name = '陈大文') {
  const password = `pw-prem-${++seq}x`;
  const p = await seedPerson(s, { balance: fen, password, birth, name });
  return { ...p, password, token: await login(s, p.ssn, password) };
}

const pay = (s, a, body) => s.post('/api/v1/me/premiums', body, { token: a.token });
const rid = () => `req-${++seq}`;

test('E1: the authorizer pays his mother\'s 2026 premium; both see it', async () => {
  const son = await authorizer(srv, 100000, '19700101');
  const mum = await seedPerson(srv, { scheme: 'resident', birth: '19450101', name: '王秀英', password: 'pw-mum-prem1' });
  await bindWeb(srv, son, [mum], 'parent');
  const id = rid();
  const r = await pay(srv, son, { relative_ssn: mum.ssn, year: 2026, client_request_id: id });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.year, 2026);
  assert.equal(r.json.amount_fen, 40000, 'the year\'s setting');
  assert.equal(r.json.relative_ssn, mum.ssn);
  assert.equal(await balance(srv, son), 60000);

  // the relative: a contribution record for the year, paid by him (masked, Q3)
  const mumTok = await login(srv, mum.ssn, 'pw-mum-prem1');
  const c = await srv.get('/api/v1/me/contributions', { token: mumTok });
  assert.equal(c.status, 200);
  const rec = c.json.items.find((x) => x.period === '2026');
  assert.ok(rec, c.text);
  assert.equal(rec.personal_fen, 40000);
  assert.equal(rec.account_credit_fen, 0);
  assert.deepEqual(rec.paid_by, { ssn: son.ssn, name: '陈*' });

  // the authorizer: his ledger and his premiums
  const l = await srv.get('/api/v1/me/ledger', { token: son.token });
  assert.equal(l.json.items[0].kind, 'premium');
  assert.equal(l.json.items[0].amount_fen, -40000);
  assert.equal(l.json.items[0].ref, `premium:${mum.ssn}/2026`);
  const mine = await srv.get('/api/v1/me/premiums', { token: son.token });
  assert.equal(mine.status, 200);
  assert.deepEqual(mine.json.items.map((x) => [x.relative_ssn, x.year, x.amount_fen]), [[mum.ssn, 2026, 40000]]);

  // idempotent: the same request id again is the same payment
  const again = await pay(srv, son, { relative_ssn: mum.ssn, year: 2026, client_request_id: id });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.premium_id, r.json.premium_id);
  assert.equal(await balance(srv, son), 60000);

  // E3: he is told of the payment once (the repeat paid nothing new)
  const notes = await srv.get('/api/v1/me/notifications', { token: son.token });
  assert.equal(notes.status, 200, notes.text);
  const paid = notes.json.items.filter((x) => x.kind === 'premium_payment');
  assert.equal(paid.length, 1, notes.text);
  assert.equal(paid[0].amount_fen, 40000);
  // the same id for something else is refused
  expectError(assert, await pay(srv, son, { relative_ssn: mum.ssn, year: 2027, client_request_id: id }), 409, 'premium.request_id_reused');

  const audit = await srv.get('/api/v1/audit?limit=20', { token: srv.keys.admin });
  assert.ok(audit.json.items.some((x) => x.action === 'premium.pay' && x.target.includes(`relative:${mum.ssn} year:2026`)));
  const check = JSON.parse(await cli(srv.db.url, '--json', 'ledger', 'check'));
  assert.equal(check.ok, true, JSON.stringify(check));
});

test('E1 refusals: each with its code, changing nothing', async () => {
  const a = await authorizer(srv, 100000, '19710101');
  const b = await authorizer(srv, 100000, '19720101');
  const poor = await authorizer(srv, 39999, '19730101');
  const rel = await seedPerson(srv, { scheme: 'resident', birth: '19500101' });
  const tier1Rel = await seedPerson(srv, { birth: '19990101' });
  const stranger = await seedPerson(srv, { scheme: 'resident', birth: '19510101' });
  await bindWeb(srv, a, [rel, tier1Rel], 'parent');
  await bindWeb(srv, b, [rel], 'parent');
  await bindWeb(srv, poor, [rel], 'parent');
  const start = await Promise.all([a, b, poor].map((p) => balance(srv, p)));
  const auditStart = (await srv.get('/api/v1/audit?limit=1', { token: srv.keys.admin })).json.items[0].seq;

  const cases = [
    [a, { relative_ssn: rel.ssn, year: 2025, client_request_id: rid() }, 422, 'premium.year_not_open'],
    [a, { relative_ssn: rel.ssn, year: 2028, client_request_id: rid() }, 422, 'premium.year_not_open'],
    [a, { relative_ssn: rel.ssn, year: 1999, client_request_id: rid() }, 400, 'premium.invalid_year'],
    [a, { relative_ssn: rel.ssn, year: '2026', client_request_id: rid() }, 400, 'request.invalid_field'],
    [a, { relative_ssn: rel.ssn, year: 2026 }, 400, 'request.missing_field'],
    [a, { relative_ssn: rel.ssn, year: 2026, client_request_id: 'has space' }, 400, 'request.invalid_field'],
    [a, { relative_ssn: tier1Rel.ssn, year: 2026, client_request_id: rid() }, 422, 'premium.relative_not_resident'],
    [a, { relative_ssn: stranger.ssn, year: 2026, client_request_id: rid() }, 422, 'premium.not_bound'],
    [a, { relative_ssn: '999999999', year: 2026, client_request_id: rid() }, 404, 'person.not_found'],
    [poor, { relative_ssn: rel.ssn, year: 2026, client_request_id: rid() }, 422, 'premium.insufficient_balance'],
  ];
  for (const [who, body, status, code] of cases) expectError(assert, await pay(srv, who, body), status, code);
  // an institution or the relative's own role may not pay
  expectError(assert, await srv.post('/api/v1/me/premiums', { relative_ssn: rel.ssn, year: 2026, client_request_id: rid() }, { token: srv.keys.admin }), 403, 'auth.forbidden');

  // once per (relative, year) by anyone: a pays, b is refused
  assert.equal((await pay(srv, a, { relative_ssn: rel.ssn, year: 2026, client_request_id: rid() })).status, 201);
  expectError(assert, await pay(srv, b, { relative_ssn: rel.ssn, year: 2026, client_request_id: rid() }), 409, 'premium.already_paid');
  // ... but b may pay the next year
  assert.equal((await pay(srv, b, { relative_ssn: rel.ssn, year: 2027, client_request_id: rid() })).status, 201);

  const end = await Promise.all([a, b, poor].map((p) => balance(srv, p)));
  assert.deepEqual(end, [start[0] - 40000, start[1] - 40000, start[2]], 'only the two payments moved money');
  const audit = await srv.get(`/api/v1/audit?limit=50`, { token: srv.keys.admin });
  assert.equal(audit.json.items.filter((x) => x.seq > auditStart).length, 2, 'only the two payments were audited');
});

test('E1: a suspended authorizer may not pay; the F9 floor counts', async () => {
  const s2 = await startServer({ threads: 2, config: 'share_floor_fen = 20000\n' });
  try {
    const a = await authorizer(s2, 59999, '19740101');
    const c = await authorizer(s2, 60000, '19750101');
    const rel = await seedPerson(s2, { scheme: 'resident', birth: '19520101' });
    await bindWeb(s2, a, [rel], 'parent');
    await bindWeb(s2, c, [rel], 'parent');
    expectError(assert, await pay(s2, a, { relative_ssn: rel.ssn, year: 2026, client_request_id: rid() }), 422, 'premium.insufficient_balance');
    await cli(s2.db.url, 'person', 'suspend', c.ssn);
    expectError(assert, await pay(s2, c, { relative_ssn: rel.ssn, year: 2026, client_request_id: rid() }), 422, 'premium.authorizer_not_eligible');
    await cli(s2.db.url, 'person', 'resume', c.ssn);
    const ok = await pay(s2, c, { relative_ssn: rel.ssn, year: 2026, client_request_id: rid() });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(await balance(s2, c), 20000, 'down to the floor, not below');
  } finally {
    await s2.stop();
  }
});

test('E1: the same payment sent 12 times at once pays once; two payers racing, once', async () => {
  const a = await authorizer(srv, 1000000, '19760101');
  const b = await authorizer(srv, 1000000, '19770101');
  const rel = await seedPerson(srv, { scheme: 'resident', birth: '19530101' });
  await bindWeb(srv, a, [rel], 'parent');
  await bindWeb(srv, b, [rel], 'parent');
  const id = rid();
  const rs = await Promise.all(Array.from({ length: 12 }, () => pay(srv, a, { relative_ssn: rel.ssn, year: 2026, client_request_id: id })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201], rs.map((r) => r.text).join('\n'));
  const race = await Promise.all([a, b].map((p) => pay(srv, p, { relative_ssn: rel.ssn, year: 2027, client_request_id: rid() })));
  assert.deepEqual(race.map((r) => r.status).sort(), [201, 409]);
  assert.equal((await balance(srv, a)) + (await balance(srv, b)), 2000000 - 80000);
});
