package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/providers/s3"
	"github.com/meshctl/meshctl/providers/s3/s3test"
)

const out = "s3://lake/sales/orders/"

// big is a file above the multipart threshold: parts of 8, 8 and 1 MiB.
var big = randomBytes(17<<20, 1)

func TestPublishAndCurrent(t *testing.T) {
	srv := s3test.Start(t, "lake")
	rec := newRecorder()
	l := newLake(t, srv, rec, nil)
	if _, _, err := l.Current(ctx, out); !errors.Is(err, lakeio.ErrNotPublished) {
		t.Fatalf("nothing published: got %v, want ErrNotPublished", err)
	}
	files := map[string][]byte{
		"country=DE/part-00000.parquet": []byte("PAR1 de"),
		"country=FR/part-00000.parquet": big,
		"_quarantine/orders.csv":        []byte("id,error\n7,bad\n"),
	}
	m := stage(t, l, out, "v1", files)
	staging := stagingDirOf(t, l, out, "v1")
	rec.requests()
	if err := l.Publish(ctx, out, m); err != nil {
		t.Fatal(err)
	}

	got, sum, err := l.Current(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	data := get(t, srv, "sales/orders/_manifest.json")
	if want := sha(data); sum != want {
		t.Errorf("checksum %s, want %s", sum, want)
	}
	if want, _ := json.MarshalIndent(m, "", "  "); !bytes.Equal(data, append(want, '\n')) {
		t.Errorf("manifest object:\n%s\nwant the manifest, indented", data)
	}
	if got := get(t, srv, "sales/orders/_versions/v1.manifest.json"); !bytes.Equal(got, data) {
		t.Errorf("the version's manifest differs from the output's:\n%s", got)
	}
	wantKeys := []string{
		"_manifest.json",
		"_versions/v1.manifest.json",
		"_versions/v1/_quarantine/orders.csv",
		"_versions/v1/country=DE/part-00000.parquet",
		"_versions/v1/country=FR/part-00000.parquet",
	}
	if diff := cmp.Diff(wantKeys, keys(t, srv, "sales/orders/")); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	for name, want := range files {
		if got := get(t, srv, "sales/orders/_versions/v1/"+name); !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes stored, want %d", name, len(got), len(want))
		}
	}
	head, err := srv.Client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("lake"), Key: aws.String("sales/orders/_versions/v1/country=FR/part-00000.parquet")})
	if err != nil {
		t.Fatal(err)
	}
	if got := head.Metadata["sha256"]; got != sha(big) {
		t.Errorf("x-amz-meta-sha256 = %q, want %s", got, sha(big))
	}
	if got := aws.ToString(head.ContentType); got != "application/vnd.apache.parquet" {
		t.Errorf("content type %q", got)
	}

	// The big file went in three parts, the others in one PUT each, the
	// manifests last: the version's, then the output's.
	var ops []string
	for _, r := range rec.requests() {
		op := r.Method + " " + strings.TrimPrefix(r.Path, "/lake/sales/orders/")
		switch {
		case strings.Contains(r.Query, "partNumber="):
			op += " part " + regexp.MustCompile(`partNumber=(\d+)`).FindStringSubmatch(r.Query)[1]
		case strings.Contains(r.Query, "uploadId="):
			op += " complete"
		case strings.Contains(r.Query, "uploads"):
			op += " create"
		case r.Method == "GET":
			continue // the check that the version is new
		}
		ops = append(ops, op)
	}
	n := len(ops)
	if n < 2 || ops[n-2] != "PUT _versions/v1.manifest.json" || ops[n-1] != "PUT _manifest.json" {
		t.Errorf("the manifests were not written last: %q", ops)
	}
	slices.Sort(ops)
	wantOps := []string{
		"POST _versions/v1/country=FR/part-00000.parquet complete",
		"POST _versions/v1/country=FR/part-00000.parquet create",
		"PUT _manifest.json",
		"PUT _versions/v1.manifest.json",
		"PUT _versions/v1/_quarantine/orders.csv",
		"PUT _versions/v1/country=DE/part-00000.parquet",
		"PUT _versions/v1/country=FR/part-00000.parquet part 1",
		"PUT _versions/v1/country=FR/part-00000.parquet part 2",
		"PUT _versions/v1/country=FR/part-00000.parquet part 3",
	}
	if diff := cmp.Diff(wantOps, ops); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(staging); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("staging folder %s after publish: %v, want it removed", staging, err)
	}

	for _, deep := range []bool{false, true} {
		problems, err := l.Verify(ctx, out, got, deep)
		if err != nil || len(problems) > 0 {
			t.Errorf("Verify(deep=%v) = %q, %v; want no problem", deep, problems, err)
		}
	}
	fp, err := l.Fingerprint(ctx, out)
	if err != nil || fp != "manifest:v1:"+sum {
		t.Errorf("Fingerprint = %q, %v; want manifest:v1:%s", fp, err, sum)
	}
	// The same output without the trailing slash.
	if _, sum2, err := l.Current(ctx, strings.TrimSuffix(out, "/")); err != nil || sum2 != sum {
		t.Errorf("without the slash: %s, %v", sum2, err)
	}

	if _, err := l.Stage(ctx, out, "v1"); err == nil || err.Error() != "stage "+out+": version v1 already exists" {
		t.Errorf("staging a published id: %v", err)
	}
}

