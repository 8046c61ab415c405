package schema

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// Describe lists what db's current schema holds, one readable line per
// table, column and index (without column order), sorted, leaving out
// goose's version table. Two schemas are equal when their lines are; Diff
// says how they differ.
//
//	table tasks
//	column tasks.due_at timestamp with time zone NULL
//	index tasks idx_tasks_status (status)
func Describe(db *gorm.DB) ([]string, error) {
	var (
		lines []string
		err   error
	)
	if db.Dialector.Name() == "postgres" {
		lines, err = describePostgres(db)
	} else {
		lines, err = describeSQLite(db)
	}
	if err != nil {
		return nil, fmt.Errorf("describe schema: %w", err)
	}
	sort.Strings(lines)
	return lines, nil
}

// describePostgres reads the catalog of the current schema.
func describePostgres(db *gorm.DB) ([]string, error) {
	var lines []string
	var tables []string
	if err := db.Raw(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> ?`, VersionTable).
		Scan(&tables).Error; err != nil {
		return nil, err
	}
	for _, t := range tables {
		lines = append(lines, "table "+t)
	}
	var cols []struct {
		Table, Column, Type, Nullable string
		Default                       *string
	}
	if err := db.Raw(`SELECT table_name AS "table", column_name AS "column", data_type AS "type",
		is_nullable AS nullable, column_default AS "default" FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> ?`, VersionTable).Scan(&cols).Error; err != nil {
		return nil, err
	}
	for _, c := range cols {
		l := fmt.Sprintf("column %s.%s %s %s", c.Table, c.Column, c.Type, nullable(c.Nullable == "YES"))
		if c.Default != nil {
			l += " DEFAULT " + *c.Default
		}
		lines = append(lines, l)
	}
	var idx []struct{ Table, Name, Def string }
	if err := db.Raw(`SELECT tablename AS "table", indexname AS name, indexdef AS def FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename <> ?`, VersionTable).Scan(&idx).Error; err != nil {
		return nil, err
	}
	for _, i := range idx {
		// CREATE [UNIQUE] INDEX name ON schema.table USING btree (cols) [WHERE ...]
		def := i.Def
		if k := strings.Index(def, " USING "); k >= 0 {
			def = def[k+len(" USING "):]
		}
		unique := ""
		if strings.HasPrefix(i.Def, "CREATE UNIQUE") {
			unique = "unique "
		}
		lines = append(lines, fmt.Sprintf("index %s %s%s %s", i.Table, unique, i.Name, def))
	}
	return lines, nil
}

// quoted matches SQLite's identifier quotes, which the stored SQL keeps as written.
var quoted = regexp.MustCompile("[`\"\\[\\]]")

// describeSQLite reads sqlite_master and the table and index pragmas.
func describeSQLite(db *gorm.DB) ([]string, error) {
	var lines []string
	var tables []string
	if err := db.Raw(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> ?`, VersionTable).Scan(&tables).Error; err != nil {
		return nil, err
	}
	for _, t := range tables {
		lines = append(lines, "table "+t)
		var cols []struct {
			Name, Type string
			NotNull    bool
			Dflt       *string
			PK         int
		}
		if err := db.Raw(`SELECT name, lower(type) AS type, "notnull" AS not_null, dflt_value AS dflt, pk FROM pragma_table_info(?)`, t).
			Scan(&cols).Error; err != nil {
			return nil, err
		}
		var pk []string
		for _, c := range cols {
			l := fmt.Sprintf("column %s.%s %s %s", t, c.Name, c.Type, nullable(!c.NotNull))
			if c.Dflt != nil {
				l += " DEFAULT " + *c.Dflt
			}
			lines = append(lines, l)
			if c.PK > 0 {
				pk = append(pk, c.Name)
			}
		}
		if len(pk) > 0 {
			lines = append(lines, fmt.Sprintf("primary key %s (%s)", t, strings.Join(pk, ", ")))
		}
		var idx []struct {
			Name   string
			Unique bool
			Origin string
		}
		if err := db.Raw(`SELECT name, "unique", origin FROM pragma_index_list(?)`, t).Scan(&idx).Error; err != nil {
			return nil, err
		}
		for _, i := range idx {
			if i.Origin == "pk" { // listed as the primary key
				continue
			}
			var on []string
			if err := db.Raw(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, i.Name).Scan(&on).Error; err != nil {
				return nil, err
			}
			var def string
			if err := db.Raw(`SELECT coalesce(sql, '') FROM sqlite_master WHERE type = 'index' AND name = ?`, i.Name).
				Scan(&def).Error; err != nil {
				return nil, err
			}
			where := ""
			if k := strings.Index(strings.ToUpper(def), " WHERE "); k >= 0 {
				where = " WHERE " + strings.Join(strings.Fields(quoted.ReplaceAllString(def[k+len(" WHERE "):], "")), " ")
			}
			unique := ""
			if i.Unique {
				unique = "unique "
			}
			lines = append(lines, fmt.Sprintf("index %s %s%s (%s)%s", t, unique, i.Name, strings.Join(on, ", "), where))
		}
	}
	return lines, nil
}

func nullable(null bool) string {
	if null {
		return "NULL"
	}
	return "NOT NULL"
}

// Diff says what got (the schema that the migrations build) lacks and has
// in excess of want (what AutoMigrate of the models builds), one line per
// piece, or "" when they are equal.
func Diff(want, got []string) string {
	in := func(lines []string) map[string]bool {
		m := make(map[string]bool, len(lines))
		for _, l := range lines {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range want {
		if !g[l] {
			fmt.Fprintf(&b, "  missing (add it in a new migration): %s\n", l)
		}
	}
	for _, l := range got {
		if !w[l] {
			fmt.Fprintf(&b, "  extra (the models no longer have it): %s\n", l)
		}
	}
	return b.String()
}

// Suggest drafts the SQL of a migration that turns got into want, from
// Describe's lines, for dialect ("postgres" or "sqlite"): CREATE TABLE for a
// missing table (its columns in name order: reorder them at will), ALTER
// TABLE … ADD COLUMN, CREATE INDEX, and DROP for what the models no longer
// have. It is a draft to read, not to apply blindly (a NOT NULL column added
// to a table with rows needs a default).
func Suggest(dialect string, want, got []string) string {
	missing, extra := minus(want, got), minus(got, want)
	newTables := map[string]bool{}
	for _, l := range missing {
		if t, ok := strings.CutPrefix(l, "table "); ok {
			newTables[t] = true
		}
	}
	var b strings.Builder
	cols := map[string][]string{} // new table → column definitions
	pk := map[string]string{}     // new table → primary key columns
	var after []string            // statements after the CREATE TABLEs
	for _, l := range missing {
		kind, rest, _ := strings.Cut(l, " ")
		switch kind {
		case "column":
			tc, def, _ := strings.Cut(rest, " ")
			t, c, _ := strings.Cut(tc, ".")
			def = columnDef(def)
			if newTables[t] {
				cols[t] = append(cols[t], c+" "+def)
			} else {
				after = append(after, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s;", t, c, def))
			}
		case "primary": // SQLite: primary key T (cols)
			t, on, _ := strings.Cut(strings.TrimPrefix(rest, "key "), " ")
			if newTables[t] {
				pk[t] = on
			} else {
				after = append(after, fmt.Sprintf("-- %s: SQLite cannot add a primary key %s to a table; rebuild it", t, on))
			}
		case "index":
			t, idx, _ := strings.Cut(rest, " ")
			unique := ""
			if u, ok := strings.CutPrefix(idx, "unique "); ok {
				unique, idx = "UNIQUE ", u
			}
			name, on, _ := strings.Cut(idx, " ")
			if dialect == "postgres" && name == t+"_pkey" {
				if _, cs, ok := strings.Cut(on, " "); ok && newTables[t] {
					pk[t] = cs
				} else if ok {
					after = append(after, fmt.Sprintf("ALTER TABLE %s ADD PRIMARY KEY %s;", t, cs))
				}
				continue
			}
			if dialect == "postgres" {
				on = "USING " + on
			}
			after = append(after, fmt.Sprintf("CREATE %sINDEX %s ON %s %s;", unique, name, t, on))
		}
	}
	for _, l := range missing {
		if t, ok := strings.CutPrefix(l, "table "); ok {
			defs := cols[t]
			if pk[t] != "" {
				defs = append(defs, "PRIMARY KEY "+pk[t])
			}
			fmt.Fprintf(&b, "CREATE TABLE %s (\n    %s\n);\n", t, strings.Join(defs, ",\n    "))
		}
	}
	for _, s := range after {
		fmt.Fprintln(&b, s)
	}
	gone := map[string]bool{}
	for _, l := range extra {
		if t, ok := strings.CutPrefix(l, "table "); ok {
			gone[t] = true
			fmt.Fprintf(&b, "DROP TABLE %s;\n", t)
		}
	}
	for _, l := range extra {
		kind, rest, _ := strings.Cut(l, " ")
		switch kind {
		case "column":
			tc, _, _ := strings.Cut(rest, " ")
			if t, c, _ := strings.Cut(tc, "."); !gone[t] {
				fmt.Fprintf(&b, "ALTER TABLE %s DROP COLUMN %s;\n", t, c)
			}
		case "index":
			t, idx, _ := strings.Cut(rest, " ")
			name, _, _ := strings.Cut(strings.TrimPrefix(idx, "unique "), " ")
			if !gone[t] && name != t+"_pkey" {
				fmt.Fprintf(&b, "DROP INDEX %s;\n", name)
			}
		}
	}
	return b.String()
}

// columnDef turns Describe's "TYPE NULL|NOT NULL [DEFAULT d]" into SQL.
func columnDef(def string) string {
	if i := strings.Index(def, " NOT NULL"); i >= 0 {
		return def
	}
	if i := strings.Index(def, " NULL"); i >= 0 {
		return def[:i] + def[i+len(" NULL"):]
	}
	return def
}

// minus is the lines of a that b lacks, in a's order.
func minus(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, l := range b {
		in[l] = true
	}
	var out []string
	for _, l := range a {
		if !in[l] {
			out = append(out, l)
		}
	}
	return out
}
