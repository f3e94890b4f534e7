/*
 * schema_migrations.h — the SQL migrations of schema/, embedded into the
 * binary at build time (schema/embed.cmake), in ascending version order.
 */
#ifndef DEMARCHE_SCHEMA_MIGRATIONS_H
#define DEMARCHE_SCHEMA_MIGRATIONS_H

struct schema_migration {
	int version; /* NNNN of NNNN_name.sql; becomes PRAGMA user_version */
	const char *name; /* the file name, for error messages */
	const char *sql;  /* the whole script */
};

extern const struct schema_migration schema_migrations[];
extern const int schema_n_migrations;
/* The PostgreSQL scripts of schema/pg/, with the same version numbers. */
extern const struct schema_migration schema_pg_migrations[];
extern const int schema_pg_n_migrations;

#endif
