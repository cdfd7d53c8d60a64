package main

// The tool reads and writes every file format crmio ships: CSV, XLSX, XLS,
// vCard and (written only) PDF.
import _ "github.com/crmio/crmio/formats/all"
