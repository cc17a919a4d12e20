package presend

/*
#include <presend/presend.h>
*/
import "C"

import "errors"

// Error is a failed call into presend: the C status code, its name and the
// message presend gave for it.
type Error struct {
	Status  int    // the presend_status value, e.g. -14
	Code    string // the status name, e.g. "PRESEND_ENOTFOUND"
	Message string // presend's description of this failure
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "presend: " + statusText(e.Status)
	}
	return "presend: " + statusText(e.Status) + ": " + e.Message
}

// Is reports whether target is an *Error of the same status, so that
// errors.Is(err, presend.ErrNotFound) works. A status this binding does not
// know matches ErrGeneric.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && canonicalStatus(e.Status) == canonicalStatus(t.Status)
}

// Sentinel errors, one per presend status code. Compare with errors.Is.
var (
	ErrGeneric        = sentinel(C.PRESEND_ERROR)
	ErrInvalid        = sentinel(C.PRESEND_EINVAL)
	ErrNoMemory       = sentinel(C.PRESEND_ENOMEM)
	ErrJSON           = sentinel(C.PRESEND_EJSON)
	ErrConfig         = sentinel(C.PRESEND_ECONFIG)
	ErrMessage        = sentinel(C.PRESEND_EMESSAGE)
	ErrTooBig         = sentinel(C.PRESEND_ETOOBIG)
	ErrUnknownAccount = sentinel(C.PRESEND_EUNKNOWN_ACCOUNT)
	ErrUnknownRegion  = sentinel(C.PRESEND_EUNKNOWN_REGION)
	ErrStore          = sentinel(C.PRESEND_ESTORE)
	ErrReadOnly       = sentinel(C.PRESEND_EREADONLY)
	ErrCorrupt        = sentinel(C.PRESEND_ECORRUPT)
	ErrBusy           = sentinel(C.PRESEND_EBUSY)
	ErrNotFound       = sentinel(C.PRESEND_ENOTFOUND)
	ErrState          = sentinel(C.PRESEND_ESTATE)
	ErrIO             = sentinel(C.PRESEND_EIO)
	ErrSchema         = sentinel(C.PRESEND_ESCHEMA)
	ErrParse          = sentinel(C.PRESEND_EPARSE)
	ErrPlugin         = sentinel(C.PRESEND_EPLUGIN)
)

// ErrClosed is returned by calls on an Engine after Close.
var ErrClosed = errors.New("presend: engine is closed")

var statusNames = map[int]string{
	C.PRESEND_ERROR:            "PRESEND_ERROR",
	C.PRESEND_EINVAL:           "PRESEND_EINVAL",
	C.PRESEND_ENOMEM:           "PRESEND_ENOMEM",
	C.PRESEND_EJSON:            "PRESEND_EJSON",
	C.PRESEND_ECONFIG:          "PRESEND_ECONFIG",
	C.PRESEND_EMESSAGE:         "PRESEND_EMESSAGE",
	C.PRESEND_ETOOBIG:          "PRESEND_ETOOBIG",
	C.PRESEND_EUNKNOWN_ACCOUNT: "PRESEND_EUNKNOWN_ACCOUNT",
	C.PRESEND_EUNKNOWN_REGION:  "PRESEND_EUNKNOWN_REGION",
	C.PRESEND_ESTORE:           "PRESEND_ESTORE",
	C.PRESEND_EREADONLY:        "PRESEND_EREADONLY",
	C.PRESEND_ECORRUPT:         "PRESEND_ECORRUPT",
	C.PRESEND_EBUSY:            "PRESEND_EBUSY",
	C.PRESEND_ENOTFOUND:        "PRESEND_ENOTFOUND",
	C.PRESEND_ESTATE:           "PRESEND_ESTATE",
	C.PRESEND_EIO:              "PRESEND_EIO",
	C.PRESEND_ESCHEMA:          "PRESEND_ESCHEMA",
	C.PRESEND_EPARSE:           "PRESEND_EPARSE",
	C.PRESEND_EPLUGIN:          "PRESEND_EPLUGIN",
}

func sentinel(status int) *Error {
	return &Error{Status: status, Code: statusNames[status]}
}

// canonicalStatus maps codes added to presend after this binding to the
// generic error, as the C ABI asks of bindings.
func canonicalStatus(status int) int {
	if _, ok := statusNames[status]; ok {
		return status
	}
	return C.PRESEND_ERROR
}

func statusText(status int) string {
	return C.GoString(C.presend_status_str(C.presend_status(status)))
}

func newError(status C.presend_status, message string) error {
	s := int(status)
	return &Error{Status: s, Code: statusNames[canonicalStatus(s)], Message: message}
}
