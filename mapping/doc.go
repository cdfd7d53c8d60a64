// Package mapping turns the rows of a file into records of a module: it
// suggests which column holds which field, and applies the mapping the user
// accepts to every row, coercing and validating each cell.
//
// The two halves meet in a Mapping, plain data that serializes to JSON:
//
//	header, sample := ...                                      // from formats.Reader
//	suggestions := mapping.Suggest(header, sample, module)     // one per column
//	mp := mapping.FromSuggestions(suggestions, mapping.Medium) // the user reviews and edits it
//	mapper, err := mapping.Compile(module, mp, header, sample, opts)
//	for each row {
//		rec, rowErrs, warnings := mapper.Apply(row.Number, row.Fields)
//	}
//
// # Suggesting a mapping
//
// Suggest (and Heuristic, the built-in Suggester) reads each column's title
// and, when given, a few sample rows. It weighs these signals:
//
//   - The title, normalized: case, accents, punctuation, camelCase and
//     snake_case, run-together words ("BILLINGPOSTALCODE", "Werkadres"),
//     "e-mail", Pipedrive's "Person - Email - Work" entity prefixes and
//     HubSpot's "Record ID - Company" suffixes, Zoho's "Account Name.id"
//     lookup ids.
//   - The module's own names: a field's name, label and Aliases, and the
//     titles crmio's exports write (crmio.ColumnName: "Phone (Mobile)",
//     "Address (Work) - City"), which map back with High confidence.
//   - A lexicon of the words titles are made of, in English, German,
//     French, Spanish, Portuguese, Italian and Dutch (lexicon/*.txt, with
//     lexicon/SOURCES.md saying where each list comes from: localized
//     exports and the localization tables of mail clients, CRMs and
//     contact apps): the names of concepts (first name, email, company,
//     job title...), the labels of items (work, home, mobile, billing...)
//     and the parts of an address, with their accent-less, abbreviated and
//     upper-case forms. Concepts map to the module's fields by the
//     fields' names and types, so that it works for any module: "Company"
//     finds a reference to an accounts module, "E-mail 2 Address" the
//     module's only email field.
//   - The title is read word by word: a known phrase anywhere in it names
//     the concept, and the words around it are its label, address part,
//     group number or role, wherever they stand ("Telefone (trabalho)",
//     "Adresse (domicile)", "Ciudad de envío", "Phone 2 (work)", "Phone 1 -
//     Type"). Fillers ("de", "del", "du", "van", "of") mean nothing;
//     words that add nothing to a concept are allowed ("Numéro de
//     téléphone", "E-mail Address", "CreatedDateTime"), and so is the
//     same concept twice ("Postcode / ZIP"). What is left lowers the
//     score: a custom-field wrapper or role prefix ("x_studio_industry",
//     "Custom: Job Title", "cf_company", "main_contact_last_name",
//     "status_name") one confidence level; a word in parentheses no
//     lexicon knows ("Remarks (internal)") one level; any other word
//     that is not the concept's ("Account Number") down to Low at most.
//     A title about someone else ("Assistant's Phone", "Emergency
//     contact", "Nome do gerente") and one known to mean nothing a module
//     holds ("Birth Year", "Email Domain") are not suggested at all, not
//     even from their values.
//   - The columns around: the unlabelled parts of an address take the
//     label of the part beside them that has one ("Adresse privée",
//     "Ville", "Code postal" are the home address).
//   - Whole names: for a module with first and last name and no field
//     for a whole name, "Full Name", "Name" or "Nom complet" is split
//     into both (Role RoleWholeName, see SplitName): Medium from the title,
//     High when the samples read as whole names.
//   - Near misses, by Jaro-Winkler similarity ("Emial", "Frist Name"),
//     for titles nothing else reads, with a lower score: Low at most when
//     the title holds a known word its look-alike does not.
//   - The sample values: email addresses, phone numbers, web addresses,
//     dates, numbers, yes/no values, countries, postal codes and a choice
//     field's choices. Samples that agree raise the score and say so in the
//     reason; samples that contradict the title veto it ("Birthday" full
//     of "soon"); samples that half agree keep it below High; and samples
//     alone can map a column whose title means nothing ("Col2" full of
//     email addresses becomes Email, Medium; "Home" over phone numbers, a
//     home phone), but at most Low when the title says it is something
//     else ("Domain" over web addresses, "Email" over phone numbers).
//
// A single-value field, an address part and a labelled item are never
// suggested for two columns: the best column wins, then the more specific
// title ("Job Title" before "Title"), then the leftmost. A multi-value field
// takes several columns ("Mobile Phone" and "Work Phone"); an address is
// built from one column per part, several for a street's lines.
//
// Each Suggestion carries a Confidence and a Reason a user can read:
//
//   - High: the title is the field's own name, crmio's title for it, or a
//     name the lexicon knows for it, whole and without a wrapper, and the
//     samples, when given, agree (or, for text, do not contradict it); or
//     the mapping memory remembers the column (see Remembered). Apply it
//     without asking.
//   - Medium: probably right: an ambiguous title ("Title", "Address"), a
//     wrapped or qualified name, a close misspelling, a whole name without
//     samples, or samples alone under a title that means nothing. Apply
//     it, but show it.
//   - Low: a guess worth showing, not applying: similarity or values
//     against a title that says something else.
//   - None: nothing; the column is not imported unless the user maps it.
//
// # Mapping memory
//
// A mapping a user fixed by hand serves the next file from the same
// source: HeaderFingerprint identifies a header (its titles in order, up
// to case, accents and punctuation), a store remembers the mapping an
// import ran with per module and fingerprint (storage.MappingMemory, kept
// by the importer), and Remembered puts it in front of the built-in
// suggester: remembered, then known names, then near misses.
//
//	s := mapping.Chain(mapping.Remembered(recall), mapping.Default)
//
// # Other suggesters
//
// A Suggester returns one Suggestion per column. Chain puts others in front
// of the built-in one: the mappings a user saved for files from the same
// source, or a language model. A model plugs in as a SuggesterFunc that
// sends the header, a few rows and the module's fields and returns its
// answer as suggestions:
//
//	llm := mapping.SuggesterFunc(func(ctx context.Context, in mapping.Input) ([]mapping.Suggestion, error) {
//		answer, err := askModel(ctx, in.Header, in.Rows[:min(5, len(in.Rows))], in.Module)
//		...
//	})
//	suggestions, err := mapping.Chain(llm, mapping.Default).Suggest(ctx, in)
//
// For each column the chain keeps the first suggestion with a target. It
// drops suggestions of fields the module does not have, and those that
// take a single-value field or an address part an earlier suggester gave
// another column. A failing suggester does not fail the chain: its error
// is returned beside the others' suggestions.
//
// # The Mapping
//
// A Mapping lists the mapped columns, static values and, optionally, the
// coercion options. Its JSON form is stable, so it can be saved as a
// template:
//
//	{"columns": [
//	   {"column": 0, "header": "First Name", "field": "first_name"},
//	   {"column": 3, "header": "Phone 1 - Type", "field": "phone", "group": "1", "role": "label"},
//	   {"column": 4, "header": "Phone 1 - Value", "field": "phone", "group": "1"},
//	   {"column": 7, "header": "Business City", "field": "address", "label": "work", "part": "city"},
//	   {"column": 9, "header": "Born", "field": "birthday", "date_order": "day_first"}],
//	 "static": [{"field": "lead_source", "value": "Trade show"}],
//	 "options": {"default_region": "DE", "location": "Europe/Berlin"}}
//
// A column's Target names a field, and for a multi-value field the label
// of its item ("mobile"), for an address the part ("city"). Group ties
// columns that build one item: the parts of one address, or a value and
// the column holding its label (Role "label", Google Contacts' "Phone 1 -
// Type"). When Header is set, Compile finds the column by its title if it
// moved, so a template survives a later export with an extra column.
//
// Compile checks a Mapping against the module and the file and reports
// every problem at once as *MappingError values wrapping
// ErrInvalidMapping: unknown fields, labels the field does not allow,
// parts on fields that are not addresses, a single-value field mapped
// twice, static values the field cannot hold, required fields left
// unmapped. It also reads the sample to decide, for each column, the date
// order and the decimal separator (see below); Mapper.Warnings reports the
// columns the sample left undecided.
//
// # Applying it
//
// Mapper.Apply turns one row into a crmio.Record, with a crmio.RowError
// for each cell its field cannot hold and for each required field left
// empty, and a crmio.Warning for each value kept despite a doubt. Each
// names the row as the user's spreadsheet numbers it, the column by its
// title, the field, the text, and a reason a person understands:
// `"bob@" is not an email address`. RowError.Err is crmio.ErrInvalidValue
// or crmio.ErrRequired. A Mapper is read-only: Apply is safe for concurrent
// use, and allocates little beyond the record.
//
// # Coercion
//
// Every cell is trimmed; an empty cell sets nothing. A static value fills
// a field the row leaves without a value. By field type:
//
//   - text: as is.
//   - email: RFC 5321 and 5322 as mail systems accept them, kept as
//     typed: a dot-atom or quoted local part ("john doe"@example.com), in
//     any script (RFC 6531); a domain of two or more labels, valid IDNA
//     2008 when international. Refused with a reason: a trailing dot in
//     the domain, full-width and other look-alike characters IDNA only
//     maps ("ｅｘａｍｐｌｅ.com"), IP literals, comments, and addresses
//     over the RFCs' lengths. "Ada <ada@example.com>" and "mailto:" forms
//     give the address. email.go lists the rules.
//   - phone: E.164 ("+14155550102", ";ext=12" for an extension) by the
//     default region (Options.DefaultRegion, "US"). North American numbers
//     take a fast path that agrees with github.com/nyaruka/phonenumbers;
//     other numbers go through it. A number that is not valid is kept as
//     typed, with a Warning.
//   - url: http and https addresses as the WHATWG URL Standard parses
//     them, credentials and IPv6 hosts included, and bare domains
//     ("acme.com"). Refused: other schemes, IPv4 parts over 255 and the
//     hexadecimal and short IPv4 forms, port 0, percent-encoded hosts.
//     Characters the standard percent-encodes in the path, query and
//     fragment (spaces, quotes, "<", ">", "`", "{", "}") are escaped as it
//     does: "https://x.com/<script>" is kept as
//     "https://x.com/%3Cscript%3E". url.go says why for each rule.
//   - number: an exact crmio.Decimal. Group separators as CLDR's locales
//     write them (",", ".", spaces and no-break spaces, "'", "’", "٬"), in
//     groups of three or Indian groups ("12,34,567.89"), the digits of any
//     script, currency symbols and codes, a trailing "%", accounting
//     parentheses and exponents are read. Whether a column uses a decimal
//     comma ("1.234,56") is decided from its sample ("12,5" proves it),
//     else Options.DecimalComma, or ColumnMapping.DecimalComma. A number
//     beyond the range of a float64 (1.8e308, or under 4.9e-324 and not
//     0) is refused with a reason.
//   - bool: yes/no, true/false, 1/0, y/n, x, on/off, ja/nein, wahr/falsch,
//     checked/unchecked, ignoring case.
//   - choice: a choice's value or label, ignoring case; the value is kept.
//   - date: ISO 8601 (2024-01-15, 20240115, 20240115T1030), numeric with
//     slashes, dashes, dots or spaces, spaced dots included ("05. 11.22";
//     dots are always day first: 15.01.2024), month and weekday names,
//     full and abbreviated, in English, German, French, Spanish,
//     Portuguese, Italian and Dutch (from CLDR, see package lexicon; with
//     or without accents), English free forms: ordinals ("the 2nd of June
//     2019", "21st Jan 2020", "1er mai"), weekday prefixes ("Tue Mar  5
//     10:20:30 2019"), the time before or after the date ("9:15 a.m.,
//     March 3, 2018"), a.m. and p.m., eras ("AD", "d. C.") and apostrophe
//     years ("Sat, June 1, '19"); two-digit years (00-29 are 2000s, 30-99
//     1900s, as spreadsheets read them), Excel serial numbers (1900 date
//     system, 1910 to 2099), and any of these with a time, which a date
//     field ignores. A column's order for dates like 03/04/2024 is decided
//     for the whole column: from its sample (13/01/2024 proves day first),
//     else Options.DateOrder (by default month first for US and a few
//     other regions, day first elsewhere), or ColumnMapping.DateOrder. A
//     row beyond the sample that only the other order reads (25/12/2024 in
//     a month-first column) is a RowError that says so, never a date read
//     the other way: the column cannot hold both orders.
//   - datetime: the same dates with a time ("10:30", "10:30:15.250",
//     "2:05 PM", "14h40", "08.30" after a dotted date) and a zone ("Z",
//     "+02:00", "UTC", the US zones of RFC 5322); a time without a zone is
//     in Options.Location (UTC by default). An abbreviation without a
//     known offset ("CEST") is an error for a date-time, ignored for a
//     date. An Excel serial's fraction is its time of day.
//   - reference: the text is the key of the referenced record,
//     crmio.RefValue("", key), for the importer to resolve.
//   - address: built from its part columns; street lines are joined with
//     ", ". A multi-value address has one item per label and group.
//
// A multi-value field takes one item per column, in column order, with the
// column's label, or the label its label column holds ("Mobile", "* Work",
// "Business": any common name of one of the field's labels). A cell may
// hold several values separated by " ::: ", as Google Contacts writes
// them. Items that are the same after crmio.MatchKey are kept once.
//
// Coerce coerces one text the same way, for static values and query
// filters; one text is its own column, so a date that reads only in the
// other order is read so, unless the options set the order.
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzApply$' -fuzzminimizetime 0 ./mapping
//	go test -run '^$' -fuzz '^FuzzCoerce$' -fuzzminimizetime 0 ./mapping
//	go test -run '^$' -fuzz '^FuzzDate$' -fuzzminimizetime 0 ./mapping
//	go test -run '^$' -fuzz '^FuzzSplitName$' -fuzzminimizetime 0 ./mapping
//	go test -run '^$' -fuzz '^FuzzSuggest$' -fuzzminimizetime 0 ./mapping
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package mapping
