/* idnum.c — see idnum.h (to be written). */
