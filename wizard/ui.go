package wizard

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// The web UI: plain HTML, CSS and JavaScript, embedded; no build step.
//
//go:embed ui
var uiFiles embed.FS

var (
	indexTemplate = template.Must(template.ParseFS(uiFiles, "ui/index.html"))
	// assetVersion changes with the assets, so that a browser caching
	// them never runs an old script against a new API.
	assetVersion = sync.OnceValue(func() string {
		h := sha256.New()
		_ = fs.WalkDir(uiFiles, "ui", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := uiFiles.ReadFile(p)
				h.Write([]byte(p))
				h.Write(b)
			}
			return nil
		})
		return hex.EncodeToString(h.Sum(nil))[:12]
	})
)

// serveIndex serves the UI's page. Its links are relative: the page works
// under whatever path ending in / it is served at.
func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, code: "method_not_allowed", msg: r.Method + " is not allowed here"})
		return
	}
	var buf bytes.Buffer
	err := indexTemplate.Execute(&buf, map[string]any{
		"Title": s.opts.Title, "CSS": template.CSS(s.opts.CSS), "Version": assetVersion(),
	})
	if err != nil {
		writeError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(buf.Bytes())
	}
}

// serveAsset serves one of the UI's scripts and stylesheets.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	if name == "index.html" || strings.Contains(name, "..") || strings.Contains(name, "/") {
		writeError(w, errNotFound("no asset "+quote(name)))
		return
	}
	b, err := uiFiles.ReadFile(path.Join("ui", name))
	if err != nil {
		writeError(w, errNotFound("no asset "+quote(name)))
		return
	}
	h := w.Header()
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		h.Set("Content-Type", ct)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == assetVersion() {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, startTime, bytes.NewReader(b))
}

// startTime is the assets' modification time: they change with the binary.
var startTime = time.Now()
