package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
)

// ledger audit shows each year's published figure beside the figures as
// known then, as the dashboard's audit page does, and 未公布 where the year
// was not published by the date; with the notice, and the method note where
// the publication was computed with an earlier method. The same on the
// local store and through a server.
func TestAuditShowsThePublishedFigure(t *testing.T) {
	ctx := context.Background()
	dir := hejinStore(t)
	admin := domain.Actor{ID: "admin", Role: domain.Admin}
	adoptRules(t, dir)
	samples := func(day int, nh3n string) { t.Helper(); import2019(t, dir, day, nh3n) }
	samples(10, "2.6")
	today := time.Now().In(domain.CST).Format(time.DateOnly)

	code, out, errOut := run(t, "audit", "--data", dir, "--city", "运城", "--at", today)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "已公布 (published)")
	require.Regexp(t, `\n2019 +\d+\.\d\d \S+ +#\d+ +未公布 +\d+\.\d\d `, out)
	require.NotContains(t, out, "年已公布：")

	// 2019 published with an earlier method, before samples came in late
	// that change its figure as known today.
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: app.Registry()})
	require.NoError(t, err)
	c, err := app.Compute(ctx, s, 2019, app.Basis{}, app.NewBoardFigures())
	require.NoError(t, err)
	p := assessment.ResultsPublished{Method: 1, Year: 2019, Document: "晋环函〔2020〕30号", Position: c.Position, InputsHash: c.InputsHash,
		Aggregates: c.Aggregates, Rules: c.Rules, Results: c.Results, Incomplete: assessment.Gaps(c.Results)}
	_, err = s.Append(ctx, events.Change{Aggregate: app.YearAggregate(2019), Expect: events.NoEvents, Events: []events.Draft{{
		OccurredAt: time.Date(2020, 3, 20, 10, 0, 0, 0, domain.CST), Actor: admin, Data: p}}})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	published, _ := p.Result("140800")
	samples(20, "0.3")

	code, here, errOut := run(t, "audit", "--data", dir, "--city", "运城", "--at", today)
	require.Equal(t, 0, code, errOut)
	row := fmt.Sprintf(`\n2019 +(\d+\.\d\d \S+) +#\d+ +%.2f %s +#%d +`, published.QualityScore, gradeZh(published.Grade), published.Rank)
	require.Regexp(t, row, here)
	then := fmt.Sprintf("%.2f", published.QualityScore)
	require.NotRegexp(t, `\n2019 +`+then, here, "as known then, with the late samples, it is another figure")
	zh, en := p.MethodNote()
	requireLines(t, here, []string{"2019年已公布：晋环函〔2020〕30号（", "(2019 published: 晋环函〔2020〕30号, recorded ", "  " + zh, "    (" + en + ")"})

	s, err = jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: app.Registry()})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	url, _, adminToken := serve(t, s)
	code, there, errOut := runRemote(t, url, adminToken, "audit", "--city", "运城", "--at", today)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, here, there, "the same through a server")
}

// adoptRules adopts the standard rules of 2016 in the store at dir.
func adoptRules(t *testing.T, dir string) {
	t.Helper()
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Registry: app.Registry()})
	require.NoError(t, err)
	_, err = app.AdoptRules(context.Background(), s, domain.Actor{ID: "admin", Role: domain.Admin}, assessment.Standard(2016, "晋环发〔2016〕1号"), time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST))
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

// import2019 imports a monthly sample of FH-HJDQ on day of each month of
// 2019 with the given ammonia nitrogen, through ledger import.
func import2019(t *testing.T, dir string, day int, nh3n string) {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-%02d 09:00,manual,5.5,%s\n", m, day, nh3n)
	}
	file := filepath.Join(t.TempDir(), "2019.csv")
	require.NoError(t, os.WriteFile(file, []byte(csv.String()), 0o644))
	code, _, errOut := run(t, "import", "--data", dir, "--as", "station-1:station", file)
	require.Equal(t, 0, code, errOut)
}
