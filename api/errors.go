package api

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/events"
)

// statusOf maps every kind of error to its HTTP status: the one table.
var statusOf = map[domain.Kind]int{
	domain.Invalid:         http.StatusBadRequest,
	domain.Unauthenticated: http.StatusUnauthorized,
	domain.Forbidden:       http.StatusForbidden,
	domain.NotFound:        http.StatusNotFound,
	domain.Conflict:        http.StatusConflict,
	domain.Unavailable:     http.StatusServiceUnavailable,
	domain.Corrupt:         http.StatusInternalServerError,
	domain.Internal:        http.StatusInternalServerError,
	domain.Other:           http.StatusInternalServerError,
}

// ErrorBody is what every failed request returns.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names the kind, the operation, the field at fault and why;
// MessageZh says why in Chinese, where the ledger has it (an upload's or a
// correction's errors, for the stations' staff, as each row's reason_zh;
// an enforcement request's, for the bureaus' officers: reasonZh);
// Rows lists every bad row of a rejected upload; Conflict the aggregate that
// moved on.
type ErrorDetail struct {
	Kind      string                `json:"kind"`
	Op        string                `json:"op,omitempty"`
	Field     string                `json:"field,omitempty"`
	Message   string                `json:"message"`
	MessageZh string                `json:"message_zh,omitempty"`
	Rows      []monitoring.RowError `json:"rows,omitempty"`
	// RowsOmitted counts an upload's errors past the rows listed.
	RowsOmitted int `json:"rows_omitted,omitempty"`
	// RefusedSections names the sections a station's upload named that
	// its token may not upload for, which forbid it (403) whole.
	RefusedSections []monitoring.SectionID `json:"refused_sections,omitempty"`
	Conflict        *events.ConflictError  `json:"conflict,omitempty"`
}

// writeError answers with the error's status and JSON body.
func writeError(w http.ResponseWriter, err error) {
	status, d := errorDetail(err)
	retryAfter(w, status)
	writeJSON(w, status, ErrorBody{Error: d})
}

// retryAfter tells a client refused for now when to try again.
func retryAfter(w http.ResponseWriter, status int) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
}

// writeRequestError is writeError for a request: an event's occurred_at is
// named as the request named it, ?date=.
func writeRequestError(w http.ResponseWriter, r *http.Request, err error) {
	status, d := errorDetail(err)
	if d.Field == "occurred_at" && r.URL.Query().Has("date") {
		d.Field = "date"
		d.Message = strings.Replace(d.Message, "occurred_at", "date", 1)
	}
	retryAfter(w, status)
	writeJSON(w, status, ErrorBody{Error: d})
}

// ErrorBodyOf is the body the API answers an error with: what the command
// line prints for one with --json.
func ErrorBodyOf(err error) ErrorBody {
	_, d := errorDetail(err)
	return ErrorBody{Error: d}
}

