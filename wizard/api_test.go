package wizard_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/xlsx"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/wizard"
)

func TestSessionAndModules(t *testing.T) {
	e := newEnv(t, nil)
	ann := e.as("ann")
	var s struct {
		APIVersion int `json:"api_version"`
		Caller     struct{ ID, Name string }
		CSRFToken  string `json:"csrf_token"`
		CSRFHeader string `json:"csrf_header"`
		Formats    struct{ Import, Export, Template []string }
	}
	ann.getJSON("api/v1/session", http.StatusOK, &s)
	if s.APIVersion != 1 || s.Caller.ID != "ann" || s.Caller.Name != "ann" || s.CSRFToken == "" || s.CSRFHeader != "X-CSRF-Token" {
		t.Errorf("session = %+v", s)
	}
	if strings.Join(s.Formats.Export, ",") != "csv,xlsx,pdf,vcf" || strings.Join(s.Formats.Template, ",") != "csv,xlsx" ||
		strings.Join(s.Formats.Import, ",") != "csv,vcf,xls,xlsx" {
		t.Errorf("formats = %+v", s.Formats)
	}
	var mods struct {
		Modules []struct {
			Name    string
			Targets []struct{ Field, Label, Part, Title string }
		}
	}
	ann.getJSON("api/v1/modules", http.StatusOK, &mods)
	titles := map[string]bool{}
	for _, m := range mods.Modules {
		if m.Name == "people" {
			for _, tg := range m.Targets {
				titles[tg.Title] = true
			}
		}
	}
	for _, want := range []string{"Email", "Phone (Mobile)", "Address (Work) - City", "Account"} {
		if !titles[want] {
			t.Errorf("the people targets lack %q: %v", want, titles)
		}
	}
	// A caller limited to some modules sees only those.
	e.as("people-only").getJSON("api/v1/modules", http.StatusOK, &mods)
	if len(mods.Modules) != 1 || mods.Modules[0].Name != "people" {
		t.Errorf("people-only sees %+v", mods.Modules)
	}
}

func TestAuthorizeRefuses(t *testing.T) {
	e := newEnv(t, nil)
	for _, path := range []string{"api/v1/session", "api/v1/imports", "", "assets/app.js"} {
		res, b := e.as("").do("GET", path, nil, "")
		e.as("").wantError(res, b, http.StatusUnauthorized, "unauthorized")
		res, b = e.as("mallory").do("GET", path, nil, "")
		e.as("mallory").wantError(res, b, http.StatusForbidden, "unauthorized")
	}
	if _, err := wizard.New(e.store, nil, &wizard.Options{Authorize: testAuthorize}); err == nil {
		t.Error("New with a nil schema did not fail")
	}
	if _, err := wizard.New(e.store, nil, nil); err == nil || !strings.Contains(err.Error(), "Authorize is required") {
		t.Errorf("New without Authorize: %v", err)
	}
}

