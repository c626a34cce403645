package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/shanxi-water/ledger/events"
)

func runVerify(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("verify", env)
	var sf storeFlags
	sf.register(fs, env)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var rep events.Report
	if c, err := sf.remote(); err != nil {
		return err
	} else if c != nil {
		if err := c.do(ctx, "GET", "/api/verify", nil, "", &rep); err != nil {
			return err
		}
	} else {
		s, err := sf.open(ctx, true)
		if err != nil {
			return err
		}
		defer s.Close()
		if rep, err = s.Verify(ctx); err != nil {
			return err
		}
	}
	if *asJSON {
		if rep.Problems == nil {
			rep.Problems = []events.Problem{}
		}
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(env.Stdout, string(b))
	} else {
		fmt.Fprintf(env.Stdout, "checked %d events of %d aggregates, up to position %d\n", rep.Events, rep.Aggregates, rep.LastPosition)
		for _, p := range rep.Problems {
			fmt.Fprintf(env.Stdout, "BROKEN  %v\n", p)
		}
	}
	if !rep.OK() {
		p := rep.First()
		return &exitError{code: 3, err: fmt.Errorf("%s; first broken link: %v", count(len(rep.Problems), "problem"), p)}
	}
	if !*asJSON {
		fmt.Fprintln(env.Stdout, "OK: every hash and every chain verifies")
	}
	return nil
}
