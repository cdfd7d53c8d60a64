package crmio

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestModuleValidate(t *testing.T) {
	m := Module{
		Name: "people",
		Key:  "address",
		Fields: []Field{
			{Name: "email", Type: TypeEmail},
			{Name: "Email", Type: TypeText},
			{Name: "status", Type: TypeChoice},
			{Name: "account", Type: TypeReference},
			{Name: "phone", Type: TypePhone, Multi: true, Labels: []string{"mobile"}},
			{Name: "address", Type: TypeAddress},
			{Name: "age", Type: TypeNumber, Multi: true},
			{Name: "title", Type: TypeText, Labels: []string{"x"}},
			{Name: "colour", Type: "colour"},
			{Name: "", Type: TypeText},
		},
	}
	err := m.Validate()
	if !errors.Is(err, ErrInvalidDefinition) {
		t.Fatalf("Validate = %v, want ErrInvalidDefinition", err)
	}
	msg := err.Error()
	for _, want := range []string{
		`field "Email": the name is used by another field`,
		`field "status": a choice field needs choices`,
		`field "account": a reference field needs a target module`,
		`field "age": a number field cannot hold several values`,
		`field "title": labels are for multi-value fields`,
		`field "colour": unknown type "colour"`,
		`field "#10": the field has no name`,
		`field "address": a key field must hold text-like values`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("Validate does not say %q; it says:\n%s", want, msg)
		}
	}
	var de *DefinitionError
	if !errors.As(err, &de) || de.Module != "people" {
		t.Errorf("errors.As DefinitionError = %+v", de)
	}
}

func TestModuleListFields(t *testing.T) {
	m := Module{
		Name: "people",
		Fields: []Field{
			{Name: "first_name", Type: TypeText}, {Name: "last_name", Type: TypeText},
			{Name: "email", Type: TypeEmail}, {Name: "notes", Type: TypeText},
		},
		ListFields: []string{"last_name", "email"},
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	fields, first := m.ListOrder()
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "last_name,email,first_name,notes" || first != 2 {
		t.Errorf("ListOrder = %s, %d", got, first)
	}

	m.ListFields = nil
	if fields, first := m.ListOrder(); len(fields) != 4 || fields[0].Name != "first_name" || first != 0 {
		t.Errorf("ListOrder without list fields = %d fields, first %d", len(fields), first)
	}

	m.ListFields = []string{"email", "nickname", "email"}
	err := m.Validate()
	if !errors.Is(err, ErrInvalidDefinition) {
		t.Fatalf("Validate = %v", err)
	}
	for _, want := range []string{`the list field "nickname" names no field`, `field "email": the field is listed twice in list_fields`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate does not say %q: %v", want, err)
		}
	}

	var back Module
	if err := json.Unmarshal([]byte(`{"name":"p","fields":[{"name":"a","type":"text"}],"list_fields":["a"]}`), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.ListFields) != 1 || back.ListFields[0] != "a" {
		t.Errorf("list_fields from JSON: %q", back.ListFields)
	}
	data, _ := json.Marshal(back)
	if !strings.Contains(string(data), `"list_fields":["a"]`) {
		t.Errorf("JSON form %s", data)
	}
}

func TestSchemaValidate(t *testing.T) {
	s := Schema{Modules: []Module{
		{Name: "accounts", Fields: []Field{{Name: "name", Type: TypeText}}},
		{Name: "people", Fields: []Field{
			{Name: "account", Type: TypeReference, Ref: "accounts"},
			{Name: "owner", Type: TypeReference, Ref: "users"},
		}},
	}}
	err := s.Validate()
	if err == nil || !strings.Contains(err.Error(), `target module "accounts" has no key field`) || !strings.Contains(err.Error(), `target module "users" is not in the schema`) {
		t.Fatalf("Validate = %v", err)
	}
	s.Modules[0].Key = "name"
	s.Modules[1].Fields = s.Modules[1].Fields[:1]
	if err := s.Validate(); err != nil {
		t.Fatalf("valid schema: %v", err)
	}
}

func TestSchemaJSON(t *testing.T) {
	const in = `{"modules":[{"name":"people","key":"email","fields":[
		{"name":"email","type":"email"},
		{"name":"status","type":"choice","choices":["new",{"value":"won","label":"Closed won"}]}]}]}`
	var s Schema
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	f := s.Module("people").Field("status")
	if c, ok := f.Choice("CLOSED WON"); !ok || c.Value != "won" {
		t.Errorf("Choice by label = %+v, %v", c, ok)
	}
	if c, ok := f.Choice("New"); !ok || c.Display() != "new" {
		t.Errorf("Choice by value = %+v, %v", c, ok)
	}
}

func TestColumnName(t *testing.T) {
	phone := &Field{Name: "phone", Type: TypePhone, Multi: true}
	addr := &Field{Name: "address", Label: "Address", Type: TypeAddress, Multi: true}
	first := &Field{Name: "first_name", Type: TypeText}
	for _, tt := range []struct {
		got, want string
	}{
		{ColumnName(first, "", ""), "First name"},
		{ColumnName(phone, "mobile", ""), "Phone (Mobile)"},
		{ColumnName(addr, "work", PartCity), "Address (Work) - City"},
		{ColumnName(addr, "", PartZip), "Address - Zip"},
	} {
		if tt.got != tt.want {
			t.Errorf("ColumnName = %q, want %q", tt.got, tt.want)
		}
	}
}

func TestRowErrorMessages(t *testing.T) {
	e := &RowError{Row: 12, Column: "E-mail", Field: "email", Value: "bob@", Reason: `"bob@" is not an email address`, Err: ErrInvalidValue}
	if got := e.Error(); got != `row 12, column "E-mail": "bob@" is not an email address` {
		t.Errorf("Error = %q", got)
	}
	if !errors.Is(e, ErrInvalidValue) {
		t.Error("RowError should unwrap to its cause")
	}
	w := Warning{Field: "account", Reason: "3 accounts were not found"}
	if got := w.String(); got != `field "account": 3 accounts were not found` {
		t.Errorf("Warning = %q", got)
	}
}
