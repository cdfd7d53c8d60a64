// Package contactgen writes realistic, deterministic contact exports for
// benchmarks and load tests: 15 columns as a CRM exports them, a share of
// rows repeating an earlier row's email in another case, and a bounded set
// of companies so that account references repeat.
package contactgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
)

// Header is the header row the generator writes.
var Header = []string{"First Name", "Last Name", "Email", "Work Email", "Mobile Phone", "Work Phone",
	"Company", "Job Title", "Street", "City", "State", "Zip", "Country", "Website", "Birthday"}

// Options configure a generated file. A nil *Options means defaults.
type Options struct {
	// DuplicateRate is the share of rows whose email repeats an earlier
	// row's (default 0.05).
	DuplicateRate float64
	// Companies is the number of distinct companies (default 10,000).
	Companies int
	// Seed makes the output reproducible (default 1).
	Seed uint64
}

var (
	firstNames = []string{"Ada", "Alan", "Grace", "Katherine", "Margaret", "Dorothy", "Edsger", "Barbara", "Tim", "Radia",
		"Frances", "Hedy", "Annie", "John", "Sophie", "Linus", "Ken", "Dennis", "Bjarne", "Guido", "Zoë", "José", "Łukasz", "Søren"}
	lastNames = []string{"Lovelace", "Turing", "Hopper", "Johnson", "Hamilton", "Vaughan", "Dijkstra", "Liskov", "Berners-Lee",
		"Perlman", "Allen", "Lamarr", "Easley", "von Neumann", "Wilson", "Torvalds", "Thompson", "Ritchie", "Stroustrup", "van Rossum", "Müller", "García"}
	titles = []string{"Engineer", "Manager", "Director", "VP Sales", "Analyst", "Consultant", "CEO", "Designer"}
	cities = []struct{ city, state, zip string }{
		{"San Francisco", "CA", "94105"}, {"New York", "NY", "10001"}, {"Austin", "TX", "73301"}, {"Seattle", "WA", "98101"},
		{"Boston", "MA", "02108"}, {"Chicago", "IL", "60601"}, {"Denver", "CO", "80202"}, {"Miami", "FL", "33101"},
	}
	areaCodes = []string{"415", "212", "512", "206", "617", "312", "303", "305"}
)

// Write writes a header and rows data rows to w.
func Write(w io.Writer, rows int, opts *Options) error {
	o := Options{DuplicateRate: 0.05, Companies: 10000, Seed: 1}
	if opts != nil {
		if opts.DuplicateRate > 0 {
			o.DuplicateRate = opts.DuplicateRate
		}
		if opts.Companies > 0 {
			o.Companies = opts.Companies
		}
		if opts.Seed != 0 {
			o.Seed = opts.Seed
		}
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	bw := bufio.NewWriterSize(w, 256<<10)
	for i, h := range Header {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(h)
	}
	bw.WriteString("\r\n")
	for i := range rows {
		id := i
		if i > 0 && rng.Float64() < o.DuplicateRate {
			id = rng.IntN(i) // an earlier row's person, email in upper case
		}
		first := firstNames[id%len(firstNames)]
		last := lastNames[(id/len(firstNames))%len(lastNames)]
		email := fmt.Sprintf("person%d@example.com", id)
		if id != i {
			email = fmt.Sprintf("Person%d@Example.com", id)
		}
		company := id % o.Companies
		c := cities[id%len(cities)]
		area := areaCodes[id%len(areaCodes)]
		fmt.Fprintf(bw, "%s,%s,%s,p%d@work%d.example.com,(%s) 555-%04d,%s.555.%04d,Company %d,%s,%d Main St,%s,%s,%s,US,https://www.company%d.example.com,%02d/%02d/%d\r\n",
			first, last, email, id, company, area, id%10000, area, (id+1)%10000, company, titles[id%len(titles)],
			1+id%9999, c.city, c.state, c.zip, company, 1+id%12, 1+id%28, 1940+id%60)
	}
	return bw.Flush()
}

// WriteFile writes a generated file at path.
func WriteFile(path string, rows int, opts *Options) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, rows, opts); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
