package objects

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	pathpkg "path"
	"slices"
	"strings"
	"time"

	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/providers/internal/localfiles"
)

// Entry is one object of a bucket listing.
type Entry struct {
	Key     string
	Size    int64
	ETag    string
	ModTime time.Time
}

// Bucket is what MatchBucket needs of a store that keeps objects under
// keys rather than files in folders (S3).
type Bucket interface {
	// URL names a key, for File.Path, File.Name and messages
	// ("s3://bucket/key").
	URL(key string) string
	// Stat returns the entry of one key; when there is none, an error
	// satisfying errors.Is(err, fs.ErrNotExist).
	Stat(ctx context.Context, key string) (Entry, error)
	// List returns every entry whose key starts with prefix, in any
	// order; when the bucket does not exist, an error satisfying
	// errors.Is(err, fs.ErrNotExist) that says so.
	List(ctx context.Context, prefix string) ([]Entry, error)
	// ReadAll returns the content of a small object (a manifest); when
	// there is none, an error satisfying errors.Is(err, fs.ErrNotExist).
	ReadAll(ctx context.Context, key string) ([]byte, error)
}

// MatchBucket returns the files that the key pattern prefix names in b,
// with localfiles.Match's rules applied to keys as paths: path is the
// source's path as written, for messages.
//
//   - A prefix holding a wildcard (*?[) is a glob, path.Match syntax
//     applied to each key's first segments: a key that matches is a
//     file, a key below a matching folder is a file of that folder. The
//     listing starts at the folder before the first wildcard.
//   - A prefix ending with "/", or empty, is a folder: every key below it.
//   - Any other prefix is the object of that key if there is one, the
//     folder prefix+"/" otherwise.
//
// Inside folders, keys below a segment that localfiles.SkipName rejects
// (hidden, "_") are left out, and so are keys without the extension ext
// (none when ext is empty). A folder holding a manifest
// (lakeio.ManifestName) stands for the files its manifest lists in the
// current version's folder, listed once to learn their sizes and ETags
// (a listed file that is not stored is an error), and is not walked;
// their Rel is taken as if the version's folder were the published
// folder. A folder with no key below it is an error saying that nothing
// matches; one whose keys are all skipped, that there are no files.
func MatchBucket(ctx context.Context, b Bucket, path, prefix, ext string) ([]File, error) {
	l := &keyLister{b: b, ext: ext}
	switch {
	case strings.ContainsAny(prefix, "*?["):
		if err := l.glob(ctx, path, prefix); err != nil {
			return nil, err
		}
	case prefix == "" || strings.HasSuffix(prefix, "/"):
		if err := l.folder(ctx, path, prefix); err != nil {
			return nil, err
		}
	default:
		e, err := b.Stat(ctx, prefix)
		switch {
		case err == nil:
			l.add(e, pathpkg.Base(prefix))
		case errors.Is(err, fs.ErrNotExist):
			if err := l.folder(ctx, path, prefix+"/"); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
	}
	slices.SortFunc(l.files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	l.files = slices.CompactFunc(l.files, func(a, b File) bool { return a.Path == b.Path })
	return l.files, nil
}

// keyLister collects the files of a bucket source; its fields mirror
// localfiles' lister.
type keyLister struct {
	b     Bucket
	ext   string
	files []File
	// published is set when a manifest was read.
	published bool
	// otherFormat holds, for messages, the first file a manifest lists
	// that ext filters out, and the manifest.
	otherFormat, otherManifest, otherFormatName string
}

// add adds the object of e, whose path below the source's root is rel.
func (l *keyLister) add(e Entry, rel string) {
	url := l.b.URL(e.Key)
	l.files = append(l.files, File{Path: url, Name: url, Rel: rel, Size: e.Size, ETag: e.ETag, ModTime: e.ModTime})
}

// folder adds the files of the folder dir (a prefix ending with "/", or
// empty for the whole bucket) that path names.
func (l *keyLister) folder(ctx context.Context, path, dir string) error {
	// A published folder is read through its manifest without listing
	// its versions.
	published, err := l.tryManifest(ctx, dir, dir)
	if err != nil {
		return err
	}
	if !published {
		entries, err := l.b.List(ctx, dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("no file or directory matches %q (%v)", path, err)
			}
			return err
		}
		if len(entries) == 0 {
			return fmt.Errorf("no file or directory matches %q (no object's key starts with %q)", path, dir)
		}
		sortKeys(entries)
		if err := l.walk(ctx, entries, dir, dir); err != nil {
			return err
		}
	}
	if len(l.files) == 0 {
		if err := l.noFiles(); err != nil {
			return err
		}
		if !l.published {
			return fmt.Errorf("no %sfiles in %q; hidden files and files starting with _ are skipped", extWord(l.ext), path)
		}
	}
	return nil
}

// glob adds the files that the pattern prefix matches.
func (l *keyLister) glob(ctx context.Context, path, prefix string) error {
	pattern := strings.TrimSuffix(prefix, "/")
	if _, err := pathpkg.Match(pattern, ""); err != nil {
		return fmt.Errorf("%q is not a valid glob pattern: %w", path, err)
	}
	wild := strings.IndexAny(pattern, "*?[")
	base := pattern[:strings.LastIndexByte(pattern[:wild], '/')+1]
	segments := strings.Count(pattern[len(base):], "/") + 1
	entries, err := l.b.List(ctx, base)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no files match %q (%v)", path, err)
		}
		return err
	}
	sortKeys(entries)
	// A match is a key (a file) or the folder of the keys below it; the
	// keys below one folder are contiguous in the sorted listing.
	type match struct {
		name    string // the key, or the folder without its "/"
		entries []Entry
		folder  bool
	}
	var matches []match
	for i := 0; i < len(entries); {
		rel := entries[i].Key[len(base):]
		parts := strings.SplitN(rel, "/", segments+1)
		if len(parts) < segments {
			i++
			continue
		}
		name := base + strings.Join(parts[:segments], "/")
		if ok, _ := pathpkg.Match(pattern, name); !ok {
			i++
			continue
		}
		if len(parts) == segments {
			matches = append(matches, match{name: name, entries: entries[i : i+1]})
			i++
			continue
		}
		j := i + 1
		for j < len(entries) && strings.HasPrefix(entries[j].Key, name+"/") {
			j++
		}
		matches = append(matches, match{name: name, entries: entries[i:j], folder: true})
		i = j
	}
	for _, m := range matches {
		if localfiles.SkipName(pathpkg.Base(m.name)) {
			continue
		}
		if !m.folder {
			l.add(m.entries[0], relativeTo(base, m.name))
			continue
		}
		dir := m.name + "/"
		if err := l.walk(ctx, m.entries, dir, base); err != nil {
			return err
		}
	}
	if len(l.files) == 0 {
		if err := l.noFiles(); err != nil {
			return err
		}
		if !l.published {
			return fmt.Errorf("no files match %q", path)
		}
	}
	return nil
}

