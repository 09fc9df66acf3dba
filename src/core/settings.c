/* settings.c — see settings.h (to be written). */
