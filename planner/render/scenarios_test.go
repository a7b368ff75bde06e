package render

import (
	"fmt"
	"time"

	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

// scenario is one golden case: a plan built in Go and the options its
// views are rendered with.
type scenario struct {
	name string
	plan func() *plans.Plan
	text TextOptions
	md   MarkdownOptions
}

// scenarios are the golden cases of testdata/golden/NAME/.
var scenarios = []scenario{
	{name: "new_product", plan: newProduct},
	{name: "removed_product", plan: removedProduct},
	{name: "removed_column", plan: removedColumn},
	{name: "added_column", plan: addedColumn},
	{name: "widened_type", plan: widenedType},
	{name: "narrowed_type", plan: narrowedType},
	{name: "nullable_to_not_null", plan: nullableToNotNull},
	{name: "not_null_to_nullable", plan: notNullToNullable},
	{name: "owner_change", plan: ownerChange},
	{name: "description_tags_change", plan: descriptionTagsChange},
	{name: "transform_change", plan: transformChange},
	{name: "input_data_change", plan: inputDataChange},
	{name: "upstream_cascade", plan: upstreamCascade},
	{name: "delete_refused", plan: deleteRefused},
	{name: "drifted_output", plan: driftedOutput},
	{name: "failed_last_apply", plan: failedLastApply},
	{name: "no_changes", plan: noChangesPlan, text: TextOptions{ShowNoOps: true}},
	{name: "many_products", plan: func() *plans.Plan { return manyProducts(40) }, md: MarkdownOptions{Limit: 2500}},
	{name: "breaking_without_major", plan: breakingWithoutMajor},
	{name: "downstream_consumers", plan: downstreamConsumers},
	{name: "hostile_names", plan: hostileNames},
	{name: "mixed_with_targets", plan: mixedWithTargets, text: TextOptions{Width: 60, ShowNoOps: true}},
	{name: "lifecycle_lifted", plan: lifecycleLifted},
	{name: "policy_violations", plan: policyViolations},
	{name: "no_changes_violations", plan: noChangesViolations},
	{name: "bump_not_declared", plan: bumpNotDeclared},
	{name: "review_order", plan: reviewOrder, md: MarkdownOptions{RiskOrder: true, Consumers: true}},
	{name: "review_truncated", plan: func() *plans.Plan { return manyProducts(40) },
		md: MarkdownOptions{Limit: 2500, RiskOrder: true, Consumers: true, FullPlanURL: "https://github.com/acme/mesh/actions/runs/42"}},
}

var planTime = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func basePlan(changes ...*plans.ProductChange) *plans.Plan {
	return &plans.Plan{
		ID:            "p-20250314-0926-7f3a",
		CreatedAt:     planTime,
		Lineage:       "5e0c1b8a9d2f4e67b1a3c5d7e9f01234",
		Serial:        42,
		WorkspaceHash: "sha256:9b1c",
		Changes:       changes,
	}
}

func col(name, typ string, nullable bool) state.Column {
	return state.Column{Name: name, Type: typ, Nullable: nullable}
}

// record is a state record with the usual acme metadata.
func record(owner string, cols ...state.Column) *state.Product {
	return &state.Product{
		DefinitionHash:  "sha256:def",
		PlanFingerprint: "sha256:plan",
		Metadata: state.Metadata{
			Domain: "sales", Owner: owner, Team: "sales-analytics",
			Description: "Orders cleaned of test accounts", Version: "1.4.0", Freshness: "24h",
		},
		Contract: cols,
		Output:   state.Output{Format: "parquet", Path: "s3://acme-lake/sales/orders_clean/"},
		Inputs:   map[string]state.Input{"orders": {From: "source.shop", Fingerprint: "sha256:in1"}},
	}
}

// withVersion returns a copy of p with another version.
func withVersion(p *state.Product, v string) *state.Product {
	q := *p
	q.Metadata.Version = v
	return &q
}

func withContract(p *state.Product, cols ...state.Column) *state.Product {
	q := *p
	q.Contract = cols
	return &q
}

var ordersCols = []state.Column{
	col("order_id", "int64", false),
	col("customer_id", "int64", false),
	col("amount", "decimal(18,2)", true),
	col("age", "int32", true),
}

func newProduct() *plans.Plan {
	after := record("alice@acme.com", col("customer_id", "int64", false), col("email", "string", true), col("lifetime_value", "decimal(18,2)", true))
	after.Metadata.Tags = []string{"gold", "pii"}
	after.PreventDestroy = true
	return basePlan(&plans.ProductChange{
		Product: "customers_gold", Action: plans.Create, After: after,
		Reasons:      []plans.Reason{{Kind: plans.ReasonNew, Message: "new product"}},
		RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
	})
}

func removedProduct() *plans.Plan {
	return basePlan(&plans.ProductChange{
		Product: "orders_legacy", Action: plans.Delete, Before: record("bob@acme.com", ordersCols...),
		Reasons:      []plans.Reason{{Kind: plans.ReasonRemoved, Message: "removed from the configuration"}},
		RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
	})
}

func removedColumn() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	after := withVersion(withContract(before, ordersCols[:3]...), "2.0.0")
	p := basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Replace, Before: before, After: after,
		Reasons: []plans.Reason{
			{Kind: plans.ReasonTransform, Subject: "transform.project", Message: "transform.project changed"},
		},
		ContractChanges: []plans.ColumnChange{{Column: "age", Kind: plans.ColumnRemoved, Before: "int32", Breaking: true}},
		Breaking:        true, RequiredBump: plans.BumpMajor, DeclaredBump: plans.BumpMajor,
		Downstream: []plans.Downstream{{Product: "revenue_by_region", Owner: "carol@acme.com", Team: "finance", Direct: true}},
	})
	return p
}

