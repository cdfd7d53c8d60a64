package main

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"sync"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Row is a row of the application's own records table: the shape this
// (imaginary) CRM has always kept its data in, which crmio must fit rather
// than the other way round. A slice of Rows stands in for a SQL table
// here; a real adapter would run the same operations as SQL.
//
// The values live in a JSON column: crmio.Value's JSON form round-trips
// exactly (numbers keep their digits, dates stay dates), which is how
// crmio's own SQL stores keep them. Typed columns work too, for the fields
// an application knows; a generic column is what lets any module and any
// custom field in.
type Row struct {
	ID      int64
	Module  string
	Data    []byte // the record's values, as JSON
	Deleted bool   // soft delete: an id is never reused
}

// Table is the application's table: rows in id order.
type Table struct {
	Rows   []Row
	LastID int64
}

// Store adapts a Table to storage.Store. Everything the contract asks
// beyond plain reads and writes comes from package storage's reference
// helpers: Query.Validate, Query.Matches, Query.Compare, Query.Project;
// and from crmio.MatchKeys, which gives the keys Lookup must find a value
// by. The match-key index is the one thing the adapter keeps besides the
// table: Lookup must cost O(keys), not O(rows).
//
// It does not implement the optional capabilities (storage.Transactor,
// storage.History): imports into it run batch by batch and keep no
// history to roll back.
type Store struct {
	mu    sync.RWMutex
	table *Table
	pos   map[int64]int // row id → its index in table.Rows
	// index: module → field → match key → ids of the rows holding a value
	// with that key.
	index map[string]map[string]map[string]map[int64]bool
}

var _ storage.Store = (*Store)(nil)

// NewStore returns a Store over table, indexing the rows it already holds.
func NewStore(table *Table) (*Store, error) {
	s := &Store{table: table, pos: map[int64]int{}, index: map[string]map[string]map[string]map[int64]bool{}}
	for i, r := range table.Rows {
		s.pos[r.ID] = i
		if r.Deleted {
			continue
		}
		values, err := decode(r.Data)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", r.ID, err)
		}
		s.indexValues(r.Module, r.ID, values, true)
	}
	return s, nil
}

func decode(data []byte) (map[string]crmio.Value, error) {
	var values map[string]crmio.Value
	if err := json.Unmarshal(data, &values); err != nil {
		return nil, err
	}
	return values, nil
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && formatID(id) == s
}

// indexValues adds (or removes) the match keys of values to the index.
func (s *Store) indexValues(module string, id int64, values map[string]crmio.Value, add bool) {
	fields := s.index[module]
	if fields == nil {
		fields = map[string]map[string]map[int64]bool{}
		s.index[module] = fields
	}
	for field, v := range values {
		keys := fields[field]
		if keys == nil {
			keys = map[string]map[int64]bool{}
			fields[field] = keys
		}
		for _, k := range crmio.MatchKeys(v) {
			switch {
			case add && keys[k] == nil:
				keys[k] = map[int64]bool{id: true}
			case add:
				keys[k][id] = true
			default:
				delete(keys[k], id)
				if len(keys[k]) == 0 {
					delete(keys, k)
				}
			}
		}
	}
}

// row returns the live row of module with the id s, or nil.
func (s *Store) row(module, id string) *Row {
	n, ok := parseID(id)
	if !ok {
		return nil
	}
	i, ok := s.pos[n]
	if !ok {
		return nil
	}
	r := &s.table.Rows[i]
	if r.Deleted || r.Module != module {
		return nil
	}
	return r
}

func (s *Store) record(r *Row) (crmio.Record, error) {
	values, err := decode(r.Data)
	if err != nil {
		return crmio.Record{}, fmt.Errorf("row %d: %w", r.ID, err)
	}
	return crmio.Record{ID: formatID(r.ID), Module: r.Module, Values: values}, nil
}

