package sqlite

import (
	"fmt"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"github.com/crmio/crmio/storage/internal/valuecodec"
)

// decodeValues parses a record's stored values (see valuecodec).
func decodeValues(data []byte) (map[string]crmio.Value, error) {
	return decodeValuesIn(nil, data)
}

// decodeValuesIn is decodeValues making lists and addresses in arena.
func decodeValuesIn(arena *crmio.Arena, data []byte) (map[string]crmio.Value, error) {
	values, err := valuecodec.DecodeValuesIn(arena, data)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return values, nil
}

// item is one row of crmio_items: one value of a field (one per item of a
// list), with the keys that filters, order and Lookup use.
type item struct {
	field string
	pos   int
	key   string // crmio.MatchKey of the value
	sort  string // storage.SortKey of the value; "" when it has none
}

// appendItems appends the items of the value v of field name, the items
// of a list in order. A null value, or an empty list, has no item: to a
// filter it is as absent as a missing field.
func appendItems(dst []item, name string, v crmio.Value) []item {
	if v.Kind() != crmio.KindList {
		if !v.IsNull() {
			mk := crmio.MatchKey(v)
			dst = append(dst, item{field: name, key: mk, sort: sortKey(v, mk)})
		}
		return dst
	}
	for pos, it := range v.List() {
		mk := crmio.MatchKey(it.Value)
		dst = append(dst, item{field: name, pos: pos, key: mk, sort: sortKey(it.Value, mk)})
	}
	return dst
}

// sortKey returns storage.SortKey(v), given v's match key mk, which is
// then not computed twice (see sqlstore.AppendSortKey).
func sortKey(v crmio.Value, mk string) string {
	var buf [64]byte
	return string(sqlstore.AppendSortKey(buf[:0], v, mk))
}
