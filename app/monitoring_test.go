package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/quality"
)

var (
	admin   = domain.Actor{ID: "admin", Role: domain.Admin}
	station = domain.Actor{ID: "station-140800-01", Role: domain.Station}
	now     = time.Date(2020, 6, 1, 0, 0, 0, 0, domain.CST)
)

func openWithSections(t *testing.T) *jetstream.Store {
	t.Helper()
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: t.TempDir(), Registry: app.Registry()})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = app.Register(context.Background(), s, admin, time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST),
		app.SectionRegistration(monitoring.SectionRegistered{ID: "FH-HJDQ", Name: "河津大桥", River: "汾河", Basin: domain.Yellow, City: "140800",
			Kind: water.River, Level: monitoring.National, Assessed: true, Targets: monitoring.Targets{2019: water.ClassIV}}),
		app.SectionRegistration(monitoring.SectionRegistered{ID: "SSH-ZLC", Name: "张留庄", River: "涑水河", Basin: domain.Yellow, City: "140800",
			Kind: water.River, Level: monitoring.Provincial, Assessed: true, Targets: monitoring.Targets{2019: water.ClassV}}),
	)
	require.NoError(t, err)
	return s
}

func lastPosition(t *testing.T, s events.Store) uint64 {
	p, err := s.LastPosition(context.Background())
	require.NoError(t, err)
	return p
}

const good = `section,sampled_at,source,status,pH,DO,CODMn,NH3-N,TP
FH-HJDQ,2019-03-01 08:00,manual,,7.9,6.2,5.1,0.82,0.19
FH-HJDQ,2019-03-01 12:00,auto,,7.8,5.9,<0.5,0.79,0.18
SSH-ZLC,2019-01-15 08:00,manual,ice,,,,,
`

func TestImportStoresEachSectionOnceAtomically(t *testing.T) {
	ctx := context.Background()
	s := openWithSections(t)
	before := lastPosition(t, s)
	res, err := app.ImportSamples(ctx, s, station, strings.NewReader(good), app.ImportOptions{File: "march.csv", Now: now})
	require.NoError(t, err)
	require.Equal(t, 3, res.Rows)
	require.Equal(t, 3, res.Stored)
	require.Equal(t, 2, res.Events, "one event per section")
	require.Equal(t, before+2, lastPosition(t, s))

	evs, err := s.Load(ctx, app.SectionAggregate("140800", "FH-HJDQ"))
	require.NoError(t, err)
	rec := evs[1].Data.(monitoring.SamplesRecorded)
	require.Equal(t, 2, rec.Samples.Len())
	require.Equal(t, []int{2, 3}, rec.Import.Lines)
	require.Equal(t, "march.csv", rec.Import.File)
	require.Equal(t, res.SHA256, rec.Import.SHA256)
	require.Equal(t, station, evs[1].Actor)
	auto := rec.Samples.Row(1)
	require.Equal(t, []water.Item{water.CODMn}, auto.BelowDL)
	require.InDelta(t, 0.25, auto.Effective()[water.CODMn], 1e-12, "below the limit counts as half of it")
	require.Equal(t, time.Date(2019, 3, 1, 4, 0, 0, 0, time.UTC), auto.At, "Shanxi time")

	// January at 张留庄 was iced over: not monitored, which is not "no data".
	m := quality.New(quality.Options{})
	_, err = projections.Replay(ctx, s, events.Query{}, m)
	require.NoError(t, err)
	jan := m.Months("SSH-ZLC", 2019)[0]
	require.Equal(t, water.Class(0), jan.Class)
	require.Equal(t, 1, jan.NotMonitored)
	require.Zero(t, m.Months("SSH-ZLC", 2019)[1].NotMonitored)
	require.Zero(t, m.Months("FH-HJDQ", 2019)[2].NotMonitored)
	_, err = app.ImportSamples(ctx, s, station, strings.NewReader("section,sampled_at,source,status,DO\nFH-HJDQ,2019-02-01 08:00,auto,ice,\nFH-HJDQ,2019-02-01 12:00,auto,ice,\n"), app.ImportOptions{File: "feb.csv", Now: now})
	require.NoError(t, err)
	m = quality.New(quality.Options{})
	_, err = projections.Replay(ctx, s, events.Query{}, m)
	require.NoError(t, err)
	require.Equal(t, 2, m.Months("FH-HJDQ", 2019)[1].NotMonitored, "two automatic samples under ice")
	last := lastPosition(t, s)

	// The same file again stores nothing new.
	again, err := app.ImportSamples(ctx, s, station, strings.NewReader(good), app.ImportOptions{File: "march.csv", Now: now})
	require.NoError(t, err)
	require.Zero(t, again.Stored)
	require.Equal(t, 3, again.AlreadyStored)
	require.Equal(t, last, lastPosition(t, s))
}

