package officials_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/plan"
)

var admin = domain.Actor{ID: "admin", Role: domain.Admin}

func day(s string) plan.Date {
	d, err := plan.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestPayloadJSON(t *testing.T) {
	a := officials.Appointed{Official: "zhao-gang", Position: officials.Position{Post: officials.RiverChief, City: "140100", River: "汾河"},
		From: day("2017-04-01"), DocumentNo: "并政任〔2017〕3号"}
	b, err := json.Marshal(a)
	require.NoError(t, err)
	require.JSONEq(t, `{"official":"zhao-gang","post":"river_chief","city":"140100","river":"汾河","from":"2017-04-01","document_no":"并政任〔2017〕3号"}`, string(b))
	var back officials.Appointed
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, a, back)
}

func TestNames(t *testing.T) {
	for name, ok := range map[string]bool{"李明": true, "阿依·古丽": true, "李": false, "Li Ming": false, "·李明": false, "李··明": false, "李 明": false} {
		err := officials.Registered{ID: "x", Name: name}.Validate()
		require.Equal(t, ok, err == nil, "%s: %v", name, err)
	}
	for id, ok := range map[officials.PersonID]bool{"wang-jun-1962": true, "TY_0001": true, "-x": false, "wang jun": false, "王军": false, "": false} {
		require.Equal(t, ok, officials.Registered{ID: id, Name: "王军"}.Validate() == nil, "%q", id)
	}
}

func TestTenureBounds(t *testing.T) {
	to := day("2018-05-01")
	ten := officials.Tenure{From: day("2016-03-01"), To: &to}
	require.False(t, ten.Covers(day("2016-02-29")))
	require.True(t, ten.Covers(day("2016-03-01")))
	require.True(t, ten.Covers(day("2018-04-30")))
	require.False(t, ten.Covers(day("2018-05-01")), "the departure day is not in office")
	require.True(t, ten.Overlaps(day("2018-01-01"), day("2018-12-31")))
	require.False(t, ten.Overlaps(day("2018-05-01"), day("2018-12-31")))
	require.Equal(t, day("2018-04-30"), *ten.LastDay())
	open := officials.Tenure{From: day("2016-03-01")}
	require.True(t, open.Covers(day("2099-01-01")))
	require.Nil(t, open.LastDay())
}

// entries builds a roster from payloads, one aggregate version each.
func roster(data ...any) *officials.Roster {
	ro := officials.NewRoster()
	versions := map[officials.PersonID]uint64{}
	for i, d := range data {
		var id officials.PersonID
		switch p := d.(type) {
		case officials.Registered:
			id = p.ID
		case officials.Appointed:
			id = p.Official
		case officials.Departed:
			id = p.Official
		}
		versions[id]++
		ro.Apply(officials.Entry{Version: versions[id], Source: officials.Source{Position: uint64(i + 1)}, Data: d})
	}
	return ro
}

func TestNamedClipsTheServicePeriod(t *testing.T) {
	mayor := officials.Position{Post: officials.Mayor, City: "140100"}
	ro := roster(
		officials.Registered{ID: "a", Name: "甲乙"}, officials.Registered{ID: "b", Name: "丙丁"},
		officials.Appointed{Official: "a", Position: mayor, From: day("2015-01-01"), DocumentNo: "d"},
		officials.Departed{Official: "a", Position: mayor, Since: day("2015-01-01"), To: day("2017-04-01"), Reason: officials.Transferred},
		officials.Appointed{Official: "b", Position: mayor, From: day("2017-04-01"), DocumentNo: "d"},
	)
	tr := officials.Triggered{Case: "2017-failed-assessment", Kind: officials.FailedAssessment, City: "140100", Year: 2017,
		From: day("2017-01-01"), To: day("2017-12-31"), FoundOn: day("2018-03-01"), Reference: officials.Reference{DocumentNo: "x"}}
	require.NoError(t, tr.Validate())
	named := ro.Named(tr)
	require.Len(t, named, 2)
	require.Equal(t, officials.PersonID("a"), named[0].Official)
	require.Equal(t, "甲乙", named[0].Name)
	require.Equal(t, day("2017-01-01"), named[0].ServedFrom)
	require.Equal(t, day("2017-03-31"), named[0].ServedTo)
	require.Equal(t, day("2017-04-01"), named[1].ServedFrom)
	require.Equal(t, day("2017-12-31"), named[1].ServedTo)
	require.Equal(t, uint64(3), func() uint64 { r, _ := ro.Record("a"); return r.Version }())
}

