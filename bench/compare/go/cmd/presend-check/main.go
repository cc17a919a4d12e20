// Contender "presend-go": presend through its Go binding.
//
//	presend-check -config presend.json -store run.db -messages messages.jsonl -out result \
//	    [-seconds S | -count N]
//
// The timed call is what an application calls: Engine.Check(ctx, Message),
// which encodes the message, checks it (reserving quota and storing the
// decision) and decodes the Decision.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"

	"github.com/presend/presend/bench/compare/go/driver"
	presend "github.com/presend/presend/bindings/go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "presend-check:", err)
		os.Exit(1)
	}
}

func run() error {
	a := driver.Parse()
	if a.Config == "" {
		return fmt.Errorf("-config is required")
	}
	msgs, err := driver.LoadMessages[presend.Message](a.Messages)
	if err != nil {
		return err
	}
	baseKB := driver.BaseKB()
	e, err := presend.Open(a.Config, presend.WithDB(a.Store))
	if err != nil {
		return err
	}
	defer e.Close()
	ctx := context.Background()
	check := func(m *presend.Message) (driver.Outcome, error) {
		d, err := e.Check(ctx, *m)
		if err != nil {
			return driver.Outcome{}, err
		}
		o := driver.Outcome{Verdict: string(d.Verdict)}
		for _, r := range d.Recipients {
			switch r.Verdict {
			case presend.Allow:
				o.Allowed++
			case presend.Defer:
				o.Deferred++
			default:
				o.Blocked++
			}
		}
		return o, nil
	}
	warm := func(m *presend.Message) error {
		_, err := e.Check(ctx, *m, presend.DryRun())
		return err
	}
	rt := fmt.Sprintf("presend %s, %s", presend.Version(), runtime.Version())
	return driver.Run("presend-go", rt, a, msgs, baseKB, check, warm)
}
