package formats_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/crmio/crmio/formats"
	_ "github.com/crmio/crmio/formats/csv" // or formats/all for every format
)

func ExampleOpen() {
	r, err := formats.Open("testdata/contacts.csv", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	fmt.Println(r.Header())
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("row %d: %q\n", row.Number, row.Fields)
	}
	info := r.Info()
	fmt.Printf("%s, %s, %d rows\n", info.Format, info.Encoding, info.EstimatedRows)
	// Output:
	// [First Name Last Name Email Phone]
	// row 2: ["Ada" "Lovelace" "ada@example.com" "+44 20 7946 0000"]
	// row 4: ["Grace" "Hopper" "grace@example.com" "+1 555 0100"]
	// row 5: ["Alan\n(ext.)" "Turing" "alan@example.com" ""]
	// csv, utf-8, 3 rows
}

func ExampleNewReader() {
	// An upload: LinkedIn's Connections export starts with notes.
	upload := strings.NewReader(`Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing."

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Ada,Lovelace,https://www.linkedin.com/in/example,,Analytical Engines,Programmer,12 Mar 2024
`)
	r, err := formats.NewReader(upload, "Connections.csv", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	info := r.Info()
	fmt.Printf("header on row %d, delimiter %q\n", info.HeaderRow, info.Delimiter)
	for _, n := range info.Notices {
		fmt.Println("notice:", n)
	}
	row, err := r.Read()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("row %d: %s %s\n", row.Number, row.Fields[0], row.Fields[1])
	// Output:
	// header on row 4, delimiter ','
	// notice: the header is row 4; 2 rows above it were skipped as notes
	// row 5: Ada Lovelace
}

func ExamplePreview() {
	r, err := formats.NewReader(strings.NewReader("Name;Email\nAnn;ann@example.com\nBob;bob@example.com\nCy;cy@example.com\n"), "", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	header, rows, err := formats.Preview(r, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(header)
	for _, row := range rows {
		fmt.Println(row.Number, row.Fields)
	}
	// Output:
	// [Name Email]
	// 2 [Ann ann@example.com]
	// 3 [Bob bob@example.com]
}

func ExampleDetect() {
	for _, content := range []string{
		"Name,Email\nAnn,ann@example.com\n",
		"%PDF-1.7\n...",
		"<!DOCTYPE html><html><table>...",
	} {
		format, err := formats.Detect(strings.NewReader(content), int64(len(content)))
		fmt.Printf("%q %v %v\n", format, err, errors.Is(err, formats.ErrUnsupportedFormat))
	}
	// Output:
	// "csv" <nil> false
	// "" formats: unsupported format: PDF document true
	// "" formats: unsupported format: HTML document true
}

func ExampleParseError() {
	r, err := formats.NewReader(bytes.NewReader([]byte("Name,Size\nTV,\"55\"\" screen\"\nMonitor,27\" wide\nPhone,6\n")), "", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		var bad *formats.ParseError
		if errors.As(err, &bad) {
			fmt.Printf("row %d, column %d is malformed\n", bad.Row, bad.Column)
			continue // the rest of the file is still read
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("row %d: %q\n", row.Number, row.Fields)
	}
	// Output:
	// row 2: ["TV" "55\" screen"]
	// row 3, column 2 is malformed
	// row 4: ["Phone" "6"]
}

// A contacts export without a header row: the first row holds an email
// address like the rows under it, so it is read as data, and every record
// is kept. NoHeaderRow says so for any file.
func ExampleNoHeaderRow() {
	const export = "Ada,Lovelace,ada@example.com\nGrace,Hopper,grace@example.com\n"
	for _, opts := range []*formats.Options{nil, {HeaderRow: formats.NoHeaderRow}} {
		r, err := formats.NewReader(strings.NewReader(export), "contacts.csv", opts)
		if err != nil {
			log.Fatal(err)
		}
		header, rows, err := formats.Preview(r, 10)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(header, len(rows), "rows, headerless:", r.Info().Headerless)
		r.Close()
	}
	// Output:
	// [Column 1 Column 2 Column 3] 2 rows, headerless: true
	// [Column 1 Column 2 Column 3] 2 rows, headerless: true
}
