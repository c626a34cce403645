package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
)

// client calls a ledger server's API (--server), with the bearer token from
// the environment (LEDGER_TOKEN).
type client struct {
	base  string
	token string
	http  *http.Client
}

func newClient(base, token string) (*client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, domain.Errorf("", domain.Invalid, "server", "%q is not an http(s) URL", base)
	}
	if token == "" {
		return nil, domain.Errorf("", domain.Unauthenticated, "LEDGER_TOKEN", "missing: set it to your access token to use --server")
	}
	return &client{base: strings.TrimRight(base, "/"), token: token, http: &http.Client{}}, nil
}

// kinds maps the API's error kinds back to domain kinds.
var kinds = map[string]domain.Kind{}

func init() {
	for k := domain.Other; k <= domain.Unauthenticated; k++ {
		kinds[k.String()] = k
	}
}

// do calls method path with an optional body and decodes the JSON answer
// into out; an API error comes back as a *domain.Error with its kind and
// field.
func (c *client) do(ctx context.Context, method, path string, body io.Reader, ctype string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return domain.E(method+" "+path, domain.Internal, "server", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct {
				Kind, Op, Field, Message string
				Rows                     []monitoring.RowError
				RowsOmitted              int                    `json:"rows_omitted"`
				RefusedSections          []monitoring.SectionID `json:"refused_sections"`
			}
		}
		if json.Unmarshal(b, &e) != nil || e.Error.Message == "" {
			return domain.Errorf(method+" "+path, domain.Internal, "", "%s: %s", resp.Status, strings.TrimSpace(string(b)))
		}
		var err error = fmt.Errorf("%s", remoteMessage(e.Error.Message, e.Error.Op, e.Error.Field))
		if len(e.Error.Rows) > 0 {
			err = &remoteImportError{msg: err.Error(), rows: &app.ImportError{Errors: e.Error.Rows, Omitted: e.Error.RowsOmitted, Refused: e.Error.RefusedSections}}
		}
		return &domain.Error{Op: e.Error.Op, Kind: kinds[e.Error.Kind], Field: e.Error.Field, Err: err}
	}
	switch o := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*o = b // taken as it is (exports are CSV or XLSX)
		return nil
	}
	return json.Unmarshal(b, out)
}

// remoteImportError is an upload a server refused: its message as the
// server gave it, and its bad rows, as a local import's error has them.
type remoteImportError struct {
	msg  string
	rows *app.ImportError
}

func (e *remoteImportError) Error() string { return e.msg }
func (e *remoteImportError) Unwrap() error { return e.rows }

// remoteMessage strips the "op: field: " the server already put in front.
func remoteMessage(msg, op, field string) string {
	msg = strings.TrimPrefix(msg, op+": ")
	return strings.TrimPrefix(msg, field+": ")
}

func query(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Add(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}
