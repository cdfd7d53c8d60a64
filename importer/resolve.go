package importer

import (
	"context"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// A ReferenceResolver finds the records that reference values name: for a
// batch, the raw keys of one reference field (account names, say) and the
// ids of the target module's records each key names, best first. Keys it
// cannot resolve are absent. It is called once per reference field per
// batch, with the store of the batch (inside its transaction, where the
// store has them).
type ReferenceResolver interface {
	Resolve(ctx context.Context, store storage.Store, target *crmio.Module, keys []string) (map[string][]string, error)
}

// KeyResolver is the default ReferenceResolver: it looks the keys up by the
// target module's Key field, through one Store.Lookup per batch, comparing
// match keys ("ACME corp" names "Acme Corp"). For a composite key
// ("first_name+last_name") it looks up the last field by the key's last
// words, reads the candidates (one Store.Get) and compares the whole
// ("Ada Lovelace").
type KeyResolver struct{}

// Resolve implements ReferenceResolver.
func (KeyResolver) Resolve(ctx context.Context, store storage.Store, target *crmio.Module, keys []string) (map[string][]string, error) {
	if fields := target.KeyFields(); len(fields) > 1 {
		return resolveComposite(ctx, store, target, fields, keys)
	}
	kind := crmio.KindText
	if f := target.Field(target.Key); f != nil {
		kind = f.Type.Kind()
	}
	byMatch := make(map[string][]string, len(keys)) // match key → raw keys
	matchKeys := make([]string, 0, len(keys))
	for _, k := range keys {
		mk := crmio.MatchKey(keyValue(kind, k))
		if mk == "" {
			continue
		}
		if _, seen := byMatch[mk]; !seen {
			matchKeys = append(matchKeys, mk)
		}
		byMatch[mk] = append(byMatch[mk], k)
	}
	if len(matchKeys) == 0 {
		return nil, nil
	}
	found, err := store.Lookup(ctx, target.Name, target.Key, matchKeys)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(found))
	for mk, ids := range found {
		for _, raw := range byMatch[mk] {
			out[raw] = ids
		}
	}
	return out, nil
}

// keyValue makes a Value of the given kind from a reference's raw key, so
// that its match key is computed as the target field's values are.
func keyValue(kind crmio.Kind, s string) crmio.Value {
	switch kind {
	case crmio.KindEmail:
		return crmio.EmailValue(s)
	case crmio.KindPhone:
		return crmio.PhoneValue(s)
	case crmio.KindURL:
		return crmio.URLValue(s)
	}
	return crmio.TextValue(s)
}

// resolveComposite resolves keys that name records by several fields.
func resolveComposite(ctx context.Context, store storage.Store, target *crmio.Module, fields []string, keys []string) (map[string][]string, error) {
	last := fields[len(fields)-1]
	var lookup []string
	seen := map[string]bool{}
	for _, k := range keys {
		words := strings.Fields(crmio.TextKey(k))
		// The last field may hold several words ("van Dijk").
		for n := 1; n <= min(3, len(words)-len(fields)+1); n++ {
			tail := strings.Join(words[len(words)-n:], " ")
			if !seen[tail] {
				seen[tail] = true
				lookup = append(lookup, tail)
			}
		}
	}
	if len(lookup) == 0 {
		return nil, nil
	}
	found, err := store.Lookup(ctx, target.Name, last, lookup)
	if err != nil {
		return nil, err
	}
	var ids []string
	idSeen := map[string]bool{}
	for _, k := range lookup {
		for _, id := range found[k] {
			if !idSeen[id] {
				idSeen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	recs, err := store.Get(ctx, target.Name, ids)
	if err != nil {
		return nil, err
	}
	byName := map[string][]string{}
	for _, rec := range recs {
		name := compositeName(rec, fields)
		byName[name] = append(byName[name], rec.ID)
	}
	out := map[string][]string{}
	for _, k := range keys {
		if ids := byName[crmio.TextKey(k)]; len(ids) > 0 {
			out[k] = ids
		}
	}
	return out, nil
}

// compositeName is the match key of a record's composite key.
func compositeName(rec crmio.Record, fields []string) string {
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		if s := rec.Get(f).String(); s != "" {
			parts = append(parts, s)
		}
	}
	return crmio.TextKey(strings.Join(parts, " "))
}

// newKeyValues are the values of an auto-created reference target: its key
// field set to the key (as the one item of a list when the field is
// multi-value); for a composite key, one word to each field but the last,
// which takes the rest.
func newKeyValues(target *crmio.Module, key string) map[string]crmio.Value {
	fields := target.KeyFields()
	values := make(map[string]crmio.Value, len(fields))
	words := strings.Fields(key)
	for i, name := range fields {
		f := target.Field(name)
		text := key
		if len(fields) > 1 {
			switch {
			case i >= len(words):
				continue
			case i == len(fields)-1:
				text = strings.Join(words[i:], " ")
			default:
				text = words[i]
			}
		}
		v := keyValue(f.Type.Kind(), text)
		if f.Multi {
			label := ""
			if len(f.Labels) > 0 {
				label = f.Labels[0]
			}
			v = crmio.ListValue(crmio.Item{Label: label, Value: v})
		}
		values[name] = v
	}
	return values
}
