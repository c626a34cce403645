package api_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
)

// A free-text field's fault in the register of officials, an
// accountability case or a task's status change is said in Chinese with
// the field's name (文号（document_no）：缺失), as enforcement's are, not
// as a bare 缺失 or not at all. Each is produced through the request that
// gives it; none records anything.
func TestOfficialsAndTasksTextFaultsInChinese(t *testing.T) {
	f := setup(t)
	post := func(path, body string) {
		t.Helper()
		code, b := f.do("POST", path, domain.Assessment, body, "application/json")
		require.Equal(t, 201, code, "%s: %s", path, b)
	}
	code, b := f.do("POST", "/api/tasks/catalogue", domain.Admin, "", "")
	require.Equal(t, 201, code, string(b))
	post("/api/officials", `{"id":"OFF-0001","name":"王建国"}`)
	post("/api/officials", `{"id":"OFF-0002","name":"李明"}`)
	post("/api/accountability/cases", `{"case":"2018-dt-falsify","kind":"data_falsification","city":"大同","from":"2018-07-01","to":"2018-12-31","found_on":"2019-03-01","reference":{"document_no":"晋环监察〔2019〕3号"}}`)
	const task = "/api/tasks/T-2-1-1-1/status" // every city answers for it
	decision := func(fields string) string {
		return `{"case":"2018-dt-falsify","city":"140200","official":"OFF-0001","decision":"warning","date":"2019-04-01",` + fields + `}`
	}
	long := strings.Repeat("号", 67) // 201 bytes

	for _, tc := range []struct {
		name, path, body string
		field, zh        string
	}{
		// The register of officials.
		{"an official without a name", "/api/officials", `{"id":"OFF-0003","name":""}`, "name", "姓名（name）：缺失"},
		{"an official without a code", "/api/officials", `{"id":"","name":"张华"}`, "id", "人员编码（id）：缺失"},
		{"an appointment without a post", "/api/officials/OFF-0001/appointments", `{"post":"","city":"140100","from":"2016-01-05","document_no":"并政任〔2016〕3号"}`, "post", "职务（post）：缺失"},
		{"an appointment without its document", "/api/officials/OFF-0001/appointments", `{"post":"mayor","city":"140100","from":"2016-01-05","document_no":""}`, "document_no",
			"文号（document_no）：缺失，每项任职都有任职文件"},
		{"an appointment's document too long", "/api/officials/OFF-0001/appointments", `{"post":"mayor","city":"140100","from":"2016-01-05","document_no":"` + long + `"}`, "document_no",
			"文号（document_no）：超过 200 字节"},
		{"an appointing authority with surrounding whitespace", "/api/officials/OFF-0001/appointments", `{"post":"mayor","city":"140100","from":"2016-01-05","document_no":"并政任〔2016〕3号","authority":" 太原市人大常委会"}`, "authority",
			"机关（authority）：首尾有空白"},
		{"a river chief without a river", "/api/officials/OFF-0001/appointments", `{"post":"river_chief","city":"140100","from":"2016-01-05","document_no":"并政任〔2016〕3号"}`, "river",
			"河流（river）：缺失，河长是某条河流的河长"},
		{"a departure without a reason", "/api/officials/OFF-0001/departures", `{"post":"mayor","city":"140100","to":"2017-01-05","reason":""}`, "reason", "离任原因（reason）：缺失"},
		{"a departure's note with a control character", "/api/officials/OFF-0001/departures", `{"post":"mayor","city":"140100","to":"2017-01-05","reason":"other","note":"调\u0007离"}`, "note",
			"备注（note）：含有控制字符"},
		{"a departure for another reason, unsaid", "/api/officials/OFF-0001/departures", `{"post":"mayor","city":"140100","to":"2017-01-05","reason":"other"}`, "note",
			"备注（note）：缺失，请说明离任原因"},
		{"a dismissal without its document", "/api/officials/OFF-0001/departures", `{"post":"mayor","city":"140100","to":"2017-01-05","reason":"dismissed"}`, "document_no",
			"文号（document_no）：缺失，免职须载明其文件"},

		// Accountability cases and decisions.
		{"a case without a kind", "/api/accountability/cases", `{"case":"x-1","kind":"","city":"大同","from":"2018-07-01","to":"2018-12-31","found_on":"2019-03-01","reference":{"document_no":"晋环监察〔2019〕4号"}}`, "kind",
			"案件类型（kind）：缺失"},
		{"a case's reference too long", "/api/accountability/cases", `{"case":"x-1","kind":"data_falsification","city":"大同","from":"2018-07-01","to":"2018-12-31","found_on":"2019-03-01","reference":{"document_no":"` + long + `"}}`, "reference.document_no",
			"认定文件文号（reference.document_no）：超过 200 字节"},
		{"a case without a reference", "/api/accountability/cases", `{"case":"x-1","kind":"data_falsification","city":"大同","from":"2018-07-01","to":"2018-12-31","found_on":"2019-03-01","reference":{}}`, "reference",
			"依据（reference）：缺失，请填写触发事件的日志位置或事件编号，或认定文件的文号"},
		{"a case's summary with surrounding whitespace", "/api/accountability/cases", `{"case":"x-1","kind":"data_falsification","city":"大同","from":"2018-07-01","to":"2018-12-31","found_on":"2019-03-01","reference":{"document_no":"晋环监察〔2019〕4号"},"summary":"伪造数据 "}`, "summary",
			"案情摘要（summary）：首尾有空白"},
		{"a decision without a document number", "/api/accountability/decisions", decision(`"document_no":"","authority":"山西省纪委监委"`), "document_no",
			"文号（document_no）：缺失，每项问责决定都载明文号"},
		{"a decision without an authority", "/api/accountability/decisions", decision(`"document_no":"晋纪发〔2019〕12号","authority":""`), "authority",
			"机关（authority）：缺失，请填写作出决定的机关"},
		{"a decision's basis too long", "/api/accountability/decisions", decision(`"document_no":"晋纪发〔2019〕12号","authority":"山西省纪委监委","basis":"` + strings.Repeat("据", 667) + `"`), "basis",
			"追责依据（basis）：超过 2000 字节"},
		{"no action without its reasons", "/api/accountability/decisions", `{"case":"2018-dt-falsify","city":"140200","official":"OFF-0001","decision":"no_action","date":"2019-04-01","document_no":"晋纪发〔2019〕12号","authority":"山西省纪委监委"}`, "note",
			"备注（note）：缺失，不予追究的决定须说明理由"},
		{"a decision on an official the case does not name", "/api/accountability/decisions", decision(`"document_no":"晋纪发〔2019〕12号","authority":"山西省纪委监委"`), "basis",
			"追责依据（basis）：缺失，案件 2018-dt-falsify 未列出 王建国（OFF-0001）（2018-07-01 至 2018-12-31 期间未担任该案所涉职务）：请说明其应被追责的理由"},

		// A task's status change.
		{"a suspension without a reason", task, `{"city":"140100","to":"suspended","date":"2016-03-01"}`, "reason",
			"原因（reason）：缺失，由未启动（not_started）改为暂停（suspended）须说明原因"},
		{"a completion without evidence", task, `{"city":"140100","to":"completed","date":"2016-03-01"}`, "evidence",
			"证据（evidence）：缺失，由未启动（not_started）改为已完成（completed）须有文号、出处或附件的 SHA-256"},
		{"a reason with a control character", task, `{"city":"140100","to":"suspended","reason":"停\u0000工","date":"2016-03-01"}`, "reason",
			"原因（reason）：含有控制字符"},
		{"evidence's document number too long", task, `{"city":"140100","to":"completed","evidence":{"document_no":"` + strings.Repeat("号", 167) + `"},"date":"2016-03-01"}`, "evidence.document_no",
			"证据文号（evidence.document_no）：超过 500 字节"},
		{"evidence's reference with surrounding whitespace", task, `{"city":"140100","to":"completed","evidence":{"reference":"档案 1 "},"date":"2016-03-01"}`, "evidence.reference",
			"证据出处（evidence.reference）：首尾有空白"},
		{"a file without its SHA-256", task, `{"city":"140100","to":"completed","evidence":{"file":"验收报告.pdf"},"date":"2016-03-01"}`, "evidence.sha256",
			"附件 SHA-256（evidence.sha256）：缺失，附件以其 SHA-256 标识"},
		{"a change without its status", task, `{"city":"140100","to":"","date":"2016-03-01"}`, "to", "目标状态（to）：缺失"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.refusedInChinese(t, domain.Assessment, "POST", tc.path, tc.body, 400, tc.field, tc.zh)
		})
	}
}
