// seed-json.mjs — the JSON fuzz target's seed corpus from the bodies the
// API tests send (issue #14).  Usage:
//   YB_FUZZ_SEEDS=/tmp/seeds.jsonl node --test tests/api   (records them)
//   node tests/fuzz/seed-json.mjs /tmp/seeds.jsonl         (writes corpus/json, corpus/fhir)
// Each file is one byte naming the decoder (the order of `decoders[]` in
// fuzz_json.c) followed by the body; names are the content's hash, so a
// rerun adds only new bodies.  Reproducers (crash-*) are kept by hand.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// route pattern (method path regex) → index in decoders[] of fuzz_json.c
const routes = [
  [/^POST \/api\/v1\/persons$/, 0],
  [/^POST \/api\/v1\/sessions$/, 1],
  [/^POST \/api\/v1\/employers$/, 2],
  [/^POST \/api\/v1\/contributions$/, 3],
  [/^POST \/api\/v1\/institutions$/, 4],
  [/^POST \/api\/v1\/settlements(\/preview)?$/, 5],
  [/^POST \/api\/v1\/offline-settlements$/, 6],
  [/^POST \/api\/v1\/reconciliation\/[^/]+$/, 7],
  [/^POST \/api\/v1\/card-applications$/, 8],
  [/^PUT \/api\/v1\/calendar\/[^/]+$/, 9],
  [/^POST \/api\/v1\/me\/bindings$/, 10],
  [/^(POST|DELETE) \/api\/v1\/bindings(\/[^/]+)?$/, 11],
  [/^POST \/api\/v1\/(persons\/[^/]+\/(password|termination)|cards\/[^/]+\/return)$/, 12],
];

// FHIR bodies (/fhir/R4/...) go to corpus/fhir as they are: fuzz_fhir.c
// reads every body the same way.
const out = { json: join(here, 'corpus', 'json'), fhir: join(here, 'corpus', 'fhir') };
const added = { json: 0, fhir: 0 };
for (const d of Object.values(out)) mkdirSync(d, { recursive: true });
const seen = new Set();
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line) continue;
  const { method, path, body } = JSON.parse(line);
  const key = `${method} ${path.split('?')[0]}`;
  const hit = routes.find(([re]) => re.test(key));
  const target = path.startsWith('/fhir/') ? 'fhir' : hit ? 'json' : null;
  if (!target) continue;
  const bytes = target === 'fhir' ? Buffer.from(body, 'latin1')
    : Buffer.concat([Buffer.from([hit[1]]), Buffer.from(body, 'latin1')]);
  const name = createHash('sha1').update(bytes).digest('hex');
  if (seen.has(name)) continue;
  seen.add(name);
  writeFileSync(join(out[target], name), bytes);
  added[target]++;
}
for (const t of Object.keys(out)) console.log(`${added[t]} seeds in ${out[t]}`);
