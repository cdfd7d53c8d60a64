package csv_test

import (
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
)

func ExampleNewReader() {
	// A German Excel export: Windows-1252 text, semicolons, decimal
	// commas, and a note spanning two lines.
	export := "Name;Umsatz;Notiz\r\nM\xfcller;1.234,50;\"Stra\xdfe 1\r\nK\xf6ln\"\r\nDupont;99,00;\r\n"
	r, err := csv.NewReader(strings.NewReader(export), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	info := r.Info()
	fmt.Printf("%s, delimiter %q\n", info.Encoding, info.Delimiter)
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
	// Output:
	// windows-1252, delimiter ';'
	// [Name Umsatz Notiz]
	// row 2: ["Müller" "1.234,50" "Straße 1\r\nKöln"]
	// row 3: ["Dupont" "99,00" ""]
}

func ExampleNewReader_options() {
	// Rows of notes above the header, and the user has told us the
	// header's row and the encoding.
	text := "Exported 2024-05-01\nby the sales team\nEmail|Name\nzo\xeb@example.com|Zo\xeb\n"
	r, err := csv.NewReader(strings.NewReader(text), &formats.Options{HeaderRow: 3, Encoding: "latin1", Delimiter: '|'})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	row, err := r.Read()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Header(), row.Number, row.Fields, r.Info().Encoding)
	// Output:
	// [Email Name] 4 [zoë@example.com Zoë] iso-8859-1
}