// One test per kind of bad row: each is named by line, column and reason,
// and the file stores nothing.
func TestImportRejectsEveryKindOfBadRow(t *testing.T) {
	ctx := context.Background()
	s := openWithSections(t)
	_, err := app.ImportSamples(ctx, s, station, strings.NewReader(good), app.ImportOptions{Now: now})
	require.NoError(t, err)
	const header = "section,sampled_at,source,status,pH,DO,CODMn,NH3-N,TP\n"
	okRow := "FH-HJDQ,2019-04-01 08:00,manual,,7.9,6.2,5.1,0.82,0.19\n"
	tests := []struct {
		name   string
		file   string
		line   int
		column string
		reason string
	}{
		{"unknown section", "XX-01,2019-04-01 08:00,manual,,7.9,6.2,5.1,0.82,0.19\n", 3, "section", `unknown section "XX-01"`},
		{"missing section", ",2019-04-01 08:00,manual,,7.9,6.2,5.1,0.82,0.19\n", 3, "section", "missing"},
		{"not a number", "FH-HJDQ,2019-04-02 08:00,manual,,7.9,six,5.1,0.82,0.19\n", 3, "DO", `"six" is not a number`},
		{"negative", "FH-HJDQ,2019-04-02 08:00,manual,,7.9,6.2,-5.1,0.82,0.19\n", 3, "CODMn", "negative"},
		{"hex number", "FH-HJDQ,2019-04-02 08:00,manual,,7.9,0x1p2,5.1,0.82,0.19\n", 3, "DO", `"0x1p2" is not a number`},
		{"infinity", "FH-HJDQ,2019-04-02 08:00,manual,,7.9,6.2,Inf,0.82,0.19\n", 3, "CODMn", `"Inf" is not a number`},
		{"out of range", "FH-HJDQ,2019-04-02 08:00,manual,,15.2,6.2,5.1,0.82,0.19\n", 3, "pH", "above 14"},
		{"future", "FH-HJDQ,2021-04-02 08:00,manual,,7.9,6.2,5.1,0.82,0.19\n", 3, "sampled_at", "in the future"},
		{"bad time", "FH-HJDQ,02/04/2019,manual,,7.9,6.2,5.1,0.82,0.19\n", 3, "sampled_at", "is not a time"},
		{"a fraction of a second", "FH-HJDQ,2019-04-02T08:00:00.5+08:00,manual,,7.9,6.2,5.1,0.82,0.19\n", 3, "sampled_at", "has a fraction of a second"},
		{"a fraction of a second, as a spreadsheet writes it", "FH-HJDQ,2019/4/2 08:00:00.5,manual,,7.9,6.2,5.1,0.82,0.19\n", 3, "sampled_at", "has a fraction of a second"},
		{"a fraction of a second, with a dash", "FH-HJDQ,2019-04-02 08:00:00.250,manual,,7.9,6.2,5.1,0.82,0.19\n", 3, "sampled_at", "has a fraction of a second"},
		{"bad source", "FH-HJDQ,2019-04-02 08:00,robot,,7.9,6.2,5.1,0.82,0.19\n", 3, "source", `"robot" is not`},
		{"bad status", "FH-HJDQ,2019-04-02 08:00,manual,flood,,,,,\n", 3, "status", `"flood" is not one of`},
		{"values on a not-monitored sample", "FH-HJDQ,2019-04-02 08:00,manual,dry,7.9,,,,\n", 3, "pH", "marked dry"},
		{"no values", "FH-HJDQ,2019-04-02 08:00,manual,,,,,,\n", 3, "", "no values"},
		{"wrong number of cells", "FH-HJDQ,2019-04-02 08:00,manual,,7.9\n", 3, "", "5 cells, the header names 9"},
		{"duplicate in the file", "FH-HJDQ,2019-04-01 08:00,manual,,7.9,6.2,5.1,0.82,0.19\n", 3, "", "repeats line 2"},
		{"stored with other values", "FH-HJDQ,2019-03-01 08:00,manual,,7.9,6.2,5.1,0.99,0.19\n", 3, "sampled_at", "record a correction instead"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := lastPosition(t, s)
			_, err := app.ImportSamples(ctx, s, station, strings.NewReader(header+okRow+tc.file), app.ImportOptions{Now: now})
			require.Error(t, err)
			require.Equal(t, domain.Invalid, domain.KindOf(err))
			var ie *app.ImportError
			require.ErrorAs(t, err, &ie)
			require.Len(t, ie.Errors, 1, "%v", ie.Errors)
			got := ie.Errors[0]
			require.Equal(t, tc.line, got.Line)
			require.Equal(t, tc.column, got.Column)
			require.Contains(t, got.Reason, tc.reason)
			require.Equal(t, before, lastPosition(t, s), "nothing stored")
		})
	}

	// Header errors.
	for _, tc := range []struct{ header, column, reason string }{
		{"section,sampled_at,source,pH,turbidity_x\n", "turbidity_x", "unknown column"},
		{"section,sampled_at,pH\n", "source", "required column missing"},
		{"section,sampled_at,source,NH3N,氨氮\n", "氨氮", "same item as column NH3N"},
		{"section,sampled_at,source,section,NH3N\n", "section", "named twice"},
	} {
		_, err := app.ImportSamples(ctx, s, station, strings.NewReader(tc.header), app.ImportOptions{Now: now})
		var ie *app.ImportError
		require.ErrorAs(t, err, &ie, tc.header)
		require.Equal(t, 1, ie.Errors[0].Line)
		require.Equal(t, tc.column, ie.Errors[0].Column)
		require.Contains(t, ie.Errors[0].Reason, tc.reason)
	}

	// Every bad row of a file is listed, not only the first.
	file := header + "XX,2019-04-02 08:00,manual,,7.9,6.2,5.1,0.82,0.19\n" + okRow + "FH-HJDQ,2019-04-03 08:00,manual,,7.9,-1,x,0.82,0.19\n"
	_, err = app.ImportSamples(ctx, s, station, strings.NewReader(file), app.ImportOptions{Now: now})
	var ie *app.ImportError
	require.ErrorAs(t, err, &ie)
	require.Len(t, ie.Errors, 3)
	require.Equal(t, []int{2, 4, 4}, []int{ie.Errors[0].Line, ie.Errors[1].Line, ie.Errors[2].Line})
	require.Contains(t, err.Error(), "line 4, column DO")
}