// versionOf names the version of Current's answer, for messages.
func versionOf(m *lakeio.Manifest, err error) string {
	if err != nil {
		return err.Error()
	}
	return m.VersionID
}

// stagingDirOf stages version id to learn its folder, and removes it.
func stagingDirOf(t *testing.T, l *s3.Lake, path, id string) string {
	t.Helper()
	dir, err := l.Stage(ctx, path, id+"-probe")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Discard(ctx, path, id+"-probe"); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(filepath.Dir(dir), id)
}

func TestPublishErrors(t *testing.T) {
	srv := s3test.Start(t, "lake")
	l := newLake(t, srv, nil, nil)
	for _, tc := range []struct {
		name   string
		change func(m *lakeio.Manifest)
		want   string
	}{
		{"not staged", func(m *lakeio.Manifest) { m.VersionID = "v9" },
			"publish " + out + ": version v9 was not staged"},
		{"file not staged", func(m *lakeio.Manifest) {
			m.Files = append(m.Files, lakeio.File{Path: "part-00009.parquet", Bytes: 1})
		}, "publish " + out + ": the manifest lists part-00009.parquet, which was not staged"},
		{"size differs", func(m *lakeio.Manifest) { m.Files[0].Bytes = 99 },
			"publish " + out + ": the manifest lists part-00000.parquet of 99 bytes, the staged file has 4"},
		{"bad path", func(m *lakeio.Manifest) { m.Files[0].Path = "../x" },
			"publish " + out + `: file "../x" is not a slash-separated path inside the version's folder`},
		{"kms key without kms", func(m *lakeio.Manifest) { m.Encryption, m.KMSKeyID = "AES256", "alias/lake" },
			"publish " + out + `: a KMS key (alias/lake) needs encryption aws:kms, not "AES256"`},
		{"unknown encryption", func(m *lakeio.Manifest) { m.Encryption = "rot13" },
			"publish " + out + `: encryption "rot13" is not one of AES256, aws:kms`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := stage(t, l, out, "v1", map[string][]byte{"part-00000.parquet": []byte("PAR1")})
			tc.change(m)
			err := l.Publish(ctx, out, m)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Publish: %v\nwant %s", err, tc.want)
			}
			if got := keys(t, srv, "sales/"); len(got) > 0 {
				t.Errorf("objects after a refused publish: %q", got)
			}
			if err := l.Discard(ctx, out, "v1"); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("no bucket", func(t *testing.T) {
		_, _, err := l.Current(ctx, "s3://nobucket/x/")
		if err == nil || errors.Is(err, lakeio.ErrNotPublished) || !strings.Contains(err.Error(), "s3://nobucket/x/_manifest.json") || !strings.Contains(err.Error(), "NoSuchBucket") {
			t.Errorf("Current in a missing bucket: %v; want an error naming it", err)
		}
		if _, err := l.Stage(ctx, "s3://nobucket/x/", "v1"); err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
			t.Errorf("Stage in a missing bucket: %v", err)
		}
	})
	t.Run("not s3", func(t *testing.T) {
		if _, _, err := l.Current(ctx, "lake/orders"); err == nil || err.Error() != `"lake/orders" is not an s3:// URL` {
			t.Errorf("Current of a local path: %v", err)
		}
	})
	t.Run("bad manifest", func(t *testing.T) {
		put(t, srv, "bad/_manifest.json", []byte(`{"format_version": 9, "version_id": "v1"}`), nil)
		_, _, err := l.Current(ctx, "s3://lake/bad/")
		want := "manifest s3://lake/bad/_manifest.json: written by a newer meshctl"
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Current: %v, want %s…", err, want)
		}
		if err := l.Prune(ctx, "s3://lake/bad/", 1); err == nil || !strings.Contains(err.Error(), "(nothing deleted)") {
			t.Errorf("Prune with a bad manifest: %v", err)
		}
	})
}

