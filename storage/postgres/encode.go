package postgres

import (
	"fmt"

	"github.com/crmio/crmio"
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
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return values, nil
}
