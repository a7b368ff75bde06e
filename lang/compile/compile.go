package compile

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/meshctl/meshctl/lang/addrs"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/hcldiag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/sourceschema"
	"github.com/meshctl/meshctl/lang/suggest"
	"github.com/meshctl/meshctl/lang/types"
)

// Options controls compilation.
type Options struct {
	// Readers read source schemas from data, per source kind. A source
	// whose kind has no reader must declare its schema (infer = false).
	Readers sourceschema.Readers
	// Products, when not empty, limits compilation to these products and
	// the products they read from (for explain and preview).
	Products []string
}

// Result is a compiled workspace.
type Result struct {
	// Products holds every product that compiled without errors.
	Products map[string]*ir.Product
	// Order lists those products upstream first.
	Order []string
}

type compiler struct {
	ctx   context.Context
	ws    *configs.Workspace
	opts  Options
	diags diag.Diagnostics
	// untyped marks numeric and string constants written literally: they
	// adapt to the type of what they meet (age > 18 compares int32s).
	untyped map[*ir.Literal]bool
	read    map[string]readResult
	sources map[string]*rel
	// products maps a product to its compiled form; nil means it failed.
	products map[string]*ir.Product
	done     map[string]bool
}

type readResult struct {
	res *sourceschema.Result
	err error
}

// rel is a relation being compiled: a plan node and the columns as
// expressions see them (with join qualifiers).
type rel struct {
	node ir.Node
	cols types.Schema
}

// Compile type-checks every product of ws and compiles it to IR. Products
// are returned even when others fail; diagnostics cover every problem
// found.
func Compile(ctx context.Context, ws *configs.Workspace, opts Options) (*Result, diag.Diagnostics) {
	c := &compiler{
		ctx: ctx, ws: ws, opts: opts,
		untyped:  map[*ir.Literal]bool{},
		sources:  map[string]*rel{},
		products: map[string]*ir.Product{},
		done:     map[string]bool{},
	}
	wanted := c.wanted()
	c.readSchemas(wanted)
	res := &Result{Products: map[string]*ir.Product{}}
	for _, name := range ws.ProductOrder {
		if wanted[name] {
			c.productByName(name, nil)
		}
	}
	for _, name := range c.order(wanted) {
		if p := c.products[name]; p != nil {
			res.Products[name] = p
			res.Order = append(res.Order, name)
		}
	}
	c.checkPolicies()
	diags := c.diags.Dedup()
	diags.Sort()
	return res, diags
}

// wanted returns the products to compile: all, or those asked for and
// everything upstream of them.
func (c *compiler) wanted() map[string]bool {
	out := map[string]bool{}
	if len(c.opts.Products) == 0 {
		for _, n := range c.ws.ProductOrder {
			out[n] = true
		}
		return out
	}
	var add func(string)
	add = func(n string) {
		p := c.ws.Products[n]
		if p == nil || out[n] {
			return
		}
		out[n] = true
		for _, in := range p.Inputs {
			if in.From.Kind == addrs.ProductKind {
				add(in.From.Name)
			}
		}
	}
	for _, n := range c.opts.Products {
		add(n)
	}
	return out
}

// order lists wanted products upstream first (declaration order among
// independent ones).
func (c *compiler) order(wanted map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if seen[n] || !wanted[n] {
			return
		}
		seen[n] = true
		for _, in := range c.ws.Products[n].Inputs {
			if in.From.Kind == addrs.ProductKind {
				visit(in.From.Name)
			}
		}
		out = append(out, n)
	}
	for _, n := range c.ws.ProductOrder {
		visit(n)
	}
	return out
}

