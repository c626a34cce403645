package domain

import "testing"

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		s   string
		max int
		ok  bool
	}{
		{"", 10, true}, {"晋环函〔2019〕30号", 64, true}, {" x", 10, false}, {"x\n", 10, false}, {"a\tb", 10, false},
		{"\xff", 10, false}, {"0123456789", 10, true}, {"01234567890", 10, false},
	} {
		if err := CheckText(tc.s, tc.max); (err == nil) != tc.ok {
			t.Errorf("CheckText(%q, %d) = %v, want ok %v", tc.s, tc.max, err, tc.ok)
		}
	}
}

// Every fault CheckText finds is said in Chinese, and nothing else is.
func TestTextZh(t *testing.T) {
	for s, want := range map[string]string{" x": "首尾有空白", "a\tb": "含有控制字符", "\xff": "不是有效的 UTF-8 文本", "01234567890": "超过 10 字节"} {
		err := CheckText(s, 10)
		if got := TextZh(err.Error()); got != want {
			t.Errorf("TextZh(%q) = %q, want %q", err, got, want)
		}
	}
	for reason, want := range map[string]string{"missing": "缺失", "longer than 10 bytes: and more": "", "no such thing": ""} {
		if got := TextZh(reason); got != want {
			t.Errorf("TextZh(%q) = %q, want %q", reason, got, want)
		}
	}
}
