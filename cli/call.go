package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/domain"
)

// runCall makes any API request, against a server (--server) or, in
// process, against the local store: every command and query of the API is a
// command line operation too.
func runCall(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("call", env)
	var sf storeFlags
	sf.register(fs, env)
	data := fs.String("data-json", "", "request body (JSON), or @FILE to read it from a file")
	ctype := fs.String("content-type", "application/json", "request body's media type (text/csv for uploads)")
	as := fs.String("as", "cli:admin", "on the local store: who makes the request, as id:role")
	ops, err := parseArgs(fs, args, "METHOD /api/PATH")
	if err != nil {
		return err
	}
	method, path := strings.ToUpper(ops[0]), ops[1]
	if !strings.HasPrefix(path, "/api/") {
		return &exitError{code: 2, err: fmt.Errorf("the path must start with /api/")}
	}
	var body []byte
	if *data != "" {
		if name, ok := strings.CutPrefix(*data, "@"); ok {
			b, err := os.ReadFile(name)
			if err != nil {
				return domain.E("call", domain.NotFound, "data-json", err)
			}
			body = b
		} else {
			body = []byte(*data)
		}
	}
	var out []byte
	if c, err := sf.remote(); err != nil {
		return err
	} else if c != nil {
		if err := c.do(ctx, method, path, bytes.NewReader(body), *ctype, &out); err != nil {
			return err
		}
	} else {
		a, err := actorFlag(*as)
		if err != nil {
			return err
		}
		s, err := sf.open(ctx, true)
		if err != nil {
			return err
		}
		defer s.Close()
		tokens := api.MemoryTokens()
		if a.Role == domain.Station {
			return domain.Errorf("call", domain.Invalid, "as", "on the local store act as the role you hold there (admin, assessment, enforcement, auditor); stations upload with 'ledger import'")
		}
		secret, err := tokens.Add(api.Token{Person: a.ID, Role: a.Role})
		if err != nil {
			return err
		}
		srv := api.New(api.Config{Store: s, Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go srv.Run(rctx)
		last, err := s.LastPosition(ctx)
		if err != nil {
			return err
		}
		srv.Live().WaitFor(ctx, last, 10*time.Minute)
		req := httptest.NewRequestWithContext(ctx, method, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", *ctype)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code >= 300 {
			var e api.ErrorBody
			if json.Unmarshal(rec.Body.Bytes(), &e) == nil && e.Error.Message != "" {
				return &domain.Error{Op: e.Error.Op, Kind: kinds[e.Error.Kind], Field: e.Error.Field, Err: fmt.Errorf("%s", remoteMessage(e.Error.Message, e.Error.Op, e.Error.Field))}
			}
			return fmt.Errorf("%s: %s", http.StatusText(rec.Code), rec.Body.String())
		}
		out = rec.Body.Bytes()
	}
	if ct := strings.TrimSpace(string(out)); ct == "" {
		return nil
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out, "", "  "); err != nil {
		_, err := env.Stdout.Write(out)
		return err
	}
	pretty.WriteByte('\n')
	_, err = env.Stdout.Write(pretty.Bytes())
	return err
}