// With the partial option the good rows are stored together and the bad ones
// written to a reject file.
func TestImportPartialWritesRejects(t *testing.T) {
	ctx := context.Background()
	s := openWithSections(t)
	file := "section,sampled_at,source,DO,TP\n" +
		"FH-HJDQ,2019-05-01 08:00,manual,6.1,0.2\n" +
		"FH-HJDQ,2019-05-02 08:00,manual,abc,xyz\n" +
		"SSH-ZLC,2019-05-01 08:00,manual,5.1,0.3\n" +
		"NOPE,2019-05-01 08:00,manual,5.1,0.3\n" +
		"FH-HJDQ,2019-05-04 08:00,manual,6.0\n"
	var rejects bytes.Buffer
	res, err := app.ImportSamples(ctx, s, station, strings.NewReader(file), app.ImportOptions{Partial: true, Rejects: &rejects, Now: now})
	require.NoError(t, err)
	require.Equal(t, 2, res.Stored)
	require.Len(t, res.Rejected, 4, "two errors on line 3, one on line 5, one on line 6")
	require.Equal(t, 3, res.RejectedRows)
	require.True(t, bytes.HasPrefix(rejects.Bytes(), []byte("\ufeff")), "a byte-order mark, for spreadsheet programs")
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rejects.Bytes(), []byte("\ufeff")))).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"line", "section", "sampled_at", "source", "DO", "TP", "error"}, recs[0])
	// The errors in Chinese, for the station's staff who mend the file.
	require.Equal(t, []string{"3", "FH-HJDQ", "2019-05-02 08:00", "manual", "abc", "xyz", `DO："abc" 不是数字（低于检出限的结果写作 <x 或 xL）；TP："xyz" 不是数字（低于检出限的结果写作 <x 或 xL）`}, recs[1])
	require.Equal(t, "5", recs[2][0])
	require.Equal(t, `section：未登记的断面 "NOPE"：不是已登记断面的编码`, recs[2][6])
	require.Equal(t, []string{"6", "FH-HJDQ", "2019-05-04 08:00", "manual", "6.0", "", "本行 4 格，表头有 5 列"}, recs[3], "padded: the error in its column")

	// Mended, the reject file is uploaded again as it is.
	mended := strings.NewReplacer("abc", "6.2", "xyz", "0.21", "NOPE", "SSH-ZLC", "2019-05-01 08:00,manual,5.1", "2019-05-05 08:00,manual,5.1", "6.0,,", "6.0,0.2,").Replace(rejects.String())
	again1, err := app.ImportSamples(ctx, s, station, strings.NewReader(mended), app.ImportOptions{Now: now})
	require.NoError(t, err)
	require.Equal(t, 3, again1.Stored)
	require.Equal(t, []string{"line", "error"}, again1.Ignored)

	// What a server answers, written by its client from the file: the same.
	var again bytes.Buffer
	require.NoError(t, app.WriteRejects(&again, strings.NewReader(file), res.Rejected))
	require.Equal(t, rejects.String(), again.String())
	// Also from a server's answer without the Chinese (reason_zh).
	english := append([]monitoring.RowError(nil), res.Rejected...)
	for i := range english {
		english[i].ReasonZh = ""
	}
	again.Reset()
	require.NoError(t, app.WriteRejects(&again, strings.NewReader(file), english))
	require.Equal(t, rejects.String(), again.String())

	// A header that cannot be read rejects the file, partial or not.
	before := lastPosition(t, s)
	_, err = app.ImportSamples(ctx, s, station, strings.NewReader("section,when,DO\nFH-HJDQ,2019-05-03 08:00,6\n"), app.ImportOptions{Partial: true, Now: now})
	require.Error(t, err)
	require.Contains(t, err.Error(), "line 1")
	require.Equal(t, before, lastPosition(t, s))
}

