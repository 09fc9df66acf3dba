/* import.c — (to be written). */
