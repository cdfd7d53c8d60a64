package mapping

import (
	"testing"
	"time"
)

// contactHeader and contactRow are a typical 15-column contact row.
var contactHeader = []string{"First Name", "Last Name", "Email", "Work Email", "Mobile Phone", "Work Phone",
	"Company", "Job Title", "Street", "City", "State", "Zip", "Website", "Birthday", "Notes"}

var contactRow = []string{"Ada", "Lovelace", "ada@example.com", "ada.lovelace@analytical.co.uk", "(415) 555-0102",
	"+1 212 555 0147", "Analytical Engines Ltd", "Chief Mathematician", "12 St James's Square", "London", "CA",
	"94105", "https://example.com", "12/10/1985", "Met at the Difference Engine demo; wants a follow-up in March."}

func compileContact(tb testing.TB) *Mapper {
	tb.Helper()
	m := peopleModule()
	mp := FromSuggestions(Suggest(contactHeader, [][]string{contactRow}, m), Medium)
	if len(mp.Columns) != len(contactHeader) {
		tb.Fatalf("the suggester mapped %d of %d columns: %+v", len(mp.Columns), len(contactHeader), mp.Columns)
	}
	mapper, err := Compile(m, mp, contactHeader, [][]string{contactRow}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return mapper
}

// BenchmarkApply maps the 15-column contact row: two emails, two phones
// (one on the fast path, one already E.164), an account reference, an
// address from four parts, a website, a date.
func BenchmarkApply(b *testing.B) {
	mapper := compileContact(b)
	rec, errs, warns := mapper.Apply(2, contactRow)
	if len(errs) > 0 || len(warns) > 0 || len(rec.Values) != 10 {
		b.Fatalf("record %v, errors %v, warnings %v", rec.Values, errs, warns)
	}
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		mapper.Apply(2, contactRow)
	}
	reportCPU(b, cpu)
}

// reportCPU reports the process's CPU time per operation since start, as
// "cpu-ns/op": on a busy machine the wall clock also counts the time the
// benchmark waited for a core.
func reportCPU(b *testing.B, start time.Duration) {
	if used := processCPU() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkApplyParallel is BenchmarkApply from several goroutines, as the
// importer calls it.
func BenchmarkApplyParallel(b *testing.B) {
	mapper := compileContact(b)
	b.ReportAllocs()
	cpu := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mapper.Apply(2, contactRow)
		}
	})
	reportCPU(b, cpu)
}

func BenchmarkPhoneFastPath(b *testing.B) {
	st := (*Options)(nil).settings()
	b.ReportAllocs()
	for b.Loop() {
		normalizePhone(nil, "(415) 555-0102", &st)
	}
}

func BenchmarkPhoneSlowPath(b *testing.B) {
	st := (*Options)(nil).settings()
	b.ReportAllocs()
	for b.Loop() {
		normalizePhone(nil, "+44 20 7946 0000", &st)
	}
}

func BenchmarkSuggest(b *testing.B) {
	m := peopleModule()
	b.ReportAllocs()
	for b.Loop() {
		Suggest(contactHeader, [][]string{contactRow}, m)
	}
}
