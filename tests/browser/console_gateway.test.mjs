/*
 * console_gateway.test.mjs — the national-interface gateway in the
 * operator console: the administrator lists an institution's gateway
 * credentials, issues one (the token shown once, and it signs a real
 * request), revokes it after a confirmation (the gateway then refuses
 * it); the administrator and the agency window look up a kept message by
 * msgid; a hospital office sees neither view.  Phone and desktop width.
 */
import { test } from "node:test";
import assert from "node:assert/strict";

import {
	useServer, newPage, shot, docShot, consoleLogin, DESKTOP, PHONE,
	assertNoHorizontalScroll, assertNoPageErrors, axeViolations,
} from "./harness.mjs";
import { NhsaClient } from "../nhsa/client.mjs";

/* A hospital whose code makes NHSA.md's msgid (12 letters or digits). */
const HOSPITAL = "H44030000901";

const ctx = useServer(async () => {
	await ctx.srv.admin("POST", "/api/v1/institutions", { code: HOSPITAL, name: "市第二人民医院", type: "hospital" });
	ctx.window = await ctx.srv.key("agency_window");
	ctx.office = await ctx.srv.key("hospital_office");
});

/* A signed 9001 with the credential; its reply. */
async function signIn(paasid, token) {
	const his = new NhsaClient({ base: ctx.srv.url, paasid, token, fixmedins_code: HOSPITAL });
	return his.signIn();
}

for (const [label, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
	test(`gateway credentials at ${label} width: issue (token once), list, revoke`, async () => {
		const page = await newPage(ctx.browser, viewport);
		const view = page.locator('[data-view="gateway"]');
		await consoleLogin(page, ctx.srv, ctx.srv.adminKey);
		// the administrator's home is the credentials view; no operator views
		await page.getByRole("heading", { level: 1, name: "定点医药机构接口凭据" }).waitFor();
		assert.ok(await page.getByRole("link", { name: "共济绑定" }).isHidden());
		await view.getByLabel("定点医药机构编号").fill(HOSPITAL);
		await page.getByRole("button", { name: "签发新凭据" }).click();
		await page.locator("#gw-msg", { hasText: `已为 ${HOSPITAL} 签发新凭据` }).waitFor();
		const token = (await page.locator("#gw-token").textContent()).trim();
		const paasid = (await page.locator("#gw-issued-facts dd").nth(1).textContent()).trim();
		assert.match(token, /^[\w-]{43}$/);
		// it is real: the HIS signs with it
		const ok = await signIn(paasid, token);
		assert.equal(ok.json?.infcode, 0, ok.text);
		// the list has it, in use, and never the token
		const row = page.locator("#gw-table tbody tr", { hasText: paasid });
		await row.waitFor();
		assert.match(await row.textContent(), /使用中/);
		assert.ok(!(await page.locator("#gw-table").textContent()).includes(token));
		await assertNoHorizontalScroll(page, "gateway credentials");
		assert.deepEqual(await axeViolations(page), [], "axe: serious or critical");
		await shot(page, `console-gateway-${label}`);
		if (label === "desktop") await docShot(page, "console-gateway");
		// revoke, after a confirmation; the gateway refuses it at once
		await row.getByRole("button", { name: `停用凭据 ${paasid}` }).click();
		await page.getByRole("dialog").getByRole("button", { name: "停用" }).click();
		await page.locator("#gw-msg", { hasText: `凭据 ${paasid} 已停用` }).waitFor();
		await page.locator("#gw-table tbody tr", { hasText: paasid }).filter({ hasText: "已停用" }).waitFor();
		const refused = await signIn(paasid, token);
		assert.equal(refused.json?.infcode, -1);
		assert.match(refused.json.err_msg, /nhsa\.auth_unknown_paasid/);
		// listing again (a fresh page) shows the revoked one, still no token
		await page.reload();
		await view.getByLabel("定点医药机构编号").fill(HOSPITAL);
		await page.getByRole("button", { name: "查询凭据" }).click();
		await page.locator("#gw-table tbody tr", { hasText: paasid }).filter({ hasText: "已停用" }).waitFor();
		assert.ok(await page.locator("#gw-issued").isHidden());
		// an unknown institution is said in words
		await view.getByLabel("定点医药机构编号").fill("H-NONE");
		await page.getByRole("button", { name: "签发新凭据" }).click();
		await page.locator("#gw-msg", { hasText: "没有这个定点医药机构" }).waitFor();
		assertNoPageErrors(page);
		await page.context().close();
	});
}

test("gateway messages: the agency window finds a kept message and its reply", async () => {
	const c = await ctx.srv.admin("POST", "/api/v1/nhsa/credentials", { institution_code: HOSPITAL });
	const sent = await signIn(c.paasid, c.token);
	const msgid = JSON.parse(sent.sent).msgid;
	for (const [label, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
		const page = await newPage(ctx.browser, viewport);
		const view = page.locator('[data-view="messages"]');
		await consoleLogin(page, ctx.srv, ctx.window);
		await page.getByRole("link", { name: "接口报文" }).click();
		await page.getByRole("heading", { level: 1, name: "接口报文查询" }).waitFor();
		assert.ok(await page.locator("#nav-gateway").isHidden());
		await view.getByLabel("定点医药机构编号").fill(HOSPITAL);
		await view.getByLabel("报文ID（msgid）").fill(msgid);
		await page.getByRole("button", { name: "查询报文" }).click();
		await page.locator("#gwm-result").waitFor();
		const facts = await page.locator("#gwm-facts").textContent();
		assert.match(facts, /9001/);
		assert.match(facts, /成功（infcode 0）/);
		assert.equal(await page.locator("#gwm-reply").textContent(), sent.text);
		await assertNoHorizontalScroll(page, "gateway messages");
		assert.deepEqual(await axeViolations(page), [], "axe: serious or critical");
		await shot(page, `console-gateway-message-${label}`);
		// an unknown msgid is said in words
		await view.getByLabel("报文ID（msgid）").fill(`${msgid.slice(0, 26)}9999`);
		await page.getByRole("button", { name: "查询报文" }).click();
		await page.locator("#gwm-msg", { hasText: "没有找到这个报文" }).waitFor();
		assert.ok(await page.locator("#gwm-result").isHidden());
		assertNoPageErrors(page);
		await page.context().close();
	}
});

test("a hospital office has no gateway views", async () => {
	const page = await newPage(ctx.browser, DESKTOP);
	await consoleLogin(page, ctx.srv, ctx.office);
	assert.ok(await page.locator("#nav-gateway").isHidden());
	assert.ok(await page.locator("#nav-messages").isHidden());
	assertNoPageErrors(page);
	await page.context().close();
});
