package presend

/*
#include <stdlib.h>
#include "presend_wrap.h"
*/
import "C"

import (
	"context"
	"encoding/json"
)

// ConsentPut records (creates or replaces) a consent record.
func (e *Engine) ConsentPut(ctx context.Context, c Consent) error {
	js, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return e.ConsentPutJSON(ctx, js)
}

// ConsentPutJSON records a consent record given as presend's JSON object.
func (e *Engine) ConsentPutJSON(ctx context.Context, record []byte) error {
	p, err := e.enter(ctx)
	if err != nil {
		return err
	}
	defer e.leave()
	ptr, n := bytesArg(record)
	var errmsg *C.char
	return result(C.go_presend_consent_put(p, ptr, n, &errmsg), errmsg)
}

// ConsentWithdraw marks consent for (address, list) as withdrawn now.
// ErrNotFound when there is no record.
func (e *Engine) ConsentWithdraw(ctx context.Context, address, list string) error {
	p, err := e.enter(ctx)
	if err != nil {
		return err
	}
	defer e.leave()
	ca, cl := C.CString(address), C.CString(list)
	defer freeC(ca, cl)
	var errmsg *C.char
	return result(C.go_presend_consent_withdraw(p, ca, cl, &errmsg), errmsg)
}

// SuppressionPut adds (or replaces) a suppression.
func (e *Engine) SuppressionPut(ctx context.Context, s Suppression) error {
	js, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return e.SuppressionPutJSON(ctx, js)
}

// SuppressionPutJSON adds a suppression given as presend's JSON object.
func (e *Engine) SuppressionPutJSON(ctx context.Context, record []byte) error {
	p, err := e.enter(ctx)
	if err != nil {
		return err
	}
	defer e.leave()
	ptr, n := bytesArg(record)
	var errmsg *C.char
	return result(C.go_presend_suppression_put(p, ptr, n, &errmsg), errmsg)
}

// SuppressionRemove removes the suppression of an address or "@domain" for
// list ("" for the global one). ErrNotFound when there is none.
func (e *Engine) SuppressionRemove(ctx context.Context, address, list string) error {
	p, err := e.enter(ctx)
	if err != nil {
		return err
	}
	defer e.leave()
	ca, cl := C.CString(address), cstring(list)
	defer freeC(ca, cl)
	var errmsg *C.char
	return result(C.go_presend_suppression_remove(p, ca, cl, &errmsg), errmsg)
}

// IngestOptions qualify the events given to EventsIngest. All are optional.
type IngestOptions struct {
	Format         string `json:"format,omitempty"` // "auto" (default), "ses" or "arf"
	Account        string `json:"account,omitempty"`
	Region         string `json:"region,omitempty"`
	Source         string `json:"source,omitempty"`          // a name for the audit trail
	SNSCertificate string `json:"sns_certificate,omitempty"` // PEM of the SNS signing certificate
}

// IngestReport is what EventsIngest did.
type IngestReport struct {
	Documents        int               `json:"documents"`
	Ingested         int               `json:"ingested"`
	Duplicates       int               `json:"duplicates"`
	Failed           int               `json:"failed"`
	Other            int               `json:"other"`
	Suppressed       int               `json:"suppressed"`
	Bounces          int               `json:"bounces"`
	TransientBounces int               `json:"transient_bounces"`
	Complaints       int               `json:"complaints"`
	Outcomes         []json.RawMessage `json:"outcomes"` // one per document, as presend wrote it
}

// EventsIngest ingests what a provider reported: Amazon SES notifications
// and events (bare or in SNS envelopes; one document, an array or JSON
// Lines) or one ARF report. A malformed document is reported in its outcome
// and does not fail the call.
func (e *Engine) EventsIngest(ctx context.Context, data []byte, opts *IngestOptions) (IngestReport, error) {
	var optJSON []byte
	if opts != nil {
		var err error
		if optJSON, err = json.Marshal(opts); err != nil {
			return IngestReport{}, err
		}
	}
	p, err := e.enter(ctx)
	if err != nil {
		return IngestReport{}, err
	}
	defer e.leave()
	var copts *C.char
	if optJSON != nil {
		copts = C.CString(string(optJSON))
		defer freeC(copts)
	}
	ptr, n := bytesArg(data)
	var out, errmsg *C.char
	if err := result(C.go_presend_events_ingest(p, ptr, n, copts, &out, &errmsg), errmsg); err != nil {
		return IngestReport{}, err
	}
	var rep IngestReport
	err = json.Unmarshal(takeString(out), &rep)
	return rep, err
}

