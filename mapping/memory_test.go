package mapping

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio/schemas"
)

func TestHeaderFingerprint(t *testing.T) {
	base := HeaderFingerprint([]string{"First Name", "E-Mail", "Téléphone (bureau)"})
	for _, same := range [][]string{
		{"first_name", "email", "telephone bureau"},
		{"\ufeffFIRST NAME ", "E-mail", "Telephone (Bureau)"},
	} {
		if got := HeaderFingerprint(same); got != base {
			t.Errorf("%q: %s, want %s", same, got, base)
		}
	}
	for _, other := range [][]string{
		{"E-Mail", "First Name", "Téléphone (bureau)"},
		{"First Name", "E-Mail"},
		{"First Name", "E-Mail", "Téléphone (bureau)", ""},
		{"First Name", "E-Mail 2", "Téléphone (bureau)"},
	} {
		if got := HeaderFingerprint(other); got == base {
			t.Errorf("%q has the fingerprint of another header", other)
		}
	}
	if !strings.HasPrefix(base, "h1:") || len(base) != 3+32 {
		t.Errorf("fingerprint %q: want h1: and 32 hex digits", base)
	}
	// The fingerprint is stable across versions: it is part of what
	// stores keep.
	if got := HeaderFingerprint([]string{"Name", "Email"}); got != "h1:21b1192e9fe87c671a0176094fdd718a" {
		t.Errorf("HeaderFingerprint(Name, Email) = %s: the fingerprints stores keep changed", got)
	}
}

func TestRemembered(t *testing.T) {
	m := schemas.Default().Module("people")
	header := []string{"Kdnr", "Vorname", "Nachname", "Handy", "Notiz"}
	var asked string
	at := time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)
	recall := func(ctx context.Context, module, fp string) (Recollection, bool, error) {
		asked = module + " " + fp
		if fp != HeaderFingerprint(header) {
			return Recollection{}, false, nil
		}
		return Recollection{Job: "42", At: at, Mapping: Mapping{Columns: []ColumnMapping{
			// The user mapped the customer number to the notes, and the
			// first name column holds whole names in this source.
			{Column: 0, Header: "Kdnr", Target: Target{Field: "notes"}},
			{Column: 1, Header: "Vorname", Target: Target{Field: "first_name", Family: "last_name", Role: RoleWholeName}},
			{Column: 3, Header: "Handy", Target: Target{Field: "no_such_field"}},
		}}}, true, nil
	}
	got, err := Chain(Remembered(recall), Default).Suggest(context.Background(), Input{Header: header, Module: m})
	if err != nil {
		t.Fatal(err)
	}
	if asked != "people "+HeaderFingerprint(header) {
		t.Errorf("recall asked for %q", asked)
	}
	want := []struct {
		target Target
		conf   Confidence
		reason string
	}{
		{Target{Field: "notes"}, High, "remembered: import 42 of 2026-03-04 10:30 mapped this header's 'Kdnr' to Notes"},
		{Target{Field: "first_name", Family: "last_name", Role: RoleWholeName}, High, "remembered"},
		// Last name is the whole name's: the built-in suggester may not
		// take it for another column.
		{Target{}, None, ""},
		// A remembered field the module lost is left to the next suggester.
		{Target{Field: "phone", Label: "mobile"}, High, "known name"},
		{Target{}, None, ""},
	}
	for i, w := range want {
		s := got[i]
		if s.Target != w.target || s.Confidence != w.conf || !strings.Contains(s.Reason, w.reason) {
			t.Errorf("%q → %s (%s, %q), want %s (%s, %q)", header[i], s.Target, s.Confidence, s.Reason, w.target, w.conf, w.reason)
		}
	}
	// Another header: the built-in suggester alone.
	other := []string{"Vorname", "Nachname"}
	got, err = Chain(Remembered(recall), Default).Suggest(context.Background(), Input{Header: other, Module: m})
	if err != nil || got[0].Target.Field != "first_name" || strings.Contains(got[0].Reason, "remembered") {
		t.Errorf("another header: %+v, %v", got, err)
	}
	// A failing memory does not fail the chain.
	failing := func(ctx context.Context, module, fp string) (Recollection, bool, error) {
		return Recollection{}, false, errors.New("store down")
	}
	got, err = Chain(Remembered(failing), Default).Suggest(context.Background(), Input{Header: header, Module: m})
	if err == nil || !strings.Contains(err.Error(), "store down") || got[1].Target.Field != "first_name" {
		t.Errorf("failing memory: %+v, %v", got, err)
	}
}
