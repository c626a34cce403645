package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
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

func runImport(ctx context.Context, env Env, args []string) (err error) {
	fs := newFlagSet("import", env)
	var sf storeFlags
	sf.register(fs, env)
	as := fs.String("as", "cli:admin", "who records the samples, as id:role")
	partial := fs.Bool("partial", false, "store the good rows and write the bad ones to --rejects, instead of rejecting the file; "+
		"exits 4 if any row was rejected (the good rows are stored), 1 if the file is refused whole")
	rejects := fs.String("rejects", "", "with --partial, write the bad rows here as CSV (default FILE.rejects.csv)")
	asJSON := fs.Bool("json", false, "print the result as JSON; a refused upload as the API answers it (the error, its rows), still exiting 1 (4 for a partial upload with rows rejected)")
	ops, err := parseArgs(fs, args, "FILE.csv")
	if err != nil {
		return err
	}
	answered := false // the result is printed: an error now is a partial upload's rows rejected
	if *asJSON {
		// A refused upload is JSON on stdout too, as the API's error body
		// (its bad rows under error.rows); the message goes to stderr.
		defer func() {
			if err != nil && !answered {
				if jerr := json.NewEncoder(env.Stdout).Encode(api.ErrorBodyOf(err)); jerr != nil {
					err = errors.Join(err, jerr)
				}
			}
		}()
	} else {
		defer func() {
			if err != nil && !answered {
				err = withChinese(err)
			}
		}()
	}
	actor, err := actorFlag(*as)
	if err != nil {
		return err
	}
	path := ops[0]
	f, err := os.Open(path)
	if err != nil {
		return domain.E("import", domain.NotFound, "file", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return domain.E("import", domain.Invalid, "file", err)
	}
	// The bad rows are written once the import is done, and only if there
	// are any: a refused file, or one with none, leaves no reject file.
	var rej *bytes.Buffer
	rejName := *rejects
	if *partial {
		if rejName == "" {
			rejName = path + ".rejects.csv"
		}
		if rs, err := os.Stat(rejName); err == nil && os.SameFile(rs, st) {
			return domain.Errorf("import", domain.Invalid, "rejects", "%s is the file being imported", rejName)
		}
		rej = &bytes.Buffer{}
	}
	bar := startProgress(env, "importing", st.Size())
	body := countingReader{f, bar}
	var res *app.ImportResult
	if c, cerr := sf.remote(); cerr != nil {
		bar.finish()
		return cerr
	} else if c != nil {
		// The server records the samples as the token's holder.
		res = &app.ImportResult{}
		err = c.do(ctx, "POST", "/api/samples/import"+query("file", filepath.Base(path), "partial", fmt.Sprint(*partial)), body, "text/csv", res)
		if err == nil && rej != nil && len(res.Rejected) > 0 {
			err = writeServerRejects(rej, path, res.Rejected)
		}
	} else {
		var s *jetstream.Store
		if s, err = sf.open(ctx, true); err == nil {
			defer s.Close()
			opts := app.ImportOptions{File: filepath.Base(path), Partial: *partial, Size: st.Size()}
			if rej != nil {
				opts.Rejects = rej
			}
			res, err = app.ImportSamples(ctx, s, actor, body, opts)
		}
	}
	bar.finish()
	if err != nil {
		return err
	}
	if rej != nil && rej.Len() > 0 {
		if err := os.WriteFile(rejName, rej.Bytes(), 0o644); err != nil {
			return domain.E("import", domain.Internal, "rejects", err)
		}
	}
	if *asJSON {
		if err := json.NewEncoder(env.Stdout).Encode(res); err != nil {
			return err
		}
	} else {
		printImport(env.Stdout, path, rejName, rej != nil && rej.Len() > 0, res)
	}
	if len(res.Rejected) == 0 {
		return nil
	}
	// A partial upload with rows rejected fails (exit code 4), once its
	// good rows are stored and its bad ones written: a script that
	// uploads files must not take it for a whole one. Its result is
	// printed, not an error body, and said in both languages here.
	answered = true
	msg := fmt.Sprintf("%s rejected (%s), the others stored", count(res.RejectedRows, "row"), count(len(res.Rejected), "error"))
	if !*asJSON {
		msg += fmt.Sprintf("\n  %d 行被拒（%d 处错误），其余已存储", res.RejectedRows, len(res.Rejected))
	}
	return &exitError{code: 4, err: errors.New(msg)}
}

// printImport says what an upload did, each line in English with its
// Chinese under it, as a refused upload's errors are said at a terminal.
func printImport(w io.Writer, path, rejName string, rejectsWritten bool, res *app.ImportResult) {
	say := func(en, zh string) { fmt.Fprintf(w, "%s\n  %s\n", en, zh) }
	stored := fmt.Sprintf("%s stored in %s (%s)", count(res.Stored, "sample"), count(res.Events, "event"), positions(res.FirstPosition, res.LastPosition))
	storedZh := fmt.Sprintf("存储 %d 个样品（%d 个事件，%s）", res.Stored, res.Events, positionsZh(res.FirstPosition, res.LastPosition))
	if res.Events == 0 {
		stored, storedZh = "nothing stored", "未存储任何数据"
	}
	say(fmt.Sprintf("%s: %s, %s, %d already stored, %s rejected (%s)",
		path, count(res.Rows, "row"), stored, res.AlreadyStored, count(res.RejectedRows, "row"), count(len(res.Rejected), "error")),
		fmt.Sprintf("%s：共 %d 行，%s，%d 行此前已存储，%d 行被拒（%d 处错误）", path, res.Rows, storedZh, res.AlreadyStored, res.RejectedRows, len(res.Rejected)))
	if res.Withdrawn > 0 {
		say(fmt.Sprintf("%d rows are samples withdrawn from assessment: skipped (a correction brings one back)", res.Withdrawn),
			fmt.Sprintf("%d 行是已作废的样品：已跳过（可通过更正恢复）", res.Withdrawn))
	}
	if len(res.Ignored) > 0 {
		say("columns not assessed by GB 3838, not stored: "+strings.Join(res.Ignored, ", "),
			"GB 3838 不评价的列，未存储："+strings.Join(res.Ignored, "、"))
	}
	if res.Encoding != "" && res.Encoding != "UTF-8" {
		say("read as "+res.Encoding, "按 "+res.Encoding+" 编码读取")
	}
	if rejectsWritten {
		say(fmt.Sprintf("rejected rows written to %s (mend them and import it again: its line and error columns are ignored)", rejName),
			fmt.Sprintf("被拒的行已写入 %s（改正后可再次导入：其中的 line 和 error 列会被忽略）", rejName))
	}
}

// positionsZh is positions in Chinese: "位置 6722", "位置 6722–6725".
func positionsZh(first, last uint64) string {
	if first == last {
		return fmt.Sprintf("位置 %d", first)
	}
	return fmt.Sprintf("位置 %d–%d", first, last)
}

// withChinese is an upload's error as a station's staff read it at a
// terminal: each English reason with its Chinese under it, the summary's
// and each listed row's (app.ImportError.Bilingual), or the reason of an
// error that is not of rows, as the API's message_zh says it. An upload
// refused by a server (--server) has the rows the server listed, and is
// said the same.
func withChinese(err error) error {
	text := err.Error()
	var ie *app.ImportError
	if errors.As(err, &ie) {
		if head, ok := strings.CutSuffix(text, ie.Error()); ok {
			return &saidInChinese{err: err, text: head + ie.Bilingual()}
		}
	}
	if zh := api.ErrorBodyOf(err).Error.MessageZh; zh != "" {
		return &saidInChinese{err: err, text: text + "\n  " + zh}
	}
	return err
}

// saidInChinese is an error said in English and Chinese; it is the error
// it says for errors.Is and As.
type saidInChinese struct {
	err  error
	text string
}

func (e *saidInChinese) Error() string { return e.text }
func (e *saidInChinese) Unwrap() error { return e.err }

// writeServerRejects writes the rows a server rejected as a local import
// writes them: each bad line's cells, read again from the file, and its
// errors, so the file can be mended and uploaded again.
func writeServerRejects(w io.Writer, path string, rows []monitoring.RowError) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return app.WriteRejects(w, f, rows)
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
	var sendAsOf, sendHappened string // as the server is sent them
	if *asOf != "" {
		if q.RecordedBy, err = parseAsOf("as-of", *asOf); err != nil {
			return err
		}
		sendAsOf = wireTime(q.RecordedBy)
	}
	if *happened != "" {
		t, err := domain.ParseAsOf(*happened)
		if err != nil {
			return domain.Errorf("quality", domain.Invalid, "as-happened", "%v", err)
		}
		opts.OccurredBy, sendHappened = t, wireTime(t)
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
	var basins []quality.BasinYear
	var cities []quality.CityYear
	if c, err := sf.remote(); err != nil {
		return err
	} else if c != nil {
		at := query("year", fmt.Sprint(*year), "as_of", sendAsOf, "as_happened", sendHappened)
		if *year == 0 {
			at = query("as_of", sendAsOf, "as_happened", sendHappened)
		}
		if err := c.do(ctx, "GET", "/api/quality/basins"+at, nil, "", &basins); err != nil {
			return err
		}
		for _, cc := range domain.Cities {
			if cityID == "" && !*asJSON || cityID != "" && cc.ID != cityID {
				continue
			}
			var cys []quality.CityYear
			if err := c.do(ctx, "GET", "/api/quality/cities/"+string(cc.ID)+at, nil, "", &cys); err != nil {
				return err
			}
			cities = append(cities, cys...)
		}
	} else {
		m := quality.New(opts)
		if err := sf.replay(ctx, env, func(s events.Store) error {
			_, err := projections.Replay(ctx, s, q, m)
			return err
		}); err != nil {
			return err
		}
		basins = basinYears(m, years)
		for _, y := range years {
			for _, cc := range domain.Cities {
				if cityID == "" && *asJSON || cc.ID == cityID {
					cities = append(cities, m.City(cc.ID, y))
				}
			}
		}
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(map[string]any{"basins": basins, "cities": cities})
	}
	printBasins(env.Stdout, basins)
	basis := q.RecordedBy
	if basis.IsZero() {
		basis = opts.OccurredBy
	}
	for _, y := range years {
		if app.Provisional(y, basis, time.Now()) {
			at := "今天"
			if !basis.IsZero() {
				at = " " + basis.In(domain.CST).Format(time.DateOnly) + " "
			}
			fmt.Fprintf(env.Stdout, "注：%d 年截至%s尚未结束，样本不全：以上为临时结果（provisional），“无法判定”指尚无断面有足够数据定类\n", y, at)
		}
	}
	for _, cy := range cities {
		printCity(env.Stdout, cy)
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

// basinVerdict is verdict for a basin's share, which cannot be judged
// when none of its sections has data enough for a class.
func basinVerdict(r quality.BasinYear, met bool) string {
	if r.HasTarget && !r.Determined {
		return "无法判定"
	}
	return verdict(r.HasTarget, met)
}

// basinYears gives both basins' shares for each year from a model.
func basinYears(m *quality.Model, years []int) []quality.BasinYear {
	var out []quality.BasinYear
	for _, y := range years {
		out = append(out, m.Basin(domain.Yellow, y), m.Basin(domain.Hai, y))
	}
	return out
}

// printBasins prints each basin's shares against Table 1 and Table 2.
func printBasins(w io.Writer, rows []quality.BasinYear) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "年份\t流域\t断面\t"+assessment.AtLeastIIIZh+"\t比例\t表1目标\t\t劣Ⅴ类\t比例\t表2目标\t\t数据不足")
	for _, r := range rows {
		least, worst := r.Target.AtLeastIII.String(), r.Target.WorseThanV.String()
		if !r.HasTarget {
			least, worst = "—", "—"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%d\n", r.Year, basinName(r.Basin), r.Sections,
			r.AtLeastIII, r.ShareIII, least, basinVerdict(r, r.MetIII),
			r.WorseThanV, r.ShareWorse, worst, basinVerdict(r, r.MetWorse), r.Insufficient)
	}
	tw.Flush()
}

func printCity(w io.Writer, r quality.CityYear) {
	c, year := r.City, r.Year
	city, _ := domain.LookupCity(c)
	fmt.Fprintf(w, "\n%s %s %d: %d/%d sections met their target (%s), %d without enough samples\n",
		city.ID, city.Name, year, r.SectionsMet, r.Sections, r.SectionShare, r.SectionsInsufficient)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "断面\t名称\t样本\t年均类别\t目标\t\t主要污染物")
	for _, sy := range r.Details {
		// Classes, items and multiples as the dashboard writes them: 劣Ⅴ,
		// 总磷（超标0.004倍）.
		class := api.Zh.Class(sy.Class)
		if !sy.Enough {
			class = fmt.Sprintf("样本不足(%d)", sy.Samples)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", sy.Section, sy.Name, sy.Samples, class, api.Zh.Class(sy.Target),
			verdict(sy.Target != 0 && sy.Enough, sy.Met), api.Zh.Pollutants(sy.MainPollutants))
	}
	tw.Flush()
}
