package importer_test

// The importer reads whatever formats its caller registered; its tests
// register all of crmio's.
import _ "github.com/crmio/crmio/formats/all"
