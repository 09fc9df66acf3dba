/*
 * nhsa_in_file.h — the requests of 9101 file upload and 9102 file
 * download as their decoders make them (nhsa_in_file.c; the decoder
 * contract of nhsa_in.h: one malloc'd block, strings into env->root).
 */
#ifndef YB_NHSA_IN_FILE_H
#define YB_NHSA_IN_FILE_H

#include "nhsa/nhsa_in.h"

/* 9101: the file's bytes as uploaded, checked to the last line. */
typedef struct yb_nhsa_in_upload {
	const char *filename;
	int lines;
	char sha256[65];
	size_t len;
	unsigned char data[];
} yb_nhsa_in_upload;

/* 9102 */
typedef struct yb_nhsa_in_download {
	const char *file_qury_no, *filename;
} yb_nhsa_in_download;

yb_nhsa_decode_fn yb_nhsa_in_9101, yb_nhsa_in_9102;

#endif
