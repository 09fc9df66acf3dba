/* card.c — (to be written). */
