/*
 * routes.test.mjs — the server serves exactly the operations that
 * docs/openapi.yaml describes, no more and no fewer.
 *
 * The route table comes from the server binary itself: `yibao routes`
 * prints the table of src/http/routes.c, one "METHOD /path/{param}" line
 * per route, and exits 0 — optionally followed by tab-separated columns:
 * roles (comma-separated, "public" for none) and a summary, as
 * yb_http_routes_print() writes them.  When the roles column is there it is
 * compared with each operation's x-roles too.  The binary is $YB_BIN, by default
 * <repo>/build/src/cli/yibao.  Path parameters are compared by position
 * only ({ssn} and {id} both become {}), so a renamed parameter is not a
 * difference but a moved or missing segment is.
 *
 * Run: cd tests && node --test api/routes.test.mjs
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { parse } from "yaml";

const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const DOC_PATH = here("../../docs/openapi.yaml");
const BIN = process.env.YB_BIN || here("../../build/src/cli/yibao");

const METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"];
const CONTRACT =
	'`yibao routes` must print the server\'s route table (src/http/routes.c), one "METHOD /path/{param}" ' +
	"line per route, and exit 0";

const normalize = (path) => path.replace(/\{[^}/]*\}/g, "{}");

/* The document's operations as "METHOD /normalized/path" → { name, roles }. */
function documentOperations() {
	assert.ok(existsSync(DOC_PATH), `${DOC_PATH} is missing`);
	const doc = parse(readFileSync(DOC_PATH, "utf8"));
	const ops = new Map();
	for (const [path, item] of Object.entries(doc.paths ?? {}))
		for (const m of METHODS)
			if (item[m.toLowerCase()]) {
				const key = `${m} ${normalize(path)}`;
				assert.ok(!ops.has(key), `docs/openapi.yaml: ${m} ${path} and ${ops.get(key)?.name} are the same route`);
				ops.set(key, { name: `${m} ${path}`, roles: item[m.toLowerCase()]["x-roles"] });
			}
	return ops;
}

/* Run `yibao routes` once; every test that needs it fails the same way. */
let cached = null;
function serverRoutes() {
	if (cached) return cached;
	if (!existsSync(BIN))
		assert.fail(
			`the yibao binary is not at ${BIN}: build it first (make build, or meson compile -C build) ` +
				`or point YB_BIN at it. ${CONTRACT}.`,
		);
	const r = spawnSync(BIN, ["routes"], { encoding: "utf8", timeout: 10_000 });
	if (r.error) assert.fail(`cannot run ${BIN} routes: ${r.error.message}. ${CONTRACT}.`);
	if (r.status !== 0)
		assert.fail(
			`\`${BIN} routes\` exited with ${r.status ?? r.signal}: ${CONTRACT}.\n` +
				`stderr: ${r.stderr.trim().slice(0, 2000)}`,
		);
	const lines = r.stdout.split("\n").filter((l) => l.trim() !== "");
	const routes = [];
	const bad = [];
	for (const line of lines) {
		/* "METHOD /path" or "METHOD\t/path[\troles[\tsummary]]" */
		const tabs = line.split("\t");
		const m = tabs.length > 1 ? [null, tabs[0].trim(), tabs[1].trim()] : line.trim().match(/^(\S+)\s+(\S+)$/);
		if (m && METHODS.includes(m[1]) && /^\/\S*$/.test(m[2])) {
			const roles = tabs.length > 2 ? tabs[2].trim() : null;
			routes.push({
				method: m[1], path: m[2],
				roles: roles === null ? null : roles === "public" ? [] : roles.split(",").map((x) => x.trim()),
			});
		} else {
			bad.push(line);
		}
	}
	assert.deepEqual(bad, [], `\`yibao routes\` printed lines that are not "METHOD /path": ${CONTRACT}`);
	assert.ok(routes.length > 0, `\`yibao routes\` printed no routes: ${CONTRACT}`);
	cached = routes;
	return routes;
}

test("`yibao routes` prints a well-formed route table without duplicates", () => {
	const seen = new Map();
	for (const { method, path } of serverRoutes()) {
		assert.ok(!/[{}]/.test(path.replace(/\{[A-Za-z_][A-Za-z0-9_]*\}/g, "")), `malformed parameter in ${method} ${path}`);
		const key = `${method} ${normalize(path)}`;
		assert.ok(!seen.has(key), `route ${method} ${path} is listed twice (also as ${seen.get(key)})`);
		seen.set(key, `${method} ${path}`);
	}
});

test("the server's routes and docs/openapi.yaml list the same (method, path) pairs", () => {
	const documented = documentOperations();
	const served = new Map(serverRoutes().map(({ method, path }) => [`${method} ${normalize(path)}`, `${method} ${path}`]));
	const undocumented = [...served.keys()].filter((k) => !documented.has(k)).map((k) => served.get(k));
	const unserved = [...documented.keys()].filter((k) => !served.has(k)).map((k) => documented.get(k).name);
	assert.deepEqual(
		{ served_but_not_in_openapi: undocumented.sort(), in_openapi_but_not_served: unserved.sort() },
		{ served_but_not_in_openapi: [], in_openapi_but_not_served: [] },
		"the server's route table and docs/openapi.yaml differ",
	);
});

test("the server's roles per route are the document's x-roles", (t) => {
	const routes = serverRoutes();
	if (routes.some((r) => r.roles === null)) {
		t.skip("`yibao routes` prints no roles column");
		return;
	}
	const documented = documentOperations();
	const differ = [];
	for (const { method, path, roles } of routes) {
		const d = documented.get(`${method} ${normalize(path)}`);
		if (!d) continue; /* reported by the test above */
		const a = [...roles].sort().join(",");
		const b = [...(d.roles ?? [])].sort().join(",");
		if (a !== b) differ.push(`${method} ${path}: server [${a || "public"}], openapi x-roles [${b || "public"}]`);
	}
	assert.deepEqual(differ, [], "roles differ between the route table and docs/openapi.yaml");
});