// readSchemas reads, in parallel, the schema of every source the wanted
// products use and that is not fully declared.
func (c *compiler) readSchemas(wanted map[string]bool) {
	c.read = map[string]readResult{}
	var names []string
	seen := map[string]bool{}
	for _, pn := range c.ws.ProductOrder {
		if !wanted[pn] {
			continue
		}
		for _, in := range c.ws.Products[pn].Inputs {
			s := c.ws.Sources[in.From.Name]
			if in.From.Kind != addrs.SourceKind || s == nil || seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if s.Schema != nil && !s.Schema.Infer {
				continue
			}
			if c.opts.Readers[sourceKind(s.Type)] != nil {
				names = append(names, s.Name)
			}
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, n := range names {
		s := c.ws.Sources[n]
		src := irSource(s)
		reader := c.opts.Readers[src.Kind]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := reader.ReadSchema(c.ctx, src)
			if err == nil && res == nil {
				err = fmt.Errorf("the reader returned no schema")
			}
			mu.Lock()
			c.read[n] = readResult{res: res, err: err}
			mu.Unlock()
		}()
	}
	wg.Wait()
}

func sourceKind(t string) ir.SourceKind {
	switch t {
	case "csv":
		return ir.SourceCSV
	case "parquet":
		return ir.SourceParquet
	case "postgres":
		return ir.SourcePostgres
	}
	return 0
}

func irSource(s *configs.Source) *ir.Source {
	src := &ir.Source{
		Kind: sourceKind(s.Type), Name: s.Name, Path: s.Path, Table: s.Table, Query: s.Query, Endpoint: s.Endpoint,
		CSV: ir.CSVOptions{Delimiter: s.CSV.Delimiter, Header: s.CSV.Header, NullValue: s.CSV.NullValue, OnError: s.CSV.OnError},
	}
	if src.CSV.Delimiter == 0 {
		src.CSV.Delimiter = ','
	}
	if s.DSN != nil {
		src.DSNEnv, src.DSN = s.DSN.Env, s.DSN.Literal
	}
	if s.Schema != nil && !s.Schema.Infer {
		src.Declared = true
	}
	return src
}

// source compiles a source to a Scan; nil when its schema is unknown (the
// problem has been reported).
func (c *compiler) source(name string) *rel {
	if r, ok := c.sources[name]; ok {
		return r
	}
	s := c.ws.Sources[name]
	c.sources[name] = nil
	if s == nil || s.Type == "" {
		return nil
	}
	src := irSource(s)
	var cols types.Schema
	if src.Declared {
		for _, d := range s.Schema.Columns {
			cols = append(cols, declaredColumn(d))
		}
	} else {
		rr, ok := c.read[name]
		if !ok {
			c.errorf(s.TypeRange, fmt.Sprintf("Cannot read the schema of source %q", name),
				"meshctl cannot read %s schemas here. Declare the columns instead:\n\n  schema {\n    infer = false\n    column \"id\" { type = \"int64\" }\n  }", s.Type)
			return nil
		}
		if rr.err != nil {
			rng := s.PathRange
			if s.Path == "" {
				rng = s.Range
			}
			c.errorf(rng, fmt.Sprintf("Cannot read the schema of source %q", name), "%s", suggest.Sentence(rr.err.Error()))
			return nil
		}
		for _, note := range rr.res.Notes {
			c.warnf(s.Range, fmt.Sprintf("Source %q: column left out", name), "%s", note)
		}
		cols = slices.Clone(rr.res.Columns)
		if s.Schema != nil && !c.override(s, cols) {
			return nil
		}
	}
	r := &rel{node: &ir.Scan{Source: src, Out: cols}, cols: cols}
	c.sources[name] = r
	return r
}

func declaredColumn(d *configs.Column) types.Column {
	col := types.Column{Name: d.Name, Type: d.Type, Nullable: true, Description: d.Description, Tags: types.MergeTags(d.Tags)}
	if d.Nullable != nil {
		col.Nullable = *d.Nullable
	}
	return col
}

// override applies a schema block's columns to the columns read from the
// data: CSV values are parsed as the declared type; for typed formats a
// declared type may only widen the data's.
func (c *compiler) override(s *configs.Source, cols types.Schema) bool {
	ok := true
	for _, d := range s.Schema.Columns {
		i := cols.Index(d.Name)
		if i < 0 {
			c.errorf(d.Range, fmt.Sprintf("Column %q is not in source %q", d.Name, s.Name), "The data has no column %q.%s", d.Name,
				orList(suggest.DidYouMean(d.Name, cols.Names()), " Its columns are "+suggest.List(cols.Names(), 12)+"."))
			ok = false
			continue
		}
		col := &cols[i]
		if d.HasType && d.Type != col.Type {
			if s.Type != "csv" && !types.CanWiden(col.Type, d.Type) {
				c.errorf(d.TypeRange, fmt.Sprintf("Column %q cannot be read as %s", d.Name, d.Type),
					"The data holds %q as %s, which does not widen to %s. Declare a wider type, or convert it in a select with cast().", d.Name, col.Type, d.Type)
				ok = false
				continue
			}
			col.Type = d.Type
		}
		if d.Nullable != nil {
			col.Nullable = *d.Nullable
		}
		if d.Description != "" {
			col.Description = d.Description
		}
		col.Tags = types.MergeTags(col.Tags, d.Tags)
	}
	return ok
}

func orList(first, second string) string {
	if first != "" {
		return first
	}
	return second
}

// productByName compiles a product once. from is the input that needs it,
// for messages; nil at the top level.
func (c *compiler) productByName(name string, from *configs.Input) *ir.Product {
	if c.done[name] {
		return c.products[name]
	}
	c.done[name] = true // also guards against cycles, reported by configs
	p := c.ws.Products[name]
	if p == nil {
		return nil
	}
	out := c.product(p)
	c.products[name] = out
	return out
}

// product compiles one product; nil when anything in it failed.
func (c *compiler) product(p *configs.Product) *ir.Product {
	errsBefore := c.errorCount()
	pc := &productCtx{p: p, rels: map[addrs.Ref]*rel{}, state: map[addrs.Ref]int{}}
	blocked := false // an input is unavailable: its error is reported elsewhere
	out := &ir.Product{Name: p.Name}
	for _, in := range p.Inputs {
		var r *rel
		switch in.From.Kind {
		case addrs.SourceKind:
			r = c.source(in.From.Name)
			if r != nil {
				out.Inputs = append(out.Inputs, ir.Input{Name: in.Name, Source: r.node.(*ir.Scan).Source})
			}
		case addrs.ProductKind:
			up := c.productByName(in.From.Name, in)
			if up != nil {
				src := &ir.Source{Kind: ir.SourceProduct, Name: up.Name, Path: up.Output.Path, Format: up.Output.Format}
				cols := up.Output.Schema
				r = &rel{node: &ir.Scan{Source: src, Out: cols}, cols: cols}
				out.Inputs = append(out.Inputs, ir.Input{Name: in.Name, Source: src})
			}
		}
		if r == nil {
			blocked = true
			continue
		}
		pc.rels[addrs.Ref{Kind: addrs.InputKind, Name: in.Name}] = r
	}
	for _, t := range p.Transforms {
		if r := c.transform(pc, t); r != nil {
			out.Transforms = append(out.Transforms, ir.Transform{Name: t.Name, Root: r.node})
		}
	}
	c.unused(pc)
	if p.Output == nil {
		return nil
	}
	res := c.outputRel(pc)
	if res == nil {
		return nil
	}
	c.output(pc, res, out)
	if blocked || c.errorCount() > errsBefore || out.Output.Root == nil {
		return nil
	}
	return out
}

func (c *compiler) errorCount() int {
	n, _ := c.diags.Count()
	return n
}

// productCtx is the state of one product's compilation.
type productCtx struct {
	p    *configs.Product
	rels map[addrs.Ref]*rel
	// state is 1 while a transform is being compiled, 2 when done.
	state map[addrs.Ref]int
	used  map[addrs.Ref]bool
}

func (pc *productCtx) use(r addrs.Ref) {
	if pc.used == nil {
		pc.used = map[addrs.Ref]bool{}
	}
	pc.used[r] = true
}

// relOf returns the relation an input.x or transform.y reference names.
func (c *compiler) relOf(pc *productCtx, r addrs.Ref) *rel {
	pc.use(r)
	if r.Kind == addrs.TransformKind {
		if t := pc.p.Transform(r.Name); t != nil {
			return c.transform(pc, t)
		}
		return nil
	}
	return pc.rels[r]
}

func (c *compiler) unused(pc *productCtx) {
	out := pc.p.Output
	if out != nil {
		switch {
		case out.From != nil:
			pc.use(*out.From)
		case len(pc.p.Transforms) > 0:
			pc.use(addrs.Ref{Kind: addrs.TransformKind, Name: pc.p.Transforms[len(pc.p.Transforms)-1].Name})
		case len(pc.p.Inputs) > 0:
			pc.use(addrs.Ref{Kind: addrs.InputKind, Name: pc.p.Inputs[0].Name})
		}
	}
	for _, in := range pc.p.Inputs {
		if !pc.used[addrs.Ref{Kind: addrs.InputKind, Name: in.Name}] {
			c.warnf(in.Range, fmt.Sprintf("Unused input %q", in.Name), "No transform of product %q reads input.%s; remove it, or it still counts as a dependency.", pc.p.Name, in.Name)
		}
	}
	for _, t := range pc.p.Transforms {
		if !pc.used[addrs.Ref{Kind: addrs.TransformKind, Name: t.Name}] {
			c.warnf(t.Range, fmt.Sprintf("Unused transform %q", t.Name), "Nothing reads transform.%s: neither another transform nor the output.", t.Name)
		}
	}
}

// transform compiles a transform once; nil when it failed.
func (c *compiler) transform(pc *productCtx, t *configs.Transform) *rel {
	key := addrs.Ref{Kind: addrs.TransformKind, Name: t.Name}
	switch pc.state[key] {
	case 1:
		return nil // a cycle, reported by configs
	case 2:
		return pc.rels[key]
	}
	pc.state[key] = 1
	defer func() { pc.state[key] = 2 }()
	// Everything the transform reads counts as used even if an error stops
	// its compilation early: one mistake, one message.
	pc.use(t.From)
	for _, op := range t.Operators {
		switch op := op.(type) {
		case *configs.Join:
			pc.use(op.With)
		case *configs.Union:
			for _, w := range op.With {
				pc.use(w)
			}
		}
	}
	if t.From.Name == "" {
		return nil
	}
	start := c.relOf(pc, t.From)
	if start == nil {
		return nil
	}
	// Inside a transform, the input's columns can be qualified with its name.
	cur := &rel{node: start.node, cols: start.cols.WithQualifier(t.From.Name)}
	for _, op := range t.Operators {
		cur = c.operator(pc, t, cur, op)
		if cur == nil {
			return nil
		}
	}
	if dup := duplicateName(cur.cols); dup != "" {
		c.errorf(t.Range, fmt.Sprintf("Transform %q yields two columns named %q", t.Name, dup),
			"Columns must have unique names when a transform ends. Add a select that keeps one of them or renames it, such as select { columns = { %s = %s.%s, … } }.", dup, firstQualifier(cur.cols, dup), dup)
		return nil
	}
	r := &rel{node: cur.node, cols: cur.cols.Unqualified()}
	pc.rels[key] = r
	return r
}

func duplicateName(cols types.Schema) string {
	seen := map[string]bool{}
	for _, col := range cols {
		if seen[col.Name] {
			return col.Name
		}
		seen[col.Name] = true
	}
	return ""
}

func firstQualifier(cols types.Schema, name string) string {
	for _, col := range cols {
		if col.Name == name && col.Qualifier != "" {
			return col.Qualifier
		}
	}
	return "side"
}

// outputRel returns what the output publishes, before the contract.
func (c *compiler) outputRel(pc *productCtx) *rel {
	o := pc.p.Output
	switch {
	case o.From != nil:
		return c.relOf(pc, *o.From)
	case len(pc.p.Transforms) > 0:
		last := pc.p.Transforms[len(pc.p.Transforms)-1]
		return c.relOf(pc, addrs.Ref{Kind: addrs.TransformKind, Name: last.Name})
	case len(pc.p.Inputs) == 1:
		in := pc.p.Inputs[0]
		r := c.relOf(pc, addrs.Ref{Kind: addrs.InputKind, Name: in.Name})
		if r != nil && duplicateName(r.cols) != "" {
			return nil
		}
		return r
	}
	return nil
}

// output applies the contract to what the product computes, then compiles
// the checks over the result.
func (c *compiler) output(pc *productCtx, r *rel, out *ir.Product) {
	p := pc.p
	o := p.Output
	root, cols := r.node, r.cols.Unqualified()
	var notNull []int // contract columns promised non-null but computed nullable
	if ct := p.Contract; ct != nil {
		exprs := make([]ir.Expr, len(cols))
		outCols := slices.Clone(cols)
		changed := false
		for i, col := range cols {
			exprs[i] = &ir.ColumnRef{Meta: ir.Meta{T: col.Type, Null: col.Nullable}, Index: i, Name: col.Name}
		}
		for _, d := range ct.Columns {
			i := cols.Index(d.Name)
			if i < 0 {
				c.errorf(d.Range, fmt.Sprintf("Contract column %q is not in the output", d.Name),
					"Product %q promises a column %q but its output has none.%s", p.Name, d.Name,
					orList(suggest.DidYouMean(d.Name, cols.Names()), " The output's columns are "+suggest.List(cols.Names(), 12)+"."))
				continue
			}
			col := cols[i]
			if d.Mask != "" {
				if c.mask(d, col, i, exprs, outCols, &notNull) {
					changed = true
				}
				continue
			}
			if d.Type != col.Type && d.HasType {
				if narrowsDecimal(col.Type, d.Type) {
					// sum() of decimal(18,2) is decimal(38,2); a contract may
					// promise fewer digits, checked value by value at run time.
					exprs[i] = &ir.Cast{Meta: ir.Meta{T: d.Type, Null: col.Nullable, Src: hcldiag.Range(d.TypeRange)}, X: exprs[i], Explicit: true}
					outCols[i].Type = d.Type
					changed = true
				} else if !types.CanWiden(col.Type, d.Type) {
					c.errorf(d.TypeRange, fmt.Sprintf("Contract says %q is %s, but the output computes %s", d.Name, d.Type, col.Type),
						"%s does not widen to %s without loss. Change the contract's type, or convert the column where it is computed: %s = cast(…, %q).", col.Type, d.Type, d.Name, d.Type.String())
					continue
				}
				exprs[i] = c.coerce(exprs[i], d.Type)
				outCols[i].Type = d.Type
				changed = true
			}
			switch {
			case d.Nullable == nil:
			case !*d.Nullable:
				if col.Nullable {
					notNull = append(notNull, i)
				}
				outCols[i].Nullable = false
			default:
				// The contract keeps the right to publish nulls later.
				outCols[i].Nullable = true
			}

			if d.Description != "" {
				outCols[i].Description = d.Description
			}
			outCols[i].Tags = types.MergeTags(col.Tags, d.Tags)
		}
		if changed {
			pcols := slices.Clone(outCols)
			for i := range pcols {
				pcols[i].Nullable = exprs[i].Nullable()
			}
			root = &ir.Project{Input: root, Exprs: exprs, Out: pcols}
		}
		cols = outCols
	}
	for _, name := range o.PartitionBy {
		if cols.Index(name) < 0 {
			c.errorf(o.PartitionRange, fmt.Sprintf("Cannot partition by %q", name), "The output has no column %q.%s", name,
				orList(suggest.DidYouMean(name, cols.Names()), " Its columns are "+suggest.List(cols.Names(), 12)+"."))
		}
	}
	out.Output = ir.Output{Root: root, Schema: cols, Format: o.Format, Path: o.Location(), Table: o.Table, Endpoint: o.Endpoint,
		PartitionBy: o.PartitionBy, Compression: o.Compression}
	outRel := &rel{node: root, cols: cols}
	for _, i := range notNull {
		out.Checks = append(out.Checks, c.notNullCheck(outRel, i))
	}
	for _, ch := range p.Checks {
		if k := c.check(outRel, ch); k != nil {
			out.Checks = append(out.Checks, *k)
		}
	}
}

// maskFuncs maps a contract's mask to the function that publishes it.
var maskFuncs = map[string]ir.Func{"hash": ir.FnMaskHash, "redact": ir.FnMaskRedact, "null": ir.FnMaskNull,
	"last4": ir.FnMaskLast4, "email_domain": ir.FnMaskEmailDomain}

// maskOutputs says what each string-valued mask publishes, for the
// diagnostic of a contract that declares another type.
var maskOutputs = map[string]string{"hash": "a hash", "redact": `"****"`, "last4": "the value's last 4 characters after '*'s",
	"email_domain": `"***" and the e-mail's domain`}

// mask compiles contract column d (output column i, computed as col) with
// its mask into exprs[i] and outCols[i], adding i to notNull when a
// promised non-null column needs its check. It reports whether it did.
// Every mask clears the tags the column carries: what it publishes reveals
// nothing they describe; the contract's own tags stay.
func (c *compiler) mask(d *configs.Column, col types.Column, i int, exprs []ir.Expr, outCols types.Schema, notNull *[]int) bool {
	fn := maskFuncs[d.Mask]
	if fn == 0 {
		return false // reported by configs
	}
	t := types.StringType
	null := exprs[i].Nullable()
	if fn == ir.FnMaskNull {
		if d.Nullable != nil && !*d.Nullable {
			c.errorf(d.MaskRange, fmt.Sprintf("Masked column %q cannot be non-null", d.Name),
				"mask = \"null\" publishes null in every row, but the contract also says nullable = false. Remove nullable = false, or choose a mask that keeps a value, such as \"redact\".")
			return false
		}
		// Every value is null: the type is the computed one, or one the
		// contract's type widens it to, as for an unmasked column. A
		// decimal with fewer digits is fine: no value is ever cast.
		t = col.Type
		if d.HasType && d.Type != col.Type {
			if !types.CanWiden(col.Type, d.Type) && !narrowsDecimal(col.Type, d.Type) {
				c.errorf(d.TypeRange, fmt.Sprintf("Contract says %q is %s, but the output computes %s", d.Name, d.Type, col.Type),
					"%s does not widen to %s without loss. Change the contract's type, or convert the column where it is computed: %s = cast(…, %q).", col.Type, d.Type, d.Name, d.Type.String())
				return false
			}
			t = d.Type
		}
		null = true
	} else if d.HasType && d.Type.Kind != types.String {
		c.errorf(d.MaskRange, fmt.Sprintf("Masked column %q must be a string", d.Name),
			"mask = %q publishes %s, which is a string; declare type = \"string\" in the contract.", d.Mask, maskOutputs[d.Mask])
		return false
	}
	exprs[i] = &ir.Call{Meta: ir.Meta{T: t, Null: null, Src: hcldiag.Range(d.MaskRange)}, Fn: fn, Args: []ir.Expr{exprs[i]}}
	outCols[i].Type = t
	outCols[i].Nullable = null
	if d.Nullable != nil {
		if !*d.Nullable && null {
			*notNull = append(*notNull, i)
		}
		outCols[i].Nullable = *d.Nullable
	}
	outCols[i].Tags = types.MergeTags(d.Tags)
	if d.Description != "" {
		outCols[i].Description = d.Description
	}
	return true
}

// notNullCheck enforces a contract's nullable = false on a column the
// compiler cannot prove non-null: an error check null_count(col) == 0.
func (c *compiler) notNullCheck(r *rel, i int) ir.Check {
	col := r.cols[i]
	ref := &ir.ColumnRef{Meta: ir.Meta{T: col.Type, Null: true}, Index: i, Name: col.Name}
	agg := &ir.Aggregate{Input: r.node, Aggs: []ir.AggCall{
		{Meta: ir.Meta{T: types.Int64Type}, Fn: ir.AggCountRows},
		{Meta: ir.Meta{T: types.Int64Type}, Fn: ir.AggCount, Arg: ref},
	}, Out: types.Schema{{Name: "count()", Type: types.Int64Type}, {Name: "count(" + col.Name + ")", Type: types.Int64Type}}}
	eq := &ir.Binary{Meta: ir.Meta{T: types.BoolType}, Op: ir.Eq,
		L: &ir.ColumnRef{Meta: ir.Meta{T: types.Int64Type}, Index: 0, Name: "count()"},
		R: &ir.ColumnRef{Meta: ir.Meta{T: types.Int64Type}, Index: 1, Name: "count(" + col.Name + ")"}}
	return ir.Check{Name: "contract_not_null_" + col.Name, Severity: ir.SeverityError, Implicit: true, Column: col.Name,
		Root: &ir.Project{Input: agg, Exprs: []ir.Expr{eq}, Out: types.Schema{{Name: "ok", Type: types.BoolType}}}}
}

// check compiles a check's assert over the whole output.
func (c *compiler) check(r *rel, ch *configs.Check) *ir.Check {
	if ch.Assert == nil {
		return nil
	}
	a := &aggScope{seen: map[string]int{}, check: true}
	x := c.expr(ch.Assert, &scope{cols: r.cols, where: "check", agg: a})
	if x == nil {
		return nil
	}
	if x.Type().Kind != types.Bool {
		c.errorf(ch.Assert.Range(), "A check's assert must be true or false",
			"%s; write a comparison, such as row_count() > 0.", c.subject(ch.Assert, x))
		return nil
	}
	agg := &ir.Aggregate{Input: r.node, Aggs: a.calls, Out: aggOut(nil, a.calls, r.cols)}
	return &ir.Check{Name: ch.Name, Severity: ir.Severity(ch.Severity), Src: hcldiag.Range(ch.Range),
		Root: &ir.Project{Input: agg, Exprs: []ir.Expr{x}, Out: types.Schema{{Name: "ok", Type: types.BoolType, Nullable: x.Nullable()}}}}
}

// aggOut is an Aggregate's output schema: the keys, then one column per
// aggregate call, named as written and tagged with the tags of the input
// columns it summarises.
func aggOut(keys types.Schema, calls []ir.AggCall, input types.Schema) types.Schema {
	out := slices.Clone(keys)
	for _, call := range calls {
		col := types.Column{Name: ir.FormatAgg(call, input), Type: call.T, Nullable: call.Null}
		if call.Arg != nil {
			col.Tags = tagsOf(call.Arg, input)
		}
		out = append(out, col)
	}
	return out
}

// tagsOf returns the union of the tags of the columns e reads.
func tagsOf(e ir.Expr, input types.Schema) []string {
	var lists [][]string
	for _, i := range ir.ColumnsUsed(e) {
		if i < len(input) {
			lists = append(lists, input[i].Tags)
		}
	}
	return types.MergeTags(lists...)
}

// narrowsDecimal reports a decimal published with fewer integer digits but
// no fewer fraction digits than computed.
func narrowsDecimal(from, to types.Type) bool {
	return from.Kind == types.Decimal && to.Kind == types.Decimal && to.Scale >= from.Scale && !types.CanWiden(from, to)
}
