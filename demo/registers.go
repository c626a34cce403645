package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
)

// controlUnits gives each reach a control unit (治理改善型 where the water is
// moderate or poor, 良好保护型 where it is fair or clean), splitting reaches of
// three or more sections in two, and sets each section's unit.
func controlUnits(secs []section) []monitoring.ControlUnitRegistered {
	var units []monitoring.ControlUnitRegistered
	i := 0
	for ri, r := range reaches {
		typ := monitoring.Protection
		if r.quality == moderate || r.quality == poor {
			typ = monitoring.Improvement
		}
		parts := 1
		if r.count >= 3 {
			parts = 2
		}
		for p := range parts {
			id := fmt.Sprintf("CU-%s-%02d%d", r.city, ri, p)
			units = append(units, monitoring.ControlUnitRegistered{ID: id, Name: fmt.Sprintf("%s%s控制单元%d (demo)", cityNameOf(r.city), r.river, p+1),
				City: r.city, Basin: r.basin, Type: typ})
		}
		for k := range r.count {
			secs[i+k].ControlUnit = fmt.Sprintf("CU-%s-%02d%d", r.city, ri, min(k*parts/r.count, parts-1))
		}
		i += r.count
	}
	return units
}

func cityNameOf(c domain.CityID) string {
	city, _ := domain.LookupCity(c)
	return city.Name
}

// drinkingSource is a generated drinking-water source and how good it is.
type drinkingSource struct {
	monitoring.DrinkingSourceRegistered
	nh3, tp float64 // typical NH3-N and TP
}

// drinkingSources gives each city one city-level reservoir and two
// county-level river intakes; intakes in the Fen's poorest cities are
// sometimes worse than class III.
func drinkingSources(seed uint64) []drinkingSource {
	r := rand.New(rand.NewPCG(seed, 9004))
	var out []drinkingSource
	for _, c := range domain.Cities {
		for k := range 3 {
			ds := drinkingSource{DrinkingSourceRegistered: monitoring.DrinkingSourceRegistered{
				ID: fmt.Sprintf("DW-%s-%d", c.ID, k+1), City: c.ID, Target: water.ClassIII}}
			if k == 0 {
				ds.Name, ds.Level, ds.Kind = c.Name+"市级水源地 (demo)", monitoring.CityLevel, water.Lake
				ds.nh3, ds.tp = 0.15+0.1*r.Float64(), 0.012+0.01*r.Float64()
			} else {
				ds.Name, ds.Level, ds.Kind = fmt.Sprintf("%s县级水源地%d (demo)", c.Name, k), monitoring.CountyLevel, water.River
				ds.nh3, ds.tp = 0.2+0.3*r.Float64(), 0.05+0.08*r.Float64()
				if (c.ID == "140800" || c.ID == "141000") && k == 2 {
					ds.nh3, ds.tp = 0.9+0.3*r.Float64(), 0.18+0.05*r.Float64() // around class III's limits
				}
			}
			out = append(out, ds)
		}
	}
	return out
}

// sourceRows writes a quarter's monthly samples of the drinking sources.
func (g *generator) sourceRows(row func(id monitoring.SectionID, at time.Time, v water.Values), year, q int) {
	for i, ds := range g.sources {
		r := g.srcRNG[i]
		for m := 3*q + 1; m <= 3*q+3; m++ {
			at := time.Date(year, time.Month(m), 5, 9, 0, 0, 0, domain.CST)
			improve := 1 - 0.04*float64(year-2016)
			row(monitoring.SectionID(ds.ID), at, water.Values{
				water.PH:    round(7.3+0.5*r.Float64(), 2),
				water.DO:    round(7.5+1.5*r.Float64(), 2),
				water.CODMn: round(1.5+1.5*r.Float64(), 1),
				water.NH3N:  round(ds.nh3*improve*(0.8+0.4*r.Float64()), 3),
				water.TP:    round(ds.tp*improve*(0.8+0.4*r.Float64()), 3),
			})
		}
	}
}

// blackBody is a black-odorous water body and the year it is put right.
type blackBody struct {
	monitoring.BlackOdorousRegistered
	eliminated int // year of the first clean inspection; 0: not by 2020
}

