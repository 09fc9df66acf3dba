/*
 * api.js — the one way the pages talk to /api/v1: a fetch wrapper that
 * adds the bearer token, sends and reads JSON, and turns every failure
 * into an ApiError {status, code, message} (the API's error object, or
 * "network" when the server could not be reached).
 */
export class ApiError extends Error {
	constructor(status, code, message) {
		super(message || code);
		this.status = status;
		this.code = code;
	}
}

/*
 * makeApi(getToken, { onUnauthorized }) — getToken() gives the current
 * bearer token (session token or API key) or null; onUnauthorized(err) is
 * called on a 401 (expired session, revoked key) before the error is thrown.
 */
export function makeApi(getToken, { onUnauthorized } = {}) {
	async function request(method, path, body, asBlob = false) {
		const headers = { Accept: asBlob ? "*/*" : "application/json" };
		const token = getToken();
		if (token) headers.Authorization = `Bearer ${token}`;
		const init = { method, headers, cache: "no-store" };
		if (body !== undefined) {
			headers["Content-Type"] = "application/json";
			init.body = JSON.stringify(body);
		}
		let res;
		try {
			res = await fetch(path, init);
		} catch (e) {
			throw new ApiError(0, "network", e.message);
		}
		if (!res.ok) {
			let code = `http.${res.status}`, message = res.statusText;
			try {
				const j = await res.json();
				if (j && j.error) ({ code, message } = j.error);
			} catch { /* not JSON: keep the status */ }
			const err = new ApiError(res.status, code, message);
			if (res.status === 401 && onUnauthorized) onUnauthorized(err);
			throw err;
		}
		if (asBlob) {
			const blob = await res.blob();
			/* The e-credential's QR code says when it lapses. */
			blob.expiresAt = res.headers.get("X-Credential-Expires-At");
			/* records: a download names its file */
			const disp = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
			blob.filename = disp ? disp[1] : null;
			return blob;
		}
		const text = await res.text();
		return text ? JSON.parse(text) : null;
	}
	return {
		get: (path) => request("GET", path),
		post: (path, body) => request("POST", path, body),
		put: (path, body) => request("PUT", path, body),
		del: (path, body) => request("DELETE", path, body),
		blob: (path) => request("GET", path, undefined, true),
	};
}

/* "/api/v1/persons/" + enc(ssn): path segments from user input. */
export const enc = encodeURIComponent;
