package vcard_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/vcard"
	"github.com/crmio/crmio/internal/corpus"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/schemas"
)

// table reads a vCard file's content into its header and rows of
// column → value.
func table(t *testing.T, data []byte) ([]string, []map[string]string, formats.Info) {
	t.Helper()
	r, err := vcard.NewReader(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows []map[string]string
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{"#": fmt.Sprint(row.Number)}
		for i, v := range row.Fields {
			if v != "" {
				m[r.Header()[i]] = v
			}
		}
		rows = append(rows, flatten(m))
	}
	return r.Header(), rows, r.Info()
}

// flatten folds the numbered groups of a row into the columns the tests
// read more easily: "Phone 2 - Type" Mobile and "Phone 2 - Value" x become
// "Phone (Mobile)" x, several values of a label joined with " ::: ";
// "Address 1 - Type" Work and "Address 1 - City" y become
// "Address (Work) - City" y.
func flatten(row map[string]string) map[string]string {
	out := map[string]string{}
	type key struct {
		group string
		n     int
	}
	items := map[key]map[string]string{}
	var keys []key
	for col, v := range row {
		var group, part string
		var n int
		if _, err := fmt.Sscanf(strings.Replace(col, " - ", "|", 1), "%s %d|", &group, &n); err != nil || !strings.Contains(col, " - ") {
			out[col] = v
			continue
		}
		_, part, _ = strings.Cut(col, " - ")
		k := key{group, n}
		if items[k] == nil {
			items[k] = map[string]string{}
			keys = append(keys, k)
		}
		items[k][part] = v
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.group != b.group {
			return strings.Compare(a.group, b.group)
		}
		return a.n - b.n
	})
	for _, k := range keys {
		it := items[k]
		base := map[string]string{"E-mail": "Email", "Phone": "Phone", "Address": "Address"}[k.group]
		label := ""
		if it["Type"] != "" {
			label = " (" + it["Type"] + ")"
		}
		if k.group != "Address" {
			col := base + label
			if out[col] != "" {
				out[col] += " ::: "
			}
			out[col] += it["Value"]
			continue
		}
		for part, name := range map[string]string{"Street": "Street", "City": "City", "Region": "State", "Postal Code": "Zip", "Country": "Country"} {
			if it[part] != "" {
				out[base+label+" - "+name] = it[part]
			}
		}
	}
	return out
}

func readFile(t *testing.T, name string) ([]string, []map[string]string, formats.Info) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return table(t, data)
}

