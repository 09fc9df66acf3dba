/* testdb.c — see testdb.h (to be written). */
