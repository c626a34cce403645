package api

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/shanxi-water/ledger/app"
	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/assessment"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
	"github.com/shanxi-water/ledger/domain/officials"
	"github.com/shanxi-water/ledger/domain/plan"
	"github.com/shanxi-water/ledger/domain/tasks"
	"github.com/shanxi-water/ledger/domain/water"
	"github.com/shanxi-water/ledger/events"
	"github.com/shanxi-water/ledger/projections/quality"
)

// schemas names the Go types behind the document's schemas: the document
// is generated from them, so it cannot drift from what handlers send.
var schemas = map[string]any{
	"Event":               events.Event{},
	"EventList":           []events.Event{},
	"VerifyReport":        events.Report{},
	"SectionRegistered":   monitoring.SectionRegistered{},
	"SectionList":         []monitoring.SectionRegistered{},
	"ImportResult":        app.ImportResult{},
	"CorrectionRequest":   CorrectionRequest{},
	"InvalidationRequest": InvalidationRequest{},
	"BasinYearList":       []quality.BasinYear{},
	"QuarterRanking":      []quality.CityCWQI{},
	"CityYear":            []quality.CityYear{},
	"SectionReport":       []SectionReport{},
	"TokenRequest":        TokenRequest{},
	"TokenRevokeRequest":  TokenRevokeRequest{},
	"TokenRevoked":        TokenRevoked{},
	"TokenCreated":        TokenCreated{},
	"Error":               ErrorBody{},
	"OpenAPI":             map[string]any{},
}