// A clash can only come from appointments decided concurrently; the roster
// reports it.
func TestClashes(t *testing.T) {
	head := officials.Position{Post: officials.EnvBureauHead, City: "140100"}
	vice := officials.Position{Post: officials.ViceMayorInCharge, City: "140100"}
	ro := roster(
		officials.Registered{ID: "a", Name: "甲乙"}, officials.Registered{ID: "b", Name: "丙丁"},
		officials.Appointed{Official: "a", Position: head, From: day("2016-01-01"), DocumentNo: "d"},
		officials.Appointed{Official: "b", Position: head, From: day("2016-06-01"), DocumentNo: "d"},
		officials.Appointed{Official: "a", Position: vice, From: day("2016-01-01"), DocumentNo: "d"},
		officials.Appointed{Official: "b", Position: vice, From: day("2016-01-01"), DocumentNo: "d"},
	)
	cl := ro.Clashes()
	require.Len(t, cl, 1, "vice mayors may share the portfolio")
	require.Equal(t, head, cl[0].Position)
	require.Equal(t, officials.PersonID("a"), cl[0].First.Official)
	require.Equal(t, officials.PersonID("b"), cl[0].Second.Official)

	// And the decision refuses the second appointment when it sees the first.
	ro = roster(officials.Registered{ID: "a", Name: "甲乙"}, officials.Registered{ID: "b", Name: "丙丁"},
		officials.Appointed{Official: "a", Position: head, From: day("2016-01-01"), DocumentNo: "d"})
	_, err := officials.DecideAppointment(ro, admin, officials.Appointed{Official: "b", Position: head, From: day("2016-06-01"), DocumentNo: "d"})
	require.Equal(t, domain.Conflict, domain.KindOf(err))
	require.Equal(t, "post", domain.FieldOf(err))
}

func TestCaseKindsNamePosts(t *testing.T) {
	require.Equal(t, []officials.Post{officials.Mayor, officials.ViceMayorInCharge, officials.EnvBureauHead}, officials.FailedAssessment.Posts(false))
	require.Equal(t, []officials.Post{officials.ViceMayorInCharge, officials.EnvBureauHead}, officials.DataFalsification.Posts(false))
	require.Equal(t, []officials.Post{officials.EnvBureauHead, officials.RiverChief}, officials.SeriousIncident.Posts(true))
	require.Equal(t, []officials.Post{officials.ViceMayorInCharge, officials.EnvBureauHead}, officials.SeriousIncident.Posts(false))
	tr := officials.Triggered{Kind: officials.SeriousIncident, City: "140800", River: "涑水河"}
	require.Equal(t, []officials.Position{{Post: officials.EnvBureauHead, City: "140800"}, {Post: officials.RiverChief, City: "140800", River: "涑水河"}}, tr.Positions())
}

func TestDecideTriggerFillsTheYear(t *testing.T) {
	p, err := officials.DecideTrigger(officials.Case{}, admin, officials.Triggered{Case: officials.FailedAssessmentID(2018), Kind: officials.FailedAssessment,
		City: "140100", Year: 2018, FoundOn: day("2019-03-01"), Reference: officials.Reference{Position: 7}})
	require.NoError(t, err)
	require.Equal(t, day("2018-01-01"), p.From)
	require.Equal(t, day("2018-12-31"), p.To)
	_, err = officials.DecideTrigger(officials.Case{Triggered: p, Version: 1}, admin, p)
	require.Equal(t, domain.Conflict, domain.KindOf(err))
}

func TestPostFilledValidate(t *testing.T) {
	ok := officials.PostFilled{Official: "li-wei", Position: officials.Position{Post: officials.Mayor, City: "140100"}, From: day("2018-03-01"), DocumentNo: "d"}
	require.NoError(t, ok.Validate())
	for _, tc := range []struct {
		name  string
		edit  func(*officials.PostFilled)
		field string
	}{
		{"no official", func(f *officials.PostFilled) { f.Official = "" }, "official"},
		{"a post with several holders", func(f *officials.PostFilled) { f.Post = officials.ViceMayorInCharge }, "post"},
		{"a city post without its city", func(f *officials.PostFilled) { f.City = "" }, "city"},
		{"no first day", func(f *officials.PostFilled) { f.From = plan.Date{} }, "from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ok
			tc.edit(&f)
			err := f.Validate()
			var de *domain.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, tc.field, de.Field, "%v", err)
		})
	}
}
