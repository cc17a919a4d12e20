module github.com/presend/presend/bench/compare/go

go 1.24.0

require (
	github.com/mattn/go-sqlite3 v1.14.53
	github.com/presend/presend/bindings/go v0.0.0-00010101000000-000000000000
	golang.org/x/time v0.14.0
)

// The binding of this checkout, not a published version.
replace github.com/presend/presend/bindings/go => ../../../bindings/go