func addedColumn() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	after := withVersion(withContract(before, append(append([]state.Column(nil), ordersCols...), col("email", "string", true))...), "1.5.0")
	return basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Replace, Before: before, After: after,
		Reasons:         []plans.Reason{{Kind: plans.ReasonTransform, Subject: "transform.enrich", Message: "transform.enrich changed"}},
		ContractChanges: []plans.ColumnChange{{Column: "email", Kind: plans.ColumnAdded, After: "string"}},
		RequiredBump:    plans.BumpMinor, DeclaredBump: plans.BumpMinor,
	})
}

func widenedType() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	after := withVersion(withContract(before, ordersCols[0], ordersCols[1], col("amount", "decimal(20,2)", true), col("age", "int64", true)), "1.5.0")
	return basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Replace, Before: before, After: after,
		Reasons: []plans.Reason{{Kind: plans.ReasonPlan, Subject: "contract", Message: "the contract's types changed"}},
		ContractChanges: []plans.ColumnChange{
			{Column: "amount", Kind: plans.ColumnType, Before: "decimal(18,2)", After: "decimal(20,2)"},
			{Column: "age", Kind: plans.ColumnType, Before: "int32", After: "int64"},
		},
		RequiredBump: plans.BumpMinor, DeclaredBump: plans.BumpMinor,
	})
}

func narrowedType() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	after := withVersion(withContract(before, ordersCols[0], ordersCols[1], col("amount", "float32", true), ordersCols[3]), "2.0.0")
	return basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Replace, Before: before, After: after,
		Reasons:         []plans.Reason{{Kind: plans.ReasonTransform, Subject: "transform.project", Message: "transform.project changed"}},
		ContractChanges: []plans.ColumnChange{{Column: "amount", Kind: plans.ColumnType, Before: "decimal(18,2)", After: "float32", Breaking: true}},
		Breaking:        true, RequiredBump: plans.BumpMajor, DeclaredBump: plans.BumpMajor,
	})
}

