package sqlite

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// appendValues appends the JSON object that keeps a record's values:
// field name → the Value's JSON form (crmio.Value.AppendJSON), fields in
// name order so that equal records are stored as equal text. A field
// present with the null Value is kept as null, so that absent and null
// stay apart.
func appendValues(b []byte, values map[string]crmio.Value, names []string) ([]byte, []string) {
	names = sortedFields(values, names[:0])
	b = append(b, '{')
	for i, name := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, name)
		b = append(b, ':')
		b = values[name].AppendJSON(b)
	}
	return append(b, '}'), names
}

// sortedFields appends the field names of values to dst, sorted.
func sortedFields(values map[string]crmio.Value, dst []string) []string {
	for name := range values {
		dst = append(dst, name)
	}
	slices.Sort(dst)
	return dst
}

// decodeValues parses what appendValues wrote.
func decodeValues(data []byte) (map[string]crmio.Value, error) {
	if values, ok := fastDecodeValues(data); ok {
		return values, nil
	}
	values := make(map[string]crmio.Value)
	if err := json.Unmarshal(data, &values); err != nil {
		return nil, fmt.Errorf("sqlite: stored values are not valid: %w", err)
	}
	return values, nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, as encoding/json would.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// item is one row of crmio_items: one value of a field (one per item of a
// list), with the keys that filters, order and Lookup use.
type item struct {
	field string
	pos   int
	key   string // crmio.MatchKey of the value
	sort  string // storage.SortKey of the value; "" when it has none
}

// appendItems appends the items of a record's values, fields in the order
// of names (sorted), the items of a list in order. A null value, or an
// empty list, has no item: to a filter it is as absent as a missing field.
func appendItems(dst []item, values map[string]crmio.Value, names []string) []item {
	for _, name := range names {
		v := values[name]
		if v.Kind() != crmio.KindList {
			if !v.IsNull() {
				mk := crmio.MatchKey(v)
				dst = append(dst, item{field: name, key: mk, sort: sortKey(v, mk)})
			}
			continue
		}
		for pos, it := range v.List() {
			mk := crmio.MatchKey(it.Value)
			dst = append(dst, item{field: name, pos: pos, key: mk, sort: sortKey(it.Value, mk)})
		}
	}
	return dst
}

// sortKey returns storage.SortKey(v), given v's match key mk: the sort key
// of a text-like value or a reference is "s" and its match key (see
// storage.SortKey), which is then not computed twice.
func sortKey(v crmio.Value, mk string) string {
	switch v.Kind() {
	case crmio.KindText, crmio.KindEmail, crmio.KindPhone, crmio.KindURL, crmio.KindRef:
		return "s" + mk
	}
	return storage.SortKey(v)
}

// parseID returns the row id of a record id, and false for a string that
// is not an id this store could have made (the canonical decimal form of a
// positive integer), so that "007" never finds record 7.
func parseID(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return 0, false
	}
	return n, true
}

func formatID(n int64) string { return strconv.FormatInt(n, 10) }
