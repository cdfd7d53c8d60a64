package xlsx_test

import (
	"errors"
	"fmt"
	"io"
	"log"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/xlsx"
)

// Open reads the first visible worksheet; dates arrive as ISO 8601 text,
// booleans as TRUE and FALSE, and blank rows are skipped but counted.
func Example() {
	r, err := xlsx.Open("testdata/contacts.xlsx", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	info := r.Info()
	fmt.Printf("sheet %q of %q\n", info.Sheet, info.Sheets)
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
	for _, n := range r.Info().Notices {
		fmt.Println(n)
	}
	// Output:
	// sheet "Contacts" of ["Notes" "Contacts"]
	// ["Name" "Email" "Born" "Active" "Score" "Column 6" "Email (2)" "Updated" "Rate" "Column 10"]
	// row 2: ["Ada Lovelace" "ada@example.com" "2024-01-01" "TRUE" "42" "" "ada@work.example" "2024-03-15T18:00:00" "0.125" ""]
	// row 5: ["Grace Hopper" "grace@example.com" "12:00:00" "FALSE" "0.3" "" "" "0042" "" "7"]
	// row 1, column 6: the column has no name; it is called "Column 6"
	// row 1, column 7: the name "Email" is used by column 2 too; this one is called "Email (2)"
	// row 5: the row is longer than the header: the cells past column 9 are read as "Column 10"
}

// A sheet is chosen by name (or by position with SheetIndex); a name the
// workbook lacks is an error that lists the sheets it has.
func ExampleOpen_sheet() {
	_, err := xlsx.Open("testdata/contacts.xlsx", &formats.Options{Sheet: "Leads"})
	fmt.Println(errors.Is(err, formats.ErrNoSheet))
	fmt.Println(err)

	r, err := xlsx.Open("testdata/contacts.xlsx", &formats.Options{Sheet: "Notes"})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Printf("%q\n", r.Header())
	// Output:
	// true
	// formats: no such sheet: "Leads" (the workbook has "Notes", "Contacts")
	// ["internal"]
}
