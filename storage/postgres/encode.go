package postgres

import (
	"fmt"
	"github.com/crmio/crmio/storage/internal/valuecodec"
	"strconv"

	"github.com/crmio/crmio"
)

// decodeValues parses what valuecodec.AppendValues wrote.
func decodeValues(data []byte) (map[string]crmio.Value, error) {
	values, err := valuecodec.DecodeValues(data)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return values, nil
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
