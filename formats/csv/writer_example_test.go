package csv_test

import (
	"fmt"
	"os"
	"time"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
)

func ExampleNewWriter() {
	// Semicolons for a spreadsheet in a decimal-comma locale; LF line ends
	// so the output below compares (the default is RFC 4180's CRLF).
	w, err := csv.NewWriter(os.Stdout, &csv.WriterOptions{Delimiter: ';', LF: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	w.WriteHeader([]string{"Name", "Balance", "Since", "Active"})
	w.WriteRow([]formats.Cell{
		formats.TextCell("Łukasz; Kraków"),
		formats.NumberCell("-1234.50"),
		formats.DateCell(2024, time.March, 15),
		formats.BoolCell(true),
	})
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Name;Balance;Since;Active
	// "Łukasz; Kraków";-1234.50;2024-03-15;true
}
