// cards.test.mjs — card applications on the four routes (C2, C3), issue,
// financial activation, loss (C5), return (C6), and the working-day
// calendar (C3b).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, seedPerson, login, expectError, idNumber } from './helpers.mjs';

let srv, window;

before(async () => {
  srv = await startServer();
  window = await srv.key('agency_window');
});
after(async () => {
  if (!srv) return;    // before() failed and said why
  const r = await srv.stop();
  assert.equal(r.code, 0, srv.stderr);
});

const apply = (body, token = window) => srv.post('/api/v1/card-applications', body, { token });

/* Local (Asia/Shanghai) date strings, counted with the server's calendar. */
const ymd = (d) => d.toISOString().slice(0, 10);
function shanghaiToday() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}
async function calendarOf(year) {
  let r = await srv.get(`/api/v1/calendar/${year}`, { token: srv.keys.admin });
  if (r.status === 422) {
    // a year the shipped data does not cover: plain Monday–Friday
    assert.equal((await srv.put(`/api/v1/calendar/${year}`, { holidays: [], workdays: [] }, { token: srv.keys.admin })).status, 200);
    r = await srv.get(`/api/v1/calendar/${year}`, { token: srv.keys.admin });
  }
  return r.json;
}
async function nthWorkingDayAfter(from, n) {
  const d = new Date(`${from}T00:00:00Z`);
  while (n > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const cal = await calendarOf(d.getUTCFullYear());
    const s = ymd(d);
    const wd = d.getUTCDay();
    const working = cal.workdays.includes(s) || (wd >= 1 && wd <= 5 && !cal.holidays.includes(s));
    if (working) n--;
  }
  return ymd(d);
}

test('C3a center: issued on the spot with a card number', async () => {
  const p = await seedPerson(srv);
  const r = await apply({ ssn: p.ssn, route: 'center' });
  assert.equal(r.status, 201, r.text);
  assert.ok(r.json.application_id > 0);
  assert.equal(r.json.route, 'center');
  assert.equal(r.json.state, 'issued');
  assert.equal(r.json.ready_by, null);
  assert.match(r.json.card_no, /^\w+$/);
  expectError(assert, await apply({ ssn: p.ssn, route: 'center' }), 409, 'card.already_has_valid_card');
  expectError(assert, await apply({ ssn: p.ssn, route: 'mail' }), 400, 'card.invalid_route');
  expectError(assert, await apply({ ssn: '999999989', route: 'center' }), 404, 'person.not_found');
  expectError(assert, await apply({ route: 'center' }), 400, 'request.missing_field');
});

test('C3b service point: in production, ready by the 3rd working day; then issued', async () => {
  const p = await seedPerson(srv);
  const r = await apply({ ssn: p.ssn, route: 'service_point' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.state, 'in_production');
  assert.equal(r.json.ready_by, await nthWorkingDayAfter(shanghaiToday(), 3));
  const i = await srv.post(`/api/v1/card-applications/${r.json.application_id}/issue`, undefined, { token: window });
  assert.equal(i.status, 200, i.text);
  assert.equal(i.json.state, 'issued');
  assert.equal(i.json.card_no, r.json.card_no);
  assert.equal(i.json.activated, false);
  expectError(assert, await srv.post(`/api/v1/card-applications/${r.json.application_id}/issue`, {}, { token: window }), 409, 'card.invalid_state');
  expectError(assert, await srv.post('/api/v1/card-applications/987654/issue', {}, { token: window }), 404, 'card.application_not_found');
  expectError(assert, await srv.post('/api/v1/card-applications/x1/issue', {}, { token: window }), 404, 'card.application_not_found');
});

test('C3c agent and C3d employer: their materials are required', async () => {
  const p = await seedPerson(srv);
  expectError(assert, await apply({ ssn: p.ssn, route: 'agent' }), 422, 'card.materials_missing');
  expectError(assert, await apply({ ssn: p.ssn, route: 'agent', agent: { name: '代办人' } }), 422, 'card.materials_missing');
  expectError(assert, await apply({ ssn: p.ssn, route: 'agent', agent: { id_number: '123', name: '代办人' } }), 400, 'person.invalid_id_number');
  expectError(assert, await apply({ ssn: p.ssn, route: 'agent', agent: 'someone' }), 400, 'request.invalid_field');
  const a = await apply({ ssn: p.ssn, route: 'agent', agent: { id_number: idNumber('19700707', 5), name: '代办人' } });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.route, 'agent');
  assert.equal(a.json.state, 'in_production');

  const q = await seedPerson(srv);
  await srv.post('/api/v1/employers', { code: 'E-CARD', name: '发卡单位' }, { token: srv.keys.admin });
  expectError(assert, await apply({ ssn: q.ssn, route: 'employer', employer: { code: 'E-CARD' } }), 422, 'card.materials_missing');
  expectError(assert, await apply({
    ssn: q.ssn, route: 'employer', employer: { code: 'E-NONE', letter_ref: 'L-1', handler_id_number: idNumber('19750101', 7) },
  }), 404, 'employer.not_found');
  const e = await apply({ ssn: q.ssn, route: 'employer', employer: { code: 'E-CARD', letter_ref: 'L-2026-01', handler_id_number: idNumber('19750101', 7) } });
  assert.equal(e.status, 201, e.text);
  assert.equal(e.json.route, 'employer');
});

