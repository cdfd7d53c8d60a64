package postgres

import (
	"context"
	"embed"
	"fmt"
	"slices"

	"github.com/crmio/crmio/storage/internal/sqlstore"
	"github.com/jackc/pgx/v5"
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

// migrateTo brings the schema up to version upTo (0 for the newest; only
// the tests stop short) in one transaction. A transaction-scoped advisory
// lock, keyed by the schema, makes concurrent Opens (from any process)
// take turns: the first applies the migrations, the others find them
// applied.
func (s *Store) migrateTo(ctx context.Context, upTo int) error {
	ms, err := sqlstore.LoadMigrations(migrations)
	if err != nil {
		return err
	}
	ms = sqlstore.UpTo(ms, upTo)
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('crmio schema ' || $1))`, s.schema); err != nil {
			return err
		}
		if s.schema != "" {
			if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{s.schema}.Sanitize()); err != nil {
				return err
			}
			// Migrations name their tables without a schema.
			if _, err := tx.Exec(ctx, `SELECT set_config('search_path', $1, true)`, pgx.Identifier{s.schema}.Sanitize()); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS crmio_schema_migrations (
			version    int PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT version FROM crmio_schema_migrations ORDER BY version`)
		if err != nil {
			return err
		}
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		if upTo > 0 { // a test writing an older schema: what is beyond is not its concern
			applied = slices.DeleteFunc(applied, func(v int) bool { return v > sqlstore.Newest(ms) })
		}
		// Every migration not applied, also one below the newest applied
		// (see sqlstore.LoadMigrations).
		pending, err := sqlstore.Pending(ms, applied, ErrSchemaTooNew)
		if err != nil {
			return err
		}
		for _, m := range pending {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO crmio_schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return err
			}
		}
		return nil
	})
}
