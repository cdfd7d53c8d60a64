package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// accountsModule is the second module the mapping memory checks use.
const accountsModule = "accounts"

func needsMappingMemory(s storage.Store) string {
	if _, ok := s.(storage.MappingMemory); ok {
		return ""
	}
	return "storage.MappingMemory"
}

// checkMappingMemory checks storage.MappingMemory: a mapping comes back
// byte for byte, per module and fingerprint, the next replaces it, Forget
// forgets it, and what cannot be kept is refused.
func checkMappingMemory(c *checker, s storage.Store) {
	mm := s.(storage.MappingMemory)
	const fp = "3f2a9c…"
	recall := func(check, module, fingerprint string) (storage.RememberedMapping, bool) {
		m, err := mm.RecallMapping(c.ctx, module, fingerprint)
		switch {
		case errors.Is(err, crmio.ErrNotFound):
			return m, false
		case err != nil:
			c.fatalf(check, "RecallMapping(%q, %q): %v", module, fingerprint, err)
		}
		if m.Module != module || m.Fingerprint != fingerprint {
			c.errorf(check, "RecallMapping(%q, %q) returned the mapping of %q, %q", module, fingerprint, m.Module, m.Fingerprint)
		}
		return m, true
	}
	remember := func(check string, m storage.RememberedMapping) {
		if err := mm.RememberMapping(c.ctx, m); err != nil {
			c.fatalf(check, "RememberMapping(%q, %q): %v", m.Module, m.Fingerprint, err)
		}
	}
	same := func(check string, got, want storage.RememberedMapping) {
		if !bytes.Equal(got.Mapping, want.Mapping) {
			c.errorf(check, "the mapping is %q, want the bytes given: %q", got.Mapping, want.Mapping)
		}
		if got.JobID != want.JobID {
			c.errorf(check, "JobID is %q, want %q", got.JobID, want.JobID)
		}
		if !got.Remembered.Equal(want.Remembered) {
			c.errorf(check, "Remembered is %v, want %v", got.Remembered, want.Remembered)
		}
	}

	if _, ok := recall("nothing remembered", people, fp); ok {
		c.errorf("nothing remembered", "RecallMapping of an empty store found a mapping, want an error wrapping crmio.ErrNotFound")
	}

	// Byte for byte, with the time to the microsecond in another zone.
	first := storage.RememberedMapping{
		Module:      people,
		Fingerprint: fp,
		Mapping:     json.RawMessage(`{"columns": [{"column": 0, "header": "Prénom", "field": "first_name"}],  "z": 1}`),
		JobID:       "job-17",
		Remembered:  jobTime(0),
	}
	remember("remember", first)
	if got, ok := recall("remember", people, fp); !ok {
		c.errorf("remember", "RecallMapping found nothing after RememberMapping")
	} else {
		same("remember", got, first)
	}

	// The next mapping for the same header replaces it; other modules and
	// headers keep theirs.
	other := storage.RememberedMapping{Module: accountsModule, Fingerprint: fp, Mapping: json.RawMessage(`{"columns":[]}`), Remembered: jobTime(time.Hour)}
	remember("per module", other)
	second := first
	second.Mapping = json.RawMessage(`{"columns":[{"column":1,"field":"last_name"}]}`)
	second.JobID = "job-18"
	second.Remembered = jobTime(2 * time.Hour)
	remember("replace", second)
	if got, ok := recall("replace", people, fp); ok {
		same("replace", got, second)
	} else {
		c.errorf("replace", "the replaced mapping is gone")
	}
	if got, ok := recall("per module", accountsModule, fp); ok {
		same("per module", got, other)
	} else {
		c.errorf("per module", "the mapping of module %q is gone after one of %q was remembered", accountsModule, people)
	}
	if _, ok := recall("per fingerprint", people, fp+"x"); ok {
		c.errorf("per fingerprint", "RecallMapping of another fingerprint found a mapping")
	}

	// No time given: the time of the call.
	before := time.Now().Add(-time.Minute)
	noTime := storage.RememberedMapping{Module: people, Fingerprint: "no-time", Mapping: json.RawMessage(`{}`)}
	remember("zero time", noTime)
	if got, ok := recall("zero time", people, "no-time"); ok {
		if got.Remembered.Before(before) || got.Remembered.After(time.Now().Add(time.Minute)) {
			c.errorf("zero time", "a mapping remembered with no time has Remembered %v, want about now", got.Remembered)
		}
		if got.JobID != "" {
			c.errorf("zero time", "JobID is %q, want empty", got.JobID)
		}
	}

	// Names and fingerprints are text, compared exactly.
	long := strings.Repeat("f", storage.MaxFingerprintLen)
	odd := storage.RememberedMapping{Module: "Kontakte ü", Fingerprint: long, Mapping: json.RawMessage(`{"a":"ü"}`), Remembered: jobTime(3 * time.Hour)}
	remember("any text", odd)
	if got, ok := recall("any text", odd.Module, odd.Fingerprint); ok {
		same("any text", got, odd)
	} else {
		c.errorf("any text", "no mapping for module %q and a fingerprint of %d bytes", odd.Module, len(long))
	}
	if _, ok := recall("exact", "kontakte ü", odd.Fingerprint); ok {
		c.errorf("exact", "module names are compared ignoring case")
	}

	// What cannot be kept is refused, and changes nothing.
	for _, bad := range []storage.RememberedMapping{
		{Fingerprint: fp, Mapping: json.RawMessage(`{}`)},
		{Module: people, Mapping: json.RawMessage(`{}`)},
		{Module: people, Fingerprint: long + "f", Mapping: json.RawMessage(`{}`)},
		{Module: people, Fingerprint: fp, Mapping: json.RawMessage(`[1, 2]`)},
		{Module: people, Fingerprint: fp, Mapping: json.RawMessage(`{"columns": `)},
		{Module: people, Fingerprint: fp},
	} {
		err := mm.RememberMapping(c.ctx, bad)
		if !errors.Is(err, storage.ErrInvalidMapping) {
			c.errorf("invalid", "RememberMapping(module %q, fingerprint of %d bytes, mapping %q) = %v, want an error wrapping storage.ErrInvalidMapping",
				bad.Module, len(bad.Fingerprint), bad.Mapping, err)
		}
	}
	if got, ok := recall("invalid", people, fp); ok {
		same("invalid changes nothing", got, second)
	}

	// Forget.
	if err := mm.ForgetMapping(c.ctx, people, fp); err != nil {
		c.errorf("forget", "ForgetMapping: %v", err)
	}
	if _, ok := recall("forget", people, fp); ok {
		c.errorf("forget", "RecallMapping found a forgotten mapping")
	}
	if _, ok := recall("forget", accountsModule, fp); !ok {
		c.errorf("forget", "ForgetMapping of %q forgot the mapping of %q too", people, accountsModule)
	}
	if err := mm.ForgetMapping(c.ctx, people, fp); err != nil {
		c.errorf("forget", "ForgetMapping of a mapping not remembered: %v, want nil", err)
	}

	// From several goroutines at once.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := storage.RememberedMapping{Module: people, Fingerprint: fmt.Sprintf("concurrent-%d", i),
				Mapping: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), Remembered: jobTime(time.Duration(i) * time.Second)}
			if err := mm.RememberMapping(c.ctx, m); err != nil {
				c.errorf("concurrent", "RememberMapping from goroutine %d: %v", i, err)
			}
		}()
	}
	c.within("concurrent", wg.Wait)
	for i := range 8 {
		if got, ok := recall("concurrent", people, fmt.Sprintf("concurrent-%d", i)); !ok || string(got.Mapping) != fmt.Sprintf(`{"n":%d}`, i) {
			c.errorf("concurrent", "the mapping remembered by goroutine %d is %q (found: %v)", i, got.Mapping, ok)
		}
	}

	// A cancelled context stops each call.
	ctx, cancel := context.WithCancel(c.ctx)
	cancel()
	if err := mm.RememberMapping(ctx, first); err == nil {
		c.errorf("cancelled", "RememberMapping with a cancelled context succeeded")
	}
	if _, err := mm.RecallMapping(ctx, accountsModule, fp); err == nil {
		c.errorf("cancelled", "RecallMapping with a cancelled context succeeded")
	}
}
