/* binding.c — (to be written). */
