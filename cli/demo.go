package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/demo"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/accountability"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
)

// demoDir is the directory a demo store is made in: dir, which must be
// new or empty, or a new temporary directory if dir is "".
func demoDir(op, dir string) (string, error) {
	if dir == "" {
		return os.MkdirTemp("", "ledger-demo-")
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return "", domain.Errorf(op, domain.Invalid, "data", "%s is not empty: the demo starts from a new directory", dir)
	}
	return dir, nil
}

func runDemo(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("demo", env)
	data := fs.String("data", "", "directory for the new store (default: a new directory under the system's temporary directory)")
	seed := fs.Uint64("seed", 2015, "seed of the generated history: the same seed prints the same tables")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, err := demoDir("demo", *data)
	if err != nil {
		return err
	}
	progress := env.Stderr
	if *quiet {
		progress = io.Discard
	}
	start := time.Now()
	clock := demo.NewClock()
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: app.Registry(), Clock: clock.Now})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(progress, "embedded store (JetStream, fsync on every write) in %s\n", dir)
	sum, err := demo.Load(ctx, s, clock, *seed, progress)
	if err != nil {
		return err
	}
	rep, err := s.Verify(ctx)
	if err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("verify: %v", rep.First())
	}
	fmt.Fprintf(progress, "loaded and verified in %s\n\n", time.Since(start).Round(100*time.Millisecond))
	return printDemo(ctx, env.Stdout, s, sum, rep, dir)
}

