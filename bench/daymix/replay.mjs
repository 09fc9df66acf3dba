// replay.mjs — the requests of bench/wrk/yibao.lua's day mix, the same
// ones on every run (a seeded generator, fixed transaction ids), played
// one kind at a time against a server running under callgrind, which is
// zeroed before and dumped after each kind (bench/daymix/profile).  The
// bodies are built exactly as yibao.lua builds them; only the choice is
// made per phase instead of per request, so that the instructions of each
// kind can be told apart.  A last phase plays the mix itself.
//
//   node replay.mjs BASE KEYS WORKLOAD PID N C
// Prints one line per phase: name, requests, answers by status.  PID "-":
// no callgrind (the server runs under strace, say).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [base, keysFile, workloadFile, pid, nStr, cStr] = process.argv.slice(2);
const N = Number(nStr || 300), C = Number(cStr || 8);

// mulberry32: small, seeded, the same sequence in every run
let seed = 20261122;
function rnd() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randint = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = (list) => list[randint(0, list.length - 1)];

const inst = [], keyOf = {};
let agencyKey;
for (const line of readFileSync(keysFile, 'utf8').split('\n')) {
  const f = line.split(/\s+/);
  if (f[0] === 'institution') { inst.push({ code: f[1], key: f[2] }); keyOf[f[1]] = f[2]; }
  else if (f[0] === 'agency_window') agencyKey = f[2];
}
const own = [], family = [], persons = [], idOf = {};
for (const line of readFileSync(workloadFile, 'utf8').split('\n')) {
  const f = line.split(/\s+/);
  const row = { ssn: f[1], id: f[2], card: f[3] };
  if (f[0] === 'own') { own.push(row); idOf[row.ssn] = row.id; }
  else if (f[0] === 'family') family.push(row);
  else if (f[0] === 'person') persons.push(row);
}

let counter = 0;
const settled = [], bound = [];

// yibao.lua's bill(): visit type, total, the pooled-fund part
function bill(forFamily) {
  const r = randint(1, 100);
  if (r <= 60 || (forFamily && r <= 80)) {
    const total = randint(20, 500) * 100;
    const fund = randint(1, 100) <= 40 ? Math.floor(total * randint(30, 50) / 100) : 0;
    return ['outpatient', total, fund];
  } else if (r <= 90 || forFamily) {
    return ['pharmacy', randint(10, 300) * 100, 0];
  }
  const total = randint(2000, 20000) * 100;
  return ['inpatient', total, Math.floor(total * randint(60, 85) / 100)];
}

const hdr = (key) => ({ 'Content-Type': 'application/json', Authorization: `Bearer ${key}` });

function settlement(path, forFamily) {
  const p = pick(forFamily ? family : own);
  const [visit, total, fund] = bill(forFamily);
  let ctype = 'card', cval = p.card;
  if (randint(1, 100) <= 20) { ctype = 'id_number'; cval = p.id; }
  const i = pick(inst);
  const body = `{"txn_id":"dm-${++counter}","credential":{"type":"${ctype}","value":"${cval}"},` +
    `"visit_type":"${visit}","total_fen":${total},"fund_pay_fen":${fund}}`;
  return { method: 'POST', path, headers: hdr(i.key), body };
}

function revocation() {
  const s = settled.shift();
  if (!s) return settlement('/api/v1/settlements', rnd() < 0.5);
  return { method: 'POST', path: `/api/v1/settlements/${s.id}/revocation`, headers: hdr(keyOf[s.code]) };
}

const materials = '"channel":"agency_window","materials":{"id_cards":true,' +
  '"social_security_cards":true,"card_copies":true}';

function binding() {
  const a = pick(own);
  let r = pick(persons);
  while (r.ssn === a.ssn) r = pick(persons);
  const body = `{"authorizer":{"ssn":"${a.ssn}","id_number":"${a.id}"},"relatives":[{"ssn":"${r.ssn}",` +
    `"id_number":"${r.id}","relationship":"${pick(['spouse', 'parent', 'child'])}"}],${materials}}`;
  return { method: 'POST', path: '/api/v1/bindings', headers: hdr(agencyKey), body };
}

function unbinding() {
  const b = bound.length ? bound.splice(randint(0, bound.length - 1), 1)[0] : null;
  if (!b) return binding();
  const body = `{"authorizer":{"ssn":"${b.ssn}","id_number":"${b.id}"},${materials}}`;
  return { method: 'DELETE', path: `/api/v1/bindings/${b.bindingId}`, headers: hdr(agencyKey), body };
}

const person = () => ({ method: 'GET', path: `/api/v1/persons/${pick(persons).ssn}`, headers: hdr(agencyKey) });

// yibao.lua's request() for mix=day
function day() {
  const r = randint(1, 100);
  if (r <= 70) return settlement('/api/v1/settlements', rnd() < 0.5);
  if (r <= 80) return settlement('/api/v1/settlements/preview', rnd() < 0.5);
  if (r <= 85) return revocation();
  if (r <= 95) return person();
  return bound.length && rnd() < 0.5 ? unbinding() : binding();
}

// Remember what later requests need: settlement and binding ids.
function note(text) {
  if (text.includes('"state":"settled"')) {
    const id = text.match(/"settlement_id":(\d+)/), code = text.match(/"institution_code":"([^"]+)"/);
    if (id && code) settled.push({ id: id[1], code: code[1] });
  } else if (text.includes('"results":')) {
    for (const m of text.matchAll(/"ok":true,([^}]*)}/g)) {
      const bid = m[1].match(/"binding_id":(\d+)/), assn = m[1].match(/"authorizer_ssn":"(\d+)"/);
      if (bid && assn) bound.push({ bindingId: bid[1], ssn: assn[1], id: idOf[assn[1]] });
    }
  }
}

async function phase(name, make, n, counted) {
  // the requests are made first, in order, so that the concurrency of
  // the replay cannot change which ones are made
  const reqs = Array.from({ length: n }, make);
  const statuses = {};
  let next = 0;
  counted = counted && pid !== '-';
  if (counted) execFileSync('callgrind_control', ['-z', pid], { stdio: 'ignore' });
  async function worker() {
    while (next < reqs.length) {
      const q = reqs[next++];
      const r = await fetch(base + q.path, { method: q.method, headers: q.headers, body: q.body });
      const t = await r.text();
      statuses[r.status] = (statuses[r.status] || 0) + 1;
      note(t);
    }
  }
  await Promise.all(Array.from({ length: C }, worker));
  if (counted) execFileSync('callgrind_control', ['-d', name, pid], { stdio: 'ignore' });
  // completion order depends on the scheduler: keep later phases' picks
  // independent of it
  settled.sort((a, b) => a.id - b.id);
  bound.sort((a, b) => a.bindingId - b.bindingId);
  console.log(`${name} ${n} ${Object.entries(statuses).map(([k, v]) => `${k}:${v}`).join(' ')}`);
}

await phase('warmup', day, N, false);
await phase('settle_own', () => settlement('/api/v1/settlements', false), N, true);
await phase('settle_family', () => settlement('/api/v1/settlements', true), N, true);
await phase('preview', () => settlement('/api/v1/settlements/preview', rnd() < 0.5), N, true);
await phase('revocation', revocation, N, true);
await phase('person', person, N, true);
await phase('binding', binding, N, true);
await phase('unbinding', unbinding, Math.min(N, bound.length), true);
await phase('day', day, N, true);
