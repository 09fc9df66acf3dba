/* testdb_pg.c — PostgreSQL branch of testdb (written by the PostgreSQL
 * engine work; see testdb.h). */
