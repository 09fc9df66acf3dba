// receiver.mjs — a real HTTP webhook receiver for the E3 tests: checks
// every post's signature (HMAC-SHA256 over "<timestamp>.<body>" with the
// webhook's secret), deduplicates on X-Yibao-Delivery, and can be told to
// fail, hang or go down for a while.
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

export class Receiver {
  constructor(secret) {
    this.secret = secret;
    this.posts = [];              // every post that arrived, verified or not
    this.byDelivery = new Map();  // delivery id → first body (dedup)
    this.badSignatures = 0;
    this.mode = 'ok';             // 'ok' | 'fail' | 'hang'
    this.failFirst = 0;           // answer 500 to the first N tries of each delivery
    this.tries = new Map();
    this.hung = [];
    this.waiters = [];
  }

  get url() { return `http://127.0.0.1:${this.port}/hook`; }

  verify(req, body) {
    const ts = req.headers['x-yibao-timestamp'];
    const sig = req.headers['x-yibao-signature'] || '';
    if (!ts || !sig.startsWith('sha256=')) return false;
    const want = createHmac('sha256', this.secret).update(`${ts}.${body}`).digest();
    const got = Buffer.from(sig.slice(7), 'hex');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  handle(req, res) {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const id = req.headers['x-yibao-delivery'];
      const ok = this.verify(req, body);
      this.posts.push({ id, ok, body, headers: req.headers });
      if (!ok) this.badSignatures += 1;
      const n = (this.tries.get(id) || 0) + 1;
      this.tries.set(id, n);
      if (this.mode === 'hang') { this.hung.push(res); this.wake(); return; }
      if (this.mode === 'fail' || n <= this.failFirst || !ok) {
        res.writeHead(500).end('not now');
        this.wake();
        return;
      }
      if (!this.byDelivery.has(id)) this.byDelivery.set(id, JSON.parse(body));
      res.writeHead(204).end();
      this.wake();
    });
  }

  wake() { for (const w of this.waiters.splice(0)) w(); }

  /* Resolve when pred() holds, re-checked after every post. */
  async until(pred, what, ms = 60000) {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`receiver: timed out waiting for ${what}`);
      await new Promise((ok) => { this.waiters.push(ok); setTimeout(ok, 200); });
    }
  }

  start(port = 0) {
    this.server = http.createServer((q, s) => this.handle(q, s));
    return new Promise((ok) => this.server.listen(port, '127.0.0.1', () => {
      this.port = this.server.address().port;
      ok();
    }));
  }

  /* Down: no one listens on the port any more. */
  async stop() {
    for (const res of this.hung.splice(0)) res.destroy();
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise((ok) => this.server.close(ok));
    this.server = null;
  }
}
