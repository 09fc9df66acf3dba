/* inquiry.c — (to be written). */
