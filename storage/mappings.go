package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// MappingMemory is the optional capability of remembering the mapping an
// import ran with, so that the next file from the same source (the same
// header) is mapped as the user left it, without their fixes again: Odoo,
// Flatfile and Nuvo remember too. A mapping is remembered per module and
// header fingerprint; the importer computes the fingerprint
// (mapping.HeaderFingerprint) and keeps the mapping's JSON, which the
// store keeps as bytes, without reading it.
//
// A store that keeps it durably lets a mapping fixed in one process serve
// the next import in another. Without it, every import is suggested from
// scratch (and importer's memory reports crmio.ErrNotSupported).
type MappingMemory interface {
	// RememberMapping keeps m, replacing the mapping remembered for the
	// same Module and Fingerprint, if any. A zero m.Remembered is the
	// time of the call. It fails with an error wrapping ErrInvalidMapping
	// when m has no Module or Fingerprint, or its Mapping is not a JSON
	// object.
	RememberMapping(ctx context.Context, m RememberedMapping) error
	// RecallMapping returns the mapping remembered for module and
	// fingerprint, or an error wrapping crmio.ErrNotFound when there is
	// none.
	RecallMapping(ctx context.Context, module, fingerprint string) (RememberedMapping, error)
	// ForgetMapping forgets the mapping remembered for module and
	// fingerprint; forgetting one that is not there is no error.
	ForgetMapping(ctx context.Context, module, fingerprint string) error
}

// RememberedMapping is a mapping as a MappingMemory keeps it.
type RememberedMapping struct {
	Module string `json:"module"`
	// Fingerprint identifies the header the mapping was made for
	// (mapping.HeaderFingerprint): any text up to MaxFingerprintLen bytes.
	Fingerprint string `json:"fingerprint"`
	// Mapping is the mapping's JSON, opaque to the store: its bytes come
	// back as given.
	Mapping json.RawMessage `json:"mapping"`
	// JobID is the import the mapping ran with, where there was one.
	JobID string `json:"job_id,omitempty"`
	// Remembered is when the mapping was remembered, kept to the
	// microsecond.
	Remembered time.Time `json:"remembered"`
}

// MaxFingerprintLen bounds a RememberedMapping's Fingerprint.
const MaxFingerprintLen = 256

// ErrInvalidMapping is wrapped by the error RememberMapping returns for a
// RememberedMapping it cannot keep.
var ErrInvalidMapping = errors.New("storage: invalid remembered mapping")

// CheckRememberedMapping returns the error RememberMapping should return
// for m, or nil when m can be kept. Adapters call it first.
func CheckRememberedMapping(m RememberedMapping) error {
	switch {
	case m.Module == "":
		return fmt.Errorf("%w: no module", ErrInvalidMapping)
	case m.Fingerprint == "":
		return fmt.Errorf("%w: no header fingerprint", ErrInvalidMapping)
	case len(m.Fingerprint) > MaxFingerprintLen:
		return fmt.Errorf("%w: a fingerprint of %d bytes (at most %d)", ErrInvalidMapping, len(m.Fingerprint), MaxFingerprintLen)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(m.Mapping, &obj); err != nil || obj == nil {
		return fmt.Errorf("%w: the mapping is not a JSON object", ErrInvalidMapping)
	}
	return nil
}
