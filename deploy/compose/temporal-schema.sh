#!/bin/sh
# The one-shot job that creates or upgrades Temporal's schema with
# temporal-sql-tool from temporalio/admin-tools (in place of the deprecated
# auto-setup image). Safe to run at every `docker compose up`: an existing
# database is kept and update-schema applies only the missing versions.
set -eu
tool() { temporal-sql-tool --plugin postgres12 --ep postgres -p 5432 -u temporal "$@"; }
schema=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  tool --db "$db" create || echo "database $db exists"
done
tool --db temporal setup-schema -v 0.0
tool --db temporal update-schema -d "$schema/temporal/versioned"
tool --db temporal_visibility setup-schema -v 0.0
tool --db temporal_visibility update-schema -d "$schema/visibility/versioned"
echo "Temporal schema up to date"