// OpenAPI returns the OpenAPI 3 document of the API, built from routes.
func OpenAPI() map[string]any {
	paths := map[string]any{}
	for _, r := range routes {
		op := map[string]any{
			"summary":     r.Summary,
			"tags":        []string{r.Tag},
			"operationId": strings.ToLower(r.Method) + strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_").Replace(r.Path),
		}
		var params []any
		for _, p := range r.Params {
			params = append(params, map[string]any{"name": p.Name, "in": p.In, "required": p.Required || p.In == "path",
				"description": p.Description, "schema": map[string]any{"type": p.Type}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.Body != "" {
			schema := map[string]any{"type": "string"}
			if r.BodySchema != "" {
				schema = ref(r.BodySchema)
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{r.Body: map[string]any{"schema": schema}}}
		}
		ok := "200"
		if r.Method == "POST" && r.Path != "/api/samples/import" {
			ok = "201"
		}
		errResp := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
		success := map[string]any{"application/json": map[string]any{"schema": ref(r.Response)}}
		if r.Response == "File" {
			file := map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
			success = map[string]any{"text/csv": file, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": file}
		}
		responses := map[string]any{
			ok:        map[string]any{"description": "success", "content": success},
			"400":     errResp,
			"default": errResp,
		}
		if strings.Contains(r.Path, "{") {
			responses["404"] = errResp // what the path names does not exist
		}
		if r.Method == "POST" {
			responses["409"] = errResp // it conflicts with what is recorded
		}
		if r.Action != "" {
			op["security"] = []any{map[string]any{"bearer": []string{}}}
			op["x-action"] = string(r.Action)
			responses["401"], responses["403"] = errResp, errResp
		}
		op["responses"] = responses
		item, _ := paths[r.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[r.Path] = item
		}
		item[strings.ToLower(r.Method)] = op
	}
	comps := map[string]any{}
	for name, v := range schemas {
		if alts, ok := v.(oneOf); ok {
			refs := make([]any, len(alts.names))
			for i, n := range alts.names {
				refs[i] = ref(n)
			}
			// anyOf: bodies of different kinds may fit more than one schema
			// (none forbids other fields); the path says which it is.
			comps[name] = map[string]any{"anyOf": refs, "description": alts.description}
			continue
		}
		s := schemaOf(reflect.TypeOf(v), 0)
		if req := required[name]; req != nil {
			s["required"] = req
		}
		for field, d := range descriptions[name] {
			if prop, ok := s["properties"].(map[string]any)[field].(map[string]any); ok {
				prop["description"] = d
			}
		}
		comps[name] = s
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "Shanxi water-pollution assessment ledger API",
			"version":     "1",
			"description": "Every command and query of the ledger. Errors are JSON {error:{kind,op,field,message}}; no endpoint deletes or edits events. A write answers once the read models show it; if they have not within 10 seconds, the answer carries the header Ledger-Applied: false (the write is stored, and shows shortly).",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas":         comps,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

// oneOf is a request body that takes one of several schemas, chosen by the
// path (an enforcement action, a register's kind); the document says
// anyOf, as a body may fit several.
type oneOf struct {
	names       []string
	description string
}

// required lists the fields a request schema must carry: those its
// Validate refuses without (the schemas are read off Go types, which do
// not say).
var required = map[string][]string{
	"CorrectionRequest":          {"sample", "reason"},
	"InvalidationRequest":        {"at", "source", "reason"},
	"Sample":                     {"at", "source"},
	"SectionRegistered":          {"id", "name", "river", "basin", "city", "kind", "level"},
	"DrinkingSourceRegistered":   {"id", "name", "city", "level", "kind", "target"},
	"GroundwaterPointRegistered": {"id", "name", "city"},
	"BlackOdorousRegistered":     {"id", "name", "city", "responsible", "deadline"},
	"ControlUnitRegistered":      {"id", "name", "city", "basin", "type"},
	"EnterpriseRegistered":       {"name", "city", "industry"},
	"Inspected":                  {"document_no", "authority", "findings"},
	"YellowCardIssued":           {"document_no", "authority", "inspection", "measure", "rectification_deadline"},
	"RedCardIssued":              {"document_no", "authority", "yellow_card", "reinspection", "measure", "grounds"},
	"CardLifted":                 {"card", "document_no", "authority", "reinspection"},
	"CardRevoked":                {"card", "document_no", "authority", "reason"},
	"StatusRequest":              {"to"},
	"TokenRequest":               {"person", "role"},
	"TokenRevokeRequest":         {"person"},
	"PublishRequest":             {"document"},
	"ConsequenceRequest":         {"kind", "document", "authority"},
}

// What a decision's number is, and that a card, an inspection and a
// re-inspection are named by theirs: an inspection's document_no is what a
// yellow card's inspection and a red card's or a lifting's reinspection
// give, a card's what a red card's yellow_card, a lifting's or a
// revocation's card and a re-inspection's card give.
const (
	docNoInspection = "the inspection record's document number (文号: 现场检查笔录 or 监测报告); a card and a lifting name the inspection by it"
	docNoCard       = "the decision's document number (文号); it identifies the card: a red card, a re-inspection, a lifting and a revocation name the card by it"
	namesInspection = "the document number (文号, its document_no) of the enterprise's inspection recorded before: "
	namesCard       = "the document number (文号, its document_no) of the enterprise's card: "
)

// descriptions say what a schema's fields hold where the name does
// not (the schemas are read off Go types, which do not say): above all
// that a card or an inspection is named by its document number.
var descriptions = map[string]map[string]string{
	"PublishedView": {
		"changed":        "what corrections recorded since the publication changed, by city code, in English: a city whose figures are unchanged is absent",
		"changed_zh":     "the same as changed, item for item, in Chinese (e.g. 水质得分 75.34 → 67.84；等级 合格 → 不合格), as the dashboard shows it",
		"method_note":    "set when the publication was computed with an earlier method than today's: differences may come from the method, not the data",
		"method_note_zh": "the same as method_note, in Chinese",
	},
	"EnterpriseRegistered": {
		"uscc":      "unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, its check character last; the enterprise's id",
		"permit_no": "discharge permit number (排污许可证编号), in capitals; the enterprise's id when it has no credit code",
	},
	"Inspected": {
		"document_no": docNoInspection,
		"card":        namesCard + "for a re-inspection (复查), the yellow or red card whose rectification (整改) it checks",
	},
	"YellowCardIssued": {
		"document_no":            docNoCard,
		"inspection":             namesInspection + "the one that found the enterprise over its discharge standard or total quota, which the yellow card (黄牌) rests on",
		"rectification_deadline": "the day by which to rectify (整改期限)",
	},
	"RedCardIssued": {
		"document_no":  docNoCard,
		"yellow_card":  namesCard + "the yellow card (黄牌) in force whose rectification failed",
		"reinspection": namesInspection + "the re-inspection (复查) of that yellow card, on or after its rectification deadline, that found an exceedance",
		"grounds":      "what makes the case serious (情节严重)",
	},
	"CardLifted": {
		"card":         namesCard + "the card in force to lift",
		"document_no":  "the lifting decision's document number (文号)",
		"reinspection": namesInspection + "the re-inspection (复查) of that card that found the enterprise compliant, rectified",
	},
	"CardRevoked": {
		"card":        namesCard + "the card annulled on appeal",
		"document_no": "the review decision's or judgment's document number (文号)",
		"authority":   "the reviewing body or court",
	},
	"EnterpriseClosed": {
		"document_no": "the document number (文号) of the decision or notice establishing the closure",
	},
	"ListPublishRequest": {
		"document_no": "the publishing notice's document number (文号)",
	},
}

var (
	timeType       = reflect.TypeFor[time.Time]()
	uuidType       = reflect.TypeFor[uuid.UUID]()
	hashType       = reflect.TypeFor[events.Hash]()
	rawType        = reflect.TypeFor[[]byte]()
	dateType       = reflect.TypeFor[plan.Date]() // the zero Date writes nothing to read its schema off
	dateOrTimeType = reflect.TypeFor[DateOrTime]()
	endDateType    = reflect.TypeFor[EndDate]()
)

// enums are the values of the code types a request may carry.
var enums = map[reflect.Type][]string{
	reflect.TypeFor[assessment.Consequence](): {string(assessment.Interview), string(assessment.Restriction), string(assessment.Rectification)},
	reflect.TypeFor[assessment.Grade]():       {string(assessment.Excellent), string(assessment.Good), string(assessment.Pass), string(assessment.Fail)},
	reflect.TypeFor[enforcement.Finding]():    enumOf(enforcement.Findings),
	reflect.TypeFor[enforcement.Color]():      {string(enforcement.Yellow), string(enforcement.Red)},
	reflect.TypeFor[enforcement.Measure]():    enumOf(append(slices.Clone(enforcement.Measures[enforcement.Yellow]), enforcement.Measures[enforcement.Red]...)),
	reflect.TypeFor[monitoring.Source]():      {string(monitoring.Auto), string(monitoring.Manual)},
	reflect.TypeFor[monitoring.Status]():      {string(monitoring.Measured), string(monitoring.Dry), string(monitoring.Ice), string(monitoring.Fault)},
	reflect.TypeFor[monitoring.Level]():       {string(monitoring.National), string(monitoring.Provincial)},
	reflect.TypeFor[monitoring.SourceLevel](): {string(monitoring.CityLevel), string(monitoring.CountyLevel)},
	reflect.TypeFor[enforcement.Basis]():      {string(enforcement.Standard), string(enforcement.Quota)},
	reflect.TypeFor[domain.Basin]():           {string(domain.Yellow), string(domain.Hai)},
	reflect.TypeFor[domain.Role]():            roleNames, // an event's actor may be the ledger itself (system)
	reflect.TypeFor[water.BodyKind]():         {string(water.River), string(water.Lake)},
	reflect.TypeFor[monitoring.UnitType]():    {string(monitoring.Improvement), string(monitoring.Protection)},
	reflect.TypeFor[tasks.Status]():           enumOf(tasks.Statuses),
	reflect.TypeFor[officials.CaseKind]():     enumOf(officials.CaseKinds),
	reflect.TypeFor[water.Item]():             enumOf(itemCodes()),
}

// roleNames are the roles an actor may have.
var roleNames = []string{string(domain.Auditor), string(domain.Assessment), string(domain.Enforcement), string(domain.Station), string(domain.Admin), string(domain.System)}

// fieldEnums are the values of a field tagged enum:"<name>" that takes
// fewer than its type's.
var fieldEnums = map[string][]string{
	// A token's role is one with something it may do: not system, the
	// ledger's own, which a token may not have.
	"token_role": slices.DeleteFunc(slices.Clone(roleNames), func(r string) bool { return len(Allowed[domain.Role(r)]) == 0 }),
}

func itemCodes() []water.Item {
	var out []water.Item
	for _, info := range water.Items() {
		out = append(out, info.Item)
	}
	return out
}

func enumOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// writesOwnJSON reports whether a named type (not a pointer) writes its own
// JSON: a date as "2019-12-31", a quarter as "2019Q1", a share with its
// percentage. Its schema is then read off what it writes.
func writesOwnJSON(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer || t == timeType || t == uuidType || t == hashType {
		return false
	}
	return t.Implements(marshalerType) || t.Implements(textMarshalerType)
}

// schemaOfValue describes what a value writes as JSON.
func schemaOfValue(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return map[string]any{}
	}
	var x any
	if json.Unmarshal(b, &x) != nil {
		return map[string]any{}
	}
	return schemaOfJSON(x)
}

func schemaOfJSON(x any) map[string]any {
	switch x := x.(type) {
	case string:
		return map[string]any{"type": "string"}
	case float64:
		return map[string]any{"type": "number"}
	case bool:
		return map[string]any{"type": "boolean"}
	case []any:
		items := map[string]any{}
		if len(x) > 0 {
			items = schemaOfJSON(x[0])
		}
		return map[string]any{"type": "array", "items": items}
	case map[string]any:
		props := map[string]any{}
		for k, v := range x {
			props[k] = schemaOfJSON(v)
		}
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}

// schemaOf describes a Go type as a JSON schema, following json tags.
func schemaOf(t reflect.Type, depth int) map[string]any {
	if values, ok := enums[t]; ok {
		return map[string]any{"type": "string", "enum": values}
	}
	if depth > 8 {
		return map[string]any{}
	}
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case uuidType:
		return map[string]any{"type": "string", "format": "uuid"}
	case hashType:
		return map[string]any{"type": "string", "description": "hex SHA-256"}
	}
	if t.Name() == "RawMessage" {
		return map[string]any{"description": "JSON value"}
	}
	if t == dateType {
		return map[string]any{"type": "string", "format": "date"}
	}
	if t == dateOrTimeType {
		return map[string]any{"type": "string", "description": "a date (2021-03-01: the start of that day, Shanxi time) or an RFC 3339 time"}
	}
	if t == endDateType {
		return map[string]any{"type": "string", "description": "a date (2021-12-31: by, or through, the end of that day, 23:59:59 Shanxi time) or an RFC 3339 time"}
	}
	if writesOwnJSON(t) {
		if !t.Implements(marshalerType) {
			return map[string]any{"type": "string"} // a text marshaler writes a string
		}
		return schemaOfValue(reflect.New(t).Elem().Interface())
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), depth)
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t == rawType {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), depth+1)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), depth+1)}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		props := map[string]any{}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				for k, v := range schemaOf(f.Type, depth+1)["properties"].(map[string]any) {
					props[k] = v
				}
				continue
			}
			if values, ok := fieldEnums[f.Tag.Get("enum")]; ok {
				props[name] = map[string]any{"type": "string", "enum": values}
				continue
			}
			props[name] = schemaOf(f.Type, depth+1)
		}
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}