// TestRealCards reads real exports (testdata/SOURCES.md) of all three
// versions and checks what each card becomes.
func TestRealCards(t *testing.T) {
	for _, c := range []struct {
		file  string
		cards int
		card  int // which card want describes
		want  map[string]string
	}{
		{"ezvcard-John_Doe_ANDROID.vcf", 6, 4, map[string]string{
			"First name": "Ñ Ñ Ñ", "Last name": "Ñ Ñ", "Email (Work)": "bob@company.com", "Phone (Mobile)": "123456",
			"Phone (Work)": "123456", "Phone (Work Fax)": "123456", "Company": "ÑÑÑÑÑÑÑÑÑÑÑÑ", "Website": "www.company.com", "Other websites": "http://www.company.com"}},
		{"ezvcard-John_Doe_ANDROID.vcf", 6, 3, map[string]string{
			"Phone (Mobile)": "123456 ::: 3456789", "Phone (Home)": "234567 ::: 45678901", "Categories": "My Contacts"}},
		{"ezvcard-John_Doe_MS_OUTLOOK.vcf", 1, 0, map[string]string{
			"First name": "John", "Last name": "Doe", "Middle name": "Richter,James", "Name prefix": "Mr.", "Name suffix": "Sr.",
			"Company": "IBM", "Department": "Accounting", "Title": "Money Counter", "Role": "Counting Money", "Email": "john.doe@ibm.cm",
			"Phone (Work)": "(905) 555-1234", "Phone (Home)": "(905) 666-1234", "Address (Work) - Street": "Cresent moon drive",
			"Address (Work) - City": "Albaney", "Address (Home) - Street": "Silicon Alley 5,", "Address (Home) - Country": "United States of America",
			"Website": "http://www.ibm.com", "Birthday": "1980-03-22", "Anniversary": "2011-01-13"}},
		{"ezvcard-outlook-2007.vcf", 1, 0, map[string]string{
			"First name": "Michael", "Last name": "Angstadt", "Phone (Mobile)": "(111) 555-4444", "Phone (Work Fax)": "(111) 555-3333",
			"Address (Work) - Street": "222 Broadway\nTheOffice", "Birthday": "1922-03-10",
			"Notes": "This is the NOTE field\t\nI assume it encodes this text inside a NOTE vCard type.\nBut I'm not sure because there's text formatting going on here.\nIt does not preserve the formatting"}},
		{"folkerkinzel-wab-v2_1.vcf", 1, 0, map[string]string{
			"Department": "Führungsetage", "Email": "privat@folker-kinzel.de ::: business@folker-kinzel.de ::: andere@folker-kinzel.de",
			"Phone (Work)": "Tel geschäftlich", "Phone (Work Fax)": "0123/579", "Phone (Home Fax)": "Fax privat", "Address (Work) - Street": "Firmenstraße\n1",
			"Birthday": "1972-01-31", "Anniversary": "2000-12-24", "Full name": "Maxl"}},
		{"ezvcard-John_Doe_GMAIL.vcf", 1, 0, map[string]string{
			"First name": "John", "Middle name": "Richter, James", "Email (Home)": "john.doe@ibm.com", "Phone (Mobile)": "905-555-1234",
			"Address (Home) - Street": "Crescent moon drive\n555-asd\nNice Area, Albaney, New York 12345\nUnited States of America",
			"Website":                 "http://www.ibm.com", "Birthday": "1980-03-22"}},
		{"ezvcard-John_Doe_EVOLUTION.vcf", 1, 0, map[string]string{
			"Phone (Mobile)": "905-666-1234", "Phone (Work)": "905-555-1234", "Email (Work)": "john.doe@ibm.com", "Department": "Accounting, Dungeon",
			"Address (Home) - Street": "15 Crescent moon drive\nASB-123", "Address (Home) - Country": "United States of America",
			"Categories": "VIP", "Anniversary": "1980-03-22", "Website": "http://www.ibm.com"}},
		{"ezvcard-John_Doe_MAC_ADDRESS_BOOK.vcf", 1, 0, map[string]string{
			"Phone (AssistantPhone)": "905-222-1234", "Phone (Work)": "905-777-1234", "Phone (Home Fax)": "905-888-1234", "Phone (Work Fax)": "905-999-1234", "Phone (Pager)": "905-111-1234",
			"Address (Work) - Street": "Street4\nBuilding 6\nFloor 8", "Address (Home) - Street": "Silicon Alley 5,", "Website": "http://www.ibm.com",
			"Birthday": "2012-06-06", "Nickname": "Johny"}},
		{"folkerkinzel-v3Utf16Bom.vcf", 2, 1, map[string]string{
			"Last name": "KMS", "Company": "KMS Außenstelle", "Phone (Home)": "03443-303776"}},
		{"ezvcard-fullcontact.vcf", 1, 0, map[string]string{
			"Email": "school@example.com ::: custom@example.com", "Email (Other)": "other@example.com", "Phone": "555-555-1115 ::: 555-555-1118 ::: 555-555-1119",
			"Phone (Home Fax)": "555-555-1116", "Phone (Work Fax)": "555-555-1117", "Company": "Organization1", "Department": "Department1", "Title": "Title1; Title2",
			"Address (Other) - City": "OtherCity", "Address - City": "CustomCity", "Birthday": "2016-08-01", "Notes": "Notes line 1\nNotes line 2"}},
		{"folkerkinzel-cardbook-v4.vcf", 2, 1, map[string]string{
			"First name": "Max", "Last name": "Mustermann", "Email (Other)": "sonstige@freenet.de", "Phone (Fax)": "Fax", "Phone (Home Fax)": "Fax privat", "Phone (Work Fax)": "Fax geschäftlich",
			"Birthday (as written)": "19723101", "Address (Home) - Street": "Alte Str. 32"}},
	} {
		t.Run(fmt.Sprintf("%s#%d", c.file, c.card+1), func(t *testing.T) {
			_, rows, info := readFile(t, c.file)
			if len(rows) != c.cards || info.EstimatedRows != c.cards || info.Format != "vcf" {
				t.Fatalf("%d rows, %d estimated, format %q; want %d cards", len(rows), info.EstimatedRows, info.Format, c.cards)
			}
			got := rows[c.card]
			for col, want := range c.want {
				if got[col] != want {
					t.Errorf("%s = %q, want %q", col, got[col], want)
				}
			}
			for col, v := range got {
				if strings.Contains(v, "/9j/") || strings.Contains(col, "PHOTO") {
					t.Errorf("a picture leaked into %s", col)
				}
			}
		})
	}
}

