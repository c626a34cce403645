package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
)

// parseAsOf reads the as-of date given on the command line in a flag
// (domain.ParseAsOf), what the ledger knew then: a date after today is
// refused as the API refuses it (domain.CheckAsOf), naming the flag.
func parseAsOf(flag, s string) (time.Time, error) {
	t, err := domain.ParseAsOf(s)
	if err == nil {
		err = domain.CheckAsOf(s, t, time.Now())
	}
	if err != nil {
		return time.Time{}, domain.E("", domain.Invalid, flag, err)
	}
	return t, nil
}

// wireTime is a time read from the command line as a server is sent it:
// RFC 3339 in Shanxi time. The command line takes a date in several
// forms (2019-12-31, 2019/12/31, 20191231), the API in one.
func wireTime(t time.Time) string { return t.In(domain.CST).Format(time.RFC3339Nano) }

func runEvents(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("events", env)
	var sf storeFlags
	sf.register(fs, env)
	var cities, types, names listFlag
	fs.Var(&cities, "city", "only these cities (code, 太原 or Taiyuan, or province); repeatable or comma-separated")
	fs.Var(&types, "type", "only these aggregate types (section, task, …)")
	fs.Var(&names, "name", "only these event names (section.reading_recorded, …)")
	aggregate := fs.String("aggregate", "", "only one aggregate, as scope/type/id")
	from := fs.Uint64("from", 0, "first position")
	to := fs.Uint64("to", 0, "last position")
	asOf := fs.String("as-of", "", "only events recorded by then: a date (end of that day, Shanxi time) or an RFC 3339 time")
	follow := fs.Bool("follow", false, "keep waiting for new events")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	limit := fs.Int("limit", 0, "stop after this many events (0: no limit)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	q := events.Query{From: *from, To: *to}
	for _, c := range cities {
		s, err := cityScope(c)
		if err != nil {
			return err
		}
		q.Scopes = append(q.Scopes, s)
	}
	for _, t := range types {
		q.Types = append(q.Types, events.AggregateType(t))
	}
	if err := app.CheckTypes("events", "type", q.Types); err != nil {
		return err
	}
	for _, n := range names {
		q.Names = append(q.Names, events.Name(n))
	}
	if err := app.CheckNames("events", "name", q.Names); err != nil {
		return err
	}
	if *aggregate != "" {
		a, err := events.ParseAggregate(*aggregate)
		if err != nil {
			return err
		}
		q.Aggregate = &a
	}
	if *asOf != "" {
		t, err := parseAsOf("as-of", *asOf)
		if err != nil {
			return err
		}
		q.RecordedBy = t
	}
	if err := q.Validate("events"); err != nil {
		return err
	}
	out := newEventWriter(env.Stdout, *asJSON)
	if c, err := sf.remote(); err != nil {
		return err
	} else if c != nil {
		if *follow {
			return domain.Errorf("events", domain.Invalid, "follow", "following needs the store itself (--data or --nats), not --server")
		}
		lim := *limit
		if lim == 0 {
			lim = 10000
		}
		v := url.Values{"limit": {fmt.Sprint(lim)}}
		if *from != 0 {
			v.Set("from", fmt.Sprint(*from))
		}
		if *to != 0 {
			v.Set("to", fmt.Sprint(*to))
		}
		if !q.RecordedBy.IsZero() {
			v.Set("as_of", wireTime(q.RecordedBy))
		}
		if q.Aggregate != nil {
			v.Set("aggregate", q.Aggregate.String())
		}
		for _, sc := range q.Scopes {
			v.Add("city", string(sc))
		}
		for _, t := range q.Types {
			v.Add("type", string(t))
		}
		for _, n := range q.Names {
			v.Add("name", string(n))
		}
		path := "/api/events?" + v.Encode()
		var evs []events.Event
		if err := c.do(ctx, "GET", path, nil, "", &evs); err != nil {
			return err
		}
		for _, e := range evs {
			if err := out.write(e); err != nil {
				return err
			}
		}
		return out.flush()
	}
	s, err := sf.open(ctx, true)
	if err != nil {
		return err
	}
	defer s.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := 0
	errLimit := fmt.Errorf("limit reached")
	fn := func(e events.Event) error {
		if err := out.write(e); err != nil {
			return err
		}
		n++
		if *limit > 0 && n >= *limit {
			return errLimit
		}
		return nil
	}
	if *follow {
		err = s.Follow(ctx, q, fn)
	} else {
		err = s.Read(ctx, q, fn)
	}
	if ferr := out.flush(); err == nil {
		err = ferr
	}
	if err == errLimit || (*follow && ctx.Err() != nil) {
		return nil
	}
	return err
}

// eventWriter prints events as a table or as JSON lines.
type eventWriter struct {
	json bool
	enc  *json.Encoder
	tw   *tabwriter.Writer
	rows int
}

func newEventWriter(w io.Writer, asJSON bool) *eventWriter {
	if asJSON {
		return &eventWriter{json: true, enc: json.NewEncoder(w)}
	}
	return &eventWriter{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
}

func (w *eventWriter) write(e events.Event) error {
	if w.json {
		return w.enc.Encode(e)
	}
	if w.rows == 0 {
		fmt.Fprintln(w.tw, "POSITION\tRECORDED (CST)\tOCCURRED (CST)\tAGGREGATE\tVER\tEVENT\tACTOR\tPAYLOAD")
	}
	w.rows++
	payload := string(e.Payload)
	if r := []rune(payload); len(r) > 80 {
		payload = string(r[:77]) + "..."
	}
	_, err := fmt.Fprintf(w.tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s/%s\t%s\n", e.Position,
		e.RecordedAt.In(domain.CST).Format("2006-01-02 15:04:05"), e.OccurredAt.In(domain.CST).Format("2006-01-02 15:04"),
		e.Aggregate, e.Version, e.Name, e.Actor.ID, e.Actor.Role, strings.ReplaceAll(payload, "\t", " "))
	if w.rows%500 == 0 {
		w.tw.Flush() // keep a long or followed listing moving
	}
	return err
}

func (w *eventWriter) flush() error {
	if w.tw != nil {
		return w.tw.Flush()
	}
	return nil
}
