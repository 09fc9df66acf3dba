/*
 * mask.h — masking of other people's identities in answers (SPEC Q3).
 */
#ifndef YB_MASK_H
#define YB_MASK_H

#include <stddef.h>

/* "440301199001011234" → "440301********1234" (first 6, last 4 kept).
 * Shorter input is masked entirely. buf ≥ strlen(id)+1. */
char *yb_mask_id_number(const char *id, char *buf, size_t size);

/* "600000001" → "600****01" (first 3, last 2 kept): an SSN where anyone
 * may look (the public verification of a proof, R2). */
char *yb_mask_ssn(const char *ssn, char *buf, size_t size);

/* UTF-8 aware: "张三丰" → "张*", "Smith John" → "S*" — the first
 * character (the surname in Chinese order) and one '*'. */
char *yb_mask_name(const char *name, char *buf, size_t size);

/* Is `s` valid UTF-8 with no control characters? (names, free text) */
#include <stdbool.h>
bool yb_utf8_valid_text(const char *s);

/* Replace, in place, every byte that does not begin a valid UTF-8
 * character with '?', so the text can go into JSON.  Returns s. */
char *yb_utf8_scrub(char *s);

#endif