func nullableToNotNull() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	after := withVersion(withContract(before, ordersCols[0], ordersCols[1], col("amount", "decimal(18,2)", false), ordersCols[3]), "1.4.1")
	return basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Replace, Before: before, After: after,
		Reasons:         []plans.Reason{{Kind: plans.ReasonTransform, Subject: "transform.filter_nulls", Message: "transform.filter_nulls changed"}},
		ContractChanges: []plans.ColumnChange{{Column: "amount", Kind: plans.ColumnNullable, Before: "true", After: "false"}},
		RequiredBump:    plans.BumpMinor, DeclaredBump: plans.BumpMinor,
	})
}

func notNullToNullable() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	after := withVersion(withContract(before, ordersCols[0], col("customer_id", "int64", true), ordersCols[2], ordersCols[3]), "2.0.0")
	return basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Replace, Before: before, After: after,
		Reasons:         []plans.Reason{{Kind: plans.ReasonTransform, Subject: "transform.join_customers", Message: "transform.join_customers changed: inner join became a left join"}},
		ContractChanges: []plans.ColumnChange{{Column: "customer_id", Kind: plans.ColumnNullable, Before: "not null", After: "nullable", Breaking: true}},
		Breaking:        true, RequiredBump: plans.BumpMajor, DeclaredBump: plans.BumpMajor,
		Downstream: []plans.Downstream{{Product: "customer_360", Owner: "dana@acme.com", Team: "crm", Direct: true}},
	})
}

func ownerChange() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	after := *before
	after.Metadata.Owner = "bob@acme.com"
	return basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Update, Before: before, After: &after,
		Reasons:      []plans.Reason{{Kind: plans.ReasonMetadata, Subject: "owner", Before: "alice@acme.com", After: "bob@acme.com", Message: "owner changed"}},
		RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
	})
}

func descriptionTagsChange() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	before.Metadata.Tags = []string{"gold"}
	after := withVersion(before, "1.4.1")
	after.Metadata.Description = "Orders without test accounts, one row per order line"
	after.Metadata.Tags = []string{"gold", "certified"}
	after.Contract = append([]state.Column(nil), ordersCols...)
	after.Contract[2].Description = "Line amount in EUR, VAT included"
	return basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Update, Before: before, After: after,
		Reasons: []plans.Reason{
			{Kind: plans.ReasonMetadata, Subject: "description", Message: "description changed"},
			{Kind: plans.ReasonMetadata, Subject: "tags", Message: "tags changed"},
			{Kind: plans.ReasonMetadata, Subject: "version", Message: "version changed"},
			{Kind: plans.ReasonMetadata, Subject: "contract.amount.description", Message: "the description of column amount changed"},
		},
		ContractChanges: []plans.ColumnChange{{Column: "amount", Kind: plans.ColumnDescription, Before: "", After: "Line amount in EUR, VAT included"}},
		RequiredBump:    plans.BumpPatch, DeclaredBump: plans.BumpPatch,
	})
}

func transformChange() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	after := withVersion(before, "1.4.1")
	return basePlan(&plans.ProductChange{
		Product: "adults", Action: plans.Replace, Before: before, After: after,
		Reasons:      []plans.Reason{{Kind: plans.ReasonTransform, Subject: "transform.adults", Before: "sha256:aa11", After: "sha256:bb22", Message: "transform.adults changed"}},
		RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpPatch,
		Downstream: []plans.Downstream{{Product: "marketing_audience", Owner: "erin@acme.com", Team: "growth", Direct: true}},
	})
}

func inputDataChange() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	return basePlan(&plans.ProductChange{
		Product: "customers_clean", Action: plans.Replace, Before: before, After: before,
		Reasons: []plans.Reason{{Kind: plans.ReasonInput, Subject: "input.customers", Before: "sha256:1111", After: "sha256:2222",
			Message: "input.customers changed: data/customers.csv"}},
		RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
	})
}

