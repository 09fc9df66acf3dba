// seed-nhsa.mjs — the national-interface fuzz target's seed corpus from
// the bodies tests/nhsa/client.mjs sends in the API tests.  Usage:
//   YB_FUZZ_SEEDS=/tmp/s.jsonl node --test tests/api/nhsa*.test.mjs
//   node tests/fuzz/seed-nhsa.mjs /tmp/s.jsonl        (writes corpus/nhsa)
// Each file is one body as sent (UTF-8); names are the content's hash, so
// a rerun adds only new bodies.  Reproducers (crash-*) are kept by hand.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'corpus', 'nhsa');
mkdirSync(out, { recursive: true });
// one body per transaction and shape is enough: the same infno with
// other values only adds files
const kept = new Map();
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line) continue;
  const { path, body } = JSON.parse(line);
  if (!path.startsWith('/nhsa/api') || body.length > 8192) continue;
  let shape;
  try {
    const j = JSON.parse(body);
    shape = `${j.infno}:${JSON.stringify(Object.keys(j.input ?? {}))}:${Object.keys(j).length}`;
  } catch {
    shape = `raw:${body.slice(0, 40)}`;
  }
  const n = (kept.get(shape) ?? 0) + 1;
  kept.set(shape, n);
  if (n > 3) continue;
  const bytes = Buffer.from(body, 'utf8');
  writeFileSync(join(out, createHash('sha1').update(bytes).digest('hex')), bytes);
}
console.log(`${[...kept.values()].reduce((a, n) => a + Math.min(n, 3), 0)} seeds in ${out}`);
