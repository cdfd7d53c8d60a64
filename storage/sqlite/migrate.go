package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"slices"
	"time"

	"github.com/crmio/crmio/storage/internal/sqlstore"
)

// migrations holds the schema, one file per version: NNNN_name.sql. A
// released file never changes; a schema change is a new file.
//
//go:embed migrations/*.sql
var migrations embed.FS

// SchemaVersion is the version of the schema this package writes: the
// number of its newest migration.
func SchemaVersion() int {
	ms, err := sqlstore.LoadMigrations(migrations)
	if err != nil {
		return 0
	}
	return sqlstore.Newest(ms)
}

// migrate brings the database up to the newest schema version, each
// migration in its own transaction with its row in crmio_schema_migrations.
// BEGIN IMMEDIATE takes SQLite's write lock, so two processes opening the
// same file at once apply each migration once: the second waits (up to the
// busy timeout), then finds it applied.
func migrate(ctx context.Context, db *sql.DB) error {
	return migrateTo(ctx, db, 0)
}

// migrateTo brings the database up to schema version target, or the
// newest for 0. Only tests ask for an older version: that of a database
// an older crmio wrote, to upgrade it. Every migration not applied yet is
// applied, in version order, also one below the newest applied (see
// sqlstore.LoadMigrations).
func migrateTo(ctx context.Context, db *sql.DB, target int) error {
	ms, err := sqlstore.LoadMigrations(migrations)
	if err != nil {
		return err
	}
	newest := sqlstore.Newest(ms)
	for _, m := range sqlstore.UpTo(ms, target) {
		done, err := applyMigration(ctx, db, m, ms, newest)
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
		if done {
			return nil
		}
	}
	return nil
}

// applyMigration applies m unless it is applied already. It reports done
// when every migration of all is applied.
func applyMigration(ctx context.Context, db *sql.DB, m sqlstore.Migration, all []sqlstore.Migration, newest int) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see _txlock)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS crmio_schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return false, err
	}
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return false, err
	}
	pending, err := sqlstore.Pending(all, applied, ErrSchemaTooNew)
	switch {
	case err != nil:
		return false, err
	case len(pending) == 0:
		return true, tx.Commit()
	case !slices.ContainsFunc(pending, func(p sqlstore.Migration) bool { return p.Version == m.Version }):
		return false, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO crmio_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return false, err
	}
	return len(pending) == 1 && m.Version == newest, tx.Commit()
}

// appliedVersions returns the versions recorded in crmio_schema_migrations.
func appliedVersions(ctx context.Context, tx *sql.Tx) ([]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM crmio_schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
