// helpers.mjs — what every API test file shares: start the real server
// binary on a fresh database, talk to it, and make valid test data.
//
// Nothing is built here.  The binary is $YB_BIN (default
// build/src/cli/yibao); the engine is $YB_TEST_ENGINE (sqlite by default;
// pg needs $YB_TEST_PG, the conninfo scripts/with-pg exports, and gets a
// fresh database per server).  Keys come from the CLI, as an operator
// would make them; persons and everything else are seeded through the
// API itself.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';

const execFileP = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

export const BIN = resolve(process.env.YB_BIN || join(here, '..', '..', 'build', 'src', 'cli', 'yibao'));
export const ENGINE = process.env.YB_TEST_ENGINE || 'sqlite';

/* ---- the database ------------------------------------------------------ */

async function psql(conninfo, sql) {
  await execFileP('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', conninfo, '-c', sql]);
}

/* conninfo with dbname replaced (keyword/value form, as with-pg exports). */
export function withDbname(conninfo, name) {
  const rest = conninfo.replace(/(^|\s)dbname=\S+/, '').trim();
  return `${rest} dbname=${name}`;
}

async function newDatabase(dir) {
  if (ENGINE === 'sqlite') return { url: join(dir, 'yibao.db'), drop: async () => {} };
  if (ENGINE !== 'pg') throw new Error(`YB_TEST_ENGINE must be sqlite or pg, not ${ENGINE}`);
  const admin = process.env.YB_TEST_PG;
  if (!admin) throw new Error('YB_TEST_ENGINE=pg needs YB_TEST_PG (run under scripts/with-pg)');
  const name = `yb_api_${randomBytes(6).toString('hex')}`;
  await psql(admin, `CREATE DATABASE ${name}`);
  return {
    name,
    url: `pg:${withDbname(admin, name)}`,
    drop: () => psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {}),
  };
}

/* A port nobody listens on now: bind to 0, read it, let it go. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/* Run the CLI against the test database; returns stdout. */
export async function cli(db, ...args) {
  const { stdout } = await execFileP(BIN, ['--db', db, ...args], { maxBuffer: 16 << 20 });
  return stdout;
}

/* harden (#14): with YB_FUZZ_SEEDS=FILE, every request body the tests send
 * is appended to FILE (JSON lines), which tests/fuzz/seed-json.mjs turns
 * into the JSON fuzz target's seed corpus. */
export function seedRecord(method, path, payload) {
  // bytes as latin1 (one char per byte), so that seed-json.mjs writes the
  // very bytes sent: a string goes out as UTF-8 (Chinese names included)
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(String(payload), 'utf8');
  const body = bytes.toString('latin1');
  if (body.length > 4096) return;    // the fuzzer's inputs are small
  appendFileSync(process.env.YB_FUZZ_SEEDS, JSON.stringify({ method, path, body }) + '\n');
}

/* ---- the server -------------------------------------------------------------- */

