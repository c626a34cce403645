package plan_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

func validTask(t *testing.T) plan.Task {
	t.Helper()
	task, ok := plan.Lookup("T-2-1-2-1g")
	require.True(t, ok)
	require.NoError(t, task.Validate())
	return task
}

func TestValidateNamesTheField(t *testing.T) {
	date := func(s string) plan.Date {
		d, err := plan.ParseDate(s)
		require.NoError(t, err)
		return d
	}
	cases := []struct {
		name  string
		edit  func(*plan.Task)
		field string
	}{
		{"empty id", func(x *plan.Task) { x.ID = "" }, "id"},
		{"id without block", func(x *plan.Task) { x.ID = "T-2-1-2" }, "id"},
		{"id with two letters", func(x *plan.Task) { x.ID = "T-2-1-2-1gg" }, "id"},
		{"id with zero", func(x *plan.Task) { x.ID = "T-2-0-2-1" }, "id"},
		{"no chapter", func(x *plan.Task) { x.Chapter = " " }, "chapter"},
		{"no section", func(x *plan.Task) { x.Section = "" }, "section"},
		{"no paragraph", func(x *plan.Task) { x.Paragraph = "" }, "paragraph"},
		{"empty text", func(x *plan.Task) { x.Text = "" }, "text"},
		{"padded text", func(x *plan.Task) { x.Text = " " + x.Text }, "text"},
		{"text not in the plan", func(x *plan.Task) { x.Text = "到2020年,全省城市污水处理率达到100%。" }, "text"},
		{"deadline before the plan", func(x *plan.Task) { x.Deadline = date("2015-06-30") }, "deadline"},
		{"deadline after 2030", func(x *plan.Task) { x.Deadline = date("2031-12-31") }, "deadline"},
		{"deadline mid-month", func(x *plan.Task) { x.Deadline = date("2020-12-30") }, "deadline"},
		{"start in 2015", func(x *plan.Task) { x.From = date("2015-01-01") }, "from"},
		{"start mid-month", func(x *plan.Task) { x.Deadline = plan.Date{}; x.From = date("2016-01-02") }, "from"},
		{"nothing dated or counted", func(x *plan.Task) { x.Deadline = plan.Date{}; x.Target = nil }, "deadline"},
		{"no lead", func(x *plan.Task) { x.Lead = nil }, "lead"},
		{"blank lead", func(x *plan.Task) { x.Lead = []plan.Department{""} }, "lead[0]"},
		{"two leads in one", func(x *plan.Task) { x.Lead = []plan.Department{"省环保厅、省水利厅"} }, "lead[0]"},
		{"trailing 等", func(x *plan.Task) { x.Participants = []plan.Department{"省发展改革委", "省环保厅等"} }, "participants[1]"},
		{"lead repeated as participant", func(x *plan.Task) { x.Participants = []plan.Department{"省住房城乡建设厅"} }, "participants[0]"},
		{"etc without participants", func(x *plan.Task) { x.Participants = nil }, "participants_etc"},
		{"no governments", func(x *plan.Task) { x.Governments = plan.Governments{} }, "governments"},
		{"unknown reach", func(x *plan.Task) { x.Governments = plan.Governments{Reach: "county"} }, "governments"},
		{"unknown city", func(x *plan.Task) {
			x.Governments = plan.Governments{Reach: plan.NamedCities, Cities: []domain.CityID{"140100", "149900"}}
		}, "governments.cities[1]"},
		{"cities out of order", func(x *plan.Task) {
			x.Governments = plan.Governments{Reach: plan.NamedCities, Cities: []domain.CityID{"140200", "140100"}}
		}, "governments.cities[1]"},
		{"no named city", func(x *plan.Task) { x.Governments = plan.Governments{Reach: plan.NamedCities} }, "governments.cities"},
		{"cities with all_cities", func(x *plan.Task) {
			x.Governments = plan.Governments{Reach: plan.AllCities, Cities: []domain.CityID{"140100"}}
		}, "governments.cities"},
		{"metric not snake_case", func(x *plan.Task) { x.Target.Metric = "Urban sewage" }, "target.metric"},
		{"no metric_zh", func(x *plan.Task) { x.Target.MetricZh = "" }, "target.metric_zh"},
		{"zero value", func(x *plan.Task) { x.Target.Value = 0 }, "target.value"},
		{"over 100%", func(x *plan.Task) { x.Target.Value = 105 }, "target.value"},
		{"unknown comparison", func(x *plan.Task) { x.Target.Comparison = ">" }, "target.comparison"},
		{"target year out of range", func(x *plan.Task) { x.Target.Year = 2050 }, "target.year"},
		{"target year not the deadline's", func(x *plan.Task) { x.Target.Year = 2017 }, "target.year"},
		{"unknown category", func(x *plan.Task) { x.Category = "mining" }, "category"},
		{"no category", func(x *plan.Task) { x.Category = "" }, "category"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			task := validTask(t)
			c.edit(&task)
			err := task.Validate()
			require.Error(t, err)
			var de *domain.Error
			require.True(t, errors.As(err, &de), "%T is not a *domain.Error", err)
			require.Equal(t, domain.Invalid, de.Kind)
			require.Equal(t, c.field, de.Field, err.Error())
		})
	}
}