// walk adds the files of the folder root from entries, the keys below
// it sorted by sortKeys, as localfiles walks a directory: a folder
// holding a manifest is read through it; keys below skipped segments, and
// skipped or unwanted file names, are left out. Rel is taken against
// base.
func (l *keyLister) walk(ctx context.Context, entries []Entry, root, base string) error {
	manifests := make(map[string]bool)
	for _, e := range entries {
		if d, ok := strings.CutSuffix(e.Key, lakeio.ManifestName); ok && (d == "" || strings.HasSuffix(d, "/")) && strings.HasPrefix(d, root) {
			manifests[d] = true
		}
	}
	read := make(map[string]bool)
	for _, e := range entries {
		dir, rel := root, e.Key[len(root):]
		skip := false
		for {
			if manifests[dir] {
				if !read[dir] {
					read[dir] = true
					if _, err := l.tryManifest(ctx, dir, base); err != nil {
						return err
					}
				}
				skip = true
				break
			}
			i := strings.IndexByte(rel, '/')
			if i < 0 {
				break
			}
			if seg := rel[:i]; seg == "" || localfiles.SkipName(seg) {
				skip = true
				break
			}
			dir, rel = dir+rel[:i+1], rel[i+1:]
		}
		if skip || rel == "" || localfiles.SkipName(rel) || !l.wants(rel) {
			continue
		}
		l.add(e, relativeTo(base, e.Key))
	}
	return nil
}