func upstreamCascade() *plans.Plan {
	up := record("alice@acme.com", ordersCols...)
	mid := record("bob@acme.com", col("region", "string", false), col("revenue", "decimal(38,2)", true))
	top := record("carol@acme.com", col("region", "string", false), col("growth", "float64", true))
	return basePlan(
		&plans.ProductChange{
			Product: "orders_clean", Action: plans.Replace, Before: up, After: up,
			Reasons:      []plans.Reason{{Kind: plans.ReasonInput, Subject: "input.orders", Message: "input.orders changed: s3://acme-raw/shop/orders/2025-03-14/"}},
			RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
			Downstream: []plans.Downstream{
				{Product: "revenue_by_region", Owner: "bob@acme.com", Team: "finance", Direct: true},
				{Product: "growth_dashboard", Owner: "carol@acme.com", Team: "exec-reporting"},
			},
		},
		&plans.ProductChange{
			Product: "revenue_by_region", Action: plans.Replace, Before: mid, After: mid,
			Reasons:      []plans.Reason{{Kind: plans.ReasonUpstream, Subject: "product.orders_clean", Message: "product.orders_clean is replaced"}},
			RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
			Downstream: []plans.Downstream{{Product: "growth_dashboard", Owner: "carol@acme.com", Team: "exec-reporting", Direct: true}},
		},
		&plans.ProductChange{
			Product: "growth_dashboard", Action: plans.Replace, Before: top, After: top,
			Reasons:      []plans.Reason{{Kind: plans.ReasonUpstream, Subject: "product.revenue_by_region"}},
			RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
		},
	)
}

func deleteRefused() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	before.PreventDestroy = true
	p := basePlan(&plans.ProductChange{
		Product: "orders_gold", Action: plans.Delete, Before: before,
		Reasons: []plans.Reason{
			{Kind: plans.ReasonRemoved, Message: "removed from the configuration"},
			{Kind: plans.ReasonProtected, Message: "prevent_destroy is set in state"},
		},
		RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
		Downstream: []plans.Downstream{{Product: "revenue_by_region", Owner: "bob@acme.com", Team: "finance", Direct: true}},
		Refused:    "product.orders_gold has lifecycle { prevent_destroy = true } in state: apply it with prevent_destroy = false before removing it from the configuration.",
	})
	return p
}

func driftedOutput() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	return basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Replace, Before: before, After: before,
		Reasons: []plans.Reason{{Kind: plans.ReasonDrift, Subject: "output",
			Message: "the published output drifted: _versions/v7/part-00001.parquet has checksum sha256:77e1… instead of sha256:0c4b…"}},
		RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
	})
}

func failedLastApply() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	before.Checks = []state.Check{{Name: "no_negative_amounts", Severity: "error", Passed: false}}
	return basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Replace, Before: before, After: before,
		Reasons:      []plans.Reason{{Kind: plans.ReasonFailed, Subject: "check.no_negative_amounts", Message: "the last apply did not publish: check no_negative_amounts failed"}},
		RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
	})
}

func noChangesPlan() *plans.Plan {
	a := record("alice@acme.com", ordersCols...)
	return basePlan(
		&plans.ProductChange{Product: "orders_clean", Action: plans.NoOp, Before: a, After: a, RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone},
		&plans.ProductChange{Product: "revenue_by_region", Action: plans.NoOp, Before: a, After: a, RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone},
		&plans.ProductChange{Product: "growth_dashboard", Action: plans.NoOp, Before: a, After: a, RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone},
	)
}

