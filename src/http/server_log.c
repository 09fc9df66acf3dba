/*
 * server_log.c — the server's log: one JSON object per line on stderr,
 * written with one write(2) so that the lines of concurrent workers never
 * interleave; libmicrohttpd's own messages; the access log.
 */
#include "http/server_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *const level_names[] = { "error", "warn", "info",
					   "debug" };

/* Append `s` to buf as JSON string content (quotes and controls escaped). */
static size_t json_esc(char *buf, size_t size, size_t at, const char *s)
{
	for (; s && *s && at + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[at++] = '\\';
			buf[at++] = (char)c;
		} else if (c < 0x20) {
			at += (size_t)snprintf(buf + at, size - at, "\\u%04x", c);
		} else {
			buf[at++] = (char)c;
		}
	}
	buf[at] = '\0';
	return at;
}

/* Begin a log line: {"time":"...","level":"...", — returns its length. */
static size_t log_begin(char *buf, size_t size, int level)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (size_t)snprintf(buf, size, "{\"time\":\"");
	n += strftime(buf + n, size - n, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(buf + n, size - n,
			      ".%03ldZ\",\"level\":\"%s\",",
			      ts.tv_nsec / 1000000, level_names[level]);
	return n;
}

/* One line to stderr with one write(2), so lines of concurrent workers
 * never interleave. */
static void log_write(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDERR_FILENO, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

/* Append `prefix` as it is, then `s` escaped (the room left for the
 * line's end is kept free, as json_esc's callers do). */
static size_t put_str(char *buf, size_t size, size_t n, const char *prefix,
		      const char *s)
{
	n += (size_t)snprintf(buf + n, size - n, "%s", prefix);
	return json_esc(buf, size - 8, n, s);
}

void yb_log_msg(int level, const char *msg, const char *detail)
{
	char buf[1024];
	size_t n;

	if (level > yb_srv.log_level)
		return;
	n = log_begin(buf, sizeof buf, level);
	n = put_str(buf, sizeof buf, n, "\"msg\":\"", msg);
	if (detail)
		n = put_str(buf, sizeof buf, n, "\",\"detail\":\"", detail);
	n += (size_t)snprintf(buf + n, sizeof buf - n, "\"}\n");
	log_write(buf, n);
}

__attribute__((format(printf, 2, 0)))
void yb_log_mhd(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	yb_log_msg(YB_LOG_WARN, "libmicrohttpd", msg);
}

/*
 * The access log: one JSON object per request.  The route is the pattern,
 * never the raw path (which may carry SSNs and card numbers); no header,
 * body or token is ever written.
 */
void yb_log_access(const yb_hreq *r, int64_t us)
{
	int level = r->status >= 500 ? YB_LOG_ERROR
		  : r->status >= 400 ? YB_LOG_WARN : YB_LOG_INFO;
	char buf[1024];
	size_t n;

	if (level > yb_srv.log_level)
		return;
	n = log_begin(buf, sizeof buf, level);
	n = put_str(buf, sizeof buf, n, "\"method\":\"", r->method);
	n += (size_t)snprintf(buf + n, sizeof buf - n,
			      "\",\"route\":\"%s\",\"status\":%u,"
			      "\"duration_us\":%lld,\"remote\":\"%s\","
			      "\"actor\":\"",
			      r->route ? r->route->pattern : "-", r->status,
			      (long long)us, r->remote);
	n = json_esc(buf, sizeof buf - 8, n,
		     r->authenticated ? r->ctx.actor.id : "");
	if (r->err_code) {
		n += (size_t)snprintf(buf + n, sizeof buf - n,
				      "\",\"error\":\"%s", r->err_code);
		if (r->err_msg[0])
			n = put_str(buf, sizeof buf, n, "\",\"detail\":\"",
				    r->err_msg);
	}
	n += (size_t)snprintf(buf + n, sizeof buf - n, "\"}\n");
	log_write(buf, n);
}

int yb_log_level_parse(const char *s)
{
	for (int i = 0; s && i <= YB_LOG_DEBUG; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	return YB_LOG_INFO;
}