// Pause pauses an account's sending in region ("" for every region): every
// message is deferred with reputation.paused until Resume. ErrInvalid for an
// unknown account or region.
func (e *Engine) Pause(ctx context.Context, account, region, reason string) error {
	p, err := e.enter(ctx)
	if err != nil {
		return err
	}
	defer e.leave()
	ca, cr, cw := C.CString(account), cstring(region), cstring(reason)
	defer freeC(ca, cr, cw)
	var out, errmsg *C.char
	err = result(C.go_presend_pause(p, ca, cr, cw, &out, &errmsg), errmsg)
	takeString(out)
	return err
}

// Resume lifts a pause set with the same account and region. ErrNotFound
// when there is none.
func (e *Engine) Resume(ctx context.Context, account, region string) error {
	p, err := e.enter(ctx)
	if err != nil {
		return err
	}
	defer e.leave()
	ca, cr := C.CString(account), cstring(region)
	defer freeC(ca, cr)
	var out, errmsg *C.char
	err = result(C.go_presend_resume(p, ca, cr, &out, &errmsg), errmsg)
	takeString(out)
	return err
}

// AuditResult is the outcome of AuditVerify.
type AuditResult struct {
	OK      bool   `json:"ok"`      // the whole chain verifies
	Records int64  `json:"records"` // records checked
	Problem string `json:"problem"` // what is wrong, when not OK
	// JSON is the full result as presend wrote it (first_bad,
	// verified_through, head, key).
	JSON []byte `json:"-"`
}

// AuditVerify verifies the whole audit chain. A broken chain is not an
// error: the result says OK false.
func (e *Engine) AuditVerify(ctx context.Context) (AuditResult, error) {
	p, err := e.enter(ctx)
	if err != nil {
		return AuditResult{}, err
	}
	defer e.leave()
	var out, errmsg *C.char
	if err := result(C.go_presend_audit_verify(p, &out, &errmsg), errmsg); err != nil {
		return AuditResult{}, err
	}
	var res AuditResult
	res.JSON = takeString(out)
	err = json.Unmarshal(res.JSON, &res)
	return res, err
}

// ReportOptions select a report's period and form. Zero values are presend's
// defaults (the last 7 days, JSON, 200 rows).
type ReportOptions struct {
	From   string `json:"from,omitempty"`   // a date or RFC 3339 time
	To     string `json:"to,omitempty"`     // exclusive
	Format string `json:"format,omitempty"` // "json", "html", "csv" or "md"
	Limit  int    `json:"limit,omitempty"`  // rows of the not-sent table
}

// Report renders a report over a period.
func (e *Engine) Report(ctx context.Context, opts ReportOptions) ([]byte, error) {
	optJSON, err := json.Marshal(opts)
	if err != nil {
		return nil, err
	}
	p, err := e.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer e.leave()
	copts := C.CString(string(optJSON))
	defer freeC(copts)
	var out, errmsg *C.char
	if err := result(C.go_presend_report(p, copts, &out, &errmsg), errmsg); err != nil {
		return nil, err
	}
	return takeString(out), nil
}

// QuotaStatus returns the quota state of an account and region ("" for the
// configuration's defaults).
func (e *Engine) QuotaStatus(ctx context.Context, account, region string) (Quota, error) {
	p, err := e.enter(ctx)
	if err != nil {
		return Quota{}, err
	}
	defer e.leave()
	ca, cr := cstring(account), cstring(region)
	defer freeC(ca, cr)
	var out, errmsg *C.char
	if err := result(C.go_presend_quota_status(p, ca, cr, &out, &errmsg), errmsg); err != nil {
		return Quota{}, err
	}
	var q Quota
	err = json.Unmarshal(takeString(out), &q)
	return q, err
}

// ImportFormat is the format of ConsentImport's data.
type ImportFormat int

// Import formats.
const (
	ImportAuto  ImportFormat = C.PRESEND_IMPORT_AUTO  // by content
	ImportCSV   ImportFormat = C.PRESEND_IMPORT_CSV   // a header row naming the columns
	ImportJSONL ImportFormat = C.PRESEND_IMPORT_JSONL // one consent record (JSON) per line
)

// ImportReport is what ConsentImport did.
type ImportReport struct {
	Imported int `json:"imported"`
	Rejected int `json:"rejected"`
	Errors   []struct {
		Line    int    `json:"line"`
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"errors"` // at most 1,000 listed
}

// ConsentImport imports consent records in one transaction. Bad rows are
// reported and skipped; the call fails only when the store fails.
func (e *Engine) ConsentImport(ctx context.Context, data []byte, format ImportFormat) (ImportReport, error) {
	p, err := e.enter(ctx)
	if err != nil {
		return ImportReport{}, err
	}
	defer e.leave()
	ptr, n := bytesArg(data)
	var out, errmsg *C.char
	st := C.go_presend_consent_import_data(p, ptr, n, C.presend_import_format(format), &out, &errmsg)
	if err := result(st, errmsg); err != nil {
		return ImportReport{}, err
	}
	var rep ImportReport
	err = json.Unmarshal(takeString(out), &rep)
	return rep, err
}