// A drinking-water source's samples come in the same uploads, by its id; a
// black-odorous body's inspections and a groundwater point's grades are
// recorded on their entries; the city's figures count them.
func TestDrinkingSourcesBlackOdorousGroundwater(t *testing.T) {
	ctx := context.Background()
	s := openWithSections(t)
	deadline := time.Date(2017, 12, 31, 0, 0, 0, 0, domain.CST)
	_, err := app.Register(ctx, s, admin, time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST),
		app.DrinkingSourceRegistration(monitoring.DrinkingSourceRegistered{ID: "YC-DW-1", Name: "运城市水源地", City: "140800", Level: monitoring.CityLevel, Kind: water.Lake, Target: water.ClassIII}),
		app.BlackOdorousRegistration(monitoring.BlackOdorousRegistered{ID: "YC-BO-1", Name: "运城市某沟渠", City: "140800", BuiltUp: true, Responsible: "张三", Deadline: deadline}),
		app.GroundwaterPointRegistration(monitoring.GroundwaterPointRegistered{ID: "YC-GW-1", Name: "运城市地下水1号", City: "140800"}))
	require.NoError(t, err)
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N,TP\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "YC-DW-1,2019-%02d-05 09:00,manual,7.5,0.3,0.02\n", m)
	}
	res, err := app.ImportSamples(ctx, s, station, strings.NewReader(csv.String()), app.ImportOptions{Now: now})
	require.NoError(t, err)
	require.Equal(t, 12, res.Stored)
	evs, err := s.Load(ctx, events.Aggregate{Scope: "140800", Type: app.DrinkingSourceType, ID: "YC-DW-1"})
	require.NoError(t, err)
	require.Equal(t, app.SourceSamplesRecorded, evs[1].Name)

	bo := events.Aggregate{Scope: "140800", Type: app.BlackOdorousType, ID: "YC-BO-1"}
	clear := 40.0
	reading := water.BlackOdorReading{TransparencyCm: &clear}
	_, err = app.Record(ctx, s, admin, time.Date(2019, 11, 1, 0, 0, 0, 0, domain.CST), bo,
		monitoring.BlackOdorousInspected{Reading: reading, Level: water.LightBlackOdor})
	require.Equal(t, "changes[0].events[0].data.level", domain.FieldOf(err), "the level must be the one the reading gives: %v", err)
	_, err = app.Record(ctx, s, admin, time.Date(2019, 11, 1, 0, 0, 0, 0, domain.CST), bo,
		monitoring.BlackOdorousInspected{Reading: reading, Level: water.NotBlackOdor})
	require.NoError(t, err)
	_, err = app.Record(ctx, s, admin, time.Date(2019, 12, 1, 0, 0, 0, 0, domain.CST),
		events.Aggregate{Scope: "140800", Type: app.GroundwaterPointType, ID: "YC-GW-1"}, monitoring.GroundwaterGraded{Year: 2019, Grade: 5})
	require.NoError(t, err)

	m := quality.New(quality.Options{})
	_, err = projections.Replay(ctx, s, events.Query{}, m)
	require.NoError(t, err)
	cy := m.City("140800", 2019)
	require.Equal(t, 1, cy.Drinking)
	require.Equal(t, 1, cy.DrinkingMet, "TP 0.02 in a reservoir is class II")
	require.Equal(t, 1, cy.BlackOdorous)
	require.Equal(t, 1, cy.BlackEliminated)
	require.Equal(t, 1, cy.Groundwater)
	require.Equal(t, 1, cy.GroundwaterVeryPoor)

	// The assessment's evidence names each of them, with its events.
	byPart := map[string]assessment.Evidence{}
	for _, ev := range app.Inputs(m, nil, "140800", 2019).Evidence {
		byPart[ev.Part] = ev
	}
	require.Equal(t, "YC-DW-1", byPart["drinking"].Subject)
	require.Equal(t, "class II, target III and III or better: met", byPart["drinking"].Outcome)
	require.Len(t, byPart["drinking"].Positions, 12, "its twelve monthly samples")
	require.Equal(t, "YC-BO-1", byPart["black_odorous"].Subject)
	require.Contains(t, byPart["black_odorous"].Outcome, ": eliminated")
	require.Equal(t, "YC-GW-1", byPart["groundwater"].Subject)
	require.Equal(t, "graded 5 (极差, very poor)", byPart["groundwater"].Outcome)
	require.Len(t, byPart["groundwater"].Positions, 1)

	// A point counts from the year it was registered (2016); in a year it
	// was not graded for it counts as very poor, not out of the share.
	require.Zero(t, m.City("140800", 2015).Groundwater, "not registered yet")
	cy = m.City("140800", 2018)
	require.Equal(t, 1, cy.Groundwater)
	require.Equal(t, 1, cy.GroundwaterVeryPoor, "not graded for 2018")
	require.Equal(t, "not graded for the year: counted as very poor", cy.GroundDetails[0].Outcome)
	require.Empty(t, cy.GroundDetails[0].Positions)
	// Likewise the source, not sampled in 2018, misses its target, and
	// the body, never inspected by then, is not eliminated; in 2020 the
	// body, clean when last inspected (November 2019) but not inspected
	// since, is not eliminated either.
	require.Equal(t, []int{1, 0, 1}, []int{cy.Drinking, cy.DrinkingMet, cy.DrinkingUnsampled})
	require.Equal(t, "no sample in the year: counted as missed", cy.DrinkingDetails[0].Outcome)
	require.Equal(t, []int{1, 0, 1}, []int{cy.BlackOdorous, cy.BlackEliminated, cy.BlackUninspected})
	cy = m.City("140800", 2020)
	require.Equal(t, []int{1, 0, 1}, []int{cy.BlackOdorous, cy.BlackEliminated, cy.BlackUninspected})
	require.Equal(t, "not inspected in the year (last inspected 2019-11-01, level 0): counted as not eliminated", cy.BlackDetails[0].Outcome)
	require.Equal(t, []int{1, 0, 1}, []int{cy.Drinking, cy.DrinkingMet, cy.DrinkingUnsampled})
}

