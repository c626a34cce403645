package api_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shanxi-water/ledger/domain"
)

// chromium finds Debian's chromium. CI installs it (.ci/run) and sets
// LEDGER_REQUIRE_CHROMIUM, so there the test cannot quietly skip.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("LEDGER_REQUIRE_CHROMIUM") != "" {
		t.Fatal("chromium is required (LEDGER_REQUIRE_CHROMIUM is set) but not installed")
	}
	t.Skip("skipped: no chromium on this machine (apt-get install chromium fonts-noto-cjk; .ci/run installs it)")
	return ""
}

// browse opens path in headless chromium after signing in with the role's
// token, and returns the rendered DOM and a screenshot.
func (f *fixture) browse(t *testing.T, bin string, role domain.Role, path string) (string, []byte) {
	t.Helper()
	u := f.url + "/login?token=" + url.QueryEscape(f.tokens[role]) + "&next=" + url.QueryEscape(path)
	dir := t.TempDir()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--window-size=1280,1000"}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dom, err := exec.CommandContext(ctx, bin, append(args, "--dump-dom", u)...).Output()
	require.NoError(t, err)
	shot := filepath.Join(dir, "page.png")
	out, err := exec.CommandContext(ctx, bin, append(args, "--screenshot="+shot, u)...).CombinedOutput()
	require.NoError(t, err, string(out))
	png, err := os.ReadFile(shot)
	require.NoError(t, err)
	if d := os.Getenv("LEDGER_SCREENSHOTS"); d != "" {
		_ = os.WriteFile(filepath.Join(d, strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(path)+".png"), png, 0o644)
	}
	return string(dom), png
}

// pixels counts the screenshot's pixels within 8 of a colour on each channel.
func pixels(t *testing.T, shot []byte, hex string) int {
	img, err := png.Decode(bytes.NewReader(shot))
	require.NoError(t, err)
	var r0, g0, b0 int
	_, err = fmt.Sscanf(hex, "#%02x%02x%02x", &r0, &g0, &b0)
	require.NoError(t, err)
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if abs(int(r>>8)-r0) <= 8 && abs(int(g>>8)-g0) <= 8 && abs(int(b>>8)-b0) <= 8 {
				n++
			}
		}
	}
	return n
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestDashboardInChromium(t *testing.T) {
	bin := chromium(t)
	f := setup(t)
	var csv strings.Builder
	csv.WriteString("section,sampled_at,source,DO,NH3N,TP\n")
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&csv, "FH-HJDQ,2019-%02d-10 09:00,manual,4.1,2.6,0.36\n", m) // 劣V
		fmt.Fprintf(&csv, "HH-NZ,2019-%02d-10 09:00,manual,8.1,0.2,0.05\n", m)   // II
	}
	code, b := f.do("POST", "/api/samples/import", domain.Admin, csv.String(), "text/csv")
	require.Equal(t, 200, code, string(b))

	// The province overview, in Chinese by default: chart and table.
	dom, shot := f.browse(t, bin, domain.Auditor, "/")
	require.Contains(t, dom, "山西省水污染防治考核台账")
	require.Contains(t, dom, `id="basin-chart"`)
	require.Contains(t, dom, `class="bar-iii"`)
	require.Contains(t, dom, "黄河流域")
	require.Contains(t, dom, `id="lang-switch" href="?lang=en">English`)
	require.Greater(t, pixels(t, shot, "#7fb3d5"), 200, "the Hai-River section at class II is drawn as a bar up")
	require.Greater(t, pixels(t, shot, "#e06060"), 200, "the Yellow-River section worse than V is drawn as a bar down")
	require.Contains(t, dom, `<td>2019</td><td>黄河流域</td><td class="num">1</td>`)

	// The English switch.
	dom, _ = f.browse(t, bin, domain.Auditor, "/?lang=en")
	require.Contains(t, dom, "Shanxi Water-Pollution Assessment Ledger")
	require.Contains(t, dom, "Yellow River")
	require.NotContains(t, dom, "黄河流域")

	// A city page: its sections' classes as a chart, red for 劣V.
	dom, shot = f.browse(t, bin, domain.Auditor, "/city/140800?year=2019")
	require.Contains(t, dom, "河津大桥")
	require.Contains(t, dom, `id="class-chart"`)
	require.Contains(t, dom, "劣V")
	require.Greater(t, pixels(t, shot, "#d32f2f"), 100, "劣V months are red")

	// The city ranking.
	dom, _ = f.browse(t, bin, domain.Auditor, "/cities?year=2019")
	require.Contains(t, dom, `id="city-ranking"`)
	require.Contains(t, dom, "忻州")

	// The audit timeline with the chain status.
	dom, _ = f.browse(t, bin, domain.Auditor, "/audit/140800")
	require.Contains(t, dom, "哈希链完整")
	require.Contains(t, dom, "section.samples_recorded")

	// Without a token the dashboard asks for one.
	dom, _ = f.browse(t, bin, "", "/")
	require.Contains(t, dom, `name="token"`)
}
