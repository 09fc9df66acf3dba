/*
 * portal.test.mjs — the person's portal at / in a real ctx.browser, at phone
 * (390×844) and desktop (1280×800) width: log in with the SSN or the ID
 * number, the balance in yuan, the card, the electronic credential's QR
 * code (C1), paged records (Q1), reporting the card lost (C5), log out,
 * and the language switch.
 */
import { test } from "node:test";
import assert from "node:assert/strict";

import {
	useServer, seedFamily, newPage, shot, portalLogin, VIEWPORTS, DESKTOP,
	docShot, assertNoHorizontalScroll, assertNoPageErrors, signOut, PASSWORD,
} from "./harness.mjs";

const families = {};
const ctx = useServer(async () => {
	families.phone = await seedFamily(ctx.srv, 1);
	families.desktop = await seedFamily(ctx.srv, 2);
});

for (const [label, viewport] of VIEWPORTS) {
	test(`portal at ${label} width: log in, balance, card, credential, records, card loss, log out`, async () => {
		const { father } = families[label];
		const page = await newPage(ctx.browser, viewport);
		await portalLogin(page, ctx.srv, father.ssn);

		/* Q1: 24 months × 420.00 = 10,080.00 yuan, grouped, two decimals. */
		await assert.doesNotReject(page.locator("#balance", { hasText: "¥10,080.00" }).waitFor());
		assert.equal(await page.locator("#home-title").textContent(), "您好，李建国");
		assert.match(await page.locator("#card-facts").textContent(), new RegExp(father.card_no));
		assert.match(await page.locator("#card-facts").textContent(), /正常.*已激活/);

		/* C1: the credential's QR code, an image fetched with the token. */
		const qr = page.locator("#ecert-img");
		await qr.waitFor({ state: "visible" });
		assert.match(await qr.getAttribute("src"), /^data:image\/svg\+xml/);
		assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), "the QR image renders");
		assert.match(await page.locator("#ecert-countdown").textContent(), /^[34]:\d\d 后自动刷新$/);
		await assertNoHorizontalScroll(page, "portal home");
		await shot(page, `portal-home-${label}`);
		if (label === "desktop") await docShot(page, "portal-home");

		/* Contributions: 24 records, 20 a page, then "more". */
		await page.getByRole("link", { name: "缴费记录" }).click();
		const rows = page.locator("#contrib-table tbody tr");
		await rows.nth(19).waitFor();
		assert.equal(await rows.count(), 20);
		assert.match(await rows.first().textContent(), /2025-12.*¥10,000\.00.*¥600\.00.*¥200\.00.*¥420\.00/);
		await page.getByRole("button", { name: "加载更多" }).click();
		await rows.nth(23).waitFor();
		assert.equal(await rows.count(), 24);
		assert.ok(await page.getByRole("button", { name: "加载更多" }).isHidden(), "no more after the last page");
		await assertNoHorizontalScroll(page, "contributions");
		await shot(page, `portal-contributions-${label}`);

		/* The account statement, newest first, signed amounts. */
		await page.getByRole("link", { name: "账户明细" }).click();
		const ledger = page.locator("#ledger-table tbody tr");
		await ledger.first().waitFor();
		assert.match(await ledger.first().textContent(), /缴费划入.*\+¥420\.00.*¥10,080\.00/);

		/* Settlements: none yet. */
		await page.getByRole("link", { name: "就医结算" }).click();
		await page.getByText("暂无就医结算记录。").waitFor();

		/* C5: report the card lost, after confirming. */
		await page.getByRole("link", { name: "首页" }).click();
		await page.getByRole("button", { name: "挂失社保卡" }).click();
		const dialog = page.getByRole("dialog", { name: "确认挂失社保卡？" });
		await dialog.getByRole("button", { name: "取消" }).click();
		assert.match(await page.locator("#card-facts").textContent(), /正常/);
		await page.getByRole("button", { name: "挂失社保卡" }).click();
		await dialog.getByRole("button", { name: "确认挂失" }).click();
		await page.locator("#card-msg", { hasText: "社保卡已挂失并冻结。" }).waitFor();
		assert.match(await page.locator("#card-facts").textContent(), /已挂失/);
		assert.ok(await page.getByRole("button", { name: "挂失社保卡" }).isHidden());

		/* Log out: the token is gone, the login form is back. */
		await signOut(page, { message: "您已安全退出。", storageKey: "yb.portal.token" });
	});
}

test("portal: log in with the ID number; a wrong password gets a friendly message", async () => {
	const { mother } = families.desktop;
	const page = await newPage(ctx.browser, DESKTOP);
	await page.goto(`${ctx.srv.url}/`);
	await page.getByLabel("社保电脑号或身份证号").fill(mother.id_number);
	await page.getByLabel("密码", { exact: true }).fill("not-the-password");
	await page.getByRole("button", { name: "登录", exact: true }).click();
	await page.getByRole("alert").filter({ hasText: "账号或密码不正确。" }).waitFor();
	await shot(page, "portal-login-error");
	await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
	await page.getByRole("button", { name: "登录", exact: true }).click();
	await page.locator("#home-title", { hasText: "您好，王秀英" }).waitFor();
	/* A reload keeps the session (sessionStorage). */
	await page.reload();
	await page.locator("#home-title", { hasText: "您好，王秀英" }).waitFor();
	assertNoPageErrors(page);
	await page.context().close();
});

for (const [label, viewport] of VIEWPORTS) {
	test(`language switch at ${label} width: zh → en changes the text and <html lang>, and is remembered`, async () => {
		const { father } = families[label];
		const page = await newPage(ctx.browser, viewport);
		await page.goto(`${ctx.srv.url}/`);
		assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
		await page.getByRole("button", { name: "English" }).click();
		assert.equal(await page.getAttribute("html", "lang"), "en");
		await page.getByRole("heading", { name: "Log in" }).waitFor();
		assert.equal(await page.title(), "Medical Insurance — Personal Services");
		await page.getByLabel("Social security number or ID number").fill(father.ssn);
		await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
		await page.getByRole("button", { name: "Log in", exact: true }).click();
		await page.getByRole("heading", { name: "Hello, 李建国" }).waitFor();
		await page.getByRole("link", { name: "Family mutual aid" }).first().waitFor();
		assert.match(await page.locator("#balance").textContent(), /^¥[\d,]+\.\d\d$/);
		await assertNoHorizontalScroll(page, "portal home in English");
		await shot(page, `portal-home-en-${label}`);

		/* Remembered across a reload; back to Chinese with the same button. */
		await page.reload();
		await page.getByRole("heading", { name: "Hello, 李建国" }).waitFor();
		await page.getByRole("button", { name: "中文" }).click();
		assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
		await page.getByRole("heading", { name: "您好，李建国" }).waitFor();
		assertNoPageErrors(page);
		await page.context().close();
	});
}
