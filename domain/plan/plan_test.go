package plan_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/plan"
)

// block is one physical paragraph of the plan, with its place as the plan's
// headings give it. The tests re-derive it from the plan text itself.
type block struct {
	key                         string // "2-1-1-3": chapter, section, paragraph, block ordinal
	chapter, section, paragraph string
	text                        string
}

var (
	chapterRe   = regexp.MustCompile(`^([一二三四五六七八九十]+)、`)
	sectionRe   = regexp.MustCompile(`^\(([一二三四五六七八九十]+)\)`)
	paragraphRe = regexp.MustCompile(`^([0-9]+)\.[^0-9]`)
)

func numeral(s string) int {
	return strings.Index("一二三四五六七八九十", s)/len("一") + 1
}

// trimLine drops surrounding spaces (including no-break spaces) and the
// private-use characters the published copy carries at line ends.
func trimLine(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Co, r) })
}

// parsePlan splits chapters 二 to 四 of the plan into blocks.
func parsePlan(t *testing.T) []block {
	t.Helper()
	var (
		out                         []block
		chapter, section, paragraph string
		ch, sec, par, blk           int
	)
	for line := range strings.SplitSeq(plan.Text(), "\n") {
		s := trimLine(line)
		if s == "" {
			continue
		}
		short := len([]rune(s)) < 30
		if m := chapterRe.FindStringSubmatch(s); m != nil && short {
			chapter, ch, section, sec, paragraph, par, blk = s, numeral(m[1]), "", 0, "", 0, 0
			continue
		}
		if m := sectionRe.FindStringSubmatch(s); m != nil && short && ch > 0 {
			section, sec, paragraph, par, blk = s, numeral(m[1]), "", 0, 0
			continue
		}
		if m := paragraphRe.FindStringSubmatch(s); m != nil && short && ch > 0 {
			n, err := strconv.Atoi(m[1])
			require.NoError(t, err)
			paragraph, par, blk = s, n, 0
			continue
		}
		if ch < 2 {
			continue
		}
		blk++
		out = append(out, block{
			key:     fmt.Sprintf("%d-%d-%d-%d", ch, sec, par, blk),
			chapter: chapter, section: section, paragraph: paragraph,
			text: s,
		})
	}
	require.Greater(t, len(out), 80, "the plan's chapters 二–四 have some 90 blocks")
	return out
}

var letterRe = regexp.MustCompile(`[a-z]$`)

// blockKey is the block part of a task id: "T-2-1-2-1g" → "2-1-2-1".
func blockKey(id plan.TaskID) string {
	return letterRe.ReplaceAllString(strings.TrimPrefix(string(id), "T-"), "")
}

// placed is a task with the block its text was found in and where.
type placed struct {
	task       plan.Task
	block      block
	start, end int // byte offsets of the task's text in block.text
}

func placeAll(t *testing.T) (map[string]block, []placed) {
	t.Helper()
	blocks := map[string]block{}
	for _, b := range parsePlan(t) {
		blocks[b.key] = b
	}
	var out []placed
	for _, task := range plan.Tasks() {
		b, ok := blocks[blockKey(task.ID)]
		require.True(t, ok, "%s: the plan has no block %s", task.ID, blockKey(task.ID))
		i := strings.Index(b.text, task.Text)
		require.GreaterOrEqual(t, i, 0, "%s: text not in block %s", task.ID, b.key)
		require.Equal(t, 1, strings.Count(b.text, task.Text), "%s: text occurs more than once in its block", task.ID)
		out = append(out, placed{task, b, i, i + len(task.Text)})
	}
	return blocks, out
}

func TestEveryTaskValidates(t *testing.T) {
	for _, task := range plan.Tasks() {
		require.NoError(t, task.Validate(), task.ID)
	}
}

func TestCatalogueSize(t *testing.T) {
	require.GreaterOrEqual(t, len(plan.Tasks()), 60)
}

