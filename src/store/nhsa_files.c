/*
 * nhsa_files.c — which engine's file operations a store has
 * (nhsa_files.h says why they are a family apart).
 */
#include "store/nhsa_files.h"

#include <string.h>

const yb_store_file_ops *yb_store_files(const yb_store *st)
{
#ifdef YB_HAVE_PG
	if (strcmp(st->ops->name, "postgresql") == 0)
		return &yb_pg_file_ops;
#endif
	return &yb_sq_file_ops;
}
