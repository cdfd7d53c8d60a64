package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"time"
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
	return len(ms)
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
// an older crmio wrote, to upgrade it.
func migrateTo(ctx context.Context, db *sql.DB, target int) error {
	ms, err := sqlstore.LoadMigrations(migrations)
	if err != nil {
		return err
	}
	if target > 0 && target < len(ms) {
		ms = ms[:target]
	}
	for _, m := range ms {
		done, err := applyMigration(ctx, db, m, len(ms))
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
// when the database is already at the newest version.
func applyMigration(ctx context.Context, db *sql.DB, m sqlstore.Migration, newest int) (done bool, err error) {
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
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM crmio_schema_migrations`).Scan(&current); err != nil {
		return false, err
	}
	switch {
	case current > newest:
		return false, fmt.Errorf("%w: version %d, this package knows up to %d", ErrSchemaTooNew, current, newest)
	case current >= newest:
		return true, tx.Commit()
	case current >= m.Version:
		return false, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO crmio_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return false, err
	}
	return m.Version == newest, tx.Commit()
}