// manyProducts is a plan of n products cycling through every action, with
// breaking changes, downstream products, a refusal and warnings: the
// Markdown view must truncate it at small limits.
func manyProducts(n int) *plans.Plan {
	p := basePlan()
	for i := range n {
		name := fmt.Sprintf("product_%04d", i)
		before := record(fmt.Sprintf("owner%d@acme.com", i%7), ordersCols...)
		c := &plans.ProductChange{Product: name, RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone}
		switch i % 5 {
		case 0:
			c.Action = plans.Create
			c.After = before
			c.Reasons = []plans.Reason{{Kind: plans.ReasonNew, Message: "new product"}}
		case 1:
			c.Action = plans.Update
			c.Before = before
			after := *before
			after.Metadata.Owner = "new-owner@acme.com"
			c.After = &after
			c.Reasons = []plans.Reason{{Kind: plans.ReasonMetadata, Subject: "owner", Message: "owner changed"}}
		case 2:
			c.Action = plans.Replace
			c.Before = before
			c.After = withContract(before, ordersCols[:3]...)
			c.Reasons = []plans.Reason{
				{Kind: plans.ReasonTransform, Subject: "transform.main", Message: "transform.main changed"},
				{Kind: plans.ReasonInput, Subject: "input.orders", Message: "input.orders changed: s3://acme-raw/shop/orders/"},
			}
			c.ContractChanges = []plans.ColumnChange{{Column: "age", Kind: plans.ColumnRemoved, Before: "int32", Breaking: true}}
			c.Breaking = true
			c.RequiredBump, c.DeclaredBump = plans.BumpMajor, plans.BumpMinor
			c.Downstream = []plans.Downstream{{Product: fmt.Sprintf("product_%04d", i+1), Owner: "x@acme.com", Direct: true}}
			p.Warnings = append(p.Warnings, "product."+name+": breaking contract change with only a minor version bump")
		case 3:
			c.Action = plans.NoOp
			c.Before, c.After = before, before
		case 4:
			c.Action = plans.Delete
			c.Before = before
			c.Reasons = []plans.Reason{{Kind: plans.ReasonRemoved, Message: "removed from the configuration"}}
			if i%25 == 4 {
				c.Before.PreventDestroy = true
				c.Refused = "prevent_destroy is set in state"
			}
		}
		p.Changes = append(p.Changes, c)
	}
	return p
}

func breakingWithoutMajor() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	after := withVersion(withContract(before, ordersCols[0], ordersCols[1], ordersCols[2]), "1.5.0")
	p := basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Replace, Before: before, After: after,
		Reasons:         []plans.Reason{{Kind: plans.ReasonTransform, Subject: "transform.project", Message: "transform.project changed"}},
		ContractChanges: []plans.ColumnChange{{Column: "age", Kind: plans.ColumnRemoved, Before: "int32", Breaking: true}},
		Breaking:        true, RequiredBump: plans.BumpMajor, DeclaredBump: plans.BumpMinor,
		Downstream: []plans.Downstream{{Product: "revenue_by_region", Owner: "bob@acme.com", Team: "finance", Direct: true}},
	})
	p.Warnings = []string{"product.orders_clean: a breaking contract change needs a major version bump (version 1.4.0 → 1.5.0 is a minor one); consumers pinned to 1.x will break"}
	return p
}

func downstreamConsumers() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	after := withVersion(withContract(before, ordersCols[0], ordersCols[1], col("amount", "decimal(18,4)", true), ordersCols[3]), "2.0.0")
	return basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Replace, Before: before, After: after,
		Reasons:         []plans.Reason{{Kind: plans.ReasonTransform, Subject: "transform.amounts", Message: "transform.amounts changed"}},
		ContractChanges: []plans.ColumnChange{{Column: "amount", Kind: plans.ColumnType, Before: "decimal(18,2)", After: "decimal(18,4)", Breaking: true}},
		Breaking:        true, RequiredBump: plans.BumpMajor, DeclaredBump: plans.BumpMajor,
		Downstream: []plans.Downstream{
			{Product: "growth_dashboard", Owner: "carol@acme.com", Team: "exec-reporting"},
			{Product: "revenue_by_region", Owner: "bob@acme.com", Team: "finance", Direct: true},
			{Product: "churn_model", Owner: "frank@acme.com", Team: "data-science", Direct: true, Workspace: "acme-ml"},
			{Product: "audit_export", Direct: true},
		},
	})
}

