/*
 * web.test.mjs — the portal's pure modules, without a browser: money in
 * yuan with integer arithmetic only (SPEC U1), the ID number check (U2),
 * and a dictionary with the same keys in both languages.
 */
import { test } from "node:test";
import assert from "node:assert/strict";

import { formatFen } from "../../web/js/money.js";
import { idCheckChar, isValidIdNumber, isValidSsn } from "../../web/js/idnum.js";
import { DICT, errorText } from "../../web/js/i18n.js";

test("U1: fen shown as yuan, two decimals, grouped, no floating point", () => {
	assert.equal(formatFen(0), "¥0.00");
	assert.equal(formatFen(5), "¥0.05");
	assert.equal(formatFen(123450), "¥1,234.50");
	assert.equal(formatFen(-3000), "-¥30.00");
	assert.equal(formatFen(42000, { signed: true }), "+¥420.00");
	assert.equal(formatFen(-1, { signed: true }), "-¥0.01");
	/* int64 range, beyond a double's exact integers, as a string or BigInt. */
	assert.equal(formatFen("9223372036854775807"), "¥92,233,720,368,547,758.07");
	assert.equal(formatFen(-9223372036854775808n), "-¥92,233,720,368,547,758.08");
	/* 0.1 + 0.2 style traps are impossible: 10 + 20 fen is exactly 0.30. */
	assert.equal(formatFen(10 + 20), "¥0.30");
	assert.equal(formatFen(1.5), "—");
	assert.equal(formatFen(null), "—");
});

test("U2/U3: ID number check character and SSN shape", () => {
	assert.equal(idCheckChar("11010519491231002"), "X");
	assert.ok(isValidIdNumber("11010519491231002X"));
	assert.ok(isValidIdNumber("11010519491231002x"));
	assert.ok(!isValidIdNumber("110105194912310021"), "wrong check character");
	assert.ok(!isValidIdNumber("11010519490231002X".slice(0, 17) + idCheckChar("11010519490231002")), "31 February");
	assert.ok(!isValidIdNumber("1101051949123100"), "too short");
	const future = "110105" + "29991231" + "001";
	assert.ok(!isValidIdNumber(future + idCheckChar(future)), "born in the future");
	assert.ok(isValidSsn("1234567") && isValidSsn("123456789012"));
	assert.ok(!isValidSsn("123456") && !isValidSsn("1234567890123") && !isValidSsn("12345a7"));
});

test("i18n: both languages have the same keys; unknown codes fall back to the API's message", () => {
	assert.deepEqual(Object.keys(DICT.en).sort(), Object.keys(DICT.zh).sort());
	for (const [lang, d] of Object.entries(DICT))
		for (const [k, v] of Object.entries(d)) assert.ok(v.trim() !== "", `${lang} ${k} is empty`);
	assert.equal(errorText({ code: "something.new", message: "the server's words" }), "the server's words");
	assert.equal(errorText({ code: "binding.self", message: "x" }), DICT.zh["err.binding.self"]);
});
