// Contender "alt-go": the gate a Go developer would write without presend:
// database/sql lookups (github.com/mattn/go-sqlite3, on the system's SQLite),
// golang.org/x/time/rate for the per-second rate, a counter table for the
// rolling 24 hours, every recipient's verdict recorded.
//
//	alt-check -store alt.db -messages messages.jsonl -out result [-seconds S | -count N] \
//	    [-max-24h N] [-max-rate R] [-burst B]
//
// The same rules as presend's checks in this workload: a recipient is
// allowed when the message has a one-click unsubscribe, the address is not
// suppressed (for every list, or for this one) and it has a consent record
// for the list with status "subscribed". The consenting recipients of a
// message are then counted at once (all or none): AllowN on the rate
// limiter, then the sum of the last 86,400 one-second rows of send_counters
// against the 24-hour maximum.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
	"golang.org/x/time/rate"

	"github.com/presend/presend/bench/compare/go/driver"
)

// Message is the part of the message JSON the gate reads.
type Message struct {
	To        []string    `json:"to"`
	List      string      `json:"list"`
	Headers   [][2]string `json:"headers"`
	MessageID string      `json:"message_id"`
}

// Verdict is one recipient's verdict.
type Verdict struct {
	Email, Verdict, Reason string
}

// SendGate checks messages against the database and the limits.
type SendGate struct {
	db          *sql.DB
	suppression *sql.Stmt
	consent     *sql.Stmt
	limiter     *rate.Limiter
	max24h      int64
}

// NewSendGate opens the database. Transactions begin IMMEDIATE
// (_txlock=immediate): the 24-hour sum and its increment must be one atomic
// step across processes, and a deferred transaction that reads and then
// writes fails with SQLITE_BUSY when another process wrote in between.
func NewSendGate(path string, max24h, maxRate int64, burst int) (*SendGate, error) {
	db, err := sql.Open("sqlite3",
		"file:"+path+"?_busy_timeout=10000&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	g := &SendGate{db: db, limiter: rate.NewLimiter(rate.Limit(maxRate), burst), max24h: max24h}
	if g.suppression, err = db.Prepare(
		`SELECT reason FROM suppressions WHERE email = ? AND (list IS NULL OR list = ?) LIMIT 1`); err != nil {
		return nil, err
	}
	if g.consent, err = db.Prepare(`SELECT status FROM subscribers WHERE email = ? AND list = ?`); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *SendGate) recipientVerdict(ctx context.Context, email, list string) (string, string, error) {
	var reason string
	err := g.suppression.QueryRowContext(ctx, email, list).Scan(&reason)
	if err == nil {
		return "block", "suppression." + reason, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", "", err
	}
	var status string
	err = g.consent.QueryRowContext(ctx, email, list).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "block", "consent.missing", nil
	case err != nil:
		return "", "", err
	case status != "subscribed":
		return "block", "consent." + status, nil
	}
	return "allow", "", nil
}

// Check returns each recipient's verdict, and records them unless dryRun.
func (g *SendGate) Check(ctx context.Context, m *Message, dryRun bool) ([]Verdict, error) {
	oneClick := false
	unsub, post := "", ""
	for _, h := range m.Headers {
		switch strings.ToLower(h[0]) {
		case "list-unsubscribe":
			unsub = h[1]
		case "list-unsubscribe-post":
			post = h[1]
		}
	}
	oneClick = strings.Contains(unsub, "<https://") && strings.TrimSpace(post) == "List-Unsubscribe=One-Click"

	out := make([]Verdict, 0, len(m.To))
	seen := make(map[string]bool, len(m.To))
	n := 0
	for _, addr := range m.To {
		email := strings.ToLower(strings.TrimSpace(addr))
		if seen[email] {
			continue
		}
		seen[email] = true
		if !oneClick {
			out = append(out, Verdict{email, "block", "unsubscribe.missing"})
			continue
		}
		v, reason, err := g.recipientVerdict(ctx, email, m.List)
		if err != nil {
			return nil, err
		}
		if v == "allow" {
			n++
		}
		out = append(out, Verdict{email, v, reason})
	}
	if dryRun {
		return out, nil
	}

	now := time.Now()
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if n > 0 {
		ok := g.limiter.AllowN(now, n)
		if ok {
			var sent int64
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(sent), 0) FROM send_counters WHERE second > ?`,
				now.Unix()-86400).Scan(&sent); err != nil {
				return nil, err
			}
			ok = sent+int64(n) <= g.max24h
		}
		if ok {
			if _, err := tx.ExecContext(ctx, `INSERT INTO send_counters(second, sent) VALUES(?, ?)
				ON CONFLICT(second) DO UPDATE SET sent = sent + excluded.sent`, now.Unix(), n); err != nil {
				return nil, err
			}
		} else {
			for i := range out {
				if out[i].Verdict == "allow" {
					out[i] = Verdict{out[i].Email, "defer", "quota.exceeded"}
				}
			}
		}
	}
	rec, err := tx.PrepareContext(ctx,
		`INSERT INTO decisions(message_id, recipient, verdict, reason, created_at) VALUES(?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer rec.Close()
	for _, v := range out {
		var reason any
		if v.Reason != "" {
			reason = v.Reason
		}
		if _, err := rec.ExecContext(ctx, m.MessageID, v.Email, v.Verdict, reason, now.Unix()); err != nil {
			return nil, err
		}
	}
	return out, tx.Commit()
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "alt-check:", err)
		os.Exit(1)
	}
}

func run() error {
	a := driver.Parse()
	burst := a.Burst
	if burst <= 0 {
		burst = a.MaxRate
	}
	msgs, err := driver.LoadMessages[Message](a.Messages)
	if err != nil {
		return err
	}
	baseKB := driver.BaseKB()
	g, err := NewSendGate(a.Store, a.Max24h, a.MaxRate, int(burst))
	if err != nil {
		return err
	}
	defer g.db.Close()
	ctx := context.Background()
	check := func(m *Message) (driver.Outcome, error) {
		vs, err := g.Check(ctx, m, false)
		if err != nil {
			return driver.Outcome{}, err
		}
		var o driver.Outcome
		for _, v := range vs {
			switch v.Verdict {
			case "allow":
				o.Allowed++
			case "defer":
				o.Deferred++
			default:
				o.Blocked++
			}
		}
		o.Verdict = driver.MessageVerdict(o.Allowed, o.Blocked, o.Deferred)
		return o, nil
	}
	warm := func(m *Message) error {
		_, err := g.Check(ctx, m, true)
		return err
	}
	libVersion, _, _ := sqlite3.Version()
	rt := fmt.Sprintf("%s, database/sql with go-sqlite3 (SQLite %s), x/time/rate", runtime.Version(), libVersion)
	return driver.Run("alt-go", rt, a, msgs, baseKB, check, warm)
}
