// Package lexicon holds the word lists package mapping reads cells and
// titles with. They are data, kept apart from the code that uses them so
// that each list names its source (SOURCES.md) and can be checked against
// it.
package lexicon

// Calendar holds the names one language writes dates with, as CLDR's
// Gregorian calendar data gives them (see SOURCES.md for the files and
// versions): the wide and abbreviated names of months and weekdays, in
// their "format" and "stand-alone" forms, exactly as CLDR spells them
// (case and trailing dots included), and the words of the language's date
// and time patterns.
type Calendar struct {
	Lang string // BCP 47 tag of the CLDR locale

	// Months[0] is January. Each holds the distinct names CLDR has for
	// the month: wide, then abbreviated forms.
	Months [12][]string
	// Weekdays[0] is Sunday, as in CLDR and time.Weekday.
	Weekdays [7][]string

	// AM and PM are the day periods of 12-hour times ("AM", "a. m.").
	AM, PM []string
	// Noon and Midnight are the day periods CLDR names for 12:00 and
	// 00:00 ("noon", "midi").
	Noon, Midnight []string
	// Eras are the names of the common era ("AD", "n. Chr.", "d. C."): a
	// year next to one is a year as written, never a two-digit one.
	Eras []string
	// Words are the literal words of the language's date and date-time
	// patterns ("d 'de' MMMM 'de' y", "{1} 'à' {0}", "HH 'Uhr'").
	Words []string
	// Ordinals are the suffixes the language writes after a day number,
	// as CLDR's ordinal examples show them ("1st", "1er", "1º", "1e").
	Ordinals []string
}

