// Package demo loads the plan's province into a store with deterministic,
// seeded history for 2016–2020: the 11 cities, 58 Yellow-River and 51
// Hai-River sections on their real rivers, and four years of 4-hourly
// automatic and monthly manual samples with the character of Shanxi's
// water (the Fen and 涑水河 poor, the Hai-River headwaters good, seasonal
// swings, ice and dry gaps, late corrections, a falsified laboratory report
// found out a year later). Everything goes through the same commands a user
// runs (registration, CSV uploads, corrections), with the store's clock set
// to the dates things were recorded, so as-of questions have answers.
//
// It depends on app, domain and events; main and tests use it.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
)

// Clock is the demo's settable clock: give its Now to the store.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at the plan's date.
func NewClock() *Clock { return &Clock{t: time.Date(2015, 12, 30, 9, 0, 0, 0, domain.CST)} }

// Now is the demo's current time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// Years of generated history.
var Years = []int{2016, 2017, 2018, 2019, 2020}

// Summary is what Load stored.
type Summary struct {
	Sections     int
	Samples      int
	Uploads      int
	Corrections  int
	Events       uint64
	Falsified    monitoring.SectionID // the section whose 2018 report was falsified
	FalsifiedLab string
	Actions      map[string]int // task and enforcement actions, by kind
	Cases        int            // accountability cases opened
}

var (
	admin      = domain.Actor{ID: "provincial-environment-department", Role: domain.Admin}
	stationCtr = domain.Actor{ID: "shanxi-monitoring-center", Role: domain.Station}
	lab        = domain.Actor{ID: "shanxi-monitoring-center-lab", Role: domain.Station}
)

// Load generates the history from seed and stores it, reporting progress
// to w (one line a step; nil for none).
func Load(ctx context.Context, s events.Store, clock *Clock, seed uint64, w io.Writer) (*Summary, error) {
	if w == nil {
		w = io.Discard
	}
	sum := &Summary{}
	clock.Set(time.Date(2016, 1, 5, 9, 0, 0, 0, domain.CST))
	if _, err := app.RegisterCities(ctx, s, admin, clock.Now()); err != nil {
		return nil, err
	}
	secs := sections()
	sum.Sections = len(secs)
	units := controlUnits(secs)
	sources := drinkingSources(seed)
	bodies := blackBodies(seed)
	points := groundwaterPoints()
	var regs []app.Registration
	for _, u := range units {
		regs = append(regs, app.ControlUnitRegistration(u))
	}
	for _, sec := range secs {
		regs = append(regs, app.SectionRegistration(sec.SectionRegistered))
	}
	for _, ds := range sources {
		regs = append(regs, app.DrinkingSourceRegistration(ds.DrinkingSourceRegistered))
	}
	for _, b := range bodies {
		regs = append(regs, app.BlackOdorousRegistration(b.BlackOdorousRegistered))
	}
	for _, p := range points {
		regs = append(regs, app.GroundwaterPointRegistration(p))
	}
	if _, err := app.Register(ctx, s, admin, clock.Now(), regs...); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "registered 11 cities, %d control units, %d sections, %d drinking-water sources, %d black-odorous bodies, %d groundwater points\n",
		len(units), len(secs), len(sources), len(bodies), len(points))
	if _, err := app.AdoptRules(ctx, s, admin, assessment.Standard(2016, "晋环发〔2016〕12号 (demo)"), clock.Now()); err != nil {
		return nil, err
	}
	if _, err := app.LoadCatalogue(ctx, s, admin, clock.Now()); err != nil {
		return nil, err
	}
	sc := &schedule{Counts: map[string]int{}}
	taskHistory(sc, seed)
	enforcementHistory(sc, seed)
	officialsHistory(sc, seed)
	blackOdorousHistory(sc, bodies, seed)
	groundwaterHistory(sc, points, seed)
	sc.sort()
	sum.Actions = sc.Counts

	index := app.NewSampleIndex()
	g := newGenerator(seed, secs)
	g.sources = sources
	for i := range sources {
		g.srcRNG = append(g.srcRNG, rand.New(rand.NewPCG(seed, uint64(1000+i))))
	}
	for _, y := range Years {
		if y == 2020 {
			// Shanxi, 2020: a city missing its worse-than-V target is 不合格.
			clock.Set(time.Date(2020, 1, 20, 10, 0, 0, 0, domain.CST))
			r := assessment.Standard(2020, "晋环发〔2020〕3号 (demo)")
			r.HardFail.MissWorseThanV = true
			if _, err := app.AdoptRules(ctx, s, admin, r, clock.Now()); err != nil {
				return nil, err
			}
		}
		for q := 0; q < 4; q++ {
			csv, n := g.quarter(y, q)
			// Uploaded ten days after the quarter ends; first what was
			// recorded before then.
			upload := time.Date(y, time.Month(3*q+4), 10, 10, 0, 0, 0, domain.CST)
			if err := sc.runUntil(ctx, s, clock, upload); err != nil {
				return nil, err
			}
			clock.Set(upload)
			res, err := app.ImportSamples(ctx, s, stationCtr, bytes.NewReader(csv), app.ImportOptions{
				File: fmt.Sprintf("shanxi-%d-Q%d.csv", y, q+1), Now: clock.Now(), Index: index})
			if err != nil {
				return nil, fmt.Errorf("upload %d Q%d: %w", y, q+1, err)
			}
			sum.Samples += res.Stored
			sum.Uploads++
			fmt.Fprintf(w, "%d Q%d: %d samples uploaded (%d rows generated)\n", y, q+1, res.Stored, n)
		}
		// Mid-March the year's results are published, as known then.
		publish := time.Date(y+1, 3, 15, 10, 0, 0, 0, domain.CST)
		if err := sc.runUntil(ctx, s, clock, publish); err != nil {
			return nil, err
		}
		clock.Set(publish)
		pub, err := app.Publish(ctx, s, admin, app.Publication{Year: y, Document: fmt.Sprintf("晋环函〔%d〕%d号 (demo)", y+1, 30+y-2016)}, clock.Now(), app.NewBoardFigures())
		if err != nil {
			return nil, fmt.Errorf("publish %d: %w", y, err)
		}
		clock.Set(publish.AddDate(0, 0, 1))
		cases, err := accountFailures(ctx, s, sc, pub, clock.Now())
		if err != nil {
			return nil, err
		}
		sum.Cases += cases
		fmt.Fprintf(w, "%d results published on %d-03-15; %s opened\n", y, y+1, casesText(cases))
		// Then the laboratory re-checks a few of the year's samples.
		g.corrections(sc, y)
	}
	if err := sc.runUntil(ctx, s, clock, end); err != nil {
		return nil, err
	}
	sum.Corrections = sc.Counts["sample corrected"] + 6*sc.Counts["falsification found"]
	sum.Falsified, sum.FalsifiedLab = g.falsified.ID, g.falsified.Name
	last, err := s.LastPosition(ctx)
	if err != nil {
		return nil, err
	}
	sum.Events = last
	return sum, nil
}