// TestHeaderMapsToPeople: the columns a real file reads as map to the
// default schema's people with their labels, at High confidence (the
// suggester is asked as the importer asks it, with the rows as sample).
func TestHeaderMapsToPeople(t *testing.T) {
	people := schemas.Default().Module("people")
	fixed := map[string]string{"First name": "first_name", "Last name": "last_name", "Company": "account", "Title": "title",
		"Website": "website", "Birthday": "birthday", "Notes": "notes"}
	groups := map[string]string{"E-mail": "email", "Phone": "phone", "Address": "address"}
	parts := map[string]string{"Street": "street", "City": "city", "Region": "state", "Postal Code": "zip", "Country": "country"}
	seen := map[string]bool{}
	// (Not the CardBook and FullContact files: their phone numbers and
	// postal codes are words, "Privattelefon", "HomePostal", and the
	// suggester rightly trusts those columns less.)
	for _, file := range []string{"ezvcard-John_Doe_MS_OUTLOOK.vcf", "ezvcard-John_Doe_GMAIL.vcf", "ezvcard-John_Doe_MAC_ADDRESS_BOOK.vcf", "ezvcard-outlook-2007.vcf", "ezvcard-John_Doe_EVOLUTION.vcf"} {
		r, err := vcard.Open(filepath.Join("testdata", file), nil)
		if err != nil {
			t.Fatal(err)
		}
		header, rows, err := formats.Preview(r, 20)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		var sample [][]string
		for _, row := range rows {
			sample = append(sample, row.Fields)
		}
		for _, s := range mapping.Suggest(header, sample, people) {
			want, role, part := fixed[s.Header], "", ""
			if g, rest, ok := strings.Cut(s.Header, " "); ok && groups[g] != "" {
				_, p, _ := strings.Cut(rest, " - ")
				want = groups[g]
				switch {
				case p == "Type":
					role = "label"
				case g == "Address":
					part = parts[p]
				}
			}
			if want == "" {
				continue
			}
			seen[strings.Fields(s.Header)[0]] = true
			if s.Target.Field != want || string(s.Target.Role) != role || string(s.Target.Part) != part || s.Confidence != mapping.High {
				t.Errorf("%s: %q maps to %s (role %q, part %q, %v), want %s (role %q, part %q) at High",
					file, s.Header, s.Target.Field, s.Target.Role, s.Target.Part, s.Confidence, want, role, part)
			}
		}
	}
	for _, col := range []string{"First", "Last", "Company", "Title", "E-mail", "Phone", "Address", "Website", "Birthday", "Notes"} {
		if !seen[col] {
			t.Errorf("no file had a column %q", col)
		}
	}
}

// TestRoundcubeCorpus reads Roundcube's 3.0 cards from the shared corpus.
func TestRoundcubeCorpus(t *testing.T) {
	dir := corpus.Need(t, "roundcube-csv2vcard/tests/src/Csv2vcard")
	data, err := os.ReadFile(filepath.Join(dir, "all.vcf"))
	if err != nil {
		t.Fatal(err)
	}
	_, rows, _ := table(t, data)
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	for col, want := range map[string]string{
		"Phone (Home)": "100 ::: 200", "Phone (Work)": "300 ::: 400", "Phone (Mobile)": "500", "Phone (Home Fax)": "700", "Phone (Work Fax)": "800",
		"Phone (Pager)": "111", "Phone": "600 ::: 900 ::: 222 ::: 333 ::: 444", "Department": "Department",
		"Address - Street": "Other Street", "Address (Work) - Zip": "Work Zip", "Anniversary": "1992-02-20", "Birthday": "1991-01-20",
	} {
		if rows[0][col] != want {
			t.Errorf("%s = %q, want %q", col, rows[0][col], want)
		}
	}
}

