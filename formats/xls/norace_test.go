//go:build !race

package xls

const raceEnabled = false