// A corrected sample's upload, re-imported, stores nothing: the file as
// uploaded and the file with the corrected values both count as stored; a
// third set of values is refused. Corrections that change nothing, or name
// no time, a wrong source or a blank reason, are refused and store nothing.
func TestReimportAfterCorrection(t *testing.T) {
	ctx := context.Background()
	s := openWithSections(t)
	_, err := app.ImportSamples(ctx, s, station, strings.NewReader(good), app.ImportOptions{File: "march.csv", Now: now})
	require.NoError(t, err)
	agg := app.SectionAggregate("140800", "FH-HJDQ")
	at := time.Date(2019, 3, 1, 8, 0, 0, 0, domain.CST)
	fixed := monitoring.Sample{At: at, Source: monitoring.Manual, Values: water.Values{water.PH: 7.9, water.DO: 6.2, water.CODMn: 5.1, water.NH3N: 0.82, water.TP: 0.21}}
	_, err = app.CorrectSample(ctx, s, admin, agg, fixed, "实验室复核", now)
	require.NoError(t, err)
	before := lastPosition(t, s)

	for _, tc := range []struct {
		name, file string
		stored     int
	}{
		{"as uploaded", good, 3},
		{"as corrected", strings.Replace(good, "0.82,0.19", "0.82,0.21", 1), 3},
	} {
		res, err := app.ImportSamples(ctx, s, station, strings.NewReader(tc.file), app.ImportOptions{File: "march.csv", Now: now})
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.stored, res.AlreadyStored, tc.name)
		require.Zero(t, res.Stored, tc.name)
	}
	_, err = app.ImportSamples(ctx, s, station, strings.NewReader(strings.Replace(good, "0.82,0.19", "0.82,0.25", 1)), app.ImportOptions{File: "march.csv", Now: now})
	require.Error(t, err)
	require.Contains(t, err.Error(), "already stored with other values (TP stored 0.21, here 0.25): record a correction instead", "what differs, from the sample as corrected")
	var ie *app.ImportError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "sampled_at", ie.Errors[0].Column)
	// The column as the file names it: a Chinese header is named so.
	chinese := strings.Replace(strings.Replace(good, "0.82,0.19", "0.82,0.25", 1), "section,sampled_at,source", "断面编码,监测时间,来源", 1)
	_, err = app.ImportSamples(ctx, s, station, strings.NewReader(chinese), app.ImportOptions{File: "march.csv", Now: now})
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "监测时间", ie.Errors[0].Column, "%v", err)
	require.Contains(t, ie.Errors[0].ReasonZh, "已以其他数值存储")

	for _, tc := range []struct {
		name   string
		sample monitoring.Sample
		reason string
		kind   domain.Kind
		field  string
	}{
		{"no change", fixed, "again", domain.Conflict, "sample"},
		{"no time", monitoring.Sample{Source: monitoring.Manual, Values: fixed.Values}, "r", domain.Invalid, "sample.at"},
		{"bad source", monitoring.Sample{At: at, Source: "Manual", Values: fixed.Values}, "r", domain.Invalid, "sample.source"},
		{"blank reason", monitoring.Sample{At: at, Source: monitoring.Manual, Values: water.Values{water.DO: 6}}, "   ", domain.Invalid, "reason"},
		{"no such sample", monitoring.Sample{At: at.Add(time.Hour), Source: monitoring.Manual, Values: water.Values{water.DO: 6}}, "r", domain.NotFound, "sample.at"},
	} {
		_, err := app.CorrectSample(ctx, s, admin, agg, tc.sample, tc.reason, now)
		require.Equal(t, tc.kind, domain.KindOf(err), "%s: %v", tc.name, err)
		require.Equal(t, tc.field, domain.FieldOf(err), "%s: %v", tc.name, err)
	}
	_, err = app.InvalidateSample(ctx, s, admin, agg, monitoring.Key{}, "x", now)
	require.Equal(t, "at", domain.FieldOf(err), "%v", err)
	require.Equal(t, domain.Invalid, domain.KindOf(err))
	_, err = app.InvalidateSample(ctx, s, admin, agg, monitoring.Key{At: at.Add(time.Hour), Source: monitoring.Manual}, "x", now)
	require.Equal(t, domain.NotFound, domain.KindOf(err), "%v", err)
	require.Equal(t, "at", domain.FieldOf(err), "named as the request names it")
	require.Equal(t, before, lastPosition(t, s), "nothing stored")
}

// An upload larger than the limit is refused whole: read up to the limit,
// its last row would end in a value cut short.
func TestImportRefusesAnUploadOverTheLimit(t *testing.T) {
	s := openWithSections(t)
	before := lastPosition(t, s)
	row := "FH-HJDQ,2019-03-01 08:00,manual,,7.9,6.2,5.1,0.82,0.19\n"
	body := io.MultiReader(strings.NewReader(good), &repeated{s: row, n: monitoring.MaxUploadBytes / len(row)})
	_, err := app.ImportSamples(context.Background(), s, admin, body, app.ImportOptions{Now: now})
	require.Error(t, err)
	require.Equal(t, "file", domain.FieldOf(err))
	require.Contains(t, err.Error(), "larger than 256 MB")
	require.Equal(t, before, lastPosition(t, s), "nothing stored")
}

// repeated reads s n times.
type repeated struct {
	s   string
	n   int
	off int
}

func (r *repeated) Read(p []byte) (int, error) {
	k := 0
	for k < len(p) && r.n > 0 {
		c := copy(p[k:], r.s[r.off:])
		k, r.off = k+c, r.off+c
		if r.off == len(r.s) {
			r.off, r.n = 0, r.n-1
		}
	}
	if k == 0 {
		return 0, io.EOF
	}
	return k, nil
}

