/* ctx.c — (to be written). */
