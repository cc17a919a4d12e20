// Command redis_rate_bench measures github.com/go-redis/redis_rate (GCRA in
// one Lua script on Redis) the way presend_bench measures presend's Redis
// ledger: N operating-system processes, each one client with one connection
// calling in a closed loop, all on one shared key, for a fixed time. It
// prints the total calls per second, and the same as one JSON line.
//
//	go run . -redis redis://127.0.0.1:6379/0 -processes 4 -seconds 5
//
// The program re-executes itself for every worker (-worker), so the workers
// are separate processes, as separate hosts of a fleet are. Each worker
// connects and warms up, says "ready" on its stdout, waits until the
// coordinator closes its stdin (all at once), runs, and writes its figures as
// one JSON line. See ../README.md, section "Fleet mode".
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

type options struct {
	url       string
	processes int
	seconds   float64
	warmup    int
	key       string
	rate      int
	burst     int
	jsonPath  string
	worker    bool
}

// One worker's figures, sent to the coordinator as a JSON line.
type workerResult struct {
	Calls   int64   `json:"calls"`
	Allowed int64   `json:"allowed"`
	Denied  int64   `json:"denied"`
	Errors  int64   `json:"errors"`
	Error   string  `json:"first_error,omitempty"`
	StartNs int64   `json:"start_unix_ns"`
	EndNs   int64   `json:"end_unix_ns"`
	P50Ms   float64 `json:"p50_ms"`
	P99Ms   float64 `json:"p99_ms"`
}

type report struct {
	Benchmark     string            `json:"benchmark"`
	Processes     int               `json:"processes"`
	Seconds       float64           `json:"seconds"`
	Calls         int64             `json:"calls"`
	Allowed       int64             `json:"allowed"`
	Denied        int64             `json:"denied"`
	Errors        int64             `json:"errors"`
	CallsPerS     float64           `json:"calls_per_s"`
	AllowedPerS   float64           `json:"allowed_per_s"`
	Rate          int               `json:"rate"`
	Burst         int               `json:"burst"`
	PeriodSeconds float64           `json:"period_seconds"`
	Key           string            `json:"key"`
	Modules       map[string]string `json:"modules"`
	Go            string            `json:"go"`
	PerProcess    []workerResult    `json:"per_process"`
}

func main() {
	var o options
	flag.StringVar(&o.url, "redis", "redis://127.0.0.1:6379/0", "Redis URL")
	flag.IntVar(&o.processes, "processes", 1, "worker processes, each one client calling in a closed loop")
	flag.Float64Var(&o.seconds, "seconds", 5, "length of the measured phase")
	flag.IntVar(&o.warmup, "warmup", 200, "untimed calls per process before the phase (on another key)")
	flag.StringVar(&o.key, "key", "", "the shared rate-limit key (default: unique to the run)")
	// The limits of presend_bench's configuration (1,000,000/s, burst
	// 60,000,000): far above what the run reaches, so nothing is denied
	// and every call does the full GCRA update.
	flag.IntVar(&o.rate, "rate", 1000000, "Limit.Rate per second")
	flag.IntVar(&o.burst, "burst", 60000000, "Limit.Burst")
	flag.StringVar(&o.jsonPath, "json", "", "also write the report to this file")
	flag.BoolVar(&o.worker, "worker", false, "(internal) run as a worker")
	flag.Parse()
	if o.processes < 1 || o.processes > 64 || o.seconds <= 0 || o.rate < 1 || o.burst < 1 {
		fmt.Fprintln(os.Stderr, "redis_rate_bench: -processes must be 1-64, -seconds, -rate and -burst positive")
		os.Exit(2)
	}
	if o.worker {
		if err := runWorker(o); err != nil {
			fmt.Fprintln(os.Stderr, "redis_rate_bench worker:", err)
			os.Exit(1)
		}
		return
	}
	if o.key == "" {
		o.key = fmt.Sprintf("redis_rate_bench:%d.%d", os.Getpid(), time.Now().Unix())
	}
	if err := coordinate(o); err != nil {
		fmt.Fprintln(os.Stderr, "redis_rate_bench:", err)
		os.Exit(1)
	}
}

func (o options) limit() redis_rate.Limit {
	return redis_rate.Limit{Rate: o.rate, Burst: o.burst, Period: time.Second}
}