func TestVerifyProblems(t *testing.T) {
	srv := s3test.Start(t, "lake")
	l := newLake(t, srv, nil, nil)
	files := map[string][]byte{
		"a.parquet": []byte("aaaa"),
		"b.parquet": []byte("bbbb"),
		"c.parquet": []byte("cccc"),
		"d.parquet": []byte("dddd"),
		"e.parquet": []byte("eeee"),
	}
	m := publish(t, l, out, "v1", files)
	v := "sales/orders/_versions/v1/"
	if _, err := srv.Client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("lake"), Key: aws.String(v + "a.parquet")}); err != nil {
		t.Fatal(err)
	}
	put(t, srv, v+"b.parquet", []byte("bbbbbb"), nil)                               // resized
	put(t, srv, v+"c.parquet", []byte("CCCC"), nil)                                 // same size, other bytes
	put(t, srv, v+"d.parquet", []byte("dddd"), map[string]string{"sha256": "0000"}) // its recorded checksum changed
	shallow := []string{
		"_versions/v1/a.parquet: missing",
		"_versions/v1/b.parquet: size 6, recorded 4",
	}
	deep := append(slices.Clone(shallow),
		"_versions/v1/c.parquet: checksum differs",
		"_versions/v1/d.parquet: stored with checksum 0000, recorded "+sha([]byte("dddd")),
	)
	for _, tc := range []struct {
		deep bool
		want []string
	}{{false, shallow}, {true, deep}} {
		got, err := l.Verify(ctx, out, m, tc.deep)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Verify(deep=%v) (-want +got):\n%s", tc.deep, diff)
		}
	}
	// A manifest rebuilt from state has no format version.
	fromState := *m
	fromState.FormatVersion = 0
	if got, err := l.Verify(ctx, out, &fromState, false); err != nil || !slices.Equal(got, shallow) {
		t.Errorf("Verify of a manifest from state: %q, %v", got, err)
	}
}

// TestVerifyPaginates: a version of more files than a listing page.
func TestVerifyPaginates(t *testing.T) {
	srv := s3test.Start(t, "lake")
	l := newLake(t, srv, nil, nil)
	s3.SetListPageSize(l, 3)
	files := map[string][]byte{}
	for i := range 10 {
		files[fmt.Sprintf("part-%05d.parquet", i)] = []byte{byte(i)}
	}
	m := publish(t, l, out, "v1", files)
	if _, err := srv.Client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("lake"), Key: aws.String("sales/orders/_versions/v1/part-00008.parquet")}); err != nil {
		t.Fatal(err)
	}
	got, err := l.Verify(ctx, out, m, false)
	if want := []string{"_versions/v1/part-00008.parquet: missing"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Verify = %q, %v; want %q", got, err, want)
	}
}