// casesText counts accountability cases, "1 accountability case" for one.
func casesText(n int) string { return domain.Count(n, "accountability case") }

// generator makes samples; each section has its own random stream, so the
// history does not depend on the order things are generated in.
type generator struct {
	secs      []section
	rng       []*rand.Rand
	factor    []float64 // a section's own level around its river's
	falsified section
	// the values each manual sample was given, for corrections
	manual map[monitoring.SectionID]map[time.Time]water.Values
	// drinking-water sources, sampled monthly, each with its own stream
	sources []drinkingSource
	srcRNG  []*rand.Rand
}

func newGenerator(seed uint64, secs []section) *generator {
	g := &generator{secs: secs, manual: map[monitoring.SectionID]map[time.Time]water.Values{}}
	for i := range secs {
		r := rand.New(rand.NewPCG(seed, uint64(i)+1))
		g.rng = append(g.rng, r)
		g.factor = append(g.factor, 0.75+0.5*r.Float64())
		g.manual[secs[i].ID] = map[time.Time]water.Values{}
		if secs[i].City == "141000" && secs[i].Level == monitoring.National && g.falsified.ID == "" {
			g.falsified = secs[i] // Linfen's national section on the Fen
		}
	}
	return g
}

// nh3 is a section's NH3-N level (mg/L) in a month before noise: its river's
// 2016 level, improving each year, higher in winter's low flow.
func (g *generator) nh3(i, year, month int) float64 {
	s := g.secs[i]
	base := map[quality]float64{clean: 0.22, fair: 0.72, moderate: 1.3, poor: 3.4}[s.quality]
	improve := map[quality]float64{clean: 0.99, fair: 0.95, moderate: 0.92, poor: 0.885}[s.quality]
	season := 1 + 0.22*math.Cos(2*math.Pi*float64(month-1)/12) // peaks in January
	return base * g.factor[i] * math.Pow(improve, float64(year-2016)) * season
}