// A withdrawn sample is brought back by a correction, and only once: the
// read model counts it again (not twice taken out), a second withdrawal
// says it is withdrawn already, and uploading it again reports it as
// withdrawn rather than stored.
func TestWithdrawnSampleIsBroughtBackByACorrection(t *testing.T) {
	ctx := context.Background()
	s := openWithSections(t)
	april := "section,sampled_at,source,DO,NH3N\nFH-HJDQ,2019-04-02 12:00,auto,6.0,0.5\nFH-HJDQ,2019-04-02 16:00,auto,6.2,0.4\n"
	_, err := app.ImportSamples(ctx, s, station, strings.NewReader(april), app.ImportOptions{Now: now})
	require.NoError(t, err)
	agg := app.SectionAggregate("140800", "FH-HJDQ")
	auto := monitoring.Key{At: time.Date(2019, 4, 2, 12, 0, 0, 0, domain.CST).UTC(), Source: monitoring.Auto}
	aprilSamples := func() int {
		m := quality.New(quality.Options{})
		_, err := projections.Replay(ctx, s, events.Query{}, m)
		require.NoError(t, err)
		return m.Months("FH-HJDQ", 2019)[3].Samples
	}
	require.Equal(t, 2, aprilSamples())
	_, err = app.InvalidateSample(ctx, s, admin, agg, auto, "探头漂移", now)
	require.NoError(t, err)
	require.Equal(t, 1, aprilSamples())
	_, err = app.InvalidateSample(ctx, s, admin, agg, auto, "again", now)
	require.Equal(t, domain.Conflict, domain.KindOf(err), "%v", err)
	require.Contains(t, err.Error(), "already withdrawn (探头漂移)")

	res, err := app.ImportSamples(ctx, s, station, strings.NewReader(april), app.ImportOptions{Now: now})
	require.NoError(t, err)
	require.Equal(t, []int{1, 1, 0}, []int{res.Withdrawn, res.AlreadyStored, res.Stored})
	require.NotNil(t, res.Rejected, "[] in JSON")
	// Other values at its time are not skipped quietly: refused, saying how.
	_, err = app.ImportSamples(ctx, s, station, strings.NewReader(strings.Replace(april, "6.0,0.5", "1.0,0.5", 1)), app.ImportOptions{Now: now})
	require.ErrorContains(t, err, "was withdrawn from assessment, with other values (DO stored 6, here 1): a correction brings it back with new ones")

	// The withdrawal was a mistake: the same values, brought back.
	e, err := app.AmendSample(ctx, s, admin, agg, monitoring.Sample{At: auto.At, Source: monitoring.Auto}, nil, "误操作,恢复", now)
	require.NoError(t, err)
	c := e.Data.(monitoring.SampleCorrected)
	require.True(t, c.Reinstated)
	require.Equal(t, c.Previous.Values, c.Sample.Values)
	require.Equal(t, 2, aprilSamples(), "counted once again, not taken out twice")
	_, err = app.AmendSample(ctx, s, admin, agg, monitoring.Sample{At: auto.At, Source: monitoring.Auto}, nil, "again", now)
	require.Equal(t, domain.Conflict, domain.KindOf(err), "back already: nothing to correct")
	res, err = app.ImportSamples(ctx, s, station, strings.NewReader(april), app.ImportOptions{Now: now})
	require.NoError(t, err)
	require.Equal(t, []int{0, 2}, []int{res.Withdrawn, res.AlreadyStored})
}

// A station's spreadsheet as it saves it on a Chinese system: GBK, Chinese
// headers with units, sections by name or by a lower-case code, 手工, a
// water-temperature column. Stored as meant; the temperature is reported
// as not stored.
func TestImportAStationsSpreadsheet(t *testing.T) {
	s := openWithSections(t)
	file, err := simplifiedchinese.GBK.NewEncoder().String("断面编码,断面名称,监测时间,来源,溶解氧(mg/L),氨氮(mg/L),水温(℃)\r\n" +
		"FH-HJDQ,河津大桥,2019/5/1 8:00,手工,6.1,0.05L,12.5\r\nssh-zlc,张留庄,2019/5/1 8:00,手工,5.5,1.2,11\r\n,,,,,,\r\n")
	require.NoError(t, err)
	res, err := app.ImportSamples(context.Background(), s, station, strings.NewReader(file), app.ImportOptions{Now: now})
	require.NoError(t, err)
	require.Equal(t, 2, res.Stored)
	require.Equal(t, "GB18030", res.Encoding)
	require.Equal(t, []string{"水温(℃)"}, res.Ignored)
	evs, err := s.Load(context.Background(), app.SectionAggregate("140800", "FH-HJDQ"))
	require.NoError(t, err)
	smp, _ := monitoring.RecordedSamples(evs[len(evs)-1].Data)
	row := smp.Row(0)
	require.Equal(t, water.Values{water.DO: 6.1, water.NH3N: 0.05}, row.Values)
	require.Equal(t, []water.Item{water.NH3N}, row.BelowDL, "0.05L: below the detection limit 0.05")
	require.Equal(t, time.Date(2019, 5, 1, 8, 0, 0, 0, domain.CST), row.At.In(domain.CST))

	// A code and a name that do not agree are refused, naming both.
	_, err = app.ImportSamples(context.Background(), s, station, strings.NewReader("断面编码,断面名称,监测时间,来源,DO\nFH-HJDQ,张留庄,2019/6/1 8:00,手工,6\n"), app.ImportOptions{Now: now})
	require.ErrorContains(t, err, `"张留庄" is the name of SSH-ZLC, not of FH-HJDQ`)
}

// A name is looked for among names, a code among codes: a section named
// like another's code is not mistaken for it, and codes that differ only
// in case name neither.
func TestSectionNamesAndCodesDoNotShadow(t *testing.T) {
	ctx := context.Background()
	s := openWithSections(t)
	reg := func(id, name string) app.Registration {
		return app.SectionRegistration(monitoring.SectionRegistered{ID: monitoring.SectionID(id), Name: name, River: "汾河", Basin: domain.Yellow, City: "140800",
			Kind: water.River, Level: monitoring.Provincial, Assessed: true})
	}
	_, err := app.Register(ctx, s, admin, time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST), reg("G208", "某桥"), reg("YC-7", "g208"), reg("ab1", "甲"), reg("AB1", "乙"))
	require.NoError(t, err)
	res, err := app.ImportSamples(ctx, s, station, strings.NewReader("断面名称,监测时间,来源,DO\ng208,2019/3/1 9:00,手工,6.0\n"), app.ImportOptions{Now: now})
	require.NoError(t, err)
	require.Equal(t, 1, res.Stored)
	evs, err := s.Load(ctx, app.SectionAggregate("140800", "YC-7"))
	require.NoError(t, err)
	require.Len(t, evs, 2, "stored on the section named g208")
	_, err = app.ImportSamples(ctx, s, station, strings.NewReader("section,sampled_at,source,DO\nAb1,2019-03-01 09:00,manual,6.0\n"), app.ImportOptions{Now: now})
	require.ErrorContains(t, err, `unknown section "Ab1"`, "ab1 or AB1: neither")
	res, err = app.ImportSamples(ctx, s, station, strings.NewReader("section,sampled_at,source,DO\ng208,2019-03-01 10:00,manual,6.0\n"), app.ImportOptions{Now: now})
	require.NoError(t, err, "one code in any case")
	evs, err = s.Load(ctx, app.SectionAggregate("140800", "G208"))
	require.NoError(t, err)
	require.Len(t, evs, 2)
}

