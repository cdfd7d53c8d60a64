package main

import (
	"strings"
	"testing"
)

// TestPivor imports a file into each module of the Pivor-shaped schema,
// loaded with --schema: clients, then contacts that name their client,
// then communications that name a client and a contact ("first last": the
// contacts' key is first_name+last_name). References resolve, case
// aside; one that names no record is reported with its row and column.
func TestPivor(t *testing.T) {
	db := sqliteDB(t)
	schema := testdata("../../../examples/schemas/pivor.json")
	pivor := func(args ...string) result {
		return cli(t, append([]string{"--db", db, "--schema", schema}, args...)...)
	}

	var out importOut
	r := pivor("import", testdata("pivor/clients.csv"), "--module", "clients", "--json")
	r.want(t, exitOK, nil, nil)
	decodeStrict(t, r.stdout, &out)
	if out.Created != 4 || out.Failed != 0 || len(out.Warnings) != 0 {
		t.Errorf("clients: %+v", out)
	}

	r = pivor("import", testdata("pivor/contacts.csv"), "--module", "contacts", "--json")
	r.want(t, exitOK, nil, nil)
	decodeStrict(t, r.stdout, &out)
	wantWarning := problemOut{Row: 5, Column: "Client name", Field: "client_name", Value: "Initrode",
		Message: `no clients record is named "Initrode"; the field is left empty`}
	if out.Created != 5 || out.Failed != 0 || len(out.Warnings) != 1 || out.Warnings[0] != wantWarning {
		t.Errorf("contacts: %+v\nwant 5 created and the warning %+v", out, wantWarning)
	}

	// In text, the unresolved client is on stderr with the file, row and column.
	r = pivor("import", testdata("pivor/contacts.csv"), "--module", "contacts", "--dry-run", "--duplicates", "update")
	r.want(t, exitOK, []string{"skipped             5"}, []string{
		`contacts.csv: warning: row 5, column "Client name": no clients record is named "Initrode"`,
	})

	r = pivor("import", testdata("pivor/communications.csv"), "--module", "communications", "--json")
	r.want(t, exitRowsFailed, nil, nil)
	decodeStrict(t, r.stdout, &out)
	if out.Created != 4 || out.Failed != 1 || len(out.Errors) != 1 || len(out.Warnings) != 1 {
		t.Fatalf("communications: %+v", out)
	}
	if e := out.Errors[0]; e.Row != 6 || e.Column != "Type" || e.Field != "type" || e.Value != "fax" || !strings.Contains(e.Message, "not one of the choices") {
		t.Errorf("communications error: %+v", e)
	}
	if w := out.Warnings[0]; w.Row != 5 || w.Column != "Contact name" || w.Value != "Milton Waddams" || !strings.Contains(w.Message, `no contacts record is named "Milton Waddams"`) {
		t.Errorf("communications warning: %+v", w)
	}

	// The references point at the records: filter by them, and export them
	// by their keys.
	r = pivor("export", "--module", "contacts", "--where", "client_name = initech", "--fields", "first_name,last_name,client_name", "-o", "-")
	r.want(t, exitOK, []string{"First name,Last name,Client name\r\nPeter,Gibbons,Initech\r\n"}, nil)
	if strings.Contains(r.stdout, "Lumbergh") {
		t.Errorf("Bill Lumbergh's client was not resolved, he must not be Initech's:\n%s", r.stdout)
	}
	r = pivor("export", "--module", "contacts", "--where", "client_name = Jane Doe Consulting", "--fields", "last_name,client_name", "-o", "-")
	// (a reference keeps its key as the file wrote it)
	r.want(t, exitOK, []string{"Doe,jane doe consulting"}, nil)
	r = pivor("export", "--module", "communications", "--where", "contact_name = PETER GIBBONS", "--fields", "subject,client_name,contact_name", "-o", "-")
	r.want(t, exitOK, []string{"Subject,Client name,Contact name\r\nQuarterly review,Initech,peter gibbons\r\n"}, nil)
	r = pivor("export", "--module", "communications", "--where", "contact_name = ada lovelace", "--fields", "subject", "-o", "-")
	r.want(t, exitOK, []string{"Subject\r\nKick-off call\r\n"}, nil)

	r = pivor("history")
	r.want(t, exitOK, []string{"communications.csv", "contacts.csv", "clients.csv"}, nil)
}
