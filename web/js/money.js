/*
 * money.js — fen (the API's integer unit, SPEC U1) to yuan for display.
 * Integer arithmetic only: BigInt division splits yuan and fen, so no
 * floating point ever touches an amount.  ¥1,234.50 in both languages.
 */
const GROUP = /\B(?=(\d{3})+(?!\d))/g;

function toBig(fen) {
	if (typeof fen === "bigint") return fen;
	if (typeof fen === "number" && Number.isSafeInteger(fen)) return BigInt(fen);
	if (typeof fen === "string" && /^-?[0-9]+$/.test(fen)) return BigInt(fen);
	return null;
}

/* formatFen(123450) → "¥1,234.50"; { signed: true } adds "+" to credits. */
export function formatFen(fen, { signed = false } = {}) {
	let v = toBig(fen);
	if (v === null) return "—";
	const negative = v < 0n;
	if (negative) v = -v;
	const yuan = (v / 100n).toString().replace(GROUP, ",");
	const cents = (v % 100n).toString().padStart(2, "0");
	const sign = negative ? "-" : signed && v > 0n ? "+" : "";
	return `${sign}¥${yuan}.${cents}`;
}

/* parseYuan("200") → 20000, "200.5" → 20050; null when it is not an
 * amount of yuan with at most two decimals.  Strings only, no floats. */
export function parseYuan(text) {
	const m = /^\s*([0-9]{1,11})(?:\.([0-9]{1,2}))?\s*$/.exec(String(text));
	if (!m) return null;
	return Number(BigInt(m[1]) * 100n + BigInt((m[2] || "").padEnd(2, "0")));
}
