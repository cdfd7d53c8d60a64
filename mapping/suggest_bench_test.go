package mapping

import (
	"fmt"
	"testing"

	"github.com/crmio/crmio/schemas"
)

// wideHeader is a 60-column header as real exports mix them: Outlook's
// English titles, a German and a French block, custom fields and
// columns no lexicon knows (which take the similarity path).
var wideHeader = []string{
	"Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department", "Job Title",
	"Business Street", "Business Street 2", "Business City", "Business State", "Business Postal Code",
	"Business Country/Region", "Home Street", "Home City", "Home State", "Home Postal Code",
	"Home Country/Region", "Business Fax", "Business Phone", "Home Phone", "Mobile Phone", "Pager",
	"E-mail Address", "E-mail 2 Address", "Web Page", "Birthday", "Notes", "Categories",
	"Vorname", "Nachname", "Straße geschäftlich", "Ort geschäftlich", "Postleitzahl geschäftlich",
	"Telefon privat", "Prénom", "Nom de famille", "Téléphone (bureau)", "Code postal (domicile)",
	"Ville (domicile)", "Adresse e-mail principale", "x_studio_industry", "cf_lead_score", "Custom: Region",
	"Kdnr", "Emial", "Frist Name", "Account Number", "Assistant's Phone", "Created Date", "Last Modified",
	"Lead Source", "Status", "Record ID", "Owner", "Tags", "Referral Code", "Col59", "Col60",
}

func wideRows(n int) [][]string {
	rows := make([][]string, n)
	for r := range rows {
		row := make([]string, len(wideHeader))
		for c, h := range wideHeader {
			switch {
			case h == "E-mail Address" || h == "E-mail 2 Address" || h == "Adresse e-mail principale" || h == "Emial":
				row[c] = fmt.Sprintf("person%d.%d@example.com", r, c)
			case h == "Business Phone" || h == "Home Phone" || h == "Mobile Phone" || h == "Telefon privat" ||
				h == "Téléphone (bureau)" || h == "Business Fax" || h == "Assistant's Phone" || h == "Pager":
				row[c] = fmt.Sprintf("+1 415 555 %04d", (r*60+c)%10000)
			case h == "Birthday" || h == "Created Date" || h == "Last Modified":
				row[c] = fmt.Sprintf("19%02d-%02d-%02d", 50+r%40, 1+r%12, 1+r%28)
			case h == "Web Page":
				row[c] = fmt.Sprintf("https://www.example%d.com", r)
			case h == "Business Postal Code" || h == "Home Postal Code" || h == "Postleitzahl geschäftlich" || h == "Code postal (domicile)":
				row[c] = fmt.Sprintf("%05d", 10000+r*37)
			case h == "Status":
				row[c] = []string{"new", "contacted", "qualified", "lost"}[r%4]
			default:
				row[c] = fmt.Sprintf("%s %d", h, r)
			}
		}
		rows[r] = row
	}
	return rows
}

// BenchmarkSuggestWide suggests a mapping for a 60-column header with 20
// sample rows onto the built-in schema's people.
func BenchmarkSuggestWide(b *testing.B) {
	m := schemas.Default().Module("people")
	rows := wideRows(20)
	if len(wideHeader) != 60 {
		b.Fatalf("the header has %d columns", len(wideHeader))
	}
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		Suggest(wideHeader, rows, m)
	}
	reportCPU(b, cpu)
}
