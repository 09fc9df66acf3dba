/*
 * console_deliveries.test.mjs — E3 in the operator console: a webhook
 * whose receiver is not there makes its delivery dead after the set
 * number of attempts; the agency window sees it under 消息推送 and
 * retries it; a hospital office does not get the view.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";

import {
	useServer, seedFamily, newPage, shot, consoleLogin, DESKTOP, PHONE,
	assertNoHorizontalScroll, assertNoPageErrors, axeViolations,
} from "./harness.mjs";

const CONFIG = "webhook_max_attempts = 2\nwebhook_backoff_ms = 10\nwebhook_poll_ms = 20\nwebhook_timeout_ms = 500\n";

const freePort = () => new Promise((ok) => {
	const s = createServer();
	s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => ok(port)); });
});

const ctx = useServer(async () => {
	const port = await freePort();           // nobody listens there
	ctx.hook = await ctx.srv.admin("POST", "/api/v1/webhooks", {
		url: `http://127.0.0.1:${port}/hook`, secret: "console-test-secret", label: "SMS gateway",
	});
	const { father, child } = await seedFamily(ctx.srv, 5);
	const s = await ctx.srv.must(null, "POST", "/api/v1/sessions", { login: father.ssn, password: "browser-test-1" });
	await ctx.srv.must(s.token, "POST", "/api/v1/me/bindings", {
		relatives: [{ ssn: child.ssn, id_number: child.id_number, relationship: "child" }],
	});
	ctx.window = await ctx.srv.key("agency_window");
	ctx.office = await ctx.srv.key("hospital_office");
	for (let i = 0; i < 200; i++) {
		const dead = await ctx.srv.must(ctx.window, "GET", "/api/v1/webhook-deliveries?state=dead");
		if (dead.items.length) { ctx.dead = dead.items[0]; break; }
		await new Promise((ok) => setTimeout(ok, 50));
	}
}, { config: CONFIG });

for (const [label, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
	test(`E3 console at ${label} width: the agency window retries a dead delivery`, async () => {
		assert.ok(ctx.dead, "the delivery died");
		if (label === "desktop") {   // the phone run retried it: make it dead again
			for (let i = 0; i < 200; i++) {
				const dead = await ctx.srv.must(ctx.window, "GET", "/api/v1/webhook-deliveries?state=dead");
				if (dead.items.length) break;
				await new Promise((ok) => setTimeout(ok, 50));
			}
		}
		const page = await newPage(ctx.browser, viewport);
		await consoleLogin(page, ctx.srv, ctx.window);
		await page.getByRole("link", { name: "消息推送" }).click();
		await page.getByRole("heading", { level: 1, name: "推送失败的消息" }).waitFor();
		const row = page.locator("#dl-table tbody tr").first();
		await row.waitFor();
		assert.match(await row.textContent(), new RegExp(`${ctx.dead.delivery_id}.*127\\.0\\.0\\.1.*2`));
		await assertNoHorizontalScroll(page, "deliveries");
		assert.deepEqual(await axeViolations(page), [], "axe: serious or critical");
		await shot(page, `console-deliveries-${label}`);
		await row.getByRole("button", { name: `重新推送 ${ctx.dead.delivery_id}` }).click();
		await page.locator("#dl-msg", { hasText: `推送 ${ctx.dead.delivery_id} 已重新排队。` }).waitFor();
		const d = (await ctx.srv.admin("GET", "/api/v1/webhook-deliveries")).items.find((x) => x.delivery_id === ctx.dead.delivery_id);
		assert.ok(d.state === "pending" || d.attempts <= 2, "retried");
		assertNoPageErrors(page);
		await page.context().close();
	});
}

test("E3 console: a hospital office has no deliveries view", async () => {
	const page = await newPage(ctx.browser, DESKTOP);
	await consoleLogin(page, ctx.srv, ctx.office);
	assert.ok(await page.locator("#nav-deliveries").isHidden());
	assertNoPageErrors(page);
	await page.context().close();
});
