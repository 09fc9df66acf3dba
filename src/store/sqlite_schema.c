/* sqlite_schema.c — see store.h (to be written). */
