// Package cli is the ledger command line: it parses subcommands, flags and
// environment variables and calls the packages that do the work. It holds no
// domain rules and no storage logic of its own.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// Env is what a command reads from the outside world.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

type command struct {
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

var commands = map[string]command{
	"events":  {"list or follow the event log, filtered by city, aggregate, name, position or time", runEvents},
	"import":  {"import a station's CSV upload of samples (all rows or none, unless --partial)", runImport},
	"quality": {"water quality: basin shares against the plan's Table 1 and 2, a city's sections", runQuality},
	"serve":   {"serve the HTTP API and dashboard (--demo: on a new demo store)", runServe},
	"verify":  {"walk the log and check every event's hash and every aggregate's chain", runVerify},
	"assess":  {"compute a year's scores, grades and ranks (as of a date, or as it happened), with explanations", inChinese(runAssess)},
	"copy":    {"copy the log into another store, checking every event: a backup (again: only what is new), a restore, a move onto a cluster", runCopy},
	"call":    {"make any API request (see /api/openapi.json), against --server or in process on the local store", inChinese(runCall)},
	"audit":   {"replay a city up to a date: as the ledger knew it then and as it happened, and the difference", inChinese(runAudit)},
	"demo":    {"load the plan's province with five years of seeded history into a new store, and print the results", runDemo},
	"publish": {"publish a year's results, frozen with the log position and a hash of the inputs", inChinese(runPublish)},
}

// inChinese runs a command whose errors are said in Chinese too, under
// the English, where the ledger has the Chinese (the API's message_zh):
// the assessment team's commands, whose users read Chinese first (a year
// published already, a consequence for a city that did not fail), the
// same on the local store and through --server. An import says its own.
func inChinese(run func(context.Context, Env, []string) error) func(context.Context, Env, []string) error {
	return func(ctx context.Context, env Env, args []string) error {
		if err := run(ctx, env, args); err != nil {
			return withChinese(err)
		}
		return nil
	}
}

// exitError carries a process exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// Main runs the command line and returns the process exit code.
func Main(args []string, env Env) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stderr)
		return 2
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "ledger: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return 2
	}
	err := cmd.run(ctx, env, args[1:])
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0 // help was asked for, and given
	}
	fmt.Fprintf(env.Stderr, "ledger %s: %v\n", args[0], err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ledger <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nrun 'ledger <command> -h' for its flags")
}

// storeFlags are the flags every command that opens the log shares.
type storeFlags struct {
	data        string
	url         string
	allowUnsafe bool
	server      string
	token       string
	log         *slog.Logger // the store's log (its connection's losses and returns); slog's default if nil
	fs          *flag.FlagSet
	envData     bool // LEDGER_DATA is set
}

func (f *storeFlags) register(fs *flag.FlagSet, env Env) {
	def := env.Getenv("LEDGER_DATA")
	if def == "" {
		def = "ledger-data"
	}
	fs.StringVar(&f.data, "data", def, "data directory of the embedded store (env LEDGER_DATA)")
	fs.StringVar(&f.url, "nats", env.Getenv("LEDGER_NATS"), "URL of an external NATS server or cluster instead of the embedded store (env LEDGER_NATS)")
	fs.BoolVar(&f.allowUnsafe, "allow-unsafe-stream", false, "open an existing stream even if its settings could lose or delete events")
	fs.StringVar(&f.server, "server", env.Getenv("LEDGER_SERVER"), "call a ledger server's API instead of opening the store (env LEDGER_SERVER; token from LEDGER_TOKEN)")
	f.token = env.Getenv("LEDGER_TOKEN")
	f.fs = fs
	f.envData = env.Getenv("LEDGER_DATA") != ""
}

// given reports whether the flag was given on the command line.
func (f *storeFlags) given(name string) bool {
	found := false
	if f.fs != nil {
		f.fs.Visit(func(fl *flag.Flag) { found = found || fl.Name == name })
	}
	return found
}

