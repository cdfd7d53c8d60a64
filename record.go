package crmio

import "maps"

// Record is one record of a module: its id (assigned by the Store) and its
// field values by field name. A field absent from Values has no value; a
// field present with an empty value (TextValue("") or the null Value) was
// set empty. Stores keep the difference.
type Record struct {
	ID     string           `json:"id,omitempty"`
	Module string           `json:"module,omitempty"`
	Values map[string]Value `json:"values"`
}

// Get returns the value of field, or the null Value.
func (r Record) Get(field string) Value { return r.Values[field] }

// Set sets the value of field, allocating Values when needed.
func (r *Record) Set(field string, v Value) {
	if r.Values == nil {
		r.Values = make(map[string]Value)
	}
	r.Values[field] = v
}

// Clone returns a copy of r whose Values map can be changed without
// affecting r. (Values themselves are immutable.)
func (r Record) Clone() Record {
	r.Values = maps.Clone(r.Values)
	return r
}

// Equal reports whether r and s have the same id, module and values, with
// absent and present-but-null fields told apart.
func (r Record) Equal(s Record) bool {
	if r.ID != s.ID || r.Module != s.Module || len(r.Values) != len(s.Values) {
		return false
	}
	for k, v := range r.Values {
		w, ok := s.Values[k]
		if !ok || !v.Equal(w) {
			return false
		}
	}
	return true
}
