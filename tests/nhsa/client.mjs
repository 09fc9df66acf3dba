// client.mjs — a minimal HIS-side client of the national interface
// (定点医药机构接口), written only from ../shared/NHSA.md: the envelope of
// §1.1, the TIF gateway headers of §4 (x-tif-signature = hex(SHA-256(
// timestamp + token + nonce + timestamp))), msgid = fixmedins_code(12) +
// yyyyMMddHHmmss + 4-digit sequence, sign-in 9001 → sign_no in every later
// envelope.  Nothing in it knows yibao's own API.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';

const pad = (n, w = 2) => String(n).padStart(w, '0');

/* Local (Asia/Shanghai, UTC+8) date-time parts of a Date. */
function cst(d = new Date()) {
  const t = new Date(d.getTime() + 8 * 3600 * 1000);
  return {
    y: t.getUTCFullYear(), M: pad(t.getUTCMonth() + 1), d: pad(t.getUTCDate()),
    h: pad(t.getUTCHours()), m: pad(t.getUTCMinutes()), s: pad(t.getUTCSeconds()),
  };
}

export const infTime = (d) => { const c = cst(d); return `${c.y}-${c.M}-${c.d} ${c.h}:${c.m}:${c.s}`; };
export const today = (d) => { const c = cst(d); return `${c.y}-${c.M}-${c.d}`; };

/* hex(SHA-256(timestamp + token + nonce + timestamp)), §4. */
export function tifSignature(timestamp, token, nonce) {
  return createHash('sha256').update(`${timestamp}${token}${nonce}${timestamp}`, 'utf8').digest('hex');
}

export class NhsaClient {
  constructor({ base, paasid, token, fixmedins_code, fixmedins_name = '测试医院',
    mdtrtarea_admvs = '440300', opter = 'OP0001', opter_name = '王经办', pathInfno = true }) {
    Object.assign(this, { base, paasid, token, fixmedins_code, fixmedins_name, mdtrtarea_admvs, opter, opter_name, pathInfno });
    this.seq = 0;
    this.sign_no = '';
  }

  /* 定点医药机构编号(12) + 时间(14) + 顺序号(4). */
  msgid() {
    const c = cst();
    this.seq = (this.seq + 1) % 10000;
    return `${this.fixmedins_code.slice(0, 12).padEnd(12, '0')}${c.y}${c.M}${c.d}${c.h}${c.m}${c.s}${pad(this.seq, 4)}`;
  }

  envelope(infno, input, over = {}) {
    return {
      infno, msgid: this.msgid(), mdtrtarea_admvs: this.mdtrtarea_admvs, insuplc_admdvs: '',
      recer_sys_code: 'YBXT', dev_no: '', dev_safe_info: '', cainfo: '', signtype: '',
      infver: 'V1.0', opter_type: '1', opter: this.opter, opter_name: this.opter_name,
      inf_time: infTime(), fixmedins_code: this.fixmedins_code, fixmedins_name: this.fixmedins_name,
      sign_no: infno === '9001' ? '' : this.sign_no, input, ...over,
    };
  }

  headers({ timestamp, nonce, signature, paasid } = {}) {
    const ts = timestamp ?? String(Math.floor(Date.now() / 1000));
    const n = nonce ?? randomBytes(16).toString('hex');
    return {
      'content-type': 'application/json;charset=utf-8',
      'x-tif-paasid': paasid ?? this.paasid,
      'x-tif-timestamp': ts,
      'x-tif-nonce': n,
      'x-tif-signature': signature ?? tifSignature(ts, this.token, n),
    };
  }

  /* POST one envelope (object, or raw text as `raw`); answers
   * {status, text, json, sent}. */
  async post(infno, env, { raw, headers, path } = {}) {
    const body = raw ?? JSON.stringify(env);
    const url = path ?? (this.pathInfno ? `${this.base}/nhsa/api/${infno}` : `${this.base}/nhsa/api`);
    // yibao's own tests only: the bodies become the fuzz target's seeds
    // (tests/fuzz/seed-nhsa.mjs).
    if (process.env.YB_FUZZ_SEEDS)
      appendFileSync(process.env.YB_FUZZ_SEEDS, JSON.stringify({ method: 'POST', path: '/nhsa/api', body }) + '\n');
    const res = await fetch(url, { method: 'POST', headers: headers ?? this.headers(), body });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, text, json, sent: body };
  }

  async call(infno, input, opts = {}) {
    return this.post(infno, this.envelope(infno, input, opts.env), opts);
  }

  /* 9001: output.signinoutb.sign_no goes into every later envelope. */
  async signIn(opter_no = this.opter) {
    const r = await this.call('9001', { signIn: { opter_no, mac: '00-16-3E-00-00-01', ip: '10.0.0.8' } });
    if (r.json?.infcode === 0) this.sign_no = r.json.output.signinoutb.sign_no;
    return r;
  }

  /* 2601: undo the message `omsgid` of infno `oinfno` for psn_no. */
  async reverse(psn_no, omsgid, oinfno) {
    return this.call('2601', { data: { psn_no, omsgid, oinfno } });
  }

  /* 9101: upload a file (its bytes as a Buffer); `as` 'array' sends
   * `in` as a JSON array of byte values (C#, fastjson), 'base64' as a
   * base64 string (Jackson).  output {file_qury_no, filename,
   * dld_endtime}. */
  async upload(filename, bytes, { as = 'array', ...opts } = {}) {
    const data = as === 'base64' ? Buffer.from(bytes).toString('base64') : [...Buffer.from(bytes)];
    return this.call('9101', { fsUploadIn: { in: data, filename, fixmedins_code: this.fixmedins_code } }, opts);
  }

  /* 9102: a file back; output.out is its bytes in base64. */
  async download(file_qury_no, filename) {
    return this.call('9102', { fsDownloadIn: { file_qury_no, filename, fixmedins_code: this.fixmedins_code } });
  }

  async signOut() {
    return this.call('9002', { signOut: { sign_no: this.sign_no, opter_no: this.opter } });
  }
}
