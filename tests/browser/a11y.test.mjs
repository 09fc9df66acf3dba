/*
 * a11y.test.mjs — an axe-core scan (WCAG 2.1 A/AA and best practice)
 * finds no serious or critical violation on the portal's login, home and
 * family pages, the console and the kiosk, at phone and desktop width;
 * none of them scrolls sideways; the portal can be used with the keyboard
 * alone (tab to the fields, Enter to log in, a visible focus outline).
 */
import { test } from "node:test";
import assert from "node:assert/strict";

import {
	useServer, seedFamily, newPage, shot, portalLogin, consoleLogin, VIEWPORTS,
	DESKTOP, assertNoHorizontalScroll, axeViolations, assertNoPageErrors, PASSWORD,
} from "./harness.mjs";

let agencyKey, terminalKey, family;

const ctx = useServer(async () => {
	family = await seedFamily(ctx.srv, 1);
	agencyKey = ctx.srv.key("agency_window");
	terminalKey = ctx.srv.key("terminal");
	/* Something in every list: a binding, its usage, a settlement. */
	const father = await portalSession(family.father.ssn);
	await ctx.srv.must(father, "POST", "/api/v1/me/bindings", {
		relatives: [{ ssn: family.child.ssn, id_number: family.child.id_number, relationship: "child" }],
	});
	await ctx.srv.must(ctx.hospitalKey, "POST", "/api/v1/settlements", {
		txn_id: "A11Y-1", credential: { type: "id_number", value: family.child.id_number },
		visit_type: "pharmacy", total_fen: 5000, fund_pay_fen: 0,
	});
});

async function portalSession(ssn) {
	const r = await fetch(`${ctx.srv.url}/api/v1/sessions`, {
		method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ login: ssn, password: PASSWORD }),
	});
	return (await r.json()).token;
}

async function scan(page, what) {
	const found = await axeViolations(page);
	assert.deepEqual(found, [], `${what}: serious or critical accessibility violations`);
	await assertNoHorizontalScroll(page, what);
}

for (const [label, viewport] of VIEWPORTS) {
	test(`accessibility at ${label} width: portal login, home, family; console; kiosk`, async () => {
		const page = await newPage(ctx.browser, viewport);
		await page.goto(`${ctx.srv.url}/`);
		await page.locator("#login-form").waitFor();
		await scan(page, "portal login");
		await shot(page, `a11y-portal-login-${label}`);

		await portalLogin(page, ctx.srv, family.father.ssn);
		await page.locator("#ecert-img").waitFor();
		await scan(page, "portal home");

		await page.getByRole("link", { name: "家庭共济" }).first().click();
		await page.locator("#usage-table tbody tr").first().waitFor();
		await page.locator("#authorized-list li").first().waitFor();
		await scan(page, "portal family");
		await shot(page, `a11y-portal-family-${label}`);

		/* The confirmation dialog too. */
		await page.getByRole("button", { name: "解除绑定：李*" }).click();
		await page.getByRole("dialog").waitFor();
		await scan(page, "portal dialog");
		await page.keyboard.press("Escape");
		assert.ok(await page.getByRole("dialog").isHidden(), "Escape closes the dialog");

		assertNoPageErrors(page);
		await page.context().close();

		const op = await newPage(ctx.browser, viewport);
		await op.goto(`${ctx.srv.url}/console/`);
		await op.locator("#key-form").waitFor();
		await consoleLogin(op, ctx.srv, agencyKey);
		await op.locator('[data-view="person"]').getByLabel("社保电脑号").fill(family.father.ssn);
		await op.getByRole("button", { name: "查询" }).click();
		await op.locator("#person-bindings table").waitFor();
		await scan(op, "console person");
		await shot(op, `a11y-console-person-${label}`);
		for (const view of ["bind", "cards"]) {
			await op.goto(`${ctx.srv.url}/console/#${view}`);
			await op.locator(`[data-view="${view}"]`).waitFor();
			await scan(op, `console ${view}`);
		}
		assertNoPageErrors(op);
		await op.context().close();

		const kiosk = await newPage(ctx.browser, viewport);
		await kiosk.goto(`${ctx.srv.url}/kiosk/`);
		await kiosk.locator("#setup-form").waitFor();
		await kiosk.getByLabel("终端 API 密钥").fill(terminalKey);
		await kiosk.getByRole("button", { name: "保存并启用" }).click();
		await kiosk.locator("#step-1").waitFor();
		await scan(kiosk, "kiosk step 1");
		assertNoPageErrors(kiosk);
		await kiosk.context().close();
	});
}

test("keyboard: log in and reach the family page without a mouse, with a visible focus outline", async () => {
	const page = await newPage(ctx.browser, DESKTOP);
	await page.goto(`${ctx.srv.url}/`);
	/* The skip link comes first. */
	await page.keyboard.press("Tab");
	assert.equal(await page.evaluate(() => document.activeElement.className), "skip-link");
	await page.locator("#login-id").focus();
	await page.keyboard.type(family.mother.ssn);
	await page.keyboard.press("Tab");
	const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
	assert.notEqual(outline, "none", "the focused field shows an outline");
	await page.keyboard.type(PASSWORD);
	await page.keyboard.press("Enter");
	await page.locator("#home-title", { hasText: "王秀英" }).waitFor();
	/* Tab to the nav link "家庭共济" and press Enter. */
	for (let i = 0; i < 30; i++) {
		await page.keyboard.press("Tab");
		if (await page.evaluate(() => document.activeElement.textContent === "家庭共济" && document.activeElement.tagName === "A")) break;
	}
	await page.keyboard.press("Enter");
	await page.getByRole("heading", { level: 1, name: "家庭共济" }).waitFor();
	assert.equal(await page.evaluate(() => document.activeElement.tagName), "H1", "focus moves to the new view's heading");
	await page.context().close();
});
