package xls_test

import (
	"errors"
	"fmt"
	"io"
	"log"

	"github.com/crmio/crmio/formats"
	_ "github.com/crmio/crmio/formats/all"
)

// formats.Open recognises an XLS file by its content and reads it with this
// package: dates arrive as ISO 8601 text, booleans as TRUE and FALSE,
// errors as Excel shows them, and blank rows are skipped but counted.
func Example() {
	r, err := formats.Open("testdata/contacts.xls", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	info := r.Info()
	fmt.Printf("%s, sheet %q of %q\n", info.Format, info.Sheet, info.Sheets)
	fmt.Printf("%q\n", r.Header())
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("row %d: %q\n", row.Number, row.Fields)
	}
	// Output:
	// xls, sheet "Contacts" of ["Hidden notes" "Contacts"]
	// ["Name" "Email" "Born" "Active" "Score" "Column 6" "Email (2)" "Rate" "Column 9"]
	// row 2: ["Ada Lovelace" "ada@example.com" "2024-01-01" "TRUE" "42" "" "ada@work.example" "0.125" ""]
	// row 5: ["Grace Hopper" "grace@example.com" "2024-03-15T18:00:00" "FALSE" "12.5" "2.5" "" "0.3" ""]
	// row 6: ["Zoë Ünicode 日本語" "#N/A" "12:00:00" "#DIV/0!" "-7" "" "" "" "99"]
}
