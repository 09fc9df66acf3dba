/* mask.c — see mask.h (to be written). */
