/*
 * materials.c — PostgreSQL engine: E4's scans of F5 materials, the
 * twin of sqlite/materials.c (see store.h).  The bytes are a bytea in the
 * row, passed as hex text both ways: every parameter of this engine is
 * text (pg_int.h), and hex is exact for any byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

#define MATERIAL_COLS                                                       \
	"id, coalesce(binding_id, application_id, premium_id), "           \
	"CASE WHEN binding_id IS NOT NULL THEN 0 "                         \
	"WHEN application_id IS NOT NULL THEN 1 ELSE 2 END, kind, "        \
	"content_type, size_bytes, sha256, channel, operator_id, created_at"

static const pg_stmt st_material_insert = { "material_insert",
	"INSERT INTO materials (binding_id, application_id, premium_id, kind, "
	"  content_type, size_bytes, sha256, data, channel, operator_id, "
	"  created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, decode($8, 'hex'), $9, $10, $11) "
	"RETURNING id", NULL };
static const pg_stmt st_materials_of[YB_MAT__N] = {
	{ "materials_of_binding", "SELECT " MATERIAL_COLS " FROM materials "
	  "WHERE binding_id = $1 ORDER BY id", NULL },
	{ "materials_of_application", "SELECT " MATERIAL_COLS
	  " FROM materials WHERE application_id = $1 ORDER BY id", NULL },
	{ "materials_of_premium", "SELECT " MATERIAL_COLS " FROM materials "
	  "WHERE premium_id = $1 ORDER BY id", NULL },
};
static const pg_stmt st_material_get = { "material_get",
	"SELECT " MATERIAL_COLS ", encode(data, 'hex') FROM materials "
	"WHERE id = $1", NULL };

static int decode_material(pg_row *r, void *out)
{
	yb_material *m = out;

	memset(m, 0, sizeof *m);
	m->id = pg_r_i64(r);
	m->target_id = pg_r_i64(r);
	m->target = (yb_material_target)pg_r_i64(r);
	pg_r_str(r, m->kind, sizeof m->kind);
	pg_r_str(r, m->content_type, sizeof m->content_type);
	m->size_bytes = pg_r_i64(r);
	pg_r_str(r, m->sha256, sizeof m->sha256);
	PG_R_ENUM(r, yb_channel_from_str, &m->channel);
	pg_r_str(r, m->operator_id, sizeof m->operator_id);
	m->created_at = pg_r_i64(r);
	return 0;
}

/* Lower-case hex of `len` bytes, malloc'ed; NULL when out of memory. */
static char *to_hex(const unsigned char *d, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * len + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		s[2 * i] = digits[d[i] >> 4];
		s[2 * i + 1] = digits[d[i] & 15];
	}
	s[2 * len] = '\0';
	return s;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex text (as encode() writes it) to malloc'ed bytes; -1 if malformed. */
static int from_hex(const char *s, void **data, size_t *len)
{
	size_t n = strlen(s);
	unsigned char *d;

	if (n % 2)
		return -1;
	d = malloc(n / 2 ? n / 2 : 1);
	if (!d)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(d);
			return -1;
		}
		d[i] = (unsigned char)(hi << 4 | lo);
	}
	*data = d;
	*len = n / 2;
	return 0;
}

int pg_material_insert(yb_store *st, yb_material *m, const void *data,
		       size_t len, yb_err *err)
{
	char *hex;
	pg_params q;
	PGresult *res;
	pg_row r;

	if (yb_check_material_target(m->target, err) < 0)
		return -1;
	hex = to_hex(data, len);
	if (!hex)
		return yb_errf(err, "out_of_memory", "out of memory");
	pg_params_init(&q);
	for (int i = 0; i < YB_MAT__N; i++)
		pg_p_id(&q, (int)m->target == i ? m->target_id : 0);
	pg_p_text(&q, m->kind);
	pg_p_text(&q, m->content_type);
	pg_p_i64(&q, m->size_bytes);
	pg_p_text(&q, m->sha256);
	pg_p_text(&q, hex);
	pg_p_text(&q, yb_channel_str(m->channel));
	pg_p_text(&q, m->operator_id);
	pg_p_i64(&q, m->created_at);
	res = pg_run(PS(st), &st_material_insert, &q, err);
	free(hex);
	if (!res)
		return -1;
	r = pg_row_at(res, 0);
	m->id = pg_r_i64(&r);
	PQclear(res);
	return r.bad ? pg_corrupt(err, "material id") : 0;
}

int pg_materials_of(yb_store *st, yb_material_target target, yb_id target_id,
		    yb_material **out, int *n, yb_err *err)
{
	pg_params q;

	*out = NULL;
	*n = 0;
	if (yb_check_material_target(target, err) < 0)
		return -1;
	pg_params_init(&q);
	pg_p_i64(&q, target_id);
	return pg_list(PS(st), &st_materials_of[target], &q, sizeof **out,
		       decode_material, (void **)out, n, err);
}

/* A material row with its bytes (the hex column after the record's). */
typedef struct material_bytes {
	yb_material *m;
	void **data;
	size_t *len;
} material_bytes;

static int decode_material_bytes(pg_row *r, void *out)
{
	material_bytes *mb = out;

	decode_material(r, mb->m);
	if (r->bad || from_hex(pg_r_text(r), mb->data, mb->len) < 0 ||
	    (int64_t)*mb->len != mb->m->size_bytes) {
		r->bad = true;
		return 0;
	}
	return 0;
}

int pg_material_get(yb_store *st, yb_id id, yb_material *out, void **data,
		    size_t *len, yb_err *err)
{
	material_bytes mb = { out, data, len };
	pg_params q;
	int rc;

	*data = NULL;
	*len = 0;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	rc = pg_lookup(PS(st), &st_material_get, &q, decode_material_bytes,
		       &mb, err);
	if (rc < 0) {
		free(*data);
		*data = NULL;
		*len = 0;
	}
	return rc;
}