func TestEncryption(t *testing.T) {
	for _, tc := range []struct {
		mode, key string
	}{
		{"", ""},
		{"AES256", ""},
		{"aws:kms", ""},
		{"aws:kms", "arn:aws:kms:eu-west-1:111122223333:key/1234abcd"},
	} {
		t.Run(tc.mode+" "+tc.key, func(t *testing.T) {
			srv := s3test.Start(t, "lake")
			rec := newRecorder()
			l := newLake(t, srv, rec, nil)
			m := stage(t, l, out, "v1", map[string][]byte{"small.parquet": []byte("PAR1"), "big.parquet": big})
			m.Encryption, m.KMSKeyID = tc.mode, tc.key
			rec.requests()
			if err := l.Publish(ctx, out, m); err != nil {
				t.Fatal(err)
			}
			writes := 0
			for _, r := range rec.requests() {
				sse, key := r.Header.Get("X-Amz-Server-Side-Encryption"), r.Header.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id")
				what := r.Method + " " + r.Path + "?" + r.Query
				switch {
				case r.Method == "PUT" && strings.Contains(r.Query, "partNumber="), r.Method == "GET",
					r.Method == "POST" && strings.Contains(r.Query, "uploadId="):
					// Parts and completions carry no settings: the upload has them.
					if sse != "" || key != "" {
						t.Errorf("%s: encryption %q %q, want none", what, sse, key)
					}
				default: // PutObject, CreateMultipartUpload
					writes++
					if sse != tc.mode || key != tc.key {
						t.Errorf("%s: encryption %q %q, want %q %q", what, sse, key, tc.mode, tc.key)
					}
				}
			}
			if writes != 4 { // small, big's creation, two manifests
				t.Errorf("%d objects written, want 4", writes)
			}
			// gofakes3 keeps the headers: S3 would answer the same.
			for _, k := range []string{"_versions/v1/big.parquet", "_versions/v1/small.parquet", "_manifest.json"} {
				head, err := srv.Client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("lake"), Key: aws.String("sales/orders/" + k)})
				if err != nil {
					t.Fatal(err)
				}
				if got := string(head.ServerSideEncryption); got != tc.mode {
					t.Errorf("%s stored with encryption %q, want %q", k, got, tc.mode)
				}
			}
			cur, _, err := l.Current(ctx, out)
			if err != nil || cur.Encryption != tc.mode || cur.KMSKeyID != tc.key {
				t.Errorf("manifest encryption %q %q, %v", cur.Encryption, cur.KMSKeyID, err)
			}
		})
	}
}

func TestPrune(t *testing.T) {
	srv := s3test.Start(t, "lake")
	l := newLake(t, srv, nil, nil)
	for _, id := range []string{"v1", "v2", "v3", "v4"} {
		publish(t, l, out, id, map[string][]byte{"part-00000.parquet": []byte(id)})
	}
	// A killed publish: objects without the version's manifest, and a
	// multipart upload in progress.
	put(t, srv, "sales/orders/_versions/v5/part-00000.parquet", []byte("half"), nil)
	if _, err := srv.Client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("lake"), Key: aws.String("sales/orders/_versions/v5/part-00001.parquet")}); err != nil {
		t.Fatal(err)
	}
	// Not meshctl's.
	put(t, srv, "sales/orders/README.md", []byte("hi"), nil)
	put(t, srv, "sales/orders/_versions/notes.txt", []byte("hi"), nil)

	if err := l.Prune(ctx, out, 2); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"README.md",
		"_manifest.json",
		"_versions/notes.txt",
		"_versions/v3.manifest.json",
		"_versions/v3/part-00000.parquet",
		"_versions/v4.manifest.json",
		"_versions/v4/part-00000.parquet",
	}
	if diff := cmp.Diff(want, keys(t, srv, "sales/orders/")); diff != "" {
		t.Errorf("after Prune(2) (-want +got):\n%s", diff)
	}
	if got := uploadsInProgress(t, srv, "sales/orders/"); len(got) > 0 {
		t.Errorf("uploads in progress after Prune: %q", got)
	}

	// The current version is kept whatever its age.
	v3, err := srv.Client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("lake"), Key: aws.String("sales/orders/_manifest.json"), CopySource: aws.String("lake/sales/orders/_versions/v3.manifest.json")})
	if err != nil || v3 == nil {
		t.Fatal(err)
	}
	if err := l.Prune(ctx, out, 0); err != nil {
		t.Fatal(err)
	}
	want = []string{"README.md", "_manifest.json", "_versions/notes.txt", "_versions/v3.manifest.json", "_versions/v3/part-00000.parquet"}
	if diff := cmp.Diff(want, keys(t, srv, "sales/orders/")); diff != "" {
		t.Errorf("after Prune(0) (-want +got):\n%s", diff)
	}
	if err := l.Prune(ctx, out, -1); err == nil || err.Error() != "prune "+out+": keep is -1, want 0 or more" {
		t.Errorf("Prune(-1): %v", err)
	}
}

