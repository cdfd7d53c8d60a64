// Package workbook holds what the workbook formats (xlsx, xls) share, so
// that a sheet reads the same whichever format it was saved in:
//
//   - Kind, BuiltinKind and FormatKind classify Excel number formats into
//     numbers, dates, times and durations;
//   - SerialTime and FormatSerial turn serial dates into ISO 8601 text in
//     the 1900 and 1904 date systems; FormatNumber and CleanNumber render
//     numbers with the 15 significant digits Excel shows;
//   - Reader is the formats.Reader over a Source of sheet rows: it finds
//     the header (or takes the one the options name, or none), names the
//     columns uniquely, gives columns to cells beyond the header, skips
//     blank rows, pads rows to the header's width and keeps the notices
//     within formats.MaxNotices, with the table rules of
//     formats/internal/table;
//   - ChooseSheet applies the sheet options and names the sheets there are
//     when the one asked for is missing.
package workbook
