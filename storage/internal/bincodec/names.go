package bincodec

// commonNames are field names a named encoding writes as a number, their
// index here, rather than spelled out: those of crmio's own schemas
// (package schemas) and others frequent in CRMs. Spelled out, the names
// were a fifth of a stored contact's bytes (316 on average, 253 with
// their numbers).
//
// The list is part of the stored format: stored records name their
// fields by these indexes, so an entry is never changed, removed or moved
// (TestCommonNamesFrozen holds it to testdata/common-names.txt). New
// names go at the end; the first 64 take one byte, the rest two.
var commonNames = [...]string{
	// schemas.Default and schemas.Pivor, in the order of their fields
	"name", "website", "phone", "industry", "address", "first_name",
	"last_name", "email", "title", "account", "status", "birthday",
	"created_on", "notes", "company", "source", "subject", "type",
	"due_at", "person", "trading_name", "address_line_1", "city",
	"country", "job_title", "client_name", "is_primary", "contact_name",
	// others frequent in CRMs
	"mobile", "fax", "department", "description", "owner", "state",
	"zip", "postal_code", "street", "region", "lead_source", "rating",
	"annual_revenue", "employees", "tags", "linkedin", "twitter",
	"salutation", "middle_name", "nickname", "gender", "language",
	"timezone", "external_id", "updated_on", "amount", "stage",
	"close_date", "probability", "priority", "currency", "comments",
}

// commonIndex maps a common name to its index.
var commonIndex = func() map[string]uint64 {
	m := make(map[string]uint64, len(commonNames))
	for i, name := range commonNames {
		m[name] = uint64(i)
	}
	return m
}()
