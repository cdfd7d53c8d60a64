// Package sqlstore holds what crmio's SQL stores (storage/sqlite and
// storage/postgres) share beyond their SQL: the form of record ids, how a
// job is kept, how embedded migrations are found and ordered, the cache of
// the fields they key (KnownFields), the sort key they compute beside a
// match key, and the loop that reads (id, vals) rows into records or
// into chunks (storage.Chunk).
package sqlstore

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/crmio/crmio/storage"
)

// ParseID returns the row id of a record id, and false for a string that
// is not an id a store could have made (the canonical decimal form of a
// positive integer), so that "007" never finds record 7.
func ParseID(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return 0, false
	}
	return n, true
}

// ParseIDs returns the row ids of the ids a store could have made, sorted,
// without duplicates.
func ParseIDs(ids []string) []int64 {
	out := make([]int64, 0, len(ids))
	for _, s := range ids {
		if id, ok := ParseID(s); ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// FormatID returns the record id of a row id.
func FormatID(n int64) string { return strconv.FormatInt(n, 10) }

// EncodeJob returns the JSON kept for job: everything but its id, which is
// the row's, and its detail, kept byte for byte in a column of its own.
func EncodeJob(job storage.Job) (string, error) {
	job.ID, job.Detail = "", nil
	b, err := json.Marshal(job)
	if err != nil {
		return "", fmt.Errorf("encode job: %w", err)
	}
	return string(b), nil
}

// DetailArg keeps a nil Detail NULL, so that it reads back nil.
func DetailArg(d json.RawMessage) any {
	if d == nil {
		return nil
	}
	return []byte(d)
}

// Migration is one version of a store's schema.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations returns the migrations in fsys's migrations directory,
// one file per version named NNNN_name.sql, in version order, and an error
// when a file is misnamed or two files have one version. Versions may
// leave gaps: migrations written in parallel take their numbers as they
// are written and may land in any order, so a store applies every version
// it has not applied (see Pending), not only those above its highest.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	files, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, f := range files {
		base := path.Base(f)
		num, name, ok := strings.Cut(strings.TrimSuffix(base, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s is not named NNNN_name.sql", base)
		}
		text, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(text)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s have one version, %d", out[i-1].Name, out[i].Name, out[i].Version)
		}
	}
	return out, nil
}

// Newest returns the highest version of ms, 0 for none: the schema
// version of a store that has applied them all.
func Newest(ms []Migration) int {
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// UpTo returns the migrations of ms up to version target (all of them for
// 0): tests stop short to write a database as an older crmio did.
func UpTo(ms []Migration, target int) []Migration {
	if target <= 0 {
		return ms
	}
	i := 0
	for i < len(ms) && ms[i].Version <= target {
		i++
	}
	return ms[:i]
}

// Pending returns the migrations of ms that are not applied, in version
// order, and an error wrapping tooNew when a version is applied that ms
// does not have beyond its newest (a newer crmio wrote the database).
func Pending(ms []Migration, applied []int, tooNew error) ([]Migration, error) {
	done := map[int]bool{}
	for _, v := range applied {
		done[v] = true
		if v > Newest(ms) {
			return nil, fmt.Errorf("%w: version %d, this package knows up to %d", tooNew, v, Newest(ms))
		}
	}
	var out []Migration
	for _, m := range ms {
		if !done[m.Version] {
			out = append(out, m)
		}
	}
	return out, nil
}
