package suggest

import "testing"

func TestName(t *testing.T) {
	cands := []string{"error", "warn", "owner", "orders_clean", "customers"}
	tests := map[string]string{
		"eror":         "error",
		"Owner":        "owner",
		"warning":      "warn",
		"ordrs_clean":  "orders_clean",
		"customer":     "customers",
		"zzz":          "",
		"orders_clean": "",
		"wa":           "warn", // within two edits
	}
	for given, want := range tests {
		if got := Name(given, cands); got != want {
			t.Errorf("Name(%q) = %q, want %q", given, got, want)
		}
	}
}

func TestSentenceAndList(t *testing.T) {
	for in, want := range map[string]string{
		`unknown type "x"; did you mean "y"?`: `Unknown type "x"; did you mean "y"?`,
		"no file matches":                     "No file matches.",
		"done.":                               "Done.",
		"":                                    "",
	} {
		if got := Sentence(in); got != want {
			t.Errorf("Sentence(%q) = %q, want %q", in, got, want)
		}
	}
	if got := List([]string{"b", "a", "c"}, 2); got != `"a", "b", …` {
		t.Errorf("List = %s", got)
	}
}
