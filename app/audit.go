package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections"
	"github.com/shanxi-water/ledger/projections/cards"
	"github.com/shanxi-water/ledger/projections/quality"
	"github.com/shanxi-water/ledger/projections/taskboard"
)

// AuditYear is a city's assessment for one year as the ledger knew it on the
// audit date, beside the same year as it happened by that date with every
// correction known today, and what differs.
type AuditYear struct {
	Year int `json:"year"`
	// KnownThen and AsHappened are the city's results; null where there
	// was nothing to assess (ErrNothingToAssess).
	KnownThen   *assessment.Result `json:"known_then"`
	AsHappened  *assessment.Result `json:"as_happened"`
	Differences []string           `json:"differences"`    // in English
	DiffZh      []string           `json:"differences_zh"` // the same in Chinese
	// Provisional is set when the year had not ended by the audit date:
	// its figures then were still to change.
	Provisional bool `json:"provisional,omitempty"`
	// Published is the city's figure as published for the year, if the
	// publication was recorded by the audit date; null if not published
	// then. It differs from KnownThen where corrections came after the
	// publication, where it was published incomplete, or where it was
	// computed with an earlier method (which MethodNote says).
	Published *PublishedFigure `json:"published"`
}

// PublishedFigure is a city's result as a year's publication gave it.
type PublishedFigure struct {
	Result      assessment.Result `json:"result"`
	Document    string            `json:"document"`     // the notice publishing it
	PublishedAt time.Time         `json:"published_at"` // when the publication was recorded
	Position    uint64            `json:"position"`     // the publication's log position
	// MethodNote and MethodNoteZh say so when the publication was computed
	// with another method than today's (ResultsPublished.MethodNote);
	// empty otherwise.
	MethodNote   string `json:"method_note,omitempty"`
	MethodNoteZh string `json:"method_note_zh,omitempty"`
}

// publishedFigure is the city's figure in the year's publication, if it
// was recorded by at.
func publishedFigure(ctx context.Context, s events.Store, year int, c domain.CityID, at time.Time) (*PublishedFigure, error) {
	p, e, err := Published(ctx, s, year)
	if err != nil || p == nil || e.RecordedAt.After(at) {
		return nil, err
	}
	res, ok := p.Result(c)
	if !ok {
		return nil, nil
	}
	f := &PublishedFigure{Result: res, Document: p.Document, PublishedAt: e.RecordedAt.In(domain.CST), Position: e.Position}
	f.MethodNoteZh, f.MethodNote = p.MethodNote()
	return f, nil
}

// LateEvent is an event about the city recorded after the audit date about
// something that happened by it (a sample taken by then, corrected later):
// what the ledger did not know then.
type LateEvent struct {
	Position   uint64       `json:"position"`
	Name       events.Name  `json:"name"`
	Aggregate  string       `json:"aggregate"`
	OccurredAt time.Time    `json:"occurred_at"`
	RecordedAt time.Time    `json:"recorded_at"`
	Actor      domain.Actor `json:"actor"`
	EventID    string       `json:"event_id"`
	// About is when what it records happened, where that is not its own
	// occurred-at: a correction's or withdrawal's sample, an upload's first
	// sample.
	About time.Time `json:"about,omitzero"`
}

// CityAudit is an auditor's replay of a city up to a date.
type CityAudit struct {
	City     domain.CityID `json:"city"`
	At       time.Time     `json:"at"`
	Events   int           `json:"events"`   // the city's events recorded by then
	Chain    []string      `json:"chain"`    // broken links among them (none: empty)
	Years    []AuditYear   `json:"years"`    // each assessed year up to the date's
	Late     []LateEvent   `json:"late"`     // recorded later, about then
	Position uint64        `json:"position"` // last position of the log read
}

// AuditCity replays a city's history up to a date in both modes: as the
// ledger knew it then (events recorded by then), and as it happened by then
// with every correction known today. newTasks makes a fresh task read model
// for each replay (nil: tasks not counted).
func AuditCity(ctx context.Context, s events.Store, c domain.CityID, at time.Time, newTasks func() TaskFigures) (*CityAudit, error) {
	return AuditCityWith(ctx, s, c, at, newTasks, AuditOptions{})
}