// values draws one sample's values around a level.
func (g *generator) values(i int, level float64) water.Values {
	r := g.rng[i]
	noise := func(sd float64) float64 { return math.Max(0.3, 1+sd*r.NormFloat64()) }
	nh3 := level * noise(0.12)
	v := water.Values{
		water.PH:    round(7.4+0.4*r.Float64(), 2),
		water.DO:    round(math.Max(1.2, 8.6-1.1*nh3)*noise(0.05), 2),
		water.CODMn: round((1.6+2.1*math.Pow(nh3, 0.7))*noise(0.08), 1),
		water.NH3N:  round(nh3, 3),
		water.TP:    round((0.03+0.075*nh3)*noise(0.1), 3),
	}
	if g.secs[i].Kind == water.Lake {
		v[water.TP] = round((0.012+0.02*nh3)*noise(0.1), 3)
		v[water.TN] = round((0.4+0.9*nh3)*noise(0.08), 2)
	}
	return v
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

var items = []water.Item{water.PH, water.DO, water.CODMn, water.NH3N, water.TP, water.TN}

// quarter writes a quarter's upload: every section's monthly manual sample
// (the 10th, 09:00) and the automatic stations' 4-hourly samples.
func (g *generator) quarter(year, q int) ([]byte, int) {
	var b bytes.Buffer
	b.WriteString("section,sampled_at,source,status")
	for _, it := range items {
		b.WriteString("," + string(it))
	}
	b.WriteString("\n")
	rows := 0
	row := func(id monitoring.SectionID, at time.Time, src monitoring.Source, status monitoring.Status, v water.Values) {
		fmt.Fprintf(&b, "%s,%s,%s,%s", id, at.Format("2006-01-02 15:04"), src, status)
		for _, it := range items {
			b.WriteString(",")
			if x, ok := v[it]; ok {
				b.WriteString(fmt.Sprint(x))
			}
		}
		b.WriteString("\n")
		rows++
	}
	for i, s := range g.secs {
		for m := 3*q + 1; m <= 3*q+3; m++ {
			iced := s.ice && m <= 2
			at := time.Date(year, time.Month(m), 10, 9, 0, 0, 0, domain.CST)
			switch {
			case iced:
				row(s.ID, at, monitoring.Manual, monitoring.Ice, nil)
			case g.dry(s, year, m):
				row(s.ID, at, monitoring.Manual, monitoring.Dry, nil)
			default:
				v := g.values(i, g.nh3(i, year, m))
				if s.ID == g.falsified.ID && year == 2018 && m >= 7 {
					// The laboratory reports sent in were altered: NH3-N a quarter of what was measured.
					g.manual[s.ID][at] = v
					w := water.Values{}
					for k, x := range v {
						w[k] = x
					}
					w[water.NH3N] = round(v[water.NH3N]/4, 3)
					v = w
				} else {
					g.manual[s.ID][at] = v
				}
				row(s.ID, at, monitoring.Manual, monitoring.Measured, v)
			}
			if !s.Automatic {
				continue
			}
			days := time.Date(year, time.Month(m+1), 0, 0, 0, 0, 0, domain.CST).Day()
			for d := 1; d <= days; d++ {
				for h := 0; h < 24; h += 4 {
					at := time.Date(year, time.Month(m), d, h, 0, 0, 0, domain.CST)
					switch {
					case iced:
						row(s.ID, at, monitoring.Auto, monitoring.Ice, nil)
					case g.rng[i].Float64() < 0.01:
						row(s.ID, at, monitoring.Auto, monitoring.Fault, nil)
					default:
						row(s.ID, at, monitoring.Auto, monitoring.Measured, g.values(i, g.nh3(i, year, m)))
					}
				}
			}
		}
	}
	g.sourceRows(func(id monitoring.SectionID, at time.Time, v water.Values) {
		row(id, at, monitoring.Manual, monitoring.Measured, v)
	}, year, q)
	return b.Bytes(), rows
}

// dry says whether a small river ran dry at its monthly sampling.
func (g *generator) dry(s section, year, month int) bool {
	return (s.River == "磁窑河" && year == 2017 && month == 6) || (s.River == "屈产河" && year == 2019 && month == 5)
}

// corrections schedules the spring re-checks of a year's samples, after its
// results were published: two re-analyses, and for 2018 the falsified
// reports found out, with the accountability case it opens.
func (g *generator) corrections(sc *schedule, prev int) {
	year := prev + 1
	// Re-analyses: two sections picked by the seed, their September sample.
	for k := 0; k < 2; k++ {
		sec := g.secs[g.rng[0].IntN(len(g.secs))]
		at := time.Date(prev, 9, 10, 9, 0, 0, 0, domain.CST)
		v, ok := g.manual[sec.ID][at]
		if !ok {
			continue
		}
		c := water.Values{}
		for it, x := range v {
			c[it] = x
		}
		c[water.NH3N] = round(v[water.NH3N]*1.35, 3)
		reason := fmt.Sprintf("实验室复核 re-analysis, report %d-%03d", year, 17+k)
		sc.insert(time.Date(year, 3, 20+k, 15, 0, 0, 0, domain.CST), "sample corrected", func(ctx context.Context, s events.Store, now time.Time) error {
			_, err := app.CorrectSample(ctx, s, lab, app.SectionAggregate(sec.City, sec.ID),
				monitoring.Sample{At: at, Source: monitoring.Manual, Values: c}, reason, now)
			return err
		})
	}
	if prev != 2018 {
		return
	}
	// The inspection of March 2019 finds the reports of 2018's second half altered.
	sec := g.falsified
	sc.insert(time.Date(2019, 3, 28, 10, 0, 0, 0, domain.CST), "falsification found", func(ctx context.Context, s events.Store, now time.Time) error {
		for m := 7; m <= 12; m++ {
			at := time.Date(2018, time.Month(m), 10, 9, 0, 0, 0, domain.CST)
			_, err := app.CorrectSample(ctx, s, admin, app.SectionAggregate(sec.City, sec.ID),
				monitoring.Sample{At: at, Source: monitoring.Manual, Values: g.manual[sec.ID][at]},
				"监测数据造假查处: the submitted laboratory report was altered (晋环监察〔2019〕12号)", now)
			if err != nil {
				return err
			}
		}
		return accountFalsification(ctx, s, sc, sec.City, sec.River)
	})
}
