package mapping

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/crmio/crmio"
)

// ErrInvalidMapping is wrapped by every *MappingError Compile returns.
var ErrInvalidMapping = errors.New("mapping: invalid mapping")

// MappingError is one thing wrong with a Mapping for a module and a file.
type MappingError struct {
	Column  int    // 0-based; -1 when the problem is not a column's
	Header  string // the column's title, when known
	Field   string // the field concerned, when one is
	Problem string // for a person: `Phone has no label "cell" (its labels: mobile, work)`
}

func (e *MappingError) Error() string {
	switch {
	case e.Column >= 0 && e.Header != "":
		return fmt.Sprintf("mapping: column %d %q: %s", e.Column+1, e.Header, e.Problem)
	case e.Column >= 0:
		return fmt.Sprintf("mapping: column %d: %s", e.Column+1, e.Problem)
	case e.Field != "":
		return fmt.Sprintf("mapping: field %q: %s", e.Field, e.Problem)
	}
	return "mapping: " + e.Problem
}

// Unwrap returns ErrInvalidMapping.
func (e *MappingError) Unwrap() error { return ErrInvalidMapping }

// Mapper applies a compiled Mapping to rows. It is read-only once
// compiled: Apply is safe for concurrent use.
type Mapper struct {
	module   string
	fields   []fieldPlan
	warnings []crmio.Warning
}

type planKind uint8

const (
	planSingle       planKind = iota // one column, one value
	planMulti                        // value columns, one item each
	planAddress                      // one address from parts
	planMultiAddress                 // addresses from parts, one per label and group
)

// fieldPlan says how one field of a record is built.
type fieldPlan struct {
	f      *crmio.Field
	kind   planKind
	cols   []colPlan   // planSingle, planMulti: the value columns in order
	items  []addrPlan  // planAddress (one), planMultiAddress
	static crmio.Value // a list for a multi-value field
	header string      // the first column's title, for messages
	// labels maps the lower-case texts a label column may hold ("cell",
	// "business") to the field's labels.
	labels map[string]string
}

type colPlan struct {
	index    int // in the row
	header   string
	label    string   // the item label the target gives
	labelCol int      // the column holding the item's label, or -1
	name     namePart // the half of a whole name the column gives (fullname.go)
	c        *coercer
}

type addrPlan struct {
	label    string
	group    string
	labelCol int
	parts    [5][]int // column indexes per part, in crmio.AddressParts order; a street may have several lines
	headers  [5]string
}

func partIndex(p crmio.AddressPart) int {
	switch p {
	case crmio.PartStreet, "":
		return 0
	case crmio.PartCity:
		return 1
	case crmio.PartState:
		return 2
	case crmio.PartZip:
		return 3
	case crmio.PartCountry:
		return 4
	}
	return -1
}

