package lake

import (
	"encoding/json"
	"testing"
)

// mustJSON encodes v as the manifest file holds it.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}