func runWorker(o options) error {
	opt, err := redis.ParseURL(o.url)
	if err != nil {
		return err
	}
	// One connection, as one presend engine holds one.
	opt.PoolSize = 1
	opt.MinIdleConns = 1
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	limiter := redis_rate.NewLimiter(rdb)
	ctx := context.Background()
	limit := o.limit()
	for i := 0; i < o.warmup; i++ {
		if _, err := limiter.Allow(ctx, o.key+":warmup", limit); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	fmt.Println("ready")
	// The coordinator closes stdin to start every worker at once.
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		return err
	}

	var r workerResult
	lat := make([]int64, 0, 1<<20)
	start := time.Now()
	deadline := start.Add(time.Duration(o.seconds * float64(time.Second)))
	for now := start; now.Before(deadline); {
		res, err := limiter.Allow(ctx, o.key, limit)
		end := time.Now()
		lat = append(lat, int64(end.Sub(now)))
		now = end
		r.Calls++
		switch {
		case err != nil:
			if r.Errors == 0 {
				r.Error = err.Error()
			}
			r.Errors++
		case res.Allowed > 0:
			r.Allowed++
		default:
			r.Denied++
		}
	}
	end := time.Now()
	r.StartNs = start.UnixNano()
	r.EndNs = end.UnixNano()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.P50Ms = percentile(lat, 50)
	r.P99Ms = percentile(lat, 99)
	return json.NewEncoder(os.Stdout).Encode(r)
}

// Nearest rank, as presend_bench computes it.
func percentile(sorted []int64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100 + 0.999999999)
	rank = min(max(rank, 1), len(sorted))
	return float64(sorted[rank-1]) / 1e6
}

type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

func coordinate(o options) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"-worker", "-redis", o.url, "-seconds", fmt.Sprint(o.seconds), "-warmup", fmt.Sprint(o.warmup),
		"-key", o.key, "-rate", fmt.Sprint(o.rate), "-burst", fmt.Sprint(o.burst)}
	children := make([]*child, 0, o.processes)
	defer func() {
		for _, c := range children {
			if c.cmd.ProcessState == nil {
				_ = c.cmd.Process.Kill()
				_ = c.cmd.Wait()
			}
		}
	}()
	for i := 0; i < o.processes; i++ {
		cmd := exec.Command(self, args...)
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return err
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		children = append(children, &child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)})
	}
	for i, c := range children {
		line, err := c.out.ReadString('\n')
		if strings.TrimSpace(line) != "ready" {
			return fmt.Errorf("worker %d did not start (%v)", i+1, err)
		}
	}
	for _, c := range children {
		c.stdin.Close()
	}
	rep := report{Benchmark: "redis_rate", Processes: o.processes, Rate: o.rate, Burst: o.burst, PeriodSeconds: 1,
		Key: o.key, Go: runtime.Version(), Modules: modules()}
	first, last := int64(0), int64(0)
	for i, c := range children {
		var r workerResult
		if err := json.NewDecoder(c.out).Decode(&r); err != nil {
			return fmt.Errorf("worker %d: no result: %w", i+1, err)
		}
		if err := c.cmd.Wait(); err != nil {
			return fmt.Errorf("worker %d: %w", i+1, err)
		}
		if first == 0 || r.StartNs < first {
			first = r.StartNs
		}
		last = max(last, r.EndNs)
		rep.Calls += r.Calls
		rep.Allowed += r.Allowed
		rep.Denied += r.Denied
		rep.Errors += r.Errors
		rep.PerProcess = append(rep.PerProcess, r)
	}
	// From the first worker starting to the last one finishing, as
	// presend_bench counts a phase.
	rep.Seconds = float64(last-first) / 1e9
	if rep.Seconds > 0 {
		rep.CallsPerS = float64(rep.Calls) / rep.Seconds
		rep.AllowedPerS = float64(rep.Allowed) / rep.Seconds
	}

	fmt.Printf("redis_rate %s (go-redis %s, %s): %d process(es), %.2f s: %d calls, %.0f calls/s, %.0f allowed/s; %d denied, %d errors\n",
		rep.Modules["github.com/go-redis/redis_rate/v10"], rep.Modules["github.com/redis/go-redis/v9"], rep.Go,
		rep.Processes, rep.Seconds, rep.Calls, rep.CallsPerS, rep.AllowedPerS, rep.Denied, rep.Errors)
	for i, r := range rep.PerProcess {
		fmt.Printf("  process %d: %d calls, p50 %.3f ms, p99 %.3f ms\n", i+1, r.Calls, r.P50Ms, r.P99Ms)
	}
	line, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	fmt.Printf("%s\n", line)
	if o.jsonPath != "" {
		if err := os.WriteFile(o.jsonPath, append(line, '\n'), 0o644); err != nil {
			return err
		}
	}
	if rep.Errors > 0 {
		for _, r := range rep.PerProcess {
			if r.Error != "" {
				return errors.New("some calls failed, the first: " + r.Error)
			}
		}
	}
	return nil
}

// The versions of the modules this binary was built with.
func modules() map[string]string {
	out := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			out[m.Path] = m.Version
		}
	}
	return out
}
