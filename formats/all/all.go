// Package all registers every file format crmio reads. Import it for its
// side effect:
//
//	import _ "github.com/crmio/crmio/formats/all"
//
// after which formats.Open and formats.NewReader read CSV, XLSX, XLS and
// vCard files, and formats.NewWriter (and the exporter) writes CSV, XLSX,
// vCard and PDF.
// A program that needs fewer formats imports only those packages
// (github.com/crmio/crmio/formats/csv, ...) and links less code.
package all

import (
	_ "github.com/crmio/crmio/formats/csv"   // registers "csv"
	_ "github.com/crmio/crmio/formats/pdf"   // registers "pdf" (written only)
	_ "github.com/crmio/crmio/formats/vcard" // registers "vcf"
	_ "github.com/crmio/crmio/formats/xls"   // registers "xls"
	_ "github.com/crmio/crmio/formats/xlsx"  // registers "xlsx"
)