func TestGovernmentsJSON(t *testing.T) {
	for _, in := range []string{`"province"`, `"all_cities"`, `["140100","140500"]`} {
		var g plan.Governments
		require.NoError(t, json.Unmarshal([]byte(in), &g), in)
		require.NoError(t, g.Validate(), in)
		out, err := json.Marshal(g)
		require.NoError(t, err)
		require.JSONEq(t, in, string(out))
	}
	var g plan.Governments
	require.NoError(t, json.Unmarshal([]byte(`["140100","140500"]`), &g))
	require.Equal(t, plan.NamedCities, g.Reach)
	require.True(t, g.Includes("140500"))
	require.False(t, g.Includes("140800"))

	require.Error(t, json.Unmarshal([]byte(`"cities"`), &g))
	require.Error(t, json.Unmarshal([]byte(`{"reach":"province"}`), &g))
	require.Error(t, json.Unmarshal([]byte(`[140100]`), &g))

	all := plan.Governments{Reach: plan.AllCities}
	require.True(t, all.Includes("141100"))
	require.False(t, all.Includes("130100"), "a code outside Shanxi is never included")
	every := plan.Governments{Reach: plan.NamedCities, Cities: all.Responsible()}
	require.Error(t, every.Validate(), "naming all 11 cities is all_cities")
}

func TestDate(t *testing.T) {
	d, err := plan.ParseDate("2016-06-30")
	require.NoError(t, err)
	require.Equal(t, 2016, d.Year())
	require.Equal(t, time.June, d.Month())
	require.True(t, d.IsMonthEnd())
	require.Equal(t, "2016-06-30", d.String())
	require.Equal(t, plan.NewDate(2016, time.July, 0), d)
	require.Equal(t, -1, d.Compare(plan.NewDate(2016, time.December, 31)))

	cst := time.FixedZone("CST", 8*3600)
	require.Equal(t, time.Date(2016, time.June, 30, 0, 0, 0, 0, cst), d.Start(cst))

	for _, bad := range []string{"", "2016-6-30", "2016-02-30", "2016/06/30", "2016-06-30T00:00:00Z"} {
		_, err := plan.ParseDate(bad)
		require.Error(t, err, bad)
	}

	var v struct {
		D plan.Date `json:"d,omitzero"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"d":"2020-12-31"}`), &v))
	require.Equal(t, "2020-12-31", v.D.String())
	out, err := json.Marshal(v)
	require.NoError(t, err)
	require.JSONEq(t, `{"d":"2020-12-31"}`, string(out))
	require.Error(t, json.Unmarshal([]byte(`{"d":20201231}`), &v))

	v.D = plan.Date{}
	out, err = json.Marshal(v)
	require.NoError(t, err)
	require.JSONEq(t, `{}`, string(out), "omitzero leaves an unstated date out")
}

// TestRoundTrip: the catalogue marshals back to data that loads to the same tasks.
func TestRoundTrip(t *testing.T) {
	tasks := plan.Tasks()
	b, err := json.Marshal(tasks)
	require.NoError(t, err)
	var back []plan.Task
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, tasks, back)
}
