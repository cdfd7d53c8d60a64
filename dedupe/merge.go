package dedupe

import (
	"maps"
	"slices"

	"github.com/crmio/crmio"
)

// FieldMerger is the Merger of the three merge modes, with a mode per field
// where one is given. The zero FieldMerger fills empty fields only.
//
// Field by field, over the mapped fields and any other field the incoming
// record sets:
//
//   - FillEmpty: a field the existing record lacks or holds a zero value
//     for (crmio.Value.IsZero) takes the import's value; the others keep
//     theirs.
//   - Overwrite: the field takes the import's value exactly, a blank
//     included: a mapped field absent from the incoming record is removed.
//   - PreferImport: the field takes the import's value where it is
//     present and not zero, and keeps the existing value otherwise.
//
// A multi-value field (a crmio.KindList value on either side) is merged as
// a set of items by match key (crmio.MatchKey), so that "(415) 555-0102"
// and "+14155550102" are one phone number, and "Bob@X.com" and "bob@x.com"
// one email. FillEmpty and PreferImport keep the existing items, in their
// order, and append the import's new ones; for an item on both sides,
// FillEmpty keeps the existing item and PreferImport takes the import's
// (its value as written and its label, unless that label is empty). Of
// items repeated within the import, the first counts. Overwrite replaces
// the list with the import's, as it is.
//
// A mode outside the three is taken as FillEmpty, which never loses data.
type FieldMerger struct {
	// Mode is the merge mode of every field not in Fields.
	Mode MergeMode
	// Fields overrides Mode for some fields: {"email": Overwrite}.
	Fields map[string]MergeMode
}

// NewMerger returns a FieldMerger merging every field in mode.
func NewMerger(mode MergeMode) FieldMerger { return FieldMerger{Mode: mode} }

// Merge implements Merger. It changes neither existing nor incoming: the
// merged record is a copy, with the existing record's ID and Module.
func (m FieldMerger) Merge(existing, incoming crmio.Record, mapped []string) (merged crmio.Record, changed bool) {
	// A copy of existing with room for the import's fields, so that adding
	// them does not grow the map again.
	merged = existing
	merged.Values = make(map[string]crmio.Value, len(existing.Values)+len(incoming.Values))
	maps.Copy(merged.Values, existing.Values)
	for _, field := range mapped {
		m.mergeField(&merged, incoming, field)
	}
	for field := range incoming.Values {
		if !slices.Contains(mapped, field) {
			m.mergeField(&merged, incoming, field)
		}
	}
	return merged, !merged.Equal(existing)
}

func (m FieldMerger) mode(field string) MergeMode {
	if mode, ok := m.Fields[field]; ok {
		return mode
	}
	return m.Mode
}

// mergeField merges one field of incoming into merged, which starts as a
// copy of the existing record.
func (m FieldMerger) mergeField(merged *crmio.Record, incoming crmio.Record, field string) {
	old, hadOld := merged.Values[field]
	v, hasNew := incoming.Values[field]
	mode := m.mode(field)
	if mode == Overwrite {
		if hasNew {
			merged.Set(field, v)
		} else {
			delete(merged.Values, field)
		}
		return
	}
	if !hasNew || v.IsZero() {
		return // FillEmpty and PreferImport never take a blank
	}
	switch {
	case old.Kind() == crmio.KindList || v.Kind() == crmio.KindList:
		merged.Set(field, unionItems(old, v, mode == PreferImport))
	case mode == PreferImport, !hadOld, old.IsZero():
		merged.Set(field, v)
	}
}

// unionItems returns the items of old followed by the items of v whose
// match key old lacks. With preferImport the first item of v with a key
// replaces the item of old with that key (keeping old's label when its own
// is empty). Of several items of v with one key, the first counts.
func unionItems(old, v crmio.Value, preferImport bool) crmio.Value {
	var oldItems []crmio.Item
	if !old.IsZero() {
		oldItems = old.List()
	}
	newItems := v.List()
	items := make([]crmio.Item, len(oldItems), len(oldItems)+len(newItems))
	copy(items, oldItems)
	keys := make([]string, len(items), cap(items))
	for p, it := range items {
		keys[p] = crmio.MatchKey(it.Value)
	}
	var replaced []bool // which items of old an item of v replaced
	if preferImport {
		replaced = make([]bool, len(oldItems))
	}
	for _, it := range newItems {
		k := crmio.MatchKey(it.Value)
		if k == "" {
			continue // a blank item adds nothing
		}
		p := slices.Index(keys, k)
		switch {
		case p < 0:
			items = append(items, it)
			keys = append(keys, k)
		case preferImport && p < len(oldItems) && !replaced[p]:
			if it.Label == "" {
				it.Label = items[p].Label
			}
			items[p] = it
			replaced[p] = true
		}
	}
	return crmio.ListValue(items...)
}