// TestPrunePaginates lists _versions/ in pages smaller than the number
// of versions.
func TestPrunePaginates(t *testing.T) {
	srv := s3test.Start(t, "lake")
	l := newLake(t, srv, nil, nil)
	s3.SetListPageSize(l, 2)
	for i := range 7 {
		publish(t, l, out, fmt.Sprintf("v%d", i), map[string][]byte{"a.parquet": {1}, "b.parquet": {2}})
	}
	if err := l.Prune(ctx, out, 3); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range keys(t, srv, "sales/orders/_versions/") {
		if id, ok := strings.CutSuffix(k, ".manifest.json"); ok {
			ids = append(ids, id)
		}
	}
	if want := []string{"v4", "v5", "v6"}; !slices.Equal(ids, want) {
		t.Errorf("versions kept %q, want %q", ids, want)
	}
	if got := len(keys(t, srv, "sales/orders/")); got != 1+3*3 {
		t.Errorf("%d objects left, want 10", got)
	}
}

func TestDelete(t *testing.T) {
	srv := s3test.Start(t, "lake")
	l := newLake(t, srv, nil, nil)
	publish(t, l, out, "v1", map[string][]byte{"a.parquet": []byte("1")})
	publish(t, l, out, "v2", map[string][]byte{"a.parquet": []byte("2"), "b/c.parquet": []byte("3")})
	put(t, srv, "sales/orders/README.md", []byte("hi"), nil)
	put(t, srv, "sales/orders_old/x.parquet", []byte("old"), nil)
	if err := l.Delete(ctx, out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"orders/README.md", "orders_old/x.parquet"}, keys(t, srv, "sales/")); diff != "" {
		t.Errorf("after Delete (-want +got):\n%s", diff)
	}
	if _, _, err := l.Current(ctx, out); !errors.Is(err, lakeio.ErrNotPublished) {
		t.Errorf("Current after Delete: %v", err)
	}
	if err := l.Delete(ctx, out); err != nil {
		t.Errorf("Delete of nothing: %v", err)
	}
}

// TestPublishIsAtomic: a reader that polls the manifest and fetches what
// it names while versions are published never finds a file missing.
func TestPublishIsAtomic(t *testing.T) {
	srv := s3test.Start(t, "lake")
	l := newLake(t, srv, nil, func(o *s3.LakeOptions) { o.Concurrency = 4 })
	version := func(id string) map[string][]byte {
		files := map[string][]byte{"big.parquet": big}
		for i := range 12 {
			files[fmt.Sprintf("country=%02d/part-00000.parquet", i)] = []byte(id + strings.Repeat("x", i*1000))
		}
		return files
	}
	publish(t, l, out, "v1", version("v1"))

	reader := newLake(t, srv, nil, nil)
	var (
		stop   atomic.Bool
		seen   sync.Map
		reads  atomic.Int64
		failed atomic.Value
		wg     sync.WaitGroup
	)
	wg.Go(func() {
		for !stop.Load() {
			m, _, err := reader.Current(ctx, out)
			if err != nil {
				failed.Store(err.Error())
				return
			}
			seen.Store(m.VersionID, true)
			for _, f := range m.Files {
				key := "sales/orders/_versions/" + m.VersionID + "/" + f.Path
				head, err := srv.Client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("lake"), Key: aws.String(key)})
				if err != nil {
					failed.Store(fmt.Sprintf("%s named by the manifest of %s: %v", f.Path, m.VersionID, err))
					return
				}
				if aws.ToInt64(head.ContentLength) != f.Bytes {
					failed.Store(fmt.Sprintf("%s: %d bytes, manifest says %d", key, aws.ToInt64(head.ContentLength), f.Bytes))
					return
				}
				reads.Add(1)
			}
		}
	})
	for _, id := range []string{"v2", "v3", "v4"} {
		publish(t, l, out, id, version(id))
	}
	// Let the reader see the last version.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && failed.Load() == nil; time.Sleep(time.Millisecond) {
		if _, ok := seen.Load("v4"); ok {
			break
		}
	}
	stop.Store(true)
	wg.Wait()
	if msg := failed.Load(); msg != nil {
		t.Fatal(msg)
	}
	var versions []string
	seen.Range(func(k, _ any) bool { versions = append(versions, k.(string)); return true })
	slices.Sort(versions)
	t.Logf("the reader saw versions %q and checked %d files", versions, reads.Load())
	if _, ok := seen.Load("v4"); !ok || reads.Load() == 0 {
		t.Errorf("the reader did not follow the publishes (saw v4: %v, %d files read)", ok, reads.Load())
	}
}