func TestIDsUniqueAndLookup(t *testing.T) {
	seen := map[plan.TaskID]bool{}
	for _, task := range plan.Tasks() {
		require.False(t, seen[task.ID], "duplicate id %s", task.ID)
		seen[task.ID] = true
		got, ok := plan.Lookup(task.ID)
		require.True(t, ok, task.ID)
		require.Equal(t, task, got)
	}
	_, ok := plan.Lookup("T-9-9-9-9")
	require.False(t, ok)
}

func TestTextsAreVerbatim(t *testing.T) {
	text := plan.Text()
	for _, task := range plan.Tasks() {
		require.Contains(t, text, strings.TrimSpace(task.Text), task.ID)
	}
}

// TestPlaces checks each task against the plan's own structure: its id names
// the block its text is in, its chapter, section and paragraph are that
// block's headings, its item is the lead-in of that block or of an earlier
// block of the same numbered paragraph, and letters run a, b, c… exactly when
// a block holds several tasks.
func TestPlaces(t *testing.T) {
	blocks, tasks := placeAll(t)
	perBlock := map[string][]plan.TaskID{}
	for _, p := range tasks {
		id, b := p.task.ID, p.block
		require.Equal(t, b.chapter, p.task.Chapter, id)
		require.Equal(t, b.section, p.task.Section, id)
		require.Equal(t, b.paragraph, p.task.Paragraph, id)
		if item := p.task.Item; item != "" {
			require.True(t, strings.HasSuffix(item, "。"), "%s: item %q is not a sentence", id, item)
			found := false
			parts := strings.Split(b.key, "-")
			n, _ := strconv.Atoi(parts[3])
			for i := n; i >= 1 && !found; i-- {
				prev := blocks[strings.Join(append(parts[:3:3], strconv.Itoa(i)), "-")]
				found = strings.HasPrefix(prev.text, item)
			}
			require.True(t, found, "%s: item %q does not open its block or an earlier one", id, item)
		}
		perBlock[b.key] = append(perBlock[b.key], id)
	}
	for key, ids := range perBlock {
		if len(ids) == 1 {
			require.Equal(t, plan.TaskID("T-"+key), ids[0], "a block with one task has no letter")
			continue
		}
		for i, id := range ids {
			require.Equal(t, plan.TaskID(fmt.Sprintf("T-%s%c", key, 'a'+i)), id, "tasks of block %s in order", key)
		}
	}
}

// departments parses the parenthesis that closes every block of chapters 二–四,
// e.g. (省环保厅牵头,省经信委、省国土资源厅等参与,各级人民政府负责落实。…).
func departments(t *testing.T, b block) (lead, participants []plan.Department, etc bool) {
	t.Helper()
	open := strings.LastIndex(b.text, "(")
	require.True(t, open >= 0 && strings.HasSuffix(b.text, ")"), "block %s has no closing department list", b.key)
	split := func(s string) []plan.Department {
		var out []plan.Department
		for d := range strings.SplitSeq(s, "、") {
			out = append(out, plan.Department(d))
		}
		return out
	}
	for part := range strings.SplitSeq(b.text[open+len("("):len(b.text)-len(")")], ",") {
		switch {
		case strings.HasPrefix(part, "各级人民政府"), strings.HasPrefix(part, "不再列出"):
			// the blanket rule, recorded as governments
		case strings.HasSuffix(part, "牵头"):
			lead = split(strings.TrimSuffix(part, "牵头"))
		case strings.HasSuffix(part, "负责"):
			lead = split(strings.TrimSuffix(part, "负责"))
		case strings.HasSuffix(part, "参与"):
			part = strings.TrimSuffix(part, "参与")
			etc = strings.HasSuffix(part, "等")
			participants = split(strings.TrimSuffix(part, "等"))
		default:
			t.Fatalf("block %s: cannot read %q", b.key, part)
		}
	}
	return lead, participants, etc
}

func TestDepartmentsAsWritten(t *testing.T) {
	_, tasks := placeAll(t)
	for _, p := range tasks {
		lead, participants, etc := departments(t, p.block)
		require.Equal(t, lead, p.task.Lead, p.task.ID)
		require.Equal(t, participants, p.task.Participants, p.task.ID)
		require.Equal(t, etc, p.task.ParticipantsEtc, p.task.ID)
	}
}

