// Package console is the web console (issue 15): static pages, plain ES
// modules and their message catalogues, embedded in the binary and served by
// the API at / (index.html) and /console/ (everything else). The console calls
// the JSON API under /api/v1 exactly as curl does; it holds no rule of its own.
// CONSOLE.md describes its conventions.
package console

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
)

//go:embed static
var static embed.FS

// Assets are the console's files, rooted at the static directory.
var Assets = func() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}()

// Prefix is the path under which the console's files are served.
const Prefix = "/console/"

// Handler serves index.html at / and the console's files under Prefix;
// every answer is revalidated (no-cache), so a new binary's pages are
// seen at once.
func Handler() http.Handler {
	files := http.StripPrefix(Prefix, http.FileServerFS(Assets))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		if r.URL.Path == "/" {
			http.ServeFileFS(w, r, Assets, "index.html")
			return
		}
		files.ServeHTTP(w, r)
	})
}

// Dirs lists the directories of Assets ("" for the top), so that the API
// routes /console/{file}, /console/pages/{file} and so on one level each
// (every route is described in api/openapi.yaml).
func Dirs() []string {
	var dirs []string
	_ = fs.WalkDir(Assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			if p == "." {
				p = ""
			}
			dirs = append(dirs, p)
		}
		return err
	})
	return dirs
}

// Route is the path pattern, in Echo's syntax, of the files of a directory
// of Dirs.
func Route(dir string) string { return path.Join(Prefix, dir) + "/:file" }