// tryManifest adds the files that the manifest of the folder dir lists,
// and reports whether dir holds one.
func (l *keyLister) tryManifest(ctx context.Context, dir, base string) (bool, error) {
	key := dir + lakeio.ManifestName
	name := l.b.URL(key)
	data, err := l.b.ReadAll(ctx, key)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read manifest %s: %w", name, err)
	}
	m, _, err := localfiles.ParseManifest(data, name)
	if err != nil {
		return false, err
	}
	l.published = true
	version := dir + lakeio.VersionDir(m.VersionID) + "/"
	// prefix places the version's files where the published folder lies
	// below base.
	prefix := ""
	if dir != base {
		prefix = relativeTo(base, strings.TrimSuffix(dir, "/")) + "/"
	}
	var stored map[string]Entry
	for _, f := range m.Files {
		if !l.wants(f.Path) {
			if l.otherFormat == "" {
				l.otherFormat = lakeio.VersionDir(m.VersionID) + "/" + f.Path
				l.otherManifest = name
				l.otherFormatName = m.Format
			}
			continue
		}
		if stored == nil {
			entries, err := l.b.List(ctx, version)
			if err != nil {
				return false, fmt.Errorf("list the files of %s: %w", name, err)
			}
			stored = make(map[string]Entry, len(entries))
			for _, e := range entries {
				stored[e.Key] = e
			}
		}
		e, ok := stored[version+f.Path]
		if !ok {
			return false, fmt.Errorf("%s lists %s, which is not stored: %s does not exist", name, lakeio.VersionDir(m.VersionID)+"/"+f.Path, l.b.URL(version+f.Path))
		}
		l.add(e, prefix+f.Path)
	}
	return true, nil
}

// noFiles returns the error for a source that yields no file when a
// manifest listed files of another format; nil otherwise.
func (l *keyLister) noFiles() error {
	if l.otherFormat == "" {
		return nil
	}
	format := ""
	if l.otherFormatName != "" {
		format = fmt.Sprintf(" (it is published as %s)", l.otherFormatName)
	}
	return fmt.Errorf("%s lists %s, no %sfile%s", l.otherManifest, l.otherFormat, extWord(l.ext), format)
}

// wants reports whether a key or file name has the extension the source
// reads.
func (l *keyLister) wants(name string) bool {
	return l.ext == "" || strings.EqualFold(pathpkg.Ext(name), l.ext)
}

// extWord names the files an extension selects, for messages: ".csv "
// for ".csv", nothing when every file counts.
func extWord(ext string) string {
	if ext == "" {
		return ""
	}
	return ext + " "
}

// relativeTo returns key relative to the folder base (empty or ending
// with "/"); key lies below it.
func relativeTo(base, key string) string {
	return strings.TrimPrefix(key, base)
}

// sortKeys sorts entries as a walk of folders meets them: segment by
// segment, so that "a/x" comes before "a.b" as folder a comes before
// file a.b (byte order would put "." before "/").
func sortKeys(entries []Entry) {
	slices.SortFunc(entries, func(a, b Entry) int { return compareKeys(a.Key, b.Key) })
}

// compareKeys compares keys with "/" below every other byte.
func compareKeys(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		switch {
		case x == '/':
			return -1
		case y == '/':
			return 1
		case x < y:
			return -1
		}
		return 1
	}
	return cmpInt64(int64(len(a)), int64(len(b)))
}
