/* pg.c — see store.h (to be written). */