export class Server {
  constructor(dir, db, port, child) {
    this.dir = dir;
    this.db = db;
    this.port = port;
    this.child = child;
    this.base = `http://127.0.0.1:${port}`;
    this.stderr = '';
    this.exited = new Promise((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
    child.stderr.on('data', (d) => { this.stderr += d; });
    this.keys = {};
  }

  /* An API key of a role, made with the CLI. */
  async key(role, { institution, employer } = {}) {
    const args = ['key', 'create', '--role', role, '--json'];
    if (institution) args.push('--institution', institution);
    if (employer) args.push('--employer', employer);
    return JSON.parse(await cli(this.db.url, ...args)).key;
  }

  /* One request; body objects are sent as JSON.  Answers
   * {status, headers, text, json}. */
  async req(method, path, { token, body, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload;
    if (raw !== undefined) payload = raw;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    if (process.env.YB_FUZZ_SEEDS && payload !== undefined) seedRecord(method, path, payload);
    const res = await fetch(this.base + path, { method, headers: h, body: payload });
    const text = await res.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json };
  }

  get(path, opt) { return this.req('GET', path, opt); }
  post(path, body, opt = {}) { return this.req('POST', path, { ...opt, body }); }
  put(path, body, opt = {}) { return this.req('PUT', path, { ...opt, body }); }
  del(path, opt) { return this.req('DELETE', path, opt); }

  async stop(signal = 'SIGTERM') {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const r = await this.exited;
    await this.db.drop();
    await rm(this.dir, { recursive: true, force: true });
    return r;
  }
}

async function waitHealthy(srv, ms = 15000) {
  const until = Date.now() + ms;
  for (;;) {
    if (srv.child.exitCode !== null) throw new Error(`server exited: ${srv.stderr}`);
    try {
      const r = await fetch(srv.base + '/healthz');
      if (r.status === 200) { await r.text(); return; }
    } catch { /* not listening yet */ }
    if (Date.now() > until) throw new Error(`server not healthy: ${srv.stderr}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

async function waitListening(srv, ms = 15000) {
  const { connect } = await import('node:net');
  const until = Date.now() + ms;
  for (;;) {
    if (srv.child.exitCode !== null) throw new Error(`server exited: ${srv.stderr}`);
    const up = await new Promise((ok) => {
      const s = connect(srv.port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); ok(true); });
      s.on('error', () => ok(false));
    });
    if (up) return;
    if (Date.now() > until) throw new Error(`server not listening: ${srv.stderr}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/*
 * A server on a fresh database with an admin key (srv.keys.admin).
 * Options: threads, web (a directory of static files), config (settings
 * file text), logLevel, tls ({cert, key} PEM paths: the server speaks
 * HTTPS and srv.base is https://; use srv.fetchOptions with https),
 * serveArgs (a function of the database {url, name}: more arguments for
 * `serve`).
 */
export async function startServer({ threads = 4, web, config, logLevel = 'warn', tls, serveArgs } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'yb-api-'));
  let db;
  try {
    db = await newDatabase(dir);
    return await launch(dir, db, { threads, web, config, logLevel, tls, serveArgs });
  } catch (e) {
    // nothing of a server that did not start is left behind
    if (db) await db.drop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

async function launch(dir, db, { threads, web, config, logLevel, tls, serveArgs }) {
  const pre = [];
  if (config) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'yibao.conf'), config);
    pre.push('--config', join(dir, 'yibao.conf'));
  }
  await cli(db.url, ...pre, 'init');
  const port = await freePort();
  const args = ['--db', db.url, ...pre, 'serve', '--listen', `127.0.0.1:${port}`,
    '--threads', String(threads), '--log-level', logLevel];
  if (web) args.push('--web', web);
  if (tls) args.push('--tls-cert', tls.cert, '--tls-key', tls.key);
  if (serveArgs) args.push(...serveArgs(db));
  const child = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const srv = new Server(dir, db, port, child);
  if (tls) {
    // fetch cannot be given a CA: wait for the port, the caller speaks TLS
    await waitListening(srv);
    return srv;
  }
  await waitHealthy(srv);
  srv.keys.admin = await srv.key('admin');
  return srv;
}

/* ---- test data ------------------------------------------------------------------ */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/* A valid GB 11643 ID number (U2): odd sequence = male. */
export function idNumber(birth = '19800101', seq = 1, region = '440305') {
  const body = `${region}${birth}${String(seq).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * WEIGHTS[i];
  return body + CHECK[sum % 11];
}

let serial = 0;
/* A fresh, valid SSN and ID number pair, unique within this process. */
export function identity(birth = '19800101') {
  serial += 1;
  return {
    ssn: String(600000000 + serial),
    id_number: idNumber(birth, serial % 999 + 1),
  };
}

/* Register a person (admin), optionally with a portal password and a
 * starting balance (posted as a contribution). */
export async function seedPerson(srv, {
  name = '张三丰', scheme = 'employee_tier1', birth = '19800101', password, balance = 0, employer,
} = {}) {
  const who = identity(birth);
  const r = await srv.post('/api/v1/persons', { ...who, name, scheme, ...(employer ? { employer_code: employer } : {}) },
    { token: srv.keys.admin });
  if (r.status !== 201) throw new Error(`seedPerson: ${r.status} ${r.text}`);
  if (password) {
    const p = await srv.post(`/api/v1/persons/${who.ssn}/password`, { password }, { token: srv.keys.admin });
    if (p.status !== 204) throw new Error(`password: ${p.status} ${p.text}`);
  }
  if (balance > 0) await credit(srv, who.ssn, balance);
  return { ...who, name, scheme, person: r.json };
}

let periodSerial = 0;
/* Put `fen` on a tier-1 person's account with a contribution record. */
export async function credit(srv, ssn, fen) {
  if (!srv.employerMade) {
    const e = await srv.post('/api/v1/employers', { code: 'E-TEST', name: '测试单位' }, { token: srv.keys.admin });
    if (e.status !== 201 && e.status !== 409) throw new Error(`employer: ${e.text}`);
    srv.employerMade = true;
  }
  periodSerial += 1;
  const year = 2000 + Math.floor(periodSerial / 12);
  const period = `${year}-${String(periodSerial % 12 + 1).padStart(2, '0')}`;
  const r = await srv.post('/api/v1/contributions', {
    ssn, period, employer_code: 'E-TEST', base_fen: fen * 10, employer_fen: fen,
    personal_fen: fen, account_credit_fen: fen,
  }, { token: srv.keys.admin });
  if (r.status !== 201) throw new Error(`credit: ${r.status} ${r.text}`);
  return r.json;
}

export async function login(srv, login, password) {
  const r = await srv.post('/api/v1/sessions', { login, password });
  if (r.status !== 201) throw new Error(`login: ${r.status} ${r.text}`);
  return r.json.token;
}

/* A registered institution and its API key. */
export async function seedInstitution(srv, code = 'H-TEST', type = 'hospital') {
  const r = await srv.post('/api/v1/institutions', { code, name: `医院 ${code}`, type }, { token: srv.keys.admin });
  if (r.status !== 201) throw new Error(`institution: ${r.status} ${r.text}`);
  return { code, key: await srv.key('institution', { institution: code }) };
}

/* Bind relatives to an authorizer over the web (he logs in). */
export async function bindWeb(srv, authorizer, relatives, relationship = 'spouse') {
  const tok = await login(srv, authorizer.ssn, authorizer.password);
  const r = await srv.post('/api/v1/me/bindings', {
    relatives: relatives.map((p) => ({ ssn: p.ssn, id_number: p.id_number, relationship })),
  }, { token: tok });
  if (r.status !== 200 || !r.json.results.every((x) => x.ok)) throw new Error(`bind: ${r.status} ${r.text}`);
  return r.json.results.map((x) => x.binding);
}

/* Raw HTTP over one socket, for what fetch will not send. */
export function rawRequest(port, text, { waitMs = 3000 } = {}) {
  return new Promise((ok, fail) => {
    import('node:net').then(({ connect }) => {
      const s = connect(port, '127.0.0.1');
      let out = '';
      const timer = setTimeout(() => { s.destroy(); ok(out); }, waitMs);
      s.on('data', (d) => { out += d; });
      s.on('end', () => { clearTimeout(timer); ok(out); });
      s.on('error', (e) => { clearTimeout(timer); if (out) ok(out); else fail(e); });
      s.write(text);
    });
  });
}

/* An http.Agent with one keep-alive socket, to count connections. */
export function keepAliveAgent() {
  return new http.Agent({ keepAlive: true, maxSockets: 1 });
}

export function httpGet(srv, path, agent, token) {
  return new Promise((ok, fail) => {
    const req = http.request({
      host: '127.0.0.1', port: srv.port, path, agent, method: 'GET',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body, socket: res.socket }));
    });
    req.on('error', fail);
    req.end();
  });
}

export function expectError(assert, r, status, code) {
  assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status} ${r.text}`);
  assert.equal(r.json?.error?.code, code, `expected ${code}, got ${r.text}`);
  assert.equal(typeof r.json.error.message, 'string');
  assert.match(r.headers.get('content-type'), /^application\/json; charset=utf-8$/);
}
