package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

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

// samplesV1 is section.samples_recorded as schema 1 stored it: the samples
// as an array of objects.
type samplesV1 struct {
	Samples []monitoring.Sample   `json:"samples"`
	Import  *monitoring.ImportRef `json:"import,omitempty"`
}

// A log written before samples were stored as columns is still read: its
// hash chains verify, its samples come back as they were written, and the
// quality model built from it equals the one built from the same samples
// stored as columns.
func TestSchema1SamplesLogIsRead(t *testing.T) {
	ctx := context.Background()
	sec := monitoring.SectionRegistered{ID: "FH-HJDQ", Name: "河津大桥", River: "汾河", Basin: domain.Yellow, City: "140800",
		Kind: water.River, Level: monitoring.National, Assessed: true, Targets: monitoring.Targets{2019: water.ClassIV}}
	agg := app.SectionAggregate(sec.City, sec.ID)
	var batches [][]monitoring.Sample
	for m := time.January; m <= time.December; m++ {
		var b []monitoring.Sample
		for d := 1; d <= 28; d += 3 {
			at := time.Date(2019, m, d, 8, 0, 0, 0, domain.CST)
			v := float64(m)*0.07 + float64(d)*0.011
			b = append(b, monitoring.Sample{At: at, Source: monitoring.Auto,
				Values: water.Values{water.DO: 6 - v, water.CODMn: 3 + v, water.NH3N: 0.4 + v, water.TP: 0.05 + v/10}})
		}
		if m%2 == 1 { // the other months are classed by their automatic samples
			b = append(b, monitoring.Sample{At: time.Date(2019, m, 10, 9, 0, 0, 0, domain.CST), Source: monitoring.Manual,
				Values: water.Values{water.DO: 6.5, water.CODMn: 4 + float64(m)/10, water.NH3N: 0.9, water.TP: 0.15}, BelowDL: []water.Item{water.TP}})
		}
		if m <= time.February {
			b = append(b, monitoring.Sample{At: time.Date(2019, m, 20, 0, 0, 0, 0, domain.CST), Source: monitoring.Auto, Status: monitoring.Ice})
		}
		batches = append(batches, b)
	}
	at := time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST)
	actor := domain.Actor{ID: "admin", Role: domain.Admin}
	ids := make([]uuid.UUID, len(batches)) // the same events in both logs
	for i := range ids {
		ids[i] = events.NewID()
	}
	write := func(dir string, reg *events.Registry, data func([]monitoring.Sample) any) {
		s, err := jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: reg})
		require.NoError(t, err)
		defer s.Close()
		_, err = app.Register(ctx, s, actor, at, app.SectionRegistration(sec))
		require.NoError(t, err)
		for i, b := range batches {
			_, err = s.Append(ctx, events.Change{Aggregate: agg, Expect: events.ExpectedVersion(uint64(i + 1)),
				Events: []events.Draft{{ID: ids[i], OccurredAt: b[len(b)-1].At, Actor: actor, Data: data(b)}}})
			require.NoError(t, err)
		}
	}
	old := events.NewRegistry()
	events.Register[monitoring.SectionRegistered](old, app.SectionRegistered, 1)
	events.Register[samplesV1](old, app.SamplesRecorded, 1)
	oldDir, newDir := t.TempDir(), t.TempDir()
	write(oldDir, old, func(b []monitoring.Sample) any { return samplesV1{Samples: b} })
	write(newDir, app.Registry(), func(b []monitoring.Sample) any {
		return monitoring.SamplesRecorded{Samples: monitoring.MustSamples(b...)}
	})

	model := func(dir string) *quality.Model {
		s, err := jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: app.Registry()})
		require.NoError(t, err)
		defer s.Close()
		rep, err := s.Verify(ctx)
		require.NoError(t, err)
		require.True(t, rep.OK(), "%v", rep.First())
		evs, err := s.Load(ctx, agg)
		require.NoError(t, err)
		require.Len(t, evs, len(batches)+1)
		for i, b := range batches {
			e := evs[i+1]
			require.Equal(t, 2, e.Schema, "decoded as the current schema")
			got := e.Data.(monitoring.SamplesRecorded).Samples.Rows()
			require.Len(t, got, len(b))
			for k := range b {
				require.True(t, b[k].At.Equal(got[k].At))
				require.Equal(t, b[k].Values, got[k].Values)
				require.Equal(t, b[k].Status, got[k].Status)
				require.Equal(t, b[k].Source, got[k].Source)
				require.Equal(t, b[k].BelowDL, got[k].BelowDL)
			}
		}
		q := quality.New(quality.Options{})
		_, err = projections.Replay(ctx, s, events.Query{}, q)
		require.NoError(t, err)
		return q
	}
	fromOld, fromNew := model(oldDir), model(newDir)
	sy, ok := fromOld.SectionYear(sec.ID, 2019)
	require.True(t, ok)
	require.Equal(t, 6, sy.Samples)
	want, _ := fromNew.SectionYear(sec.ID, 2019)
	require.Equal(t, want, sy)
	require.Equal(t, fromNew.Months(sec.ID, 2019), fromOld.Months(sec.ID, 2019))
	months := fromOld.Months(sec.ID, 2019)
	require.Equal(t, monitoring.Manual, months[0].Source)
	require.Equal(t, monitoring.Auto, months[1].Source)
	require.Equal(t, 10, months[1].Samples)
}

