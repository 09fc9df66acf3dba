/*
 * notifications.test.mjs — E3 in the portal, at phone and desktop width:
 * the authorizer sees the unread count in the navigation, the
 * notification of his son's pharmacy purchase (paid from his account by
 * the pharmacy over the API) in words, marks it read, then all of them;
 * the badge follows.  Also: the strings of notifications exist in both
 * languages, and the page passes the axe scan.
 */
import { test } from "node:test";
import assert from "node:assert/strict";

import {
	useServer, seedFamily, newPage, shot, portalLogin, VIEWPORTS,
	assertNoHorizontalScroll, assertNoPageErrors, axeViolations, docShot,
} from "./harness.mjs";
import { NOTIFY_DICT } from "../../web/js/i18n_notify.js";

const families = {};
const ctx = useServer(async () => {
	await ctx.srv.admin("POST", "/api/v1/institutions", { code: "P-BROWSER", name: "城南大药房", type: "pharmacy" });
	ctx.pharmacyKey = await ctx.srv.key("institution", { institution: "P-BROWSER" });
	families.phone = await seedFamily(ctx.srv, 3);
	families.desktop = await seedFamily(ctx.srv, 4);
});

test("notification strings: both languages have the same keys", () => {
	assert.deepEqual(Object.keys(NOTIFY_DICT.en).sort(), Object.keys(NOTIFY_DICT.zh).sort());
});

for (const [label, viewport] of VIEWPORTS) {
	test(`E3 at ${label} width: the father sees his son's pharmacy purchase and marks it read`, async () => {
		const { father, child } = families[label];
		/* The father authorizes his son (web), then the son buys medicine:
		 * he has no account, so the father's pays (S3). */
		const s = await ctx.srv.must(null, "POST", "/api/v1/sessions", { login: father.ssn, password: "browser-test-1" });
		await ctx.srv.must(s.token, "POST", "/api/v1/me/bindings", {
			relatives: [{ ssn: child.ssn, id_number: child.id_number, relationship: "child" }],
		});
		const bill = await ctx.srv.must(ctx.pharmacyKey, "POST", "/api/v1/settlements", {
			txn_id: `NOTE-${label}-1`, credential: { type: "id_number", value: child.id_number },
			visit_type: "pharmacy", total_fen: 3500, fund_pay_fen: 0,
		});
		assert.deepEqual(bill.shares.map((x) => [x.payer_ssn, x.amount_fen]), [[father.ssn, 3500]]);

		const page = await newPage(ctx.browser, viewport);
		await portalLogin(page, ctx.srv, father.ssn);
		const badgeEl = page.locator("#unread-badge");
		await badgeEl.filter({ hasText: "2" }).waitFor();
		assert.equal(await badgeEl.getAttribute("aria-label"), "2 条未读消息");
		await page.locator("#nav-notes").click();
		await page.getByRole("heading", { level: 1, name: "消息通知" }).waitFor();

		const purchase = page.locator(".note[data-kind=settlement_share]");
		await purchase.waitFor();
		assert.match(await purchase.textContent(), /李\*（子女）在城南大药房使用您的个人账户支付 ¥35\.00/);
		assert.match(await purchase.textContent(), /未读/);
		const made = page.locator(".note[data-kind=binding_created]");
		assert.match(await made.textContent(), /您已授权李\*（子女）使用您的个人账户（办理渠道：网上服务/);
		await page.locator("#note-count", { hasText: "2 条未读" }).waitFor();
		await assertNoHorizontalScroll(page, "notifications");
		await shot(page, `notifications-${label}`);
		if (label === "phone") await docShot(page, "portal-notifications-phone");
		assert.deepEqual(await axeViolations(page), [], "axe: serious or critical");

		/* Mark the purchase read: the count and the badge follow. */
		await purchase.getByRole("button", { name: /标为已读/ }).click();
		await page.locator("#note-count", { hasText: "1 条未读" }).waitFor();
		await badgeEl.filter({ hasText: "1" }).waitFor();
		const readNow = page.locator(".note[data-kind=settlement_share]");
		assert.equal(await readNow.getByRole("button").count(), 0, "a read one has no button");
		assert.doesNotMatch(await readNow.textContent(), /未读/);

		/* Then all: the badge goes. */
		await page.getByRole("button", { name: "全部标为已读" }).click();
		await page.locator("#note-msg", { hasText: "已将 1 条消息标为已读。" }).waitFor();
		await page.locator("#note-count", { hasText: "全部已读" }).waitFor();
		assert.ok(await badgeEl.isHidden(), "no badge when all are read");
		assert.ok(await page.getByRole("button", { name: "全部标为已读" }).isDisabled());
		const api = await ctx.srv.must(s.token, "GET", "/api/v1/me/notifications");
		assert.equal(api.unread_count, 0);

		/* In English too. */
		await page.getByRole("button", { name: "English" }).click();
		await page.locator(".note[data-kind=settlement_share]", { hasText: "paid ¥35.00 from your personal account at 城南大药房" }).waitFor();
		assertNoPageErrors(page);
		await page.context().close();
	});
}
