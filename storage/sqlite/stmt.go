package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// Preparing is a good part of what a statement costs SQLite (a multi-row
// INSERT of a hundred rows is long text to parse), and every batch of
// writes runs the same few statements: a Store keeps them prepared.
//
// The writer's are prepared when the store opens, as the writer's one
// connection is then free: a transaction holds it, and the statements
// database/sql has prepared on it are reused by Tx.StmtContext. The read
// pool's are prepared on first use, a connection at a time.

// writerStmts are the statements the writer keeps prepared.
var writerStmts = []string{
	nextIDsSQL,
	moduleFieldsSQL,
	lookupSQL,
	jobExistsSQL,
	recordsSQL("INSERT", recordsPerInsert),
	recordsSQL("REPLACE", recordsPerInsert),
	itemsSQL(itemsPerInsert),
	keysSQL(keysPerInsert),
	journalSQL(journalPerInsert),
}

// readerStmts are the statements the read pool keeps prepared.
var readerStmts = map[string]bool{moduleFieldsSQL: true, lookupSQL: true, jobExistsSQL: true}

// prepareWriter prepares writerStmts on the writer connection.
func (s *Store) prepareWriter(ctx context.Context) error {
	s.stmts = make(map[stmtKey]*sql.Stmt)
	for _, query := range writerStmts {
		st, err := s.writer.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		s.stmts[stmtKey{s.writer, query}] = st
	}
	return nil
}

// stmt returns query prepared for q: a statement the store keeps, or
// prepared for q alone, a transaction, which closes it when it ends. The
// caller must not close it.
func (c *conn) stmt(ctx context.Context, q querier, query string) (*sql.Stmt, error) {
	if tx, ok := q.(*sql.Tx); ok {
		c.st.stmtMu.Lock()
		st := c.st.stmts[stmtKey{c.st.writer, query}]
		c.st.stmtMu.Unlock()
		if st == nil {
			return tx.PrepareContext(ctx, query)
		}
		return tx.StmtContext(ctx, st), nil
	}
	// Outside a transaction, only reads run: the read pool's statements.
	db := q.(*sql.DB)
	if db != c.st.reader || !readerStmts[query] {
		return nil, fmt.Errorf("sqlite: internal error: statement %q is not kept for the read pool", query)
	}
	key := stmtKey{db, query}
	c.st.stmtMu.Lock()
	defer c.st.stmtMu.Unlock()
	if st := c.st.stmts[key]; st != nil {
		return st, nil
	}
	if c.st.stmts == nil {
		return nil, sql.ErrConnDone // closed
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.st.stmts[key] = st
	return st, nil
}

type stmtKey struct {
	db    *sql.DB
	query string
}

// closeStmts closes the statements the store keeps.
func (s *Store) closeStmts() {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
}