// printDemo prints the province's results. It prints nothing that depends
// on the run (ids, hashes, timings, directories but the last lines), so the
// same seed prints the same tables.
func printDemo(ctx context.Context, w io.Writer, s events.Store, sum *demo.Summary, rep events.Report, dir string) error {
	fmt.Fprintf(w, "山西省水污染防治工作方案 (晋政发〔2015〕59号), 2016–2020\n")
	fmt.Fprintf(w, "断面 %d 个，样品 %d 个（%d 次上传），更正 %d 次：%d 个事件，%d 条哈希链，全部校验通过\n",
		sum.Sections, sum.Samples, sum.Uploads, sum.Corrections, rep.Events, rep.Aggregates)
	fmt.Fprintf(w, "%d sections, %d samples in %d uploads, %d corrections: %d events in %d hash chains, all verified\n\n",
		sum.Sections, sum.Samples, sum.Uploads, sum.Corrections, rep.Events, rep.Aggregates)
	today := quality.New(quality.Options{})
	if _, err := projections.Replay(ctx, s, events.Query{}, today); err != nil {
		return err
	}
	fmt.Fprintln(w, "各流域断面比例，对照方案表1（达到或优于Ⅲ类）与表2（劣Ⅴ类），按今日所知")
	fmt.Fprintln(w, "Basin shares against Table 1 (≥III) and Table 2 (worse than V), as known today:")
	printBasins(w, basinYears(today, demo.Years))

	fmt.Fprintln(w, "\n各市断面达到年度目标情况 / Cities: sections meeting their yearly target")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "城市\t")
	for _, y := range demo.Years {
		fmt.Fprintf(tw, "%d\t", y)
	}
	fmt.Fprintln(tw)
	for _, c := range domain.Cities {
		fmt.Fprintf(tw, "%s %s\t", c.ID, c.Name)
		for _, y := range demo.Years {
			r := today.City(c.ID, y)
			fmt.Fprintf(tw, "%d/%d %s\t", r.SectionsMet, r.Sections, r.SectionShare)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()

	for _, y := range demo.Years {
		p, e, err := app.Published(ctx, s, y)
		if err != nil {
			return err
		}
		if p == nil {
			continue
		}
		fmt.Fprintf(w, "\n%d年度考核结果（%s 公布，%s，适用%d年考核办法）/ %d results (published %s, rules of %d):\n", y,
			e.RecordedAt.In(domain.CST).Format("2006-01-02"), p.Document, p.Rules.EffectiveYear, y, e.RecordedAt.In(domain.CST).Format("2006-01-02"), p.Rules.EffectiveYear)
		printResults(w, p.Results)
		today, err := app.Compute(ctx, s, y, app.Basis{}, app.NewBoardFigures())
		if errors.Is(err, app.ErrNothingToAssess) {
			fmt.Fprintf(w, "  按今日所知：无可考核 / as known today: nothing to assess\n")
			continue
		}
		if err != nil {
			return err
		}
		if zh, _ := p.MethodNote(); zh != "" {
			fmt.Fprintf(w, "  %s\n", zh)
		}
		for _, now := range today.Results {
			then, _ := p.Result(now.City)
			if d, _ := app.DiffResults(then, now); len(d) > 0 {
				c, _ := domain.LookupCity(now.City)
				fmt.Fprintf(w, "  按今日所知 (as known today)，%s %s：%s\n", now.City, c.Name, joinZh(d))
			}
		}
	}

	fmt.Fprintln(w, "\n执法：检查次数/违法次数，发出黄牌、红牌，摘牌，按今日所知")
	fmt.Fprintln(w, "Enforcement: inspections/violations, yellow and red cards issued, cards lifted, as known today")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "城市\t")
	for _, y := range demo.Years {
		fmt.Fprintf(tw, "%d\t", y)
	}
	fmt.Fprintln(tw)
	cm := cards.New()
	acc := accountability.New()
	if _, err := projections.Replay(ctx, s, events.Query{}, cm, acc); err != nil {
		return err
	}
	for _, c := range append(append([]domain.City(nil), domain.Cities...), domain.City{ID: "province", Name: "全省"}) {
		if c.ID == "province" {
			fmt.Fprintf(tw, "%s\t", c.Name)
		} else {
			fmt.Fprintf(tw, "%s %s\t", c.ID, c.Name)
		}
		for _, y := range demo.Years {
			f := cm.CityYear(domain.Scope(c.ID), y)
			fmt.Fprintf(tw, "%d/%d 黄%d 红%d 摘%d\t", f.Inspections, f.Violations, f.Yellow, f.Red, f.Lifted)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()

	fmt.Fprintln(w, "\n终身追责：案件及所涉官员，无论是否在任 / Lifetime accountability: cases and the officials they name, in office or not")
	zh := api.Zh
	for _, c := range acc.Cases("") {
		city, _ := domain.LookupCity(c.City)
		fmt.Fprintf(w, "  %s %s %s（%s至%s）：", c.Case, city.Name, zh.Code(c.Kind), c.From, c.To)
		var names []string
		for _, n := range c.Named {
			left := ""
			if n.To != nil {
				left = "，" + n.To.String() + "离任"
			}
			names = append(names, fmt.Sprintf("%s %s（%s%s）", zh.Code(n.Post), n.Name, n.Official, left))
		}
		fmt.Fprintln(w, strings.Join(names, "；"))
		for _, d := range c.Decisions {
			fmt.Fprintf(w, "      %s %s：%s，%s %s\n", d.Date, d.Name, zh.Code(d.Decision), d.Authority, d.DocumentNo)
		}
	}

	// The falsified report: what the ledger said before it was found out.
	before := quality.New(quality.Options{})
	if _, err := projections.Replay(ctx, s, events.Query{RecordedBy: time.Date(2019, 3, 20, 0, 0, 0, 0, domain.CST)}, before); err != nil {
		return err
	}
	was, _ := before.SectionYear(sum.Falsified, 2018)
	is, _ := today.SectionYear(sum.Falsified, 2018)
	fmt.Fprintf(w, "\n监测数据造假：%s %s，2018年年均水质按 2019-03-20 所知（公布时）为%s类，被篡改的报告更正后为%s类（目标%s类）\n",
		sum.Falsified, sum.FalsifiedLab, zh.Class(was.Class), zh.Class(is.Class), zh.Class(is.Target))
	fmt.Fprintf(w, "Data falsification: %s %s, 2018 annual %s as known on 2019-03-20 (published), %s after the altered reports were corrected (target %s)\n",
		sum.Falsified, sum.FalsifiedLab, was.Class.Phrase(), is.Class.Phrase(), is.Target.English())

	fmt.Fprintf(w, "\n浏览 browse:   go run ./cmd/ledger serve --data %s     (dashboard and API on http://127.0.0.1:8080/)\n", dir)
	fmt.Fprintf(w, "               go run ./cmd/ledger assess --data %s --year 2018 --city 临汾\n", dir)
	fmt.Fprintf(w, "               go run ./cmd/ledger audit --data %s --city 临汾 --at 2019-03-20\n", dir)
	fmt.Fprintf(w, "               go run ./cmd/ledger events --data %s --city 临汾 --type section --limit 20\n", dir)
	fmt.Fprintf(w, "校验 verify:   go run ./cmd/ledger verify --data %s\n", dir)
	return nil
}
