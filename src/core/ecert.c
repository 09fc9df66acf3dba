/* ecert.c — see ecert.h (to be written). */
