package testrun

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/meshtest"
)

func TestProductTests(t *testing.T) {
	for _, tc := range []struct {
		name  string
		src   string
		files []string
		want  string
	}{
		{
			name: "output passes in any order",
			src: `test "t" {
  product = product.adults
  given "people" {
    rows = [
      { id = 1, name = "ada", age = 30, balance = 12.5, vip = true },
      { id = 2, name = "bo", age = 12 },
      { id = 3, name = "cy", age = 18, balance = "-0.10" },
    ]
  }
  expect {
    rows = [
      { id = 3, name = "CY", balance = -0.1, vip = null },
      { id = 1, name = "ADA", balance = 12.50, vip = true },
    ]
  }
}`,
			want: "PASS",
		},
		{
			name: "output fails with a row diff",
			src: `test "t" {
  product = product.adults
  given "people" {
    rows = [
      { id = 1, name = "ada", age = 30, balance = 12.5 },
      { id = 3, name = "cy", age = 18 },
      { id = 4, name = "di", age = 40 },
    ]
  }
  expect {
    rows = [
      { id = 1, name = "ADA", balance = 12.5 },
      { id = 2, name = "BO", balance = null },
      { id = 3, name = "CY", balance = 1 },
    ]
  }
}`,
			want: `FAIL
the output of product.adults: 2 rows missing, 2 unexpected rows
    id  name  balance
    --  ----  -------
    1   ADA   12.50
  - 2   BO    null
  - 3   CY    1.00
  + 3   CY    null
  + 4   DI    null`,
		},
		{
			name: "only the named columns are compared",
			src: `test "t" {
  product = product.adults
  given "people" {
    rows = [{ id = 1, name = "ada", age = 30, balance = 12.5 }]
  }
  expect {
    rows = [{ name = "ADA" }]
  }
}`,
			want: "PASS",
		},
		{
			name: "an empty expectation compares every column",
			src: `test "t" {
  product = product.adults
  given "people" {
    rows = [{ id = 1, name = "ada", age = 30 }]
  }
  expect {
    rows = []
  }
}`,
			want: `FAIL
the output of product.adults: 1 unexpected row
    id  name  balance  vip
    --  ----  -------  ----
  + 1   ADA   null     null`,
		},
		{
			name: "sorted output in order passes, ties in any order",
			src: `test "t" {
  product = product.ranked
  given "people" {
    rows = [
      { id = 1, name = "ada" },
      { id = 2, name = "bo" },
      { id = 3, name = "cy" },
    ]
  }
  given "visits" {
    rows = [
      { person_id = 1, pages = 2 },
      { person_id = 2, pages = 5 },
      { person_id = 3, pages = 2 },
    ]
  }
  expect {
    rows = [
      { name = "bo", pages = 5, ratio = 1.25 },
      { name = "cy", pages = 2, ratio = 0.5 },
      { name = "ada", pages = 2, ratio = 0.5 },
    ]
  }
}`,
			want: "PASS",
		},
		{
			name: "sorted output out of order fails",
			src: `test "t" {
  product = product.ranked
  given "people" {
    rows = [
      { id = 1, name = "ada" },
      { id = 2, name = "bo" },
      { id = 3, name = "cy" },
    ]
  }
  given "visits" {
    rows = [
      { person_id = 1, pages = 2 },
      { person_id = 2, pages = 5 },
      { person_id = 3, pages = 7 },
    ]
  }
  expect {
    rows = [
      { name = "ada", pages = 2 },
      { name = "bo", pages = 5 },
      { name = "cy", pages = 7 },
    ]
  }
}`,
			want: `FAIL
the output of product.ranked: 2 rows missing, 2 unexpected rows
    name  pages
    ----  -----
  - ada   2
  - bo    5
    cy    7
  + bo    5
  + ada   2`,
		},
		{
			name: "an unsorted transform compares in any order",
			src: `test "t" {
  product = product.ranked
  given "visits" {
    rows = [
      { person_id = 1, pages = 2 },
      { person_id = 2, pages = 5 },
      { person_id = 1, pages = 1 },
    ]
  }
  expect {
    transform = "totals"
    rows = [
      { person_id = 2, pages = 5 },
      { person_id = 1, pages = 3 },
    ]
  }
}`,
			want: "PASS",
		},
		{
			name: "a transform's diff",
			src: `test "t" {
  product = product.adults
  given "people" {
    rows = [{ id = 1, name = "ada", age = 30, vip = false }]
  }
  expect {
    transform = "grown"
    rows = [{ id = 1, vip = true }]
  }
}`,
			want: `FAIL
transform "grown" of product.adults: 1 row missing, 1 unexpected row
    id  vip
    --  -----
  + 1   false
  - 1   true`,
		},
		{
			name:  "CSV given and expected",
			src:   "test \"t\" {\n  product = product.ranked\n  given \"people\" { csv = \"fixtures/people.csv\" }\n  given \"visits\" { csv = \"fixtures/visits.csv\" }\n  expect { csv = \"fixtures/expected.csv\" }\n}\n",
			files: []string{"fixtures/people.csv", "id,name,age,born,seen\n1,ada,30,1990-05-01,2024-01-31T12:00:00Z\n2,,,,\n", "fixtures/visits.csv", "person_id,pages\n1,4\n2,3\n", "fixtures/expected.csv", "name,pages,ratio\nada,4,1\n,3,0.75\n"},
			want:  "PASS",
		},
		{
			name: "a product input is given rows too",
			src: `test "t" {
  product = product.downstream
  given "adults" {
    rows = [{ id = 7, name = "12" }]
  }
  expect {
    rows = [{ id = 7, code = 12 }]
  }
}`,
			want: "PASS",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := outcome(runOne(t, tc.src, tc.files...))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProductTestErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		src   string
		files []string
		want  string
	}{
		{
			name: "values that do not fit their columns",
			src: `test "conv" {
  product = product.adults
  given "people" {
    rows = [
      { id = 1.5, age = "x", score = true, balance = 1.234 },
      { id = 2, age = 3000000000, balance = "12,5", born = "2024-02-30" },
      { id = 3, name = 7, born = 20240101, seen = "yesterday", vip = "yes" },
      { id = 4, balance = 123456789.5, score = "1e400" },
    ]
  }
  expect {
    rows = []
  }
}`,
			want: `FAIL
t.meshtest.hcl:5:14: Value does not fit column "id": test "conv", given "people", row 1, column "id" (int64): 1.5 is not a whole number.
t.meshtest.hcl:5:25: Value does not fit column "age": test "conv", given "people", row 1, column "age" (int32): "x" is not an int32.
t.meshtest.hcl:5:38: Value does not fit column "score": test "conv", given "people", row 1, column "score" (float64): true is not a float64.
t.meshtest.hcl:5:54: Value does not fit column "balance": test "conv", given "people", row 1, column "balance" (decimal(10,2)): 1.234 has 3 digits after the point; decimal(10,2) keeps 2.
t.meshtest.hcl:6:23: Value does not fit column "age": test "conv", given "people", row 2, column "age" (int32): 3000000000 is out of the range of int32.
t.meshtest.hcl:6:45: Value does not fit column "balance": test "conv", given "people", row 2, column "balance" (decimal(10,2)): "12,5" is not a decimal(10,2).
t.meshtest.hcl:6:60: Value does not fit column "born": test "conv", given "people", row 2, column "born" (date): "2024-02-30" is not a date (YYYY-MM-DD).
t.meshtest.hcl:7:24: Value does not fit column "name": test "conv", given "people", row 3, column "name" (string): 7 is not a string: write "7".
t.meshtest.hcl:7:34: Value does not fit column "born": test "conv", given "people", row 3, column "born" (date): 20240101 is not a date: write it as a string, such as "2024-01-31".
t.meshtest.hcl:7:51: Value does not fit column "seen": test "conv", given "people", row 3, column "seen" (timestamp): "yesterday" is not a timestamp (RFC 3339, such as 2024-01-31T12:00:00Z).
t.meshtest.hcl:7:70: Value does not fit column "vip": test "conv", given "people", row 3, column "vip" (bool): "yes" is not a bool (true or false).
t.meshtest.hcl:8:27: Value does not fit column "balance": test "conv", given "people", row 4, column "balance" (decimal(10,2)): 123456789.5 is not a decimal(10,2).`,
		},
		{
			name: "unknown and missing columns, nulls where none may be",
			src: `test "cols" {
  product = product.adults
  given "people" {
    rows = [
      { id = 1, nmae = "ada" },
      { name = "bo" },
      { id = null },
    ]
  }
  expect {
    rows = [
      { id = 1, nam = "ADA" },
      { id = 2 },
    ]
  }
}`,
			want: `FAIL
t.meshtest.hcl:5:17: Unknown column "nmae": test "cols", given "people": input "people" (source.people) has no column "nmae". Did you mean "name"?
t.meshtest.hcl:6:7: Missing value for column "id": test "cols", given "people", row 2: column "id" is not nullable: give it a value.
t.meshtest.hcl:7:14: Null in column "id": test "cols", given "people", row 3: column "id" is not nullable, so it cannot be null here.
t.meshtest.hcl:12:17: Unknown column "nam": test "cols", expect: the output of product.adults has no column "nam". Did you mean "name"?`,
		},
		{
			name:  "a CSV value that does not fit",
			src:   "test \"csv\" {\n  product = product.adults\n  given \"people\" { csv = \"people.csv\" }\n  expect { rows = [] }\n}\n",
			files: []string{"people.csv", "id,age\n1,30\n2,old\n"},
			want: `FAIL
people.csv:3:3: Value does not fit column "age": test "csv", given "people", row 2, column "age" (int32): "old" is not an int32.`,
		},
		{
			name: "unknown product",
			src:  "test \"p\" {\n  product = product.adultz\n  expect { rows = [] }\n}\n",
			want: `FAIL
t.meshtest.hcl:2:13: Unknown product: The workspace declares no product named "adultz". Did you mean "adults"?`,
		},
		{
			name: "unknown transform, unknown input",
			src:  "test \"tr\" {\n  product = product.adults\n  given \"peeple\" { rows = [] }\n  expect {\n    transform = \"grwn\"\n    rows = []\n  }\n}\n",
			want: `FAIL
t.meshtest.hcl:5:17: Unknown transform: product.adults has no transform "grwn". Did you mean "grown"?`,
		},
		{
			name: "unknown input, missing rows",
			src:  "test \"in\" {\n  product = product.ranked\n  given \"peeple\" { rows = [] }\n  expect { rows = [] }\n}\n",
			want: `FAIL
t.meshtest.hcl:1:1: Missing rows for input "people": Test "in" gives no rows for input "people", which the output of product.ranked reads. Tests never read real data: add given "people" { rows = [] } for an empty input.
t.meshtest.hcl:1:1: Missing rows for input "visits": Test "in" gives no rows for input "visits", which the output of product.ranked reads. Tests never read real data: add given "visits" { rows = [] } for an empty input.
t.meshtest.hcl:3:9: Unknown input: product.ranked has no input "peeple". Did you mean "people"?`,
		},
		{
			name: "the data breaks an expression",
			src: `test "cast" {
  product = product.downstream
  given "adults" {
    rows = [{ id = 7, name = "seven" }]
  }
  expect {
    rows = []
  }
}`,
			want: `FAIL
main.mesh.hcl:117:16: Computing the product failed: test "cast": cast(name, "int32"): "seven" is not an int32 (row 0 of the batch).`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := outcome(runOne(t, tc.src, tc.files...))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPolicyTests(t *testing.T) {
	const leaky = `  product = <<-EOT
    product "leaky" {
      domain = domain.d
      owner  = "%s"
      input "people" {
        from = source.people
      }
      transform "names" {
        from = input.people
        select {
          columns = {
            id   = id
            name = lower(name)
          }
        }
      }
      output {
        path = "out/leaky/"
      }
%s    }
  EOT
`
	masked := "      contract {\n        column \"name\" {\n          type = \"string\"\n          mask = \"hash\"\n        }\n      }\n"
	snippet := func(owner, contract string) string {
		return sprintf(leaky, owner, contract)
	}
	for _, tc := range []struct {
		name string
		src  string
		want string
	}{
		{
			name: "a snippet fails as expected, with its message",
			src:  "policy_test \"p\" {\n  policy = policy.pii_is_masked\n" + snippet("o@x", "") + "  expect = \"fail\"\n  expect_message = \"leaky.name carries PII\"\n}\n",
			want: "PASS",
		},
		{
			name: "a snippet passes as expected",
			src:  "policy_test \"p\" {\n  policy = policy.pii_is_masked\n" + snippet("o@x", masked) + "  expect = \"pass\"\n}\n",
			want: "PASS",
		},
		{
			name: "a snippet expected to fail passes",
			src:  "policy_test \"p\" {\n  policy = policy.pii_is_masked\n" + snippet("o@x", masked) + "  expect = \"fail\"\n}\n",
			want: "FAIL\npolicy.pii_is_masked passes for product.leaky; the test expects it to fail.",
		},
		{
			name: "a snippet expected to pass fails",
			src:  "policy_test \"p\" {\n  policy = policy.pii_is_masked\n" + snippet("o@x", "") + "  expect = \"pass\"\n}\n",
			want: "FAIL\npolicy.pii_is_masked fails for product.leaky; the test expects it to pass:\n  product.leaky.column.name: leaky.name carries PII and must be masked",
		},
		{
			name: "the message differs",
			src:  "policy_test \"p\" {\n  policy = policy.pii_is_masked\n" + snippet("o@x", "") + "  expect = \"fail\"\n  expect_message = \"is not masked\"\n}\n",
			want: "FAIL\npolicy.pii_is_masked fails for product.leaky, but no message contains \"is not masked\":\n  product.leaky.column.name: leaky.name carries PII and must be masked",
		},
		{
			name: "a governance policy",
			src:  "policy_test \"p\" {\n  policy = policy.products_are_described\n" + snippet("o@x", masked) + "  expect = \"fail\"\n  expect_message = \"product leaky needs a description\"\n}\n",
			want: "PASS",
		},
		{
			name: "a product of the workspace",
			src:  "policy_test \"p\" {\n  policy  = policy.pii_is_masked\n  product = product.adults\n  expect  = \"fail\"\n}\n",
			want: "PASS",
		},
		{
			name: "a product of the workspace that passes",
			src:  "policy_test \"p\" {\n  policy  = policy.products_have_owner\n  product = product.ranked\n  expect  = \"pass\"\n}\n",
			want: "PASS",
		},
		{
			name: "unknown policy",
			src:  "policy_test \"p\" {\n  policy  = policy.pii_is_maskd\n  product = product.adults\n  expect  = \"fail\"\n}\n",
			want: `FAIL
t.meshtest.hcl:2:13: Unknown policy: No policy named "pii_is_maskd" is declared in the workspace or its governance folders. Did you mean "pii_is_masked"? If it is a governance policy, run with --policies DIR (the governance folder).`,
		},
		{
			name: "a snippet that does not compile is reported in the test file",
			src:  "policy_test \"p\" {\n  policy = policy.pii_is_masked\n" + strings.Replace(snippet("o@x", ""), "lower(name)", "lower(nme)", 1) + "  expect = \"fail\"\n}\n",
			want: "FAIL\nt.meshtest.hcl:15:26: Unknown column \"nme\": The input of this select has no column \"nme\". Did you mean \"name\"?",
		},
		{
			name: "a snippet without a product",
			src:  "policy_test \"p\" {\n  policy  = policy.pii_is_masked\n  product = <<-EOT\n    # nothing\n  EOT\n  expect  = \"fail\"\n}\n",
			want: `FAIL
t.meshtest.hcl:3:13: No product in the snippet: The heredoc declares no product (nor source) for policy.pii_is_masked to judge: write a product block in it.`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := outcome(runOne(t, tc.src))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	suite, _ := setup(t, map[string]string{"t.meshtest.hcl": `
test "adults_one" {
  product = product.adults
  expect { rows = [] }
}
test "adults_two" {
  product = product.adults
  expect { rows = [] }
}
test "ranked" {
  product = product.ranked
  expect { rows = [] }
}
`})
	names := func(cs []meshtest.Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.TestName())
		}
		return out
	}
	for _, tc := range []struct {
		patterns        []string
		want, unmatched []string
	}{
		{nil, []string{"adults_one", "adults_two", "ranked"}, nil},
		{[]string{"two"}, []string{"adults_two"}, nil},
		{[]string{"adults_*"}, []string{"adults_one", "adults_two"}, nil},
		{[]string{"r*", "one", "zzz"}, []string{"adults_one", "ranked"}, []string{"zzz"}},
		{[]string{"adults"}, []string{"adults_one", "adults_two"}, nil},
		{[]string{"*s"}, nil, []string{"*s"}},
	} {
		got, unmatched, err := Select(suite.Cases, tc.patterns)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, names(got)); diff != "" {
			t.Errorf("Select(%q) (-want +got):\n%s", tc.patterns, diff)
		}
		if diff := cmp.Diff(tc.unmatched, unmatched); diff != "" {
			t.Errorf("Select(%q) unmatched (-want +got):\n%s", tc.patterns, diff)
		}
	}
	if _, _, err := Select(suite.Cases, []string{"[a"}); err == nil {
		t.Errorf("Select with a bad glob: no error")
	}
}