// errorDetail is an error's status and body.
func errorDetail(err error) (int, ErrorDetail) {
	kind := domain.KindOf(err)
	if kind == domain.Other && errors.Is(err, context.DeadlineExceeded) {
		kind = domain.Unavailable // a read the store was too slow to answer (a write's unknown outcome is Internal)
	}
	d := ErrorDetail{Kind: kind.String(), Field: domain.FieldOf(err), Message: err.Error()}
	var de *domain.Error
	if errors.As(err, &de) {
		d.Op = de.Op
	}
	// A request stores one event: a payload the log refuses is named by
	// the request's own field, not by its place in the append.
	if f, ok := strings.CutPrefix(d.Field, "changes[0].events[0]."); ok && d.Op == "events.Append" {
		orig := d.Field
		d.Field = f // occurred_at: the date the request gave, or now
		if f, ok := strings.CutPrefix(f, "data"); ok {
			d.Field = cmp.Or(strings.TrimPrefix(f, "."), "body")
		}
		// The message names it so too, not the log's place for it.
		d.Message = strings.Replace(strings.TrimPrefix(d.Message, "events.Append: "), orig, d.Field, 1)
	}
	// Said in Chinese by the tables (the reason alone: the op and field
	// stay in English, in their own fields).
	d.MessageZh = reasonZh(d.Op, d.Field, domain.ReasonOf(err))
	var ie *app.ImportError
	if errors.As(err, &ie) {
		d.Rows, d.RowsOmitted, d.RefusedSections = ie.Errors, ie.Omitted, ie.Refused
		d.MessageZh = ie.SummaryZh()
	}
	var ce *events.ConflictError
	if errors.As(err, &ce) {
		d.Conflict = ce
	}
	status, ok := statusOf[kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	return status, d
}

// reasonZh is an error's reason in Chinese, or "" if no table has it: the
// one lookup every error body's message_zh is made by. Enforcement's
// table is tried first (its reasons are its own: a card, an inspection, a
// credit code, a city-limited token; and a text field's fault in its
// operations, said with the field's name), then the officials' and the
// tasks' (a field's bare fault in their operations, said with the field's
// name), then the table an upload's rows are said by, which also has the
// reasons they share (missing, a text's faults, a request body's). The
// assessment team's own operations (publishing a year, a consequence) are
// said by assessment's table first.
func reasonZh(op, field, reason string) string {
	return cmp.Or(assessment.ErrorZh(op, field, reason), enforcement.ErrorZh(op, field, reason), officials.ErrorZh(op, field, reason),
		tasks.ErrorZh(op, field, reason), monitoring.ReasonZh(reason), serverZh.Say(reason))
}

// serverZh says the server's own reasons in Chinese.
var serverZh = domain.ZhTable{
	{EN: regexp.MustCompile(`^the read models are still catching up with the log \(position (\d+) of (\d+), as the server started\): try again shortly$`),
		ZH: "读取模型仍在追赶台账（已应用至位置 $1，服务启动时台账共 $2）：请稍后再试"},
}

// routeErrors answers the requests under /api/ that no route takes (404,
// or 405 with the methods allowed in Allow) with the JSON error body every
// other API error has, where the mux would answer in plain text; a page
// that no route takes gets the dashboard's 404 page.
func routeErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/"):
			w = &routeErrorWriter{ResponseWriter: w, r: r}
		case r.Method == http.MethodGet:
			w = &routeErrorWriter{ResponseWriter: w, r: r, page: true}
		}
		next.ServeHTTP(w, r)
	})
}

type routeErrorWriter struct {
	http.ResponseWriter
	r        *http.Request
	page     bool // a dashboard page: a 404 is notFoundPage
	answered bool // the JSON error is written: drop the mux's text
}

func (w *routeErrorWriter) WriteHeader(status int) {
	plain := strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain")
	if !plain || (status != http.StatusNotFound && status != http.StatusMethodNotAllowed) || (w.page && status != http.StatusNotFound) {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.answered = true
	if w.page {
		w.Header().Del("X-Content-Type-Options")
		notFoundPage(w.ResponseWriter, w.r)
		return
	}
	d := ErrorDetail{Kind: domain.NotFound.String(), Message: fmt.Sprintf("no route %s %s", w.r.Method, w.r.URL.Path)}
	if status == http.StatusMethodNotAllowed {
		d.Kind, d.Message = "method not allowed", fmt.Sprintf("%s is not allowed on %s (allowed: %s)", w.r.Method, w.r.URL.Path, w.Header().Get("Allow"))
	}
	writeJSON(w.ResponseWriter, status, ErrorBody{Error: d})
}

func (w *routeErrorWriter) Write(b []byte) (int, error) {
	if w.answered {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *routeErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writeJSON answers with the status and v as JSON. v is encoded before
// anything is sent: a value that cannot be encoded is answered with a 500
// and the reason, not with a 200 and an empty body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		if _, isError := v.(ErrorBody); !isError {
			writeError(w, domain.E("api.writeJSON", domain.Internal, "", fmt.Errorf("encoding the answer: %w", err)))
			return
		}
		status = http.StatusInternalServerError
		msg, _ := json.Marshal(err.Error()) // a string always encodes
		buf.Reset()
		fmt.Fprintf(&buf, `{"error":{"kind":"internal","message":%s}}`+"\n", msg)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
