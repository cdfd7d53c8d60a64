package memory

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// sortRecords precomputes sort keys instead of calling Query.Compare at
// each comparison; it must order exactly as Query.Compare then id order.
func TestSortRecordsAgreesWithCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	values := []crmio.Value{
		{}, // null: no sort key
		crmio.IntValue(-3), crmio.IntValue(2), crmio.NumberValue(crmio.MustDecimal("2.0")),
		crmio.TextValue("b"), crmio.TextValue("B"), crmio.TextValue("a"), crmio.TextValue(""),
		crmio.DateValue(crmio.NewDate(2024, 1, 2)), crmio.BoolValue(false),
		crmio.AddressValue(crmio.Address{City: "Oslo"}), // no sort key
		crmio.ListValue(crmio.Item{Value: crmio.TextValue("a")}, crmio.Item{Value: crmio.TextValue("z")}),
	}
	fields := []string{"x", "y", "z"}
	for round := range 200 {
		var q storage.Query
		for range 1 + rng.IntN(3) {
			q.Order = append(q.Order, storage.Order{Field: fields[rng.IntN(len(fields))], Desc: rng.IntN(2) == 0})
		}
		recs := make([]sorted, 30)
		byRec := map[uint64]crmio.Record{}
		for i := range recs {
			v := map[string]crmio.Value{}
			for _, f := range fields {
				if rng.IntN(4) > 0 {
					v[f] = values[rng.IntN(len(values))]
				}
			}
			byRec[uint64(i+1)] = crmio.Record{ID: strconv.Itoa(i), Values: v}
			recs[i] = sorted{seq: uint64(i + 1), keys: sortKeys(nil, v, q.Order)}
		}
		want := slices.Clone(recs)
		slices.SortStableFunc(want, func(a, b sorted) int { return q.Compare(byRec[a.seq], byRec[b.seq]) })
		got := slices.Clone(recs)
		sortRecords(got, q.Order)
		for i := range got {
			if got[i].seq != want[i].seq {
				t.Fatalf("round %d, order %v: position %d holds record %d, want %d", round, q.Order, i, got[i].seq, want[i].seq)
			}
		}
	}
}
