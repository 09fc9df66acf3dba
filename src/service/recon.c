/* recon.c — (to be written). */
