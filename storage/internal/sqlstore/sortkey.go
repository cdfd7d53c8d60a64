package sqlstore

import (
	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// AppendSortKey appends storage.SortKey(v), given v's match key: the sort
// key of a text-like value or a reference is "s" and its match key (see
// storage.SortKey), which a store writing both keys then computes once.
func AppendSortKey(b []byte, v crmio.Value, matchKey string) []byte {
	switch v.Kind() {
	case crmio.KindText, crmio.KindEmail, crmio.KindPhone, crmio.KindURL, crmio.KindRef:
		return append(append(b, 's'), matchKey...)
	}
	return append(b, storage.SortKey(v)...)
}
