package crmio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// FieldType is the type of a Field. It decides how imported text is coerced
// and validated, and which Kind of Value the field holds.
type FieldType string

// The field types.
const (
	TypeText      FieldType = "text"
	TypeEmail     FieldType = "email"
	TypePhone     FieldType = "phone"
	TypeURL       FieldType = "url"
	TypeNumber    FieldType = "number"
	TypeBool      FieldType = "bool"
	TypeDate      FieldType = "date"
	TypeDateTime  FieldType = "datetime"
	TypeChoice    FieldType = "choice"
	TypeReference FieldType = "reference"
	TypeAddress   FieldType = "address"
)

// FieldTypes lists every FieldType.
var FieldTypes = []FieldType{TypeText, TypeEmail, TypePhone, TypeURL, TypeNumber, TypeBool,
	TypeDate, TypeDateTime, TypeChoice, TypeReference, TypeAddress}

// Kind returns the Kind of the values a field of type t holds (of each item,
// for a multi-value field), or KindNull for an unknown type.
func (t FieldType) Kind() Kind {
	switch t {
	case TypeText, TypeChoice:
		return KindText
	case TypeEmail:
		return KindEmail
	case TypePhone:
		return KindPhone
	case TypeURL:
		return KindURL
	case TypeNumber:
		return KindNumber
	case TypeBool:
		return KindBool
	case TypeDate:
		return KindDate
	case TypeDateTime:
		return KindDateTime
	case TypeReference:
		return KindRef
	case TypeAddress:
		return KindAddress
	}
	return KindNull
}

// multiTypes are the field types that may hold several labelled values.
var multiTypes = map[FieldType]bool{TypeEmail: true, TypePhone: true, TypeAddress: true, TypeURL: true, TypeText: true}

// Choice is one allowed value of a choice field. In JSON a choice may be
// written as a plain string, which is both its value and its label.
type Choice struct {
	Value string `json:"value"`
	Label string `json:"label,omitempty"`
}

// UnmarshalJSON accepts "new" as well as {"value":"new","label":"New"}.
func (c *Choice) UnmarshalJSON(data []byte) error {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '"' {
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return err
		}
		*c = Choice{Value: s}
		return nil
	}
	type plain Choice
	return json.Unmarshal(data, (*plain)(c))
}

// Display returns the label, or the value when there is no label.
func (c Choice) Display() string {
	if c.Label != "" {
		return c.Label
	}
	return c.Value
}

// Field describes one field of a Module.
type Field struct {
	// Name identifies the field in records and mappings ("first_name").
	Name string `json:"name"`
	// Label is what a person reads ("First name"); defaults to a form of Name.
	Label string    `json:"label,omitempty"`
	Type  FieldType `json:"type"`
	// Required fields must have a value in every imported row.
	Required bool `json:"required,omitempty"`
	// Multi fields hold a List of labelled values (phone, email, address).
	Multi bool `json:"multi,omitempty"`
	// Labels are the labels a Multi field's values may carry ("mobile",
	// "work", "home"). Empty means any label.
	Labels []string `json:"labels,omitempty"`
	// Choices are the allowed values of a choice field.
	Choices []Choice `json:"choices,omitempty"`
	// Ref names the module a reference field points to.
	Ref string `json:"ref,omitempty"`
	// Aliases are other column names that mean this field ("E-mail", "Mail").
	Aliases []string `json:"aliases,omitempty"`
}