// settle decides where the command goes when flags and the environment
// name several places: a flag given on the command line wins over the
// environment (an exported LEDGER_NATS made 'ledger copy --data BACKUP'
// read the cluster, and say OK); two given on the command line are an
// error.
func (f *storeFlags) settle() error {
	if f.fs == nil {
		return nil
	}
	var named []string
	for _, n := range []string{"data", "nats", "server"} {
		if f.given(n) {
			named = append(named, "--"+n)
		}
	}
	if len(named) > 1 {
		return domain.Errorf("", domain.Invalid, strings.TrimPrefix(named[1], "--"), "give one of %s, not %s", strings.Join(named, ", "), strings.Join(named, " and "))
	}
	switch {
	case len(named) == 0 && f.envData && f.url != "":
		// Both in the environment and neither on the command line: which
		// store was meant cannot be told (the URL used to win, silently).
		return domain.Errorf("", domain.Invalid, "nats", "LEDGER_DATA and LEDGER_NATS are both set: give --data or --nats")
	case f.given("data"):
		f.url, f.server = "", ""
	case f.given("nats"):
		f.server = ""
	case f.given("server"):
		f.url = ""
	}
	return nil
}

// replay opens the store and runs fn on it, drawing a progress bar while fn
// reads the log.
func (f *storeFlags) replay(ctx context.Context, env Env, fn func(events.Store) error) error {
	s, err := f.open(ctx, true)
	if err != nil {
		return err
	}
	defer s.Close()
	rs, done := withReplayProgress(ctx, env, s, "replaying")
	defer done()
	return fn(rs)
}

// remote returns a client when --server is given, else nil.
func (f *storeFlags) remote() (*client, error) {
	if err := f.settle(); err != nil {
		return nil, err
	}
	if f.server == "" {
		return nil, nil
	}
	return newClient(f.server, f.token)
}

func (f *storeFlags) open(ctx context.Context, mustExist bool) (*jetstream.Store, error) {
	if err := f.settle(); err != nil {
		return nil, err
	}
	if f.url == "" && mustExist {
		// The embedded server keeps its files in DIR/jetstream: without it
		// there is no ledger, and opening one would leave files behind (a
		// new directory then no longer empty for ledger demo).
		if _, err := os.Stat(filepath.Join(f.data, "jetstream")); err != nil {
			return nil, domain.Errorf("open", domain.NotFound, "data", "no ledger at %s (give --data DIR or --nats URL; 'ledger demo' creates one)", f.data)
		}
	}
	s, err := jetstream.Open(ctx, jetstream.Config{
		DataDir:           f.data,
		URL:               f.url,
		AllowUnsafeStream: f.allowUnsafe,
		MustExist:         mustExist,
		Registry:          app.Registry(),
		Logger:            f.log,
	})
	if errors.Is(err, jetstream.ErrInUse) {
		return nil, fmt.Errorf("%w; if 'ledger serve' has it open, go through its API: --server http://ADDRESS (or LEDGER_SERVER), with a token in LEDGER_TOKEN", err)
	}
	return s, err
}

func newFlagSet(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("ledger "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parseFlags parses args, which hold flags only; a bad flag is a usage
// error (exit code 2).
func parseFlags(fs *flag.FlagSet, args []string) error {
	_, err := parseArgs(fs, args, "")
	return err
}

// parseArgs parses args: flags, then the operands named in operands (e.g.
// "METHOD /api/PATH"), one word each, which it returns. The usage (-h)
// shows them. A flag after an operand, which the flag package would take as
// an operand, is named as such.
func parseArgs(fs *flag.FlagSet, args []string, operands string) ([]string, error) {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [flags] %s\n", fs.Name(), operands)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &exitError{code: 2, err: err}
	}
	rest := fs.Args()
	for i, a := range rest {
		if i > 0 && strings.HasPrefix(a, "-") && len(a) > 1 && !slices.Contains(args, "--") {
			return nil, &exitError{code: 2, err: fmt.Errorf("%s comes after %s: flags go first (usage: %s [flags] %s)", a, rest[0], fs.Name(), operands)}
		}
	}
	if want := len(strings.Fields(operands)); len(rest) != want {
		if want == 0 {
			return nil, &exitError{code: 2, err: fmt.Errorf("unexpected argument %q", rest[0])}
		}
		return nil, &exitError{code: 2, err: fmt.Errorf("usage: %s [flags] %s", fs.Name(), operands)}
	}
	return rest, nil
}

// listFlag collects a repeatable or comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// cityScope accepts a city code, a Chinese or English city name, or "province".
func cityScope(s string) (domain.Scope, error) {
	sc, err := domain.ParseScope(s)
	if err != nil {
		return "", domain.E("", domain.Invalid, "city", err)
	}
	return sc, nil
}
