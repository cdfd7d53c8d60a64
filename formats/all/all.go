// Package all registers every file format crmio reads. Import it for its
// side effect:
//
//	import _ "github.com/crmio/crmio/formats/all"
//
// after which formats.Open and formats.NewReader read CSV, XLSX and XLS.
// A program that needs fewer formats imports only those packages
// (github.com/crmio/crmio/formats/csv, ...) and links less code.
package all

import (
	_ "github.com/crmio/crmio/formats/csv"  // registers "csv"
	_ "github.com/crmio/crmio/formats/xls"  // registers "xls"
	_ "github.com/crmio/crmio/formats/xlsx" // registers "xlsx"
)
