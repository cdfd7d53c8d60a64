package mapping

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/crmio/crmio"
)

// A concept is something a column may hold whatever the CRM calls it:
// "first name", "email", "company". The built-in dictionary maps the
// column titles of common exports to concepts; the suggester then finds
// the module's field for each concept by its name, label, aliases and type.
type concept struct {
	name    string            // for reasons: "first name"
	types   []crmio.FieldType // field types that can hold it, best first
	phrases map[string]float64
}

// conceptTable lists the concepts: a name, the field types that can hold
// it, then the titles that mean it, normalized as normalize does. A title
// may carry a score below 1 ("@0.8": it often means something else) and a
// label ("[mobile]"). The titles come from the exports of Salesforce,
// HubSpot, Pipedrive, Zoho, Google Contacts, Outlook (English and
// German), Thunderbird, Mailchimp and LinkedIn, and from the names CRMs
// give their fields.
const conceptTable = `
first name   | text               | first name, firstname, given name, forename, vorname, prenom, fname, first@0.8, first names
middle name  | text               | middle name, additional name, weitere vornamen, middle initial, second name, middle@0.8
last name    | text               | last name, lastname, surname, family name, nachname, lname, last@0.8, nom@0.8, nom de famille
full name    | text               | name, full name, fullname, display name, contact name, person name, contact full name, anzeigename, complete name, name full
nickname     | text               | nickname, nick name, spitzname, short name@0.8
salutation   | choice text        | salutation, name prefix, prefix@0.85, anrede, honorific, title@0.6
suffix       | choice text        | suffix, name suffix, namenszusatz
email        | email text         | email, email address, emailaddress, mail@0.85, email adresse, emails, email addresses, mail address, courriel
phone        | phone text         | phone, phone number, telephone, telephone number, tel, tel nr, tel no, telefon, telefonnummer, phone no, phones, mobiltelefon[mobile], autotelefon[car], haupttelefon[main], handy[mobile], cellphone[mobile], mobile number[mobile], cell number[mobile]
company      | reference text     | company, company name, organization, organisation, organization name, organisation name, org@0.8, account, account name, firma, firmenname, employer, current employer, business name, associated company@0.85, work company, unternehmen
job title    | text choice        | job title, title@0.8, position, organization title, work title, designation@0.85, occupation@0.75, profession@0.75, role@0.75, job@0.8, funktion@0.8, berufsbezeichnung, beruf@0.75
department   | text choice        | department, dept, abteilung, organization department, work dept, division@0.8
address      | address            | address, adresse, anschrift, full address
website      | url text           | website, web site, web page, webpage, homepage, home page, webseite, website url, web address, url@0.85, web@0.8, site@0.7, www@0.85
linkedin     | url text           | linkedin, linkedin url, linkedin page, linkedin profile, linkedin profile url
twitter      | text url           | twitter, twitter username, twitter handle
notes        | text               | notes, note, description, comments, comment, notizen, notiz, bemerkung, bemerkungen, remarks, memo, info@0.75, beschreibung, about@0.7
birthday     | date datetime text | birthday, birthdate, birth date, date of birth, dob, geburtstag, geburtsdatum, born, born on
anniversary  | date datetime      | anniversary, jahrestag, wedding anniversary
created date | datetime date      | created, created date, create date, created on, created at, date created, creation date, created time, date added, added on, person created, record created@0.85, connected on@0.6, object create date time@0.8
modified date| datetime date      | modified, last modified, last modified date, modified time, modified date, modified on, updated, updated at, updated on, last updated, date modified, last modified time
status       | choice text        | status, lead status, contact status, lifecycle stage@0.7
stage        | choice text        | stage, stage name, deal stage, sales stage, pipeline stage, opportunity stage
lead source  | choice text        | lead source, source@0.8, original source@0.85, leadsource
owner        | reference text     | owner, contact owner, record owner, lead owner, account owner, owner name, assigned to, sales rep
record id    | text number        | id, record id, contact id, lead id, external id, account id, person id, unique id
gender       | choice text        | gender, sex, geschlecht
industry     | choice text        | industry, branche, sector
revenue      | number             | annual revenue, revenue
employees    | number             | employees, number of employees, employee count, company size@0.8
tags         | text choice        | tags, tag, labels@0.8, categories, category@0.8, kategorien, group membership, groups@0.8
language     | choice text        | language, preferred language, sprache
email opt out| bool               | email opt out, has opted out of email, unsubscribed@0.8, opted out@0.8, do not email, unsubscribed from all email@0.85
do not call  | bool               | do not call, dont call
last activity| datetime date      | last activity date, last activity, last activity time, last contacted@0.85
rating       | choice text number | rating, lead rating
type         | choice text        | type@0.8, account type, contact type@0.85, record type
subject      | text               | subject
due date     | datetime date      | due date
contact person| reference text    | contact person
`