// hostileNames has names and texts full of what could break a terminal,
// a Markdown table, HTML or a code fence.
func hostileNames() *plans.Plan {
	after := record("ops|team <ops@acme.com>", col("prix_€", "decimal(18,2)", true), col("na`me", "string", true), col("a|b", "string", true))
	after.Metadata.Description = "Ventes *journalières* — 売上 <script>alert(1)</script>"
	before := record("ops", ordersCols...)
	return basePlan(
		&plans.ProductChange{
			Product: "ventes_été_売上", Action: plans.Create, After: after,
			Reasons:      []plans.Reason{{Kind: plans.ReasonNew, Message: "new product with | pipes, <b>tags</b>, `code`, [links](http://x) and *stars*"}},
			RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
		},
		&plans.ProductChange{
			Product: "x<details>`|y", Action: plans.Replace, Before: before, After: before,
			Reasons: []plans.Reason{{Kind: plans.ReasonInput, Subject: "input.raw",
				Message: "input.raw changed: ```\n</details>\n# heading\x1b[31m red \u202egnp.exe"}},
			ContractChanges: []plans.ColumnChange{{Column: "```", Kind: plans.ColumnType, Before: "string", After: "int64", Breaking: true}},
			Breaking:        true, RequiredBump: plans.BumpMajor, DeclaredBump: plans.BumpMajor,
			Downstream: []plans.Downstream{{Product: "ré|port", Owner: "@acme/everyone", Team: "<img src=x>", Direct: true}},
		},
	)
}

// mixedWithTargets has every action at once, a targeted plan and long
// reasons, rendered at a narrow width.
func mixedWithTargets() *plans.Plan {
	a := record("alice@acme.com", ordersCols...)
	b := *a
	b.Metadata.Team = "sales-platform"
	p := basePlan(
		&plans.ProductChange{Product: "customers_gold", Action: plans.Create, After: a, Reasons: []plans.Reason{{Kind: plans.ReasonNew}}, RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone},
		&plans.ProductChange{Product: "shop_sessions", Action: plans.NoOp, Before: a, After: a, RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone},
		&plans.ProductChange{Product: "orders_clean", Action: plans.Update, Before: a, After: &b, Reasons: []plans.Reason{{Kind: plans.ReasonMetadata, Subject: "team"}}, RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone},
		&plans.ProductChange{Product: "revenue_by_region", Action: plans.Replace, Before: a, After: a,
			Reasons: []plans.Reason{{Kind: plans.ReasonOutput, Subject: "output",
				Message: "the output moved from s3://acme-lake/sales/revenue_by_region/ to s3://acme-lake-eu-west-1/sales/revenue_by_region/ and is now partitioned by region and month"}},
			RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone},
		&plans.ProductChange{Product: "orders_archive", Action: plans.Delete, Before: a, Reasons: []plans.Reason{{Kind: plans.ReasonRemoved}}, RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone},
	)
	p.Targets = []string{"customers_gold", "orders_clean", "revenue_by_region", "orders_archive"}
	p.Warnings = []string{"policy.naming: product.orders_archive does not follow the naming convention of domain sales (it should start with sales_); this is a warning because the policy's enforcement level is advisory"}
	return p
}

// lifecycleLifted applies prevent_destroy = false, the step before a
// protected product can be removed.
func lifecycleLifted() *plans.Plan {
	before := record("alice@acme.com", ordersCols...)
	before.PreventDestroy = true
	after := *before
	after.PreventDestroy = false
	return basePlan(&plans.ProductChange{
		Product: "orders_gold", Action: plans.Update, Before: before, After: &after,
		Reasons:      []plans.Reason{{Kind: plans.ReasonLifecycle, Subject: "prevent_destroy", Before: "true", After: "false", Message: "prevent_destroy changed"}},
		RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone,
	})
}

