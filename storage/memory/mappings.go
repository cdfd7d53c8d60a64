package memory

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"
	"weak"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Check that Store remembers mappings.
var _ storage.MappingMemory = (*Store)(nil)

// A Store's remembered mappings live beside it rather than in its state:
// they are not records, take no part in Atomic (a mapping is remembered
// once an import has run, outside its batches), and go when the Store is
// collected.
var mappingMemories struct {
	mu sync.Mutex
	m  map[weak.Pointer[Store]]map[mappingKey]storage.RememberedMapping
}

type mappingKey struct{ module, fingerprint string }

// mappingsOf returns s's remembered mappings, with mappingMemories.mu held.
func mappingsOf(s *Store) map[mappingKey]storage.RememberedMapping {
	if mappingMemories.m == nil {
		mappingMemories.m = map[weak.Pointer[Store]]map[mappingKey]storage.RememberedMapping{}
	}
	key := weak.Make(s)
	mm := mappingMemories.m[key]
	if mm == nil {
		mm = map[mappingKey]storage.RememberedMapping{}
		mappingMemories.m[key] = mm
		runtime.AddCleanup(s, func(key weak.Pointer[Store]) {
			mappingMemories.mu.Lock()
			delete(mappingMemories.m, key)
			mappingMemories.mu.Unlock()
		}, key)
	}
	return mm
}

// RememberMapping implements storage.MappingMemory.
func (s *Store) RememberMapping(ctx context.Context, m storage.RememberedMapping) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := storage.CheckRememberedMapping(m); err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	if m.Remembered.IsZero() {
		m.Remembered = time.Now()
	}
	m.Remembered = m.Remembered.Truncate(time.Microsecond)
	m.Mapping = bytes.Clone(m.Mapping)
	mappingMemories.mu.Lock()
	defer mappingMemories.mu.Unlock()
	mappingsOf(s)[mappingKey{m.Module, m.Fingerprint}] = m
	return nil
}

// RecallMapping implements storage.MappingMemory.
func (s *Store) RecallMapping(ctx context.Context, module, fingerprint string) (storage.RememberedMapping, error) {
	if err := ctx.Err(); err != nil {
		return storage.RememberedMapping{}, err
	}
	mappingMemories.mu.Lock()
	m, ok := mappingsOf(s)[mappingKey{module, fingerprint}]
	mappingMemories.mu.Unlock()
	if !ok {
		return storage.RememberedMapping{}, fmt.Errorf("memory: no mapping remembered for module %q and this header: %w", module, crmio.ErrNotFound)
	}
	m.Mapping = bytes.Clone(m.Mapping)
	return m, nil
}

// ForgetMapping implements storage.MappingMemory.
func (s *Store) ForgetMapping(ctx context.Context, module, fingerprint string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	mappingMemories.mu.Lock()
	defer mappingMemories.mu.Unlock()
	delete(mappingsOf(s), mappingKey{module, fingerprint})
	return nil
}
