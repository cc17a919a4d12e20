package presend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// testConfig: one production account whose daily quota is the only limit
// a test can reach.
const testConfig = `{
  "defaults": {"account": "prod", "region": "us-east-1"},
  "accounts": {"prod": {"tier": "production",
                        "regions": {"us-east-1": {"max_24h": %d, "max_rate": 100000, "burst": 100000}}}}
}`

var unsubscribeHeaders = [][2]string{
	{"List-Unsubscribe", "<https://example.com/u/abc>"},
	{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
}

func config(max24h int) []byte {
	return []byte(sprintf(testConfig, max24h))
}

func openTest(t testing.TB, max24h int, opts ...Option) *Engine {
	t.Helper()
	opts = append([]Option{WithDB(filepath.Join(t.TempDir(), "presend.db"))}, opts...)
	e, err := OpenJSON(config(max24h), opts...)
	if err != nil {
		t.Fatalf("OpenJSON: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func transactional(to ...string) Message {
	return Message{From: "Shop <orders@shop.example>", To: to, Stream: StreamTransactional}
}

func TestVersion(t *testing.T) {
	if v := Version(); v == "" || v[0] != '1' {
		t.Fatalf("Version() = %q, want 1.x", v)
	}
}

func TestOpenCheckClose(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "presend.json")
	if err := os.WriteFile(cfg, config(100), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := Open(cfg, WithDB(filepath.Join(dir, "store.db")))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	d, err := e.Check(ctx, transactional("customer@mail.example"))
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if d.Verdict != Allow || d.ID == "" || d.DryRun || len(d.JSON) == 0 {
		t.Fatalf("decision = %+v, want a stored allow", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "store.db")); err != nil {
		t.Fatalf("WithDB store not created: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := e.Check(ctx, transactional("customer@mail.example")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Check after Close: %v, want ErrClosed", err)
	}
	if err := e.Release(ctx, d.ID); !errors.Is(err, ErrClosed) {
		t.Fatalf("Release after Close: %v, want ErrClosed", err)
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := OpenJSON([]byte(`{"accounts": 5}`), WithDB(filepath.Join(t.TempDir(), "s.db")))
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("bad configuration: %v, want ErrConfig", err)
	}
	var pe *Error
	if !errors.As(err, &pe) || pe.Status != -5 || pe.Code != "PRESEND_ECONFIG" || pe.Message == "" {
		t.Fatalf("bad configuration: %#v", pe)
	}
	if errors.Is(err, ErrStore) {
		t.Fatal("a configuration error matches ErrStore")
	}
	if _, err := OpenJSON([]byte(`{"accounts": `)); !errors.Is(err, ErrJSON) {
		t.Fatalf("truncated JSON: %v, want ErrJSON", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, ErrIO) {
		t.Fatalf("missing file: %v, want ErrIO", err)
	}
}

func TestUnknownStatusIsGeneric(t *testing.T) {
	err := newError(-1000, "from a newer presend")
	if !errors.Is(err, ErrGeneric) || errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown status %v: not mapped to ErrGeneric", err)
	}
}

func TestCheckVerdicts(t *testing.T) {
	ctx := context.Background()
	e := openTest(t, 1000)
	for _, a := range []string{"a@example.org", "b@example.org"} {
		if err := e.ConsentPut(ctx, Consent{Address: a, List: "weekly", ConsentedAt: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatalf("ConsentPut: %v", err)
		}
	}
	if err := e.SuppressionPut(ctx, Suppression{Address: "b@example.org", Reason: "complaint"}); err != nil {
		t.Fatalf("SuppressionPut: %v", err)
	}
	news := func(to ...string) Message {
		return Message{From: "News <news@example.com>", To: to, List: "weekly", Headers: unsubscribeHeaders}
	}

	d, err := e.Check(ctx, news("a@example.org", "b@example.org", "c@example.org"), DryRun())
	if err != nil {
		t.Fatal(err)
	}
	if d.Verdict != Partial || !d.DryRun {
		t.Fatalf("verdict %v dry_run %v, want a partial dry run", d.Verdict, d.DryRun)
	}
	if got := d.Allowed(); !slices.Equal(got, []string{"a@example.org"}) {
		t.Fatalf("Allowed() = %v", got)
	}
	codes := map[string][]string{}
	for _, r := range d.Recipients {
		for _, reason := range r.Reasons {
			codes[r.Address] = append(codes[r.Address], reason.Code)
		}
	}
	if !slices.Contains(codes["b@example.org"], "suppression.complaint") ||
		!slices.Equal(codes["c@example.org"], []string{"consent.missing"}) {
		t.Fatalf("reasons = %v", codes)
	}

	if d, err = e.Check(ctx, news("c@example.org"), DryRun()); err != nil || d.Verdict != Block || d.Allowed() != nil {
		t.Fatalf("no consent: %v %v, want block", d.Verdict, err)
	}
	if d, err = e.Check(ctx, news("a@example.org"), DryRun()); err != nil || d.Verdict != Allow {
		t.Fatalf("consented: %v %v, want allow", d.Verdict, err)
	}
	if d.Verdict.String() != "allow" {
		t.Fatalf("String() = %q", d.Verdict.String())
	}

	// Withdrawn consent blocks.
	if err := e.ConsentWithdraw(ctx, "a@example.org", "weekly"); err != nil {
		t.Fatal(err)
	}
	if d, err = e.Check(ctx, news("a@example.org"), DryRun()); err != nil || d.Verdict != Block ||
		d.Recipients[0].Reasons[0].Code != "consent.withdrawn" {
		t.Fatalf("withdrawn: %s %v", d.JSON, err)
	}
	if err := e.SuppressionRemove(ctx, "b@example.org", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.SuppressionRemove(ctx, "b@example.org", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second SuppressionRemove: %v, want ErrNotFound", err)
	}

	// Input errors carry presend's message.
	_, err = e.CheckJSON(ctx, []byte(`{"to": ["x@example.org"], "bogus": 1}`))
	var pe *Error
	if !errors.Is(err, ErrMessage) || !errors.As(err, &pe) || pe.Message == "" {
		t.Fatalf("unknown field: %v, want ErrMessage with a message", err)
	}
	if _, err := e.Check(ctx, Message{To: []string{"x@example.org"}, Account: "nope"}); !errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("unknown account: %v", err)
	}
	if _, err := e.CheckJSON(ctx, []byte(`{"to": [`)); !errors.Is(err, ErrJSON) {
		t.Fatalf("bad JSON: %v", err)
	}
}

func TestRelease(t *testing.T) {
	ctx := context.Background()
	e := openTest(t, 1000)
	d, err := e.Check(ctx, transactional("a@example.org", "b@example.org"))
	if err != nil || d.Verdict != Allow {
		t.Fatalf("Check: %v %v", d.Verdict, err)
	}
	if q, _ := e.QuotaStatus(ctx, "", ""); q.Sent24h != 2 {
		t.Fatalf("sent_24h = %d after an allowed check, want 2", q.Sent24h)
	}
	if err := e.Release(ctx, d.ID); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if q, _ := e.QuotaStatus(ctx, "prod", "us-east-1"); q.Sent24h != 0 {
		t.Fatalf("sent_24h = %d after release, want 0", q.Sent24h)
	}
	if err := e.Release(ctx, d.ID); !errors.Is(err, ErrState) {
		t.Fatalf("second Release: %v, want ErrState", err)
	}
	dry, _ := e.Check(ctx, transactional("a@example.org"), DryRun())
	if err := e.Release(ctx, dry.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Release of a dry run: %v, want ErrNotFound", err)
	}
}

func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "presend.db")
	rw, err := OpenJSON(config(100), WithDB(db))
	if err != nil {
		t.Fatal(err)
	}
	rw.Close()
	ro, err := OpenJSON(config(100), WithDB(db), ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Check(ctx, transactional("a@example.org")); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("check on a read-only engine: %v, want ErrReadOnly", err)
	}
	if d, err := ro.Check(ctx, transactional("a@example.org"), DryRun()); err != nil || d.Verdict != Allow {
		t.Fatalf("dry run on a read-only engine: %v %v", d.Verdict, err)
	}
	if err := ro.ConsentPut(ctx, Consent{Address: "a@example.org", List: "*"}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("ConsentPut on a read-only engine: %v", err)
	}
}

// 16 goroutines check at once against one engine whose quota runs out
// midway: exactly the quota is allowed, the rest is deferred, and the
// ledger agrees with the decisions.
func TestConcurrentChecks(t *testing.T) {
	const goroutines, perGoroutine, quota = 16, 25, 300
	ctx := context.Background()
	e := openTest(t, quota)
	var wg sync.WaitGroup
	counts := make([]map[Verdict]int, goroutines)
	errs := make(chan error, goroutines)
	for g := range goroutines {
		counts[g] = map[Verdict]int{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perGoroutine {
				d, err := e.Check(ctx, transactional(sprintf("r%d-%d@example.org", g, i)))
				if err != nil {
					errs <- err
					return
				}
				counts[g][d.Verdict]++
				if d.Verdict == Defer && (d.RetryAfter <= 0 || d.Recipients[0].Reasons[0].Code != "quota.daily_exhausted") {
					errs <- errors.New("deferred without quota.daily_exhausted: " + string(d.JSON))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := map[Verdict]int{}
	for _, c := range counts {
		for v, n := range c {
			total[v] += n
		}
	}
	if total[Allow] != quota || total[Defer] != goroutines*perGoroutine-quota || len(total) != 2 {
		t.Fatalf("verdicts = %v, want %d allow and %d defer", total, quota, goroutines*perGoroutine-quota)
	}
	q, err := e.QuotaStatus(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if q.Sent24h != quota || q.Remaining24h != 0 {
		t.Fatalf("quota = %+v, want sent_24h %d", q, quota)
	}
}

// Close waits for calls in flight; later calls fail with ErrClosed.
func TestCloseDuringChecks(t *testing.T) {
	ctx := context.Background()
	e := openTest(t, 100000)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for {
				_, err := e.Check(ctx, transactional("a@example.org"), DryRun())
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	close(start)
	time.Sleep(50 * time.Millisecond)
	e.Close()
	wg.Wait()
}

func TestContext(t *testing.T) {
	e := openTest(t, 100)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Check(ctx, transactional("a@example.org")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Check with a cancelled context: %v", err)
	}
	if err := e.ConsentPut(ctx, Consent{Address: "a@example.org", List: "*"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("ConsentPut with a cancelled context: %v", err)
	}
	dctx, dcancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer dcancel()
	if _, err := e.Check(dctx, transactional("a@example.org")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Check past its deadline: %v", err)
	}
	// Nothing reached the engine.
	if q, err := e.QuotaStatus(context.Background(), "", ""); err != nil || q.Sent24h != 0 {
		t.Fatalf("quota after cancelled checks: %+v %v", q, err)
	}
}

// An engine dropped without Close is freed by the garbage collector.
func TestCleanupOfForgottenEngine(t *testing.T) {
	before := cleanups.Load()
	func() {
		e, err := OpenJSON(config(10), WithDB(filepath.Join(t.TempDir(), "presend.db")))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Check(context.Background(), transactional("a@example.org")); err != nil {
			t.Fatal(err)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for cleanups.Load() == before {
		if time.Now().After(deadline) {
			t.Fatal("the forgotten engine was not freed")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	// A closed engine is not freed a second time.
	e, err := OpenJSON(config(10), WithDB(filepath.Join(t.TempDir(), "presend.db")))
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	after := cleanups.Load()
	e = nil
	for range 5 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if cleanups.Load() != after {
		t.Fatal("a closed engine was freed by its cleanup")
	}
}

func TestPauseResume(t *testing.T) {
	ctx := context.Background()
	e := openTest(t, 100)
	if err := e.Pause(ctx, "prod", "", "bounce spike"); err != nil {
		t.Fatal(err)
	}
	d, err := e.Check(ctx, transactional("a@example.org"), DryRun())
	if err != nil || d.Verdict != Defer || d.Reasons[0].Code != "reputation.paused" || d.RetryAfter <= 0 {
		t.Fatalf("paused: %s %v", d.JSON, err)
	}
	if err := e.Resume(ctx, "prod", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.Resume(ctx, "prod", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Resume: %v, want ErrNotFound", err)
	}
	if err := e.Pause(ctx, "nope", "", ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Pause of an unknown account: %v, want ErrInvalid", err)
	}
	if d, _ := e.Check(ctx, transactional("a@example.org"), DryRun()); d.Verdict != Allow {
		t.Fatalf("resumed: %s", d.JSON)
	}
}

const bounce = `{"notificationType": "Bounce",
 "bounce": {"bounceType": "Permanent", "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": "gone@example.net", "action": "failed", "status": "5.1.1"}],
            "timestamp": "2026-03-02T10:15:42.318Z", "feedbackId": "0102018f3a5b9e01-test-000000"},
 "mail": {"timestamp": "2026-03-02T10:15:40.051Z", "source": "news@news.example.com",
          "messageId": "0102018f3a5b7c9d-test-000000", "destination": ["gone@example.net"]}}`

func TestEventsIngest(t *testing.T) {
	ctx := context.Background()
	e := openTest(t, 100)
	rep, err := e.EventsIngest(ctx, []byte(bounce), &IngestOptions{Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ingested != 1 || rep.Suppressed != 1 || rep.Bounces != 1 || len(rep.Outcomes) != 1 {
		t.Fatalf("report = %+v", rep)
	}
	if rep, _ = e.EventsIngest(ctx, []byte(bounce), nil); rep.Duplicates != 1 || rep.Ingested != 0 {
		t.Fatalf("second ingest = %+v, want a duplicate", rep)
	}
	d, err := e.Check(ctx, transactional("gone@example.net"), DryRun())
	if err != nil || d.Verdict != Block {
		t.Fatalf("bounced recipient: %s %v", d.JSON, err)
	}
	if _, err := e.EventsIngest(ctx, []byte(bounce), &IngestOptions{Format: "nope"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad options: %v, want ErrInvalid", err)
	}
}

func TestAuditAndReport(t *testing.T) {
	ctx := context.Background()
	e := openTest(t, 100)
	for range 3 {
		if _, err := e.Check(ctx, transactional("a@example.org")); err != nil {
			t.Fatal(err)
		}
	}
	res, err := e.AuditVerify(ctx)
	if err != nil || !res.OK || res.Records < 3 {
		t.Fatalf("AuditVerify = %+v %v", res, err)
	}
	md, err := e.Report(ctx, ReportOptions{Format: "md"})
	if err != nil || len(md) == 0 {
		t.Fatalf("Report: %v", err)
	}
	if _, err := e.Report(ctx, ReportOptions{Format: "pdf"}); err == nil {
		t.Fatal("Report with an unknown format succeeded")
	}
}