// TestInterruptedPublish kills a publish midway (the context is cancelled
// and no request gets through any more, not even the clean-up's, as when
// the process dies): the previous version stays current and whole, and
// the next apply publishes and prunes what the killed one left.
func TestInterruptedPublish(t *testing.T) {
	srv := s3test.Start(t, "lake")
	staging := t.TempDir()
	rec := newRecorder()
	l := newLake(t, srv, rec, func(o *s3.LakeOptions) { o.StagingRoot = staging })
	m1 := publish(t, l, out, "v1", map[string][]byte{"part-00000.parquet": []byte("v1")})
	fp1, err := l.Fingerprint(ctx, out)
	if err != nil {
		t.Fatal(err)
	}

	files := map[string][]byte{"big.parquet": big}
	for i := range 20 {
		files[fmt.Sprintf("part-%05d.parquet", i)] = []byte(strings.Repeat("y", 1000+i))
	}
	m2 := stage(t, l, out, "v2", files)
	kctx, kill := context.WithCancel(ctx)
	var dead atomic.Bool
	rec.setHook(func(r *http.Request) (*http.Response, error) {
		if dead.Load() {
			return nil, errors.New("killed")
		}
		if strings.Contains(r.URL.RawQuery, "partNumber=2") {
			// The second part of the big file is the last request.
			resp, err := rec.base.RoundTrip(r)
			dead.Store(true)
			kill()
			return resp, err
		}
		return nil, nil
	})
	if err := l.Publish(kctx, out, m2); err == nil {
		t.Fatal("Publish succeeded though killed")
	}

	// A new process.
	l2 := newLake(t, srv, nil, func(o *s3.LakeOptions) { o.StagingRoot = staging })
	if cur, _, err := l2.Current(ctx, out); err != nil || cur.VersionID != "v1" {
		t.Fatalf("current after the kill: %v; want v1", versionOf(cur, err))
	}
	if problems, err := l2.Verify(ctx, out, m1, true); err != nil || len(problems) > 0 {
		t.Errorf("v1 after the kill: %q, %v", problems, err)
	}
	if fp, err := l2.Fingerprint(ctx, out); err != nil || fp != fp1 {
		t.Errorf("fingerprint after the kill %q, %v; want %q", fp, err, fp1)
	}
	if got := uploadsInProgress(t, srv, "sales/orders/"); !slices.Equal(got, []string{"sales/orders/_versions/v2/big.parquet"}) {
		t.Errorf("uploads in progress after the kill: %q, want the big file's", got)
	}
	left := keys(t, srv, "sales/orders/_versions/v2/")
	t.Logf("the killed publish left %d objects of v2 and its staging folder", len(left))
	if slices.Contains(keys(t, srv, "sales/orders/_versions/"), "v2.manifest.json") {
		t.Error("the killed version has its manifest")
	}

	publish(t, l2, out, "v3", map[string][]byte{"part-00000.parquet": []byte("v3")})
	if err := l2.Prune(ctx, out, 3); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"_manifest.json",
		"_versions/v1.manifest.json",
		"_versions/v1/part-00000.parquet",
		"_versions/v3.manifest.json",
		"_versions/v3/part-00000.parquet",
	}
	if diff := cmp.Diff(want, keys(t, srv, "sales/orders/")); diff != "" {
		t.Errorf("after the next apply (-want +got):\n%s", diff)
	}
	if got := uploadsInProgress(t, srv, "sales/orders/"); len(got) > 0 {
		t.Errorf("uploads in progress after Prune: %q", got)
	}
	if entries, _ := os.ReadDir(staging); len(entries) > 0 {
		t.Errorf("staging folders left after Prune: %v", entries)
	}
}

