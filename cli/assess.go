package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/events"
)

// resultCells is a result's score and grade, and its rank, as two cells;
// "无可评价数据" (nothing to assess) for none.
func resultCells(r *assessment.Result) string {
	if r == nil {
		return "无可评价数据\t"
	}
	return fmt.Sprintf("%.2f %s\t#%d", r.QualityScore, gradeZh(r.Grade), r.Rank)
}

func gradeZh(g assessment.Grade) string {
	zh, _ := g.Label()
	return zh
}

// printResults prints a year's results as a ranking.
func printResults(w io.Writer, rs []assessment.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "排名\t城市\t水质得分\t任务得分\t等级\t说明")
	for _, r := range rs {
		city, _ := domain.LookupCity(r.City)
		note, _ := r.Notes()
		fmt.Fprintf(tw, "%d\t%s %s\t%.2f\t%.2f\t%s\t%s\n", r.Rank, r.City, city.Name, r.QualityScore, r.TaskScore, gradeZh(r.Grade), joinZh(note))
	}
	tw.Flush()
}

func runAssess(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("assess", env)
	var sf storeFlags
	sf.register(fs, env)
	year := fs.Int("year", 0, "the year to assess (required)")
	asOf := fs.String("as-of", "", "as the ledger knew it then")
	happened := fs.String("as-happened", "", "as it happened by then, with every correction known today")
	city := fs.String("city", "", "also explain one city's score, part by part")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *year == 0 {
		return &exitError{code: 2, err: fmt.Errorf("give --year")}
	}
	var explained domain.Scope // checked before the assessment is computed
	if *city != "" {
		var err error
		if explained, err = cityScope(*city); err != nil {
			return err
		}
	}
	var basis app.Basis
	var err error
	var sendAsOf, sendHappened string // as the server is sent them
	if *asOf != "" {
		if basis.RecordedBy, err = parseAsOf("as-of", *asOf); err != nil {
			return err
		}
		sendAsOf = wireTime(basis.RecordedBy)
	}
	if *happened != "" {
		if basis.OccurredBy, err = domain.ParseAsOf(*happened); err != nil {
			return domain.Errorf("assess", domain.Invalid, "as-happened", "%v", err)
		}
		sendHappened = wireTime(basis.OccurredBy)
	}
	var c *app.Computation
	var sections []monitoring.SectionRegistered // the explained city's, to name them
	if cl, err := sf.remote(); err != nil {
		return err
	} else if cl != nil {
		c = &app.Computation{}
		if err := cl.do(ctx, "GET", fmt.Sprintf("/api/assessment/%d", *year)+query("as_of", sendAsOf, "as_happened", sendHappened), nil, "", c); err != nil {
			return err
		}
		if explained != "" && !*asJSON {
			if err := cl.do(ctx, "GET", "/api/sections"+query("city", string(explained)), nil, "", &sections); err != nil {
				return err
			}
		}
	} else if err := sf.replay(ctx, env, func(s events.Store) (err error) {
		c, err = app.Compute(ctx, s, *year, basis, app.NewBoardFigures())
		if c != nil {
			c.Provisional = basis.Provisional(*year, time.Now())
		}
		if err != nil || explained == "" || *asJSON {
			return err
		}
		return s.Read(ctx, events.Query{Scopes: []domain.Scope{explained}, Names: []events.Name{app.SectionRegistered}}, func(e events.Event) error {
			if sec, ok := e.Data.(monitoring.SectionRegistered); ok {
				sections = append(sections, sec)
			}
			return nil
		})
	}); err != nil {
		return err
	}
	names := map[string]string{}
	for _, sec := range sections {
		names[string(sec.ID)] = sec.Name
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(c)
	}
	printHeader(env.Stdout, c, *asOf, *happened)
	printResults(env.Stdout, c.Results)
	for _, r := range c.Results {
		if explained != "" && r.City == domain.CityID(explained) {
			explain(env.Stdout, r, names)
		}
	}
	return nil
}

