package storage

import (
	"fmt"
	"strings"

	"github.com/crmio/crmio"
)

// SortKey returns an order-preserving key of v: for two values of the same
// ordered kind, comparing their sort keys bytewise (as SQL compares text
// under the C collation) orders them as Filter and Order say. The first
// byte names the kind's class, so keys of different classes never compare
// as equal: "b" booleans, "d" dates, "n" numbers, "s" text, email, phone,
// URL and references (by match key), "t" instants. A list sorts by its
// first item. Null, an address and an empty list have no order: "".
//
// SQL adapters store sort keys beside match keys so that ordering and
// range filters run in the database.
func SortKey(v crmio.Value) string {
	switch v.Kind() {
	case crmio.KindBool:
		if b, _ := v.Bool(); b {
			return "b1"
		}
		return "b0"
	case crmio.KindDate:
		d, _ := v.Date()
		return "d" + d.String()
	case crmio.KindNumber:
		d, _ := v.Number()
		return "n" + numberSortKey(d)
	case crmio.KindText, crmio.KindEmail, crmio.KindPhone, crmio.KindURL, crmio.KindRef:
		return "s" + crmio.MatchKey(v)
	case crmio.KindDateTime:
		t, _ := v.Time()
		return "t" + t.UTC().Format("2006-01-02T15:04:05.000000000")
	case crmio.KindList:
		if items := v.List(); len(items) > 0 {
			return SortKey(items[0].Value)
		}
	}
	return ""
}

// numberSortKey encodes a decimal so that bytewise order is numeric order:
// "0" for negatives, "1" for zero, "2" for positives, then the decimal
// exponent (offset, four digits) and the significant digits; a negative's
// exponent and digits are inverted and end in "~", so that -1.2 sorts after
// -1.23.
func numberSortKey(d crmio.Decimal) string {
	s := d.Normalize().String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	// Write the value as 0.digits × 10^exp with a non-zero first digit.
	var digits string
	var exp int
	if intPart != "0" {
		digits, exp = intPart+frac, len(intPart) // canonical: no leading zeros
	} else {
		digits = strings.TrimLeft(frac, "0")
		exp = -(len(frac) - len(digits))
	}
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return "1"
	}
	if !neg {
		return fmt.Sprintf("2%04d%s", exp+5000, digits)
	}
	inv := []byte(digits)
	for i, c := range inv {
		inv[i] = '9' - c + '0'
	}
	return fmt.Sprintf("0%04d%s~", 9999-(exp+5000), inv)
}

// Match reports whether rec satisfies f, by the rules documented on Filter.
// It is the reference semantics: adapters that filter in Go call it, and
// SQL adapters must agree with it (storage/storetest checks that they do).
func (f Filter) Match(rec crmio.Record) bool { return f.matchBy(rec, byMatchKey) }

// comparison is how a filter compares values: by match keys, as a
// query's filters do, or exactly, as a scope's do.
type comparison struct {
	key    func(crmio.Value) string         // of a value, for =, != and contains
	needle func(crmio.Value) string         // of the filter's value, for contains
	order  func(crmio.Value) (string, byte) // for the orders: a key and its class (0: no order)
}

var byMatchKey = comparison{
	key:    crmio.MatchKey,
	needle: func(v crmio.Value) string { return crmio.TextKey(v.String()) },
	order: func(v crmio.Value) (string, byte) {
		if k := SortKey(v); k != "" {
			return k, k[0]
		}
		return "", 0
	},
}

// matchBy reports whether rec satisfies f, comparing by cmp.
func (f Filter) matchBy(rec crmio.Record, cmp comparison) bool {
	v, ok := rec.Values[f.Field]
	if !ok || v.IsNull() {
		return f.Op == Ne
	}
	items := v.List()
	switch f.Op {
	case Eq, Ne:
		want := cmp.key(f.Value)
		found := false
		for _, it := range items {
			if cmp.key(it.Value) == want {
				found = true
				break
			}
		}
		return found == (f.Op == Eq)
	case Contains:
		needle := cmp.needle(f.Value)
		for _, it := range items {
			if strings.Contains(cmp.key(it.Value), needle) {
				return true
			}
		}
		return false
	case Lt, Le, Gt, Ge:
		want, class := cmp.order(f.Value)
		if class == 0 {
			return false
		}
		for _, it := range items {
			k, c := cmp.order(it.Value)
			if c != class {
				continue
			}
			n := strings.Compare(k, want)
			if (f.Op == Lt && n < 0) || (f.Op == Le && n <= 0) || (f.Op == Gt && n > 0) || (f.Op == Ge && n >= 0) {
				return true
			}
		}
	}
	return false
}

// Matches reports whether rec satisfies q's filters and scope.
func (q Query) Matches(rec crmio.Record) bool {
	for _, f := range q.Where {
		if !f.Match(rec) {
			return false
		}
	}
	return q.Scope.Visible(rec)
}

// Compare orders a and b by q.Order: -1, 0 or +1. Records without a field
// (or whose value has no sort key) come last in both directions. A zero
// result means the store's id order decides.
func (q Query) Compare(a, b crmio.Record) int {
	for _, o := range q.Order {
		ka, kb := SortKey(a.Values[o.Field]), SortKey(b.Values[o.Field])
		switch {
		case ka == kb:
			continue
		case ka == "":
			return 1
		case kb == "":
			return -1
		}
		c := strings.Compare(ka, kb)
		if o.Desc {
			c = -c
		}
		return c
	}
	return 0
}

// Project returns rec with only q.Fields (all fields when q.Fields is nil).
func (q Query) Project(rec crmio.Record) crmio.Record {
	if q.Fields == nil {
		return rec
	}
	out := crmio.Record{ID: rec.ID, Module: rec.Module, Values: make(map[string]crmio.Value, len(q.Fields))}
	for _, f := range q.Fields {
		if v, ok := rec.Values[f]; ok {
			out.Values[f] = v
		}
	}
	return out
}
