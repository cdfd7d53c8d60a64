package memory_test

import (
	"testing"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Store { return memory.New() })
}
