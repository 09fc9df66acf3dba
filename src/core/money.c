/* money.c — see money.h (to be written). */