// Compile checks mp against module m and the file's header, and returns a
// Mapper that turns rows of the file into records. It reports every
// problem at once (errors.Join of *MappingError, each wrapping
// ErrInvalidMapping): a column out of range or no longer in the file, an
// unknown field, a label the field does not allow, a part on a field that
// is not an address, a single-value field or an address part mapped
// twice, a label column with no values to label, a static value its field
// cannot hold, a required field left unmapped.
//
// sample (some rows of the file, may be nil) decides per column how to
// read dates that could be month-first or day-first and numbers that could
// use a decimal comma; a column the sample leaves undecided takes the
// default of opts, and Mapper.Warnings says so when the sample shows the
// ambiguity. opts may be nil: then mp.Options, else the defaults.
func Compile(m *crmio.Module, mp Mapping, header []string, sample [][]string, opts *Options) (*Mapper, error) {
	if m == nil {
		return nil, &MappingError{Column: -1, Problem: "no module to map to"}
	}
	// The mapper keeps its own copy of the fields, so that a caller
	// changing the module afterwards does not change a mapper in use.
	m = &crmio.Module{Name: m.Name, Label: m.Label, Key: m.Key, Fields: slices.Clone(m.Fields)}
	if opts == nil {
		opts = mp.Options
	}
	st := opts.settings()
	mapper := &Mapper{module: m.Name}
	var errs []error
	bad := func(col int, head, field, format string, args ...any) {
		errs = append(errs, &MappingError{Column: col, Header: head, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	title := func(i int) string {
		if i >= 0 && i < len(header) {
			return strings.TrimSpace(header[i])
		}
		return "#" + strconv.Itoa(i+1)
	}

	// Resolve and check every column.
	type column struct {
		ColumnMapping
		index int
		f     *crmio.Field
	}
	var cols []column
	used := map[int]bool{}
	for _, cm := range mp.Columns {
		idx := cm.Column
		if cm.Header != "" && len(header) > 0 && (idx < 0 || idx >= len(header) || !sameTitle(header[idx], cm.Header)) {
			idx = findTitle(header, cm.Header)
			if idx < 0 {
				bad(cm.Column, cm.Header, cm.Field, "the file has no column titled %q", cm.Header)
				continue
			}
		}
		if idx < 0 || (len(header) > 0 && idx >= len(header)) {
			bad(idx, "", cm.Field, "there is no column %d (the file has %d)", idx+1, len(header))
			continue
		}
		head := title(idx)
		if used[idx] {
			bad(idx, head, cm.Field, "the column is mapped twice")
			continue
		}
		used[idx] = true
		f := m.Field(cm.Field)
		if f == nil {
			bad(idx, head, cm.Field, "module %q has no field %q", m.Name, cm.Field)
			continue
		}
		name := f.DisplayLabel()
		ok := true
		switch {
		case cm.Role == RoleWholeName:
			ok = checkWholeName(m, cm, f, func(format string, args ...any) { bad(idx, head, f.Name, format, args...) })
		case cm.Role != RoleValue && cm.Role != RoleLabel:
			bad(idx, head, f.Name, "unknown role %q (want %q or none)", cm.Role, RoleLabel)
			ok = false
		case cm.Role == RoleLabel && !f.Multi:
			bad(idx, head, f.Name, "%s holds one value: a column cannot hold its label", name)
			ok = false
		}
		if cm.Label != "" {
			switch {
			case !f.Multi:
				bad(idx, head, f.Name, "%s holds one value: it has no label %q", name, cm.Label)
				ok = false
			case !f.HasLabel(cm.Label):
				bad(idx, head, f.Name, "%s has no label %q (its labels: %s)", name, cm.Label, strings.Join(f.Labels, ", "))
				ok = false
			}
		}
		if cm.Part != "" {
			switch {
			case f.Type != crmio.TypeAddress:
				bad(idx, head, f.Name, "%s is not an address: it has no part %q", name, cm.Part)
				ok = false
			case partIndex(cm.Part) < 0:
				bad(idx, head, f.Name, "an address has no part %q (its parts: street, city, state, zip, country)", cm.Part)
				ok = false
			case cm.Role == RoleLabel:
				bad(idx, head, f.Name, "a label column holds no address part")
				ok = false
			}
		}
		if ok {
			cols = append(cols, column{ColumnMapping: cm, index: idx, f: f})
		}
	}

	// Build each field's plan, in the module's field order.
	plans := map[string]*fieldPlan{}
	var order []string
	planOf := func(f *crmio.Field) *fieldPlan {
		if p := plans[f.Name]; p != nil {
			return p
		}
		p := &fieldPlan{f: f}
		switch {
		case f.Type == crmio.TypeAddress && f.Multi:
			p.kind = planMultiAddress
		case f.Type == crmio.TypeAddress:
			p.kind = planAddress
		case f.Multi:
			p.kind = planMulti
		}
		if f.Multi {
			p.labels = labelTexts(f)
		}
		plans[f.Name] = p
		order = append(order, f.Name)
		return p
	}
	// Label columns first, so value columns can find theirs.
	labelCols := map[string]int{} // field|group → column index
	for _, c := range cols {
		if c.Role != RoleLabel {
			continue
		}
		key := c.f.Name + "|" + c.Group
		if prev, dup := labelCols[key]; dup {
			bad(c.index, title(c.index), c.f.Name, "column %q already holds the labels of %s group %q", title(prev), c.f.DisplayLabel(), c.Group)
			continue
		}
		labelCols[key] = c.index
	}
	labelled := map[string]bool{}
	labelColOf := func(c column) int {
		key := c.f.Name + "|" + c.Group
		if i, ok := labelCols[key]; ok {
			labelled[key] = true
			return i
		}
		return -1
	}
	for _, c := range cols {
		if c.Role == RoleLabel {
			continue
		}
		head := title(c.index)
		if c.Role == RoleWholeName {
			planWholeName(m, c.ColumnMapping, c.index, head, planOf, bad, func(f *crmio.Field) *coercer {
				return compileCoercer(f, c.ColumnMapping, c.index, head, sample, &st, &mapper.warnings)
			})
			continue
		}
		p := planOf(c.f)
		if p.header == "" {
			p.header = head
		}
		switch p.kind {
		case planSingle:
			if len(p.cols) > 0 {
				bad(c.index, head, c.f.Name, "%s holds one value, and column %q is mapped to it already", c.f.DisplayLabel(), p.cols[0].header)
				continue
			}
			fallthrough
		case planMulti:
			cp := colPlan{index: c.index, header: head, label: fieldLabel(c.f, c.Label), labelCol: labelColOf(c)}
			cp.c = compileCoercer(c.f, c.ColumnMapping, c.index, head, sample, &st, &mapper.warnings)
			p.cols = append(p.cols, cp)
		case planAddress, planMultiAddress:
			label, group := fieldLabel(c.f, c.Label), c.Group
			if p.kind == planAddress {
				label, group = "", ""
			}
			i := slices.IndexFunc(p.items, func(a addrPlan) bool { return a.label == label && a.group == group })
			if i < 0 {
				p.items = append(p.items, addrPlan{label: label, group: group, labelCol: -1})
				i = len(p.items) - 1
			}
			item := &p.items[i]
			if item.labelCol < 0 && p.kind == planMultiAddress {
				item.labelCol = labelColOf(c)
			}
			pi := partIndex(c.Part)
			if len(item.parts[pi]) > 0 && pi != 0 {
				bad(c.index, head, c.f.Name, "the %s of %s is mapped from column %q already", partName(c.Part), describeItem(c.f, label, group), item.headers[pi])
				continue
			}
			item.parts[pi] = append(item.parts[pi], c.index)
			if item.headers[pi] == "" {
				item.headers[pi] = head
			}
		}
	}
	for key, idx := range labelCols {
		if !labelled[key] {
			bad(idx, title(idx), strings.SplitN(key, "|", 2)[0], "no column holds the values these labels are for")
		}
	}

	// Static values.
	for _, sv := range mp.Static {
		f := m.Field(sv.Field)
		if f == nil {
			bad(-1, "", sv.Field, "module %q has no field %q for a static value", m.Name, sv.Field)
			continue
		}
		if sv.Label != "" && (!f.Multi || !f.HasLabel(sv.Label)) {
			bad(-1, "", f.Name, "%s has no label %q", f.DisplayLabel(), sv.Label)
			continue
		}
		p := planOf(f)
		if !p.static.IsNull() && !f.Multi {
			bad(-1, "", f.Name, "%s has two static values", f.DisplayLabel())
			continue
		}
		c := newCoercer(f, &st, st.dateOrder, st.decimalComma)
		c.orderFixed = opts != nil && opts.DateOrder != AutoOrder // one text decides its own order
		c.orderWhy = "the date order of the options"
		v, reason, warn := c.coerce(nil, strings.TrimSpace(sv.Value))
		switch {
		case reason != "" && !warn:
			bad(-1, "", f.Name, "the static value of %s: %s", f.DisplayLabel(), reason)
			continue
		case reason != "":
			mapper.warnings = append(mapper.warnings, crmio.Warning{Field: f.Name, Value: sv.Value, Reason: "the static value: " + reason})
		}
		if v.IsNull() {
			continue
		}
		if f.Multi {
			items := append(slices.Clone(p.static.List()), crmio.Item{Label: fieldLabel(f, sv.Label), Value: v})
			v = crmio.ListValue(items...)
		}
		p.static = v
	}

	// Required fields need a column or a static value.
	for i := range m.Fields {
		f := &m.Fields[i]
		if !f.Required {
			continue
		}
		if p := plans[f.Name]; p == nil || (len(p.cols) == 0 && len(p.items) == 0 && p.static.IsNull()) {
			bad(-1, "", f.Name, "%s is required: map a column to it or give it a static value", f.DisplayLabel())
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Fields are built in the order of their first column, so that a row's
	// errors read left to right; fields with only a static value come last.
	for _, name := range order {
		mapper.fields = append(mapper.fields, *plans[name])
	}
	slices.SortStableFunc(mapper.fields, func(a, b fieldPlan) int { return a.firstColumn() - b.firstColumn() })
	return mapper, nil
}

// firstColumn returns the index of the plan's first column, or a large
// number for a field with only a static value.
func (p *fieldPlan) firstColumn() int {
	first := 1 << 30
	for _, c := range p.cols {
		first = min(first, c.index)
	}
	for _, it := range p.items {
		for _, cols := range it.parts {
			for _, c := range cols {
				first = min(first, c)
			}
		}
	}
	return first
}

func sameTitle(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(a, "\ufeff")), strings.TrimSpace(b))
}

func findTitle(header []string, title string) int {
	found := -1
	for i, h := range header {
		if sameTitle(h, title) {
			if found >= 0 {
				return -1 // two columns with the title: do not guess
			}
			found = i
		}
	}
	return found
}

// fieldLabel returns the field's own spelling of label.
func fieldLabel(f *crmio.Field, label string) string {
	for _, l := range f.Labels {
		if strings.EqualFold(l, label) {
			return l
		}
	}
	return label
}

func partName(p crmio.AddressPart) string {
	if p == "" {
		return string(crmio.PartStreet)
	}
	return string(p)
}

func describeItem(f *crmio.Field, label, group string) string {
	s := f.DisplayLabel()
	if label != "" {
		s += " (" + label + ")"
	}
	if group != "" {
		s += " #" + group
	}
	return s
}

// labelTexts maps the texts a label column may hold to the labels of f:
// its own labels and the common names of each ("cell" is "mobile").
func labelTexts(f *crmio.Field) map[string]string {
	m := map[string]string{}
	for _, l := range f.Labels {
		m[strings.ToLower(l)] = l
	}
	for word, lw := range labelWords {
		if l, ok := allowedLabel(f, lw.label); ok {
			if _, taken := m[word]; !taken {
				m[word] = l
			}
		}
	}
	return m
}

// compileCoercer builds a column's coercer, deciding its date order and
// decimal separator from the sample.
func compileCoercer(f *crmio.Field, cm ColumnMapping, col int, head string, sample [][]string, st *settings, warnings *[]crmio.Warning) *coercer {
	order, comma := st.dateOrder, st.decimalComma
	why := ""
	switch f.Type {
	case crmio.TypeDate, crmio.TypeDateTime:
		if cm.DateOrder != AutoOrder {
			order, why = cm.DateOrder, "set in the mapping"
			break
		}
		var mf, df, ambiguous int
		example, mfExample, dfExample := "", "", ""
		for _, row := range sample {
			if col >= len(row) {
				continue
			}
			s := strings.TrimSpace(row[col])
			switch o, amb := dateOrderEvidence(s); {
			case o == MonthFirst:
				mf++
				if mfExample == "" {
					mfExample = s
				}
			case o == DayFirst:
				df++
				if dfExample == "" {
					dfExample = s
				}
			case amb:
				ambiguous++
				if example == "" {
					example = s
				}
			}
		}
		why = fmt.Sprintf("the default for region %s: no date in its sample decides", st.region)
		switch {
		case mf > 0 && df == 0:
			order, why = MonthFirst, fmt.Sprintf("its sample holds %q", mfExample)
		case df > 0 && mf == 0:
			order, why = DayFirst, fmt.Sprintf("its sample holds %q", dfExample)
		case mf > 0 && df > 0:
			if df > mf {
				order = DayFirst
			} else if mf > df {
				order = MonthFirst
			}
			why = fmt.Sprintf("%d of its sample's dates are month-first, %d day-first", mf, df)
			*warnings = append(*warnings, crmio.Warning{Column: head, Field: f.Name, Reason: fmt.Sprintf(
				"the sample holds %d month-first and %d day-first dates; reading the column %s", mf, df, order.pattern())})
		case ambiguous > 0:
			*warnings = append(*warnings, crmio.Warning{Column: head, Field: f.Name, Value: example, Reason: fmt.Sprintf(
				"dates such as %q read both month-first and day-first; reading the column %s, the default — set its date order if that is wrong", example, order.pattern())})
		}
	case crmio.TypeNumber:
		if cm.DecimalComma != nil {
			comma = *cm.DecimalComma
			break
		}
		var commas, points int
		for _, row := range sample {
			if col >= len(row) {
				continue
			}
			switch decimalEvidence(strings.TrimSpace(row[col])) {
			case +1:
				commas++
			case -1:
				points++
			}
		}
		switch {
		case commas > 0 && points == 0:
			comma = true
		case points > 0 && commas == 0:
			comma = false
		case commas > 0 && points > 0:
			comma = commas > points
			style := "a decimal point (1,234.56)"
			if comma {
				style = "a decimal comma (1.234,56)"
			}
			*warnings = append(*warnings, crmio.Warning{Column: head, Field: f.Name, Reason: fmt.Sprintf(
				"the sample holds %d numbers with a decimal comma and %d with a decimal point; reading the column with %s", commas, points, style)})
		}
	}
	c := newCoercer(f, st, order, comma)
	// The order holds for the whole column, the rows beyond the sample
	// too: a date only the other order reads is an error saying so.
	c.orderFixed, c.orderWhy = true, why
	return c
}

// Warnings returns the warnings about whole columns found when compiling:
// a date order or decimal separator the sample left undecided, an invalid
// phone number as a static value. Their Row is 0.
func (m *Mapper) Warnings() []crmio.Warning { return slices.Clone(m.warnings) }

// Fields returns the names of the fields the mapper may set: those mapped
// from a column, in the order of their first column, then those with only
// a static value.
func (m *Mapper) Fields() []string {
	names := make([]string, len(m.fields))
	for i := range m.fields {
		names[i] = m.fields[i].f.Name
	}
	return names
}

// multiSeparator separates several values in one cell of a multi-value
// field, as Google Contacts writes them: "a@x.com ::: b@y.com".
const multiSeparator = " ::: "

// maxItems bounds the values one cell of a multi-value field is split
// into; the rest of the cell is ignored.
const maxItems = 64

// Apply maps one row of the file: fields are its cells in column order
// (a short row's missing cells are empty), row is its number as the user
// sees it in their spreadsheet (the header is row 1), for messages.
//
// It returns the record (with Module set and no ID) and the problems of
// the row: a RowError for each cell its field cannot hold and for each
// required field left empty (a row with errors should not be imported),
// and a Warning for each value kept despite a doubt (a phone number that
// is not valid, kept as typed). An empty cell sets nothing; a static value
// fills a field the row leaves without a value.
//
// Apply is safe for concurrent use. It allocates the record and little
// else: the values of text, email, date and most phone cells share the
// row's strings.
func (m *Mapper) Apply(row int, fields []string) (crmio.Record, []crmio.RowError, []crmio.Warning) {
	return m.ApplyTo(nil, row, fields)
}

// ApplyTo is Apply mapping into values, which it clears first, rather than
// into a new map; with nil values it is Apply. The record it returns holds
// values. A caller mapping millions of rows can so reuse the maps of
// records it is done with: a map of a dozen values is most of what mapping
// a row allocates.
func (m *Mapper) ApplyTo(values map[string]crmio.Value, row int, fields []string) (crmio.Record, []crmio.RowError, []crmio.Warning) {
	return m.ApplyIn(nil, values, row, fields)
}

// ApplyIn is ApplyTo making the record's lists and addresses in arena
// (crmio.Arena): a goroutine mapping many rows saves an allocation for
// each. A nil arena is ApplyTo. The arena is the caller's: one per
// goroutine.
func (m *Mapper) ApplyIn(arena *crmio.Arena, values map[string]crmio.Value, row int, fields []string) (crmio.Record, []crmio.RowError, []crmio.Warning) {
	if values == nil {
		values = make(map[string]crmio.Value, len(m.fields))
	} else {
		clear(values)
	}
	rec := crmio.Record{Module: m.module, Values: values}
	var errs []crmio.RowError
	var warns []crmio.Warning
	cell := func(i int) string {
		if i < len(fields) {
			return strings.TrimSpace(fields[i])
		}
		return ""
	}
	for i := range m.fields {
		p := &m.fields[i]
		var v crmio.Value
		failed := false
		problem := func(cp *colPlan, s, reason string, warn bool) {
			if warn {
				warns = append(warns, crmio.Warning{Row: row, Column: cp.header, Field: p.f.Name, Value: s, Reason: reason})
				return
			}
			failed = true
			errs = append(errs, crmio.RowError{Row: row, Column: cp.header, Field: p.f.Name, Value: s, Reason: reason, Err: crmio.ErrInvalidValue})
		}
		switch {
		case len(p.cols) == 0 && len(p.items) == 0:
			// only a static value
		case p.kind == planSingle:
			cp := &p.cols[0]
			if s := nameCell(cp, cell(cp.index)); s != "" {
				val, reason, warn := cp.c.coerce(arena, s)
				if reason != "" {
					problem(cp, s, reason, warn)
				}
				if reason == "" || warn {
					v = val
				}
			}
		case p.kind == planMulti:
			var buf [4]crmio.Item
			items := buf[:0]
			for j := range p.cols {
				cp := &p.cols[j]
				s := cell(cp.index)
				if s == "" {
					continue
				}
				label := cp.label
				if cp.labelCol >= 0 {
					label = p.itemLabel(cell(cp.labelCol), label)
				}
				for parts := 0; s != ""; parts++ {
					if parts == maxItems {
						warns = append(warns, crmio.Warning{Row: row, Column: cp.header, Field: p.f.Name,
							Reason: fmt.Sprintf("the cell holds more than %d values; the rest were ignored", maxItems)})
						break
					}
					one, rest, _ := strings.Cut(s, multiSeparator)
					s = strings.TrimSpace(rest)
					one = strings.TrimSpace(one)
					if one == "" {
						continue
					}
					val, reason, warn := cp.c.coerce(arena, one)
					if reason != "" {
						problem(cp, one, reason, warn)
						if !warn {
							continue
						}
					}
					if !containsItem(items, val) {
						items = append(items, crmio.Item{Label: label, Value: val})
					}
				}
			}
			if len(items) > 0 {
				v = arena.List(items...)
			}
		case p.kind == planAddress:
			if a, ok := p.items[0].assemble(cell); ok {
				v = arena.Address(a)
			}
		case p.kind == planMultiAddress:
			var buf [2]crmio.Item
			items := buf[:0]
			for j := range p.items {
				it := &p.items[j]
				a, ok := it.assemble(cell)
				if !ok {
					continue
				}
				label := it.label
				if it.labelCol >= 0 {
					label = p.itemLabel(cell(it.labelCol), label)
				}
				val := arena.Address(a)
				if !containsItem(items, val) {
					items = append(items, crmio.Item{Label: label, Value: val})
				}
			}
			if len(items) > 0 {
				v = arena.List(items...)
			}
		}
		if v.IsNull() && !failed {
			v = p.static
			if v.IsNull() && p.f.Required {
				reason := p.f.DisplayLabel() + " is required"
				if p.header != "" {
					reason += fmt.Sprintf(" but %q is empty", p.header)
				}
				errs = append(errs, crmio.RowError{Row: row, Column: p.header, Field: p.f.Name, Reason: reason, Err: crmio.ErrRequired})
			}
		}
		if !v.IsNull() {
			rec.Values[p.f.Name] = v
		}
	}
	return rec, errs, warns
}

// assemble builds an address from its columns' cells; ok is false when
// every part is empty.
func (a *addrPlan) assemble(cell func(int) string) (crmio.Address, bool) {
	var addr crmio.Address
	ok := false
	for pi, cols := range a.parts {
		var s string
		switch len(cols) {
		case 0:
			continue
		case 1:
			s = cell(cols[0])
		default: // street lines
			var lines []string
			for _, c := range cols {
				if l := cell(c); l != "" {
					lines = append(lines, l)
				}
			}
			s = strings.Join(lines, ", ")
		}
		if s != "" {
			addr = addr.WithPart(crmio.AddressParts[pi], s)
			ok = true
		}
	}
	return addr, ok
}

// itemLabel reads a label column's cell ("Mobile", "* Work", "Home Fax")
// as a label of the field; fallback when it is empty or names no label
// of the field.
func (p *fieldPlan) itemLabel(text, fallback string) string {
	text = strings.TrimSpace(strings.TrimPrefix(text, "*")) // Google marks the primary item "* Work"
	if i := strings.Index(text, multiSeparator); i >= 0 {
		text = strings.TrimSpace(text[:i])
	}
	if text == "" {
		return fallback
	}
	if len(p.f.Labels) == 0 {
		return strings.ToLower(text)
	}
	if l, ok := lookupWord(p.labels, text); ok {
		return l
	}
	// Several words: the most telling label word wins ("Work Fax" is a fax).
	best, label := -1, ""
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if lw, ok := labelWords[w]; ok && lw.priority > best {
			if l, ok := p.labels[w]; ok {
				best, label = lw.priority, l
			}
		}
	}
	if label != "" {
		return label
	}
	if fallback == "" {
		if l, ok := p.labels["other"]; ok {
			return l
		}
	}
	return fallback
}

// containsItem reports whether items hold a value with v's match key.
func containsItem(items []crmio.Item, v crmio.Value) bool {
	for _, it := range items {
		if sameValue(it.Value, v) {
			return true
		}
	}
	return false
}

// sameValue compares match keys, without computing them in the common
// cases: equal strings, or ASCII emails that differ only in case.
func sameValue(a, b crmio.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	sa, sb := a.Str(), b.Str()
	if sa != "" && sa == sb {
		return true
	}
	if a.Kind() == crmio.KindPhone && isE164(sa) && isE164(sb) {
		return false // both normalized and different
	}
	if a.Kind() == crmio.KindEmail && isASCII(sa) && isASCII(sb) {
		return strings.EqualFold(sa, sb)
	}
	return crmio.MatchKey(a) == crmio.MatchKey(b)
}

func isE164(s string) bool { return len(s) > 1 && s[0] == '+' && isDigits(s[1:]) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
