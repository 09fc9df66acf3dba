/* enums.c — see enums.h (to be written). */
