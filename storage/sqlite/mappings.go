package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Check that Store remembers mappings.
var _ storage.MappingMemory = (*Store)(nil)

// RememberMapping implements storage.MappingMemory: one row per module and
// fingerprint in crmio_mappings, replaced by the next.
func (c *conn) RememberMapping(ctx context.Context, m storage.RememberedMapping) error {
	if err := storage.CheckRememberedMapping(m); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	at := m.Remembered
	if at.IsZero() {
		at = time.Now()
	}
	at = at.Truncate(time.Microsecond)
	return c.write(ctx, "remember mapping", func(q querier) error {
		_, err := q.ExecContext(ctx, `INSERT INTO crmio_mappings (module, fingerprint, mapping, job_id, remembered_s, remembered_ns)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (module, fingerprint) DO UPDATE SET mapping = excluded.mapping, job_id = excluded.job_id,
				remembered_s = excluded.remembered_s, remembered_ns = excluded.remembered_ns`,
			m.Module, m.Fingerprint, string(m.Mapping), m.JobID, at.Unix(), at.Nanosecond())
		return err
	})
}

// RecallMapping implements storage.MappingMemory.
func (c *conn) RecallMapping(ctx context.Context, module, fingerprint string) (storage.RememberedMapping, error) {
	if err := c.check(ctx); err != nil {
		return storage.RememberedMapping{}, err
	}
	m := storage.RememberedMapping{Module: module, Fingerprint: fingerprint}
	var doc string
	var sec, nsec int64
	err := c.reads().QueryRowContext(ctx, `SELECT mapping, job_id, remembered_s, remembered_ns FROM crmio_mappings WHERE module = ? AND fingerprint = ?`,
		module, fingerprint).Scan(&doc, &m.JobID, &sec, &nsec)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.RememberedMapping{}, fmt.Errorf("sqlite: no mapping remembered for module %q and this header: %w", module, crmio.ErrNotFound)
	}
	if err != nil {
		return storage.RememberedMapping{}, c.st.fail("recall mapping", err)
	}
	m.Mapping = []byte(doc)
	m.Remembered = time.Unix(sec, nsec).UTC()
	return m, nil
}

// ForgetMapping implements storage.MappingMemory.
func (c *conn) ForgetMapping(ctx context.Context, module, fingerprint string) error {
	return c.write(ctx, "forget mapping", func(q querier) error {
		_, err := q.ExecContext(ctx, `DELETE FROM crmio_mappings WHERE module = ? AND fingerprint = ?`, module, fingerprint)
		return err
	})
}