// printHeader says what a computation is of, one language a line: the
// Chinese, then the English in parentheses, as explain prints each part.
func printHeader(w io.Writer, c *app.Computation, asOf, happened string) {
	onZh, on := "按账本现有记录", "as the ledger knows it"
	switch {
	case asOf != "":
		onZh, on = "按账本 "+asOf+" 所知", "as the ledger knew it on "+asOf
	case c.OccurredBy != nil:
		onZh, on = "按截至 "+happened+" 实际发生的情况，含今日所知的更正", "as it happened by "+happened+", with what is known today"
	}
	fmt.Fprintf(w, "%d年度考核，%s（适用 %d 年起施行的规则，%s；日志截至位置 %d；输入摘要 %s…）\n", c.Year, onZh, c.Rules.EffectiveYear, c.Rules.Document, c.Position, c.InputsHash[:16])
	fmt.Fprintf(w, "(assessment of %d, %s; rules in force: %d, %s; log up to position %d; inputs %s…)\n", c.Year, on, c.Rules.EffectiveYear, c.Rules.Document, c.Position, c.InputsHash[:16])
	if c.Provisional {
		fmt.Fprintln(w, "临时结果：该年度尚未结束，结果仍可能变化，不能公布")
		fmt.Fprintln(w, "(provisional: the year had not ended; the results may still change, and cannot be published)")
	}
}

// explain prints how a city's score was reached, part by part, with the
// events behind each figure: each piece of evidence in Chinese, the part
// by its name (断面达标) and a section with its name beside its id (from
// sections, by id), then as stored, in English.
func explain(w io.Writer, r assessment.Result, sections map[string]string) {
	c, _ := domain.LookupCity(r.City)
	fmt.Fprintf(w, "\n%s %s %d年: 水质得分 %.2f, 任务得分 %.2f, 等级 %s, 排名 %d\n", r.City, c.Name, r.Year, r.QualityScore, r.TaskScore, gradeZh(r.Grade), r.Rank)
	for _, p := range r.Parts {
		zh, en := p.Text()
		fmt.Fprintf(w, "  %s\n    (%s)\n", zh, en)
	}
	zh, en := r.ShareText()
	fmt.Fprintf(w, "  %s\n    (%s)\n", zh, en)
	notes, _ := r.Notes()
	for _, n := range notes {
		fmt.Fprintf(w, "  说明: %s\n", n)
	}
	for _, e := range r.Inputs.Evidence {
		subject := e.Subject
		if name := sections[e.Subject]; e.Part == "sections" && name != "" {
			subject += " " + name
		}
		fmt.Fprintf(w, "  %s %s：%s；%s\n    (%s %s: %s; %s)\n", e.PartLabel(), subject, e.OutcomeZh(), eventsAtZh(e.Events()),
			e.Part, e.Subject, e.Outcome, eventsAt(e.Events()))
	}
}

// eventsAtZh names the log positions of a piece of evidence's events, in
// Chinese, as an audit's differences name them ("新增事件 3413, 3641").
func eventsAtZh(ps []uint64) string {
	if len(ps) == 0 {
		return "无事件"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprint(p)
	}
	return "事件 " + strings.Join(s, ", ")
}

// eventsAt names the log positions of a piece of evidence's events.
func eventsAt(ps []uint64) string {
	switch len(ps) {
	case 0:
		return "no events"
	case 1:
		return fmt.Sprintf("event at %d", ps[0])
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprint(p)
	}
	return "events at " + strings.Join(s, ", ")
}

func runPublish(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("publish", env)
	var sf storeFlags
	sf.register(fs, env)
	year := fs.Int("year", 0, "the year to publish (required)")
	document := fs.String("document", "", "the notice publishing the results (required)")
	as := fs.String("as", "cli:assessment", "who publishes, as id:role")
	incomplete := fs.Bool("incomplete", false, "publish knowingly with cities that have no section with data enough for a class")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *year == 0 || *document == "" {
		return &exitError{code: 2, err: fmt.Errorf("give --year and --document")}
	}
	a, err := actorFlag(*as)
	if err != nil {
		return err
	}
	var e events.Event
	if cl, err := sf.remote(); err != nil {
		return err
	} else if cl != nil {
		body, _ := json.Marshal(api.PublishRequest{Document: *document, Incomplete: *incomplete})
		if err := cl.do(ctx, "POST", fmt.Sprintf("/api/assessment/%d/publish", *year), bytes.NewReader(body), "application/json", &e); err != nil {
			return err
		}
		var p assessment.ResultsPublished
		raw, _ := json.Marshal(e.Payload)
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		e.Data = p
	} else {
		s, err := sf.open(ctx, true)
		if err != nil {
			return err
		}
		defer s.Close()
		if e, err = app.Publish(ctx, s, a, app.Publication{Year: *year, Document: *document, Incomplete: *incomplete}, time.Now(), app.NewBoardFigures()); err != nil {
			return err
		}
	}
	p := e.Data.(assessment.ResultsPublished)
	fmt.Fprintf(env.Stdout, "published %d at position %d: computed from the log up to %d, inputs hash %s\n", *year, e.Position, p.Position, p.InputsHash)
	printResults(env.Stdout, p.Results)
	return nil
}

