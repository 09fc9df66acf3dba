/*
 * fuzz.h — what the fuzz targets share (issue #14): libFuzzer's entry
 * points, and the invariants every target checks on top of "no crash,
 * no leak, no undefined behaviour" (which the sanitizers check).
 *
 * Each target is one fuzz_<name>.c.  Built with -Dfuzz=true and clang
 * it is a libFuzzer binary (`make fuzz`); in the ordinary builds it is
 * linked with regress_main.c and runs its corpus once (`make test`,
 * suite "fuzz"), so a crash found once stays fixed.
 */
#ifndef YB_FUZZ_H
#define YB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken invariant is a crash, so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",    \
				__FILE__, __LINE__, #cond);                 \
			abort();                                            \
		}                                                           \
	} while (0)

/* Bad input is a stable client error with a code from the table, never
 * an internal one (X4). */
static inline void fuzz_client_error(const yb_err *err)
{
	FUZZ_CHECK(err->code != NULL);
	FUZZ_CHECK(err->kind != YB_OK && err->kind != YB_EINTERNAL &&
		   err->kind != YB_EUNAVAIL);
	FUZZ_CHECK(yb_err_kind_of(err->code) == err->kind);
}

/* The input as a NUL-terminated string (the C APIs take strings); free
 * it.  A NUL inside stays: the string simply ends there. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	for (size_t i = 0; i < size; i++)
		s[i] = (char)data[i];
	s[size] = '\0';
	return s;
}

#endif
