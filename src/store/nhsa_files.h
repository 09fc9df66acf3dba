/*
 * nhsa_files.h — the store's files of the national interface (9101
 * uploads, 3202 results; docs/NHSA.md "Files"): table nhsa_files,
 * migration 10 on both engines, one row a file with its bytes.
 *
 * A family of its own beside store.h's operation table, found by
 * yb_store_files(): the files came while other work was changing that
 * table's engines, and a file is read by key and written once, never
 * joined with anything else.  Each engine's twin is
 * store/{sqlite,pg}/nhsa_files.c.
 */
#ifndef YB_STORE_NHSA_FILES_H
#define YB_STORE_NHSA_FILES_H

#include "store/store.h"

/* One file and who may use it (only its institution). */
typedef struct yb_nhsa_file {
	char file_qury_no[31];
	char inst[YB_CODE_SZ];
	char kind[8];                    /* "detail" (9101) / "result" (3202) */
	char filename[101];
	int64_t size;                    /* bytes as kept (the .zip) */
	char sha256[65];                 /* of those bytes, hex */
	int64_t lines;                   /* settlements in it */
	char paasid[41];                 /* the credential that sent or asked */
	yb_time at;
	yb_time dld_end;                 /* no use after (dld_endtime) */
} yb_nhsa_file;

typedef struct yb_store_file_ops {
	/* Insert f with its `f->size` bytes; a file_qury_no used before is
	 * "nhsa.duplicate". */
	int (*put)(yb_store *st, const yb_nhsa_file *f, const void *data,
		   yb_err *err);
	/* 1 found / 0 / -1; with `data` also its bytes (malloc'd, f->size
	 * of them), else only the row. */
	int (*get)(yb_store *st, const char *file_qury_no, yb_nhsa_file *out,
		   void **data, yb_err *err);
} yb_store_file_ops;

/* The file operations of st's engine. */
const yb_store_file_ops *yb_store_files(const yb_store *st);

/* The engines' (store/{sqlite,pg}/nhsa_files.c). */
extern const yb_store_file_ops yb_sq_file_ops, yb_pg_file_ops;

#endif
