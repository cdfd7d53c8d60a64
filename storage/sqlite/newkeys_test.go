package sqlite

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// TestLookupInFreshModule checks that Lookup inside Atomic stays exact
// when it leaves out the keys a fresh module's filters have not seen: the
// keys of records written in the transaction (by Insert, by Update, and
// by the backfills of a new lookup field, with and without items), minus
// those of a savepoint rolled back, plus those of a module that had
// records before.
func TestLookupInFreshModule(t *testing.T) {
	ctx := t.Context()
	s := tempStore(t)
	rec := func(fields ...string) crmio.Record {
		var r crmio.Record
		for i := 0; i < len(fields); i += 2 {
			r.Set(fields[i], crmio.TextValue(fields[i+1]))
		}
		return r
	}
	// accounts has a record before the transaction: it is not fresh.
	before, err := s.Insert(ctx, "accounts", []crmio.Record{rec("name", "Acme")})
	if err != nil {
		t.Fatal(err)
	}
	errUndo := errors.New("undo")
	err = s.Atomic(ctx, func(tx storage.Store) error {
		lookup := func(module, field, key string, want ...string) {
			t.Helper()
			got, err := tx.Lookup(ctx, module, field, []string{key, "absent"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got["absent"]) > 0 {
				t.Errorf("Lookup(%s.%s) found %v for an absent key", module, field, got["absent"])
			}
			if !slices.Equal(got[key], want) {
				t.Errorf("Lookup(%s.%s, %q) = %v, want %v", module, field, key, got[key], want)
			}
		}
		lookup("people", "email", "a@example.com") // the module's first touch: fresh
		if err := tx.(*txStore).KeyFields(ctx, "people", "city"); err != nil {
			t.Fatal(err)
		}
		var recs []crmio.Record
		for i := range 600 { // past the pipelined writer's threshold
			recs = append(recs, rec("email", fmt.Sprintf("p%d@example.com", i), "city", fmt.Sprintf("c%d", i), "phone", fmt.Sprintf("+4930%06d", i)))
		}
		ids, err := tx.Insert(ctx, "people", recs)
		if err != nil {
			t.Fatal(err)
		}
		lookup("people", "email", "p7@example.com", ids[7])
		lookup("people", "email", "p599@example.com", ids[599])

		// A lookup field that is a key field gets its keys from the items.
		lookup("people", "city", "c42", ids[42])
		// One that is not, from the values, through a batchWriter.
		lookup("people", "phone", "+4930000042", ids[42])

		// Update moves a key.
		up := recs[3].Clone()
		up.ID = ids[3]
		up.Set("email", crmio.TextValue("moved@example.com"))
		if err := tx.Update(ctx, "people", []crmio.Record{up}); err != nil {
			t.Fatal(err)
		}
		lookup("people", "email", "moved@example.com", ids[3])
		lookup("people", "email", "p3@example.com")

		// Keys written in a savepoint rolled back are not found.
		err = tx.(storage.Transactor).Atomic(ctx, func(sp storage.Store) error {
			if _, err := sp.Insert(ctx, "people", []crmio.Record{rec("email", "gone@example.com")}); err != nil {
				t.Fatal(err)
			}
			return errUndo
		})
		if !errors.Is(err, errUndo) {
			t.Fatalf("savepoint: %v", err)
		}
		lookup("people", "email", "gone@example.com")

		// A module with records from before finds them.
		lookup("accounts", "name", "acme", before[0])

		// The filter leaves out what it has not seen.
		keys, err := tx.(*txStore).keys.mayBeStored(ctx, tx.(*txStore).tx, "people", "email", []string{"p1@example.com", "never@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(keys, "p1@example.com") {
			t.Errorf("mayBeStored left out a stored key: %v", keys)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
