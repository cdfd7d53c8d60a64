package exporter_test

import (
	"bytes"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/formats/csv"
	"github.com/crmio/crmio/schemas"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// checkExample fails when text is not a valid value for column c's field.
func checkExample(t *testing.T, c exporter.TemplateColumn, text string) {
	t.Helper()
	f := c.Field
	bad := func(why string) { t.Errorf("%s: example %q %s", c.Name, text, why) }
	if c.Part != "" {
		if text == "" && c.Part != crmio.PartState {
			bad("is empty")
		}
		return
	}
	switch f.Type {
	case crmio.TypeText, crmio.TypeReference:
		if strings.TrimSpace(text) == "" {
			bad("is empty")
		}
	case crmio.TypeEmail:
		if a, err := mail.ParseAddress(text); err != nil || a.Address != text {
			bad("is not a bare email address")
		}
	case crmio.TypePhone:
		if !e164.MatchString(text) {
			bad("is not E.164")
		}
	case crmio.TypeURL:
		if u, err := url.Parse(text); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("is not an absolute URL")
		}
	case crmio.TypeNumber:
		if _, err := crmio.ParseDecimal(text); err != nil {
			bad(err.Error())
		}
	case crmio.TypeBool:
		if _, err := strconv.ParseBool(text); err != nil {
			bad("is not a boolean")
		}
	case crmio.TypeDate:
		if d, err := crmio.ParseDate(text); err != nil || !d.Valid() {
			bad("is not an ISO date")
		}
	case crmio.TypeDateTime:
		if _, err := time.Parse(time.RFC3339, text); err != nil {
			bad("is not RFC 3339")
		}
	case crmio.TypeChoice:
		if _, ok := f.Choice(text); !ok {
			bad("is not one of the choices")
		}
	default:
		bad("has an unknown type " + string(f.Type))
	}
}

// TestTemplateExamplesValid writes the CSV template of every module of the
// shipped schemas and of the test module, reads it back, and checks the
// header is an export's and every example valid for its field type.
func TestTemplateExamplesValid(t *testing.T) {
	type mod struct {
		schema *crmio.Schema
		m      *crmio.Module
	}
	mods := []mod{{nil, peopleModule()}}
	for _, s := range []*crmio.Schema{schemas.Default(), schemas.Pivor()} {
		for i := range s.Modules {
			mods = append(mods, mod{s, &s.Modules[i]})
		}
	}
	for _, x := range mods {
		t.Run(x.m.Name, func(t *testing.T) {
			var buf bytes.Buffer
			tcols, err := exporter.Template(&buf, x.m, &exporter.TemplateOptions{Schema: x.schema})
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := exporter.Columns(x.m, nil)
			r, err := csv.NewReader(bytes.NewReader(buf.Bytes()), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got, want := strings.Join(r.Header(), "|"), strings.Join(exporter.Names(cols), "|"); got != want {
				t.Errorf("template header\n%s\nis not the export header\n%s", got, want)
			}
			row, err := r.Read()
			if err != nil {
				t.Fatal(err)
			}
			filled := map[string]bool{}
			for i, tc := range tcols {
				text := ""
				if i < len(row.Fields) {
					text = row.Fields[i]
				}
				if text != tc.Example {
					t.Errorf("%s: file holds %q, description says %q", tc.Name, text, tc.Example)
				}
				if tc.Required != tc.Field.Required || tc.Hint == "" {
					t.Errorf("%s: required %v, hint %q", tc.Name, tc.Required, tc.Hint)
				}
				if text != "" {
					filled[tc.Field.Name] = true
					checkExample(t, tc, text)
				}
			}
			for _, f := range x.m.Fields {
				if !filled[f.Name] {
					t.Errorf("field %s has no example", f.Name)
				}
			}
		})
	}
}

func TestTemplateReferenceExample(t *testing.T) {
	s := schemas.Default()
	var buf bytes.Buffer
	tcols, err := exporter.Template(&buf, s.Module("tasks"), &exporter.TemplateOptions{Schema: s, Fields: []string{"person", "account"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tc := range tcols {
		got[tc.Name] = tc.Example
	}
	// People resolve by email, accounts by name; the required subject is
	// added although not asked for.
	if got["Person"] != "ada@example.com" || got["Account"] != "Acme Inc." || got["Subject"] == "" {
		t.Errorf("examples %v", got)
	}
	buf.Reset()
	tcols, _ = exporter.Template(&buf, s.Module("tasks"), &exporter.TemplateOptions{Fields: []string{"account"}, Examples: map[string]string{"account": "Globex"}})
	if tcols[0].Example != "Globex" {
		t.Errorf("Examples override ignored: %+v", tcols[0])
	}
}

func TestTemplateXLSX(t *testing.T) {
	var buf bytes.Buffer
	tcols, err := exporter.Template(&buf, peopleModule(), &exporter.TemplateOptions{Format: exporter.XLSX})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "People|Instructions" {
		t.Fatalf("sheets %q", got)
	}
	for i, tc := range tcols {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		name, _ := f.GetCellValue("People", ref)
		if name != tc.Name {
			t.Errorf("header %s = %q, want %q", ref, name, tc.Name)
		}
		id, _ := f.GetCellStyle("People", ref)
		st, _ := f.GetStyle(id)
		orange := len(st.Fill.Color) > 0 && st.Fill.Color[0] == "F8CBAD"
		if orange != tc.Required {
			t.Errorf("%s: orange header %v, required %v", tc.Name, orange, tc.Required)
		}
		if tc.Field.Type == crmio.TypeDate {
			ref2, _ := excelize.CoordinatesToCellName(i+1, 2)
			raw, _ := f.GetCellValue("People", ref2, excelize.Options{RawCellValue: true})
			shown, _ := f.GetCellValue("People", ref2)
			if raw != "45366" || shown != "2024-03-15" {
				t.Errorf("date example %q shown %q, want a date cell", raw, shown)
			}
		}
	}
	rows, _ := f.GetRows("Instructions")
	if len(rows) != len(tcols)+2 || rows[0][0] != "Column" || rows[2][0] != "Last name" || rows[2][1] != "required" {
		t.Errorf("instructions: %q", rows[:3])
	}
	if _, err := exporter.Template(&buf, peopleModule(), &exporter.TemplateOptions{Format: exporter.PDF}); err == nil {
		t.Error("a PDF template was written")
	}
}
