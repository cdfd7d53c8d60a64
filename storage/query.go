package storage

import (
	"fmt"
	"strings"

	"github.com/crmio/crmio"
)

// Query selects, orders and limits the records a Scan yields. The zero
// Query yields every record in the store's id order.
type Query struct {
	// Where holds filters that must all hold.
	Where []Filter `json:"where,omitempty"`
	// Fields selects the fields to return; nil returns all of them. The
	// record's ID is always returned.
	Fields []string `json:"fields,omitempty"`
	// Order sorts the records; ties, and the whole order when empty, follow
	// the store's id order (creation order for the stores crmio ships).
	Order []Order `json:"order,omitempty"`
	// Limit is the most records to yield; zero means no limit.
	Limit int `json:"limit,omitempty"`
	// Scope restricts the records to those the caller may see. It is
	// applied inside the store: a record outside it is never read out.
	Scope *Scope `json:"scope,omitempty"`
}

// Op is a filter operator.
type Op string

// The filter operators. See Filter for their meaning.
const (
	Eq       Op = "="
	Ne       Op = "!="
	Contains Op = "contains"
	Lt       Op = "<"
	Le       Op = "<="
	Gt       Op = ">"
	Ge       Op = ">="
)

// Ops lists every operator.
var Ops = []Op{Eq, Ne, Contains, Lt, Le, Gt, Ge}

// Filter is one condition on a field's value. Give Value in the kind the
// field holds (a PhoneValue for a phone field): values are compared through
// their kinds' match and sort keys.
//
//   - Eq holds when the field has a value (any item of a list) whose
//     crmio.MatchKey equals Value's. "Bob@Example.com" = "bob@example.com";
//     1.50 = 1.5.
//   - Ne holds when no value of the field has Value's match key (so a
//     record without the field satisfies it).
//   - Contains holds when a value's match key contains the TextKey of
//     Value's String form: case and spacing never matter.
//   - Lt, Le, Gt, Ge compare by SortKey, and hold only between values of
//     the same ordered kind (numbers numerically, dates and instants in
//     time, text, email, phone and URL by match key, false before true).
//
// A record without the field satisfies only Ne.
type Filter struct {
	Field string      `json:"field"`
	Op    Op          `json:"op"`
	Value crmio.Value `json:"value"`
}

func (f Filter) String() string { return fmt.Sprintf("%s %s %q", f.Field, f.Op, f.Value.String()) }

// Order sorts by one field. Records without the field come last, in both
// directions; a list sorts by its first item.
type Order struct {
	Field string `json:"field"`
	Desc  bool   `json:"desc,omitempty"`
}

// Validate reports what makes q unrunnable, wrapping ErrInvalidQuery.
func (q Query) Validate() error {
	if q.Limit < 0 {
		return fmt.Errorf("%w: negative limit %d", ErrInvalidQuery, q.Limit)
	}
	filters := q.Where
	if q.Scope != nil {
		filters = append(filters[:len(filters):len(filters)], q.Scope.Where...)
	}
	for _, f := range filters {
		if err := f.validate(); err != nil {
			return err
		}
	}
	for _, o := range q.Order {
		if strings.TrimSpace(o.Field) == "" {
			return fmt.Errorf("%w: order by an empty field name", ErrInvalidQuery)
		}
	}
	return nil
}

func (f Filter) validate() error {
	if strings.TrimSpace(f.Field) == "" {
		return fmt.Errorf("%w: filter on an empty field name", ErrInvalidQuery)
	}
	switch f.Op {
	case Eq, Ne, Contains:
		return nil
	case Lt, Le, Gt, Ge:
		if SortKey(f.Value) == "" {
			return fmt.Errorf("%w: %s: a %s value has no order", ErrInvalidQuery, f, f.Value.Kind())
		}
		return nil
	}
	return fmt.Errorf("%w: unknown operator %q (want one of %v)", ErrInvalidQuery, f.Op, Ops)
}
