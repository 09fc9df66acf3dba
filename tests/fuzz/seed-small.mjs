// seed-small.mjs — the seed corpora of the small fuzz targets (issue #14):
// ID numbers and SSNs, dates, e-credential tokens, CSV files.  Values are
// those the unit and API tests use; tokens are signed with the target's
// fixed key (32 bytes 'y', fuzz_ecert.c).  Run: node tests/fuzz/seed-small.mjs
import { writeFileSync, mkdirSync } from 'node:fs';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
function put(target, bytes) {
  const dir = join(here, 'corpus', target);
  mkdirSync(dir, { recursive: true });
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  writeFileSync(join(dir, createHash('sha1').update(b).digest('hex')), b);
}

// ID numbers (U2), SSNs (U3), regions (U4): good, and each kind of bad
for (const s of ['110105194912310021', '11010519491231002X', '11010519491231002x', '440301189912310017',
  '440301190001010011', '440301198503150512', '440301199001011234', '440301199001011235',
  '440301199002301234', '440301199013011234', '440301200002290023', '440301202606150012',
  '440301202612050012', '44030119900101123', '4403011990010112345', '44030119900101123Y',
  '600000001', '6000001', '123456789012', '1234567890123', '440300', '040300', '', '４４０３０１'])
  put('idnum', s);

// dates (U5), instants, periods
for (const s of ['2026-12-04', '2024-02-29', '2025-02-29', '1800-01-01', '9999-12-31', '2026-13-01',
  '2026-00-10', '26-12-04', '20261204', '19491231', '20250229', '2026-11-22T10:26:00Z',
  '2026-11-22T10:26:00.5Z', '2026-11-22T10:26:00.123456789Z', '2026-11-22T10:26:00+08:00',
  '2026-11-22T10:26:00-05:30', '1969-12-31T23:59:59Z', '2026-11-22T10:26:60Z', '2026-11-22T10:26:00',
  '2026-11-22T10:26:00.Z', '2026-01', '2026-12', '2026-13', '2026-1', ''])
  put('date', s);

// e-credential tokens (C1): "YB1." b64url("ssn|expires|nonce") "." b64url(sig)
const key = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 'y')]),
  format: 'der', type: 'pkcs8',
});
const b64 = (b) => Buffer.from(b).toString('base64url');
const T0 = 1796342400;   // 2026-12-04T00:00:00Z, data[0] = 0
for (const [ssn, exp, tick] of [['600000001', T0 + 300, 0], ['600000001', T0 + 300, 1], ['123456789012', T0 + 86400, 5],
  ['600000002', T0 - 1, 0], ['60000', T0 + 300, 0]]) {
  const head = `YB1.${b64(`${ssn}|${exp}|${b64(Buffer.alloc(12, 7))}`)}`;
  const tok = `${head}.${b64(sign(null, Buffer.from(head), key))}`;
  put('ecert', Buffer.concat([Buffer.from([tick]), Buffer.from(tok)]));
  put('ecert', Buffer.concat([Buffer.from([tick]), Buffer.from(tok.slice(0, -2) + 'AA')]));   // bad signature
}
for (const s of ['YB1.', 'YB1..', 'YB2.abc.def', 'YB1.YWJj.ZGVm', 'YB1.MTIzfDQ1Ng.' + 'A'.repeat(86), 'YB1.=.='])
  put('ecert', Buffer.concat([Buffer.from([0]), Buffer.from(s)]));

// CSV imports (P5): the shapes tests/cli/import.sh and the service tests use
const good = ['440301199001011234', '110105194912310021'];
for (const s of [
  `ssn,id_number,name,scheme\n600000001,${good[0]},张三,employee_tier1\n`,
  `\ufeffssn,id_number,name,scheme,region,employer_code\r\n600000002,${good[1]},"李, 四",resident,440300,\r\n`,
  `name,scheme,ssn,id_number\n"王""五",employee_tier2,600000003,${good[0]}\n\n600000004,x,y\n`,
  `ssn,id_number,name,scheme\n"unterminated,1,2,3\n`,
  `ssn,id_number,name\n1,2,3\n`,
  `ssn,ssn,id_number,name,scheme\n`,
  `ssn,id_number,name,scheme,bogus\n`,
  `ssn,id_number,name,scheme\n600000005,${good[0]},"multi\nline",employee_tier1\n600000005,${good[0]},dup,employee_tier1\n`,
  '', '\n\n', 'ssn',
]) put('csv', s);
console.log('seeded');

// nhsa files (9101's detail file): byte 0 bit 0 = a .zip; lines of
// docs/NHSA.md "The detail file", good and each kind of bad, as .txt and
// zipped (fflate, as tests/api/nhsa_files.test.mjs makes them)
const { zipSync, strToU8 } = await import('fflate');
const L = '101\tM1\t600000001\t300.00\t100.00\t200.00\t0';
for (const t of [`${L}\n`, `\ufeff${L}\r\n7\tM2\t600000002\t12.5\t0\t12.50\t1\r\n`, '', `${L}\n\n${L}`,
  `${L}\n${L}`, '1\tM\t6\t1.001\t0\t0\t0', '1\tM\t6\t1\t0\t0', '1\tM\t6\t1\t0\t0\t2\n']) {
  put('nhsa_file', Buffer.concat([Buffer.from([0]), Buffer.from(t)]));
  put('nhsa_file', Buffer.concat([Buffer.from([1]), Buffer.from(zipSync({ 'd.txt': strToU8(t) }))]));
}
put('nhsa_file', Buffer.concat([Buffer.from([1]), Buffer.from(zipSync({ 'a.txt': strToU8(L), 'b.txt': strToU8(L) }))]));
put('nhsa_file', Buffer.concat([Buffer.from([1]), Buffer.from(zipSync({ 'd.txt': strToU8(L) }, { level: 0 }))]));
put('nhsa_file', Buffer.from([1, 0x50, 0x4b, 3, 4, 0]));
