-- Least-privilege PostgreSQL roles for the dashboard (README, "Production guide", step 2).
--
-- vsd_owner owns the schema: only it runs `cli.py init-db` (migrations: CREATE, ALTER, DROP).
-- vsd_app is what the service and the everyday CLI connect as: read and write rows, never change the schema;
--   on audit_log only SELECT and INSERT (no UPDATE, DELETE or TRUNCATE: the log is append-only by privilege as
--   well as by trigger); no TRUNCATE anywhere; alembic_version read-only (for `cli.py health`).
--
-- Run as a superuser (or the database's owner), connected to the dashboard's database, AFTER `cli.py init-db`:
--     sudo -u postgres psql -d vsd -v ON_ERROR_STOP=1 -f deploy/postgres-roles.sql
-- and again after every upgrade (new tables get their grants here). It is idempotent. The roles and the
-- database are created beforehand (step 1 of the guide):
--     CREATE ROLE vsd_owner LOGIN PASSWORD '…';  CREATE ROLE vsd_app LOGIN PASSWORD '…';
--     CREATE DATABASE vsd OWNER vsd_owner;
-- tests/test_least_privilege.py runs this file and then the CLI as vsd_app.

-- Nobody but the owner creates objects in the schema (PostgreSQL before 15 let PUBLIC create in public).
ALTER SCHEMA public OWNER TO vsd_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO vsd_app;

-- The loader stages rows in temporary tables (dropped at commit): TEMPORARY, not CREATE, on the database.
DO $$ BEGIN
    EXECUTE 'GRANT CONNECT, TEMPORARY ON DATABASE ' || quote_ident(current_database()) || ' TO vsd_app';
END $$;

-- Rows: read and write every table; nothing else.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM vsd_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO vsd_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO vsd_app;

-- The audit log is append-only; the schema's version is the owner's.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM vsd_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM vsd_app;
