/*
 * harness.mjs — what the browser tests share: the real server binary on
 * a free port with a fresh temporary database, test data seeded through
 * `yibao init`, `yibao key create` and the HTTP API as admin, Debian's
 * chromium driven by playwright-core, screenshots, and the axe scan.
 *
 * The binary is $YB_BIN, by default <repo>/build/src/cli/yibao.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { before, after } from "node:test";

import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";

import { idCheckChar } from "../../web/js/idnum.js";

const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));
export const REPO = here("../../");
export const BIN = process.env.YB_BIN || join(REPO, "build/src/cli/yibao");
export const WEB = join(REPO, "web");
export const OUT = join(REPO, "tests/out/browser");
export const SCREENSHOTS = join(REPO, "docs/screenshots");
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };
export const VIEWPORTS = [["phone", PHONE], ["desktop", DESKTOP]];

/* ---- the server -------------------------------------------------------- */

function cli(db, args) {
	const r = spawnSync(BIN, ["--db", db, ...args], { encoding: "utf8", timeout: 60_000 });
	if (r.error) throw new Error(`cannot run ${BIN}: ${r.error.message}`);
	assert.equal(r.status, 0, `yibao ${args.join(" ")} failed: ${r.stderr}`);
	return r.stdout;
}

function freePort() {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.once("error", reject);
		s.listen(0, "127.0.0.1", () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

/*
 * startServer() → { url, key(role, opts), api, seed helpers, stop() }.
 * Each test file starts its own, with its own database.
 */
export async function startServer({ config } = {}) {
	assert.ok(existsSync(BIN), `the yibao binary is not at ${BIN}: build it first or set YB_BIN`);
	const dir = mkdtempSync(join(tmpdir(), "yb-browser-"));
	const db = join(dir, "yibao.db");
	cli(db, ["init"]);
	/* A settings file (text), for tests that need other policy settings. */
	const conf = config ? ["--config", join(dir, "yibao.conf")] : [];
	if (config) writeFileSync(join(dir, "yibao.conf"), config);
	const key = (role, { institution, employer } = {}) => {
		const args = ["--json", "key", "create", "--role", role];
		if (institution) args.push("--institution", institution);
		if (employer) args.push("--employer", employer);
		return JSON.parse(cli(db, args)).key;
	};
	const adminKey = key("admin");
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	let log = "";
	const child = spawn(BIN, ["--db", db, ...conf, "serve", "--listen", `127.0.0.1:${port}`, "--web", WEB],
		{ stdio: ["ignore", "pipe", "pipe"] });
	child.stdout.on("data", (d) => { log += d; });
	child.stderr.on("data", (d) => { log += d; });
	const exited = new Promise((resolve) => child.once("exit", resolve));

	const deadline = Date.now() + 15_000;
	for (;;) {
		try {
			const r = await fetch(`${url}/healthz`);
			if (r.ok) break;
		} catch { /* not up yet */ }
		if (child.exitCode !== null || Date.now() > deadline) {
			child.kill("SIGKILL");
			throw new Error(`the server did not start on ${url}:\n${log}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}

	/* call(key, method, path, body) → { status, body } */
	async function call(bearer, method, path, body) {
		const headers = { Authorization: `Bearer ${bearer}` };
		if (body !== undefined) headers["Content-Type"] = "application/json";
		const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await r.text();
		let json = null;
		try { json = text ? JSON.parse(text) : null; } catch { json = text; }
		return { status: r.status, body: json };
	}
	/* must(...) — the same, asserting a 2xx answer. */
	async function must(bearer, method, path, body) {
		const r = await call(bearer, method, path, body);
		assert.ok(r.status >= 200 && r.status < 300, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
		return r.body;
	}
	const admin = (method, path, body) => must(adminKey, method, path, body);

	return {
		url, db, adminKey, key, call, must, admin,
		log: () => log,
		async stop() {
			if (child.exitCode === null) {
				child.kill("SIGTERM");
				const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
				await exited;
				clearTimeout(timer);
			}
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/* ---- test data ---------------------------------------------------------- */

/* A valid resident ID number: region, birth date, sequence (odd = male). */
export function idNumber(birth, seq, region = "440305") {
	const id17 = `${region}${birth}${String(seq).padStart(3, "0")}`;
	return id17 + idCheckChar(id17);
}

export const PASSWORD = "browser-test-1";
export const EMPLOYER = "E-BROWSER";
export const HOSPITAL = "H-BROWSER";

/* Employer and hospital, once per server; returns the hospital's key. */
export async function seedInstitutions(srv) {
	await srv.admin("POST", "/api/v1/employers", { code: EMPLOYER, name: "测试单位" });
	await srv.admin("POST", "/api/v1/institutions", { code: HOSPITAL, name: "市第一人民医院", type: "hospital" });
	return srv.key("institution", { institution: HOSPITAL });
}

/*
 * A person: registered, a portal password, contributions crediting
 * `months` × `credit` fen to the account (tier 1), and a card by the
 * center route (activated unless activated: false).
 */
export async function seedPerson(srv, { ssn, id_number, name, scheme = "employee_tier1",
	months = 0, credit = 42000, card = true, activated = true }) {
	await srv.admin("POST", "/api/v1/persons", {
		ssn, id_number, name, scheme, ...(scheme === "resident" ? {} : { employer_code: EMPLOYER }),
	});
	await srv.admin("POST", `/api/v1/persons/${ssn}/password`, { password: PASSWORD });
	for (let m = 1; m <= months; m++)
		await srv.admin("POST", "/api/v1/contributions", {
			ssn, period: `${2024 + Math.floor((m - 1) / 12)}-${String(((m - 1) % 12) + 1).padStart(2, "0")}`,
			employer_code: EMPLOYER,
			base_fen: 1000000, employer_fen: 60000, personal_fen: 20000, account_credit_fen: credit,
		});
	let card_no = null;
	if (card) {
		const app = await srv.admin("POST", "/api/v1/card-applications", { ssn, route: "center" });
		card_no = app.card_no;
		if (activated) await srv.admin("POST", `/api/v1/cards/${card_no}/activation`);
	}
	return { ssn, id_number, name, card_no };
}

/*
 * A family numbered n (so one server can hold several): the father
 * (tier 1, funded), the mother (tier 1), their child (resident, no
 * account), and a stranger whose valid ID number is the "wrong" one.
 */
export async function seedFamily(srv, n) {
	const p = (k) => `6${n}00000${k}`;
	return {
		father: await seedPerson(srv, { ssn: p(1), id_number: idNumber("19780315", 10 * n + 1), name: "李建国", months: 24 }),
		mother: await seedPerson(srv, { ssn: p(2), id_number: idNumber("19800722", 10 * n + 2), name: "王秀英", months: 3 }),
		child: await seedPerson(srv, { ssn: p(3), id_number: idNumber("20120901", 10 * n + 3), name: "李小明", scheme: "resident" }),
		stranger: await seedPerson(srv, { ssn: p(4), id_number: idNumber("19660101", 10 * n + 5), name: "赵大海", scheme: "resident", card: false }),
	};
}

/*
 * useServer(seed) — a test file's fixture: before its tests, a server with
 * the employer and the hospital (ctx.hospitalKey), whatever seed(ctx)
 * adds, and a browser; after them, both stopped.  → ctx {srv, browser, ...}
 */
export function useServer(seed = async () => {}, { config } = {}) {
	const ctx = {};
	before(async () => {
		ctx.srv = await startServer({ config });
		ctx.hospitalKey = await seedInstitutions(ctx.srv);
		await seed(ctx);
		ctx.browser = await launch();
	});
	after(async () => {
		await ctx.browser?.close();
		await ctx.srv?.stop();
	});
	return ctx;
}

/* ---- the browser --------------------------------------------------------- */

export async function launch() {
	const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
	assert.ok(existsSync(executablePath), `${executablePath} is missing: apt-get install -y chromium`);
	return chromium.launch({
		executablePath,
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--disable-quic"],
	});
}

/* A fresh context (own storage) at a viewport, in Shanghai, in Chinese. */
export async function newPage(browser, viewport) {
	const context = await browser.newContext({ viewport, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
	const page = await context.newPage();
	page.on("pageerror", (e) => { page._errors = [...(page._errors || []), e.message]; });
	return page;
}

export async function shot(page, name, dir = OUT) {
	mkdirSync(dir, { recursive: true });
	await page.screenshot({ path: join(dir, `${name}.png`), fullPage: dir === OUT });
}

/*
 * The README's pictures in docs/screenshots/ (viewport size), rewritten
 * only when YB_UPDATE_SCREENSHOTS=1, so an ordinary test run leaves the
 * work tree clean.
 */
export async function docShot(page, name) {
	if (process.env.YB_UPDATE_SCREENSHOTS === "1") await shot(page, name, SCREENSHOTS);
}

/* Serious or critical accessibility violations, as readable lines. */
export async function axeViolations(page) {
	const res = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
	return res.violations
		.filter((v) => v.impact === "serious" || v.impact === "critical")
		.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

/* The page is no wider than the viewport (no horizontal scrolling). */
export async function assertNoHorizontalScroll(page, what) {
	const { scroll, client } = await page.evaluate(() => ({
		scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
	}));
	assert.ok(scroll <= client, `${what}: the page scrolls sideways (${scroll} > ${client})`);
}

/* No uncaught script error on the page. */
export function assertNoPageErrors(page) {
	assert.deepEqual(page._errors || [], [], "uncaught errors in the page");
}

/* Log in to the portal as someone (login: SSN or ID number). */
export async function portalLogin(page, srv, login, password = PASSWORD) {
	await page.goto(`${srv.url}/`);
	await page.getByLabel("社保电脑号或身份证号").fill(login);
	await page.getByLabel("密码", { exact: true }).fill(password);
	await page.getByRole("button", { name: "登录", exact: true }).click();
	await page.locator("#balance").filter({ hasText: "¥" }).or(page.locator("#balance-note")).first().waitFor();
}

/* Sign out with the header's button: the message shows, the stored token is gone. */
export async function signOut(page, { message, storageKey }) {
	await page.getByRole("button", { name: "退出" }).click();
	await page.getByText(message).waitFor();
	assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), storageKey), null);
	assertNoPageErrors(page);
	await page.context().close();
}

/* Paste an API key into the console. */
export async function consoleLogin(page, srv, apiKey) {
	await page.goto(`${srv.url}/console`);
	await page.getByLabel("API 密钥").fill(apiKey);
	await page.getByRole("button", { name: "进入工作台" }).click();
	await page.locator("#nav").waitFor();
}
