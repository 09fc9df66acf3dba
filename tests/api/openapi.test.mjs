/*
 * openapi.test.mjs — keeps docs/openapi.yaml honest.
 *
 * The document is the machine-readable form of shared/API.md (the fixed
 * contract).  These tests check, without starting the server, that it
 *   - is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator);
 *   - has every `METHOD /path` of API.md, with the same method;
 *   - names every error code API.md names, under the status API.md gives;
 *   - names only codes of the table in src/core/err.c, each under the HTTP
 *     status of its kind (err.h);
 *   - lists per operation the roles allowed (x-roles), consistent with its
 *     security and with the role table of src/service/ctx.c (x-action);
 *   - spells every enum as src/core/enums.c does;
 *   - has money only as int64 integers (SPEC U1), never a number;
 *   - has schemas that compile and examples that fit them.
 * Whether the server serves exactly these operations is routes.test.mjs.
 *
 * Run: cd tests && node --test api/openapi.test.mjs
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { parse } from "yaml";
import { Validator } from "@seriousme/openapi-schema-validator";
/* ajv and ajv-formats are the validator's own dependencies (same lock). */
import Ajv2020 from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const addFormats = addFormatsModule.default ?? addFormatsModule;

const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const REPO = here("../../");
const DOC_PATH = here("../../docs/openapi.yaml");
/* shared/ sits beside the repository (in CI too: a clone with ../shared). */
const API_MD_PATH = here("../../../shared/API.md");

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

function readRepoFile(rel) {
	const p = REPO + rel;
	assert.ok(existsSync(p), `${p} is missing`);
	return readFileSync(p, "utf8");
}

function loadDoc() {
	assert.ok(existsSync(DOC_PATH), `${DOC_PATH} is missing`);
	return parse(readFileSync(DOC_PATH, "utf8"));
}

function loadApiMd() {
	if (!existsSync(API_MD_PATH))
		assert.fail(
			`API.md not found at ${API_MD_PATH}: the contract lives in shared/ beside ` +
				"the repository (../shared/API.md); check out shared/ next to the clone",
		);
	return readFileSync(API_MD_PATH, "utf8");
}

const doc = loadDoc();

/* ---- helpers over the document ----------------------------------------- */

/* Follow local $refs ("#/a/b") until a non-reference. */
function deref(node) {
	const seen = new Set();
	while (node && typeof node === "object" && typeof node.$ref === "string") {
		const ref = node.$ref;
		assert.ok(ref.startsWith("#/"), `only local $refs are used, got ${ref}`);
		assert.ok(!seen.has(ref), `$ref cycle at ${ref}`);
		seen.add(ref);
		node = ref
			.slice(2)
			.split("/")
			.map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
			.reduce((n, key) => (n == null ? undefined : n[key]), doc);
		assert.ok(node !== undefined, `unresolvable $ref ${ref}`);
	}
	return node;
}

/* fhir: under /fhir/R4/ an error is a FHIR OperationOutcome
 * (application/fhir+json) whose issue[0].details.coding[0].code is the
 * stable code (docs/FHIR.md); everything else checked of errors holds. */
const FHIR_MEDIA = "application/fhir+json";
const fhirCode = (oo) => oo?.resourceType === "OperationOutcome" ? oo.issue?.[0]?.details?.coding?.[0]?.code : undefined;

/* Every operation: { method: "POST", path, op }. */
function operations() {
	const out = [];
	for (const [path, item] of Object.entries(doc.paths ?? {}))
		for (const m of METHODS) if (item[m]) out.push({ method: m.toUpperCase(), path, op: item[m] });
	return out;
}

/* Every error code an operation documents: from the named examples of its
 * 4xx/5xx responses. */
function errorEntries() {
	const out = [];
	for (const { method, path, op } of operations()) {
		for (const [status, resp0] of Object.entries(op.responses ?? {})) {
			if (!/^[45]\d\d$/.test(status)) continue;
			const resp = deref(resp0);
			const media = resp.content?.["application/json"] ?? resp.content?.[FHIR_MEDIA];
			const examples = media?.examples ?? {};
			for (const [name, ex0] of Object.entries(examples)) {
				const ex = deref(ex0);
				out.push({
					where: `${method} ${path} ${status}`,
					method, path, status: Number(status), name,
					code: ex?.value?.error?.code ?? fhirCode(ex?.value),
					media,
				});
			}
		}
	}
	return out;
}

