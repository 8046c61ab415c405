#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (as the
# superuser): our role and database, and Temporal's own role, which may
# create its two databases (the temporal-schema job does).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE approvals LOGIN PASSWORD '${APPROVALS_DB_PASSWORD}';
CREATE DATABASE approvals OWNER approvals;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD '${TEMPORAL_DB_PASSWORD}';
SQL
