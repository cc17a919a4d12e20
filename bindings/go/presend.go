// Package presend is the Go binding of presend, an embedded compliance gate
// for outgoing email. It is a thin layer over presend's C ABI (libpresend):
// every decision is made by the library; this package converts Go values to
// and from presend's JSON and maps status codes to Go errors.
//
// An Engine is safe for concurrent use by many goroutines.
package presend

/*
#cgo pkg-config: presend
#include <stdlib.h>
#include "presend_wrap.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Version is the version of the loaded libpresend, e.g. "1.2.0".
func Version() string { return C.GoString(C.presend_version()) }

// Engine is an open presend engine: a configuration and its store. Use it
// from any number of goroutines; Close it when done.
type Engine struct {
	h       *handle
	cleanup runtime.Cleanup
}

// handle owns the C engine. Calls hold the read lock for their duration, so
// that Close (the write lock) waits for calls in flight and no call starts on
// a freed engine; calls themselves run concurrently, as the C engine allows.
type handle struct {
	mu sync.RWMutex
	p  *C.presend_engine
}

// cleanups counts engines freed by the garbage collector (for tests).
var cleanups atomic.Int64

func (h *handle) free() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.p == nil {
		return false
	}
	C.presend_engine_free(h.p)
	h.p = nil
	return true
}

// Option configures Open and OpenJSON.
type Option func(*openOptions)

type openOptions struct {
	db       string
	readOnly bool
}

// WithDB sets the store file, overriding the configuration's "store".
// A relative path is relative to the working directory.
func WithDB(path string) Option { return func(o *openOptions) { o.db = path } }

// ReadOnly opens the store read-only: only dry runs are possible, and
// changes fail with ErrReadOnly.
func ReadOnly() Option { return func(o *openOptions) { o.readOnly = true } }

// Open opens an engine from a configuration file. The store is created if it
// does not exist. A bad configuration gives an error that matches ErrConfig
// (or ErrJSON, ErrIO).
func Open(configPath string, opts ...Option) (*Engine, error) {
	cpath := C.CString(configPath)
	defer C.free(unsafe.Pointer(cpath))
	return open(opts, func(out **C.presend_engine, o *C.presend_engine_options, errmsg **C.char) C.presend_status {
		return C.presend_engine_open(out, cpath, o, errmsg)
	})
}

// OpenJSON opens an engine from configuration JSON. A relative store path is
// relative to the working directory.
func OpenJSON(config []byte, opts ...Option) (*Engine, error) {
	cjson := C.CBytes(config) // C memory: presend keeps no reference to it
	defer C.free(cjson)
	return open(opts, func(out **C.presend_engine, o *C.presend_engine_options, errmsg **C.char) C.presend_status {
		return C.presend_engine_open_json(out, (*C.char)(cjson), C.size_t(len(config)), o, errmsg)
	})
}

func open(opts []Option, call func(**C.presend_engine, *C.presend_engine_options, **C.char) C.presend_status) (*Engine, error) {
	var oo openOptions
	for _, opt := range opts {
		opt(&oo)
	}
	var co C.presend_engine_options
	C.presend_engine_options_init(&co)
	if oo.db != "" {
		co.store_path = C.CString(oo.db)
		defer C.free(unsafe.Pointer(co.store_path))
	}
	if oo.readOnly {
		co.flags |= C.PRESEND_OPEN_READONLY
	}
	var p *C.presend_engine
	var errmsg *C.char
	st := call(&p, &co, &errmsg)
	if st != C.PRESEND_OK {
		msg := C.GoString(errmsg)
		C.presend_free(unsafe.Pointer(errmsg))
		return nil, newError(st, msg)
	}
	e := &Engine{h: &handle{p: p}}
	// An engine dropped without Close is freed by the garbage collector.
	e.cleanup = runtime.AddCleanup(e, func(h *handle) {
		if h.free() {
			cleanups.Add(1)
		}
	}, e.h)
	return e, nil
}

// Close frees the engine. It waits for calls in flight; later calls fail
// with ErrClosed. Closing twice is harmless.
func (e *Engine) Close() error {
	e.cleanup.Stop()
	e.h.free()
	return nil
}

// enter returns the C engine with the handle's read lock held; the caller
// must call e.leave. It fails when ctx is done or the engine is closed.
func (e *Engine) enter(ctx context.Context) (*C.presend_engine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.h.mu.RLock()
	if e.h.p == nil {
		e.h.mu.RUnlock()
		return nil, ErrClosed
	}
	return e.h.p, nil
}

func (e *Engine) leave() {
	e.h.mu.RUnlock()
	runtime.KeepAlive(e)
}

// result turns a status and the wrapper's copied error text into an error,
// freeing the text.
func result(st C.presend_status, errmsg *C.char) error {
	if errmsg == nil && st == C.PRESEND_OK {
		return nil
	}
	msg := C.GoString(errmsg)
	C.free(unsafe.Pointer(errmsg))
	if st == C.PRESEND_OK {
		return nil
	}
	return newError(st, msg)
}

// takeString copies and frees a string presend returned as owned.
func takeString(p *C.char) []byte {
	if p == nil {
		return nil
	}
	defer C.presend_free(unsafe.Pointer(p))
	return []byte(C.GoString(p))
}

// cstring returns a C copy of s, or NULL for "" (presend's "not given").
func cstring(s string) *C.char {
	if s == "" {
		return nil
	}
	return C.CString(s)
}

func freeC(ps ...*C.char) {
	for _, p := range ps {
		C.free(unsafe.Pointer(p))
	}
}

// bytesArg returns a pointer to b for the duration of a call (presend copies
// what it keeps) and its length.
func bytesArg(b []byte) (*C.char, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.char)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

// CheckOption changes how Check and CheckJSON run.
type CheckOption func(*C.uint32_t)

// DryRun evaluates and reports without reserving quota or storing the
// decision.
func DryRun() CheckOption { return func(f *C.uint32_t) { *f |= C.PRESEND_CHECK_DRY_RUN } }

// Check asks presend whether msg may be sent. Unless DryRun is given, an
// allowing decision reserves quota for its allowed recipients: Release it
// if the message is not sent.
func (e *Engine) Check(ctx context.Context, msg Message, opts ...CheckOption) (Decision, error) {
	js, err := json.Marshal(msg)
	if err != nil {
		return Decision{}, err
	}
	return e.CheckJSON(ctx, js, opts...)
}

// CheckJSON is Check with the message given as presend's message JSON.
func (e *Engine) CheckJSON(ctx context.Context, msg []byte, opts ...CheckOption) (Decision, error) {
	var flags C.uint32_t
	for _, opt := range opts {
		opt(&flags)
	}
	p, err := e.enter(ctx)
	if err != nil {
		return Decision{}, err
	}
	defer e.leave()
	ptr, n := bytesArg(msg)
	var d *C.presend_decision
	var errmsg *C.char
	st := C.go_presend_check(p, ptr, n, flags, &d, &errmsg)
	if err := result(st, errmsg); err != nil {
		return Decision{}, err
	}
	js := []byte(C.GoString(C.presend_decision_json(d)))
	C.presend_decision_free(d)
	var dec Decision
	if err := json.Unmarshal(js, &dec); err != nil {
		return Decision{}, err
	}
	dec.JSON = js
	return dec, nil
}

// Release returns the quota a decision reserved, because its message was not
// sent. ErrNotFound: no such stored decision (dry runs are not stored);
// ErrState: already released.
func (e *Engine) Release(ctx context.Context, decisionID string) error {
	p, err := e.enter(ctx)
	if err != nil {
		return err
	}
	defer e.leave()
	cid := C.CString(decisionID)
	defer freeC(cid)
	var errmsg *C.char
	return result(C.go_presend_release(p, cid, &errmsg), errmsg)
}
