/* store.c — see store.h (to be written). */