// TestDiscardAfterFailedPublish: a publish refused midway leaves the
// previous version current; Discard deletes what it uploaded.
func TestDiscardAfterFailedPublish(t *testing.T) {
	srv := s3test.Start(t, "lake")
	rec := newRecorder()
	l := newLake(t, srv, rec, nil)
	publish(t, l, out, "v1", map[string][]byte{"part-00000.parquet": []byte("v1")})
	files := map[string][]byte{"big.parquet": big}
	for i := range 6 {
		files[fmt.Sprintf("part-%05d.parquet", i)] = []byte("v2")
	}
	m := stage(t, l, out, "v2", files)
	rec.setHook(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "part-00003.parquet") {
			return s3Error(r, http.StatusForbidden, "AccessDenied"), nil
		}
		return nil, nil
	})
	err := l.Publish(ctx, out, m)
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") || !strings.Contains(err.Error(), "s3://lake/sales/orders/_versions/v2/part-00003.parquet") {
		t.Fatalf("Publish: %v, want AccessDenied naming the object", err)
	}
	rec.setHook(nil)
	if cur, _, err := l.Current(ctx, out); err != nil || cur.VersionID != "v1" {
		t.Fatalf("current after a failed publish: %v; want v1", versionOf(cur, err))
	}
	if err := l.Discard(ctx, out, "v2"); err != nil {
		t.Fatal(err)
	}
	want := []string{"_manifest.json", "_versions/v1.manifest.json", "_versions/v1/part-00000.parquet"}
	if diff := cmp.Diff(want, keys(t, srv, "sales/orders/")); diff != "" {
		t.Errorf("after Discard (-want +got):\n%s", diff)
	}
	if got := uploadsInProgress(t, srv, "sales/orders/"); len(got) > 0 {
		t.Errorf("uploads in progress after Discard: %q", got)
	}
}