// stopPhrases are titles known to mean none of the concepts although they
// look like one ("Birth Day" is the day of the month of a birthday; "E-mail
// Type" is Outlook's "SMTP"). They stop the similarity fallback.
var stopPhrases = []string{
	"birth day", "birth month", "birth year", "geburtsmonat", "geburtsjahr", "geburtstag tag",
	"email type", "email 2 type", "email 3 type", "email display name", "email domain",
	"last name yomi", "first name yomi", "given name yomi", "family name yomi", "yomi name",
	"display name yomi", "company yomi", "phonetic first name", "phonetic last name", "phonetic middle name",
	"file as", "initials", "last page seen", "first page seen", "last contacted", "email confirmed",
	"screen name", "domain name", "company domain name", "time zone", "timezone",
}

// knownNameScore is the score of a title the dictionary knows: as sure as
// a field's own name. When two columns claim a field with the same score,
// the more specific title wins ("Job Title" before "Title", "Lead Status"
// before "Status"), then the leftmost ("Company" before Outlook's
// "Account"): exports put the columns people use first.
const knownNameScore = 1.0

// The indexes of the concepts the suggester treats specially.
var conceptAddress, conceptPhone, conceptCompany, conceptWebsite, conceptFullName, conceptFirstName, conceptLastName int
var conceptJobTitle, conceptDepartment int

// concepts is the parsed conceptTable.
var concepts []concept

// dictEntry is what a known title means.
type dictEntry struct {
	concept int // -1: a stop phrase
	label   string
	score   float64
}

// dictionary maps a normalized title to its meanings, most likely first
// ("title" is a job title before it is a salutation).
var dictionary = map[string][]dictEntry{}

// vocabulary holds every word the dictionary uses, for splitting
// run-together titles.
var vocabulary = map[string]bool{}

// labelWord is the label a word of a title gives, with its priority.
type labelWord struct {
	label    string
	priority int
}

// labelWords map a word of a title to the label it gives a multi-value
// field's item, with a priority: "Business Fax" is a fax before it is work.
var labelWords = map[string]labelWord{
	"fax": {"fax", 9}, "telefax": {"fax", 9},
	"pager":  {"pager", 8},
	"mobile": {"mobile", 7}, "cell": {"mobile", 7}, "cellular": {"mobile", 7}, "mobil": {"mobile", 7}, "handy": {"mobile", 7},
	"car": {"car", 6}, "auto": {"car", 6},
	"main": {"main", 5}, "primary": {"main", 5}, "haupt": {"main", 5}, "primare": {"main", 5}, "preferred": {"main", 5},
	"work": {"work", 4}, "business": {"work", 4}, "office": {"work", 4}, "dienstlich": {"work", 4}, "geschaftlich": {"work", 4}, "geschaeftlich": {"work", 4}, "buro": {"work", 4},
	"home": {"home", 4}, "private": {"home", 4}, "personal": {"home", 4}, "privat": {"home", 4}, "personlich": {"home", 4},
	"other": {"other", 3}, "weitere": {"other", 3}, "weiterer": {"other", 3}, "weiteres": {"other", 3}, "alternate": {"other", 3}, "alternative": {"other", 3},
	"secondary": {"other", 3}, "sekundare": {"other", 3},
	"billing": {"billing", 4}, "shipping": {"shipping", 4}, "mailing": {"mailing", 4},
}

// phoneLabels are labels that mean a phone when the title says nothing more
// ("Mobile", "Fax", "Pager").
var phoneLabels = map[string]bool{"mobile": true, "fax": true, "pager": true, "car": true}

// partPhrases map the words of a title to an address part, longest first.
var partPhrases = []struct {
	words []string
	part  crmio.AddressPart
}{
	{[]string{"zip", "postal", "code"}, crmio.PartZip},
	{[]string{"state", "or", "province"}, crmio.PartState},
	{[]string{"country", "region"}, crmio.PartCountry},
	{[]string{"state", "province"}, crmio.PartState},
	{[]string{"state", "region"}, crmio.PartState},
	{[]string{"postal", "code"}, crmio.PartZip},
	{[]string{"post", "code"}, crmio.PartZip},
	{[]string{"zip", "code"}, crmio.PartZip},
	{[]string{"street", "address"}, crmio.PartStreet},
	{[]string{"address", "line"}, crmio.PartStreet},
	{[]string{"street", "line"}, crmio.PartStreet},
	{[]string{"zip", "postal"}, crmio.PartZip},
	{[]string{"country", "code"}, crmio.PartCountry},
	{[]string{"state", "code"}, crmio.PartState},
	{[]string{"street"}, crmio.PartStreet},
	{[]string{"strasse"}, crmio.PartStreet},
	{[]string{"city"}, crmio.PartCity},
	{[]string{"town"}, crmio.PartCity},
	{[]string{"ort"}, crmio.PartCity},
	{[]string{"stadt"}, crmio.PartCity},
	{[]string{"locality"}, crmio.PartCity},
	{[]string{"state"}, crmio.PartState},
	{[]string{"province"}, crmio.PartState},
	{[]string{"region"}, crmio.PartState},
	{[]string{"county"}, crmio.PartState},
	{[]string{"bundesland"}, crmio.PartState},
	{[]string{"zip"}, crmio.PartZip},
	{[]string{"zipcode"}, crmio.PartZip},
	{[]string{"postcode"}, crmio.PartZip},
	{[]string{"postalcode"}, crmio.PartZip},
	{[]string{"plz"}, crmio.PartZip},
	{[]string{"postleitzahl"}, crmio.PartZip},
	{[]string{"country"}, crmio.PartCountry},
	{[]string{"land"}, crmio.PartCountry},
	{[]string{"nation"}, crmio.PartCountry},
}