// AuditOptions change how AuditCityWith replays the log; never what it
// finds.
type AuditOptions struct {
	// Snapshots, if set, lets the replay as the ledger knew it then start
	// from the newest projection snapshot taken by then
	// (projections.ReplayAsOf), if the task read model can be snapshotted.
	// The replay as it happened cannot use a snapshot: it needs the events
	// recorded after the date (corrections known today) and models that
	// keep only what occurred by the date; it replays the whole log.
	Snapshots projections.SnapshotStore
}

// AuditCityWith is AuditCity with options. Each mode is one replay of the
// log, from which every year up to the date's is assessed.
func AuditCityWith(ctx context.Context, s events.Store, c domain.CityID, at time.Time, newTasks func() TaskFigures, opts AuditOptions) (*CityAudit, error) {
	if _, ok := domain.LookupCity(c); !ok {
		return nil, domain.Errorf("audit", domain.NotFound, "city", "%q is not one of Shanxi's 11 city codes", c)
	}
	a := &CityAudit{City: c, At: at, Chain: []string{}, Years: []AuditYear{}, Late: []LateEvent{}}
	chains := events.NewChains()
	err := s.Read(ctx, events.Query{Scopes: []domain.Scope{domain.CityScope(c)}}, func(e events.Event) error {
		a.Position = e.Position
		if !e.RecordedAt.After(at) {
			a.Events++
			if reason, _ := chains.Check(&e, nil); reason != "" {
				a.Chain = append(a.Chain, fmt.Sprintf("position %d, %s, event %s: %s", e.Position, e.Aggregate, e.ID, reason))
			}
			return nil
		}
		if concerns(e, at) {
			a.Late = append(a.Late, LateEvent{Position: e.Position, Name: e.Name, Aggregate: e.Aggregate.String(),
				OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Actor: e.Actor, EventID: e.ID.String(), About: about(e)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Rules adopted after the date, for a year up to the date's, are applied
	// as it happened (the rules known today): they are late events too.
	err = s.Read(ctx, events.Query{Names: []events.Name{RulesAdopted}}, func(e events.Event) error {
		if r, ok := e.Data.(assessment.RulesAdopted); ok && e.RecordedAt.After(at) && r.Rules.EffectiveYear <= at.In(domain.CST).Year() {
			a.Late = append(a.Late, LateEvent{Position: e.Position, Name: e.Name, Aggregate: e.Aggregate.String(),
				OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Actor: e.Actor, EventID: e.ID.String()})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(a.Late, func(x, y LateEvent) int { return cmp.Compare(x.Position, y.Position) })
	tasks := func() TaskFigures {
		if newTasks == nil {
			return nil
		}
		return newTasks()
	}
	then, _, err := knownThen(ctx, s, at, tasks(), opts.Snapshots)
	if err != nil {
		return nil, err
	}
	var years []int
	for year := 2016; year <= at.In(domain.CST).Year(); year++ {
		if _, err := assessment.InForce(then.rl.adopted, year); err != nil {
			if domain.KindOf(err) == domain.NotFound {
				continue // no rules in force for that year then
			}
			return nil, err
		}
		years = append(years, year)
	}
	if len(years) == 0 {
		return a, nil
	}
	now := newComputeModels(at, tasks())
	now.hd = nil
	if _, err := projections.Replay(ctx, s, events.Query{}, now.list()...); err != nil {
		return nil, err
	}
	for _, year := range years {
		y := AuditYear{Year: year}
		if y.KnownThen, err = cityResult(then, year, c); err != nil {
			return nil, err
		}
		if y.AsHappened, err = cityResult(now, year, c); err != nil {
			return nil, err
		}
		switch {
		case y.KnownThen == nil && y.AsHappened == nil:
			continue // nothing to assess either way
		case y.KnownThen == nil:
			y.DiffZh, y.Differences = []string{"当时尚无可评价的数据"}, []string{"nothing to assess as known then"}
		case y.AsHappened == nil:
			y.DiffZh, y.Differences = []string{"按实际发生，尚无可评价的数据"}, []string{"nothing to assess as it happened"}
		default:
			y.DiffZh, y.Differences = DiffResults(*y.KnownThen, *y.AsHappened)
		}
		y.Provisional = Provisional(year, at, time.Now())
		if y.Published, err = publishedFigure(ctx, s, year, c, at); err != nil {
			return nil, err
		}
		a.Years = append(a.Years, y)
	}
	return a, nil
}

// cityResult is a city's result for a year from the models, or nil if the
// year had nothing to assess.
func cityResult(m *computeModels, year int, c domain.CityID) (*assessment.Result, error) {
	comp, err := m.year(year, 0)
	if errors.Is(err, ErrNothingToAssess) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for i := range comp.Results {
		if comp.Results[i].City == c {
			return &comp.Results[i], nil
		}
	}
	return nil, nil
}

// ComputeAsOf assesses every city for each of years, as the ledger knew the
// log at t (every event recorded by then; the whole log if t is zero), from
// one replay: starting from the newest projection snapshot taken by then if
// st is set (and tasks, if not nil, can be snapshotted), else from the
// beginning of the log. The results are the same either way. A year with
// no rules in force then is left out. The computations carry no inputs
// hash or aggregate count (a replay from a snapshot does not see every
// aggregate's head); Compute gives them.
func ComputeAsOf(ctx context.Context, s events.Store, years []int, t time.Time, tasks TaskFigures, st projections.SnapshotStore) ([]*Computation, error) {
	m, pos, err := knownThen(ctx, s, t, tasks, st)
	if err != nil {
		return nil, err
	}
	// The years are assessed at the same time: year only reads the models.
	cs := make([]*Computation, len(years))
	errs := make([]error, len(years))
	var wg sync.WaitGroup
	for i, y := range years {
		wg.Go(func() { cs[i], errs[i] = m.year(y, pos) })
	}
	wg.Wait()
	var out []*Computation
	for i, c := range cs {
		if domain.KindOf(errs[i]) == domain.NotFound {
			continue
		}
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, c)
	}
	return out, nil
}

// Known is the read models as the ledger knew the log at a time
// (KnownAt), and an assessor over them: Year assesses any year from them,
// as Compute would from the log recorded by then.
type Known struct {
	Quality *quality.Model
	Cards   *cards.Model
	Board   *taskboard.Board
	*Assessor
}

// KnownAt builds the read models as the ledger knew the log at t, as
// ComputeAsOf does: from the newest projection snapshot taken by then if
// st is set, else from the beginning of the log. They are the caller's
// alone: read them without a lock, and apply nothing to them.
func KnownAt(ctx context.Context, s events.Store, t time.Time, st projections.SnapshotStore) (*Known, error) {
	board := taskboard.New()
	m, pos, err := knownThen(ctx, s, t, BoardFigures{board}, st)
	if err != nil {
		return nil, err
	}
	return &Known{Quality: m.q, Cards: m.cm, Board: board, Assessor: &Assessor{m: m, pos: pos}}, nil
}

// knownThen builds the models of a computation as the ledger knew the log
// at t: from the newest snapshot taken by then, if st is set and every
// model can be restored from one, else by replaying the whole log.
func knownThen(ctx context.Context, s events.Store, t time.Time, tasks TaskFigures, st projections.SnapshotStore) (*computeModels, uint64, error) {
	m := newComputeModels(time.Time{}, tasks)
	m.hd = nil
	snaps := []projections.Snapshotter{m.q, m.cm}
	if tasks != nil {
		if ts, ok := tasks.(projections.Snapshotter); ok {
			snaps = append(snaps, ts)
		} else {
			st = nil
		}
	}
	if st == nil {
		pos, err := projections.Replay(ctx, s, events.Query{RecordedBy: t}, m.list()...)
		return m, pos, err
	}
	// The rules adopted by then come from the assessor's snapshot in the same
	// set (with the chain heads, which a computation as of a date does not
	// use), and from the log after it. Reading them from the whole log
	// instead, by name, costs the server as much as a drain of the stream.
	m.hd = &heads{last: map[events.Aggregate]events.Hash{}}
	pos, _, err := projections.ReplayAsOf(ctx, s, st, t, append(snaps, &Assessor{m: m})...)
	m.hd = nil
	if err != nil {
		return nil, 0, err
	}
	return m, pos, nil
}

// concerns reports whether an event is about something that happened by
// t: a sample taken by then (recorded, corrected or withdrawn), or else an
// event that occurred by then.
func concerns(e events.Event, t time.Time) bool {
	if smp, ok := monitoring.RecordedSamples(e.Data); ok {
		return smp.TakenBy(t)
	}
	switch d := e.Data.(type) {
	case monitoring.SampleCorrected:
		return !d.Sample.At.After(t)
	case monitoring.SampleInvalidated:
		return !d.Previous.At.After(t)
	}
	return !e.OccurredAt.After(t)
}

// about is when what e records happened, if not at its occurred-at.
func about(e events.Event) time.Time {
	if smp, ok := monitoring.RecordedSamples(e.Data); ok && smp.Len() > 0 {
		return time.Unix(0, smp.UnixNano(0))
	}
	switch d := e.Data.(type) {
	case monitoring.SampleCorrected:
		return d.Sample.At
	case monitoring.SampleInvalidated:
		return d.Previous.At
	}
	return time.Time{}
}

// DiffResults lists what differs between two results of a city-year, in
// Chinese and in English.
func DiffResults(a, b assessment.Result) (zh, en []string) {
	zh, en = []string{}, []string{}
	add := func(z, e string) { zh, en = append(zh, z), append(en, e) }
	if a.QualityScore != b.QualityScore {
		add(fmt.Sprintf("水质得分 %.2f → %.2f", a.QualityScore, b.QualityScore), fmt.Sprintf("quality score %.2f → %.2f", a.QualityScore, b.QualityScore))
	}
	if a.TaskScore != b.TaskScore {
		add(fmt.Sprintf("任务得分 %.2f → %.2f", a.TaskScore, b.TaskScore), fmt.Sprintf("task score %.2f → %.2f", a.TaskScore, b.TaskScore))
	}
	if a.Grade != b.Grade {
		az, ae := a.Grade.Label()
		bz, be := b.Grade.Label()
		add(fmt.Sprintf("等级 %s → %s", az, bz), fmt.Sprintf("grade %s → %s", ae, be))
	}
	if a.Rank != b.Rank {
		add(fmt.Sprintf("排名 %d → %d", a.Rank, b.Rank), fmt.Sprintf("rank %d → %d", a.Rank, b.Rank))
	}
	for i := range a.Parts {
		if i >= len(b.Parts) {
			break
		}
		if p, q := a.Parts[i], b.Parts[i]; p.Points != q.Points || p.Numerator != q.Numerator || p.Denominator != q.Denominator {
			add(fmt.Sprintf("%s %d/%d → %d/%d，%.2f → %.2f 分", p.Label(), p.Numerator, p.Denominator, q.Numerator, q.Denominator, p.Points, q.Points),
				fmt.Sprintf("%s: %s → %s", p.Name, p.Explanation, q.Explanation))
		}
	}
	// The share rules' counts, which move without moving a score until a
	// hard rule is broken.
	ai, bi := a.Inputs, b.Inputs
	if ai.AtLeastIIIActual != bi.AtLeastIIIActual || ai.AtLeastIIIRequired != bi.AtLeastIIIRequired {
		add(fmt.Sprintf("%s的断面 %d → %d（要求 %d → %d）", assessment.AtLeastIIIZh, ai.AtLeastIIIActual, bi.AtLeastIIIActual, ai.AtLeastIIIRequired, bi.AtLeastIIIRequired),
			fmt.Sprintf("sections at class III or better %d → %d (%d → %d required)", ai.AtLeastIIIActual, bi.AtLeastIIIActual, ai.AtLeastIIIRequired, bi.AtLeastIIIRequired))
	}
	if ai.WorseThanVActual != bi.WorseThanVActual || ai.WorseThanVAllowed != bi.WorseThanVAllowed {
		add(fmt.Sprintf("劣Ⅴ类断面 %d → %d（允许 %d → %d）", ai.WorseThanVActual, bi.WorseThanVActual, ai.WorseThanVAllowed, bi.WorseThanVAllowed),
			fmt.Sprintf("sections worse than class V %d → %d (%d → %d allowed)", ai.WorseThanVActual, bi.WorseThanVActual, ai.WorseThanVAllowed, bi.WorseThanVAllowed))
	}
	if a.RulesYear != b.RulesYear {
		add(fmt.Sprintf("考核规则 %d年 → %d年", a.RulesYear, b.RulesYear), fmt.Sprintf("rules of %d → of %d", a.RulesYear, b.RulesYear))
	}
	ae, be := ai.Enforcement, bi.Enforcement
	for _, f := range []struct {
		zh, en string
		a, b   int
	}{{"检查", "inspections", ae.Inspections, be.Inspections}, {"检查发现超标", "inspections finding an exceedance", ae.Violations, be.Violations},
		{"黄牌", "yellow cards", ae.Yellow, be.Yellow}, {"红牌", "red cards", ae.Red, be.Red},
		{"整改后撤牌", "cards lifted", ae.Lifted, be.Lifted}, {"复议撤销", "cards revoked", ae.Revoked, be.Revoked}} {
		if f.a != f.b {
			add(fmt.Sprintf("%s %d → %d", f.zh, f.a, f.b), fmt.Sprintf("%s %d → %d", f.en, f.a, f.b))
		}
	}
	diffEvidence(ai.Evidence, bi.Evidence, add)
	az, ae2 := a.FailureTexts()
	bz, be2 := b.FailureTexts()
	for i, e := range be2 {
		if !slices.Contains(ae2, e) {
			add("新增否决项："+bz[i], "hard rule now broken: "+e)
		}
	}
	for i, e := range ae2 {
		if !slices.Contains(be2, e) {
			add("否决项不再成立："+az[i], "hard rule no longer broken: "+e)
		}
	}
	return zh, en
}

// diffEvidence names each subject (a section, a source, a task) whose
// outcome differs, with the events behind the difference: those the one
// side has and the other not; the first maxNamed of them, and how many more.
func diffEvidence(a, b []assessment.Evidence, add func(zh, en string)) {
	key := func(e assessment.Evidence) string { return e.Part + "\x00" + e.Subject }
	before := map[string]assessment.Evidence{}
	for _, e := range a {
		before[key(e)] = e
	}
	var changed [][2]assessment.Evidence
	seen := map[string]bool{}
	for _, y := range b {
		k := key(y)
		seen[k] = true
		if x, ok := before[k]; !ok || x.Outcome != y.Outcome {
			changed = append(changed, [2]assessment.Evidence{x, y})
		}
	}
	for _, x := range a {
		if !seen[key(x)] {
			changed = append(changed, [2]assessment.Evidence{x, {}})
		}
	}
	for i, c := range changed {
		if i == maxNamed {
			n := len(changed) - maxNamed
			add(fmt.Sprintf("另有 %d 项依据变化", n), fmt.Sprintf("and %d more subjects", n))
			break
		}
		x, y := c[0], c[1]
		subject, part := cmp.Or(x.Subject, y.Subject), cmp.Or(x.Part, y.Part)
		// The outcomes, as the English gives them: "none → …" is 新计入.
		var zh, en []string
		switch {
		case x.Subject == "":
			zh = append(zh, "新计入（"+y.OutcomeZh()+"）")
		case y.Subject == "":
			zh = append(zh, "不再计入（原为"+x.OutcomeZh()+"）")
		default:
			zh = append(zh, x.OutcomeZh()+" → "+y.OutcomeZh())
		}
		if s := positionsNotIn(x.Positions, y.Positions); s != "" {
			zh, en = append(zh, "新增事件 "+s), append(en, "events added "+s)
		}
		if s := positionsNotIn(y.Positions, x.Positions); s != "" {
			zh, en = append(zh, "不再计入事件 "+s), append(en, "events no longer counted "+s)
		}
		add(fmt.Sprintf("%s（%s）：%s", subject, assessment.Evidence{Part: part}.PartLabel(), strings.Join(zh, "；")),
			strings.TrimSuffix(fmt.Sprintf("%s (%s): %s → %s; %s", subject, part, cmp.Or(x.Outcome, "none"), cmp.Or(y.Outcome, "none"), strings.Join(en, "; ")), "; "))
	}
}

// maxNamed is the most subjects a difference names one by one.
const maxNamed = 10

// positionsNotIn lists the positions of to that from has not, each once
// and in log order (the first eight, then …).
func positionsNotIn(from, to []uint64) string {
	var added []string
	for _, p := range assessment.Distinct(to) {
		if !slices.Contains(from, p) {
			added = append(added, fmt.Sprint(p))
		}
	}
	if len(added) > 8 {
		added = append(added[:8], "…")
	}
	return strings.Join(added, ", ")
}
