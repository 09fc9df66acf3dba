/* person.c — (to be written). */
