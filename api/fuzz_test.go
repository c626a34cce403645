package api_test

import (
	"encoding/json"
	"hash/fnv"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/api"
	"github.com/shanxi-water/ledger/domain"
)

// bodyTarget is an endpoint taking a JSON body, as FuzzRequestBodies
// calls it: the requests table's path, by a role allowed to.
type bodyTarget struct {
	method, key, path string
	role              domain.Role
}

// bodyTargets are the endpoints that take a JSON body, in route order.
func bodyTargets(t testing.TB) []bodyTarget {
	var out []bodyTarget
	for _, rt := range api.Routes() {
		key := rt.Method + " " + rt.Path
		req, ok := requests[key]
		require.True(t, ok, key)
		if req.ctype != "application/json" {
			continue
		}
		bt := bodyTarget{method: rt.Method, key: key, path: strings.ReplaceAll(req.path, "%s", "11")}
		for _, r := range roles {
			if api.Can(r, rt.Action) {
				bt.role = r
				break
			}
		}
		require.NotEmpty(t, bt.role, key)
		out = append(out, bt)
	}
	require.NotEmpty(t, out)
	return out
}

// FuzzRequestBodies sends what the fuzzer makes of a JSON request body to
// an endpoint that takes one (endpoint names it as "POST /api/…" does in
// the route table; any other string picks one by its hash), on a real
// server on the embedded JetStream store, with the fixture's sections and,
// once accepted, whatever earlier bodies recorded. Whatever the body: the
// answer is not a server error; a refusal is the API's error body, with
// its kind and why, and leaves the log and the token file as they were;
// an acceptance is JSON. It does not check that what an accepted body
// recorded is what was sent. One server serves a fuzzing process's inputs.
//
// Seeds: each endpoint's accepted body from the requests table, halves of
// them, {} and null, and testdata/fuzz/FuzzRequestBodies.
func FuzzRequestBodies(f *testing.F) {
	fx := setup(f)
	// What the requests table's paths name: samples to correct, the task
	// catalogue, an official, a black-odorous body, a groundwater point,
	// 2019 published, and an enterprise with a yellow card.
	for _, step := range []struct{ path, body, ctype string }{
		{"/api/samples/import", "section,sampled_at,source,DO,NH3N\nFH-HJDQ,2019-03-11 09:00,manual,6.0,0.8\n", "text/csv"},
		{"/api/tasks/catalogue", "", ""},
		{"/api/officials", `{"id":"OFF-1","name":"王建国"}`, "application/json"},
		{"/api/registers/black_odorous", `{"id":"BO-1","name":"运城市某沟渠","city":"140800","built_up":true,"responsible":"张三","deadline":"2020-12-31T00:00:00+08:00"}`, "application/json"},
		{"/api/registers/groundwater_point", `{"id":"GW-1","name":"运城地下水1号","city":"140800"}`, "application/json"},
	} {
		code, b := fx.do("POST", step.path, domain.Admin, step.body, step.ctype)
		require.Less(f, code, 300, "%s: %s", step.path, b)
	}
	fx.published2019(f)
	uscc := fx.yellowCarded(f, "91140100MA0K9XRB1", "太原市某化工有限公司", "140100", "太原市环境保护局", "并环监〔2019〕1号", "2019-03-01", "并环黄〔2019〕1号", "2019-03-05", "2019-06-30")

	targets := bodyTargets(f)
	byKey := map[string]int{}
	for i, bt := range targets {
		byKey[bt.key] = i
		body := strings.ReplaceAll(requests[bt.key].body, "%s", "11")
		if bt.key == "POST /api/enterprises/{id}/{action}" {
			targets[i].path = "/api/enterprises/" + uscc + "/inspections?date=2019-04-01"
			body = `{"document_no":"并环监〔2019〕2号","authority":"太原市环境保护局","findings":["over_standard"],"measurements":[{"item":"COD","measured":186,"limit":100,"unit":"mg/L","basis":"standard"}]}`
		}
		for _, b := range []string{body, body[:len(body)/2], "{}", "null", `{"` + bt.key + `":1}`} {
			f.Add(bt.key, []byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, endpoint string, body []byte) {
		fx.t = t // the fixture's checks fail this input
		i, ok := byKey[endpoint]
		if !ok {
			h := fnv.New32a()
			h.Write([]byte(endpoint))
			i = int(h.Sum32() % uint32(len(targets)))
		}
		bt := targets[i]
		before := fx.last()
		tokensBefore, err := os.ReadFile(fx.tokensFile)
		require.NoError(t, err)
		code, out := fx.do(bt.method, bt.path, bt.role, string(body), "application/json")
		require.Less(t, code, 500, "%s %s: a server error for a body: %s", bt.key, body, out)
		if code >= 300 {
			var e api.ErrorBody
			require.NoError(t, json.Unmarshal(out, &e), "%s: the error is the API's error body: %s", bt.key, out)
			require.NotEmpty(t, e.Error.Kind, "%s: %s", bt.key, out)
			require.NotEmpty(t, e.Error.Message, "%s: %s", bt.key, out)
			require.Equal(t, before, fx.last(), "%s %s refused (%d), but the log moved on", bt.key, body, code)
			tokensAfter, err := os.ReadFile(fx.tokensFile)
			require.NoError(t, err)
			require.Equal(t, string(tokensBefore), string(tokensAfter), "%s %s refused (%d), but the token file changed", bt.key, body, code)
			return
		}
		require.True(t, json.Valid(out), "%s: %s", bt.key, out)
	})
}
