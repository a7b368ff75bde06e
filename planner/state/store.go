package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/meshctl/meshctl/planner/statestore"
)

// Store loads and saves a workspace's state through a backend, guarding
// what a backend, which only stores bytes, cannot: that a document is
// never written over another workspace's state, over a state written since
// it was read, or over a format this meshctl does not know.
//
// A Store holds no state of its own; it is safe for concurrent use when
// its Backend is. Callers hold the lock (Lock) around Load and Save.
type Store struct {
	Backend statestore.Backend
	// MeshctlVersion is recorded in a fresh state and in every saved one.
	MeshctlVersion string
}

// Load returns the stored state, or a fresh one (New) when there is none
// yet. A document that does not decode is an error, never replaced.
func (st *Store) Load(ctx context.Context) (*State, error) {
	doc, err := st.Backend.Read(ctx)
	if errors.Is(err, statestore.ErrNotFound) {
		return New(st.MeshctlVersion), nil
	}
	if err != nil {
		return nil, fmt.Errorf("load state: %w", err)
	}
	return Decode(doc, st.Backend.Describe())
}

// Save writes s with its serial one higher. It first reads the stored
// document back and refuses to write when that one belongs to another
// lineage, has a higher serial than s (someone saved since s was loaded),
// or cannot be read (corrupt, or a newer format); it also refuses a state
// that Decode would refuse. On success s's Serial, FormatVersion and
// MeshctlVersion are what was written; on error s is unchanged.
func (st *Store) Save(ctx context.Context, s *State) error {
	where := st.Backend.Describe()
	if s == nil {
		return fmt.Errorf("save state to %s: no state to save", where)
	}
	next := *s
	next.Serial++
	next.FormatVersion = FormatVersion
	if st.MeshctlVersion != "" {
		next.MeshctlVersion = st.MeshctlVersion
	}
	if err := next.validate(); err != nil {
		return fmt.Errorf("save state to %s: the state is invalid (%v); nothing was written", where, err)
	}
	if err := st.checkStored(ctx, s); err != nil {
		return err
	}
	doc, err := Encode(&next)
	if err != nil {
		return fmt.Errorf("save state to %s: %w", where, err)
	}
	if err := st.Backend.Write(ctx, doc); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	s.Serial, s.FormatVersion, s.MeshctlVersion = next.Serial, next.FormatVersion, next.MeshctlVersion
	return nil
}

// checkStored reads the stored document back and says why s must not be
// written over it. Only its head is decoded: the whole document was
// validated when it was loaded, and Save runs after every product.
func (st *Store) checkStored(ctx context.Context, s *State) error {
	where := st.Backend.Describe()
	doc, err := st.Backend.Read(ctx)
	if errors.Is(err, statestore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("save state: read back the stored state: %w", err)
	}
	var head struct {
		FormatVersion *int   `json:"format_version"`
		Lineage       string `json:"lineage"`
		Serial        int64  `json:"serial"`
	}
	if err := json.Unmarshal(doc, &head); err != nil || head.FormatVersion == nil || *head.FormatVersion > FormatVersion || *head.FormatVersion < 1 || head.Lineage == "" {
		// Decode gives the full reason (corrupt, newer format, …).
		_, derr := Decode(doc, where)
		if derr == nil {
			derr = fmt.Errorf("%s cannot be read: %v", where, err)
		}
		return fmt.Errorf("refusing to save state: %w", derr)
	}
	if head.Lineage != s.Lineage {
		return fmt.Errorf("refusing to save state: %s belongs to another workspace (lineage %s; this state's lineage is %s); nothing was written — check that the workspace uses the right state backend", where, head.Lineage, s.Lineage)
	}
	if head.Serial > s.Serial {
		return fmt.Errorf("refusing to save state: %s was changed since this state was read (serial %d there, %d here); nothing was written — run the command again", where, head.Serial, s.Serial)
	}
	return nil
}

// Lock takes the state's lock (see statestore.Backend.Lock).
func (st *Store) Lock(ctx context.Context, info statestore.LockInfo, timeout time.Duration) error {
	return st.Backend.Lock(ctx, info, timeout)
}

// Unlock releases the lock taken with id (see statestore.Backend.Unlock).
func (st *Store) Unlock(ctx context.Context, id string) error {
	return st.Backend.Unlock(ctx, id)
}