// policyViolations has violations of every enforcement level: blocking
// hard_mandatory and soft_mandatory ones (from the workspace and from a
// governance folder), an exempted one, the expiry of an exemption, an
// advisory one; and two active exemptions, one unused and on its last
// days.
func policyViolations() *plans.Plan {
	p := breakingWithoutMajor()
	p.Warnings = nil
	gold := record("", col("customer_id", "int64", false), col("email", "string", true))
	legacy := record("ops@acme.com", col("email", "string", true))
	p.Changes = append(p.Changes,
		&plans.ProductChange{Product: "customers_gold", Action: plans.Create, After: gold,
			Reasons: []plans.Reason{{Kind: plans.ReasonNew, Message: "new product"}}, RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone},
		&plans.ProductChange{Product: "legacy_export", Action: plans.NoOp, Before: legacy, After: legacy, RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone},
	)
	p.Violations = []plans.Violation{
		{Policy: "no_silent_breaking_changes", Enforcement: plans.HardMandatory, AppliesTo: "change", Object: "product.orders_clean", Product: "orders_clean",
			Message: "product.orders_clean: A breaking contract change needs a major version bump", PolicyAt: "policies.mesh.hcl:9:1", ObjectAt: "products/orders_clean.mesh.hcl:1:1"},
		{Policy: "products_have_owner", Enforcement: plans.HardMandatory, AppliesTo: "product", Object: "product.customers_gold", Product: "customers_gold",
			Message: "product customers_gold has no owner: every data product names an owning team, which is paged when its checks fail", Governance: "../acme-governance",
			PolicyAt: "../acme-governance/ownership.mesh.hcl:1:1", ObjectAt: "products/customers_gold.mesh.hcl:1:1"},
		{Policy: "pii_is_masked", Enforcement: plans.SoftMandatory, AppliesTo: "column", Object: "product.customers_gold.column.email", Product: "customers_gold",
			Message: "customers_gold.email is PII and must be masked", Governance: "../acme-governance",
			PolicyAt: "../acme-governance/pii.mesh.hcl:1:1", ObjectAt: "products/customers_gold.mesh.hcl:14:5"},
		{Policy: "pii_is_masked", Enforcement: plans.SoftMandatory, AppliesTo: "column", Object: "product.legacy_export.column.email", Product: "legacy_export",
			Message: "legacy_export.email is PII and must be masked", Governance: "../acme-governance",
			PolicyAt: "../acme-governance/pii.mesh.hcl:1:1", ObjectAt: "products/legacy_export.mesh.hcl:9:5", Exemption: "legacy_export_pii"},
		{Policy: "product_names_have_domain", Enforcement: plans.Advisory, AppliesTo: "product", Object: "product.legacy_export", Product: "legacy_export",
			Message: "product.legacy_export: product names start with their domain (sales_)", PolicyAt: "policies.mesh.hcl:20:1", ObjectAt: "products/legacy_export.mesh.hcl:1:1"},
		{Policy: "pii_is_masked", Enforcement: plans.SoftMandatory, AppliesTo: "column", Object: "product.old_feed", Product: "old_feed",
			Message:    `exemption "old_feed_pii" from policy "pii_is_masked" for product.old_feed expired on 2026-10-31; renew it with a new expires date or remove it (reason given: partner contract ends in October)`,
			Governance: "../acme-governance", PolicyAt: "../acme-governance/pii.mesh.hcl:1:1", ObjectAt: "exemptions.mesh.hcl:8:1", ExpiredExemption: "old_feed_pii"},
	}
	p.Exemptions = []plans.Exemption{
		{Name: "legacy_export_pii", Policy: "pii_is_masked", Target: "product.legacy_export", Reason: "migration ticket DATA-412",
			Expires: "2027-03-31", DaysLeft: 126, Used: 1, At: "exemptions.mesh.hcl:1:1"},
		{Name: "sandbox_names", Policy: "product_names_have_domain", Target: "domain.sandbox", Reason: "sandbox products are throwaway",
			Expires: "2026-11-26", DaysLeft: 1, Used: 0, At: "exemptions.mesh.hcl:15:1"},
	}
	return p
}

