// Package plugintest holds the test that a file format registered by a
// program, outside package formats, plugs into every part of crmio: it is
// detected, imported through the importer and exported through the
// exporter, like the formats crmio ships. The package has no code of its
// own.
package plugintest