func TestFeatures(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       map[string]string
	}{
		{"3.0 folding drops one space", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada\r\nNOTE:a long\r\n  note\r\nEND:VCARD\r\n",
			map[string]string{"Notes": "a long note", "Last name": "Lovelace", "First name": "Ada"}},
		{"2.1 folding keeps it", "BEGIN:VCARD\nVERSION:2.1\nN:Lovelace;Ada\nNOTE:a long\n note\nEND:VCARD\n",
			map[string]string{"Notes": "a long note"}},
		{"quoted-printable soft breaks", "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C5=81ukasiewicz;Zo=C3=\n=AB\nEND:VCARD\n",
			map[string]string{"Last name": "Łukasiewicz", "First name": "Zoë"}},
		{"a bare QUOTED-PRINTABLE word, ISO-8859-1", "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=ISO-8859-1;QUOTED-PRINTABLE:M=FCller;J=FCrgen\nEND:VCARD\n",
			map[string]string{"Last name": "Müller", "First name": "Jürgen"}},
		{"Windows-1252 without a charset", "BEGIN:VCARD\nVERSION:2.1\nN:M\xfcller;J\xfcrgen\nEND:VCARD\n",
			map[string]string{"Last name": "Müller"}},
		{"Shift_JIS", "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=SHIFT_JIS:\x8eR\x93c;\x91\xbe\x98Y\nEND:VCARD\n",
			map[string]string{"Last name": "山田", "First name": "太郎"}},
		{"a stray = before END", "BEGIN:VCARD\nVERSION:2.1\nN:Juma;Hamisi\nNOTE;ENCODING=QUOTED-PRINTABLE:Lipa=\nEND:VCARD\nBEGIN:VCARD\nVERSION:2.1\nN:Ally;Rehema\nEND:VCARD\n",
			map[string]string{"Notes": "Lipa="}},
		{"no N: the name from FN", "BEGIN:VCARD\nVERSION:3.0\nFN:Ada King Lovelace\nEND:VCARD\n",
			map[string]string{"First name": "Ada King", "Last name": "Lovelace"}},
		{"no N, FN as Last, First", "BEGIN:VCARD\nVERSION:3.0\nFN:Lovelace\\, Ada\nN:;;;;\nEND:VCARD\n",
			map[string]string{"First name": "Ada", "Last name": "Lovelace"}},
		{"birthday without a year", "BEGIN:VCARD\nVERSION:4.0\nFN:A B\nBDAY:--0307\nEND:VCARD\n", map[string]string{"Birthday (no year)": "--03-07"}},
		{"Apple's omitted year", "BEGIN:VCARD\nVERSION:3.0\nFN:A B\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-03-07\nEND:VCARD\n", map[string]string{"Birthday (no year)": "--03-07"}},
		{"a date and time", "BEGIN:VCARD\nVERSION:3.0\nFN:A B\nBDAY:1990-03-07T10:00:00Z\nEND:VCARD\n", map[string]string{"Birthday": "1990-03-07"}},
		{"4.0 tel URI and TYPE lists", "BEGIN:VCARD\nVERSION:4.0\nFN:A B\nTEL;VALUE=uri;TYPE=\"work,voice\":tel:+1-555-555-0102;ext=12\nEND:VCARD\n",
			map[string]string{"Phone (Work)": "+1-555-555-0102 ext. 12"}},
		{"Apple labels", "BEGIN:VCARD\nVERSION:3.0\nFN:A B\nitem1.TEL:+14155550102\nitem1.X-ABLabel:_$!<Mobile>!$_\nitem2.EMAIL:a@b.example\nitem2.X-ABLabel:_$!<Work>!$_\nEND:VCARD\n",
			map[string]string{"Phone (Mobile)": "+14155550102", "Email (Work)": "a@b.example"}},
		{"a nested AGENT card is skipped", "BEGIN:VCARD\nVERSION:2.1\nN:Doe;John\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nN:Friday;Girl\nTEL;WORK:+1 555 0100\nEND:VCARD\nTEL;CELL:+1 555 0199\nEND:VCARD\n",
			map[string]string{"Last name": "Doe", "Phone (Mobile)": "+1 555 0199"}},
		{"a card the file ends in", "BEGIN:VCARD\nVERSION:3.0\nN:Doe;John\nEMAIL:j@doe.example", map[string]string{"Email": "j@doe.example"}},
		{"crmio's own columns", "BEGIN:VCARD\nVERSION:3.0\nN:Doe;John\nX-CRMIO-FIELD;X-COLUMN=\"Created on\":2024-01-02\nX-CRMIO-FIELD;X-COLUMN=Status:new\nEND:VCARD\n",
			map[string]string{"Created on": "2024-01-02", "Status": "new"}},
		{"unknown properties and a 2.1 photo without folding", "BEGIN:VCARD\nVERSION:2.1\nN:Doe;John\nPHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nAAAA==\n\nX-UNKNOWN;FOO=bar:baz\nTEL;CELL:+1 555 0199\nEND:VCARD\n",
			map[string]string{"Phone (Mobile)": "+1 555 0199", "Last name": "Doe"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			header, rows, info := table(t, []byte(c.text))
			if len(rows) == 0 {
				t.Fatalf("no row; header %q, notices %v", header, info.Notices)
			}
			for col, want := range c.want {
				if rows[0][col] != want {
					t.Errorf("%s = %q, want %q (row %v, notices %v)", col, rows[0][col], want, rows[0], info.Notices)
				}
			}
		})
	}
}