// Uploads sharing a server's index, interleaved: A checks its rows, B
// stores the same rows, C (the same file again) moves the index on to B's
// append and stores nothing; A, going on, must find its rows stored (its
// append expects the version it checked against), not store them twice.
func TestInterleavedUploadsStoreRowsOnce(t *testing.T) {
	ctx := context.Background()
	s := openWithSections(t)
	idx := app.NewSampleIndex()
	upload := func(file string) *app.ImportResult {
		res, err := app.ImportSamples(ctx, s, station, strings.NewReader(file), app.ImportOptions{Now: now, Index: idx})
		require.NoError(t, err)
		return res
	}
	checked, resume := make(chan struct{}), make(chan struct{})
	first := true
	reset := app.ImportChecked(func() {
		if first { // A's first check only
			first = false
			close(checked)
			<-resume
		}
	})
	defer reset()
	done := make(chan *app.ImportResult)
	go func() { done <- upload(good) }() // A
	<-checked
	app.ImportChecked(nil)
	b := upload(good) // B: stores the rows
	require.Equal(t, 3, b.Stored)
	c := upload(good) // C: reads B's append into the index, and stores nothing
	require.Equal(t, 3, c.AlreadyStored)
	close(resume)
	a := <-done
	require.Equal(t, 0, a.Stored, "stored by B while A was checked")
	require.Equal(t, 3, a.AlreadyStored)

	n := 0
	evs, err := s.Load(ctx, app.SectionAggregate("140800", "FH-HJDQ"))
	require.NoError(t, err)
	for _, e := range evs {
		if smp, ok := monitoring.RecordedSamples(e.Data); ok {
			n += smp.Len()
		}
	}
	require.Equal(t, 2, n, "B's two rows of the section, once each")
}

// An upload lists its first monitoring.MaxRowErrors errors and counts the
// rest; with more than that it is refused whole, even partial.
func TestImportListsErrorsUpToACap(t *testing.T) {
	ctx := context.Background()
	s := openWithSections(t)
	var file strings.Builder
	file.WriteString("section,sampled_at,source,DO\nFH-HJDQ,2019-03-01 08:00,manual,6.1\n")
	for i := range monitoring.MaxRowErrors + 5 {
		fmt.Fprintf(&file, "FH-HJDQ,2019-03-%02d %02d:%02d,auto,x\n", 2+i/1440, i/60%24, i%60)
	}
	before := lastPosition(t, s)
	_, err := app.ImportSamples(ctx, s, station, strings.NewReader(file.String()), app.ImportOptions{Partial: true, Now: now})
	var ie *app.ImportError
	require.ErrorAs(t, err, &ie)
	require.Len(t, ie.Errors, monitoring.MaxRowErrors)
	require.Equal(t, 5, ie.Omitted)
	require.Contains(t, err.Error(), "5 more not listed")
	require.Contains(t, err.Error(), fmt.Sprintf("at least %d rows rejected (%d errors)", monitoring.MaxRowErrors, monitoring.MaxRowErrors+5))
	require.Equal(t, before, lastPosition(t, s), "nothing stored, not even the good row")
}

// A refused upload counts its bad rows and its errors apart, as a partial
// upload's result does: a row may have several errors, and the header's
// errors are the header's, not rows'.
func TestImportErrorCountsRowsAndErrors(t *testing.T) {
	ctx := context.Background()
	s := openWithSections(t)
	const header = "section,sampled_at,source,DO,TP\n"
	rows := func(oneError, twoErrors int) string {
		var b strings.Builder
		b.WriteString(header)
		for i := range oneError {
			fmt.Fprintf(&b, "FH-HJDQ,2019-03-%02d 08:00,manual,x,0.2\n", i+1)
		}
		for i := range twoErrors {
			fmt.Fprintf(&b, "FH-HJDQ,2019-04-%02d 08:00,manual,x,y\n", i+1)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name, file, want string
		partial          string // a partial upload's count of the same, where it has one
	}{
		{"one row, one error", rows(1, 0), "1 row rejected (1 error), nothing stored:", "1 row rejected (1 error)"},
		{"one row, two errors", rows(0, 1), "1 row rejected (2 errors), nothing stored:", "1 row rejected (2 errors)"},
		{"twelve rows, seventeen errors", rows(7, 5), "12 rows rejected (17 errors), nothing stored:", "12 rows rejected (17 errors)"},
		{"a header with two unit errors", "section,sampled_at,source,DO(μg/L),TP(g/L)\nFH-HJDQ,2019-03-01 08:00,manual,6000,0.0002\n",
			"the header (line 1) rejected (2 errors), nothing stored:", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := lastPosition(t, s)
			_, err := app.ImportSamples(ctx, s, station, strings.NewReader(tc.file), app.ImportOptions{Now: now})
			var ie *app.ImportError
			require.ErrorAs(t, err, &ie)
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), "bad row")
			require.Equal(t, before, lastPosition(t, s))
			if tc.partial == "" {
				return
			}
			res, err := app.ImportSamples(ctx, s, station, strings.NewReader(tc.file), app.ImportOptions{Partial: true, Now: now})
			require.NoError(t, err)
			require.Equal(t, tc.partial, fmt.Sprintf("%s rejected (%s)", domain.Count(res.RejectedRows, "row"), domain.Count(len(res.Rejected), "error")), "as the partial upload counts them")
		})
	}
}

