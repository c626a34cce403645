package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
)

func runDemo(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("demo", env)
	data := fs.String("data", "", "directory for the new store (default: a new directory under the system's temporary directory)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir := *data
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "ledger-demo-"); err != nil {
			return err
		}
	} else if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return domain.Errorf("demo", domain.Invalid, "data", "%s is not empty: the demo starts from a new directory", dir)
	}
	sf := storeFlags{data: dir}
	s, err := sf.open(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(env.Stderr, "embedded store (JetStream, fsync on every write) in %s\n", dir)

	system := domain.Actor{ID: "ledger-demo", Role: domain.System}
	planDate := time.Date(2015, 12, 30, 0, 0, 0, 0, cst) // 晋政发〔2015〕59号
	evs, err := app.RegisterCities(ctx, s, system, planDate)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "registered %d cities of Shanxi in one atomic append:\n", len(evs))
	for _, e := range evs {
		c := e.Data.(domain.CityRegistered)
		fmt.Fprintf(env.Stdout, "  %s %s %-9s position %d  hash %s…\n", c.Code, c.Name, c.NameEn, e.Position, e.Hash.String()[:16])
	}
	rep, err := s.Verify(ctx)
	if err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("verify: %v", rep.First())
	}
	fmt.Fprintf(env.Stdout, "verified %d events in %d hash chains\n\n", rep.Events, rep.Aggregates)
	fmt.Fprintf(env.Stdout, "browse the log:   go run ./cmd/ledger events --data %s\n", dir)
	fmt.Fprintf(env.Stdout, "check its chains: go run ./cmd/ledger verify --data %s\n", dir)
	return nil
}
