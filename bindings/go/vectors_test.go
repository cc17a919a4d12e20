package presend

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The shared test vectors (tests/vectors/*.json, format version 1): every
// binding runs the same cases and must get the same decisions.
type vector struct {
	Version     int               `json:"version"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Config      json.RawMessage   `json:"config"`
	Setup       []json.RawMessage `json:"setup"`
	Checks      []vectorCheck     `json:"checks"`
}

type vectorCheck struct {
	Message json.RawMessage `json:"message"`
	DryRun  bool            `json:"dry_run"`
	Expect  struct {
		Verdict    Verdict `json:"verdict"`
		Recipients *[]struct {
			Address string   `json:"address"`
			Verdict Verdict  `json:"verdict"`
			Reasons []string `json:"reasons"`
		} `json:"recipients"`
		Reasons *[]string `json:"reasons"`
	} `json:"expect"`
}

func vectorsDir() string {
	if dir := os.Getenv("PRESEND_VECTORS_DIR"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "tests", "vectors")
}

func TestVectors(t *testing.T) { runVectors(t, vectorsDir()) }

// The vectors of this binding's own, which keep the runner itself tested.
func TestVectorRunner(t *testing.T) { runVectors(t, filepath.Join("testdata", "vectors")) }

func runVectors(t *testing.T, dir string) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no test vectors in %s", dir)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			runVector(t, file)
		})
	}
}

func runVector(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var v vector
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if v.Version != 0 && v.Version != 1 {
		t.Fatalf("%s: format version %d, this runner reads version 1", file, v.Version)
	}
	ctx := context.Background()
	e, err := OpenJSON(v.Config, WithDB(filepath.Join(t.TempDir(), "presend.db")))
	if err != nil {
		t.Fatalf("%s: config: %v", v.Name, err)
	}
	defer e.Close()

	for i, raw := range v.Setup {
		var step map[string]json.RawMessage
		if err := json.Unmarshal(raw, &step); err != nil || len(step) != 1 {
			t.Fatalf("%s: setup[%d] is not an object with one key: %s", v.Name, i, raw)
		}
		for kind, arg := range step {
			if err := setupStep(ctx, e, kind, arg); err != nil {
				t.Fatalf("%s: setup[%d] %s: %v", v.Name, i, kind, err)
			}
		}
	}

	for i, c := range v.Checks {
		var opts []CheckOption
		if c.DryRun {
			opts = append(opts, DryRun())
		}
		d, err := e.CheckJSON(ctx, c.Message, opts...)
		if err != nil {
			t.Fatalf("%s: checks[%d]: %v", v.Name, i, err)
		}
		if d.Verdict != c.Expect.Verdict {
			t.Errorf("%s: checks[%d]: verdict %s, want %s\n%s", v.Name, i, d.Verdict, c.Expect.Verdict, d.JSON)
		}
		if want := c.Expect.Reasons; want != nil {
			if got := reasonCodes(d.Reasons); !slices.Equal(got, sorted(*want)) {
				t.Errorf("%s: checks[%d]: message reasons %v, want %v", v.Name, i, got, sorted(*want))
			}
		}
		if want := c.Expect.Recipients; want != nil {
			if len(d.Recipients) != len(*want) {
				t.Errorf("%s: checks[%d]: %d recipients, want %d\n%s", v.Name, i, len(d.Recipients), len(*want), d.JSON)
				continue
			}
			for j, w := range *want {
				got := d.Recipients[j]
				if got.Address != w.Address || got.Verdict != w.Verdict ||
					!slices.Equal(reasonCodes(got.Reasons), sorted(w.Reasons)) {
					t.Errorf("%s: checks[%d]: recipient %d is %s %s %v, want %s %s %v", v.Name, i, j,
						got.Address, got.Verdict, reasonCodes(got.Reasons), w.Address, w.Verdict, sorted(w.Reasons))
				}
			}
		}
	}
}

func setupStep(ctx context.Context, e *Engine, kind string, arg json.RawMessage) error {
	switch kind {
	case "consent_put":
		return e.ConsentPutJSON(ctx, arg)
	case "suppression_put":
		return e.SuppressionPutJSON(ctx, arg)
	case "events_ingest":
		var text string
		if err := json.Unmarshal(arg, &text); err != nil {
			return err
		}
		_, err := e.EventsIngest(ctx, []byte(text), nil)
		return err
	case "pause":
		var p struct {
			Account string  `json:"account"`
			Region  *string `json:"region"`
			Reason  string  `json:"reason"`
		}
		if err := json.Unmarshal(arg, &p); err != nil {
			return err
		}
		region := ""
		if p.Region != nil {
			region = *p.Region
		}
		return e.Pause(ctx, p.Account, region, p.Reason)
	}
	return &Error{Status: -2, Code: "PRESEND_EINVAL", Message: "unknown setup step " + kind}
}

func reasonCodes(rs []Reason) []string {
	codes := make([]string, 0, len(rs))
	for _, r := range rs {
		codes = append(codes, r.Code)
	}
	slices.Sort(codes)
	return codes
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	slices.Sort(out)
	return out
}