var (
	yearRe   = regexp.MustCompile(`[0-9]{4}年`)
	figureRe = regexp.MustCompile(`[0-9]+(\.[0-9]+)?%`)
)

// insideTitle reports whether offset i of s is inside a 《title》.
func insideTitle(s string, i int) bool {
	return strings.LastIndex(s[:i], "《") > strings.LastIndex(s[:i], "》")
}

// TestEveryDateIsCovered: every year the plan's chapters 二–四 mention (2016年底前,
// 2017年6月底前, 到2020年, 自2016年起…) lies in the text of some task of the
// same block, except years inside a document title such as
// 《汾河流域生态修复规划纲要(2015-2030年)》. This is the plan's list of dated
// obligations, so a task the catalogue missed fails here.
func TestEveryDateIsCovered(t *testing.T) {
	blocks, tasks := placeAll(t)
	checked := 0
	for _, b := range blocks {
		for _, m := range yearRe.FindAllStringIndex(b.text, -1) {
			if insideTitle(b.text, m[0]) {
				continue
			}
			checked++
			covered := false
			for _, p := range tasks {
				if p.block.key == b.key && p.start <= m[0] && m[1] <= p.end {
					covered = true
				}
			}
			require.True(t, covered, "block %s: %q is in no task: …%s…", b.key, b.text[m[0]:m[1]], context(b.text, m[0], m[1]))
		}
	}
	require.Greater(t, checked, 70)
}

// TestEveryFigureIsATarget: every percentage in chapters 二–四 is the target
// value of a task whose text contains it, except a baseline written 从…%
// (湿地保护率从38%提升到50%).
func TestEveryFigureIsATarget(t *testing.T) {
	blocks, tasks := placeAll(t)
	checked := 0
	for _, b := range blocks {
		for _, m := range figureRe.FindAllStringIndex(b.text, -1) {
			if strings.HasSuffix(b.text[:m[0]], "从") {
				continue
			}
			checked++
			value, err := strconv.ParseFloat(strings.TrimSuffix(b.text[m[0]:m[1]], "%"), 64)
			require.NoError(t, err)
			covered := false
			for _, p := range tasks {
				tg := p.task.Target
				if p.block.key == b.key && p.start <= m[0] && m[1] <= p.end && tg != nil && tg.Unit == "%" && tg.Value == value {
					covered = true
				}
			}
			require.True(t, covered, "block %s: %s is no task's target: …%s…", b.key, b.text[m[0]:m[1]], context(b.text, m[0], m[1]))
		}
	}
	require.Greater(t, checked, 15)
}

func context(s string, i, j int) string {
	r := []rune(s)
	a, b := len([]rune(s[:i])), len([]rune(s[:j]))
	return string(r[max(0, a-20):min(len(r), b+20)])
}

var datePhraseRe = regexp.MustCompile(`([0-9]{4})年(?:([0-9]{1,2})月)?(底前|起)?`)

// TestDatesFromText: a task's deadline is a date its own text states
// (YYYY年底前 and 到YYYY年 → 31 December, YYYY年M月底前 → the end of month M)
// and its start date is a YYYY年起 of its text (→ 1 January).
func TestDatesFromText(t *testing.T) {
	for _, task := range plan.Tasks() {
		var deadlines, froms []string
		for _, m := range datePhraseRe.FindAllStringSubmatchIndex(task.Text, -1) {
			if insideTitle(task.Text, m[0]) || strings.HasSuffix(task.Text[:m[0]], "比") { // 比2015年: a baseline
				continue
			}
			year, _ := strconv.Atoi(task.Text[m[2]:m[3]])
			if m[6] >= 0 && task.Text[m[6]:m[7]] == "起" {
				require.Negative(t, m[4], "%s: a start month the catalogue cannot express", task.ID)
				froms = append(froms, plan.NewDate(year, time.January, 1).String())
				continue
			}
			month := 12
			if m[4] >= 0 {
				month, _ = strconv.Atoi(task.Text[m[4]:m[5]])
			}
			deadlines = append(deadlines, plan.NewDate(year, time.Month(month)+1, 0).String())
		}
		if !task.Deadline.IsZero() {
			d, err := plan.ParseDate(task.Deadline.String())
			require.NoError(t, err, task.ID)
			require.Equal(t, task.Deadline, d, task.ID)
			require.Contains(t, deadlines, task.Deadline.String(), "%s: deadline not stated in its text %q", task.ID, task.Text)
		}
		if !task.From.IsZero() {
			require.Contains(t, froms, task.From.String(), "%s: start not stated in its text %q", task.ID, task.Text)
		}
		if task.Deadline.IsZero() && task.From.IsZero() {
			require.Empty(t, deadlines, "%s states a date its task lacks", task.ID)
			require.Empty(t, froms, "%s states a start its task lacks", task.ID)
		}
	}
}

