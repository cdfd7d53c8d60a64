package wizard

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

// apiError is an error answer: its HTTP status, a code a program can test
// ("not_found"), a message for a person, and details of its kind.
type apiError struct {
	status int
	code   string
	msg    string
	// extra fields of the JSON answer, beside "code" and "error".
	extra map[string]any
	// retryAfter, when set, is the Retry-After header's seconds.
	retryAfter int
}

func (e *apiError) Error() string { return e.msg }

func errNotFound(msg string) *apiError {
	return &apiError{status: http.StatusNotFound, code: "not_found", msg: msg}
}

func errBadRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "bad_request", msg: fmt.Sprintf(format, args...)}
}

func errInvalid(format string, args ...any) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, code: "invalid", msg: fmt.Sprintf(format, args...)}
}

func errForbidden(format string, args ...any) *apiError {
	return &apiError{status: http.StatusForbidden, code: "forbidden", msg: fmt.Sprintf(format, args...)}
}

func errTooMany(msg string) *apiError {
	return &apiError{status: http.StatusTooManyRequests, code: "too_many_requests", msg: msg, retryAfter: 2}
}

func errConflict(code, msg string, extra map[string]any) *apiError {
	return &apiError{status: http.StatusConflict, code: code, msg: msg, extra: extra}
}

// writeError answers with err as JSON: an *apiError as it is, any other
// error as what it wraps says (see asAPIError).
func writeError(w http.ResponseWriter, err error) {
	e := asAPIError(err)
	body := map[string]any{"code": e.code, "error": e.msg}
	for k, v := range e.extra {
		body[k] = v
	}
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	writeJSON(w, e.status, body)
}

// asAPIError turns an error of the library into an answer: a mapping that
// cannot apply is 422 with the column at fault, a file that cannot be read
// 415 or 422, something missing 404, a conflict 409; anything else is a
// failure of the system (500), whose message is the error's.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var me *mapping.MappingError
	var mbe *http.MaxBytesError
	var pe *formats.ParseError
	switch {
	case errors.As(err, &me):
		e := errInvalid("%s", me.Error())
		e.code = "invalid_mapping"
		e.extra = map[string]any{"column": me.Column, "header": me.Header, "field": me.Field, "problem": me.Problem}
		return e
	case errors.Is(err, importer.ErrNoMapping):
		e := errInvalid("no column is mapped to a field and no value is set: map at least one column")
		e.code = "invalid_mapping"
		return e
	case errors.As(err, &mbe):
		return &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large",
			msg: fmt.Sprintf("the request is larger than the %s limit", formatBytes(mbe.Limit))}
	case errors.Is(err, formats.ErrTooLarge):
		return &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large", msg: err.Error()}
	case errors.Is(err, formats.ErrUnsupportedFormat), errors.Is(err, formats.ErrEncrypted):
		return &apiError{status: http.StatusUnsupportedMediaType, code: "unsupported_format", msg: err.Error()}
	case errors.Is(err, formats.ErrNoSheet), errors.Is(err, formats.ErrNoHeader), errors.Is(err, formats.ErrCorrupt), errors.As(err, &pe):
		return &apiError{status: http.StatusUnprocessableEntity, code: "unreadable_file", msg: err.Error()}
	case errors.Is(err, crmio.ErrUnknownModule), errors.Is(err, crmio.ErrUnknownField), errors.Is(err, storage.ErrInvalidQuery),
		errors.Is(err, crmio.ErrInvalidValue):
		return errInvalid("%s", err.Error())
	case errors.Is(err, importer.ErrJobRunning):
		return errConflict("running", err.Error(), nil)
	case errors.Is(err, importer.ErrNotResumable):
		return errConflict("not_resumable", err.Error(), nil)
	case errors.Is(err, crmio.ErrNotSupported):
		return &apiError{status: http.StatusNotImplemented, code: "not_supported", msg: err.Error()}
	case errors.Is(err, crmio.ErrNotFound):
		return errNotFound(err.Error())
	}
	return &apiError{status: http.StatusInternalServerError, code: "internal", msg: err.Error()}
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// decodeJSON reads a JSON request body into v: it must say it is JSON
// (415 otherwise), stay within the size limit (413) and hold nothing but
// v's fields (400).
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &apiError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			msg: fmt.Sprintf("the request body must be application/json, not %q", r.Header.Get("Content-Type"))}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.opts.MaxRequestSize))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return errBadRequest("the request body is empty: send a JSON object")
		}
		return errBadRequest("the request body is not valid JSON for this request: %v", err)
	}
	if dec.More() {
		return errBadRequest("the request body holds more than one JSON value")
	}
	return nil
}

// formatBytes writes a byte count for people: "100 MiB".
func formatBytes(n int64) string {
	const unit = 1024
	switch {
	case n < unit:
		return fmt.Sprintf("%d bytes", n)
	case n < unit*unit:
		return fmt.Sprintf("%.4g KiB", float64(n)/unit)
	case n < unit*unit*unit:
		return fmt.Sprintf("%.4g MiB", float64(n)/(unit*unit))
	}
	return fmt.Sprintf("%.4g GiB", float64(n)/(unit*unit*unit))
}