func TestUIUnderAnyPrefix(t *testing.T) {
	e := newEnv(t, nil)
	ann := e.as("ann")
	res, b := ann.do("GET", "", nil, "")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("index: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	page := string(b)
	for _, want := range []string{`src="assets/app.js?v=`, `href="assets/app.css?v=`, `<label for="file">`, `href="#/history"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, `src="/`) || strings.Contains(page, `href="/`) {
		t.Error("the page has an absolute link: it would break under another mount path")
	}
	res, b = ann.do("GET", "assets/app.js", nil, "")
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "javascript") || !bytes.Contains(b, []byte(`new URL("api/v1/", document.baseURI)`)) {
		t.Errorf("app.js: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, _ = ann.do("GET", "assets/index.html", nil, "")
	if res.StatusCode != 404 {
		t.Errorf("assets/index.html: %d", res.StatusCode)
	}
	res, _ = ann.do("GET", "assets/../wizard.go", nil, "")
	if res.StatusCode != 404 {
		t.Errorf("a path out of the assets: %d", res.StatusCode)
	}

	// The same handler under http.StripPrefix, and at the root.
	for _, mount := range []struct{ pattern, prefix string }{{"/admin/import/", "/admin/import"}, {"/", ""}} {
		mux := http.NewServeMux()
		var h http.Handler = e.wiz
		if mount.prefix != "" {
			h = http.StripPrefix(mount.prefix, h)
		}
		mux.Handle(mount.pattern, h)
		srv := httpServer(t, mux)
		for _, path := range []string{mount.pattern, mount.pattern + "api/v1/session", mount.pattern + "assets/app.css"} {
			req, _ := http.NewRequest("GET", srv+path, nil)
			req.Header.Set("X-Test-User", "ann")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Errorf("GET %s: %d", path, res.StatusCode)
			}
		}
	}
}

func TestUploadBadInput(t *testing.T) {
	e := newEnv(t, &wizard.Options{MaxUploadSize: 1000})
	ann := e.as("ann")
	csvFile := readTestdata(t, "contacts.csv")

	// The file as the body, named in ?name=.
	res, b := ann.do("POST", "api/v1/uploads?name=dir/contacts.csv", csvFile, "text/csv")
	var u struct {
		ID, Name string
		Size     int64
		Info     struct {
			Format, Encoding, Delimiter string
			HeaderRow                   int `json:"header_row"`
		}
	}
	ann.check(res, b, http.StatusCreated, &u)
	if u.Name != "contacts.csv" || u.Size != int64(len(csvFile)) || u.Info.Format != "csv" || u.Info.Delimiter != "," || u.Info.HeaderRow != 1 {
		t.Errorf("upload = %+v", u)
	}
	ann.getJSON("api/v1/uploads/"+u.ID, http.StatusOK, &u)

	// Wrong content type: refused before anything is kept.
	res, b = ann.do("POST", "api/v1/uploads", []byte(`{"a":1}`), "application/json")
	ann.wantError(res, b, http.StatusUnsupportedMediaType, "unsupported_media_type")
	// Too large: 413, nothing kept.
	big := bytes.Repeat([]byte("a,b\n"), 400)
	res, b = ann.uploadRaw("big.csv", big)
	ann.wantError(res, b, http.StatusRequestEntityTooLarge, "too_large")
	res, b = ann.do("POST", "api/v1/uploads?name=big.csv", big, "application/octet-stream")
	ann.wantError(res, b, http.StatusRequestEntityTooLarge, "too_large")
	// Content that is no spreadsheet: 415, naming what it is, and deleted.
	res, b = ann.uploadRaw("contacts.csv", []byte("%PDF-1.7\n1 0 obj\n"))
	if e := ann.wantError(res, b, http.StatusUnsupportedMediaType, "unsupported_format"); !strings.Contains(e.Error, "PDF document") {
		t.Errorf("a PDF: %s", e.Error)
	}
	res, b = ann.uploadRaw("empty.csv", nil)
	ann.wantError(res, b, http.StatusUnprocessableEntity, "unreadable_file")
	res, b = ann.do("POST", "api/v1/uploads", []byte("--x\r\n\r\n"), "multipart/form-data; boundary=x")
	ann.wantError(res, b, http.StatusBadRequest, "bad_request")

	kept, err := e.store.ListUploads(t.Context(), time.Time{})
	if err != nil || len(kept) != 1 || kept[0].ID != u.ID || kept[0].Owner != "ann" {
		t.Errorf("uploads kept = %+v, %v; want only the good one, owned by ann", kept, err)
	}

	// Another caller cannot see, read or delete it.
	bob := e.as("bob")
	for _, r := range []struct{ method, path string }{{"GET", "api/v1/uploads/" + u.ID}, {"DELETE", "api/v1/uploads/" + u.ID},
		{"POST", "api/v1/uploads/" + u.ID + "/suggestions"}, {"POST", "api/v1/uploads/" + u.ID + "/validation"}} {
		res, b := bob.do(r.method, r.path, map[string]any{"module": "people"}, "")
		bob.wantError(res, b, http.StatusNotFound, "not_found")
	}
	res, b = bob.do("POST", "api/v1/imports", map[string]any{"module": "people", "upload": u.ID}, "")
	bob.wantError(res, b, http.StatusNotFound, "not_found")
	// Its owner deletes it.
	res, _ = ann.do("DELETE", "api/v1/uploads/"+u.ID, nil, "")
	if res.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE: %d", res.StatusCode)
	}
	res, b = ann.do("GET", "api/v1/uploads/"+u.ID, nil, "")
	ann.wantError(res, b, http.StatusNotFound, "not_found")
}

// workbook returns an XLSX file with two sheets, the second with a line
// of notes above its header.
func workbook(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := xlsx.NewWriter(&buf, &xlsx.WriterOptions{SheetName: "Notes"})
	if err != nil {
		t.Fatal(err)
	}
	w.WriteHeader([]string{"Read me"})
	w.WriteRow([]formats.Cell{formats.TextCell("the contacts are on the next sheet")})
	if err := w.NewSheet("Contacts"); err != nil {
		t.Fatal(err)
	}
	w.WriteHeader([]string{"Exported by the old CRM", ""})
	w.WriteRow([]formats.Cell{formats.TextCell("Name"), formats.TextCell("Email")})
	w.WriteRow([]formats.Cell{formats.TextCell("Ada Lovelace"), formats.TextCell("ada@example.com")})
	w.WriteRow([]formats.Cell{formats.TextCell("Alan Turing"), formats.TextCell("alan@example.com")})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type suggestions struct {
	Info struct {
		Format    string
		Sheet     string
		Sheets    []string
		HeaderRow int `json:"header_row"`
	}
	Header []string
	Rows   []struct {
		Row    int
		Fields []string
	}
	Suggestions []struct {
		Column     int
		Header     string
		Target     struct{ Field, Label string }
		Confidence string
		Reason     string
	}
	Mapping struct {
		Columns []map[string]any
	}
}

func TestSuggestionsSheetAndHeaderRow(t *testing.T) {
	e := newEnv(t, nil)
	ann := e.as("ann")
	id := ann.upload("contacts.csv", readTestdata(t, "contacts.csv"))
	var s suggestions
	ann.json("POST", "api/v1/uploads/"+id+"/suggestions", map[string]any{"module": "people", "rows": 3}, http.StatusOK, &s)
	if len(s.Header) != 8 || len(s.Rows) != 3 || s.Rows[0].Row != 2 || s.Rows[0].Fields[0] != "Ada" {
		t.Fatalf("header %v, rows %+v", s.Header, s.Rows)
	}
	email := s.Suggestions[2]
	if email.Header != "E-mail Address" || email.Target.Field != "email" || email.Confidence != "high" || !strings.Contains(email.Reason, "samples are email addresses") {
		t.Errorf("the email column's suggestion = %+v", email)
	}
	if len(s.Mapping.Columns) != 8 {
		t.Errorf("the default mapping = %+v", s.Mapping.Columns)
	}

	// A workbook: the first sheet by default, another on request, with
	// its header on row 2.
	wb := ann.upload("contacts.xlsx", workbook(t))
	ann.json("POST", "api/v1/uploads/"+wb+"/suggestions", map[string]any{"module": "people"}, http.StatusOK, &s)
	if s.Info.Format != "xlsx" || s.Info.Sheet != "Notes" || strings.Join(s.Info.Sheets, ",") != "Notes,Contacts" {
		t.Errorf("info = %+v", s.Info)
	}
	ann.json("POST", "api/v1/uploads/"+wb+"/suggestions", map[string]any{"module": "people",
		"format": map[string]any{"sheet": "Contacts", "header_row": 2}}, http.StatusOK, &s)
	if s.Info.Sheet != "Contacts" || s.Info.HeaderRow != 2 || strings.Join(s.Header, ",") != "Name,Email" || s.Rows[0].Row != 3 || s.Suggestions[1].Target.Field != "email" {
		t.Errorf("the Contacts sheet: info %+v, header %v, rows %+v, suggestions %+v", s.Info, s.Header, s.Rows, s.Suggestions)
	}
	res, b := ann.do("POST", "api/v1/uploads/"+wb+"/suggestions", map[string]any{"module": "people", "format": map[string]any{"sheet": "Nope"}}, "")
	ann.wantError(res, b, http.StatusUnprocessableEntity, "unreadable_file")
	res, b = ann.do("POST", "api/v1/uploads/"+wb+"/suggestions", map[string]any{"module": "nope"}, "")
	ann.wantError(res, b, http.StatusNotFound, "not_found")
	res, b = ann.do("POST", "api/v1/uploads/"+wb+"/suggestions", map[string]any{"module": "people", "rows": 100000}, "")
	ann.wantError(res, b, http.StatusUnprocessableEntity, "invalid")
	res, b = ann.do("POST", "api/v1/uploads/"+wb+"/suggestions", map[string]any{"module": "people", "bogus": 1}, "")
	ann.wantError(res, b, http.StatusBadRequest, "bad_request")
	res, b = ann.do("POST", "api/v1/uploads/"+wb+"/suggestions", []byte(`{"module":"people"}`), "text/plain")
	ann.wantError(res, b, http.StatusUnsupportedMediaType, "unsupported_media_type")
	res, b = ann.do("POST", "api/v1/uploads/"+wb+"/suggestions", []byte(`{"module":`), "application/json")
	ann.wantError(res, b, http.StatusBadRequest, "bad_request")
	res, b = e.as("people-only").do("POST", "api/v1/uploads/"+wb+"/suggestions", map[string]any{"module": "accounts"}, "")
	e.as("people-only").wantError(res, b, http.StatusNotFound, "not_found")
}

type validation struct {
	Header []string
	Rows   []struct {
		Row    int
		Status string
		Cells  []struct {
			Value    string
			Errors   []string
			Warnings []string
		}
		Errors   []string
		Warnings []string
	}
	Counts   storage.Counts
	Problems []struct{ Severity, Column, Text string }
}

func TestValidationPreview(t *testing.T) {
	e := newEnv(t, nil)
	ann := e.as("ann")
	id := ann.upload("contacts.csv", readTestdata(t, "contacts.csv"))
	var v validation
	ann.json("POST", "api/v1/uploads/"+id+"/validation", map[string]any{"module": "people", "auto_create_references": true,
		"static": map[string]string{"status": "new"}}, http.StatusOK, &v)
	if len(v.Rows) != 6 || v.Counts.Read != 6 || v.Counts.Created != 4 || v.Counts.Failed != 2 || v.Counts.ReferencesCreated != 4 {
		t.Fatalf("counts %+v, rows %d", v.Counts, len(v.Rows))
	}
	alan := v.Rows[1]
	if alan.Row != 3 || alan.Status != "error" || len(alan.Cells[2].Errors) != 1 || !strings.Contains(alan.Cells[2].Errors[0], `"alan@" is not an email address`) {
		t.Errorf("row 3 = %+v", alan)
	}
	linus := v.Rows[3]
	if linus.Row != 5 || linus.Status != "error" || len(linus.Errors)+len(linus.Cells[1].Errors) == 0 {
		t.Errorf("row 5 (no last name) = %+v", linus)
	}
	if v.Rows[0].Status != "ok" || v.Rows[0].Cells[0].Value != "Ada" {
		t.Errorf("row 2 = %+v", v.Rows[0])
	}
	if len(v.Problems) == 0 || v.Problems[0].Text == "" {
		t.Errorf("problems = %+v", v.Problems)
	}
	// Nothing was written.
	for rec, err := range e.store.Scan(t.Context(), "people", storage.Query{}) {
		t.Fatalf("a dry run wrote %+v, %v", rec, err)
	}
	// A mapping edited: the email column cleared, the Born column sent to
	// created_on; with rows limited.
	mp := map[string]any{"columns": []map[string]any{
		{"column": 0, "field": "first_name"}, {"column": 1, "field": "last_name"}, {"column": 6, "header": "Born", "field": "created_on"}}}
	ann.json("POST", "api/v1/uploads/"+id+"/validation", map[string]any{"module": "people", "mapping": mp, "rows": 2}, http.StatusOK, &v)
	if len(v.Rows) != 2 || v.Counts.Failed != 0 || v.Rows[1].Status != "ok" {
		t.Errorf("with the email cleared: %+v", v)
	}
	// Invalid mappings: 422 naming the column.
	for _, bad := range []map[string]any{
		{"columns": []map[string]any{{"column": 2, "field": "nope"}}},
		{"columns": []map[string]any{{"column": 3, "field": "phone", "label": "cell"}}},
		{"columns": []map[string]any{{"column": 6, "header": "Something else", "field": "birthday"}}},
		{"columns": []map[string]any{}},
	} {
		res, b := ann.do("POST", "api/v1/uploads/"+id+"/validation", map[string]any{"module": "people", "mapping": bad}, "")
		ann.wantError(res, b, http.StatusUnprocessableEntity, "invalid_mapping")
	}
	for _, bad := range []map[string]any{
		{"module": "people", "match_fields": []string{"nope"}},
		{"module": "people", "static": map[string]string{"nope": "x"}},
		{"module": "people", "mode": "instant"},
		{"module": "people", "format": map[string]any{"delimiter": ";;"}},
	} {
		res, b := ann.do("POST", "api/v1/uploads/"+id+"/validation", bad, "")
		ann.wantError(res, b, http.StatusUnprocessableEntity, "invalid")
	}
	res, b := ann.do("POST", "api/v1/uploads/"+id+"/validation", map[string]any{"module": "people", "duplicates": "sometimes"}, "")
	ann.wantError(res, b, http.StatusBadRequest, "bad_request")
}

// importContacts uploads and imports the test file for c, following it to
// its end.
func importContacts(t *testing.T, c *client, extra map[string]any) job {
	t.Helper()
	id := c.upload("contacts.csv", readTestdata(t, "contacts.csv"))
	body := map[string]any{"upload": id, "module": "people", "auto_create_references": true}
	for k, v := range extra {
		body[k] = v
	}
	j := c.start(body)
	c.wait(j.ID)
	var out struct{ Job job }
	c.getJSON("api/v1/imports/"+j.ID, http.StatusOK, &out)
	return out.Job
}

func TestImportSummaryFailedRowsHistory(t *testing.T) {
	e := newEnv(t, nil)
	ann := e.as("ann")
	id := ann.upload("contacts.csv", readTestdata(t, "contacts.csv"))
	j := ann.start(map[string]any{"upload": id, "module": "people", "auto_create_references": true, "static": map[string]string{"status": "new"}})
	if j.ID == "" || j.Module != "people" || j.File != "contacts.csv" {
		t.Fatalf("start = %+v", j)
	}
	events := ann.wait(j.ID)
	last := events[len(events)-1].Data
	if last["status"] != "completed" || last["counts"].(map[string]any)["created"] != float64(4) {
		t.Errorf("the done event = %v", last)
	}
	var got struct{ Job job }
	ann.getJSON("api/v1/imports/"+j.ID, http.StatusOK, &got)
	if got.Job.Status != "completed" || !got.Job.Done || !got.Job.CanRollback || got.Job.CanCancel || got.Job.Mode != "instant" {
		t.Errorf("job = %+v", got.Job)
	}
	// A job's events after its end: the done event at once.
	if ev := ann.wait(j.ID); len(ev) != 1 {
		t.Errorf("events of an ended job = %+v", ev)
	}

	var sum struct {
		Status   string
		Created  int
		Failed   int
		Problems []struct {
			Severity, Column, Reason, Text string
			Count                          int
			Rows                           []int
		}
		Errors []struct {
			Row             int
			Column, Message string
		}
		FailedRowsKept int `json:"failed_rows_kept"`
		Mapping        struct{ Static []map[string]string }
	}
	ann.getJSON("api/v1/imports/"+j.ID+"/summary", http.StatusOK, &sum)
	if sum.Status != "completed" || sum.Created != 4 || sum.Failed != 2 || sum.FailedRowsKept != 2 || len(sum.Errors) != 2 || sum.Errors[0].Row != 3 {
		t.Errorf("summary = %+v", sum)
	}
	found := false
	for _, p := range sum.Problems {
		if p.Column == "E-mail Address" && p.Severity == "error" && p.Count == 1 && p.Rows[0] == 3 && strings.Contains(p.Text, "row 3") {
			found = true
		}
	}
	if !found {
		t.Errorf("no problem for the email column: %+v", sum.Problems)
	}

	// Failed rows as CSV and XLSX: the file's columns plus Error.
	res, b := ann.do("GET", "api/v1/imports/"+j.ID+"/failed-rows", nil, "")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(res.Header.Get("Content-Disposition"), "failed-rows-"+j.ID+".csv") {
		t.Fatalf("failed rows: %d %v", res.StatusCode, res.Header)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) != 3 || recs[0][8] != "Error" || recs[1][0] != "Alan" || !strings.Contains(recs[1][8], "not an email address") || recs[2][0] != "Linus" {
		t.Errorf("failed rows CSV = %q, %v", recs, err)
	}
	res, b = ann.do("GET", "api/v1/imports/"+j.ID+"/failed-rows?format=xlsx", nil, "")
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("failed rows XLSX: %d %s", res.StatusCode, b)
	}
	rd, err := formats.NewReader(bytes.NewReader(b), "failed.xlsx", nil)
	if err != nil {
		t.Fatal(err)
	}
	header, rows, err := formats.Preview(rd, 10)
	rd.Close()
	if err != nil || header[8] != "Error" || len(rows) != 2 || rows[0].Fields[0] != "Alan" {
		t.Errorf("failed rows XLSX: %v %+v %v", header, rows, err)
	}
	res, b = ann.do("GET", "api/v1/imports/"+j.ID+"/failed-rows?format=pdf", nil, "")
	ann.wantError(res, b, http.StatusUnprocessableEntity, "invalid")

	// History: ann's job, not bob's.
	var hist struct{ Jobs []job }
	ann.getJSON("api/v1/imports", http.StatusOK, &hist)
	if len(hist.Jobs) != 1 || hist.Jobs[0].ID != j.ID {
		t.Errorf("ann's history = %+v", hist.Jobs)
	}
	bob := e.as("bob")
	bob.getJSON("api/v1/imports", http.StatusOK, &hist)
	if len(hist.Jobs) != 0 {
		t.Errorf("bob's history = %+v", hist.Jobs)
	}
	res, b = ann.do("GET", "api/v1/imports?limit=0", nil, "")
	ann.wantError(res, b, http.StatusUnprocessableEntity, "invalid")

	// The records are in the store, with the static value.
	n := 0
	for rec, err := range e.store.Scan(t.Context(), "people", storage.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Values["status"].String() != "new" {
			t.Errorf("record %+v lacks the static status", rec.Values)
		}
		n++
	}
	if n != 4 {
		t.Errorf("%d people stored, want 4", n)
	}
}

// TestForeignJob: a caller trying another's job is told it does not
// exist, by every endpoint, and changes nothing.
func TestForeignJob(t *testing.T) {
	e := newEnv(t, nil)
	ann, bob := e.as("ann"), e.as("bob")
	j := importContacts(t, ann, nil)
	for _, r := range []struct{ method, path string }{
		{"GET", ""}, {"GET", "/events"}, {"GET", "/summary"}, {"GET", "/failed-rows"}, {"GET", "/failed-rows?format=xlsx"},
		{"POST", "/cancel"}, {"POST", "/rollback"},
	} {
		res, b := bob.do(r.method, "api/v1/imports/"+j.ID+r.path, map[string]any{"force": true}, "")
		if e := bob.wantError(res, b, http.StatusNotFound, "not_found"); strings.Contains(e.Error, "ann") {
			t.Errorf("%s %s tells bob whose job it is: %s", r.method, r.path, e.Error)
		}
	}
	for _, r := range []struct{ method, path string }{{"GET", "api/v1/imports/999"}, {"GET", "api/v1/imports/999/events"}, {"POST", "api/v1/imports/999/rollback"}} {
		res, b := bob.do(r.method, r.path, map[string]any{}, "")
		bob.wantError(res, b, http.StatusNotFound, "not_found")
	}
	var got struct{ Job job }
	ann.getJSON("api/v1/imports/"+j.ID, http.StatusOK, &got)
	if got.Job.Status != "completed" {
		t.Errorf("after bob's tries, ann's job is %s", got.Job.Status)
	}
}

// slowHooks holds every row of an import until release is closed or the
// import is cancelled. (A row hook, not a batch hook: the memory store's
// transaction, which a batch hook runs in, holds off every reader.)
func slowHooks(release <-chan struct{}) func(wizard.Caller, string) *importer.Hooks {
	return func(wizard.Caller, string) *importer.Hooks {
		return &importer.Hooks{Row: func(ctx context.Context, r *importer.Row) error {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}}
	}
}

func TestDoubleSubmitCancelAndLimits(t *testing.T) {
	release := make(chan struct{})
	e := newEnv(t, &wizard.Options{Hooks: slowHooks(release), MaxImports: 2, MaxStreams: 1, MaxRequestSize: 4096})
	ann := e.as("ann")
	file := manyContacts(2500)
	id := ann.upload("contacts.csv", file)
	body := map[string]any{"upload": id, "module": "people", "mode": "streaming"}
	j := ann.start(body, "Idempotency-Key", "k1")
	if j.Status != "running" || j.Mode != "streaming" {
		t.Errorf("a held streaming import = %+v", j)
	}
	// The same request again: refused, naming the job.
	res, b := ann.do("POST", "api/v1/imports", body, "", "Idempotency-Key", "k1")
	if e := ann.wantError(res, b, http.StatusConflict, "double_submit"); e.Job != j.ID {
		t.Errorf("double submit names job %q, want %q", e.Job, j.ID)
	}
	// The same file again, under another key (another tab): refused too.
	id2 := ann.upload("copy.csv", file)
	res, b = ann.do("POST", "api/v1/imports", map[string]any{"upload": id2, "module": "people"}, "", "Idempotency-Key", "k2")
	if e := ann.wantError(res, b, http.StatusConflict, "double_submit"); e.Job != j.ID {
		t.Errorf("the same file again names job %q, want %q", e.Job, j.ID)
	}
	// Another file, into another module, is fine; a third import is over the limit.
	acc := ann.upload("accounts.csv", []byte("Account Name,Website\nAcme,https://acme.example\n"))
	j2 := ann.start(map[string]any{"upload": acc, "module": "accounts", "mode": "streaming"})
	acc2 := ann.upload("accounts2.csv", []byte("Account Name,Website\nGlobex,https://globex.example\n"))
	res, b = ann.do("POST", "api/v1/imports", map[string]any{"upload": acc2, "module": "accounts"}, "")
	ann.wantError(res, b, http.StatusTooManyRequests, "too_many_requests")
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// One progress stream at a time (MaxStreams 1).
	streamCtx, stopStream := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(streamCtx, "GET", e.base+"api/v1/imports/"+j.ID+"/events", nil)
	req.Header.Set("X-Test-User", "ann")
	stream, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line := make([]byte, 64)
	if n, _ := stream.Body.Read(line); !strings.HasPrefix(string(line[:n]), "event: progress") {
		t.Errorf("the stream starts with %q", line[:n])
	}
	res, b = ann.do("GET", "api/v1/imports/"+j.ID+"/events", nil, "")
	ann.wantError(res, b, http.StatusTooManyRequests, "too_many_requests")
	stopStream()
	stream.Body.Close()
	// A JSON body over the request limit.
	res, b = ann.do("POST", "api/v1/imports", map[string]any{"upload": id, "module": "people", "static": map[string]string{"notes": strings.Repeat("x", 5000)}}, "")
	ann.wantError(res, b, http.StatusRequestEntityTooLarge, "too_large")

	// A running job cannot be rolled back, nor its failed rows had.
	res, b = ann.do("POST", "api/v1/imports/"+j2.ID+"/rollback", map[string]any{}, "")
	ann.wantError(res, b, http.StatusConflict, "running")
	res, b = ann.do("GET", "api/v1/imports/"+j2.ID+"/failed-rows", nil, "")
	ann.wantError(res, b, http.StatusConflict, "running")

	// Cancel the first: it stops after the batch in hand, cancelled.
	var cancelled struct{ Job job }
	ann.json("POST", "api/v1/imports/"+j.ID+"/cancel", map[string]any{}, http.StatusAccepted, &cancelled)
	events := ann.wait(j.ID)
	end := events[len(events)-1].Data
	if end["status"] != "cancelled" || end["counts"].(map[string]any)["read"].(float64) >= 2500 {
		t.Errorf("a cancelled import ends %v", end)
	}
	close(release)
	res, b = ann.do("POST", "api/v1/imports/"+j.ID+"/cancel", map[string]any{}, "")
	ann.wantError(res, b, http.StatusConflict, "ended")
	ann.wait(j2.ID)
	// Now the file may be imported again (another key).
	j3 := ann.start(map[string]any{"upload": id2, "module": "people"}, "Idempotency-Key", "k3")
	ann.wait(j3.ID)
}

// manyContacts is a people file of n rows.
func manyContacts(n int) []byte {
	var b strings.Builder
	b.WriteString("First Name,Last Name,Email\n")
	for i := range n {
		fmt.Fprintf(&b, "Person,Number %d,p%d@example.com\n", i, i)
	}
	return []byte(b.String())
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, nil)
	ann := e.as("ann")
	id := ann.upload("contacts.csv", readTestdata(t, "contacts.csv"))
	noToken := &client{e: e, user: "ann"}
	res, b := noToken.do("POST", "api/v1/imports", map[string]any{"upload": id, "module": "people"}, "")
	noToken.wantError(res, b, http.StatusForbidden, "csrf")
	wrong := &client{e: e, user: "ann", token: "forged"}
	res, b = wrong.do("DELETE", "api/v1/uploads/"+id, nil, "")
	wrong.wantError(res, b, http.StatusForbidden, "csrf")
	// bob's token is not ann's.
	stolen := &client{e: e, user: "ann", token: e.as("bob").token}
	res, b = stolen.do("DELETE", "api/v1/uploads/"+id, nil, "")
	stolen.wantError(res, b, http.StatusForbidden, "csrf")
	// A cross-site browser request is refused even with the token.
	res, b = ann.do("DELETE", "api/v1/uploads/"+id, nil, "", "Sec-Fetch-Site", "cross-site")
	ann.wantError(res, b, http.StatusForbidden, "csrf")
	res, b = ann.do("DELETE", "api/v1/uploads/"+id, nil, "", "Origin", "https://evil.example")
	ann.wantError(res, b, http.StatusForbidden, "csrf")
	// Reads need no token; the upload is still there.
	noToken.getJSON("api/v1/uploads/"+id, http.StatusOK, nil)
	// Unknown paths and methods: JSON errors.
	res, b = ann.do("GET", "api/v1/nope", nil, "")
	ann.wantError(res, b, http.StatusNotFound, "not_found")
	res, b = ann.do("PUT", "api/v1/imports", map[string]any{}, "")
	ann.wantError(res, b, http.StatusMethodNotAllowed, "method_not_allowed")
	if res.Header.Get("Allow") != "GET, POST" {
		t.Errorf("Allow = %q", res.Header.Get("Allow"))
	}
}

func TestRollbackConflictAndReferences(t *testing.T) {
	e := newEnv(t, nil)
	ann := e.as("ann")
	first := importContacts(t, ann, nil)
	if first.Counts.ReferencesCreated != 4 {
		t.Fatalf("first import = %+v", first)
	}
	// Someone edits a record the import created: the rollback is refused.
	var ada crmio.Record
	for rec, err := range e.store.Scan(t.Context(), "people", storage.Query{Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		ada = rec
	}
	ada.Values["title"] = crmio.TextValue("Poet")
	if err := e.store.Update(t.Context(), "people", []crmio.Record{ada}); err != nil {
		t.Fatal(err)
	}
	res, b := ann.do("POST", "api/v1/imports/"+first.ID+"/rollback", map[string]any{}, "")
	var refusal struct {
		Code     string
		CanForce bool `json:"can_force"`
		Conflict struct {
			Count   int
			Records []string
		}
	}
	ann.check(res, b, http.StatusConflict, &refusal)
	if refusal.Code != "conflict" || !refusal.CanForce || refusal.Conflict.Count != 1 || refusal.Conflict.Records[0] != "people/"+ada.ID {
		t.Errorf("refusal = %+v", refusal)
	}
	// Another import names an account the first created.
	second := ann.upload("more.csv", []byte("First Name,Last Name,Email,Company\nJoan,Clarke,joan@example.com,NASA\n"))
	j := ann.start(map[string]any{"upload": second, "module": "people"})
	ann.wait(j.ID)
	ada.Values["title"] = crmio.TextValue("Countess") // undo the edit: the references remain
	if err := e.store.Update(t.Context(), "people", []crmio.Record{ada}); err != nil {
		t.Fatal(err)
	}
	res, b = ann.do("POST", "api/v1/imports/"+first.ID+"/rollback", map[string]any{"force": false}, "")
	var refs struct {
		Code       string
		Error      string
		CanForce   bool `json:"can_force"`
		References []importer.Reference
	}
	ann.check(res, b, http.StatusConflict, &refs)
	if refs.Code != "referenced" || !refs.CanForce || len(refs.References) != 1 || refs.References[0].Module != "people" ||
		refs.References[0].Field != "account" || refs.References[0].Count != 1 || len(refs.References[0].IDs) != 1 {
		t.Errorf("references refusal = %+v", refs)
	}
	// Forced: done, the reference cleared.
	var done struct {
		Job    job
		Result importer.RollbackResult
	}
	ann.json("POST", "api/v1/imports/"+first.ID+"/rollback", map[string]any{"force": true}, http.StatusOK, &done)
	if done.Job.Status != "rolled_back" || done.Result.Deleted != 8 || done.Result.Cleared != 1 || done.Job.CanRollback {
		t.Errorf("forced rollback = %+v", done)
	}
	// Twice is fine.
	ann.json("POST", "api/v1/imports/"+first.ID+"/rollback", map[string]any{}, http.StatusOK, &done)
	res, b = ann.do("POST", "api/v1/imports/"+first.ID+"/rollback", nil, "")
	ann.wantError(res, b, http.StatusUnsupportedMediaType, "unsupported_media_type")
}

func TestScopedCaller(t *testing.T) {
	e := newEnv(t, nil)
	// ann imports everyone; the scoped caller sees the mathematicians only.
	importContacts(t, e.as("ann"), nil)
	sc := e.as("scoped")
	res, b := sc.do("GET", "api/v1/exports/people?format=csv", nil, "")
	if res.StatusCode != 200 {
		t.Fatalf("export: %d %s", res.StatusCode, b)
	}
	recs, _ := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if len(recs) != 2 || !strings.Contains(strings.Join(recs[1], ","), "Katherine") {
		t.Errorf("the scoped export = %q", recs)
	}
	// The scoped caller's own import: created records take the scope's value.
	id := sc.upload("m.csv", []byte("First Name,Last Name,Email\nEmmy,Noether,emmy@example.com\n"))
	j := sc.start(map[string]any{"upload": id, "module": "people"})
	sc.wait(j.ID)
	found := false
	for rec := range e.store.Scan(t.Context(), "people", storage.Query{Where: []storage.Filter{{Field: "last_name", Op: storage.Eq, Value: crmio.TextValue("Noether")}}}) {
		found = rec.Values["title"].String() == "Mathematician"
	}
	if !found {
		t.Error("the scoped import's record lacks the scope's title")
	}
	// It may not force a rollback.
	res, b = sc.do("POST", "api/v1/imports/"+j.ID+"/rollback", map[string]any{"force": true}, "")
	sc.wantError(res, b, http.StatusForbidden, "forbidden")
	var done struct{ Job job }
	sc.json("POST", "api/v1/imports/"+j.ID+"/rollback", map[string]any{}, http.StatusOK, &done)
	// A module its scope cannot apply to (accounts have no title): refused.
	res, b = sc.do("GET", "api/v1/exports/accounts", nil, "")
	sc.wantError(res, b, http.StatusForbidden, "forbidden")
}

func TestExportAndTemplates(t *testing.T) {
	e := newEnv(t, nil)
	ann := e.as("ann")
	importContacts(t, ann, nil)
	q, _ := json.Marshal(map[string]any{"where": []map[string]any{{"field": "title", "op": "!=", "value": "countess"}},
		"order": []map[string]any{{"field": "last_name", "desc": true}}, "fields": []string{"first_name", "last_name", "account"}})
	res, b := ann.do("GET", "api/v1/exports/people?format=csv&q="+url.QueryEscape(string(q)), nil, "")
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if res.StatusCode != 200 || err != nil || len(recs) != 4 || strings.Join(recs[0], ",") != "First name,Last name,Account" ||
		recs[1][1] != "Johnson" || recs[2][1] != "Hopper" || recs[3][1] != "Hamilton" || recs[1][2] != "NASA" {
		t.Errorf("filtered export: %d %q %v", res.StatusCode, recs, err)
	}
	// A filter on a reference, by the target's key.
	q, _ = json.Marshal(map[string]any{"where": []map[string]any{{"field": "account", "op": "=", "value": "NASA"}}})
	res, b = ann.do("GET", "api/v1/exports/people?q="+url.QueryEscape(string(q)), nil, "")
	if recs, _ := csv.NewReader(bytes.NewReader(b)).ReadAll(); res.StatusCode != 200 || len(recs) != 2 {
		t.Errorf("export by account: %d %q", res.StatusCode, recs)
	}
	for _, f := range []struct{ format, ctype, magic string }{{"xlsx", "spreadsheetml", "PK"}, {"pdf", "application/pdf", "%PDF"}} {
		res, b := ann.do("GET", "api/v1/exports/people?format="+f.format, nil, "")
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), f.ctype) || !bytes.HasPrefix(b, []byte(f.magic)) ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "attachment; filename=\"people-") {
			t.Errorf("%s export: %d %v", f.format, res.StatusCode, res.Header)
		}
	}
	var ok struct{ OK bool }
	ann.getJSON("api/v1/exports/people?check=1&format=pdf", http.StatusOK, &ok)
	for _, bad := range []string{`{"where":[{"field":"nope","op":"=","value":"x"}]}`, `{"where":[{"field":"birthday","op":"<","value":"soon"}]}`,
		`{"where":[{"field":"title","op":"~","value":"x"}]}`, `{"order":[{"field":"nope"}]}`, `{"fields":["nope"]}`} {
		res, b := ann.do("GET", "api/v1/exports/people?q="+url.QueryEscape(bad), nil, "")
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("export with %s: %d %s", bad, res.StatusCode, b)
		}
	}
	res, b = ann.do("GET", "api/v1/exports/people?q=nope", nil, "")
	ann.wantError(res, b, http.StatusBadRequest, "bad_request")
	res, b = ann.do("GET", "api/v1/exports/people?format=docx", nil, "")
	ann.wantError(res, b, http.StatusUnprocessableEntity, "invalid")
	res, b = ann.do("GET", "api/v1/exports/nope", nil, "")
	ann.wantError(res, b, http.StatusNotFound, "not_found")
	res, b = e.as("people-only").do("GET", "api/v1/exports/accounts", nil, "")
	ann.wantError(res, b, http.StatusNotFound, "not_found")

	res, b = ann.do("GET", "api/v1/templates/people", nil, "")
	if res.StatusCode != 200 || !strings.HasPrefix(string(b), "First name,Last name,Email") {
		t.Errorf("CSV template: %d %.60s", res.StatusCode, b)
	}
	res, b = ann.do("GET", "api/v1/templates/people?format=xlsx", nil, "")
	if res.StatusCode != 200 || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("XLSX template: %d", res.StatusCode)
	}
	var cols struct {
		Columns []struct {
			Name     string
			Field    string
			Required bool
			Hint     string
		}
	}
	ann.getJSON("api/v1/templates/people?format=json", http.StatusOK, &cols)
	if len(cols.Columns) == 0 || cols.Columns[1].Name != "Last name" || !cols.Columns[1].Required {
		t.Errorf("template columns = %+v", cols.Columns)
	}
	res, b = ann.do("GET", "api/v1/templates/people?format=pdf", nil, "")
	ann.wantError(res, b, http.StatusUnprocessableEntity, "invalid")
}

func httpServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptestServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
