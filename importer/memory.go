package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

// Mapping memory: the mapping an import ran with is remembered in the
// store (storage.MappingMemory) per module and header fingerprint
// (mapping.HeaderFingerprint), and suggested first for the next file with
// the same header, at High, with the job it came from.
//
//	im, _ := importer.New(store, schema, &importer.Options{Suggester: importer.MemorySuggester(store, nil)})
//	sum, _ := im.Run(ctx, src, plan, nil)          // an import with a mapping the user reviewed
//	_ = importer.RememberMapping(ctx, store, sum)  // the next file from that source maps the same way

// MemorySuggester returns a Suggester that suggests what store remembers
// for a file's header first (mapping.Remembered), then next's suggestions
// for the columns the remembered mapping leaves (nil next: the built-in
// suggester). For a store without storage.MappingMemory it is next.
func MemorySuggester(store storage.Store, next mapping.Suggester) mapping.Suggester {
	if next == nil {
		next = mapping.Default
	}
	mm, ok := store.(storage.MappingMemory)
	if !ok {
		return next
	}
	recall := func(ctx context.Context, module, fingerprint string) (mapping.Recollection, bool, error) {
		rm, err := mm.RecallMapping(ctx, module, fingerprint)
		if errors.Is(err, crmio.ErrNotFound) {
			return mapping.Recollection{}, false, nil
		}
		if err != nil {
			return mapping.Recollection{}, false, err
		}
		var mp mapping.Mapping
		if err := json.Unmarshal(rm.Mapping, &mp); err != nil {
			return mapping.Recollection{}, false, fmt.Errorf("importer: the remembered mapping of job %q: %w", rm.JobID, err)
		}
		return mapping.Recollection{Mapping: mp, Job: rm.JobID, At: rm.Remembered}, true, nil
	}
	return mapping.Chain(mapping.Remembered(recall), next)
}

// RememberMapping remembers the mapping sum's import ran with, for the
// next file with the same header in the same module. Call it after an
// import whose mapping the user gave or reviewed: an import that took the
// suggestions as they came would make its guesses sure ones next time. A
// dry run, or an import that failed before reading its header, is not
// remembered. It returns an error wrapping crmio.ErrNotSupported for a
// store without storage.MappingMemory.
func RememberMapping(ctx context.Context, store storage.Store, sum *Summary) error {
	mm, ok := store.(storage.MappingMemory)
	if !ok {
		return fmt.Errorf("importer: remembering the mapping: %w", crmio.ErrNotSupported)
	}
	if sum == nil || sum.DryRun || len(sum.Header) == 0 || len(sum.Mapping.Columns) == 0 {
		return nil
	}
	data, err := json.Marshal(sum.Mapping)
	if err != nil {
		return err
	}
	return mm.RememberMapping(ctx, storage.RememberedMapping{
		Module:      sum.Module,
		Fingerprint: mapping.HeaderFingerprint(sum.Header),
		Mapping:     data,
		JobID:       sum.JobID,
	})
}
