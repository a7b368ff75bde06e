package state

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/meshctl/meshctl/planner/statestore"
)

// memBackend is an in-memory statestore.Backend that records its calls.
type memBackend struct {
	doc      []byte // nil: no state yet
	readErr  error
	writeErr error
	writes   int
	calls    []string
}

func (m *memBackend) Read(context.Context) ([]byte, error) {
	if m.readErr != nil {
		return nil, m.readErr
	}
	if m.doc == nil {
		return nil, statestore.ErrNotFound
	}
	return append([]byte(nil), m.doc...), nil
}

func (m *memBackend) Write(_ context.Context, doc []byte) error {
	if m.writeErr != nil {
		return m.writeErr
	}
	m.doc = append([]byte(nil), doc...)
	m.writes++
	return nil
}

func (m *memBackend) Lock(_ context.Context, info statestore.LockInfo, timeout time.Duration) error {
	m.calls = append(m.calls, "lock "+info.ID+" "+timeout.String())
	return nil
}

func (m *memBackend) Unlock(_ context.Context, id string) error {
	m.calls = append(m.calls, "unlock "+id)
	return nil
}

func (m *memBackend) ForceUnlock(_ context.Context, id string) error {
	m.calls = append(m.calls, "force-unlock "+id)
	return nil
}

func (m *memBackend) Describe() string { return "memory state" }

// stored encodes s for a memBackend's doc.
func stored(t *testing.T, s *State) []byte {
	t.Helper()
	doc, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestStoreLoad(t *testing.T) {
	ctx := context.Background()
	t.Run("no state yet", func(t *testing.T) {
		st := &Store{Backend: &memBackend{}, MeshctlVersion: "0.2.0"}
		s, err := st.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := &State{FormatVersion: FormatVersion, Lineage: s.Lineage, MeshctlVersion: "0.2.0", Products: map[string]*Product{}}
		if diff := cmp.Diff(want, s); diff != "" || s.Lineage == "" {
			t.Errorf("fresh state (-want +got):\n%s", diff)
		}
	})
	t.Run("stored state", func(t *testing.T) {
		st := &Store{Backend: &memBackend{doc: stored(t, sample())}, MeshctlVersion: "0.2.0"}
		s, err := st.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sample(), s, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("loaded state (-want +got):\n%s", diff)
		}
	})
	for _, tt := range []struct {
		name string
		m    *memBackend
		want string
	}{
		{"corrupt", &memBackend{doc: []byte("{")}, "memory state is not a meshctl state file"},
		{"newer format", &memBackend{doc: []byte(`{"format_version": 9, "lineage": "l"}`)}, "upgrade meshctl"},
		{"read error", &memBackend{readErr: errors.New("disk on fire")}, "load state: disk on fire"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := (&Store{Backend: tt.m}).Load(ctx)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v, %v; want an error containing %q", s, err, tt.want)
			}
		})
	}
}

// TestStoreSaveLoad: saves bump the serial, and what is saved loads back.
func TestStoreSaveLoad(t *testing.T) {
	ctx := context.Background()
	m := &memBackend{}
	st := &Store{Backend: m, MeshctlVersion: "0.3.0"}
	s, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		s.Products["p"] = &Product{DefinitionHash: strings.Repeat("x", i)}
		if err := st.Save(ctx, s); err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		if s.Serial != int64(i) || m.writes != i {
			t.Errorf("after save %d: serial %d, %d writes", i, s.Serial, m.writes)
		}
		back, err := st.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s, back, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("loaded after save %d (-saved +loaded):\n%s", i, diff)
		}
	}
	// A state written by an older meshctl is saved with this one's version.
	old := sample()
	old.MeshctlVersion = "0.0.1"
	m2 := &memBackend{doc: stored(t, old)}
	if err := (&Store{Backend: m2, MeshctlVersion: "0.3.0"}).Save(ctx, old); err != nil {
		t.Fatal(err)
	}
	if old.MeshctlVersion != "0.3.0" || old.Serial != 8 {
		t.Errorf("after save: version %s serial %d, want 0.3.0 and 8", old.MeshctlVersion, old.Serial)
	}
}

func TestStoreSaveRefuses(t *testing.T) {
	ctx := context.Background()
	base := func() *State { return sample() } // lineage 0f1e…, serial 7
	tests := []struct {
		name   string
		stored string // "" for no state yet
		state  func() *State
		writeE error
		want   string
	}{
		{"other lineage", string(stored(t, base())), func() *State { s := base(); s.Lineage = "feedbeef"; return s },
			nil, "refusing to save state: memory state belongs to another workspace (lineage 0f1e2d3c4b5a69788796a5b4c3d2e1f0; this state's lineage is feedbeef); nothing was written"},
		{"stored is newer", string(stored(t, base())), func() *State { s := base(); s.Serial = 6; return s },
			nil, "memory state was changed since this state was read (serial 7 there, 6 here)"},
		{"stored is corrupt", `{"format_version": 1, "lin`, base,
			nil, "refusing to save state: memory state is not a meshctl state file (it is not valid JSON"},
		{"stored has a newer format", `{"format_version": 2, "lineage": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "serial": 1}`, base,
			nil, "memory state was written by a newer meshctl"},
		{"stored has no lineage", `{"format_version": 1, "serial": 1}`, base,
			nil, "memory state is corrupt: it has no lineage"},
		{"no lineage", "", func() *State { s := base(); s.Lineage = ""; return s },
			nil, "save state to memory state: the state is invalid (it has no lineage); nothing was written"},
		{"null product", "", func() *State { s := base(); s.Products["gone"] = nil; return s },
			nil, `the state is invalid (product "gone" has no record)`},
		{"nil state", "", func() *State { return nil }, nil, "no state to save"},
		{"write fails", string(stored(t, base())), base, errors.New("disk full"), "save state: disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &memBackend{writeErr: tt.writeE}
			if tt.stored != "" {
				m.doc = []byte(tt.stored)
			}
			s := tt.state()
			var before *State
			if s != nil {
				c := *s
				before = &c
			}
			err := (&Store{Backend: m, MeshctlVersion: "9.9.9"}).Save(ctx, s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Save: %v, want an error containing %q", err, tt.want)
			}
			if m.writes != 0 {
				t.Errorf("%d writes, want none", m.writes)
			}
			if tt.stored != "" && string(m.doc) != tt.stored {
				t.Errorf("stored document changed to:\n%s", m.doc)
			}
			if s != nil {
				if diff := cmp.Diff(before, s); diff != "" {
					t.Errorf("a refused Save changed the state (-before +after):\n%s", diff)
				}
			}
		})
	}
}

func TestStoreLockPassThrough(t *testing.T) {
	ctx := context.Background()
	m := &memBackend{}
	st := &Store{Backend: m}
	if err := st.Lock(ctx, statestore.LockInfo{ID: "L"}, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := st.Unlock(ctx, "L"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"lock L 3s", "unlock L"}, m.calls); diff != "" {
		t.Errorf("backend calls (-want +got):\n%s", diff)
	}
}
