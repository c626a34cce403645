package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/events/jetstream"
	"github.com/shanxi-water/ledger/ledgertest"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
	"github.com/shanxi-water/ledger/projections/snapstore"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

// auditByYear is the auditor's replay as it was first written: two full
// replays for every year. AuditCity must find exactly the same.
func auditByYear(t *testing.T, s *jetstream.Store, c domain.CityID, at time.Time) []app.AuditYear {
	ctx := context.Background()
	var out []app.AuditYear
	for year := 2016; year <= at.In(domain.CST).Year(); year++ {
		y := app.AuditYear{Year: year}
		for basis, into := range map[app.Basis]**assessment.Result{{RecordedBy: at}: &y.KnownThen, {OccurredBy: at}: &y.AsHappened} {
			comp, err := app.Compute(ctx, s, year, basis, app.NewBoardFigures())
			if errors.Is(err, app.ErrNothingToAssess) {
				continue
			}
			require.NoError(t, err)
			for i := range comp.Results {
				if comp.Results[i].City == c {
					*into = &comp.Results[i]
				}
			}
		}
		switch {
		case y.KnownThen == nil && y.AsHappened == nil:
			continue
		case y.KnownThen == nil:
			y.DiffZh, y.Differences = []string{"当时尚无可评价的数据"}, []string{"nothing to assess as known then"}
		case y.AsHappened == nil:
			y.DiffZh, y.Differences = []string{"按实际发生，尚无可评价的数据"}, []string{"nothing to assess as it happened"}
		default:
			y.DiffZh, y.Differences = app.DiffResults(*y.KnownThen, *y.AsHappened)
		}
		y.Provisional = at.Before(time.Date(year, 12, 31, 23, 59, 59, 0, domain.CST)) // the audit dates are in the past
		// The city's figure as published, if published by then.
		if p, e, err := app.Published(ctx, s, year); err == nil && p != nil && !e.RecordedAt.After(at) {
			res, _ := p.Result(c)
			zh, en := p.MethodNote()
			y.Published = &app.PublishedFigure{Result: res, Document: p.Document, PublishedAt: e.RecordedAt.In(domain.CST), Position: e.Position, MethodNote: en, MethodNoteZh: zh}
		} else {
			require.NoError(t, err)
		}
		out = append(out, y)
	}
	return out
}

// The auditor's replay assesses every year from one replay per mode, and
// with snapshots starts the replay as the ledger knew it from the newest
// snapshot by the date: the same audit as two full replays a year.
func TestAuditCityWithSnapshotsFindsTheSame(t *testing.T) {
	ctx := context.Background()
	s, h := ledgertest.Open(t, 3)
	for y := 2016; y <= 2018; y++ {
		require.NoError(t, h.Year(ctx, y))
	}
	snaps := snapstore.New(ctx, s.JetStream(), s.StreamName())
	q, cm, tb := quality.New(quality.Options{}), cards.New(), taskboard.New()
	sets, err := projections.BackfillSnapshots(ctx, s, snaps, 50, nil, q, cm, tb, app.NewAssessor(q, cm, tb))
	require.NoError(t, err)
	require.Greater(t, sets, 5)

	differ := 0
	for _, at := range []time.Time{
		time.Date(2016, 12, 31, 23, 59, 59, 0, domain.CST),
		time.Date(2017, 3, 20, 12, 0, 0, 0, domain.CST),
		time.Date(2018, 2, 20, 23, 59, 59, 0, domain.CST),
		time.Date(2019, 6, 30, 23, 59, 59, 0, domain.CST),
	} {
		for _, c := range []domain.CityID{ledgertest.Yuncheng, ledgertest.Taiyuan} {
			want := auditByYear(t, s, c, at)
			require.NotEmpty(t, want)
			plain, err := app.AuditCity(ctx, s, c, at, app.NewBoardFigures)
			require.NoError(t, err)
			require.Equal(t, want, plain.Years, "%s at %s", c, at)
			fast, err := app.AuditCityWith(ctx, s, c, at, app.NewBoardFigures, app.AuditOptions{Snapshots: snaps})
			require.NoError(t, err)
			require.Equal(t, plain, fast, "%s at %s", c, at)
			years := []int{2016, 2017, 2018, 2019}
			for _, st := range []*snapstore.Store{nil, snaps} {
				var store projections.SnapshotStore
				if st != nil {
					store = st
				}
				got, err := app.ComputeAsOf(ctx, s, years, at, app.NewBoardFigures(), store)
				require.NoError(t, err)
				var want []*app.Computation
				for _, y := range years {
					c, err := app.Compute(ctx, s, y, app.Basis{RecordedBy: at}, app.NewBoardFigures())
					if domain.KindOf(err) == domain.NotFound {
						continue
					}
					require.NoError(t, err)
					c.InputsHash, c.Aggregates = "", 0
					want = append(want, c)
				}
				require.Equal(t, want, got)
				// The models a page shows as of the date assess as
				// Compute does, from a snapshot or not.
				known, err := app.KnownAt(ctx, s, at, store)
				require.NoError(t, err)
				for _, w := range want {
					got, err := known.Year(w.Year)
					require.NoError(t, err)
					require.Equal(t, w, got)
				}
			}
			for _, y := range plain.Years {
				if len(y.Differences) > 0 {
					differ++
				}
			}
		}
	}
	require.Positive(t, differ, "some years differ between the two modes")
}
