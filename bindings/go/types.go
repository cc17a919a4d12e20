package presend

import (
	"encoding/json"
	"time"
)

// Message is a message to check, in the shape of presend's message JSON
// (README, "Messages and decisions"). Either give the envelope and headers
// (From, To, Cc, Bcc, Headers, ...) or Raw, the whole RFC 5322 text; with
// Raw, To/Cc/Bcc, when given, are the SMTP envelope. Empty fields are left
// out, so Account and Region default to the configuration's defaults and
// Stream to "marketing".
type Message struct {
	From      string      `json:"from,omitempty"`
	MailFrom  string      `json:"mail_from,omitempty"`
	To        []string    `json:"to,omitempty"`
	Cc        []string    `json:"cc,omitempty"`
	Bcc       []string    `json:"bcc,omitempty"`
	Account   string      `json:"account,omitempty"`
	Region    string      `json:"region,omitempty"`
	Stream    string      `json:"stream,omitempty"` // StreamMarketing or StreamTransactional
	List      string      `json:"list,omitempty"`
	Headers   [][2]string `json:"headers,omitempty"` // name, value
	MessageID string      `json:"message_id,omitempty"`
	Raw       string      `json:"raw,omitempty"`
}

// Message streams.
const (
	StreamMarketing     = "marketing"
	StreamTransactional = "transactional"
)

// Verdict is presend's answer for a message or a recipient.
type Verdict string

// Verdicts.
const (
	Allow   Verdict = "allow"   // send to every recipient
	Partial Verdict = "partial" // send only to the recipients whose verdict is Allow
	Block   Verdict = "block"   // do not send
	Defer   Verdict = "defer"   // do not send now; retry after Decision.RetryAfter
)

func (v Verdict) String() string { return string(v) }

// Reason is one finding of a check.
type Reason struct {
	Code     string `json:"code"`     // stable dotted code, e.g. "consent.withdrawn"
	Severity string `json:"severity"` // "block", "defer", "warn" or "info"
	Check    string `json:"check"`    // the check that found it
	Message  string `json:"message"`  // human-readable
	// Enforced is false for findings of a check in monitor mode: they
	// change no verdict.
	Enforced bool `json:"enforced"`
}

// UnmarshalJSON decodes a reason; "enforced" is true unless presend says
// otherwise.
func (r *Reason) UnmarshalJSON(b []byte) error {
	type plain Reason
	p := plain{Enforced: true}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*r = Reason(p)
	return nil
}

// RecipientDecision is the verdict for one recipient.
type RecipientDecision struct {
	Address string  `json:"address"` // normalized
	Verdict Verdict `json:"verdict"` // Allow, Block or Defer
	// RetryAfter is, for a deferred recipient, the time until a retry can
	// allow it; 0 otherwise.
	RetryAfter time.Duration `json:"-"`
	Reasons    []Reason      `json:"reasons"`
}

// UnmarshalJSON decodes a recipient of presend's decision JSON.
func (r *RecipientDecision) UnmarshalJSON(b []byte) error {
	type plain RecipientDecision
	var p struct {
		plain
		RetryAfterMS int64 `json:"retry_after_ms"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*r = RecipientDecision(p.plain)
	r.RetryAfter = time.Duration(p.RetryAfterMS) * time.Millisecond
	return nil
}

// Quota is the quota state of an account and region.
type Quota struct {
	Account       string  `json:"account"`
	Region        string  `json:"region"`
	Tier          string  `json:"tier"`
	Sent24h       int64   `json:"sent_24h"`
	Max24h        int64   `json:"max_24h"`
	Remaining24h  int64   `json:"remaining_24h"`
	MaxRate       float64 `json:"max_rate"`
	Burst         float64 `json:"burst"`
	RateAvailable float64 `json:"rate_available,omitempty"` // QuotaStatus only
	LimitsSource  string  `json:"limits_source,omitempty"`  // QuotaStatus only: "config" or "ses"
}

// Decision is presend's answer for one message.
type Decision struct {
	ID      string  `json:"decision_id"`
	Verdict Verdict `json:"verdict"`
	// RetryAfter is, for deferred recipients, the time until a retry can
	// allow one of them; 0 otherwise.
	RetryAfter time.Duration       `json:"-"`
	DryRun     bool                `json:"dry_run"`
	CreatedAt  time.Time           `json:"created_at"`
	Account    string              `json:"account"`
	Region     string              `json:"region"`
	Stream     string              `json:"stream"`
	List       string              `json:"list"`
	MessageID  string              `json:"message_id"`
	Recipients []RecipientDecision `json:"recipients"` // To, Cc, Bcc in order, duplicates merged
	Reasons    []Reason            `json:"reasons"`    // message-level reasons
	Quota      *Quota              `json:"quota"`
	// JSON is the decision as presend wrote it.
	JSON []byte `json:"-"`
}

// UnmarshalJSON decodes presend's decision JSON.
func (d *Decision) UnmarshalJSON(b []byte) error {
	type plain Decision
	var p struct {
		plain
		RetryAfterMS int64 `json:"retry_after_ms"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*d = Decision(p.plain)
	d.RetryAfter = time.Duration(p.RetryAfterMS) * time.Millisecond
	return nil
}

// Allowed returns the addresses the message may be sent to now: every
// recipient whose verdict is Allow.
func (d Decision) Allowed() []string {
	var out []string
	for _, r := range d.Recipients {
		if r.Verdict == Allow {
			out = append(out, r.Address)
		}
	}
	return out
}

// Consent is a consent record (ConsentPut). Address and List are required
// ("*" as the List means every list); zero fields take presend's defaults
// (status "subscribed", method "api", consented now).
type Consent struct {
	Address      string    `json:"address"`
	List         string    `json:"list"`
	Status       string    `json:"status,omitempty"` // "subscribed", "unconfirmed", "unsubscribed"
	Method       string    `json:"method,omitempty"` // "single", "double", "import", "api"
	ConsentedAt  time.Time `json:"-"`
	ConfirmedAt  time.Time `json:"-"`
	ExpiresAt    time.Time `json:"-"`
	Source       string    `json:"source,omitempty"`
	IP           string    `json:"ip,omitempty"`
	Country      string    `json:"country,omitempty"`
	Jurisdiction string    `json:"jurisdiction,omitempty"`
}

// MarshalJSON writes the record as presend expects it (times in RFC 3339, UTC).
func (c Consent) MarshalJSON() ([]byte, error) {
	type plain Consent
	return json.Marshal(struct {
		plain
		ConsentedAt string `json:"consented_at,omitempty"`
		ConfirmedAt string `json:"confirmed_at,omitempty"`
		ExpiresAt   string `json:"expires_at,omitempty"`
	}{plain(c), timeText(c.ConsentedAt), timeText(c.ConfirmedAt), timeText(c.ExpiresAt)})
}

// Suppression is a suppression record (SuppressionPut).
type Suppression struct {
	Address   string    `json:"address"`        // "a@example.org" or "@example.org" (a whole domain)
	Reason    string    `json:"reason"`         // "bounce", "complaint", "manual", "unsubscribe"
	List      string    `json:"list,omitempty"` // empty: every list and stream
	ExpiresAt time.Time `json:"-"`
	Note      string    `json:"note,omitempty"`
}

// MarshalJSON writes the record as presend expects it.
func (s Suppression) MarshalJSON() ([]byte, error) {
	type plain Suppression
	return json.Marshal(struct {
		plain
		ExpiresAt string `json:"expires_at,omitempty"`
	}{plain(s), timeText(s.ExpiresAt)})
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
