package xlsx

import (
	"errors"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
)

func TestCheckTokens(t *testing.T) {
	long := strings.Repeat("x", 40)
	for _, tc := range []struct {
		xml  string
		fail bool
	}{
		{`<a><b c="1">text</b><!-- note --><![CDATA[data]]><?pi x?></a>`, false},
		{strings.Repeat(`<c r="A1"><v>1</v></c>`, 100), false},  // many short tokens
		{`<a>` + long + `</a>`, true},                           // text
		{`<a b="` + long + `"/>`, true},                         // tag
		{`<!--` + strings.Repeat("-> ", 20) + `-->`, true},      // a comment holding '>'
		{`<![CDATA[` + strings.Repeat("<x>", 20) + `]]>`, true}, // CDATA holding '<'
		{`<?pi ` + long + `?>`, true},
		{`<!DOCTYPE a [<!ENTITY e "` + long + `">]><a/>`, true},
		{`<!DOCTYPE a [<!ENTITY e "v">]><a/>`, false},
		{`<a>` + strings.Repeat("x>", 20) + `</a>`, true}, // text may hold '>'
		{`<a>unterminated`, false},
	} {
		err := checkTokens(strings.NewReader(tc.xml), 32)
		if tc.fail != (err != nil) || err != nil && !errors.Is(err, formats.ErrTooLarge) {
			t.Errorf("%.40q: err = %v, want failure %v", tc.xml, err, tc.fail)
		}
	}
}

// TestWhitespaceBomb opens a workbook whose sheet hides 20 MiB of spaces
// in one text (a few kilobytes compressed): it must be refused before
// excelize holds the text, which would cost twice its size in memory.
func TestWhitespaceBomb(t *testing.T) {
	rows := `<row r="1"><c r="A1" t="s"><v>0</v></c></row>` + strings.Repeat(" ", 20<<20) + `<row r="2"><c r="A2"><v>1</v></c></row>`
	_, err := Open(writeTemp(t, "bomb.xlsx", rawPackage(t, sheetXML("", rows))), nil)
	if !errors.Is(err, formats.ErrTooLarge) || !strings.Contains(err.Error(), "token") {
		t.Errorf("err = %v", err)
	}
}
