package mapping

import (
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/crmio/crmio"
)

// The lexicon: the words column titles are made of, in English, German,
// French, Spanish, Portuguese, Italian and Dutch, one file a language
// under lexicon/ (common.txt holds what is no language's: custom-field
// wrappers). lexicon/SOURCES.md says where each list comes from.
//
// Each line of a file is "<kind> [key]: item, item, ...":
//
//	concept <name>: phrase[@score][[label]], ...  titles that mean a concept of conceptTable
//	label <label>: word, ...                      words that give an item its label ("bureau" → work)
//	label-phrase <label>: phrase, ...             the same, several words ("local de trabalho")
//	part <part>: phrase, ...                      an address part ("code postal" → zip)
//	filler: word, ...                             words that join others and mean nothing ("de", "van")
//	neutral <what>: word, ...                     words a title of a phone, email, url, date or address may carry without meaning more ("numéro")
//	wrapper: word, ...                            custom-field wrappers stripped from the front ("x", "studio", "cf")
//	wrapper-suffix: word, ...                     the same at the end ("status_name", "stage_label")
//	other-party: word, ...                        words naming someone else: "Assistant's Phone" is not the person's phone
//	stop: phrase, ...                             titles known to mean nothing a module holds ("Année de naissance")
//	entity <family>: word, ...                    words naming a record type: person, organization, customer (either)
//	qualifier: word, ...                          words that qualify a field without changing it ("Private Notes"): one level lower
//
// An item ending in "." is an abbreviation ("pro.", "uff."): a word of
// its own, never a part of a run-together word ("Pronome" is no "pro" and
// "nome"). Items are written as exporters and users spell them, with accents;
// they are normalized like titles (accents folded, case ignored), so
// "Téléphone", "TELEPHONE" and "telephone" are one.

//go:embed lexicon/*.txt
var lexiconFiles embed.FS

// lexiconLine is one parsed line of a lexicon file.
type lexiconLine struct {
	file, kind, key string
	items           []string
}

func readLexicon() []lexiconLine {
	var out []lexiconLine
	names, err := fs.Glob(lexiconFiles, "lexicon/*.txt")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		b, err := lexiconFiles.ReadFile(name)
		if err != nil {
			panic(err)
		}
		for n, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			head, list, ok := strings.Cut(line, ":")
			if !ok {
				panic(fmt.Sprintf("mapping: %s:%d: no colon in %q", name, n+1, line))
			}
			kind, key, _ := strings.Cut(strings.TrimSpace(head), " ")
			l := lexiconLine{file: name, kind: kind, key: strings.TrimSpace(key)}
			for _, it := range strings.Split(list, ",") {
				if it = strings.TrimSpace(it); it != "" {
					l.items = append(l.items, it)
				}
			}
			out = append(out, l)
		}
	}
	return out
}

// The word classes the lexicon fills, besides dictionary and labelWords.
var (
	fillers        = map[string]bool{}
	neutralWords   = map[string]map[string]bool{} // "phone", "email", "url", "date", "address" → words
	wrapperWords   = map[string]bool{}
	wrapperTails   = map[string]bool{}
	qualifierWords = map[string]bool{}
	otherParty     = map[string]bool{}
	stopWords      = map[string]bool{}
	// partDict maps the filler-free words of a part phrase to its part.
	partDict = map[string]crmio.AddressPart{}
	// labelPhrases maps several filler-free words to a label.
	labelPhrases = map[string]string{}
	// streetWords are the words after which a number is a line of a street
	// ("Home Address 2", "Address Line 2", "Adresse privée 2") rather than a group.
	streetWords = map[string]bool{"street": true, "address": true, "line": true, "addr": true}
)

// labelPriority is the priority of a label word: "Business Fax" is a fax
// before it is work.
var labelPriority = map[string]int{"fax": 9, "pager": 8, "mobile": 7, "car": 6, "main": 5, "work": 4, "home": 4,
	"billing": 4, "shipping": 4, "mailing": 4, "other": 3}

// addLexiconVocabulary adds every word of the lexicon to the vocabulary
// that splits run-together titles, before any phrase is normalized.
func addLexiconVocabulary(lines []lexiconLine) {
	for _, l := range lines {
		for _, it := range l.items {
			if strings.HasSuffix(it, ".") {
				continue // an abbreviation: not for splitting run-together words
			}
			it, _, _ = strings.Cut(it, "@")
			it, _, _ = strings.Cut(it, "[")
			for _, w := range strings.FieldsFunc(strings.ToLower(fold(it)), func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
			}) {
				if len(w) >= 2 {
					vocabulary[w] = true
				}
			}
		}
	}
}

// fillerFree normalizes s and drops its filler words.
func fillerFree(s string) []string {
	var out []string
	for _, w := range normalize(s) {
		if !fillers[w] {
			out = append(out, w)
		}
	}
	return out
}

