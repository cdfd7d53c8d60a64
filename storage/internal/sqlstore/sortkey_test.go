package sqlstore

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// TestSortKey checks the shortcut of AppendSortKey against storage.SortKey.
func TestSortKey(t *testing.T) {
	values := []crmio.Value{
		{}, crmio.TextValue(" Ada  LOVELACE "), crmio.TextValue(""), crmio.EmailValue("Bob@Example.com"),
		crmio.PhoneValue("(415) 555-0102"), crmio.URLValue("https://www.Acme.com/"), crmio.RefValue("42", "Acme"),
		crmio.RefValue("", "Acme Corp"), crmio.IntValue(-12), crmio.NumberValue(crmio.MustDecimal("1.50")),
		crmio.BoolValue(true), crmio.DateValue(crmio.NewDate(2024, 2, 29)), crmio.DateTimeValue(time.Unix(1e9, 5)),
		crmio.AddressValue(crmio.Address{City: "Oslo"}), crmio.ListValue(crmio.Item{Value: crmio.TextValue("X")}),
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		b := make([]rune, r.IntN(8))
		for i := range b {
			alphabet := []rune("aZ é東 \t0+")
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		values = append(values, crmio.TextValue(string(b)), crmio.PhoneValue(string(b)), crmio.URLValue(string(b)))
	}
	for _, v := range values {
		if got, want := string(AppendSortKey(nil, v, crmio.MatchKey(v))), storage.SortKey(v); got != want {
			t.Errorf("AppendSortKey(%s) = %q, want %q", v, got, want)
		}
	}
}
