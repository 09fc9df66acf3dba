/* payorder.c — see payorder.h (to be written). */
