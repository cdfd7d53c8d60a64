package postgres

import (
	"fmt"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage/internal/valuecodec"
)

// decodeValues parses what valuecodec.AppendValues wrote.
func decodeValues(data []byte) (map[string]crmio.Value, error) {
	values, err := valuecodec.DecodeValues(data)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return values, nil
}
