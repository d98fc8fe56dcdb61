#!/bin/sh
# Issue 17.4: run by the postgres image once, when the data volume is new. Two roles besides the
# superuser: hotline_owner owns the schema and runs the migrations; hotline_app is what the api and
# worker log in as. `migration:run` (DATABASE_APP_ROLE=hotline_app) grants hotline_app read/write on
# ordinary tables and read/append only on the audit trail; not owning the tables, it cannot disable
# the audit triggers. Passwords come from the environment (letters and digits: they go into URLs).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_pw="$HOTLINE_OWNER_PASSWORD" -v app_pw="$HOTLINE_APP_PASSWORD" <<'SQL'
CREATE ROLE hotline_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE hotline_app LOGIN PASSWORD :'app_pw';
ALTER DATABASE :"DBNAME" OWNER TO hotline_owner;
ALTER SCHEMA public OWNER TO hotline_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