// The file's name is recorded with the samples: it is text, like every
// other field, or the upload is refused.
func TestImportFileNameIsText(t *testing.T) {
	s := openWithSections(t)
	_, err := app.ImportSamples(context.Background(), s, station, strings.NewReader(good), app.ImportOptions{File: "../../etc/passwd\r\nX-Evil: 1\x1b[31m", Now: now})
	require.Equal(t, domain.Invalid, domain.KindOf(err), "%v", err)
	require.Equal(t, "file", domain.FieldOf(err))
	require.Contains(t, err.Error(), "control character")
}

// A station's upload naming another station's section is refused whole,
// partial or not, with every error of the file listed by line, as any
// row's: the other station's rows, and the others' own errors.
func TestImportRefusesOtherStationsSections(t *testing.T) {
	ctx := context.Background()
	s := openWithSections(t)
	own := func(id monitoring.SectionID) bool { return id == "FH-HJDQ" }
	const foreign = "SSH-ZLC is not one of this station's sections: an upload naming one is refused whole, partial or not"
	for _, tc := range []struct {
		name    string
		file    string
		partial bool
		want    []monitoring.RowError // Reason and ReasonZh checked apart
	}{
		{"a foreign row among good ones",
			"section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 08:00,manual,6.1\nSSH-ZLC,2019-05-01 08:00,manual,5.1\n", false,
			[]monitoring.RowError{{Line: 3, Column: "section", Reason: foreign}}},
		{"partial: the foreign rows and a bad row, nothing stored",
			"section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 08:00,manual,6.1\nSSH-ZLC,2019-05-01 08:00,manual,5.1\nFH-HJDQ,2019-05-02 08:00,manual,x\nSSH-ZLC,2019-05-02 08:00,manual,5.2\n", true,
			[]monitoring.RowError{{Line: 3, Column: "section", Reason: foreign}, {Line: 4, Column: "DO", Reason: `"x" is not a number (a result below the detection limit x is written <x or xL)`}, {Line: 5, Column: "section", Reason: foreign}}},
		{"a foreign row with an error of its own is told both",
			"section,sampled_at,source,DO\nSSH-ZLC,2019-05-01 08:00,manual,-5\n", true,
			[]monitoring.RowError{{Line: 2, Column: "DO", Reason: "DO -5 is negative"}, {Line: 2, Column: "section", Reason: foreign}}},
		{"a repeated foreign row is told both",
			"section,sampled_at,source,DO\nSSH-ZLC,2019-05-01 08:00,manual,5\nSSH-ZLC,2019-05-01 08:00,manual,5\n", true,
			[]monitoring.RowError{{Line: 2, Column: "section", Reason: foreign}, {Line: 3, Reason: "repeats line 2 (same section, time and source)"}, {Line: 3, Column: "section", Reason: foreign}}},
		{"named by its name, in the name's column",
			"断面名称,监测时间,来源,溶解氧\n河津大桥,2019-05-01 08:00,手工,6.1\n张留庄,2019-05-01 08:00,手工,5.1\n", false,
			[]monitoring.RowError{{Line: 3, Column: "断面名称", Reason: foreign}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := lastPosition(t, s)
			var rejects bytes.Buffer
			res, err := app.ImportSamples(ctx, s, station, strings.NewReader(tc.file), app.ImportOptions{Partial: tc.partial, Rejects: &rejects, Allowed: own, Now: now})
			require.Nil(t, res)
			require.Equal(t, domain.Forbidden, domain.KindOf(err), "%v", err)
			var ie *app.ImportError
			require.ErrorAs(t, err, &ie)
			got := append([]monitoring.RowError(nil), ie.Errors...)
			for i := range got {
				require.NotEmpty(t, got[i].ReasonZh, "%+v", got[i])
				got[i].ReasonZh = ""
			}
			require.Equal(t, tc.want, got)
			require.Equal(t, []monitoring.SectionID{"SSH-ZLC"}, ie.Refused)
			require.Contains(t, ie.Summary(), "nothing stored: this station's token may not upload samples for SSH-ZLC", "the summary says why")
			require.Contains(t, ie.SummaryZh(), "未存储任何数据：本站令牌无权上传他站断面的样品（SSH-ZLC）")
			require.Equal(t, before, lastPosition(t, s), "nothing stored")
			require.Zero(t, rejects.Len(), "no reject file: nothing was stored")
		})
	}
	// Many sections: the first five named, and how many more.
	many := &app.ImportError{Errors: []monitoring.RowError{{Line: 2, Reason: foreign}, {Line: 3, Reason: foreign}}, Omitted: 10,
		Refused: []monitoring.SectionID{"A", "B", "C", "D", "E", "F", "G"}}
	require.Equal(t, "at least 2 rows rejected (12 errors), nothing stored: this station's token may not upload samples for A, B, C, D, E and 2 more", many.Summary())
	require.Equal(t, "至少 2 行被拒（12 处错误），未存储任何数据：本站令牌无权上传他站断面的样品（A、B、C、D、E，另有 2 个）", many.SummaryZh())
	// Mended, the file is taken.
	res, err := app.ImportSamples(ctx, s, station, strings.NewReader("section,sampled_at,source,DO\nFH-HJDQ,2019-05-01 08:00,manual,6.1\n"), app.ImportOptions{Allowed: own, Now: now})
	require.NoError(t, err)
	require.Equal(t, 1, res.Stored)
}
