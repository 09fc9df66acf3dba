/* ledger.c — (to be written). */