// DisplayLabel returns the field's Label, or its Name made readable
// ("first_name" → "First name").
func (f *Field) DisplayLabel() string {
	if f.Label != "" {
		return f.Label
	}
	s := strings.ReplaceAll(f.Name, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Choice returns the choice whose value or label equals s, ignoring case.
func (f *Field) Choice(s string) (Choice, bool) {
	for _, c := range f.Choices {
		if strings.EqualFold(c.Value, s) || (c.Label != "" && strings.EqualFold(c.Label, s)) {
			return c, true
		}
	}
	return Choice{}, false
}

// HasLabel reports whether label is allowed on the multi-value field f
// (any label is, when f.Labels is empty). Case is ignored.
func (f *Field) HasLabel(label string) bool {
	if len(f.Labels) == 0 {
		return true
	}
	for _, l := range f.Labels {
		if strings.EqualFold(l, label) {
			return true
		}
	}
	return false
}

// Module describes a CRM module: people, accounts, leads, tasks or any
// custom one.
type Module struct {
	Name   string  `json:"name"`
	Label  string  `json:"label,omitempty"`
	Fields []Field `json:"fields"`
	// Key is the field that references to this module resolve by (an
	// account's "name", a person's "email": a multi-value key resolves on
	// any of its values), or several joined by "+" ("first_name+last_name":
	// a reference then names the record by its field values joined with
	// spaces, "Ada Lovelace"). Optional; required for a module that is the
	// target of a reference field.
	Key string `json:"key,omitempty"`
	// ListFields name the fields a person reads first, in the order a list
	// of records shows them: a person's name, email, phone and company,
	// not every field the module has. A printed report of the module
	// shows them first, then other fields while they fit the page; the
	// first of them is what names a record when a wide report repeats it.
	// Optional: nil means the module's fields in their order.
	ListFields []string `json:"list_fields,omitempty"`
}

// ListOrder returns the module's fields in the order a list of records
// shows them: ListFields first, then the others in module order. first is
// how many of them are ListFields (0 when the module names none).
func (m *Module) ListOrder() (fields []*Field, first int) {
	fields = make([]*Field, 0, len(m.Fields))
	listed := make(map[string]bool, len(m.ListFields))
	for _, name := range m.ListFields {
		if f := m.Field(name); f != nil && !listed[name] {
			listed[name] = true
			fields = append(fields, f)
		}
	}
	first = len(fields)
	for i := range m.Fields {
		if !listed[m.Fields[i].Name] {
			fields = append(fields, &m.Fields[i])
		}
	}
	return fields, first
}

// KeyFields returns the fields of the module's Key, in order: one, or
// several for a composite key.
func (m *Module) KeyFields() []string {
	if m.Key == "" {
		return nil
	}
	parts := strings.Split(m.Key, "+")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// Field returns the field named name, or nil.
func (m *Module) Field(name string) *Field {
	for i := range m.Fields {
		if m.Fields[i].Name == name {
			return &m.Fields[i]
		}
	}
	return nil
}

// DefinitionError describes what is wrong with a module definition.
type DefinitionError struct {
	Module  string
	Field   string // empty when the problem is the module's own
	Problem string
}

func (e *DefinitionError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("module %q, field %q: %s", e.Module, e.Field, e.Problem)
	}
	return fmt.Sprintf("module %q: %s", e.Module, e.Problem)
}

// Unwrap lets errors.Is(err, ErrInvalidDefinition) match.
func (e *DefinitionError) Unwrap() error { return ErrInvalidDefinition }

// Validate checks the module's own definition and reports every problem
// (joined with errors.Join, each a *DefinitionError): a missing name,
// duplicate field names, an unknown type, a choice field without choices, a
// reference without a target, labels on a single-value field, a Key that
// names no suitable field, ListFields that name no field or one twice. It
// does not check that reference targets exist; Schema.Validate does.
func (m *Module) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &DefinitionError{Module: m.Name, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(m.Name) == "" {
		bad("", "the module has no name")
	}
	if len(m.Fields) == 0 {
		bad("", "the module has no fields")
	}
	seen := map[string]bool{}
	for i := range m.Fields {
		f := &m.Fields[i]
		name := f.Name
		switch {
		case strings.TrimSpace(name) == "":
			bad(fmt.Sprintf("#%d", i+1), "the field has no name")
		case seen[strings.ToLower(name)]:
			bad(name, "the name is used by another field")
		case strings.EqualFold(name, "id"):
			bad(name, `"id" is reserved for the record id`)
		}
		seen[strings.ToLower(name)] = true
		if f.Type.Kind() == KindNull {
			bad(name, "unknown type %q (want one of %v)", f.Type, FieldTypes)
		}
		if f.Type == TypeChoice && len(f.Choices) == 0 {
			bad(name, "a choice field needs choices")
		}
		if f.Type != TypeChoice && len(f.Choices) > 0 {
			bad(name, "only a choice field may have choices")
		}
		choiceSeen := map[string]bool{}
		for _, c := range f.Choices {
			if c.Value == "" {
				bad(name, "a choice has an empty value")
			} else if choiceSeen[strings.ToLower(c.Value)] {
				bad(name, "choice %q is listed twice", c.Value)
			}
			choiceSeen[strings.ToLower(c.Value)] = true
		}
		if f.Type == TypeReference && f.Ref == "" {
			bad(name, "a reference field needs a target module (ref)")
		}
		if f.Type != TypeReference && f.Ref != "" {
			bad(name, "only a reference field may have a target module")
		}
		if f.Multi && !multiTypes[f.Type] {
			bad(name, "a %s field cannot hold several values", f.Type)
		}
		if !f.Multi && len(f.Labels) > 0 {
			bad(name, "labels are for multi-value fields")
		}
	}
	for _, k := range m.KeyFields() {
		switch f := m.Field(k); {
		case f == nil:
			bad("", "the key %q names no field %q", m.Key, k)
		case f.Type == TypeAddress || f.Type == TypeReference || f.Type.Kind() == KindNull:
			bad(k, "a key field must hold text-like values (text, email, phone, URL, choice)")
		case len(m.KeyFields()) > 1 && f.Multi:
			bad(k, "a field of a composite key must hold one value")
		}
	}
	listed := map[string]bool{}
	for _, name := range m.ListFields {
		switch {
		case m.Field(name) == nil:
			bad("", "the list field %q names no field", name)
		case listed[name]:
			bad(name, "the field is listed twice in list_fields")
		}
		listed[name] = true
	}
	return errors.Join(errs...)
}

// Schema is the set of modules a CRM defines. It is what the import
// pipeline resolves references against.
type Schema struct {
	Modules []Module `json:"modules"`
}

// Module returns the module named name, or nil.
func (s *Schema) Module(name string) *Module {
	for i := range s.Modules {
		if s.Modules[i].Name == name {
			return &s.Modules[i]
		}
	}
	return nil
}

// Validate checks every module and the links between them: module names are
// unique and every reference targets a module of the schema that has a Key.
func (s *Schema) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for i := range s.Modules {
		m := &s.Modules[i]
		if err := m.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[m.Name] {
			errs = append(errs, &DefinitionError{Module: m.Name, Problem: "another module has the same name"})
		}
		seen[m.Name] = true
	}
	for i := range s.Modules {
		m := &s.Modules[i]
		for _, f := range m.Fields {
			if f.Type != TypeReference || f.Ref == "" {
				continue
			}
			switch t := s.Module(f.Ref); {
			case t == nil:
				errs = append(errs, &DefinitionError{Module: m.Name, Field: f.Name, Problem: fmt.Sprintf("the target module %q is not in the schema", f.Ref)})
			case t.Key == "":
				errs = append(errs, &DefinitionError{Module: m.Name, Field: f.Name, Problem: fmt.Sprintf("the target module %q has no key field to resolve references by", f.Ref)})
			}
		}
	}
	return errors.Join(errs...)
}