// Insert implements storage.Store.
func (s *Store) Insert(ctx context.Context, module string, recs []crmio.Record) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data := make([][]byte, len(recs))
	for i, rec := range recs {
		if rec.ID != "" {
			return nil, fmt.Errorf("insert: record %d has an id (%q): ids are the store's to assign", i, rec.ID)
		}
		var err error
		if data[i], err = json.Marshal(rec.Values); err != nil {
			return nil, fmt.Errorf("insert: record %d: %w", i, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, len(recs))
	for i, rec := range recs {
		s.table.LastID++
		id := s.table.LastID
		s.pos[id] = len(s.table.Rows)
		s.table.Rows = append(s.table.Rows, Row{ID: id, Module: module, Data: data[i]})
		s.indexValues(module, id, rec.Values, true)
		ids[i] = formatID(id)
	}
	return ids, nil
}

// Update implements storage.Store: all of the batch or, when an id is
// missing, none of it.
func (s *Store) Update(ctx context.Context, module string, recs []crmio.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data := make([][]byte, len(recs))
	for i, rec := range recs {
		var err error
		if data[i], err = json.Marshal(rec.Values); err != nil {
			return fmt.Errorf("update %q: %w", rec.ID, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := make([]*Row, len(recs))
	for i, rec := range recs {
		if rows[i] = s.row(module, rec.ID); rows[i] == nil {
			return fmt.Errorf("update %s %q: %w", module, rec.ID, crmio.ErrNotFound)
		}
	}
	for i, r := range rows {
		old, err := decode(r.Data)
		if err != nil {
			return fmt.Errorf("row %d: %w", r.ID, err)
		}
		s.indexValues(module, r.ID, old, false)
		r.Data = data[i]
		s.indexValues(module, r.ID, recs[i].Values, true)
	}
	return nil
}

// Delete implements storage.Store.
func (s *Store) Delete(ctx context.Context, module string, ids []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		r := s.row(module, id)
		if r == nil {
			continue
		}
		old, err := decode(r.Data)
		if err != nil {
			return fmt.Errorf("row %d: %w", r.ID, err)
		}
		s.indexValues(module, r.ID, old, false)
		r.Deleted = true
	}
	return nil
}

// Get implements storage.Store.
func (s *Store) Get(ctx context.Context, module string, ids []string) ([]crmio.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []crmio.Record
	for _, id := range ids {
		if r := s.row(module, id); r != nil {
			rec, err := s.record(r)
			if err != nil {
				return nil, err
			}
			out = append(out, rec)
		}
	}
	return out, nil
}

// Lookup implements storage.Store, from the index: O(keys).
func (s *Store) Lookup(ctx context.Context, module, field string, keys []string) (map[string][]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[string][]string{}
	index := s.index[module][field]
	for _, k := range keys {
		set := index[k]
		if len(set) == 0 {
			continue
		}
		ids := make([]int64, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		slices.Sort(ids) // the store's id order
		strs := make([]string, len(ids))
		for i, id := range ids {
			strs[i] = formatID(id)
		}
		out[k] = strs
	}
	return out, nil
}

// Scan implements storage.Store. It copies the matching rows' data under
// the lock and decodes and yields them after releasing it, so that the
// caller may write to the store while it iterates.
func (s *Store) Scan(ctx context.Context, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	return func(yield func(crmio.Record, error) bool) {
		if err := q.Validate(); err != nil {
			yield(crmio.Record{}, err)
			return
		}
		if err := ctx.Err(); err != nil {
			yield(crmio.Record{}, err)
			return
		}
		var matched []crmio.Record
		s.mu.RLock()
		for i := range s.table.Rows {
			r := &s.table.Rows[i]
			if r.Deleted || r.Module != module {
				continue
			}
			rec, err := s.record(r)
			if err != nil {
				s.mu.RUnlock()
				yield(crmio.Record{}, err)
				return
			}
			if q.Matches(rec) {
				matched = append(matched, rec)
			}
		}
		s.mu.RUnlock()
		if len(q.Order) > 0 {
			slices.SortStableFunc(matched, q.Compare) // ties keep the id order
		}
		if q.Limit > 0 && len(matched) > q.Limit {
			matched = matched[:q.Limit]
		}
		for _, rec := range matched {
			if err := ctx.Err(); err != nil {
				yield(crmio.Record{}, err)
				return
			}
			if !yield(q.Project(rec), nil) {
				return
			}
		}
	}
}
