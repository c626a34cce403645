package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/quality"
)

// actorFlag reads "id:role" for the events a command records.
func actorFlag(s string) (domain.Actor, error) {
	id, role, ok := strings.Cut(s, ":")
	a := domain.Actor{ID: id, Role: domain.Role(role)}
	if !ok {
		return a, domain.Errorf("", domain.Invalid, "as", "%q is not id:role, e.g. station-140800-01:station", s)
	}
	return a, a.Validate("", "as")
}

func runImport(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("import", env)
	var sf storeFlags
	sf.register(fs, env)
	as := fs.String("as", "cli:admin", "who records the samples, as id:role")
	partial := fs.Bool("partial", false, "store the good rows and write the bad ones to --rejects, instead of rejecting the file")
	rejects := fs.String("rejects", "", "with --partial, write the bad rows here as CSV (default FILE.rejects.csv)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2, err: err}
	}
	if fs.NArg() != 1 {
		return &exitError{code: 2, err: fmt.Errorf("give one CSV file to import (see README: the upload format)")}
	}
	actor, err := actorFlag(*as)
	if err != nil {
		return err
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return domain.E("import", domain.NotFound, "file", err)
	}
	defer f.Close()
	s, err := sf.open(ctx, true)
	if err != nil {
		return err
	}
	defer s.Close()
	opts := app.ImportOptions{File: path, Partial: *partial}
	var rej *os.File
	if *partial {
		name := *rejects
		if name == "" {
			name = path + ".rejects.csv"
		}
		if rej, err = os.Create(name); err != nil {
			return domain.E("import", domain.Invalid, "rejects", err)
		}
		defer rej.Close()
		opts.Rejects = rej
	}
	res, err := app.ImportSamples(ctx, s, actor, f, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintf(env.Stdout, "%s: %d rows, %d samples stored in %d events (positions %d–%d), %d already stored, %d rejected\n",
		path, res.Rows, res.Stored, res.Events, res.FirstPosition, res.LastPosition, res.AlreadyStored, len(res.Rejected))
	if rej != nil && len(res.Rejected) > 0 {
		fmt.Fprintf(env.Stdout, "rejected rows written to %s\n", rej.Name())
	}
	return nil
}

func runQuality(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("quality", env)
	var sf storeFlags
	sf.register(fs, env)
	year := fs.Int("year", 0, "one year (default: 2016–2020)")
	city := fs.String("city", "", "also list one city's sections")
	asOf := fs.String("as-of", "", "as the ledger knew it then (recorded by that date)")
	happened := fs.String("as-happened", "", "as it happened by that date, with every correction known today")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var q events.Query
	var opts quality.Options
	var err error
	if *asOf != "" {
		if q.RecordedBy, err = parseAsOf(*asOf); err != nil {
			return err
		}
	}
	if *happened != "" {
		t, err := parseAsOf(*happened)
		if err != nil {
			return domain.Errorf("quality", domain.Invalid, "as-happened", "%v", err)
		}
		opts.OccurredBy = t
	}
	var cityID domain.CityID
	if *city != "" {
		sc, err := cityScope(*city)
		if err != nil || sc == domain.Province {
			return domain.Errorf("quality", domain.Invalid, "city", "%q is not a city", *city)
		}
		cityID = domain.CityID(sc)
	}
	years := []int{2016, 2017, 2018, 2019, 2020}
	if *year != 0 {
		years = []int{*year}
	}
	s, err := sf.open(ctx, true)
	if err != nil {
		return err
	}
	defer s.Close()
	m := quality.New(opts)
	if _, err := projections.Replay(ctx, s, q, m); err != nil {
		return err
	}
	if *asJSON {
		out := map[string]any{}
		var basins []quality.BasinYear
		var cities []quality.CityYear
		for _, y := range years {
			basins = append(basins, m.Basin(domain.Yellow, y), m.Basin(domain.Hai, y))
			for _, c := range domain.Cities {
				if cityID == "" || c.ID == cityID {
					cities = append(cities, m.City(c.ID, y))
				}
			}
		}
		out["basins"], out["cities"] = basins, cities
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	printBasins(env.Stdout, m, years)
	if cityID != "" {
		for _, y := range years {
			printCity(env.Stdout, m, cityID, y)
		}
	}
	return nil
}

func basinName(b domain.Basin) string {
	if b == domain.Yellow {
		return "黄河流域"
	}
	return "海河流域"
}

func verdict(hasTarget, met bool) string {
	switch {
	case !hasTarget:
		return "—"
	case met:
		return "达标"
	}
	return "未达标"
}

// printBasins prints each basin's shares against Table 1 and Table 2.
func printBasins(w io.Writer, m *quality.Model, years []int) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "年份\t流域\t断面\t≥III类\t比例\t表1目标\t\t劣V类\t比例\t表2目标\t\t数据不足")
	for _, y := range years {
		for _, b := range []domain.Basin{domain.Yellow, domain.Hai} {
			r := m.Basin(b, y)
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%d\n", y, basinName(b), r.Sections,
				r.AtLeastIII, r.ShareIII, r.Target.AtLeastIII, verdict(r.HasTarget, r.MetIII),
				r.WorseThanV, r.ShareWorse, r.Target.WorseThanV, verdict(r.HasTarget, r.MetWorse), r.Insufficient)
		}
	}
	tw.Flush()
}

func printCity(w io.Writer, m *quality.Model, c domain.CityID, year int) {
	city, _ := domain.LookupCity(c)
	r := m.City(c, year)
	fmt.Fprintf(w, "\n%s %s %d: %d/%d sections met their target (%s), %d without enough samples\n",
		city.ID, city.Name, year, r.SectionsMet, r.Sections, r.SectionShare, r.SectionsInsufficient)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "断面\t名称\t样本\t年均类别\t目标\t\t主要污染物")
	for _, sy := range r.Details {
		class := sy.Class.String()
		if !sy.Enough {
			class = fmt.Sprintf("样本不足(%d)", sy.Samples)
		}
		var pol []string
		for _, p := range sy.MainPollutants {
			pol = append(pol, fmt.Sprintf("%s(%.2f倍)", p.Item, p.Multiple))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", sy.Section, sy.Name, sy.Samples, class, sy.Target,
			verdict(sy.Target != 0 && sy.Enough, sy.Met), strings.Join(pol, " "))
	}
	tw.Flush()
}