// TestTargetsQuoted: a target's value and unit appear in the task's text as the
// plan writes them (95%, 93亿立方米, 3000个, 0.55), and its year is the deadline's.
func TestTargetsQuoted(t *testing.T) {
	n := 0
	for _, task := range plan.Tasks() {
		tg := task.Target
		if tg == nil {
			continue
		}
		n++
		require.Contains(t, task.Text, strconv.FormatFloat(tg.Value, 'f', -1, 64)+tg.Unit, task.ID)
		if !task.Deadline.IsZero() {
			require.Equal(t, task.Deadline.Year(), tg.Year, task.ID)
		}
	}
	require.GreaterOrEqual(t, n, 25)
}

// TestNamedCities: where a task's governments are named cities, the text
// names them: 太原市 itself, or the others (其他/其余) where Taiyuan (and
// Jincheng) are singled out.
func TestNamedCities(t *testing.T) {
	taiyuan, jincheng := domain.CityID("140100"), domain.CityID("140500")
	for _, task := range plan.Tasks() {
		g := task.Governments
		if g.Reach != plan.NamedCities {
			continue
		}
		switch {
		case len(g.Cities) == 1:
			city, ok := domain.LookupCity(g.Cities[0])
			require.True(t, ok)
			require.Contains(t, task.Text, city.Name+"市", task.ID)
		default:
			require.False(t, g.Includes(taiyuan), task.ID)
			require.Contains(t, task.Text, "太原市", task.ID)
			require.Regexp(t, `其[他余]`, task.Text, task.ID)
			if len(g.Cities) == 9 {
				require.False(t, g.Includes(jincheng), task.ID)
				require.Contains(t, task.Text, "晋城市", task.ID)
			}
		}
	}
}

