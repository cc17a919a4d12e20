package presend

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
)

// The workload of `presend_bench --quick`, dry-run phase: 10,000 consent
// records, 100 suppressions, marketing messages to 5 recipients each.
// Decisions are decoded from JSON, as every Check does (compare with
// presend_bench --decision-json).
const (
	benchRecords      = 10000
	benchSuppressions = 100
	benchRecipients   = 5
	benchMessages     = 1000 // distinct messages, cycled
)

func benchEngine(b *testing.B) (*Engine, [][]byte) {
	b.Helper()
	ctx := context.Background()
	e, err := OpenJSON(config(1<<40), WithDB(filepath.Join(b.TempDir(), "presend.db")))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	var lines bytes.Buffer
	for i := range benchRecords {
		lines.WriteString(sprintf(`{"address": "user%d@d%d.example", "list": "weekly", "consented_at": "2026-01-01T00:00:00Z"}`+"\n", i, i%100))
	}
	rep, err := e.ConsentImport(ctx, lines.Bytes(), ImportJSONL)
	if err != nil || rep.Imported != benchRecords {
		b.Fatalf("import: %+v %v", rep, err)
	}
	for i := range benchSuppressions {
		if err := e.SuppressionPut(ctx, Suppression{Address: sprintf("user%d@d%d.example", i*97, i*97%100), Reason: "bounce"}); err != nil {
			b.Fatal(err)
		}
	}
	msgs := make([][]byte, benchMessages)
	for i := range msgs {
		m := Message{From: "News <news@example.com>", List: "weekly", Headers: unsubscribeHeaders,
			MessageID: sprintf("<m%d@example.com>", i)}
		for j := range benchRecipients {
			n := (i*benchRecipients + j) * 7919 % benchRecords
			m.To = append(m.To, sprintf("user%d@d%d.example", n, n%100))
		}
		if msgs[i], err = json.Marshal(m); err != nil {
			b.Fatal(err)
		}
	}
	return e, msgs
}

func BenchmarkCheckDryRun(b *testing.B) {
	e, msgs := benchEngine(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := e.CheckJSON(ctx, msgs[i%len(msgs)], DryRun()); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "checks/s")
}

// The same from GOMAXPROCS goroutines sharing one engine.
func BenchmarkCheckDryRunParallel(b *testing.B) {
	e, msgs := benchEngine(b)
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := e.CheckJSON(ctx, msgs[i%len(msgs)], DryRun()); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
}
