package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/events"
)

var (
	surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
	given    = []string{"建国", "志强", "海军", "文华", "国庆", "晓东", "春生", "立新", "红梅", "建军", "永明", "卫东", "丽华", "振华", "明辉", "学文", "秀英", "宏伟", "继红", "新民"}
	orgDept  = domain.Actor{ID: "provincial-organisation-department", Role: domain.Admin}
)

// person is a fictional official.
type person struct {
	id   officials.PersonID
	name string
}

func date(t time.Time) plan.Date {
	y, m, d := t.In(domain.CST).Date()
	return plan.NewDate(y, m, d)
}

// officialsHistory schedules each city's mayor, vice mayor in charge,
// environment bureau head and the river chief of its first river, with a
// change of mayor in 2017 in some cities and of bureau head in 2019 in
// others. The names are invented.
func officialsHistory(sc *schedule, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 9003))
	n := 0
	newPerson := func() person {
		n++
		return person{officials.PersonID(fmt.Sprintf("OFF-%04d", n)), string(surnames[r.IntN(len(surnames))]) + given[r.IntN(len(given))]}
	}
	register := func(p person, at time.Time) {
		sc.add(at, "official registered", func(ctx context.Context, s events.Store, at time.Time) error {
			_, err := app.RegisterOfficial(ctx, s, orgDept, at, officials.Registered{ID: p.id, Name: p.name})
			return err
		})
	}
	appoint := func(p person, pos officials.Position, from time.Time, doc string) {
		sc.add(from, "official appointed", func(ctx context.Context, s events.Store, at time.Time) error {
			_, err := app.AppointOfficial(ctx, s, orgDept, officials.Appointed{Official: p.id, Position: pos, From: date(from), DocumentNo: doc})
			return err
		})
	}
	depart := func(p person, pos officials.Position, to time.Time, why officials.DepartureReason) {
		sc.add(to, "official departed", func(ctx context.Context, s events.Store, at time.Time) error {
			_, err := app.RecordDeparture(ctx, s, orgDept, officials.Departed{Official: p.id, Position: pos, To: date(to), Reason: why})
			return err
		})
	}
	start := time.Date(2016, 1, 6, 9, 0, 0, 0, domain.CST)
	for i, c := range domain.Cities {
		river := ""
		for _, re := range reaches {
			if re.city == c.ID {
				river = re.river
				break
			}
		}
		posts := []officials.Position{
			{Post: officials.Mayor, City: c.ID},
			{Post: officials.ViceMayorInCharge, City: c.ID},
			{Post: officials.EnvBureauHead, City: c.ID},
			{Post: officials.RiverChief, City: c.ID, River: river},
		}
		for j, pos := range posts {
			p := newPerson()
			at := start.Add(time.Duration(4*i+j) * time.Minute)
			register(p, at)
			appoint(p, pos, at.Add(time.Second), fmt.Sprintf("%s政任〔2016〕%d号 (demo)", c.Name, j+1))
			var change time.Time
			switch {
			case pos.Post == officials.Mayor && i%3 == 0:
				change = time.Date(2017, 6, 20, 9, i, 0, 0, domain.CST)
			case pos.Post == officials.EnvBureauHead && i%2 == 1:
				change = time.Date(2019, 2, 15, 9, i, 0, 0, domain.CST)
			default:
				continue
			}
			depart(p, pos, change, officials.Transferred)
			next := newPerson()
			register(next, change.Add(-time.Hour))
			appoint(next, pos, change.Add(time.Minute), fmt.Sprintf("%s政任〔%d〕%d号 (demo)", c.Name, change.Year(), 10+j))
		}
	}
}

var discipline = domain.Actor{ID: "provincial-discipline-commission", Role: domain.Admin}

// accountFailures opens a case for each city graded 不合格 in a published
// year, naming who held the posts that year, and schedules the decisions.
func accountFailures(ctx context.Context, s events.Store, sc *schedule, pub events.Event, at time.Time) (int, error) {
	p := pub.Data.(assessment.ResultsPublished)
	opened := 0
	for _, r := range p.Results {
		if r.Grade != assessment.Fail {
			continue
		}
		t := officials.Triggered{Kind: officials.FailedAssessment, City: r.City, Year: p.Year,
			From: plan.NewDate(p.Year, 1, 1), To: plan.NewDate(p.Year, 12, 31), FoundOn: date(pub.OccurredAt),
			Reference: officials.Reference{EventID: pub.ID.String(), Position: pub.Position, DocumentNo: p.Document},
			Summary:   fmt.Sprintf("%d年度水污染防治考核不合格 (demo)", p.Year)}
		_, named, err := app.TriggerAccountability(ctx, s, discipline, t)
		if err != nil {
			return opened, err
		}
		opened++
		for k, n := range named {
			if n.Post != officials.EnvBureauHead && n.Post != officials.ViceMayorInCharge {
				continue
			}
			decision := officials.Admonishment
			if n.Post == officials.EnvBureauHead {
				decision = officials.Warning
			}
			d := officials.Decided{Case: officials.FailedAssessmentID(p.Year), City: r.City, Official: n.Official, Decision: decision,
				DocumentNo: fmt.Sprintf("晋纪发〔%d〕%d号 (demo)", p.Year+1, 10+10*opened+k), Date: plan.NewDate(p.Year+1, 5, 10), Authority: "山西省纪委监委"}
			sc.insert(time.Date(p.Year+1, 5, 10, 10, k, 0, 0, domain.CST), "accountability decided", func(ctx context.Context, s events.Store, at time.Time) error {
				_, err := app.DecideAccountability(ctx, s, discipline, d)
				return err
			})
		}
	}
	return opened, nil
}

// accountFalsification opens the data-falsification case of 2019.
func accountFalsification(ctx context.Context, s events.Store, sc *schedule, city domain.CityID, river string) error {
	t := officials.Triggered{Case: "2018H2-data-falsification", Kind: officials.DataFalsification, City: city, From: plan.NewDate(2018, 7, 1), To: plan.NewDate(2018, 12, 31),
		River: river, FoundOn: plan.NewDate(2019, 3, 28), Reference: officials.Reference{DocumentNo: "晋环监察〔2019〕12号 (demo)"},
		Summary: "监测数据造假: 2018年下半年实验室报告被篡改 (demo)"}
	e, named, err := app.TriggerAccountability(ctx, s, discipline, t)
	if err != nil {
		return err
	}
	id := e.Data.(officials.Triggered).Case
	for k, n := range named {
		d := officials.Decided{Case: id, City: city, Official: n.Official, Decision: officials.Demerit,
			DocumentNo: fmt.Sprintf("晋纪发〔2019〕%d号 (demo)", 40+k), Date: plan.NewDate(2019, 6, 18), Authority: "山西省纪委监委"}
		sc.insert(time.Date(2019, 6, 18, 10, k, 0, 0, domain.CST), "accountability decided", func(ctx context.Context, s events.Store, at time.Time) error {
			_, err := app.DecideAccountability(ctx, s, discipline, d)
			return err
		})
	}
	return nil
}