func TestSpotChecks(t *testing.T) {
	get := func(id plan.TaskID) plan.Task {
		task, ok := plan.Lookup(id)
		require.True(t, ok, id)
		return task
	}

	// 城市污水处理率 ≥95% by 2020, led by 省住房城乡建设厅.
	sewage := get("T-2-1-2-1g")
	require.Equal(t, "2020-12-31", sewage.Deadline.String())
	require.Equal(t, &plan.Target{Metric: "urban_sewage_treatment_rate", MetricZh: "城市污水处理率", Value: 95, Unit: "%", Comparison: plan.AtLeast, Year: 2020}, sewage.Target)
	require.Equal(t, []plan.Department{"省住房城乡建设厅"}, sewage.Lead)
	require.Equal(t, plan.Towns, sewage.Category)
	require.True(t, sewage.Target.Met(95) && !sewage.Target.Met(94.99))

	// Taiyuan alone must clear its black-odorous water by the end of 2017.
	black := get("T-2-4-4-1c")
	require.Equal(t, "2017-12-31", black.Deadline.String())
	require.True(t, black.Governments.Includes("140100"))
	require.False(t, black.Governments.Includes("140200"))
	require.Equal(t, []domain.CityID{"140100"}, black.Governments.Responsible())
	// …and the other ten cities the floating rubbish.
	others := get("T-2-4-4-1d")
	require.Len(t, others.Governments.Responsible(), 10)
	require.False(t, others.Governments.Includes("140100"))

	// Every city but Taiyuan and Jincheng starts a water-saving-city drive in 2016.
	drive := get("T-2-2-3-4a")
	require.Equal(t, "2016-01-01", drive.From.String())
	require.True(t, drive.Deadline.IsZero())
	require.Len(t, drive.Governments.Cities, 9)

	// Pipe leakage: ≤12% in 2017, then ≤10% in 2020.
	require.Equal(t, 12.0, get("T-2-2-3-3c").Target.Value)
	require.Equal(t, plan.AtMost, get("T-2-2-3-3d").Target.Comparison)
	require.True(t, get("T-2-2-3-3d").Target.Met(9.5))

	// 2016年6月底前 ends in June.
	require.Equal(t, "2016-06-30", get("T-2-1-1-6a").Deadline.String())

	// A provincial department's own plan binds no city.
	own := get("T-2-1-3-3a")
	require.Equal(t, plan.Province, own.Governments.Reach)
	require.False(t, own.Governments.Includes("140100"))
	require.Empty(t, own.Governments.Responsible())

	// The first task carries the blanket rule; departments split on 、 and 等 dropped.
	first := plan.Tasks()[0]
	require.Equal(t, plan.TaskID("T-2-1-1-1"), first.ID)
	require.Equal(t, []plan.Department{"省经信委", "省国土资源厅", "省煤炭厅"}, first.Participants)
	require.True(t, first.ParticipantsEtc)
	require.Equal(t, plan.AllCities, first.Governments.Reach)
	require.Len(t, first.Governments.Responsible(), 11)

	// 省环保厅负责: sole responsibility is a lead without participants.
	cards := get("T-3-1-2-1")
	require.Equal(t, []plan.Department{"省环保厅"}, cards.Lead)
	require.Empty(t, cards.Participants)

	// Multiple leads, participants without 等.
	capital := get("T-3-3-1-1a")
	require.Equal(t, []plan.Department{"省物价局"}, capital.Lead)
	require.Equal(t, "2015-12-31", capital.Deadline.String())
}

// TestEvery2017Deadline counts the plan's "2017年底前" and checks each is in
// the text of a task due on 2017-12-31: the brief's own spot check, done for
// the most common deadline.
func TestEvery2017Deadline(t *testing.T) {
	text := plan.Text()
	phrase := "2017年底前"
	occurrences := strings.Count(text, phrase)
	require.Equal(t, 15, occurrences, "the plan says 2017年底前 fifteen times")
	for i, rest := 0, text; ; {
		j := strings.Index(rest, phrase)
		if j < 0 {
			break
		}
		at := i + j
		// the sentence around the occurrence, bounded by 。 or a line end
		start := max(strings.LastIndexAny(text[:at], "。\n")+1, 0)
		covered := false
		for _, task := range plan.Tasks() {
			k := strings.Index(text, task.Text)
			if k <= at && at+len(phrase) <= k+len(task.Text) && task.Deadline.String() == "2017-12-31" {
				covered = true
			}
		}
		require.True(t, covered, "uncovered: %s…", context(text, start, at+len(phrase)))
		i, rest = at+len(phrase), text[at+len(phrase):]
	}
}

func TestCopiesAreTheCallers(t *testing.T) {
	a := plan.Tasks()
	a[0].Lead[0] = "changed"
	a[0].Governments.Cities = append(a[0].Governments.Cities, "999999")
	for _, task := range a {
		if task.Target != nil {
			task.Target.Value = -1
		}
	}
	b := plan.Tasks()
	require.Equal(t, plan.Department("省环保厅"), b[0].Lead[0])
	for _, task := range b {
		require.NoError(t, task.Validate(), task.ID)
	}
}

func TestEmbeddedTextMatchesSeed(t *testing.T) {
	seed := filepath.Join("..", "..", "..", "shared", "seed", "shanxi-water-plan-2015.txt")
	want, err := os.ReadFile(seed)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("no seed copy at %s to compare with (the workspace's shared/seed is absent); the embedded copy is checked by the other tests", seed)
	}
	require.NoError(t, err)
	require.Equal(t, string(want), plan.Text())
}