// blackBodies lists each city's black-odorous bodies: Taiyuan's are put
// right by the end of 2017 as the plan demands, the others' by 2020, a few
// of the poorest cities' not yet.
func blackBodies(seed uint64) []blackBody {
	r := rand.New(rand.NewPCG(seed, 9005))
	var out []blackBody
	for ci, c := range domain.Cities {
		n := 2 + ci%3
		deadline := time.Date(2020, 12, 31, 0, 0, 0, 0, domain.CST)
		if c.ID == "140100" {
			n, deadline = 6, time.Date(2017, 12, 31, 0, 0, 0, 0, domain.CST)
		}
		for k := range n {
			b := blackBody{BlackOdorousRegistered: monitoring.BlackOdorousRegistered{ID: fmt.Sprintf("BO-%s-%d", c.ID, k+1),
				Name: fmt.Sprintf("%s黑臭水体%d号 (demo)", c.Name, k+1), City: c.ID, BuiltUp: true,
				Responsible: fmt.Sprintf("%s区河长%d (demo)", c.Name, k+1), Deadline: deadline}}
			switch {
			case c.ID == "140100":
				b.eliminated = 2016 + r.IntN(2)
			case (c.ID == "140800" || c.ID == "141000") && k == 0:
				b.eliminated = 0
			default:
				b.eliminated = 2017 + r.IntN(4)
			}
			out = append(out, b)
		}
	}
	return out
}

var monitoringStation = domain.Actor{ID: "shanxi-monitoring-center", Role: domain.Station}

// blackOdorousHistory schedules twice-yearly inspections of each body.
func blackOdorousHistory(sc *schedule, bodies []blackBody, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 9006))
	for _, b := range bodies {
		agg := app.BlackOdorousRegistration(b.BlackOdorousRegistered).Aggregate
		for _, y := range Years {
			for _, m := range []time.Month{6, 12} {
				at := time.Date(y, m, 15, 10, 0, 0, 0, domain.CST)
				clean := b.eliminated != 0 && (y > b.eliminated || y == b.eliminated && m == 12)
				var reading water.BlackOdorReading
				if clean {
					t, do, orp := 35+10*r.Float64(), 3+2*r.Float64(), 80+50*r.Float64()
					reading = water.BlackOdorReading{TransparencyCm: &t, DO: &do, ORP: &orp}
				} else {
					t, do, nh3 := 8+12*r.Float64(), 0.1+1.2*r.Float64(), 9+8*r.Float64()
					reading = water.BlackOdorReading{TransparencyCm: &t, DO: &do, NH3N: &nh3}
				}
				in := monitoring.BlackOdorousInspected{Reading: reading, Level: water.BlackOdor(reading)}
				sc.add(at, "black-odorous inspection", func(ctx context.Context, s events.Store, at time.Time) error {
					_, err := app.Record(ctx, s, monitoringStation, at, agg, in)
					return err
				})
			}
		}
	}
}

// groundwaterPoints gives each city three points.
func groundwaterPoints() []monitoring.GroundwaterPointRegistered {
	var out []monitoring.GroundwaterPointRegistered
	for _, c := range domain.Cities {
		for k := range 3 {
			out = append(out, monitoring.GroundwaterPointRegistered{ID: fmt.Sprintf("GW-%s-%d", c.ID, k+1), Name: fmt.Sprintf("%s地下水考核点%d (demo)", c.Name, k+1), City: c.ID})
		}
	}
	return out
}

// groundwaterHistory schedules each point's yearly grade: mostly III–IV, a
// few 极差 in the Fen valley.
func groundwaterHistory(sc *schedule, points []monitoring.GroundwaterPointRegistered, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 9007))
	for _, p := range points {
		agg := app.GroundwaterPointRegistration(p).Aggregate
		for _, y := range Years {
			grade := monitoring.GroundwaterGrade(3 + r.IntN(2))
			if (p.City == "140800" || p.City == "141000" || p.City == "140700") && r.Float64() < 0.35 {
				grade = 5
			}
			g := monitoring.GroundwaterGraded{Year: y, Grade: grade}
			sc.add(time.Date(y, 12, 20, 10, 0, 0, 0, domain.CST), "groundwater graded", func(ctx context.Context, s events.Store, at time.Time) error {
				_, err := app.Record(ctx, s, monitoringStation, at, agg, g)
				return err
			})
		}
	}
}