func TestFingerprintSources(t *testing.T) {
	srv := s3test.Start(t, "lake")
	l := newLake(t, srv, nil, nil)
	put(t, srv, "raw/orders/a.csv", []byte("id\n1\n"), nil)
	put(t, srv, "raw/orders/sub/b.csv", []byte("id\n2\n"), nil)
	put(t, srv, "raw/orders_old.csv", []byte("old"), nil)
	put(t, srv, "raw/empty/", nil, nil) // a console's folder marker

	fp := func(path string) string {
		t.Helper()
		got, err := l.Fingerprint(ctx, path)
		if err != nil {
			t.Fatalf("Fingerprint(%s): %v", path, err)
		}
		return got
	}
	// One object: its base name, size and ETag (its MD5, quoted).
	md5a := `"` + md5hex([]byte("id\n1\n")) + `"`
	h := sha256.Sum256([]byte("a.csv\x005\x00" + md5a + "\n"))
	if got, want := fp("s3://lake/raw/orders/a.csv"), "files:"+hex.EncodeToString(h[:]); got != want {
		t.Errorf("one object: %s, want %s", got, want)
	}
	h = sha256.Sum256([]byte("a.csv\x005\x00" + md5a + "\n" + "sub/b.csv\x005\x00\"" + md5hex([]byte("id\n2\n")) + "\"\n"))
	folder := "files:" + hex.EncodeToString(h[:])
	for _, p := range []string{"s3://lake/raw/orders/", "s3://lake/raw/orders", "s3://lake/raw/orders/*"} {
		if got := fp(p); got != folder {
			t.Errorf("Fingerprint(%s) = %s, want the folder's %s", p, got, folder)
		}
	}
	// Relative to raw/, and orders_old.csv too.
	if got := fp("s3://lake/raw/order*"); got == folder {
		t.Errorf("raw/order* has the fingerprint of raw/orders/")
	}
	if got := fp("s3://lake/raw/orders/*.csv"); got == folder || got != fp("s3://lake/raw/orders/a.csv") {
		t.Errorf("*.csv matches a.csv only: %s", got)
	}
	// Pagination gives the same answer.
	paged := newLake(t, srv, nil, nil)
	s3.SetListPageSize(paged, 1)
	if got, err := paged.Fingerprint(ctx, "s3://lake/raw/orders/"); err != nil || got != folder {
		t.Errorf("paged: %s, %v; want %s", got, err, folder)
	}

	// Hidden and "_" names do not count; data does.
	put(t, srv, "raw/orders/_SUCCESS", nil, nil)
	put(t, srv, "raw/orders/.part.tmp", []byte("x"), nil)
	put(t, srv, "raw/orders/_tmp/c.csv", []byte("x"), nil)
	if got := fp("s3://lake/raw/orders/"); got != folder {
		t.Errorf("after hidden files: %s, want %s", got, folder)
	}
	put(t, srv, "raw/orders/sub/b.csv", []byte("id\n3\n"), nil)
	changed := fp("s3://lake/raw/orders/")
	if changed == folder {
		t.Error("a rewritten object did not change the fingerprint")
	}

	// A published output below the folder counts by its manifest.
	pub := "s3://lake/raw/orders/pub/"
	publish(t, l, pub, "v1", map[string][]byte{"x.parquet": []byte("1")})
	withPub := fp("s3://lake/raw/orders/")
	if withPub == changed {
		t.Error("a published output below did not change the fingerprint")
	}
	publish(t, l, pub, "v2", map[string][]byte{"x.parquet": []byte("2")})
	if fp("s3://lake/raw/orders/") == withPub {
		t.Error("a new version below did not change the fingerprint")
	}
	_, sum, err := l.Current(ctx, pub)
	if err != nil {
		t.Fatal(err)
	}
	if got := fp(pub); got != "manifest:v2:"+sum {
		t.Errorf("Fingerprint(published) = %s, want manifest:v2:%s", got, sum)
	}

	for _, p := range []string{"s3://lake/raw/none/", "s3://lake/raw/empty/", "s3://lake/raw/orders/*.json"} {
		if _, err := l.Fingerprint(ctx, p); err == nil || err.Error() != "fingerprint "+p+": no object matches" {
			t.Errorf("Fingerprint(%s): %v", p, err)
		}
	}
	if _, err := l.Fingerprint(ctx, "s3://lake/raw/[x"); err == nil || !strings.Contains(err.Error(), "is not valid") {
		t.Errorf("bad pattern: %v", err)
	}
}

// BenchmarkPublish publishes 64 MiB in four files (two multipart, two
// single PUTs) to the in-process server.
func BenchmarkPublish(b *testing.B) {
	srv := s3test.Start(b, "lake")
	l := newLake(b, srv, nil, nil)
	files := map[string][]byte{
		"part-00000.parquet": randomBytes(24<<20, 1),
		"part-00001.parquet": randomBytes(24<<20, 2),
		"part-00002.parquet": randomBytes(8<<20, 3),
		"part-00003.parquet": randomBytes(8<<20, 4),
	}
	var total int64
	for _, f := range files {
		total += int64(len(f))
	}
	b.SetBytes(total)
	i := 0
	for b.Loop() {
		b.StopTimer()
		id := fmt.Sprintf("v%06d", i)
		i++
		m := stage(b, l, out, id, files)
		b.StartTimer()
		if err := l.Publish(ctx, out, m); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := l.Prune(ctx, out, 1); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
