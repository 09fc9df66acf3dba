/*
 * family.test.mjs — family mutual aid in the portal (SPEC F1–F7), at
 * phone and desktop width: bind two relatives in one submission, one
 * with a wrong ID number (F4: the good row is bound, the bad row shows
 * its error beside it; F2: the error does not say which is registered);
 * correct the bad row and submit again; a settlement made through the
 * API by the hospital with the relative's ID number appears in the
 * authorizer's family usage (F7); end a binding after confirming (F6).
 */
import { test } from "node:test";
import assert from "node:assert/strict";

import {
	useServer, seedFamily, newPage, shot, portalLogin, VIEWPORTS,
	docShot, assertNoHorizontalScroll, assertNoPageErrors,
} from "./harness.mjs";

const families = {};
const ctx = useServer(async () => {
	families.phone = await seedFamily(ctx.srv, 1);
	families.desktop = await seedFamily(ctx.srv, 2);
});

async function fillRow(page, n, { ssn, id_number, relationship }) {
	const row = page.getByRole("group", { name: `亲属 ${n}`, exact: true });
	await row.getByLabel("社保电脑号").fill(ssn);
	await row.getByLabel("身份证号").fill(id_number);
	await row.getByLabel("关系").selectOption(relationship);
	return row;
}

for (const [label, viewport] of VIEWPORTS) {
	test(`family at ${label} width: bind two in one go (one wrong), usage after a settlement, unbind`, async () => {
		const { father, mother, child, stranger } = families[label];
		const page = await newPage(ctx.browser, viewport);
		await portalLogin(page, ctx.srv, father.ssn);
		await page.getByRole("link", { name: "家庭共济" }).first().click();
		await page.getByRole("heading", { level: 1, name: "家庭共济" }).waitFor();
		await page.getByText("您还没有授权亲属使用您的账户。").waitFor();

		/* Two rows, submitted once; the second has someone else's (valid) ID number. */
		const row1 = await fillRow(page, 1, { ...child, relationship: "child" });
		await page.getByRole("button", { name: "＋ 再添加一位亲属" }).click();
		const row2 = await fillRow(page, 2, { ssn: mother.ssn, id_number: stranger.id_number, relationship: "spouse" });
		await page.getByRole("button", { name: "提交绑定" }).click();

		await row1.locator(".row-result", { hasText: "✓ 绑定成功" }).waitFor();
		await row2.locator(".row-result", { hasText: "社保电脑号与身份证号不属于同一参保人，请核对。" }).waitFor();
		assert.equal(await row2.getByLabel("身份证号").getAttribute("aria-invalid"), "true");
		assert.ok(await row1.getByLabel("社保电脑号").isDisabled(), "a bound row is done");
		await page.locator("#bind-msg", { hasText: "1 位亲属绑定成功，1 位未成功" }).waitFor();
		const mine = page.locator("#authorized-list");
		await mine.getByText("李*", { exact: true }).waitFor();
		assert.match(await mine.textContent(), /子女.*网上服务办理/);
		await assertNoHorizontalScroll(page, "family page");
		await page.locator("#bind-h").scrollIntoViewIfNeeded();
		await shot(page, `family-bind-result-${label}`);
		if (label === "phone") {
			await page.evaluate(() => document.getElementById("bind-h").scrollIntoView({ block: "start" }));
			await docShot(page, "portal-family-phone");
		}

		/* Correct the bad row and submit again: only that row is sent. */
		await row2.getByLabel("身份证号").fill(mother.id_number);
		await page.getByRole("button", { name: "提交绑定" }).click();
		await row2.locator(".row-result", { hasText: "✓ 绑定成功" }).waitFor();
		await mine.getByText("王*", { exact: true }).waitFor();
		const bindings = await ctx.srv.admin("GET", `/api/v1/persons/${father.ssn}/bindings`);
		assert.equal(bindings.authorized.filter((b) => !b.ended_at).length, 2, "exactly two active bindings");

		/* The hospital settles the child's bill with his ID number: the
		 * child has no account, so the father's pays (S3, F7). */
		const s = await ctx.srv.must(ctx.hospitalKey, "POST", "/api/v1/settlements", {
			txn_id: `BROWSER-${label}-1`, credential: { type: "id_number", value: child.id_number },
			visit_type: "outpatient", total_fen: 12345, fund_pay_fen: 2345,
		});
		assert.deepEqual(s.shares.map((x) => [x.payer_ssn, x.amount_fen]), [[father.ssn, 10000]]);
		await page.reload();
		const usage = page.locator("#usage-table tbody tr");
		await usage.first().waitFor();
		assert.equal(await usage.count(), 1);
		assert.match(await usage.first().textContent(), /李\*.*子女.*市第一人民医院.*门诊.*¥100\.00.*已结算/);
		await page.locator("#usage-h").scrollIntoViewIfNeeded();
		await shot(page, `family-usage-${label}`);

		/* End the child's binding: cancel first, then confirm. */
		const end = page.getByRole("button", { name: "解除绑定：李*" });
		await end.click();
		const dialog = page.getByRole("dialog", { name: "确认解除绑定？" });
		assert.match(await dialog.textContent(), /李\*（子女）将立即不能再使用您的个人账户/);
		await dialog.getByRole("button", { name: "取消" }).click();
		assert.ok(await end.isVisible(), "cancelled: still bound");
		await end.click();
		await dialog.getByRole("button", { name: "确认解除" }).click();
		await page.locator("#bind-msg", { hasText: "已解除与 李* 的绑定。" }).waitFor();
		await mine.getByText("已解除的绑定（1）").waitFor();
		assert.ok(await end.isHidden());
		const after = await ctx.srv.admin("GET", `/api/v1/persons/${father.ssn}/bindings`);
		assert.equal(after.authorized.filter((b) => !b.ended_at).length, 1);

		/* The child sees the other direction: whose account he may use (none now). */
		assertNoPageErrors(page);
		await page.context().close();
		const childPage = await newPage(ctx.browser, viewport);
		await portalLogin(childPage, ctx.srv, child.ssn);
		await childPage.getByRole("link", { name: "家庭共济" }).first().click();
		await childPage.locator("#authorized-by-list").getByText("暂无亲属授权您使用其账户。").waitFor();
		await childPage.locator("#authorized-by-list").getByText("已解除的绑定（1）").waitFor();
		await childPage.context().close();
	});
}

test("family: a row with a malformed ID number is caught before sending", async () => {
	const { mother } = families.desktop;
	const page = await newPage(ctx.browser, VIEWPORTS[1][1]);
	await portalLogin(page, ctx.srv, mother.ssn);
	await page.goto(`${ctx.srv.url}/#family`);
	const row = await fillRow(page, 1, { ssn: "123", id_number: "44030519800722002", relationship: "spouse" });
	await page.getByRole("button", { name: "提交绑定" }).click();
	await row.locator(".row-result", { hasText: "社保电脑号应为 7 至 12 位数字。" }).waitFor();
	await row.getByLabel("社保电脑号").fill("61000009");
	await page.getByRole("button", { name: "提交绑定" }).click();
	await row.locator(".row-result", { hasText: "身份证号不正确" }).waitFor();
	assert.ok(await row.getByLabel("身份证号").evaluate((el) => el === document.activeElement), "focus on the bad field");
	assertNoPageErrors(page);
	await page.context().close();
});