// TestRowNumbersAndHeader: a row's number is its card's first line, and
// the header holds the columns the cards fill, in the fixed order.
func TestRowNumbersAndHeader(t *testing.T) {
	text := "BEGIN:VCARD\nVERSION:3.0\nN:One;A\nEMAIL;TYPE=home:a@x.example\nEND:VCARD\n\n" +
		"BEGIN:VCARD\nVERSION:3.0\nN:Two;B\nTEL;TYPE=cell:+1\nEMAIL;TYPE=work:b@x.example\nEND:VCARD\n"
	header, rows, info := table(t, []byte(text))
	if !slices.Equal(header, []string{"First name", "Last name", "E-mail 1 - Type", "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value"}) {
		t.Errorf("header %q", header)
	}
	if rows[0]["#"] != "1" || rows[1]["#"] != "7" {
		t.Errorf("row numbers %s and %s, want 1 and 7", rows[0]["#"], rows[1]["#"])
	}
	if info.EstimatedRows != 2 || info.Encoding != "utf-8" {
		t.Errorf("info %+v", info)
	}
}

func TestBadFiles(t *testing.T) {
	if _, err := vcard.NewReader(strings.NewReader("not a vcard at all\n"), nil); !errors.Is(err, formats.ErrNoHeader) {
		t.Errorf("no card: %v, want ErrNoHeader", err)
	}
	if _, err := vcard.NewReader(strings.NewReader("BEGIN:VCARD\nN:A;B\nEND:VCARD\n"), &formats.Options{MaxSize: 10}); !errors.Is(err, formats.ErrTooLarge) {
		t.Errorf("over the limit: %v, want ErrTooLarge", err)
	}
	// A huge property is cut, with a notice; a line without a colon is
	// skipped, with a notice.
	huge := "BEGIN:VCARD\nN:A;B\nNOTE:" + strings.Repeat("x", 3<<20) + "\nnonsense line\nEMAIL:a@b.example\nEND:VCARD\n"
	_, rows, info := table(t, []byte(huge))
	if len(rows[0]["Notes"]) != 1<<20-len("NOTE:") || rows[0]["Email"] != "a@b.example" || len(info.Notices) != 2 {
		t.Errorf("notes of %d bytes, email %q, notices %v", len(rows[0]["Notes"]), rows[0]["Email"], info.Notices)
	}
}

// TestDetectedAndOpened: formats.Open detects a vCard file, also a stream
// (spooled to a file), and reads it with this package.
func TestDetectedAndOpened(t *testing.T) {
	data, err := os.ReadFile("testdata/ezvcard-John_Doe_GMAIL.vcf")
	if err != nil {
		t.Fatal(err)
	}
	if f, err := formats.Detect(bytes.NewReader(data), int64(len(data))); f != "vcf" || err != nil {
		t.Errorf("Detect = %q, %v", f, err)
	}
	r, err := formats.NewReader(io.MultiReader(bytes.NewReader(data)), "contacts.vcf", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := formats.Preview(r, 5)
	r.Close()
	if err != nil || len(rows) != 1 || r.Info().Format != "vcf" {
		t.Errorf("%d rows, %v", len(rows), err)
	}
}