// loadFillers reads the lexicon's fillers. They come before any phrase:
// every phrase is stored without them, as titles are read.
func loadFillers(lines []lexiconLine) {
	for _, l := range lines {
		if l.kind == "filler" {
			for _, it := range l.items {
				for _, w := range normalize(it) {
					fillers[w] = true
				}
			}
		}
	}
}

// applyLexicon fills the dictionary and the word classes from the
// lexicon, once loadFillers has read its fillers.
func applyLexicon(lines []lexiconLine) {
	for _, l := range lines {
		where := l.file + ": " + l.kind + " " + l.key
		switch l.kind {
		case "filler":
		case "concept":
			id := conceptID(l.key)
			if id < 0 {
				panic("mapping: " + where + ": no such concept")
			}
			for _, it := range l.items {
				p, score, label := parseLexiconItem(it, where)
				words := fillerFree(p)
				if len(words) == 0 || len(words) == 1 && len(normalize(p)) > 2 {
					// "voor en achternaam" without its fillers is another
					// concept's word: keep phrases whole or not at all.
					panic("mapping: " + where + ": " + p + " is fillers around one word")
				}
				key := strings.Join(words, " ")
				concepts[id].phrases[key] = max(concepts[id].phrases[key], score)
				addEntry(key, dictEntry{concept: id, label: label, score: score * knownNameScore})
			}
		case "label":
			if _, ok := labelPriority[l.key]; !ok {
				panic("mapping: " + where + ": unknown label")
			}
			for _, it := range l.items {
				words := fillerFree(it)
				switch {
				case len(words) == 1:
					if _, taken := labelWords[words[0]]; !taken {
						labelWords[words[0]] = labelWord{l.key, labelPriority[l.key]}
					}
				case len(words) > 1:
					labelPhrases[strings.Join(words, " ")] = l.key
				}
			}
		case "label-phrase":
			for _, it := range l.items {
				labelPhrases[strings.Join(fillerFree(it), " ")] = l.key
			}
		case "part":
			part := crmio.AddressPart(l.key)
			if partIndex(part) < 0 || l.key == "" {
				panic("mapping: " + where + ": unknown part")
			}
			for _, it := range l.items {
				words := fillerFree(it)
				if len(words) == 0 {
					continue
				}
				if _, taken := partDict[strings.Join(words, " ")]; !taken {
					partDict[strings.Join(words, " ")] = part
				}
				if part == crmio.PartStreet && len(words) == 1 {
					streetWords[words[0]] = true
				}
			}
		case "neutral":
			set := neutralWords[l.key]
			if set == nil {
				set = map[string]bool{}
				neutralWords[l.key] = set
			}
			for _, it := range l.items {
				for _, w := range normalize(it) {
					set[w] = true
				}
			}
		case "entity":
			for _, it := range l.items {
				for _, w := range normalize(it) {
					if _, taken := entityWords[w]; !taken {
						entityWords[w] = l.key
					}
				}
			}
		case "wrapper", "wrapper-suffix", "other-party", "qualifier":
			set := map[string]map[string]bool{"wrapper": wrapperWords, "wrapper-suffix": wrapperTails, "other-party": otherParty,
				"qualifier": qualifierWords}[l.kind]
			for _, it := range l.items {
				for _, w := range normalize(it) {
					set[w] = true
				}
			}
		case "stop":
			for _, it := range l.items {
				words := fillerFree(it)
				switch len(words) {
				case 0:
				case 1:
					stopWords[words[0]] = true
				default:
					dictionary[strings.Join(words, " ")] = []dictEntry{{concept: -1, score: 1}}
				}
			}
		default:
			panic("mapping: " + where + ": unknown kind")
		}
	}
	// The words of address concepts start street lines too ("Adresse 2").
	for p, entries := range dictionary {
		if len(entries) > 0 && entries[0].concept == conceptAddress && !strings.Contains(p, " ") {
			streetWords[p] = true
		}
	}
}

// parseLexiconItem reads "phrase@0.8[mobile]" or "phrase[mobile]@0.8".
func parseLexiconItem(it, where string) (phrase string, score float64, label string) {
	score = 1
	if i := strings.IndexByte(it, '['); i >= 0 {
		j := strings.IndexByte(it[i:], ']')
		if j < 0 {
			panic("mapping: " + where + ": no ] in " + it)
		}
		label = it[i+1 : i+j]
		it = it[:i] + it[i+j+1:]
		if _, ok := labelPriority[label]; !ok {
			panic("mapping: " + where + ": unknown label " + label)
		}
	}
	if i := strings.IndexByte(it, '@'); i >= 0 {
		s, err := strconv.ParseFloat(strings.TrimSpace(it[i+1:]), 64)
		if err != nil || s <= 0 || s > 1 {
			panic("mapping: " + where + ": bad score in " + it)
		}
		score, it = s, it[:i]
	}
	return strings.TrimSpace(it), score, label
}

func conceptID(name string) int {
	for i, c := range concepts {
		if c.name == name {
			return i
		}
	}
	return -1
}
