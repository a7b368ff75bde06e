package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/providers/internal/localfiles"
)

// VersionManifestSuffix ends the name of the object, beside a version's
// folder, that marks its upload complete: _versions/<id>.manifest.json,
// a copy of the version's manifest. A version folder without one is what
// a killed publish left, and Prune deletes it.
const VersionManifestSuffix = ".manifest.json"

// LakeOptions say how the S3 lake reaches S3 and where it stages.
type LakeOptions struct {
	// S3 says how to reach S3; every path of this lake uses it. Outputs
	// with their own endpoint get a Lake each (see lakeio.Router).
	S3 Options
	// StagingRoot is the local folder where versions are written before
	// they are uploaded (the workspace's .meshctl/staging).
	StagingRoot string
	// Concurrency bounds the requests a publish or a deep verify has in
	// flight; 0 means DefaultConcurrency.
	Concurrency int
	// PartSize is the size of multipart uploads' parts (at least 5 MiB);
	// 0 means DefaultPartSize.
	PartSize int64
	// MultipartThreshold is the file size from which uploads are
	// multipart; 0 means DefaultMultipartThreshold.
	MultipartThreshold int64
}

// Lake publishes outputs to S3 (paths s3://bucket/prefix/): it implements
// lakeio.Lake with lakeio's layout, under the output's prefix P:
//
//	P_manifest.json                  the current version, written last
//	P_versions/<id>/…                each version's files
//	P_versions/<id>.manifest.json    the version's manifest: its upload is complete
//
// Versions are staged in a local folder (below StagingRoot), where the
// sinkers write as they do for local outputs; Publish uploads every
// staged file, then the version's manifest beside its folder, then the
// output's manifest. S3 replaces an object atomically and reads after a
// write are consistent, so that a reader that goes through the manifest
// sees the old version or the new one, whole; a publish killed midway
// leaves objects that nothing names, which Prune deletes.
//
// The S3 client is created on first use, so that a workspace without S3
// paths never loads the AWS configuration. Calls that change one output
// (Stage, Publish, Discard, Prune, Delete) are made by the apply that
// holds the workspace's lock, one at a time per output; Prune relies on
// it to delete the uploads it finds in progress.
type Lake struct {
	o LakeOptions

	mu     sync.Mutex
	client *s3.Client
	// attempted holds the versions ("<location>\x00<id>") this process
	// began to upload, which Discard must delete remotely.
	attempted map[string]bool

	// listPageSize is the page size of listings (0: S3's 1,000); tests
	// lower it to exercise pagination.
	listPageSize int32
}

var _ lakeio.Lake = (*Lake)(nil)

