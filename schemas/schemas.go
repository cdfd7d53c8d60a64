// Package schemas holds ready-made module definitions: the default CRM
// schema crmio's tool and examples use, and one shaped like the Pivor CRM's
// import templates. Use them as they are, or as a starting point for your
// own (crmio.Schema is plain JSON).
package schemas

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/crmio/crmio"
)

//go:embed default.json
var defaultJSON []byte

//go:embed pivor.json
var pivorJSON []byte

// DefaultJSON and PivorJSON return the schemas' JSON text.
func DefaultJSON() []byte { return append([]byte(nil), defaultJSON...) }

// PivorJSON returns the Pivor-shaped schema's JSON text.
func PivorJSON() []byte { return append([]byte(nil), pivorJSON...) }

// Default returns the default CRM schema, a fresh copy each call:
//
//   - accounts: name (required, the reference key), website, phone (work,
//     other), industry, address (billing, shipping);
//   - people: first_name, last_name (required), email (work, home, other),
//     phone (mobile, work, home, other), title, account (→ accounts),
//     address (work, home, other), status (new, contacted, qualified,
//     lost), birthday, created_on, website, notes; referenced by email;
//   - leads: first_name, last_name (required), company, email, phone,
//     status, source, created_on, notes;
//   - tasks: subject (required), type (email, call, meeting, note, task),
//     status (pending, completed, cancelled), due_at, person (→ people),
//     account (→ accounts), notes.
//
// Each module names its list fields (crmio.Module.ListFields), the columns
// a printed report shows first: a person's name, email, phone, account
// and title; an account's name, phone, website and industry.
func Default() *crmio.Schema { return mustParse("default", defaultJSON) }

// Pivor returns a schema shaped like the Pivor CRM's import templates:
// clients (referenced by name), contacts (referenced by "first last") and
// communications.
func Pivor() *crmio.Schema { return mustParse("pivor", pivorJSON) }

// Parse reads a schema from JSON and validates it.
func Parse(data []byte) (*crmio.Schema, error) {
	var s crmio.Schema
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("schemas: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func mustParse(name string, data []byte) *crmio.Schema {
	s, err := Parse(data)
	if err != nil {
		panic("schemas: the built-in " + name + " schema is invalid: " + err.Error())
	}
	return s
}