// correctedV1 is section.sample_corrected as schema 1 could store it: a
// correction that named an item by a usual name kept that name as its key.
type correctedV1 struct {
	Sample   map[string]any `json:"sample"`
	Previous map[string]any `json:"previous"`
	Reason   string         `json:"reason"`
}

// A schema-1 correction that stored 氨氮 beside NH3N reads with codes: the
// name's value wins (the correction gave it), the section's year counts
// the sample, a snapshot is taken, and the sample can be corrected again.
func TestSchema1CorrectionWithItemNamesIsRead(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sec := monitoring.SectionRegistered{ID: "FH-HJDQ", Name: "河津大桥", River: "汾河", Basin: domain.Yellow, City: "140800",
		Kind: water.River, Level: monitoring.National, Assessed: true, Targets: monitoring.Targets{2019: water.ClassIV}}
	agg := app.SectionAggregate(sec.City, sec.ID)
	actor := domain.Actor{ID: "admin", Role: domain.Admin}
	at := time.Date(2019, 3, 10, 9, 0, 0, 0, domain.CST)
	old := events.NewRegistry()
	events.Register[monitoring.SectionRegistered](old, app.SectionRegistered, 1)
	events.Register[monitoring.SamplesRecorded](old, app.SamplesRecorded, 2)
	events.Register[correctedV1](old, app.SampleCorrected, 1)
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: old})
	require.NoError(t, err)
	_, err = app.Register(ctx, s, actor, time.Date(2016, 1, 1, 0, 0, 0, 0, domain.CST), app.SectionRegistration(sec))
	require.NoError(t, err)
	stored := monitoring.Sample{At: at, Source: monitoring.Manual, Values: water.Values{water.NH3N: 1.6, water.DO: 6}}
	_, err = s.Append(ctx, events.Change{Aggregate: agg, Expect: events.ExpectedVersion(1), Events: []events.Draft{{OccurredAt: at, Actor: actor,
		Data: monitoring.SamplesRecorded{Samples: monitoring.MustSamples(stored)}}}})
	require.NoError(t, err)
	_, err = s.Append(ctx, events.Change{Aggregate: agg, Expect: events.ExpectedVersion(2), Events: []events.Draft{{OccurredAt: at.AddDate(0, 1, 0), Actor: actor,
		Data: correctedV1{Sample: map[string]any{"at": at.UTC(), "source": "manual", "values": map[string]any{"NH3N": 1.6, "DO": 6, "氨氮": 0.9}},
			Previous: map[string]any{"at": at.UTC(), "source": "manual", "values": map[string]any{"NH3N": 1.6, "DO": 6}}, Reason: "复核"}}}})
	require.NoError(t, err)
	s.Close()

	s, err = jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: app.Registry()})
	require.NoError(t, err)
	defer s.Close()
	evs, err := s.Load(ctx, agg)
	require.NoError(t, err)
	c := evs[2].Data.(monitoring.SampleCorrected)
	require.Equal(t, water.Values{water.NH3N: 0.9, water.DO: 6}, c.Sample.Values)
	q := quality.New(quality.Options{})
	_, err = projections.Replay(ctx, s, events.Query{}, q)
	require.NoError(t, err)
	sy, _ := q.SectionYear(sec.ID, 2019)
	require.Equal(t, 1, sy.Samples)
	_, err = q.Snapshot()
	require.NoError(t, err)
	_, err = app.AmendSample(ctx, s, actor, agg, monitoring.Sample{At: at, Source: monitoring.Manual, Values: water.Values{water.NH3N: 1.0}}, nil, "再次复核", at.AddDate(0, 2, 0))
	require.NoError(t, err)
}