// NewLake returns the S3 lake. Nothing is contacted until the first call.
func NewLake(o LakeOptions) (*Lake, error) {
	if o.StagingRoot == "" {
		return nil, errors.New("the S3 lake needs a staging folder")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	if o.PartSize < minPartSize {
		return nil, fmt.Errorf("part size %d is below S3's minimum of 5 MiB", o.PartSize)
	}
	if o.MultipartThreshold <= 0 {
		o.MultipartThreshold = DefaultMultipartThreshold
	}
	return &Lake{o: o, attempted: map[string]bool{}}, nil
}

// s3Client returns the client, creating it on first use; a failure is
// retried by the next call.
func (l *Lake) s3Client(ctx context.Context) (*s3.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.client == nil {
		c, err := NewClient(ctx, l.o.S3)
		if err != nil {
			return nil, err
		}
		l.client = c
	}
	return l.client, nil
}

// output parses the path of a published output: its prefix is a folder
// (a slash is added when missing).
func (l *Lake) output(ctx context.Context, path string) (Location, *s3.Client, error) {
	if err := ctx.Err(); err != nil {
		return Location{}, nil, err
	}
	loc, err := Parse(path)
	if err != nil {
		return Location{}, nil, err
	}
	if loc.Prefix != "" && !strings.HasSuffix(loc.Prefix, "/") {
		loc.Prefix += "/"
	}
	c, err := l.s3Client(ctx)
	if err != nil {
		return Location{}, nil, err
	}
	return loc, c, nil
}

func manifestKey(loc Location) string { return loc.Prefix + lakeio.ManifestName }
func versionsPrefix(loc Location) string {
	return loc.Prefix + lakeio.VersionsDir + "/"
}
func versionPrefix(loc Location, id string) string {
	return loc.Prefix + lakeio.VersionDir(id) + "/"
}
func versionManifestKey(loc Location, id string) string {
	return loc.Prefix + lakeio.VersionDir(id) + VersionManifestSuffix
}

// stagingDir is the local folder of version id of the output at loc:
// StagingRoot/<bucket>-<hash of the location>/<id>, so that outputs (and
// apply's versions, which may share an id) never share one.
func (l *Lake) stagingDir(loc Location, id string) string {
	return filepath.Join(l.stagingParent(loc), id)
}

func (l *Lake) stagingParent(loc Location) string {
	h := sha256.Sum256([]byte(loc.String()))
	return filepath.Join(l.o.StagingRoot, loc.Bucket+"-"+hex.EncodeToString(h[:6]))
}

// Fingerprint summarises the data at path. A prefix holding a manifest is
// "manifest:<version id>:<SHA-256 of the manifest>", as the local lake's,
// at the cost of one GET whatever the output's size. Any other path is
// "files:<SHA-256>" of the keys (relative to the path), sizes and ETags
// of the objects it names: the objects below it as a folder, the object
// it names itself, or, for a glob (path.Match syntax), the objects the
// pattern matches and those below matched folders. As for local sources,
// names starting with "." or "_" below the path are skipped, except the
// manifests of outputs published below it, which stand for their
// versions. A path that names no object is an error naming it.
func (l *Lake) Fingerprint(ctx context.Context, p string) (string, error) {
	loc, c, err := l.output(ctx, p)
	if err != nil {
		return "", err
	}
	if !hasMeta(p) {
		id, sum, err := l.readManifest(ctx, c, loc)
		switch {
		case err == nil:
			return "manifest:" + id.VersionID + ":" + sum, nil
		case !errors.Is(err, lakeio.ErrNotPublished):
			return "", fmt.Errorf("fingerprint %s: %w", p, err)
		}
	}
	raw, _ := Parse(p) // as written: a prefix without its slash may name an object
	objects, err := l.sourceObjects(ctx, c, raw)
	if err != nil {
		return "", fmt.Errorf("fingerprint %s: %w", p, err)
	}
	if len(objects) == 0 {
		return "", fmt.Errorf("fingerprint %s: no object matches", p)
	}
	h := sha256.New()
	var line []byte
	for _, o := range objects {
		// Fields are separated by NUL, which no key holds.
		line = append(line[:0], o.rel...)
		line = append(line, 0)
		line = strconv.AppendInt(line, o.size, 10)
		line = append(line, 0)
		line = append(line, o.etag...)
		line = append(line, '\n')
		h.Write(line)
	}
	return "files:" + hex.EncodeToString(h.Sum(nil)), nil
}

// sourceObject is one object a source path names.
type sourceObject struct {
	rel  string
	size int64
	etag string
}

// sourceObjects lists the objects that loc (as written: a folder, an
// object or a glob) names, sorted by key, each with its path relative to
// the source's root as localfiles.File.Rel is: below the folder, below
// the folder of the glob before its first wildcard, or, for a source that
// names one object, its base name.
func (l *Lake) sourceObjects(ctx context.Context, c *s3.Client, loc Location) ([]sourceObject, error) {
	pattern := loc.Prefix
	glob := hasMeta(pattern)
	listPrefix, base := pattern, ""
	if glob {
		pattern = strings.TrimSuffix(pattern, "/")
		if _, err := path.Match(pattern, ""); err != nil {
			return nil, fmt.Errorf("the pattern %q is not valid: %w", pattern, err)
		}
		i := strings.IndexAny(pattern, `*?[\`)
		listPrefix = pattern[:i]
		base = pattern[:strings.LastIndexByte(pattern[:i], '/')+1]
	}
	depth := strings.Count(pattern, "/") + 1
	var out []sourceObject
	err := listObjects(ctx, c, loc.Bucket, listPrefix, l.listPageSize, func(o types.Object) error {
		key := aws.ToString(o.Key)
		if strings.HasSuffix(key, "/") {
			return nil // a console's folder marker
		}
		var rel string
		switch {
		case glob:
			parts := strings.SplitN(key, "/", depth+1)
			if len(parts) < depth {
				return nil
			}
			if ok, _ := path.Match(pattern, strings.Join(parts[:depth], "/")); !ok {
				return nil
			}
			rel = key[len(base):]
		case key == pattern:
			out = append(out, sourceObject{rel: path.Base(key), size: aws.ToInt64(o.Size), etag: aws.ToString(o.ETag)})
			return nil
		case pattern == "" || strings.HasSuffix(pattern, "/"):
			rel = key[len(pattern):]
		case strings.HasPrefix(key, pattern+"/"):
			rel = key[len(pattern)+1:]
		default:
			return nil // orders.csv when the path is orders
		}
		// Matched names are skipped as names below are.
		if !wantedBelow(rel) {
			return nil
		}
		out = append(out, sourceObject{rel: rel, size: aws.ToInt64(o.Size), etag: aws.ToString(o.ETag)})
		return nil
	})
	return out, err
}

// wantedBelow reports whether an object at rel below a source's folder is
// data: no hidden or "_" name on the way, but for the manifest of an
// output published there (its new version changes the manifest's ETag).
func wantedBelow(rel string) bool {
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ".") || strings.HasPrefix(p, "_") {
			return i == len(parts)-1 && p == lakeio.ManifestName
		}
	}
	return true
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }

// Current returns the manifest published at path and the SHA-256 of its
// object, or lakeio.ErrNotPublished when there is none. A manifest that
// does not read, or that a newer meshctl wrote, is an error.
func (l *Lake) Current(ctx context.Context, path string) (*lakeio.Manifest, string, error) {
	loc, c, err := l.output(ctx, path)
	if err != nil {
		return nil, "", err
	}
	m, sum, err := l.readManifest(ctx, c, loc)
	if errors.Is(err, lakeio.ErrNotPublished) {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return m, sum, err
}

func (l *Lake) readManifest(ctx context.Context, c *s3.Client, loc Location) (*lakeio.Manifest, string, error) {
	key := manifestKey(loc)
	data, err := getObject(ctx, c, loc.Bucket, key)
	if err != nil {
		if isNotFound(err) {
			return nil, "", lakeio.ErrNotPublished
		}
		return nil, "", fmt.Errorf("read manifest s3://%s/%s: %w", loc.Bucket, key, err)
	}
	sum := sha256.Sum256(data)
	m := new(lakeio.Manifest)
	if err := json.Unmarshal(data, m); err != nil {
		return nil, "", fmt.Errorf("manifest s3://%s/%s is not valid: %w", loc.Bucket, key, err)
	}
	if err := localfiles.CheckManifest(m); err != nil {
		return nil, "", fmt.Errorf("manifest s3://%s/%s: %w", loc.Bucket, key, err)
	}
	return m, hex.EncodeToString(sum[:]), nil
}

// Verify checks that every file of m is an object of its version with the
// recorded size (one listing per 1,000 files) and, when deep, downloads
// each to compare its SHA-256 with the manifest's, and the one stored at
// upload (x-amz-meta-sha256) with the manifest's too. It returns one line
// per problem, naming the file relative to path
// ("_versions/<id>/part-00000.parquet: missing"); errors are for failures
// to look.
func (l *Lake) Verify(ctx context.Context, path string, m *lakeio.Manifest, deep bool) ([]string, error) {
	loc, c, err := l.output(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := localfiles.CheckVerifiable(path, m); err != nil {
		return nil, err
	}
	prefix := versionPrefix(loc, m.VersionID)
	sizes := map[string]int64{}
	err = listObjects(ctx, c, loc.Bucket, prefix, l.listPageSize, func(o types.Object) error {
		sizes[strings.TrimPrefix(aws.ToString(o.Key), prefix)] = aws.ToInt64(o.Size)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", path, err)
	}
	problems := make([][]string, len(m.Files))
	var deepFiles []int
	for i, f := range m.Files {
		name := lakeio.VersionDir(m.VersionID) + "/" + f.Path
		size, ok := sizes[f.Path]
		switch {
		case !ok:
			problems[i] = []string{name + ": missing"}
		case size != f.Bytes:
			problems[i] = []string{fmt.Sprintf("%s: size %d, recorded %d", name, size, f.Bytes)}
		case deep:
			deepFiles = append(deepFiles, i)
		}
	}
	if err := l.each(ctx, deepFiles, func(ctx context.Context, i int) error {
		f := m.Files[i]
		name := lakeio.VersionDir(m.VersionID) + "/" + f.Path
		sum, meta, err := objectSHA256(ctx, c, loc.Bucket, prefix+f.Path)
		switch {
		case isNotFound(err):
			problems[i] = []string{name + ": missing"}
			return nil
		case err != nil:
			return err
		}
		if !strings.EqualFold(sum, f.SHA256) {
			problems[i] = append(problems[i], name+": checksum differs")
		}
		if meta != "" && !strings.EqualFold(meta, f.SHA256) {
			problems[i] = append(problems[i], fmt.Sprintf("%s: stored with checksum %s, recorded %s", name, meta, f.SHA256))
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("verify %s: %w", path, err)
	}
	return slices.Concat(problems...), nil
}

// objectSHA256 downloads an object and returns its SHA-256 and the one
// its metadata records (x-amz-meta-sha256), if any.
func objectSHA256(ctx context.Context, c *s3.Client, bucket, key string) (sum, meta string, err error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", "", err
	}
	defer out.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, out.Body); err != nil {
		return "", "", fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
	}
	return hex.EncodeToString(h.Sum(nil)), out.Metadata[metaSHA256], nil
}

// each calls fn for every item, Concurrency at a time, and returns the
// first error once all calls ended.
func (l *Lake) each(ctx context.Context, items []int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slots := make(chan struct{}, l.o.Concurrency)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, it := range items {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			once.Do(func() { first = ctx.Err() })
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			if err := fn(ctx, it); err != nil {
				once.Do(func() { first = err })
				cancel()
			}
		})
	}
	wg.Wait()
	return first
}

// Stage creates the empty local folder where version id of the output at
// path is written, removing what an interrupted apply may have left
// there, and returns its absolute path. A version id already uploaded at
// path is an error: ids name one version forever.
func (l *Lake) Stage(ctx context.Context, path, id string) (string, error) {
	loc, c, err := l.output(ctx, path)
	if err != nil {
		return "", err
	}
	if err := localfiles.CheckVersionID(id); err != nil {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	switch exists, err := versionExists(ctx, c, loc, id); {
	case err != nil:
		return "", fmt.Errorf("stage %s: %w", path, err)
	case exists:
		return "", fmt.Errorf("stage %s: version %s already exists", path, id)
	}
	dir := l.stagingDir(loc, id)
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	return abs, nil
}

// versionExists reports whether anything of version id is stored: its
// marker or an object of its folder. It lists rather than HEADs, since a
// HEAD of a missing bucket is as silent as one of a missing key.
func versionExists(ctx context.Context, c *s3.Client, loc Location, id string) (bool, error) {
	prefix := loc.Prefix + lakeio.VersionDir(id)
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(2)})
	if err != nil {
		return false, fmt.Errorf("list s3://%s/%s: %w", loc.Bucket, prefix, err)
	}
	for _, o := range out.Contents {
		k := aws.ToString(o.Key)
		if k == prefix+VersionManifestSuffix || strings.HasPrefix(k, prefix+"/") {
			return true, nil
		}
	}
	// Another id that starts with this one ("v1" and "v10") may fill the
	// page: look for the two keys that matter.
	if aws.ToBool(out.IsTruncated) {
		for _, p := range []string{prefix + "/", prefix + VersionManifestSuffix} {
			o, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket), Prefix: aws.String(p), MaxKeys: aws.Int32(1)})
			if err != nil {
				return false, fmt.Errorf("list s3://%s/%s: %w", loc.Bucket, p, err)
			}
			if len(o.Contents) > 0 {
				return true, nil
			}
		}
	}
	return false, nil
}

// Publish makes the staged version m.VersionID current. It checks that
// every file m lists was staged with its recorded size, uploads every
// staged file (quarantined rows included) below _versions/<id>/ — files
// from MultipartThreshold on in parts, Concurrency requests at a time,
// each with the manifest's encryption and its SHA-256 as
// x-amz-meta-sha256 — then the version's manifest beside its folder, then
// the output's manifest, and removes the staging folder. Until that last
// PUT, readers see the previous version; after it, the new one, whole. m
// is not modified; a zero FormatVersion is written as
// lakeio.ManifestFormatVersion.
//
// A failed publish leaves the previous version current; what it uploaded
// is deleted by Discard (or, after a kill, by the next Prune).
func (l *Lake) Publish(ctx context.Context, path string, m *lakeio.Manifest) error {
	loc, c, err := l.output(ctx, path)
	if err != nil {
		return err
	}
	if m == nil {
		return fmt.Errorf("publish %s: no manifest", path)
	}
	out := *m
	out.Files = slices.Clone(m.Files)
	slices.SortFunc(out.Files, func(a, b lakeio.File) int { return strings.Compare(a.Path, b.Path) })
	if out.FormatVersion == 0 {
		out.FormatVersion = lakeio.ManifestFormatVersion
	}
	if err := localfiles.CheckManifest(&out); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	enc := Encryption{Mode: out.Encryption, KMSKeyID: out.KMSKeyID}
	if err := enc.check(); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	id := out.VersionID
	staging := l.stagingDir(loc, id)
	if info, err := os.Stat(staging); err != nil || !info.IsDir() {
		return fmt.Errorf("publish %s: version %s was not staged (%s)", path, id, staging)
	}
	files, err := stagedFiles(staging, versionPrefix(loc, id), &out)
	if err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	switch exists, err := versionExists(ctx, c, loc, id); {
	case err != nil:
		return fmt.Errorf("publish %s: %w", path, err)
	case exists:
		return fmt.Errorf("publish %s: version %s already exists", path, id)
	}
	data, err := json.MarshalIndent(&out, "", "  ")
	if err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	data = append(data, '\n')

	l.mu.Lock()
	l.attempted[loc.String()+"\x00"+id] = true
	l.mu.Unlock()
	u := &uploader{
		client: c, bucket: loc.Bucket, enc: enc,
		partSize: l.o.PartSize, threshold: l.o.MultipartThreshold,
		slots: make(chan struct{}, l.o.Concurrency),
	}
	if err := u.putFiles(ctx, files); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	if err := u.putBytes(ctx, versionManifestKey(loc, id), data); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	if err := u.putBytes(ctx, manifestKey(loc), data); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	l.mu.Lock()
	delete(l.attempted, loc.String()+"\x00"+id)
	l.mu.Unlock()
	// Published: a folder left behind is removed by the next Prune.
	_ = os.RemoveAll(staging)
	return nil
}

// stagedFiles lists every regular file below the staging folder, as
// uploads to keyPrefix + its slash-separated path, after checking that
// each file m lists is there with its recorded size.
func stagedFiles(staging, keyPrefix string, m *lakeio.Manifest) ([]upload, error) {
	recorded := make(map[string]lakeio.File, len(m.Files))
	for _, f := range m.Files {
		recorded[f.Path] = f
	}
	var files []upload
	err := filepath.WalkDir(staging, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(staging, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		files = append(files, upload{file: p, key: keyPrefix + rel, size: info.Size(), sha256: recorded[rel].SHA256})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sizes := make(map[string]int64, len(files))
	for _, f := range files {
		sizes[strings.TrimPrefix(f.key, keyPrefix)] = f.size
	}
	for _, f := range m.Files {
		size, ok := sizes[f.Path]
		switch {
		case !ok:
			return nil, fmt.Errorf("the manifest lists %s, which was not staged", f.Path)
		case size != f.Bytes:
			return nil, fmt.Errorf("the manifest lists %s of %d bytes, the staged file has %d", f.Path, f.Bytes, size)
		}
	}
	return files, nil
}

// Discard removes the staging folder of version id and, when this lake
// began to upload it and the output's manifest does not name it, every
// object of the version. When the manifest cannot be read, the objects
// are left for Prune.
func (l *Lake) Discard(ctx context.Context, path, id string) error {
	loc, c, err := l.output(ctx, path)
	if err != nil {
		return err
	}
	if err := localfiles.CheckVersionID(id); err != nil {
		return fmt.Errorf("discard %s: %w", path, err)
	}
	if err := os.RemoveAll(l.stagingDir(loc, id)); err != nil {
		return fmt.Errorf("discard %s: %w", path, err)
	}
	key := loc.String() + "\x00" + id
	l.mu.Lock()
	attempted := l.attempted[key]
	l.mu.Unlock()
	if !attempted {
		return nil
	}
	switch m, _, err := l.readManifest(ctx, c, loc); {
	case err == nil && m.VersionID == id:
		return nil // published after all
	case err != nil && !errors.Is(err, lakeio.ErrNotPublished):
		return fmt.Errorf("discard %s (uploaded objects left for prune): %w", path, err)
	}
	if err := removeVersion(ctx, c, loc, id, l.listPageSize); err != nil {
		return fmt.Errorf("discard %s: %w", path, err)
	}
	l.mu.Lock()
	delete(l.attempted, key)
	l.mu.Unlock()
	return nil
}

// removeVersion deletes a version: its marker first, so that a removal
// cut short leaves a folder Prune takes for an orphan; then its uploads in
// progress and its objects.
func removeVersion(ctx context.Context, c *s3.Client, loc Location, id string, pageSize int32) error {
	if err := deleteKeys(ctx, c, loc.Bucket, []string{versionManifestKey(loc, id)}); err != nil {
		return err
	}
	if err := abortUploads(ctx, c, loc.Bucket, versionPrefix(loc, id)); err != nil {
		return err
	}
	return deletePrefix(ctx, c, loc.Bucket, versionPrefix(loc, id), pageSize)
}

// Prune deletes, at path, the versions beyond the keep newest by id
// (which sort by creation time; see providers/lake) except the current
// one, which is kept whatever its age — keep counts it when it is among
// the newest; versions that were never completely uploaded (a folder
// without its marker, left by a killed publish) and are not current,
// whatever their age; every multipart upload in progress under
// _versions/; and the local staging folders of the output. A manifest
// that does not read is an error and nothing is deleted, since which
// version is current is then unknown.
func (l *Lake) Prune(ctx context.Context, path string, keep int) error {
	if keep < 0 {
		return fmt.Errorf("prune %s: keep is %d, want 0 or more", path, keep)
	}
	loc, c, err := l.output(ctx, path)
	if err != nil {
		return err
	}
	current := ""
	switch m, _, err := l.readManifest(ctx, c, loc); {
	case err == nil:
		current = m.VersionID
	case !errors.Is(err, lakeio.ErrNotPublished):
		return fmt.Errorf("prune %s (nothing deleted): %w", path, err)
	}
	folders, complete, err := l.listVersions(ctx, c, loc)
	if err != nil {
		return fmt.Errorf("prune %s: %w", path, err)
	}
	var published, remove []string
	for id := range complete {
		published = append(published, id)
	}
	for id := range folders {
		if !complete[id] {
			if id == current {
				published = append(published, id)
			} else {
				remove = append(remove, id)
			}
		}
	}
	// Newest first.
	slices.Sort(published)
	slices.Reverse(published)
	for i, id := range published {
		if i >= keep && id != current {
			remove = append(remove, id)
		}
	}
	slices.Sort(remove)
	for _, id := range remove {
		if err := removeVersion(ctx, c, loc, id, l.listPageSize); err != nil {
			return fmt.Errorf("prune %s: %w", path, err)
		}
	}
	if err := abortUploads(ctx, c, loc.Bucket, versionsPrefix(loc)); err != nil {
		return fmt.Errorf("prune %s: %w", path, err)
	}
	if err := os.RemoveAll(l.stagingParent(loc)); err != nil {
		return fmt.Errorf("prune %s: %w", path, err)
	}
	return nil
}

// listVersions lists _versions/ one level deep: the ids of the version
// folders, and of the versions whose upload completed (their marker).
func (l *Lake) listVersions(ctx context.Context, c *s3.Client, loc Location) (folders, complete map[string]bool, err error) {
	prefix := versionsPrefix(loc)
	folders, complete = map[string]bool{}, map[string]bool{}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/")}
	if l.listPageSize > 0 {
		in.MaxKeys = aws.Int32(l.listPageSize)
	}
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("list s3://%s/%s: %w", loc.Bucket, prefix, err)
		}
		for _, cp := range page.CommonPrefixes {
			id := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), prefix), "/")
			if localfiles.CheckVersionID(id) == nil {
				folders[id] = true
			}
		}
		for _, o := range page.Contents {
			id, ok := strings.CutSuffix(strings.TrimPrefix(aws.ToString(o.Key), prefix), VersionManifestSuffix)
			if ok && localfiles.CheckVersionID(id) == nil {
				complete[id] = true
			}
		}
	}
	return folders, complete, nil
}

// Delete removes what is published at path: the manifest first, so that
// readers stop finding the output before its files go, then every object
// below _versions/ and the uploads in progress there, and the local
// staging folders. Other objects under the prefix are not meshctl's and
// are left, as the local lake leaves other files. A path with nothing
// published is not an error.
func (l *Lake) Delete(ctx context.Context, path string) error {
	loc, c, err := l.output(ctx, path)
	if err != nil {
		return err
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(manifestKey(loc))}); err != nil && !isNotFound(err) {
		return fmt.Errorf("delete %s: %w", path, err)
	}
	if err := abortUploads(ctx, c, loc.Bucket, versionsPrefix(loc)); err != nil {
		return fmt.Errorf("delete %s: %w", path, err)
	}
	if err := deletePrefix(ctx, c, loc.Bucket, versionsPrefix(loc), l.listPageSize); err != nil {
		return fmt.Errorf("delete %s: %w", path, err)
	}
	if err := os.RemoveAll(l.stagingParent(loc)); err != nil {
		return fmt.Errorf("delete %s: %w", path, err)
	}
	return nil
}
