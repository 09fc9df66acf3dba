/* offline.c — (to be written). */
