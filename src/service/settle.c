/* settle.c — (to be written). */
