/* credential.c — (to be written). */
