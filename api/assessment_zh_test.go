package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
)

// The assessment team reads the ledger in Chinese: its own requests
// refused (publishing a year, a consequence) say why in Chinese too, in
// message_zh, as an upload's and an enforcement request's errors do.
func TestAssessmentErrorsInChinese(t *testing.T) {
	f := setup(t)
	zh := func(code int, b []byte, status int, field string) string {
		t.Helper()
		require.Equal(t, status, code, string(b))
		var e struct {
			Error struct {
				Field, Message string
				MessageZh      string `json:"message_zh"`
			}
		}
		require.NoError(t, json.Unmarshal(b, &e))
		require.Equal(t, field, e.Error.Field, string(b))
		require.NotEmpty(t, e.Error.MessageZh, "no Chinese for %q", e.Error.Message)
		return e.Error.MessageZh
	}
	code, b := f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号"}`, "application/json")
	require.Equal(t, "2019 年没有施行中的考核办法：请先采用考核办法（POST /api/assessment/rules）", zh(code, b, 404, "year"))
	code, b = f.do("POST", "/api/assessment/rules", domain.Assessment, standardRules, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号"}`, "application/json")
	require.Equal(t, "2019 年没有既有考核目标、又有足以评价类别的监测数据的断面：尚无可评价的数据", zh(code, b, 409, "year"))

	var csvBody strings.Builder
	csvBody.WriteString("section,sampled_at,source,DO,NH3N\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csvBody, "FH-HJDQ,2019-%02d-10 09:00,manual,4.0,2.6\n", m) // 劣V, target IV
	}
	code, b = f.do("POST", "/api/samples/import", domain.Admin, csvBody.String(), "text/csv")
	require.Equal(t, 200, code, string(b))
	code, b = f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号"}`, "application/json")
	msg := zh(code, b, 409, "incomplete")
	require.True(t, strings.HasPrefix(msg, "2019 年 11 个城市中有 10 个缺少数据：太原（无登记断面）；"), msg)
	require.Contains(t, msg, "忻州（其断面无足够数据定类）", "Xinzhou's one section has no sample")
	require.Contains(t, msg, "（\"incomplete\": true；ledger publish --incomplete）")
	code, b = f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕30号","incomplete":true}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/assessment/2019/publish", domain.Assessment, `{"document":"晋环函〔2020〕31号","incomplete":true}`, "application/json")
	require.Regexp(t, `^2019 年度考核结果已于 \d{4}-\d\d-\d\d 公布（晋环函〔2020〕30号）；已公布的结果不再变更$`, zh(code, b, 409, "year"))

	// Consequences: for a failed city only, once, dated after the publication.
	code, b = f.do("POST", "/api/assessment/2019/cities/太原/consequences", domain.Assessment, `{"kind":"interview","document":"晋环函〔2020〕41号","authority":"省生态环境厅"}`, "application/json")
	require.Equal(t, "太原 2019 年度考核等级为优秀：约谈、区域限批、整改仅适用于考核不合格的城市", zh(code, b, 409, "city"))
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment, `{"kind":"interview","document":"晋环函〔2020〕41号","authority":""}`, "application/json")
	require.Equal(t, "作出决定的机关（authority）：缺失", zh(code, b, 400, "authority"))
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment, `{"kind":"rectification","document":"晋环函〔2020〕42号","authority":"省生态环境厅"}`, "application/json")
	require.Equal(t, "缺失：整改期限（deadline）", zh(code, b, 400, "deadline"))
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment, `{"kind":"restriction","document":"晋环函〔2020〕43号","authority":"省生态环境厅","area":"运城市","from":"2020-01-01","to":"2020-12-31"}`, "application/json")
	require.Equal(t, "限批开始日期 2020-01-01 早于作出限批之日（2020-06-01）", zh(code, b, 400, "from"))
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment, `{"kind":"interview","document":"晋环函〔2020〕41号","authority":"省生态环境厅"}`, "application/json")
	require.Equal(t, 201, code, string(b))
	code, b = f.do("POST", "/api/assessment/2019/cities/运城/consequences", domain.Assessment, `{"kind":"interview","document":"晋环函〔2020〕44号","authority":"省生态环境厅"}`, "application/json")
	require.Regexp(t, `^该城市该年度的约谈已记录（晋环函〔2020〕41号）：一个不合格年度约谈一次（位置 \d+）$`, zh(code, b, 409, "kind"))
}
