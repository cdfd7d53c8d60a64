package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/jackc/pgx/v5"
)

// Check that Store remembers mappings.
var _ storage.MappingMemory = (*Store)(nil)

// mappingsTable is crmio_mappings, in the store's schema when it has one.
func (c *conn) mappingsTable() string {
	if c.st.schema == "" {
		return "crmio_mappings"
	}
	return pgx.Identifier{c.st.schema, "crmio_mappings"}.Sanitize()
}

// RememberMapping implements storage.MappingMemory: one row per module and
// fingerprint in crmio_mappings, replaced by the next.
func (c *conn) RememberMapping(ctx context.Context, m storage.RememberedMapping) error {
	if err := storage.CheckRememberedMapping(m); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	at := m.Remembered
	if at.IsZero() {
		at = time.Now()
	}
	at = at.Truncate(time.Microsecond)
	return c.with(ctx, "remember mapping", func(db *pgx.Conn) error {
		_, err := db.Exec(ctx, `INSERT INTO `+c.mappingsTable()+` (module, fingerprint, mapping, job_id, remembered)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (module, fingerprint) DO UPDATE SET mapping = excluded.mapping, job_id = excluded.job_id,
				remembered = excluded.remembered`,
			m.Module, m.Fingerprint, string(m.Mapping), m.JobID, at)
		return err
	})
}

// RecallMapping implements storage.MappingMemory.
func (c *conn) RecallMapping(ctx context.Context, module, fingerprint string) (storage.RememberedMapping, error) {
	m := storage.RememberedMapping{Module: module, Fingerprint: fingerprint}
	var doc string
	err := c.with(ctx, "recall mapping", func(db *pgx.Conn) error {
		return db.QueryRow(ctx, `SELECT mapping, job_id, remembered FROM `+c.mappingsTable()+` WHERE module = $1 AND fingerprint = $2`,
			module, fingerprint).Scan(&doc, &m.JobID, &m.Remembered)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return storage.RememberedMapping{}, fmt.Errorf("postgres: no mapping remembered for module %q and this header: %w", module, crmio.ErrNotFound)
	}
	if err != nil {
		return storage.RememberedMapping{}, err
	}
	m.Mapping = []byte(doc)
	m.Remembered = m.Remembered.UTC()
	return m, nil
}

// ForgetMapping implements storage.MappingMemory.
func (c *conn) ForgetMapping(ctx context.Context, module, fingerprint string) error {
	return c.with(ctx, "forget mapping", func(db *pgx.Conn) error {
		_, err := db.Exec(ctx, `DELETE FROM `+c.mappingsTable()+` WHERE module = $1 AND fingerprint = $2`, module, fingerprint)
		return err
	})
}