// extraWords help split run-together titles without being a title.
var extraWords = []string{"of", "is", "has", "date", "number", "code", "line", "geocode", "accuracy", "latitude",
	"longitude", "deleted", "master", "record", "parent", "system", "modstamp", "stamp", "fiscal", "quarter",
	"year", "amount", "probability", "expected", "total", "quantity", "close", "closed", "won", "next", "step",
	"forecast", "category", "price", "book", "item", "ticker", "symbol", "sic", "ownership", "site", "bounced",
	"reason", "photo", "jigsaw", "individual", "converted", "opportunity", "unread", "by", "viewed",
	"referenced", "cu", "request", "update", "assistant", "reports", "to", "can", "allow", "portal", "self",
	"reg", "opted", "out", "fax", "call", "do", "not", "lead", "contact", "stage", "name", "type", "id",
	"billing", "shipping", "mailing", "other", "home", "mobile", "work", "business", "postal", "street",
	"city", "state", "country", "zip", "address", "phone", "email", "account", "created", "modified", "last",
	"first", "annual", "revenue", "employees", "website", "description", "rating", "industry", "status",
	"owner", "activity", "title", "department", "birthdate", "source", "salutation", "is", "won", "duns",
	"dandb", "company", "geo", "info"}

func init() {
	lines := strings.Split(strings.TrimSpace(conceptTable), "\n")
	lex := readLexicon()
	// First every word, so that normalize splits run-together titles the
	// same way here as at run time.
	for _, line := range lines {
		for _, p := range strings.Split(strings.Split(line, "|")[2], ",") {
			p, _, _ = strings.Cut(p, "@")
			p, _, _ = strings.Cut(p, "[")
			for _, w := range strings.Fields(strings.ToLower(fold(p))) {
				vocabulary[w] = true
			}
		}
	}
	for w := range labelWords {
		vocabulary[w] = true
	}
	for _, pp := range partPhrases {
		for _, w := range pp.words {
			vocabulary[w] = true
		}
	}
	for w := range entityWords {
		vocabulary[w] = true
	}
	for _, w := range extraWords {
		vocabulary[w] = true
	}
	addLexiconVocabulary(lex)
	loadFillers(lex) // every phrase is kept without them
	for _, line := range lines {
		cols := strings.Split(line, "|")
		c := concept{name: strings.TrimSpace(cols[0]), phrases: map[string]float64{}}
		for _, t := range strings.Fields(cols[1]) {
			c.types = append(c.types, crmio.FieldType(t))
		}
		id := len(concepts)
		for _, p := range strings.Split(cols[2], ",") {
			p = strings.TrimSpace(p)
			score, label := 1.0, ""
			if i := strings.IndexByte(p, '['); i >= 0 {
				label = strings.TrimSuffix(p[i+1:], "]")
				p = p[:i]
			}
			if i := strings.IndexByte(p, '@'); i >= 0 {
				score, _ = strconv.ParseFloat(p[i+1:], 64)
				p = p[:i]
			}
			norm := strings.Join(fillerFree(p), " ")
			c.phrases[norm] = score
			addEntry(norm, dictEntry{concept: id, label: label, score: score * knownNameScore})
		}
		concepts = append(concepts, c)
	}
	conceptAddress, conceptPhone, conceptCompany = conceptIndex("address"), conceptIndex("phone"), conceptIndex("company")
	conceptWebsite, conceptFullName = conceptIndex("website"), conceptIndex("full name")
	conceptFirstName, conceptLastName = conceptIndex("first name"), conceptIndex("last name")
	conceptJobTitle, conceptDepartment = conceptIndex("job title"), conceptIndex("department")
	for _, p := range stopPhrases {
		dictionary[strings.Join(fillerFree(p), " ")] = []dictEntry{{concept: -1, score: 1}}
	}
	for _, pp := range partPhrases {
		partDict[strings.Join(pp.words, " ")] = pp.part
	}
	applyLexicon(lex)
	buildFuzzyKeys()
}

func addEntry(p string, e dictEntry) {
	list := append(dictionary[p], e)
	slices.SortStableFunc(list, func(a, b dictEntry) int { return cmp.Compare(b.score, a.score) })
	dictionary[p] = list
}
