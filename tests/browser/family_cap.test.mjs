/*
 * family_cap.test.mjs — SPEC E2 in the portal, at phone and desktop
 * width: the father sets a ¥200 monthly limit for his son under the
 * son's binding; the hospital settles a ¥300 bill of the son's; the
 * father's account pays ¥200, the limit line says nothing is left, and
 * family usage shows ¥100 held back by the limit.  The whole story of
 * issue 17 (premium, limit, notification) is family_story.test.mjs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";

import {
	useServer, seedFamily, newPage, shot, portalLogin, VIEWPORTS, PASSWORD,
	assertNoHorizontalScroll, assertNoPageErrors,
} from "./harness.mjs";

const families = {};
const ctx = useServer(async () => {
	for (const [n, label] of [[5, "phone"], [6, "desktop"]]) {
		const f = await seedFamily(ctx.srv, n);
		const s = await ctx.srv.must(null, "POST", "/api/v1/sessions", { login: f.father.ssn, password: PASSWORD });
		await ctx.srv.must(s.token, "POST", "/api/v1/me/bindings", {
			relatives: [{ ssn: f.child.ssn, id_number: f.child.id_number, relationship: "child" }],
		});
		families[label] = f;
	}
});

for (const [label, viewport] of VIEWPORTS) {
	test(`E2 at ${label} width: a ¥200 monthly limit for the son cuts a ¥300 bill`, async () => {
		const { father, child } = families[label];
		const page = await newPage(ctx.browser, viewport);
		await portalLogin(page, ctx.srv, father.ssn);
		await page.getByRole("link", { name: "家庭共济" }).first().click();
		const mine = page.locator("#authorized-list");
		await mine.getByText("不限额").waitFor();
		await mine.getByLabel("每月限额（元）：李*").fill("200");
		await mine.getByRole("button", { name: "设置限额" }).click();
		await page.locator("#bind-msg", { hasText: "已将 李* 的每月限额设为 ¥200.00。" }).waitFor();
		await mine.getByText("每月限额 ¥200.00，本月已用 ¥0.00，还可用 ¥200.00").waitFor();
		await assertNoHorizontalScroll(page, "family page with a limit");

		const s = await ctx.srv.must(ctx.hospitalKey, "POST", "/api/v1/settlements", {
			txn_id: `CAP-${label}-1`, credential: { type: "id_number", value: child.id_number },
			visit_type: "pharmacy", total_fen: 30000, fund_pay_fen: 0,
		});
		assert.deepEqual(s.shares.map((x) => [x.payer_ssn, x.amount_fen]), [[father.ssn, 20000]]);
		assert.equal(s.cash_pay_fen, 10000);
		await page.reload();
		await mine.getByText("每月限额 ¥200.00，本月已用 ¥200.00，还可用 ¥0.00").waitFor();
		const row = page.locator("#usage-table tbody tr").first();
		await row.waitFor();
		assert.match(await row.textContent(), /李\*.*¥200\.00.*¥100\.00/);
		await shot(page, `family-cap-${label}`);

		/* a bad amount is caught before sending */
		await mine.getByLabel("每月限额（元）：李*").fill("2.345");
		await mine.getByRole("button", { name: "设置限额" }).click();
		await page.locator("#bind-msg", { hasText: "请输入金额，例如 200 或 200.50。" }).waitFor();

		await mine.getByRole("button", { name: "取消限额：李*" }).click();
		await page.locator("#bind-msg", { hasText: "已取消 李* 的每月限额。" }).waitFor();
		await mine.getByText("不限额").waitFor();
		assertNoPageErrors(page);
		await page.context().close();
	});
}
