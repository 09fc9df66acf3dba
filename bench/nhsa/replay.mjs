// replay.mjs — play a file of prepared requests (bench/nhsa/prep.mjs, one
// per line: PATH \t HEADER:VALUE|... \t BODY) once each, C at a time, and
// count the answers that are ok (201, or 200 with "infcode":0).  For
// bench/nhsa/profile, where the server runs under callgrind and a load
// generator's rate is beside the point.
//   node replay.mjs BASE FILE [C]
import { readFileSync } from 'node:fs';

const [base, file, cStr] = process.argv.slice(2);
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l);
let next = 0, ok = 0, bad = 0;
async function worker() {
  while (next < lines.length) {
    const [path, hdrs, body] = lines[next++].split('\t');
    const headers = {};
    for (const h of hdrs.split('|')) {
      const i = h.indexOf(':');
      if (i > 0) headers[h.slice(0, i)] = h.slice(i + 1);
    }
    const r = await fetch(base + path, { method: 'POST', headers, body });
    const t = await r.text();
    if (r.status === 201 || (r.status === 200 && t.includes('"infcode":0'))) ok++;
    else if (bad++ < 3) console.error(r.status, t.slice(0, 300));
  }
}
await Promise.all(Array.from({ length: Number(cStr || 8) }, worker));
console.log(`${file}: ${ok} ok, ${bad} not`);