// noChangesViolations changes nothing, but a policy added to the
// governance folder since the last apply fails for products already
// deployed.
func noChangesViolations() *plans.Plan {
	p := noChangesPlan()
	p.Violations = []plans.Violation{
		{Policy: "freshness_declared", Enforcement: plans.HardMandatory, AppliesTo: "product", Object: "product.growth_dashboard", Product: "growth_dashboard",
			Message: "product.growth_dashboard declares no freshness objective", Governance: "../acme-governance",
			PolicyAt: "../acme-governance/sla.mesh.hcl:3:1", ObjectAt: "products/growth_dashboard.mesh.hcl:1:1"},
		{Policy: "descriptions_are_sentences", Enforcement: plans.Advisory, AppliesTo: "product", Object: "product.orders_clean", Product: "orders_clean",
			Message: "product.orders_clean: a description ends with a full stop", PolicyAt: "policies.mesh.hcl:30:1", ObjectAt: "products/orders_clean.mesh.hcl:3:3"},
		{Policy: "freshness_declared", Enforcement: plans.SoftMandatory, AppliesTo: "source", Object: "source.crm",
			Message: "source.crm declares no freshness objective", Governance: "../acme-governance",
			PolicyAt: "../acme-governance/sla.mesh.hcl:12:1", ObjectAt: "sources.mesh.hcl:4:1", Exemption: "crm_is_batch"},
	}
	p.Exemptions = []plans.Exemption{{Name: "crm_is_batch", Policy: "freshness_declared", Target: "source.crm", Reason: "the CRM export runs weekly",
		Expires: "2027-01-15", DaysLeft: 51, Used: 1, At: "exemptions.mesh.hcl:1:1"}}
	return p
}

// bumpNotDeclared adds a column without touching the version: the
// warning names the version it needs.
func bumpNotDeclared() *plans.Plan {
	before := withVersion(record("alice@acme.com", ordersCols...), "v1.2.0")
	after := withContract(before, append(append([]state.Column(nil), ordersCols...), col("email", "string", true))...)
	return basePlan(&plans.ProductChange{
		Product: "orders_clean", Action: plans.Replace, Before: before, After: after,
		Reasons:         []plans.Reason{{Kind: plans.ReasonTransform, Subject: "transform.enrich", Message: "transform.enrich changed"}},
		ContractChanges: []plans.ColumnChange{{Column: "email", Kind: plans.ColumnAdded, After: "string"}},
		RequiredBump:    plans.BumpMinor, DeclaredBump: plans.BumpNone,
	})
}

// reviewOrder is a pull request's plan in dependency order — an update, a
// create, a breaking replace read by other domains, a no-op, a plain
// replace and a delete — rendered by risk with the consumers named.
func reviewOrder() *plans.Plan {
	a := record("alice@acme.com", ordersCols...)
	moved := *a
	moved.Metadata.Owner = "bob@acme.com"
	none := func(c *plans.ProductChange) *plans.ProductChange {
		c.RequiredBump, c.DeclaredBump = plans.BumpNone, plans.BumpNone
		return c
	}
	return basePlan(
		none(&plans.ProductChange{Product: "customers_raw", Action: plans.Update, Before: a, After: &moved,
			Reasons: []plans.Reason{{Kind: plans.ReasonMetadata, Subject: "owner"}}}),
		none(&plans.ProductChange{Product: "customers_gold", Action: plans.Create, After: a, Reasons: []plans.Reason{{Kind: plans.ReasonNew}}}),
		downstreamConsumers().Changes[0],
		none(&plans.ProductChange{Product: "shop_sessions", Action: plans.NoOp, Before: a, After: a}),
		none(&plans.ProductChange{Product: "revenue_by_region", Action: plans.Replace, Before: a, After: a,
			Reasons: []plans.Reason{{Kind: plans.ReasonUpstream, Subject: "product.orders_clean", Message: "product.orders_clean is recomputed by this plan"}}}),
		none(&plans.ProductChange{Product: "orders_archive", Action: plans.Delete, Before: a, Reasons: []plans.Reason{{Kind: plans.ReasonRemoved}}}),
	)
}