/* Codes a row of a binding request can fail with (reported inside a 200). */
function rowCodes() {
	const e = doc.components?.schemas?.RowError?.properties?.code?.enum;
	assert.ok(Array.isArray(e) && e.length, "components.schemas.RowError.properties.code.enum is missing");
	return e;
}

/* Walk every object below `node`, calling fn(obj, key-of-parent). */
function walk(node, fn, parentKey = null) {
	if (Array.isArray(node)) {
		for (const x of node) walk(x, fn, parentKey);
	} else if (node && typeof node === "object") {
		fn(node, parentKey);
		for (const [k, v] of Object.entries(node)) walk(v, fn, k);
	}
}

/* ---- helpers over the C sources ---------------------------------------- */

/* The status of each kind, as err.h documents it. */
const KIND_STATUS = {
	YB_EINVAL: 400, YB_EAUTH: 401, YB_EFORBIDDEN: 403, YB_ENOTFOUND: 404,
	YB_ECONFLICT: 409, YB_ETOOLARGE: 413, YB_ERULE: 422, YB_ETHROTTLED: 429,
	YB_EINTERNAL: 500, YB_EUNAVAIL: 503,
};

/* src/core/err.c's table: code → kind. */
function errTable() {
	const text = readRepoFile("src/core/err.c");
	const table = new Map();
	for (const m of text.matchAll(/\{\s*"([^"]+)"\s*,\s*(YB_E[A-Z]+)\s*\}/g)) table.set(m[1], m[2]);
	assert.ok(table.size > 0, "no { \"code\", KIND } lines found in src/core/err.c");
	return table;
}

/* src/core/enums.c: constant → string; model.h: enum type → constants. */
function enumStrings() {
	const enumsC = readRepoFile("src/core/enums.c");
	const model = readRepoFile("src/core/model.h");
	const str = new Map();
	for (const m of enumsC.matchAll(/\[\s*(YB_[A-Z0-9_]+)\s*\]\s*=\s*"([^"]*)"/g)) str.set(m[1], m[2]);
	const types = new Map();
	for (const m of model.matchAll(/typedef\s+enum\s*\{([\s\S]*?)\}\s*(yb_\w+)\s*;/g)) {
		const body = m[1].replace(/\/\*[\s\S]*?\*\//g, "");
		const consts = [...body.matchAll(/\b(YB_[A-Z0-9_]+)\b/g)].map((x) => x[1]).filter((c) => !c.endsWith("__N"));
		types.set(m[2], consts);
	}
	return { str, types, enumsC };
}

/* The values of a C enum type as the API spells them ("" left out). */
function cEnumValues(e, type) {
	const consts = e.types.get(type);
	assert.ok(consts, `enum ${type} not found in src/core/model.h`);
	const vals = [];
	for (const c of consts) {
		const s = e.str.get(c);
		if (s === undefined) continue;
		if (s !== "") vals.push(s);
	}
	assert.ok(vals.length, `no string forms of ${type} in src/core/enums.c`);
	return vals;
}

/* src/service/ctx.c's role table: action → roles (API strings). */
function aclTable(e) {
	const text = readRepoFile("src/service/ctx.c");
	const allRoles = cEnumValues(e, "yb_role");
	const macros = new Map();
	for (const m of text.matchAll(/#define\s+(R_\w+)\s+(.+)/g)) {
		const body = m[2].trim();
		const one = body.match(/^R\((YB_ROLE_\w+)\)$/);
		if (one) {
			const s = e.str.get(one[1]);
			assert.ok(s, `${one[1]} has no string in enums.c`);
			macros.set(m[1], [s]);
		} else if (/YB_ROLE__N/.test(body)) {
			macros.set(m[1], allRoles);
		}
	}
	const start = text.indexOf("acl[] = {");
	assert.ok(start >= 0, "the acl[] table is not found in src/service/ctx.c");
	const body = text.slice(start, text.indexOf("};", start));
	const acl = new Map();
	for (const m of body.matchAll(/\{\s*"([a-z_.]+)"\s*,\s*([^}]*)\}/g)) {
		const roles = new Set();
		for (const name of m[2].split("|").map((s) => s.trim()).filter(Boolean)) {
			assert.ok(macros.has(name), `ctx.c: unknown role macro ${name} for ${m[1]}`);
			for (const r of macros.get(name)) roles.add(r);
		}
		acl.set(m[1], roles);
	}
	assert.ok(acl.size > 0, "no entries found in ctx.c's acl[] table");
	return acl;
}

/* ---- API.md ------------------------------------------------------------- */

/* Every `METHOD /path` of API.md; a bare `/me/x` after one on the same line
 * ("`GET /api/v1/me/contributions`, `/me/ledger`") inherits its method. */
function apiMdOperations(text) {
	const ops = [];
	for (const line of text.split("\n")) {
		let method = null;
		for (const [, tick] of line.matchAll(/`([^`]+)`/g)) {
			const t = tick.trim();
			const m = t.match(/^(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS)\s+(\/\S*)$/);
			if (m) {
				method = m[1];
				ops.push({ method, path: m[2].replace(/\?.*$/, "") });
			} else if (method && /^\/[A-Za-z0-9_{}/.-]+$/.test(t)) {
				const p = t.startsWith("/api/") ? t : "/api/v1" + t;
				ops.push({ method, path: p.replace(/\?.*$/, "") });
			}
		}
	}
	return ops;
}

const CODE_RE = "[a-z_]+\\.[a-z_]+";

function apiMdCodes(text) {
	const codes = new Set();
	for (const [, tick] of text.matchAll(/`([^`]+)`/g))
		if (new RegExp(`^${CODE_RE}$`).test(tick.trim())) codes.add(tick.trim());
	/* The statuses API.md states: "`code` (409)" and "422 `code`". */
	const stated = [];
	for (const m of text.matchAll(new RegExp(`\`(${CODE_RE})\`\\s*\\((\\d{3})\\)`, "g")))
		stated.push({ code: m[1], status: Number(m[2]) });
	for (const m of text.matchAll(new RegExp(`\\b(\\d{3})\\s+\`(${CODE_RE})\``, "g")))
		stated.push({ code: m[2], status: Number(m[1]) });
	return { codes, stated };
}

/* ---- the tests ---------------------------------------------------------- */

test("docs/openapi.yaml is a valid OpenAPI 3.1 document", async () => {
	const validator = new Validator();
	const res = await validator.validate(structuredClone(doc));
	assert.ok(res.valid, "OpenAPI validation failed:\n" + JSON.stringify(res.errors, null, 2));
	assert.equal(validator.version, "3.1");
	assert.match(doc.openapi, /^3\.1\.\d+$/);
});

test("every $ref resolves, operationIds are unique, path parameters are declared", () => {
	walk(doc, (node) => {
		if (typeof node.$ref === "string") deref(node);
	});
	const ids = new Map();
	for (const { method, path, op } of operations()) {
		const where = `${method} ${path}`;
		assert.ok(op.operationId, `${where}: no operationId`);
		assert.ok(!ids.has(op.operationId), `${where}: operationId ${op.operationId} also used by ${ids.get(op.operationId)}`);
		ids.set(op.operationId, where);
		const declared = new Set(
			[...(doc.paths[path].parameters ?? []), ...(op.parameters ?? [])]
				.map(deref)
				.filter((p) => p.in === "path")
				.map((p) => p.name),
		);
		const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
		assert.deepEqual([...declared].sort(), [...inTemplate].sort(), `${where}: path parameters declared vs template`);
	}
});

test("every METHOD /path of API.md is in the document", (t) => {
	const md = apiMdOperations(loadApiMd());
	assert.ok(md.length >= 30, `only ${md.length} operations parsed from API.md — parser broken?`);
	const have = new Set(operations().map((o) => `${o.method} ${o.path}`));
	const missing = [...new Set(md.map((o) => `${o.method} ${o.path}`))].filter((k) => !have.has(k));
	assert.deepEqual(missing, [], "operations of API.md missing from docs/openapi.yaml (method and path must match exactly)");
	/* Additions are allowed by API.md ("add endpoints freely"); say which. */
	const inMd = new Set(md.map((o) => `${o.method} ${o.path}`));
	const extra = [...have].filter((k) => !inMd.has(k));
	if (extra.length) t.diagnostic(`operations beyond API.md: ${extra.join(", ")}`);
});

test("every error code of API.md is in the document, under the status API.md gives", () => {
	const { codes, stated } = apiMdCodes(loadApiMd());
	assert.ok(codes.size >= 20, `only ${codes.size} error codes parsed from API.md — parser broken?`);
	const entries = errorEntries();
	const inDoc = new Set([...entries.map((e) => e.code), ...rowCodes()]);
	const missing = [...codes].filter((c) => !inDoc.has(c));
	assert.deepEqual(missing, [], "error codes of API.md missing from docs/openapi.yaml");
	for (const { code, status } of stated) {
		const statuses = new Set(entries.filter((e) => e.code === code).map((e) => e.status));
		assert.ok(statuses.has(status), `API.md gives ${code} status ${status}; the document has it under [${[...statuses]}]`);
	}
});

test("every error code of the document is in src/core/err.c, under its kind's HTTP status", () => {
	const table = errTable();
	/* err.c's yb_err_http_status must agree with err.h's kind → status. */
	const errC = readRepoFile("src/core/err.c");
	for (const m of errC.matchAll(/case\s+(YB_E[A-Z]+):\s*return\s+(\d{3});/g))
		assert.equal(Number(m[2]), KIND_STATUS[m[1]], `err.c maps ${m[1]} to ${m[2]}`);

	const entries = errorEntries();
	assert.ok(entries.length > 0, "no error examples found in the document");
	const problems = [];
	for (const e of entries) {
		if (!table.has(e.code)) {
			problems.push(`${e.where}: ${e.code} is not in src/core/err.c`);
			continue;
		}
		const want = KIND_STATUS[table.get(e.code)];
		if (want !== e.status) problems.push(`${e.where}: ${e.code} is ${table.get(e.code)} → ${want}, listed under ${e.status}`);
	}
	for (const c of rowCodes()) if (!table.has(c)) problems.push(`RowError: ${c} is not in src/core/err.c`);
	for (const [name, ex] of Object.entries(doc.components?.examples ?? {})) {
		const c = ex?.value?.error?.code ?? fhirCode(ex?.value);
		if (c !== undefined && !table.has(c)) problems.push(`components.examples.${name}: ${c} is not in src/core/err.c`);
	}
	assert.deepEqual(problems, []);
});

test("every error response is an Error with one example per code, named by its code", () => {
	const problems = [];
	for (const { method, path, op } of operations()) {
		for (const [status, resp0] of Object.entries(op.responses ?? {})) {
			if (!/^[45]\d\d$/.test(status)) continue;
			const where = `${method} ${path} ${status}`;
			const fhir = path.startsWith("/fhir/R4/");
			const media = deref(resp0).content?.[fhir ? FHIR_MEDIA : "application/json"];
			if (!media) { problems.push(`${where}: no ${fhir ? FHIR_MEDIA : "application/json"} content`); continue; }
			if (media.schema?.$ref !== `#/components/schemas/${fhir ? "OperationOutcome" : "Error"}`)
				problems.push(`${where}: schema is not ${fhir ? "OperationOutcome" : "Error"}`);
			if (!media.examples || !Object.keys(media.examples).length) problems.push(`${where}: no example error codes`);
		}
		const where = `${method} ${path}`;
		const statuses = Object.keys(op.responses ?? {});
		assert.ok(statuses.some((s) => /^2\d\d$/.test(s)), `${where}: no success response`);
		for (const s of ["500", "503"]) if (!statuses.includes(s)) problems.push(`${where}: no ${s} response`);
	}
	for (const e of errorEntries())
		if (e.name !== e.code) problems.push(`${e.where}: example ${e.name} shows code ${e.code}`);
	assert.deepEqual(problems, []);
});

test("x-roles: valid roles, consistent with security and with src/service/ctx.c", () => {
	const e = enumStrings();
	const roles = new Set(cEnumValues(e, "yb_role"));
	const acl = aclTable(e);
	assert.deepEqual(doc.security, [{ bearer: [] }], "the default security is the bearer scheme");
	const scheme = doc.components?.securitySchemes?.bearer;
	assert.equal(scheme?.type, "http");
	assert.equal(scheme?.scheme, "bearer");
	const problems = [];
	for (const { method, path, op } of operations()) {
		const where = `${method} ${path}`;
		const xr = op["x-roles"];
		if (!Array.isArray(xr)) { problems.push(`${where}: no x-roles list`); continue; }
		for (const r of xr) if (!roles.has(r)) problems.push(`${where}: unknown role ${r}`);
		const pub = Array.isArray(op.security) && op.security.length === 0;
		if (pub !== (xr.length === 0)) problems.push(`${where}: security ${pub ? "none" : "bearer"} but x-roles [${xr}]`);
		if (!pub) {
			const statuses = Object.keys(op.responses ?? {});
			/* 403 can happen only where some role is refused. */
			const everyRole = xr.length === 7;
			for (const s of everyRole ? ["401"] : ["401", "403"])
				if (!statuses.includes(s)) problems.push(`${where}: authenticated but no ${s} response`);
		}
		const action = op["x-action"];
		if (action === undefined) continue;
		if (!acl.has(action)) { problems.push(`${where}: x-action ${action} is not in ctx.c's acl[]`); continue; }
		const allowed = acl.get(action);
		for (const r of xr) if (!allowed.has(r)) problems.push(`${where}: role ${r} is not allowed ${action} by ctx.c`);
		const narrowed = xr.length < allowed.size;
		if (narrowed && typeof op["x-roles-narrowed-by-route"] !== "string")
			problems.push(`${where}: x-roles [${xr}] narrower than ctx.c's ${action} [${[...allowed]}] without x-roles-narrowed-by-route`);
	}
	assert.deepEqual(problems, []);
});

test("the role table of the brief: who may call what", () => {
	/* The agreed role table, as (method path) → roles.  The server enforces
	 * ctx.c (checked above); this pins the document to the agreement. */
	const AW = ["admin", "agency_window"];
	const OPS = ["terminal", "hospital_office", "agency_window"];
	const want = {
		"POST /api/v1/persons": AW,
		"GET /api/v1/persons/{ssn}": AW,
		"POST /api/v1/persons/{ssn}/password": AW,
		"POST /api/v1/persons/{ssn}/termination": AW,
		"POST /api/v1/employers": ["admin"],
		"POST /api/v1/contributions": [...AW, "employer"],
		"GET /api/v1/audit": ["admin"],
		"POST /api/v1/card-applications": AW,
		"POST /api/v1/card-applications/{id}/issue": AW,
		"POST /api/v1/cards/{card_no}/activation": AW,
		"POST /api/v1/cards/{card_no}/return": AW,
		"POST /api/v1/cards/{card_no}/loss": [...AW, "person"],
		"PUT /api/v1/calendar/{year}": ["admin"],
		"GET /api/v1/calendar/{year}": cEnumValues(enumStrings(), "yb_role"),
		"POST /api/v1/institutions": ["admin"],
		"GET /api/v1/institutions/{code}": ["admin", "institution"],
		"POST /api/v1/bindings": OPS,
		"DELETE /api/v1/bindings/{binding_id}": OPS,
		"GET /api/v1/employer/contributions": ["employer"],
		"GET /healthz": [],
		"GET /metrics": [],
		"POST /api/v1/sessions": [],
	};
	const byKey = new Map(operations().map((o) => [`${o.method} ${o.path}`, o.op]));
	for (const [key, roles] of Object.entries(want)) {
		assert.ok(byKey.has(key), `${key} is missing`);
		assert.deepEqual([...byKey.get(key)["x-roles"]].sort(), [...roles].sort(), `${key} x-roles`);
	}
	for (const { method, path, op } of operations()) {
		const key = `${method} ${path}`;
		if (path.startsWith("/api/v1/me") || key === "DELETE /api/v1/sessions/current")
			assert.deepEqual(op["x-roles"], ["person"], `${key} x-roles`);
		if (/^\/api\/v1\/(settlements|offline-settlements|reconciliation)\b/.test(path))
			assert.deepEqual(op["x-roles"], ["institution"], `${key} x-roles`);
	}
});

test("enums are spelled as src/core/enums.c spells them", () => {
	const e = enumStrings();
	const S = doc.components.schemas;
	const map = {
		Scheme: "yb_scheme", PersonStatus: "yb_status", TerminationReason: "yb_term_reason",
		Sex: "yb_sex", Relationship: "yb_relationship", Channel: "yb_channel", Role: "yb_role",
		VisitType: "yb_visit_type", CredentialType: "yb_cred_type", CardRoute: "yb_card_route",
		CardState: "yb_card_state", InstitutionType: "yb_inst_type",
		SettlementState: "yb_settle_state", OfflineState: "yb_offline_state",
	};
	for (const [schema, ctype] of Object.entries(map)) {
		assert.ok(S[schema]?.enum, `components.schemas.${schema} has no enum`);
		assert.deepEqual([...S[schema].enum].sort(), cEnumValues(e, ctype).sort(), `${schema} vs ${ctype}`);
	}
	/* "self" is formatted in code (it only appears in settlement shares). */
	assert.match(e.enumsC, /"self"/, "enums.c formats YB_REL_SELF as \"self\"");
	assert.deepEqual([...S.ShareRelationship.enum].sort(), [...cEnumValues(e, "yb_relationship"), "self"].sort());
	const channels = new Set(S.Channel.enum);
	for (const c of S.BindingChannel.enum) assert.ok(channels.has(c), `BindingChannel ${c} is not a channel`);
});

test("money: every *_fen field is an int64 integer; no number type anywhere (U1)", () => {
	const problems = [];
	walk(doc, (node, parentKey) => {
		const t = node.type;
		if (t === "number" || (Array.isArray(t) && t.includes("number"))) problems.push(`a schema of type number (under ${parentKey})`);
		if (parentKey === "examples" || parentKey === "example" || !node.properties || typeof node.properties !== "object") return;
		for (const [name, s0] of Object.entries(node.properties)) {
			if (!name.endsWith("_fen")) continue;
			const s = deref(s0);
			const types = [s.type].flat();
			const ok = types.includes("integer") && types.every((t) => t === "integer" || t === "null") && s.format === "int64";
			if (!ok) problems.push(`${name}: type ${s.type} format ${s.format}`);
		}
	});
	/* Amounts a client sends are never negative. */
	const seen = new Set();
	const checkRequest = (s0) => {
		if (!s0 || typeof s0 !== "object") return;
		const key = s0.$ref;
		if (key) { if (seen.has(key)) return; seen.add(key); }
		const s = deref(s0);
		for (const [name, p] of Object.entries(s.properties ?? {})) {
			if (name.endsWith("_fen") && !(deref(p).minimum >= 0)) problems.push(`request field ${name} has no minimum ≥ 0`);
			checkRequest(p);
		}
		for (const k of ["items", "allOf", "anyOf", "oneOf"]) [s[k]].flat().forEach(checkRequest);
	};
	for (const { op } of operations()) checkRequest(op.requestBody && deref(op.requestBody).content?.["application/json"]?.schema);
	assert.deepEqual(problems, []);
});

test("schemas compile and every example fits its schema", () => {
	const BASE = "https://yibao.invalid/openapi";
	const rewrite = (node) =>
		JSON.parse(JSON.stringify(node), (k, v) =>
			k === "$ref" && typeof v === "string" && v.startsWith("#/components/schemas/")
				? `${BASE}#/$defs/${v.slice("#/components/schemas/".length)}`
				: v,
		);
	const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, allErrors: true });
	addFormats(ajv);
	ajv.addFormat("int64", { type: "number", validate: (n) => Number.isSafeInteger(n) });
	ajv.addFormat("int32", { type: "number", validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
	ajv.addSchema({ $id: BASE, $defs: rewrite(doc.components.schemas) });
	for (const name of Object.keys(doc.components.schemas))
		assert.ok(ajv.getSchema(`${BASE}#/$defs/${name}`), `schema ${name} does not compile`);

	const problems = [];
	let checked = 0;
	const check = (schema, value, where) => {
		const v = ajv.compile(rewrite(schema));
		checked++;
		if (!v(value)) problems.push(`${where}: ${ajv.errorsText(v.errors)}`);
	};
	const checkMedia = (media, where) => {
		if (!media?.schema) return;
		if ("example" in media) check(media.schema, media.example, `${where} example`);
		for (const [name, ex0] of Object.entries(media.examples ?? {})) {
			const ex = deref(ex0);
			if ("value" in ex) check(media.schema, ex.value, `${where} example ${name}`);
		}
	};
	for (const { method, path, op } of operations()) {
		const where = `${method} ${path}`;
		if (op.requestBody)
			for (const [type, media] of Object.entries(deref(op.requestBody).content ?? {})) checkMedia(media, `${where} request ${type}`);
		for (const [status, r0] of Object.entries(op.responses ?? {}))
			for (const [type, media] of Object.entries(deref(r0).content ?? {})) checkMedia(media, `${where} ${status} ${type}`);
	}
	/* examples: [...] inside schemas and parameter schemas */
	const schemaExamples = (root, prefix) =>
		walk(root, (node, parentKey) => {
			if (parentKey === "properties" || !Array.isArray(node.examples)) return;
			const { examples, ...schema } = node;
			examples.forEach((x, i) => check(schema, x, `${prefix} examples[${i}] ${JSON.stringify(x)}`));
		});
	schemaExamples(doc.components.schemas, "components.schemas");
	for (const [name, p] of Object.entries(doc.components.parameters ?? {})) schemaExamples(p.schema, `parameter ${name}`);
	assert.deepEqual(problems, []);
	assert.ok(checked >= 50, `only ${checked} examples checked`);
});

test("the worked family example: own 30.00 + 250.00 + 20.00 and the rest in cash", () => {
	const media = doc.paths["/api/v1/settlements"].post.responses["201"].content["application/json"];
	const s = deref(media.examples.family).value;
	assert.deepEqual(s.shares.map((x) => x.amount_fen), [3000, 25000, 2000]);
	assert.equal(s.shares[0].relationship, "self");
	const accounts = s.shares.reduce((n, x) => n + x.amount_fen, 0);
	assert.equal(s.account_pay_fen, accounts);
	assert.equal(s.total_fen, s.fund_pay_fen + s.account_pay_fen + s.cash_pay_fen);
});

test("components name the model's objects", () => {
	const names = [
		"Person", "Account", "Card", "Binding", "BindRow", "BindResult", "Settlement", "Share",
		"Offline", "Reconciliation", "ReconciliationComparison", "Contribution", "LedgerLine",
		"Usage", "Institution", "Employer", "CardApplication", "Calendar", "AuditRecord", "Error", "List",
	];
	const missing = names.filter((n) => !doc.components?.schemas?.[n]);
	assert.deepEqual(missing, [], "components.schemas missing");
	assert.deepEqual([...doc.components.schemas.List.required].sort(), ["items", "next_cursor"]);
	assert.deepEqual(Object.keys(doc.components.schemas.Error.properties), ["error"]);
});

test("info describes the conventions: fen, dates, cursors, masking", () => {
	const d = doc.info?.description ?? "";
	for (const needle of ["_fen", "YYYY-MM-DD", "RFC 3339", "next_cursor", "limit", "Masking", "Q3", "x-roles"])
		assert.ok(d.includes(needle), `info.description does not mention ${needle}`);
});