func runAudit(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("audit", env)
	var sf storeFlags
	sf.register(fs, env)
	city := fs.String("city", "", "the city (code, 太原 or Taiyuan; required)")
	at := fs.String("at", "", "replay up to this date (required)")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *city == "" || *at == "" {
		return &exitError{code: 2, err: fmt.Errorf("give --city and --at")}
	}
	sc, err := cityScope(*city)
	if err != nil || sc == domain.Province {
		return domain.Errorf("audit", domain.Invalid, "city", "%q is not a city", *city)
	}
	t, err := parseAsOf("at", *at)
	if err != nil {
		return err
	}
	var a *app.CityAudit
	if cl, err := sf.remote(); err != nil {
		return err
	} else if cl != nil {
		a = &app.CityAudit{}
		if err := cl.do(ctx, "GET", "/api/audit/cities/"+string(sc)+query("at", t.Format(time.RFC3339Nano)), nil, "", a); err != nil {
			return err
		}
	} else if err := sf.replay(ctx, env, func(s events.Store) (err error) {
		a, err = app.AuditCity(ctx, s, domain.CityID(sc), t, app.NewBoardFigures)
		return err
	}); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(a)
	}
	c, _ := domain.LookupCity(a.City)
	fmt.Fprintf(env.Stdout, "%s %s up to %s: %s recorded by then", a.City, c.Name, t.In(domain.CST).Format("2006-01-02 15:04"), count(a.Events, "event"))
	if len(a.Chain) == 0 {
		fmt.Fprintln(env.Stdout, ", every hash chain intact")
	} else {
		fmt.Fprintf(env.Stdout, ", %s:\n  %s\n", count(len(a.Chain), "broken link"), strings.Join(a.Chain, "\n  "))
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "年度\t当时所知 (as known then)\t\t已公布 (published)\t\t实际情况 (as it happened)\t\t差异")
	for _, y := range a.Years {
		year := fmt.Sprint(y.Year)
		if y.Provisional {
			year += " (临时 provisional: not ended)"
		}
		published := "未公布\t"
		if y.Published != nil {
			published = resultCells(&y.Published.Result)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", year, resultCells(y.KnownThen), published, resultCells(y.AsHappened), joinZh(y.DiffZh))
	}
	tw.Flush()
	printPublished(env.Stdout, a.Years)
	if len(a.Late) > 0 {
		fmt.Fprintf(env.Stdout, "\n%s recorded later about what had happened by then:\n", count(len(a.Late), "event"))
		for _, l := range a.Late {
			fmt.Fprintf(env.Stdout, "  position %d  recorded %s  %s  %s  by %s\n", l.Position, l.RecordedAt.In(domain.CST).Format("2006-01-02"), l.Name, l.Aggregate, l.Actor.ID)
		}
	}
	return nil
}

// printPublished names the notice of each year published by the audit
// date, and says so, Chinese then English, where the publication was
// computed with an earlier method than today's, as the dashboard's audit
// page does.
func printPublished(w io.Writer, years []app.AuditYear) {
	for _, y := range years {
		p := y.Published
		if p == nil {
			continue
		}
		day := p.PublishedAt.In(domain.CST).Format("2006-01-02")
		fmt.Fprintf(w, "%d年已公布：%s（%s 记入日志，位置 %d）\n", y.Year, p.Document, day, p.Position)
		fmt.Fprintf(w, "(%d published: %s, recorded %s at position %d)\n", y.Year, p.Document, day, p.Position)
		if p.MethodNoteZh != "" {
			fmt.Fprintf(w, "  %s\n    (%s)\n", p.MethodNoteZh, p.MethodNote)
		}
	}
}
