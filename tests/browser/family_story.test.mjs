/*
 * family_story.test.mjs — the story of issue 17 in the portal, at phone
 * and desktop width: the father pays his mother's resident premium for
 * 2026 from his personal account (E1: the amount of the year's setting,
 * confirmed first; a second try and a relative with no resident premium
 * are refused in plain words), sets a ¥200 monthly limit for his son
 * (E2), and sees the notification of his son's next pharmacy purchase —
 * ¥200 from his account, ¥100 held back by the limit (E3, E2).  His
 * ledger and family usage show the premium; his mother sees in her
 * contribution records from whose account it was paid.
 */
import { test } from "node:test";
import assert from "node:assert/strict";

import {
	useServer, seedFamily, seedPerson, idNumber, newPage, shot, portalLogin, VIEWPORTS, PASSWORD,
	assertNoHorizontalScroll, assertNoPageErrors, axeViolations, docShot,
} from "./harness.mjs";
import { FAMILY_DICT } from "../../web/js/i18n_family.js";

const families = {};
const ctx = useServer(async () => {
	await ctx.srv.admin("POST", "/api/v1/institutions", { code: "P-STORY", name: "城南大药房", type: "pharmacy" });
	ctx.pharmacyKey = await ctx.srv.key("institution", { institution: "P-STORY" });
	for (const [n, label] of [[7, "phone"], [8, "desktop"]]) {
		const f = await seedFamily(ctx.srv, n);
		/* the father's own mother: a resident, with no account of her own */
		f.gran = await seedPerson(ctx.srv, { ssn: `6${n}000006`, id_number: idNumber("19500210", 10 * n + 6),
			name: "张桂兰", scheme: "resident", card: false });
		const s = await ctx.srv.must(null, "POST", "/api/v1/sessions", { login: f.father.ssn, password: PASSWORD });
		await ctx.srv.must(s.token, "POST", "/api/v1/me/bindings", { relatives: [
			{ ssn: f.gran.ssn, id_number: f.gran.id_number, relationship: "parent" },
			{ ssn: f.child.ssn, id_number: f.child.id_number, relationship: "child" },
			{ ssn: f.mother.ssn, id_number: f.mother.id_number, relationship: "spouse" },
		] });
		families[label] = f;
	}
});

test("family strings: both languages have the same keys", () => {
	assert.deepEqual(Object.keys(FAMILY_DICT.en).sort(), Object.keys(FAMILY_DICT.zh).sort());
});

async function pay(page, relative, year) {
	const form = page.locator("#premium-form");
	await form.getByLabel("为谁缴费").selectOption({ label: relative });
	await form.getByLabel("缴费年度").selectOption({ label: `${year} 年度（¥400.00）` });
	await form.locator("#pm-amount", { hasText: "应缴金额：¥400.00" }).waitFor();
	await form.getByRole("button", { name: "缴费", exact: true }).click();
	const dlg = page.getByRole("dialog", { name: "确认缴费" });
	await dlg.getByText(`将从您的个人账户支付 ${relative}${year} 年度城乡居民医保个人缴费 ¥400.00。`, { exact: false }).waitFor();
	await dlg.getByRole("button", { name: "确认缴费" }).click();
}

