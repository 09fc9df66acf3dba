/*
 * idnum.js — checks of the two person identifiers (SPEC U2, U3), for
 * friendly form validation before a request is sent.  The server checks
 * again; this only saves a round trip for a typo.  No DOM: the browser
 * tests import it too, to make valid ID numbers for their test persons.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";

/* The GB 11643 check character (ISO 7064 MOD 11-2) of 17 digits. */
export function idCheckChar(id17) {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += (id17.charCodeAt(i) - 48) * WEIGHTS[i];
	return CHECK[sum % 11];
}

/* 18 characters, a real birth date not in the future, right check character. */
export function isValidIdNumber(id, today = new Date()) {
	if (typeof id !== "string" || !/^[0-9]{17}[0-9Xx]$/.test(id)) return false;
	const y = Number(id.slice(6, 10)), m = Number(id.slice(10, 12)), d = Number(id.slice(12, 14));
	const born = new Date(Date.UTC(y, m - 1, d));
	if (y < 1880 || born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d)
		return false;
	if (born.getTime() > today.getTime()) return false;
	return idCheckChar(id.slice(0, 17)) === id[17].toUpperCase();
}

/* Social security computer number: 7 to 12 digits. */
export function isValidSsn(ssn) {
	return typeof ssn === "string" && /^[0-9]{7,12}$/.test(ssn);
}
