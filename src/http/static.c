/*
 * static.c — serving the web portal and the terminal kiosk (web/) as
 * static files, safely.
 *
 * Only GET and HEAD of paths outside /api/.  A path may not contain a
 * segment that starts with '.' (so no "..", no ".git"), nor a backslash;
 * the file is then resolved with realpath() and must lie under the
 * resolved web root, so a symbolic link cannot lead out of it either.
 * Content types come from a fixed table of extensions; everything is sent
 * with nosniff, and pages with a restrictive Content-Security-Policy.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/httpd.h"

static char *root;          /* realpath of the web root */
static size_t root_len;

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".webmanifest", "application/manifest+json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".jpeg", "image/jpeg" },
	{ ".gif", "image/gif" },
	{ ".webp", "image/webp" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".woff", "font/woff" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".map", "application/json; charset=utf-8" },
};

bool yb_static_init(const char *web_root)
{
	struct stat sb;

	free(root);
	root = realpath(web_root, NULL);
	if (!root || stat(root, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		free(root);
		root = NULL;
		return false;
	}
	root_len = strlen(root);
	return true;
}

void yb_static_release(void)
{
	free(root);
	root = NULL;
	root_len = 0;
}

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');

	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* Every segment is a plain name: not empty-but-last, no leading dot. */
static bool url_safe(const char *url)
{
	if (url[0] != '/' || strchr(url, '\\') || strlen(url) > 1024)
		return false;
	for (const char *p = url; p; p = strchr(p + 1, '/'))
		if (p[1] == '.')
			return false;
	return true;
}

/* Redirect "/portal" to "/portal/" so the page's relative links work. */
static void redirect_dir(yb_hreq *r, const char *url)
{
	size_t n = strlen(url);
	char *loc = malloc(n + 2);

	if (!loc) {
		yb_reply_errf(r, "out_of_memory", "out of memory");
		return;
	}
	memcpy(loc, url, n);
	loc[n] = '/';
	loc[n + 1] = '\0';
	yb_reply_empty(r, MHD_HTTP_MOVED_PERMANENTLY);
	if (r->response)
		MHD_add_response_header(r->response, MHD_HTTP_HEADER_LOCATION,
					loc);
	free(loc);
}

bool yb_static_serve(yb_hreq *r, const char *url)
{
	char path[PATH_MAX + 32], *real = NULL;
	struct MHD_Response *resp;
	struct stat sb;
	const char *ctype;
	bool served = false;
	int fd = -1;

	if (!root || (strcmp(r->method, "GET") != 0 &&
		      strcmp(r->method, "HEAD") != 0) || !url_safe(url))
		return false;
	snprintf(path, sizeof path, "%s%s%s", root, url,
		 url[strlen(url) - 1] == '/' ? "index.html" : "");
	real = realpath(path, NULL);
	if (!real || strncmp(real, root, root_len) != 0 ||
	    real[root_len] != '/')
		goto out;
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0)
		goto out;
	if (S_ISDIR(sb.st_mode)) {
		redirect_dir(r, url);
		served = true;
		goto out;
	}
	if (!S_ISREG(sb.st_mode))
		goto out;
	resp = MHD_create_response_from_fd64((uint64_t)sb.st_size, fd);
	if (!resp)
		goto out;
	fd = -1;                         /* the response owns it now */
	ctype = content_type(real);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-cache");
	yb_reply_common_headers(r, resp);
	if (strncmp(ctype, "text/html", 9) == 0) {
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'self'; img-src 'self' "
					"data:; object-src 'none'; "
					"frame-ancestors 'none'");
		MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	}
	r->response = resp;
	r->status = MHD_HTTP_OK;
	served = true;
out:
	if (fd >= 0)
		close(fd);
	free(real);
	return served;
}