// Calendars are the calendar names of English, German, French, Spanish,
// Portuguese, Italian and Dutch, from CLDR (SOURCES.md), with the regional
// variants that spell a month differently (de-AT "Jänner", en-GB "Sept").
var Calendars = []Calendar{
	{
		Lang: "en",
		Months: [12][]string{
			{"January", "Jan"}, {"February", "Feb"}, {"March", "Mar"}, {"April", "Apr"},
			{"May"}, {"June", "Jun"}, {"July", "Jul"}, {"August", "Aug"},
			{"September", "Sep"}, {"October", "Oct"}, {"November", "Nov"}, {"December", "Dec"},
		},
		Weekdays: [7][]string{
			{"Sunday", "Sun", "Su"}, {"Monday", "Mon", "Mo"}, {"Tuesday", "Tue", "Tu"}, {"Wednesday", "Wed", "We"},
			{"Thursday", "Thu", "Th"}, {"Friday", "Fri", "Fr"}, {"Saturday", "Sat", "Sa"},
		},
		AM: []string{"AM", "am", "a"}, PM: []string{"PM", "pm", "p"},
		Noon: []string{"noon"}, Midnight: []string{"midnight"},
		Eras:     []string{"AD", "CE", "Anno Domini", "Common Era"},
		Words:    []string{"at"},
		Ordinals: []string{"st", "nd", "rd", "th"},
	},
	{
		Lang:   "en-GB",
		Months: [12][]string{8: {"Sept"}},
	},
	{
		Lang: "de",
		Months: [12][]string{
			{"Januar", "Jan.", "Jan"}, {"Februar", "Feb.", "Feb"}, {"März", "Mär"}, {"April", "Apr.", "Apr"},
			{"Mai"}, {"Juni", "Jun"}, {"Juli", "Jul"}, {"August", "Aug.", "Aug"},
			{"September", "Sept.", "Sep"}, {"Oktober", "Okt.", "Okt"}, {"November", "Nov.", "Nov"}, {"Dezember", "Dez.", "Dez"},
		},
		Weekdays: [7][]string{
			{"Sonntag", "So.", "So"}, {"Montag", "Mo.", "Mo"}, {"Dienstag", "Di.", "Di"}, {"Mittwoch", "Mi.", "Mi"},
			{"Donnerstag", "Do.", "Do"}, {"Freitag", "Fr.", "Fr"}, {"Samstag", "Sa.", "Sa"},
		},
		AM: []string{"AM"}, PM: []string{"PM"},
		Midnight: []string{"Mitternacht"},
		Eras:     []string{"n. Chr.", "u. Z.", "unserer Zeitrechnung"},
		Words:    []string{"Uhr"},
		Ordinals: []string{"."},
	},
	{
		Lang:   "de-AT",
		Months: [12][]string{0: {"Jänner", "Jän.", "Jän"}, 8: {"Sep."}},
	},
	{
		Lang: "fr",
		Months: [12][]string{
			{"janvier", "janv."}, {"février", "févr."}, {"mars"}, {"avril", "avr."},
			{"mai"}, {"juin"}, {"juillet", "juil."}, {"août"},
			{"septembre", "sept."}, {"octobre", "oct."}, {"novembre", "nov."}, {"décembre", "déc."},
		},
		Weekdays: [7][]string{
			{"dimanche", "dim.", "di"}, {"lundi", "lun.", "lu"}, {"mardi", "mar.", "ma"}, {"mercredi", "mer.", "me"},
			{"jeudi", "jeu.", "je"}, {"vendredi", "ven.", "ve"}, {"samedi", "sam.", "sa"},
		},
		AM: []string{"AM"}, PM: []string{"PM"},
		Noon: []string{"midi"}, Midnight: []string{"minuit"},
		Eras:     []string{"ap. J.-C.", "EC", "après Jésus-Christ", "de l’ère commune"},
		Words:    []string{"à", "h"},
		Ordinals: []string{"er", "e"},
	},
	{
		Lang: "es",
		Months: [12][]string{
			{"enero", "ene"}, {"febrero", "feb"}, {"marzo", "mar"}, {"abril", "abr"},
			{"mayo", "may"}, {"junio", "jun"}, {"julio", "jul"}, {"agosto", "ago"},
			{"septiembre", "sept"}, {"octubre", "oct"}, {"noviembre", "nov"}, {"diciembre", "dic"},
		},
		Weekdays: [7][]string{
			{"domingo", "dom", "DO"}, {"lunes", "lun", "LU"}, {"martes", "mar", "MA"}, {"miércoles", "mié", "MI"},
			{"jueves", "jue", "JU"}, {"viernes", "vie", "VI"}, {"sábado", "sáb", "SA"},
		},
		AM: []string{"a. m."}, PM: []string{"p. m."},
		Noon: []string{"mediodía"},
		Eras: []string{"d. C.", "e. c.", "después de Cristo", "era común"},
		// "d 'de' MMMM 'de' y"
		Words:    []string{"de"},
		Ordinals: []string{".º", "º", ".er"},
	},
	{
		Lang: "pt",
		Months: [12][]string{
			{"janeiro", "jan."}, {"fevereiro", "fev."}, {"março", "mar."}, {"abril", "abr."},
			{"maio", "mai."}, {"junho", "jun."}, {"julho", "jul."}, {"agosto", "ago."},
			{"setembro", "set."}, {"outubro", "out."}, {"novembro", "nov."}, {"dezembro", "dez."},
		},
		Weekdays: [7][]string{
			{"domingo", "dom."}, {"segunda-feira", "seg."}, {"terça-feira", "ter."}, {"quarta-feira", "qua."},
			{"quinta-feira", "qui."}, {"sexta-feira", "sex."}, {"sábado", "sáb."},
		},
		AM: []string{"AM"}, PM: []string{"PM"},
		Noon: []string{"meio-dia"}, Midnight: []string{"meia-noite"},
		Eras:     []string{"d.C.", "EC", "depois de Cristo", "Era Comum"},
		Words:    []string{"de", "h"},
		Ordinals: []string{"º"},
	},
	{
		Lang: "it",
		Months: [12][]string{
			{"gennaio", "gen"}, {"febbraio", "feb"}, {"marzo", "mar"}, {"aprile", "apr"},
			{"maggio", "mag"}, {"giugno", "giu"}, {"luglio", "lug"}, {"agosto", "ago"},
			{"settembre", "set"}, {"ottobre", "ott"}, {"novembre", "nov"}, {"dicembre", "dic"},
		},
		Weekdays: [7][]string{
			{"domenica", "dom"}, {"lunedì", "lun"}, {"martedì", "mar"}, {"mercoledì", "mer"},
			{"giovedì", "gio"}, {"venerdì", "ven"}, {"sabato", "sab"},
		},
		AM: []string{"AM"}, PM: []string{"PM"},
		Noon: []string{"mezzogiorno"}, Midnight: []string{"mezzanotte"},
		Eras:     []string{"d.C.", "dC", "E.V.", "dopo Cristo", "Era Volgare"},
		Ordinals: []string{"º"},
	},
	{
		Lang: "nl",
		Months: [12][]string{
			{"januari", "jan"}, {"februari", "feb"}, {"maart", "mrt"}, {"april", "apr"},
			{"mei"}, {"juni", "jun"}, {"juli", "jul"}, {"augustus", "aug"},
			{"september", "sep"}, {"oktober", "okt"}, {"november", "nov"}, {"december", "dec"},
		},
		Weekdays: [7][]string{
			{"zondag", "zo"}, {"maandag", "ma"}, {"dinsdag", "di"}, {"woensdag", "wo"},
			{"donderdag", "do"}, {"vrijdag", "vr"}, {"zaterdag", "za"},
		},
		AM: []string{"a.m."}, PM: []string{"p.m."},
		Midnight: []string{"middernacht"},
		Eras:     []string{"n.Chr.", "n.C.", "g.j.", "gj", "na Christus", "gewone jaartelling"},
		Ordinals: []string{"e"},
	},
}

// Supplement holds names people write that CLDR does not list, each with
// the reason it is here (SOURCES.md): English abbreviations in common use,
// German transliterations, the filler words of English, French, Spanish,
// Portuguese, Italian, Dutch and German dates ("the 2nd of June", "le 5
// mars", "den 5. März") and the ordinal suffixes CLDR's examples do not
// show.
var Supplement = Calendar{
	Lang: "und",
	Months: [12][]string{
		1: {"Febr"}, 2: {"Mrz", "Maerz"}, 8: {"Sept"},
	},
	Weekdays: [7][]string{
		2: {"Tues"}, 3: {"Weds"}, 4: {"Thur", "Thurs"},
	},
	AM:       []string{"a.m."},
	PM:       []string{"p.m."},
	Words:    []string{"the", "of", "on", "le", "del", "el", "às", "alle", "il", "om", "um", "den"},
	Ordinals: []string{"ste", "de", "ª", "°"},
}