// A restriction stored with schema 1, its to given as a date and stored as
// the start of that day, reads as through that day (23:59:59, as schema 2
// stores a date): the period the page showed, to=2021-06-30 through 30
// June. The stored event is unchanged (its chain verifies); a to stored as
// another time, and the zero dates of an interview stored before they were
// optional, read as written; and the same area restricted from 30 June
// overlaps it.
func TestSchema1ConsequenceToIsThroughItsDay(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	actor := domain.Actor{ID: "assessor", Role: domain.Assessment}
	day := func(y int, m time.Month, d int) *time.Time {
		t := time.Date(y, m, d, 0, 0, 0, 0, domain.CST)
		return &t
	}
	zero := &time.Time{}
	restriction := assessment.ConsequenceImposed{Year: 2019, Kind: assessment.Restriction, Document: "运环函〔2020〕2号", Authority: "省生态环境厅",
		Area: "盐湖区", From: day(2020, 7, 1), To: day(2021, 6, 30)}
	timed := restriction
	timed.Document, timed.Area, timed.To = "运环函〔2020〕3号", "河津市", new(time.Date(2021, 1, 1, 12, 0, 0, 0, domain.CST))
	interview := assessment.ConsequenceImposed{Year: 2019, Kind: assessment.Interview, Document: "晋环函〔2020〕41号", Authority: "省生态环境厅",
		From: zero, To: zero, Deadline: zero}
	old := events.NewRegistry()
	events.Register[assessment.ConsequenceImposed](old, app.ConsequenceImposed, 1)
	s, err := jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: old})
	require.NoError(t, err)
	at := time.Date(2020, 6, 15, 10, 0, 0, 0, domain.CST)
	_, err = s.Append(ctx, events.Change{Aggregate: app.CityYearAggregate("140800", 2019), Expect: events.NoEvents,
		Events: []events.Draft{{OccurredAt: at, Actor: actor, Data: restriction}, {OccurredAt: at, Actor: actor, Data: timed}, {OccurredAt: at, Actor: actor, Data: interview}}})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = jetstream.Open(ctx, jetstream.Config{DataDir: dir, Registry: app.Registry()})
	require.NoError(t, err)
	defer s.Close()
	rep, err := s.Verify(ctx)
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.First())
	evs, err := s.Load(ctx, app.CityYearAggregate("140800", 2019))
	require.NoError(t, err)
	require.Len(t, evs, 3)
	for _, e := range evs {
		require.Equal(t, 2, e.Schema)
		require.Equal(t, 1, e.StoredSchema)
	}
	require.Contains(t, string(evs[0].StoredPayload), `"to":"2021-06-30T00:00:00+08:00"`, "stored as it was")
	all, err := app.Consequences(ctx, s, 2019, time.Time{})
	require.NoError(t, err)
	cs := all["140800"]
	require.Len(t, cs, 3)
	require.Equal(t, time.Date(2021, 6, 30, 23, 59, 59, 0, domain.CST), cs[0].To.In(domain.CST), "through 30 June")
	require.True(t, day(2020, 7, 1).Equal(*cs[0].From), "from: the start of its day, as before")
	require.True(t, timed.To.Equal(*cs[1].To), "a time as written")
	require.Nil(t, cs[2].To)
	require.Nil(t, cs[2].Deadline)
	again := restriction
	again.Document, again.From, again.To = "运环函〔2021〕9号", day(2021, 6, 30), day(2021, 12, 31)
	field, reason := again.Repeats(cs[0].ConsequenceImposed)
	require.Equal(t, "area", field, "30 June was restricted already: %s", reason)
	again.From = day(2021, 7, 1)
	field, _ = again.Repeats(cs[0].ConsequenceImposed)
	require.Empty(t, field)
}