test('C1/C5/C6: activation, loss (also by the holder), return', async () => {
  const p = await seedPerson(srv, { password: 'pw-card-1' });
  const other = await seedPerson(srv, { password: 'pw-card-2' });
  const no = (await apply({ ssn: p.ssn, route: 'center' })).json.card_no;
  const act = await srv.post(`/api/v1/cards/${no}/activation`, undefined, { token: window });
  assert.equal(act.status, 200, act.text);
  assert.deepEqual(act.json, { card_no: no, state: 'issued', activated: true });
  expectError(assert, await srv.post('/api/v1/cards/NOCARD1/activation', {}, { token: window }), 404, 'card.not_found');

  const otherTok = await login(srv, other.ssn, 'pw-card-2');
  const stranger = await srv.post(`/api/v1/cards/${no}/loss`, {}, { token: otherTok });
  assert.ok([403, 404].includes(stranger.status), `someone else's card: ${stranger.status}`);
  const tok = await login(srv, p.ssn, 'pw-card-1');
  const lost = await srv.post(`/api/v1/cards/${no}/loss`, {}, { token: tok });
  assert.equal(lost.status, 200, lost.text);
  assert.equal(lost.json.state, 'lost');
  assert.equal((await srv.get('/api/v1/me', { token: tok })).json.card.state, 'lost');
  // a lost card is no longer valid: a new one may be applied for
  const again = await apply({ ssn: p.ssn, route: 'center' });
  assert.equal(again.status, 201, again.text);
  assert.notEqual(again.json.card_no, no);

  expectError(assert, await srv.post(`/api/v1/cards/${again.json.card_no}/return`, {}, { token: window }), 400, 'request.missing_field');
  const ret = await srv.post(`/api/v1/cards/${again.json.card_no}/return`, { reason: 'transferred_out' }, { token: window });
  assert.equal(ret.status, 200, ret.text);
  assert.equal(ret.json.state, 'cancelled');
  expectError(assert, await srv.post(`/api/v1/cards/${again.json.card_no}/activation`, {}, { token: window }), 409, 'card.invalid_state');
});

test('C3b calendar: read, replace (admin), errors', async () => {
  const t = srv.keys.admin;
  const y = await srv.get('/api/v1/calendar/2026', { token: window });
  assert.equal(y.status, 200, y.text);
  assert.equal(y.json.year, 2026);
  assert.ok(Array.isArray(y.json.holidays) && y.json.holidays.length > 0);
  assert.ok(y.json.holidays.every((d) => /^2026-\d\d-\d\d$/.test(d)));
  const put = await srv.put('/api/v1/calendar/2031', { holidays: ['2031-01-01', '2031-10-01'], workdays: ['2031-09-27'] }, { token: t });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual((await srv.get('/api/v1/calendar/2031', { token: t })).json,
    { year: 2031, holidays: ['2031-01-01', '2031-10-01'], workdays: ['2031-09-27'] });
  expectError(assert, await srv.get('/api/v1/calendar/2044', { token: t }), 422, 'calendar.year_not_loaded');
  expectError(assert, await srv.get('/api/v1/calendar/20x4', { token: t }), 400, 'request.invalid_field');
  expectError(assert, await srv.put('/api/v1/calendar/2031', { holidays: ['2031-02-30'], workdays: [] }, { token: t }), 400, 'request.invalid_date');
  expectError(assert, await srv.put('/api/v1/calendar/2031', { holidays: ['2032-01-01'], workdays: [] }, { token: t }), 400, 'calendar.invalid');
  expectError(assert, await srv.put('/api/v1/calendar/2031', { holidays: [] }, { token: t }), 400, 'request.missing_field');
  expectError(assert, await srv.put('/api/v1/calendar/2031', { holidays: [], workdays: [] }, { token: window }), 403, 'auth.forbidden');
});
