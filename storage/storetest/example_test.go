package storetest_test

import (
	"fmt"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/storetest"
)

// An adapter's own test calls storetest.Run(t, newStore). Outside a test,
// TestStore returns every failure joined into one error, or nil.
func ExampleTestStore() {
	err := storetest.TestStore(func() (storage.Store, error) {
		return memory.New(), nil
	})
	fmt.Println("memory store conforms:", err == nil)
	// Output:
	// memory store conforms: true
}
