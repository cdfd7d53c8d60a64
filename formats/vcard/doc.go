// Package vcard reads and writes vCard files (.vcf), versions 2.1, 3.0 and
// 4.0: what phones, Google Contacts, Outlook, Apple's Contacts and
// Thunderbird export. It registers itself as the "vcf" format: a file
// that starts with BEGIN:VCARD is detected as one.
//
// # Reading
//
// A Reader reads a vCard file as a table, one row per card, whose column
// names the mapping suggester maps onto a people module with their labels:
//
//	First name, Last name, Middle name, Name prefix, Name suffix, Full name, Nickname,
//	Company, Department, Title, Role,
//	E-mail 1 - Type, E-mail 1 - Value, E-mail 2 - Type, ...
//	Phone 1 - Type, Phone 1 - Value, ...
//	Address 1 - Type, Address 1 - Street, - City, - Region, - Postal Code, - Country, ...
//	Website, Other websites, Birthday, Birthday (no year), Birthday (as written),
//	Anniversary, Notes, Categories
//
// of which the header holds only those some card fills, in that order.
// Emails, phones and addresses are numbered groups, as Google Contacts
// exports them: the Type column holds the item's label as a person reads
// it ("Work", "Mobile", "Home Fax", "Pager", Apple's custom "Assistant"),
// the other columns the item, as many groups as the card with the most
// items needs. The suggester reads the Type columns as the items' labels,
// so that a card's every email, phone and address imports with its label
// (one the module lacks becomes "other"). A row's number is the line its
// card starts on.
//
// What the Reader understands:
//
//   - folded lines (a line break and a space or tab), and 2.1's
//     quoted-printable values with their soft line breaks;
//   - CHARSET parameters (UTF-8, ISO-8859-x, Windows code pages,
//     Shift_JIS...), and text that is not UTF-8 read as Windows-1252;
//     files in UTF-16 (with or without a byte order mark);
//   - TYPE parameters, in every form: TYPE=work,voice, several TYPE=,
//     4.0's TYPE="work,voice", 2.1's bare words (TEL;WORK;FAX), and Apple's
//     labels in a group (item1.TEL with item1.X-ABLabel:_$!<Mobile>!$_).
//     CELL, MOBILE and IPHONE are mobile numbers; WORK, HOME and OTHER
//     label emails, phones and addresses; FAX (Work Fax, Home Fax) and
//     PAGER phones; types that say nothing of an item's use (PREF, VOICE,
//     INTERNET) leave it unlabelled;
//   - any number of EMAIL, TEL and ADR properties, each in its group; the
//     first URL is the Website, the others are joined with " ::: " in
//     Other websites; an address's PO box and extended address are lines
//     of its Street;
//   - N (family; given; additional; prefix; suffix), and FN: a card without
//     N takes its name from FN ("Lovelace, Ada", else the last word is the
//     last name); FN that says more than N is kept as Full name;
//   - ORG (the company, then its units as Department), TITLE, ROLE,
//     NICKNAME, NOTE, CATEGORIES, URL, 4.0's tel: URIs;
//   - BDAY as a date (1990-03-07, 19900307, a date and time), and without a
//     year (--0307, --03-07, Apple's X-APPLE-OMIT-YEAR) as "--03-07" in its
//     own column, since a date field needs a year; ANNIVERSARY and the
//     X-...-ANNIVERSARY properties of Outlook, Evolution and Windows;
//   - X-CRMIO-FIELD;X-COLUMN=name, which the Writer writes for a column
//     vCard has no property for: the Reader reads it back as that column.
//
// PHOTO, LOGO, SOUND, KEY and every other property are skipped as they
// are read, their lines passed over and never kept, also a 2.1 base64
// value whose lines are not folded. Memory is bounded by a card: a
// property is cut at 1 MiB and a card keeps its first 4,096 properties,
// each with a Notice. A malformed line is skipped with a Notice; nothing
// in a file makes the Reader fail but the file itself (too large,
// unreadable, or without a single card: formats.ErrNoHeader).
//
// The Reader reads its file twice: once to find the columns and count the
// cards, then row by row. formats.Open gives it the file (a stream is
// copied to a temporary file first, as for workbooks).
//
// # Writing
//
// A Writer writes a table as cards, version 3.0 by default (see
// WriterOptions), knowing the columns by their names (see Writer): the
// columns an export of a people module writes ("Email (Work)", "Phone
// (Mobile)", "Address (Home) - City"), the numbered groups the Reader and
// Google Contacts write, and common synonyms. Text is escaped and folded
// as the version requires; 2.1 writes text that is not ASCII as
// quoted-printable UTF-8; a label with no vCard type goes into an Apple
// X-ABLabel.
//
// # Fuzzing
//
//	go test ./formats/vcard -run '^$' -fuzz FuzzReader -fuzztime 60s -fuzzminimizetime 0
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzReader$' -fuzzminimizetime 0 ./formats/vcard
//	go test -run '^$' -fuzz '^FuzzWriteRead$' -fuzzminimizetime 0 ./formats/vcard
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package vcard
