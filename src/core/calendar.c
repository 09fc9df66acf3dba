/* calendar.c — see calendar.h (to be written). */
