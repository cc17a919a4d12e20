// Package driver is the drivers' common protocol (bench/compare/README.md)
// for the Go contenders: load the message file, warm up with untimed checks
// that change nothing, wait for the coordinator's go (-sync), check messages in a closed
// loop (for -seconds, or exactly -count messages), then write PREFIX.json
// (counts, times, memory) and PREFIX.lat (each call's latency in
// nanoseconds, one per line).
package driver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Args are the protocol's options.
type Args struct {
	Store, Messages, Out, Config string
	First, Count                 int64
	Sync                         bool
	Warmup                       int
	Seconds                      float64
	Max24h, MaxRate, Burst       int64
}

// Parse reads the options from the command line.
func Parse() Args {
	var a Args
	flag.StringVar(&a.Store, "store", "", "presend's store, or the alternatives' database")
	flag.StringVar(&a.Messages, "messages", "", "JSON Lines of messages (presend_compare_data)")
	flag.StringVar(&a.Out, "out", "", "prefix of the result files")
	flag.StringVar(&a.Config, "config", "", "presend's configuration (presend contenders)")
	flag.Int64Var(&a.First, "first", 0, "index of the first message")
	flag.Float64Var(&a.Seconds, "seconds", 10, "closed loop for this long")
	flag.Int64Var(&a.Count, "count", 0, "check exactly this many messages instead")
	flag.BoolVar(&a.Sync, "sync", false, `print "ready", start on a line from stdin`)
	flag.IntVar(&a.Warmup, "warmup", 2000, "untimed checks that change nothing, first")
	flag.Int64Var(&a.Max24h, "max-24h", 1<<40, "recipients in any rolling 24 hours")
	flag.Int64Var(&a.MaxRate, "max-rate", 1000000, "recipients per second")
	flag.Int64Var(&a.Burst, "burst", 0, "recipients that may go at once (0: the rate)")
	flag.Parse()
	if a.Store == "" || a.Messages == "" || a.Out == "" {
		fmt.Fprintln(os.Stderr, "-store, -messages and -out are required")
		os.Exit(2)
	}
	return a
}

// LoadMessages decodes every line of the message file into a T.
func LoadMessages[T any](path string) ([]T, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []T
	for line := range bytes.Lines(data) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var m T
		if err := json.Unmarshal(line, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no messages", path)
	}
	return out, nil
}

// Outcome is a check's message verdict and how many of its recipients were
// allowed, blocked and deferred.
type Outcome struct {
	Verdict                    string
	Allowed, Blocked, Deferred int
}

// MessageVerdict is presend's message verdict from its recipients' verdicts.
func MessageVerdict(allowed, blocked, deferred int) string {
	switch {
	case allowed > 0 && (blocked > 0 || deferred > 0):
		return "partial"
	case allowed > 0:
		return "allow"
	case deferred > 0:
		return "defer"
	}
	return "block"
}

func statusKB(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), key+":"); ok {
			v, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return v
		}
	}
	return -1
}

// BaseKB is RssAnon now: call it once the messages are loaded, before the
// gate is opened.
func BaseKB() int64 { return statusKB("RssAnon") }

// Run runs the protocol: warm(m) untimed, then check(m) timed.
func Run[T any](name, runtime string, a Args, msgs []T, baseKB int64, check func(*T) (Outcome, error),
	warm func(*T) error) error {
	n := int64(len(msgs))
	next := a.First % n
	for i := range int64(a.Warmup) {
		if err := warm(&msgs[(next+i)%n]); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	if a.Sync {
		fmt.Println("ready")
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			return fmt.Errorf("-sync: no go from the coordinator: %w", err)
		}
	}

	lat := make([]int64, 0, 1<<16)
	var allowed, blocked, deferred, errors int64
	verdicts := map[string]int64{"allow": 0, "partial": 0, "block": 0, "defer": 0}
	rssPeak := statusKB("RssAnon")
	first := time.Now()
	deadline := first.Add(time.Duration(a.Seconds * 1e9))
	for i := int64(0); ; i++ {
		if a.Count > 0 {
			if i >= a.Count {
				break
			}
		} else if i&15 == 0 && !time.Now().Before(deadline) {
			break
		}
		m := &msgs[next]
		next = (next + 1) % n
		t0 := time.Now()
		o, err := check(m)
		lat = append(lat, int64(time.Since(t0)))
		if err != nil {
			if errors++; errors == 1 {
				fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			}
			continue
		}
		verdicts[o.Verdict]++
		allowed += int64(o.Allowed)
		blocked += int64(o.Blocked)
		deferred += int64(o.Deferred)
		if i&1023 == 1023 {
			rssPeak = max(rssPeak, statusKB("RssAnon"))
		}
	}
	last := time.Now()
	rssPeak = max(rssPeak, statusKB("RssAnon"))

	var b bytes.Buffer
	for _, v := range lat {
		b.WriteString(strconv.FormatInt(v, 10))
		b.WriteByte('\n')
	}
	if err := os.WriteFile(a.Out+".lat", b.Bytes(), 0o644); err != nil {
		return err
	}
	summary, err := json.Marshal(map[string]any{
		"driver": name, "checks": len(lat), "errors": errors, "allowed": allowed, "blocked": blocked,
		"deferred": deferred, "verdicts": verdicts, "first_ns": first.UnixNano(), "last_ns": last.UnixNano(),
		"vm_hwm_kb": statusKB("VmHWM"), "rss_anon_base_kb": baseKB, "rss_anon_peak_kb": rssPeak, "runtime": runtime,
	})
	if err != nil {
		return err
	}
	if err := os.WriteFile(a.Out+".json", append(summary, '\n'), 0o644); err != nil {
		return err
	}
	if errors > 0 {
		return fmt.Errorf("%d checks failed", errors)
	}
	return nil
}
