package wizard_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/wizard"
)

// chromium finds a Chromium or Chrome to drive: $CRMIO_CHROMIUM, else one
// on the PATH (Debian's chromium package installs /usr/bin/chromium).
func chromium() string {
	if p := os.Getenv("CRMIO_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowserEndToEnd drives headless Chromium through the whole wizard as
// a person would: upload a file, change a suggestion, look at the preview,
// import it and follow its progress to the summary, download the failed
// rows, export the records, roll the import back, look at the history and
// export again. It saves a screenshot of each step in its temporary
// directory, or in $CRMIO_SCREENSHOTS when set (to keep them).
func TestBrowserEndToEnd(t *testing.T) {
	exe := chromium()
	if exe == "" {
		testenv.Skip(t, testenv.Chromium, "no Chromium found: skipping the browser test")
	}
	shots := os.Getenv("CRMIO_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	downloads := t.TempDir()

	// Each row takes a moment, so that the progress step can be seen.
	slow := func(wizard.Caller, string) *importer.Hooks {
		return &importer.Hooks{Row: func(ctx context.Context, r *importer.Row) error {
			select {
			case <-time.After(150 * time.Millisecond):
			case <-ctx.Done():
			}
			return nil
		}}
	}
	e := newEnv(t, &wizard.Options{Authorize: wizard.SingleCaller("ann"), Hooks: slow, Title: "Import contacts",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	defer cancelTab()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	step := 0
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			step++
			png, err := chromedp.FullScreenshot(100)(ctx, tg) // quality 100: a PNG
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, fmt.Sprintf("%02d-%s.png", step, name)), png, 0o644)
		})
	}

	// Open the browser, and let downloads land in downloads, named by
	// their GUID, with an event when each completes.
	do("start the browser", chromedp.Navigate("about:blank"))
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 8)
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		if d, ok := ev.(*browser.EventDownloadProgress); ok && d.State == browser.DownloadProgressStateCompleted {
			done <- d.GUID
		}
	}); err != nil {
		t.Fatal(err)
	}
	download := func(what string, sel string) string {
		t.Helper()
		do(what, chromedp.Click(css(sel)))
		select {
		case guid := <-done:
			b, err := os.ReadFile(filepath.Join(downloads, guid))
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return string(b)
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: no download", what)
		}
		return ""
	}
	file, err := filepath.Abs("testdata/contacts.csv")
	if err != nil {
		t.Fatal(err)
	}

	// CRMIO_WIZARD_URL drives a wizard served elsewhere (crmio serve on a
	// fresh store) instead: the same steps, by hand.
	base := e.base
	if u := os.Getenv("CRMIO_WIZARD_URL"); u != "" {
		base = u
	}
	do("open the wizard",
		chromedp.Navigate(base),
		chromedp.WaitVisible(css(`html[data-ready="true"] #upload-form`)),
		shot("upload"))

	// 1. Upload.
	do("upload",
		chromedp.SetValue(css("#module"), "people"),
		chromedp.SetUploadFiles(css("#file"), []string{file}),
		chromedp.Click(css("#upload-button")),
		chromedp.WaitVisible(css("#step-map")),
		chromedp.WaitVisible(css(`#map-table tbody tr[data-column="7"]`)),
		shot("map"))
	// Focus moves to the step's heading, for keyboard and screen-reader users.
	if focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); err != nil || focused != "h-map" {
		t.Errorf("after the upload the focus is on %q (%v), want the step's heading", focused, err)
	}
	if s := text(`#map-table tbody tr[data-column="6"]`); !strings.Contains(s, "Born") || !strings.Contains(s, "High") || !strings.Contains(s, "known name for Birthday") {
		t.Errorf("the Born column's row reads %q; want its suggestion with confidence and reason", s)
	}

	// 2. Change a suggestion: Born goes to "Created on", not Birthday.
	picked, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const s = document.querySelector("#map-col-6");
		s.focus();
		const o = Array.from(s.options).find((o) => o.text === "Created on");
		s.value = o.value; s.dispatchEvent(new Event("change", {bubbles: true})); return o.text; })()`))
	if err != nil {
		t.Fatal(err)
	}
	do("after the change", shot("map-changed"))
	if s := text(`#map-table tbody tr[data-column="6"] td:last-child`); picked != "Created on" || !strings.Contains(s, "Your choice") {
		t.Errorf("after the change the suggestion cell reads %q", s)
	}

	// 3. Preview with options.
	do("preview",
		chromedp.Click(css("#map-next")),
		chromedp.WaitVisible(css(`#check-table tbody tr[data-row="3"]`)),
		chromedp.Click(css("#auto-refs")),
		chromedp.SetValue(css("#mode"), "streaming"),
		chromedp.Click(css(`#options-form button[type="submit"]`)),
		chromedp.WaitVisible(css(`#check-table[data-checks="2"][aria-busy="false"] tbody tr[data-row="3"][data-status="error"]`)),
		shot("preview"))
	if s := text(`#check-table tbody tr[data-row="3"]`); !strings.Contains(s, `"alan@" is not an email address`) {
		t.Errorf("row 3 of the preview reads %q", s)
	}
	if s := text("#check-counts"); !strings.Contains(s, "4 would be created") || !strings.Contains(s, "2 would fail") || !strings.Contains(s, "4 referenced records would be created") {
		t.Errorf("the preview's counts read %q", s)
	}

	// 4. Import, following the progress to the summary.
	do("import",
		chromedp.Click(css("#start-import")),
		chromedp.WaitVisible(css("#step-progress")),
		shot("progress"),
		chromedp.WaitVisible(css("#step-summary")),
		chromedp.WaitVisible(css("#summary-failed")),
		shot("summary"))
	if s := text("#summary-counts"); !strings.Contains(s, "Created\n4") && !strings.Contains(s, "Created4") {
		t.Errorf("the summary's counts read %q", s)
	}
	if s := text("#problems-table"); !strings.Contains(s, "E-mail Address") {
		t.Errorf("the problems read %q", s)
	}

	// 5. Download the failed rows.
	failed := download("download the failed rows", "#failed-csv")
	recs, err := csv.NewReader(strings.NewReader(failed)).ReadAll()
	if err != nil || len(recs) != 3 || recs[0][len(recs[0])-1] != "Error" || recs[1][0] != "Alan" {
		t.Errorf("the failed rows downloaded: %q, %v", recs, err)
	}

	// 6. Export the module: the changed column went to Created on.
	do("open the export", chromedp.Click(css("#summary-export")), chromedp.WaitVisible(css("#view-export")), shot("export"))
	exported := download("export", "#export-button")
	if !strings.Contains(exported, "Created on") || !strings.Contains(exported, "1815-12-10") || !strings.Contains(exported, "Lovelace") {
		t.Errorf("the export:\n%s", exported)
	}

	// 7. Roll back, from the job's summary.
	do("roll back",
		chromedp.NavigateBack(),
		chromedp.WaitVisible(css("#rollback-start")),
		chromedp.Click(css("#rollback-start")),
		chromedp.WaitVisible(css("#rollback-yes")),
		shot("rollback-confirm"),
		chromedp.Click(css("#rollback-yes")),
		chromedp.WaitVisible(css("#rollback-result")),
		shot("rolled-back"))
	if s := text("#rollback-result"); !strings.Contains(s, "8 records deleted") {
		t.Errorf("the rollback says %q", s)
	}

	// 8. The history, then an export that finds nothing.
	do("history",
		chromedp.Click(css(`a[href="#/history"]`)),
		chromedp.WaitVisible(css(`#history-table tbody tr`)),
		shot("history"))
	if s := text("#history-table tbody"); !strings.Contains(s, "contacts.csv") || !strings.Contains(s, "Rolled back") {
		t.Errorf("the history reads %q", s)
	}
	do("export after the rollback", chromedp.Click(css(`a[href="#/export"]`)), chromedp.WaitVisible(css("#view-export")),
		chromedp.SetValue(css("#export-module"), "people"))
	exported = download("export after the rollback", "#export-button")
	if lines := strings.Count(strings.TrimSpace(exported), "\n"); lines != 0 {
		t.Errorf("after the rollback the export has %d records:\n%s", lines, exported)
	}
	t.Logf("screenshots in %s", shots)
}