for (const [label, viewport] of VIEWPORTS) {
	test(`the family story at ${label} width: his mother's premium, a ¥200 limit for his son, told of the son's purchase`, async () => {
		const { father, child, gran } = families[label];
		const page = await newPage(ctx.browser, viewport);
		await portalLogin(page, ctx.srv, father.ssn);
		await page.locator("#balance", { hasText: "¥10,080.00" }).waitFor();
		await page.getByRole("link", { name: "家庭共济" }).first().click();
		await page.getByRole("heading", { level: 1, name: "家庭共济" }).waitFor();

		/* E1: his mother's 2026 premium, from his account; once the open
		 * years are there, no word of "no open year" is left over from
		 * before they arrived */
		await page.locator("#pm-year option", { hasText: "2026 年度（¥400.00）" }).waitFor({ state: "attached" });
		await page.locator("#pm-relative option", { hasText: "张*（父母）" }).waitFor({ state: "attached" });
		assert.equal(await page.locator("#pm-msg").isHidden(), true, await page.locator("#pm-msg").textContent());
		await pay(page, "张*（父母）", 2026);
		const msg = page.locator("#pm-msg");
		await msg.filter({ hasText: "已为 张*（父母）缴纳 2026 年度城乡居民医保 ¥400.00，款项已从您的个人账户扣除。" }).waitFor();
		const paid = page.locator("#premium-table tbody tr").first();
		await paid.waitFor();
		assert.match(await paid.textContent(), /张\*（父母）.*2026.*¥400\.00.*网上服务/);
		await assertNoHorizontalScroll(page, "family page with the premium form");
		assert.deepEqual(await axeViolations(page), [], "axe: serious or critical");
		await page.locator("#premium-h").scrollIntoViewIfNeeded();
		await shot(page, `family-premium-${label}`);
		if (label === "phone") await docShot(page, "portal-premium-phone");

		/* the same year again, and a relative who pays no resident premium: refused in plain words */
		await pay(page, "张*（父母）", 2026);
		await msg.filter({ hasText: "这位亲属该年度的居民医保已经缴过了。" }).waitFor();
		assert.equal(await msg.getAttribute("role"), "alert");
		await pay(page, "王*（配偶）", 2026);
		await msg.filter({ hasText: "这位亲属不是本市城乡居民医保参保人，不能代缴居民医保。" }).waitFor();
		assert.equal(await page.locator("#premium-table tbody tr").count(), 1, "nothing more was paid");

		/* E2: a ¥200 monthly limit for his son */
		const mine = page.locator("#authorized-list");
		const son = mine.locator("li.binding", { has: page.getByLabel("每月限额（元）：李*") });
		await son.getByLabel("每月限额（元）：李*").fill("200");
		await son.getByRole("button", { name: "设置限额" }).click();
		await page.locator("#bind-msg", { hasText: "已将 李* 的每月限额设为 ¥200.00。" }).waitFor();

		/* the son buys medicine for ¥300: ¥200 from the father, the rest in cash */
		const bill = await ctx.srv.must(ctx.pharmacyKey, "POST", "/api/v1/settlements", {
			txn_id: `STORY-${label}-1`, credential: { type: "id_number", value: child.id_number },
			visit_type: "pharmacy", total_fen: 30000, fund_pay_fen: 0,
		});
		assert.deepEqual(bill.shares.map((x) => [x.payer_ssn, x.amount_fen]), [[father.ssn, 20000]]);
		assert.equal(bill.cash_pay_fen, 10000);

		/* E3: he is told — the badge, the words, the premium's notification too */
		await page.locator("#nav-notes").click();
		await page.getByRole("heading", { level: 1, name: "消息通知" }).waitFor();
		const purchase = page.locator(".note[data-kind=settlement_share]");
		await purchase.waitFor();
		assert.match(await purchase.textContent(), /李\*（子女）在城南大药房使用您的个人账户支付 ¥200\.00/);
		const premium = page.locator(".note[data-kind=premium_payment]");
		assert.match(await premium.textContent(), /您的个人账户为张\*（父母）缴纳了 2026 年度居民医保个人缴费 ¥400\.00/);
		await page.locator("#unread-badge").filter({ hasText: /^\d+$/ }).waitFor();
		await assertNoHorizontalScroll(page, "notifications");
		await shot(page, `family-story-notes-${label}`);

		/* his family usage: the purchase with what the limit held back; his ledger: the premium */
		await page.getByRole("link", { name: "家庭共济" }).first().click();
		const use = page.locator("#usage-table tbody tr").first();
		await use.waitFor();
		assert.match(await use.textContent(), /李\*.*城南大药房.*¥200\.00.*¥100\.00/);
		await page.getByRole("link", { name: "账户明细" }).first().click();
		const ledger = page.locator("#ledger-table tbody tr");
		await ledger.filter({ hasText: "为亲属代缴居民医保" }).waitFor();
		assert.match(await ledger.filter({ hasText: "为亲属代缴居民医保" }).textContent(), /-¥400\.00.*¥9,680\.00/);

		/* in English too */
		await page.getByRole("button", { name: "English" }).click();
		await ledger.filter({ hasText: "Relative's resident premium" }).waitFor();
		assertNoPageErrors(page);
		await page.context().close();

		/* his mother: her 2026 contribution, paid from her son's account */
		const mum = await newPage(ctx.browser, viewport);
		await portalLogin(mum, ctx.srv, gran.ssn);
		await mum.getByRole("link", { name: "缴费记录" }).first().click();
		const rec = mum.locator("#contrib-table tbody tr").filter({ hasText: "2026" });
		await rec.waitFor();
		assert.match(await rec.textContent(), new RegExp(`由 李\\*（${father.ssn}）的个人账户代缴.*¥400\\.00`));
		await assertNoHorizontalScroll(mum, "contributions paid by a relative");
		await shot(mum, `family-story-paid-by-${label}`);
		assertNoPageErrors(mum);
		await mum.context().close();
	});
}
