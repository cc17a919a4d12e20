module github.com/presend/presend/bindings/go

go 1.24
