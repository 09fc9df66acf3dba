/* date.c — see date.h (to be written). */
