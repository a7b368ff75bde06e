package executor

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// on returns product "q" reading source src (as input src) through one
// transform "x" made of ops, plus extra blocks (contract, checks).
func on(src, ops string, extra ...string) string {
	s := fmt.Sprintf(`
product "q" {
  domain = domain.d
  input %q { from = source.%s }
  transform "x" {
    from = input.%s
%s
  }
  output { path = "lake/q/" }
`, src, src, src, ops)
	for _, e := range extra {
		s += e + "\n"
	}
	return s + "}\n"
}

// onT is on("t", …).
func onT(ops string, extra ...string) string { return on("t", ops, extra...) }

// joinT joins t (left) with src (right) as kind on cond, then applies ops.
func joinT(src, kind, cond, ops string) string {
	return fmt.Sprintf(`
product "q" {
  domain = domain.d
  input "t" { from = source.t }
  input %q { from = source.%s }
  transform "x" {
    from = input.t
    join {
      with = input.%s
      type = %q
      on   = %s
    }
%s
  }
  output { path = "lake/q/" }
}
`, src, src, src, kind, cond, ops)
}

// diffQueries is the suite. To add a query, append one: the HCL of
// product "q" (on, onT and joinT write the usual shapes), approx when it
// sums or averages floats, wantErr when it must fail, large when it reads
// big or bigdim. Run one with go test -run 'TestDifferential/name' -v.
//
// The sources' columns (diffdata_test.go): t, t2 (t's second half),
// t_one, t_empty (id k g b i32 i64 x64 f fx d2 d4 s dt ts num nk ns),
// dim, dim_empty (k name g w active day fk), big (id zk hk cat amount f
// dt s), bigdim (hk label rank), edge (x i d18 d38 f s dt ts), bad (id s
// n), texts (s i f d dt ts b, all strings).
var diffQueries = []diffQuery{
	// ---- filter --------------------------------------------------------
	{name: "filter_int_compare", hcl: onT(`
    filter { where = i32 > 10 && i64 <= 500000000 }`)},
	{name: "filter_three_valued", hcl: onT(`
    filter { where = (b || i32 > 0) && !(k == 3) }
    select { columns = [id, b, i32, k] }`)},
	{name: "filter_null_tests", hcl: onT(`
    filter { where = b == null || (s != null && length(s) > 3) }
    select { columns = [id, b, s] }`)},
	{name: "filter_every_type", hcl: onT(`
    filter { where = d2 > 100.5 && d4 < 5000 || dt >= "2000-01-01" && ts < "2001-02-03T04:05:06Z" || s >= "m" || nk == 7 || x64 < -9000000000000000000 }
    select { columns = [id, d2, d4, dt, ts, s, nk, x64] }`)},
	{name: "filter_constant_left", hcl: onT(`
    filter { where = 100 < i32 && "b" <= g && null != s && 3 >= k }
    select { columns = [id, i32, g, s, k] }`)},
	{name: "filter_then_filter", hcl: onT(`
    filter { where = k != null }
    select { columns = { id = id, kk = k * 2, g = g } }
    filter { where = kk >= 4 && g != "" }`)},

	// ---- arithmetic ----------------------------------------------------
	{name: "arith_integers", hcl: onT(`
    select {
      columns = {
        id     = id
        add    = i32 + i32
        sub    = i32 - 1
        mul    = i32 * 3
        mod    = i32 % 7
        modneg = i32 % -7
        neg    = -i32
        div    = i32 / 4
        div0   = i32 / 0
        mod0   = i64 % 0
        mix    = i32 + i64
        mul64  = i64 * 3
        sq     = i64 * i64
        modcol = nk % i32
        divcol = i64 / i32
        negk   = -k
      }
    }`)},
	{name: "arith_floats", hcl: onT(`
    select {
      columns = {
        id   = id
        add  = f + 1.5
        mul  = f * f
        div  = f / 3
        mod  = f % 2.5
        neg  = -f
        div0 = f / 0
        absf = abs(f)
        fl   = floor(f)
        ce   = ceil(f)
        r0   = round(f)
        r1   = round(f, 1)
        r2   = round(f, 2)
        mixi = f + i32
        divz = f / (i32 - i32)
        modi = i32 % f
      }
    }`)},
	{name: "arith_float_specials", hcl: onT(`
    select {
      columns = {
        id   = id
        add  = fx + 1
        mul  = fx * 0
        neg  = -fx
        absx = abs(fx)
        fl   = floor(fx)
        ce   = ceil(fx)
        r2   = round(fx, 2)
        inv  = 1 / fx
        mod  = fx % 3
        txt  = cast(fx, "string")
        sum2 = fx + f
      }
    }`)},
	{name: "arith_decimals", hcl: onT(`
    select {
      columns = {
        id    = id
        add   = d2 + d2
        sub   = d2 - 1.5
        mul2  = d2 * 2
        mul   = d2 * d2
        mod   = d2 % 3
        div   = d2 / 4
        neg   = -d2
        absd  = abs(d2)
        r1    = round(d2, 1)
        r0    = round(d2)
        fl    = floor(d2)
        ce    = ceil(d2)
        addi  = d2 + i32
        add64 = d2 + i64
        add4  = d4 + d2
        mul4  = d4 * 3
        mul44 = d4 * d4
        sub4  = d4 - d4
        mod4  = d4 % d2
        divz  = d2 / (i32 - i32)
        mod0  = d2 % 0
        withf = d2 + f
        r4    = round(d4, 3)
        fl4   = floor(d4)
        ce4   = ceil(d4)
        neg4  = -d4
        abs4  = abs(d4)
        div4  = d4 / d2
      }
    }`)},

	// ---- comparisons and logic ------------------------------------------
	{name: "compare_widening", hcl: onT(`
    select {
      columns = {
        id  = id
        a   = i32 < i64
        b2  = i32 == d2
        c   = f > d2
        dd  = dt < ts
        e   = s < "m"
        ff  = s == ""
        g2  = g != "a"
        h   = dt == "2024-02-29"
        i   = i64 >= x64
        j   = d4 <= d2
        k2  = nk != k
        l   = ts >= "1970-01-01T00:00:00Z"
        m   = b == false
        n   = s > g
        o   = dt <= ts
        p   = d4 > 0
        q2  = x64 <= 0
      }
    }`)},
	{name: "logic_three_valued", hcl: onT(`
    select {
      columns = {
        id   = id
        and  = b && i32 > 0
        or   = b || i32 > 0
        not  = !b
        eqt  = b == true
        isn  = is_null(b)
        nn   = b != null
        and2 = (i32 > 0) && (k > 2)
        or2  = (i32 > 0) || (k > 2) || b
        xor  = b != (i32 > 0)
        nand = !(b && k == null)
        snul = s == null
      }
    }`)},
	{name: "conditional", hcl: onT(`
    select {
      columns = {
        id   = id
        sign = i32 > 0 ? "pos" : (i32 < 0 ? "neg" : "zero")
        w    = b ? i32 : i64
        dd   = b ? d2 : i32
        ns2  = k > 5 ? s : null
        ff   = f > 0 ? f : 0
        dts  = b ? dt : ts
        nest = k == null ? -1 : (k > 10 ? k * 10 : k)
        str  = g == "" ? "empty" : g
        dec4 = i32 > 0 ? d4 : d2
      }
    }`)},
	{name: "contains_lists", hcl: onT(`
    select {
      columns = {
        id  = id
        a   = contains([1, 2, 3], k)
        b1  = contains(["a", "B", ""], g)
        c   = contains([1.5, -2.5, 0], f)
        dd  = contains([100, 200, 0], i64)
        e   = contains(["2024-02-29", "1970-01-01"], dt)
        fl  = !contains([0, 1], k)
        g2  = contains(["日本", "é"], g)
        h   = contains([0.5, 1], d2)
        i   = contains([true], b)
        j   = contains([9223372036854775807, -1], x64)
      }
    }`)},
	{name: "like_patterns", hcl: onT(`
    select {
      columns = {
        id = id
        a  = like(s, "a%")
        b2 = like(s, "%_")
        c  = like(s, "%\\%%")
        dd = like(g, "_")
        e  = like(s, "")
        f2 = like(s, "%b%c%")
        g2 = like(ns, "u0%")
        h  = like(s, "%\\_%")
        i  = like(s, "_____")
        j  = !like(g, "%a%")
        k2 = like(s, "%😀%")
        l  = like(s, "%\\\\%")
        m  = like(g, "日_")
        n  = like(s, "%")
      }
    }`)},

	// ---- string functions --------------------------------------------------
	{name: "strings_s", hcl: onT(`
    select {
      columns = {
        id  = id
        lo  = lower(s)
        up  = upper(s)
        tr  = trim(s)
        len = length(s)
        s2  = substr(s, 2)
        s02 = substr(s, 0, 2)
        sm  = substr(s, -1, 3)
        s30 = substr(s, 3, 0)
        sb  = substr(s, 2, 100)
        sk  = substr(s, k, 2)
        cc  = concat(s, "-", g)
        cn  = concat(s, i32, dt)
        tpl = "${g}/${i32}/${dt}"
        co  = coalesce(s, g, "none")
      }
    }`)},
	{name: "strings_low_cardinality", hcl: onT(`
    select {
      columns = {
        id  = id
        lo  = lower(g)
        up  = upper(g)
        tr  = trim(g)
        len = length(g)
        sub = substr(g, 2, 1)
        cc  = concat(g, g)
        tpl = "<${g}>"
        lk  = like(g, "%a%")
        eq  = upper(g) == "A"
        co  = coalesce(g, "?")
      }
    }`)},
	{name: "strings_not_null", hcl: onT(`
    select {
      columns = {
        id  = id
        up  = upper(ns)
        sub = substr(ns, 2, 3)
        len = length(ns)
        cc  = concat(ns, ns)
        tpl = "${ns}:${nk}"
        lk  = like(ns, "%1_")
        cmp = ns < "u02000"
      }
    }`)},
	{name: "templates", hcl: onT(`
    select {
      columns = {
        id = id
        t1 = "${g}-${k}"
        t2 = "id=${id} d2=${d2} f=${f}"
        t3 = "${dt}T${b}"
        t4 = "${ts}"
        t5 = "${d4}|${x64}"
        t6 = "${fx}"
        t7 = "plain"
      }
    }`)},
	{name: "coalesce_types", hcl: onT(`
    select {
      columns = {
        id = id
        c1 = coalesce(i32, k)
        c2 = coalesce(i32, i64, 0)
        c3 = coalesce(d2, 0)
        c4 = coalesce(dt, "2000-01-01")
        c5 = coalesce(s, g)
        c6 = coalesce(b, false)
        c7 = coalesce(f, -1)
        c8 = coalesce(ts, dt)
        c9 = coalesce(d4, d2, i32)
      }
    }`)},

	// ---- casts ---------------------------------------------------------------
	{name: "cast_to_string", hcl: onT(`
    select {
      columns = {
        id  = id
        i32 = cast(i32, "string")
        i64 = cast(i64, "string")
        x64 = cast(x64, "string")
        f   = cast(f, "string")
        d2  = cast(d2, "string")
        d4  = cast(d4, "string")
        dt  = cast(dt, "string")
        ts  = cast(ts, "string")
        b   = cast(b, "string")
        k   = cast(k, "string")
      }
    }`)},
	{name: "cast_numeric", hcl: onT(`
    select {
      columns = {
        id     = id
        i64f   = cast(i64, "float64")
        fi64   = cast(f, "int64")
        fi32   = cast(f, "int32")
        d2i64  = cast(d2, "int64")
        d2i32  = cast(d2, "int32")
        d2f    = cast(d2, "float64")
        d4d2   = cast(d4, "decimal(18,2)")
        d4f    = cast(d4, "float64")
        i64d   = cast(i64, "decimal(18,2)")
        x64d   = cast(x64, "decimal(38,0)")
        x64f   = cast(x64, "float64")
        fd     = cast(f, "decimal(18,4)")
        fd0    = cast(f, "decimal(10,0)")
        i32b   = cast(i32, "bool")
        bi32   = cast(b, "int32")
        ki64   = cast(k, "int64")
        d2wide = cast(d2, "decimal(38,6)")
        i32d   = cast(i32, "decimal(10,3)")
        d4i64  = cast(d4, "int64")
      }
    }`)},
	{name: "cast_text_and_time", hcl: onT(`
    select {
      columns = {
        id    = id
        dts   = cast(dt, "timestamp")
        tsd   = cast(ts, "date")
        n32   = cast(num, "int32")
        n64   = cast(num, "int64")
        nf    = cast(num, "float64")
        nd    = cast(num, "decimal(12,1)")
        rtd   = cast(cast(dt, "string"), "date")
        rtts  = cast(cast(ts, "string"), "timestamp")
        rtdec = cast(cast(d2, "string"), "decimal(18,2)")
        rtb   = cast(cast(b, "string"), "bool")
        rtf   = cast(cast(f, "string"), "float64")
        rtd4  = cast(cast(d4, "string"), "decimal(38,4)")
        dts2  = cast(cast(dt, "string"), "timestamp")
      }
    }`)},
	{name: "cast_implicit", hcl: onT(`
    select {
      columns = {
        id = id
        a  = i32 + i64
        b2 = d2 + i64
        c  = dt < ts
        dd = coalesce(i32, i64)
        e  = coalesce(d2, i32)
        g2 = i32 * d2
        h  = contains([1, 2], i64)
        i  = d4 + i32
        j  = f * d4
        k2 = k + nk
      }
    }`)},

	// ---- dates -----------------------------------------------------------------
	{name: "date_functions", hcl: onT(`
    select {
      columns = {
        id   = id
        y    = year(dt)
        m    = month(dt)
        dd   = day(dt)
        yt   = year(ts)
        mt   = month(ts)
        dt2  = day(ts)
        ty   = date_trunc("year", dt)
        tq   = date_trunc("quarter", dt)
        tm   = date_trunc("month", dt)
        tw   = date_trunc("week", dt)
        td   = date_trunc("day", dt)
        sy   = date_trunc("year", ts)
        sq   = date_trunc("quarter", ts)
        sm   = date_trunc("month", ts)
        sw   = date_trunc("week", ts)
        sd   = date_trunc("day", ts)
        sh   = date_trunc("hour", ts)
        smin = date_trunc("minute", ts)
        ss   = date_trunc("second", ts)
      }
    }`)},
	{name: "now_function", hcl: onT(`
    filter { where = ts < now() }
    select {
      columns = {
        id     = id
        n      = now()
        age    = year(now()) - year(dt)
        before = dt < now()
        nowday = date_trunc("day", now())
      }
    }`)},

	// ---- aggregates ----------------------------------------------------------------
	{name: "agg_counts_every_type", hcl: onT(`
    aggregate {
      columns = {
        n      = count()
        c_b    = count(b)
        c_s    = count(s)
        c_fx   = count(fx)
        c_d4   = count(d4)
        c_k    = count(k)
        c_g    = count(g)
        c_i32  = count(i32)
        c_i64  = count(i64)
        c_x64  = count(x64)
        c_f    = count(f)
        c_d2   = count(d2)
        c_dt   = count(dt)
        c_ts   = count(ts)
        c_id   = count(id)
        cd_k   = count_distinct(k)
        cd_g   = count_distinct(g)
        cd_b   = count_distinct(b)
        cd_i32 = count_distinct(i32)
        cd_i64 = count_distinct(i64)
        cd_x64 = count_distinct(x64)
        cd_f   = count_distinct(f)
        cd_fx  = count_distinct(fx)
        cd_d2  = count_distinct(d2)
        cd_d4  = count_distinct(d4)
        cd_s   = count_distinct(s)
        cd_dt  = count_distinct(dt)
        cd_ts  = count_distinct(ts)
        cd_ns  = count_distinct(ns)
      }
    }`)},
	{name: "agg_min_max_every_type", hcl: onT(`
    aggregate {
      columns = {
        mn_b   = min(b)
        mx_b   = max(b)
        mn_i32 = min(i32)
        mx_i32 = max(i32)
        mn_i64 = min(i64)
        mx_i64 = max(i64)
        mn_x64 = min(x64)
        mx_x64 = max(x64)
        mn_f   = min(f)
        mx_f   = max(f)
        mn_fx  = min(fx)
        mx_fx  = max(fx)
        mn_d2  = min(d2)
        mx_d2  = max(d2)
        mn_d4  = min(d4)
        mx_d4  = max(d4)
        mn_s   = min(s)
        mx_s   = max(s)
        mn_g   = min(g)
        mx_g   = max(g)
        mn_dt  = min(dt)
        mx_dt  = max(dt)
        mn_ts  = min(ts)
        mx_ts  = max(ts)
      }
    }`)},
	{name: "agg_sum_avg_every_type", approx: true, hcl: onT(`
    aggregate {
      columns = {
        s_i32 = sum(i32)
        s_i64 = sum(i64)
        s_d2  = sum(d2)
        s_d4  = sum(d4)
        s_f   = sum(f)
        s_k   = sum(k)
        a_i32 = avg(i32)
        a_i64 = avg(i64)
        a_f   = avg(f)
        a_d2  = avg(d2)
        a_d4  = avg(d4)
        a_nk  = avg(nk)
      }
    }`)},
	{name: "agg_float_specials", hcl: onT(`
    aggregate {
      columns = {
        s  = sum(fx)
        a  = avg(fx)
        mn = min(fx)
        mx = max(fx)
      }
    }`)},
	{name: "agg_group_int_skewed", approx: true, hcl: onT(`
    aggregate {
      group_by = [k]
      columns = {
        n  = count()
        s  = sum(i32)
        mn = min(s)
        mx = max(dt)
        a  = avg(d2)
        cd = count_distinct(g)
        sf = sum(f)
        c  = count(ts)
      }
    }`)},
	{name: "agg_group_string", approx: true, hcl: onT(`
    aggregate {
      group_by = [g]
      columns = {
        n   = count()
        s4  = sum(d4)
        mx  = max(s)
        mn  = min(ts)
        cdk = count_distinct(k)
        af  = avg(f)
        mxb = max(b)
      }
    }`)},
	{name: "agg_group_multi_key", hcl: onT(`
    aggregate {
      group_by = [k, g, b]
      columns = {
        n  = count()
        s  = sum(i64)
        mn = min(d2)
        mx = max(x64)
      }
    }`)},
	{name: "agg_group_float_key", hcl: onT(`
    aggregate {
      group_by = [fx]
      columns = {
        n  = count()
        mn = min(id)
        s  = sum(i32)
      }
    }`)},
	{name: "agg_group_date_decimal_int64", hcl: onT(`
    select {
      columns = {
        y   = year(dt)
        mon = date_trunc("month", ts)
        d2  = d2
        x64 = x64
        i32 = i32
      }
    }
    aggregate {
      group_by = [y, x64]
      columns = {
        n   = count()
        mx  = max(mon)
        s   = sum(d2)
        cdi = count_distinct(i32)
      }
    }`)},
	{name: "agg_group_decimal_key", hcl: onT(`
    select { columns = { r = round(d4, 0), d = round(d2, -0), i = i32 } }
    aggregate {
      group_by = [r]
      columns = {
        n = count()
        s = sum(i)
      }
    }`)},
	{name: "agg_group_timestamp_bool", hcl: onT(`
    select { columns = { w = date_trunc("year", ts), b = b, nk = nk } }
    aggregate {
      group_by = [w, b]
      columns = {
        n  = count()
        s  = sum(nk)
        mx = max(nk)
      }
    }`)},
	{name: "agg_having_sort", hcl: onT(`
    aggregate {
      group_by = [g]
      columns = {
        n = count()
        s = sum(i32)
      }
    }
    filter { where = n > 20 }
    sort { by = [desc(n), g] }`)},
	{name: "agg_expressions", approx: true, hcl: onT(`
    aggregate {
      group_by = [nk]
      columns = {
        s2   = sum(i32 * 2)
        cdl  = count_distinct(lower(s))
        rng  = max(i32) - min(i32)
        mean = sum(d2) / count(d2)
        af   = avg(cast(i32, "float64"))
        ml   = max(length(s))
        mc   = min(concat(g, s))
        ratio = count(b) / count()
      }
    }`)},
	{name: "agg_empty_input_global", hcl: on("t_empty", `
    aggregate {
      columns = {
        n  = count()
        cs = count(s)
        si = sum(i32)
        ms = min(s)
        af = avg(f)
        cd = count_distinct(k)
        s4 = sum(d4)
        mx = max(ts)
      }
    }`)},
	{name: "agg_empty_input_grouped", hcl: on("t_empty", `
    aggregate {
      group_by = [k]
      columns = {
        n = count()
        s = sum(i32)
      }
    }`)},
	{name: "agg_one_row", approx: true, hcl: on("t_one", `
    aggregate {
      group_by = [g]
      columns = {
        n  = count()
        s  = sum(d2)
        a  = avg(i64)
        mn = min(s)
        cd = count_distinct(fx)
      }
    }`)},
	{name: "agg_big_skewed", large: true, approx: true, hcl: on("big", `
    aggregate {
      group_by = [zk]
      columns = {
        n   = count()
        sa  = sum(amount)
        af  = avg(f)
        ms  = min(s)
        mx  = max(dt)
        cdh = count_distinct(hk)
        cs  = count(s)
      }
    }`)},
	{name: "agg_big_high_cardinality", large: true, hcl: on("big", `
    aggregate {
      group_by = [hk]
      columns = {
        n  = count()
        sa = sum(amount)
        mf = max(f)
      }
    }`)},
	{name: "agg_big_multi_key", large: true, approx: true, hcl: on("big", `
    aggregate {
      group_by = [cat, dt]
      columns = {
        n  = count()
        sf = sum(f)
        mn = min(amount)
      }
    }`)},
	{name: "agg_big_global", large: true, approx: true, hcl: on("big", `
    aggregate {
      columns = {
        cdh = count_distinct(hk)
        cds = count_distinct(s)
        sf  = sum(f)
        aa  = avg(amount)
        n   = count()
      }
    }`)},

	// ---- joins -----------------------------------------------------------------------
	{name: "join_inner", hcl: joinT("dim", "inner", "t.k == dim.k", `
    select { columns = { id = id, tk = t.k, dk = dim.k, name = name, w = w, tg = t.g, dg = dim.g } }`)},
	{name: "join_left", hcl: joinT("dim", "left", "t.k == dim.k", `
    select { columns = { id = id, tk = t.k, dk = dim.k, name = name, w = w, active = active } }`)},
	{name: "join_right", hcl: joinT("dim", "right", "t.k == dim.k", `
    select { columns = { id = id, tk = t.k, dk = dim.k, name = name, day = day } }`)},
	{name: "join_full", hcl: joinT("dim", "full", "t.k == dim.k", `
    select { columns = { id = id, tk = t.k, dk = dim.k, name = name, s = s } }`)},
	{name: "join_semi", hcl: joinT("dim", "semi", "t.k == dim.k", "")},
	{name: "join_anti", hcl: joinT("dim", "anti", "t.k == dim.k", "")},
	{name: "join_multi_key_inner", hcl: joinT("dim", "inner", "t.k == dim.k && t.g == dim.g", `
    select { columns = { id = id, k = t.k, g = t.g, name = name } }`)},
	{name: "join_multi_key_full", hcl: joinT("dim", "full", "t.g == dim.g && t.k == dim.k", `
    select { columns = { id = id, k = t.k, dk = dim.k, g = t.g, dg = dim.g, name = name } }`)},
	{name: "join_string_key", hcl: joinT("dim", "inner", "t.g == dim.g", `
    select { columns = { id = id, g = t.g, name = name, dk = dim.k } }`)},
	{name: "join_string_key_anti", hcl: joinT("dim", "anti", "t.s == dim.g", `
    select { columns = [id, s] }`)},
	{name: "join_float_key", hcl: joinT("dim", "left", "t.fx == dim.fk", `
    select { columns = { id = id, fx = fx, fk = fk, name = name } }`)},
	{name: "join_float_key_finite", hcl: joinT("dim", "inner", "t.f == dim.fk", `
    select { columns = { id = id, f = f, fk = fk, name = name } }`)},
	{name: "join_date_bool_keys", hcl: joinT("t2", "inner", "t.dt == t2.dt && t.b == t2.b", `
    select { columns = { l = t.id, r = t2.id, dt = t.dt, b = t.b } }`)},
	{name: "join_extreme_int64_semi", hcl: joinT("t2", "semi", "t.x64 == t2.x64", `
    select { columns = [id, x64] }`)},
	{name: "join_wide_decimal_semi", hcl: joinT("t2", "semi", "t.d4 == t2.d4", `
    select { columns = [id, d4] }`)},
	{name: "join_timestamp_key", hcl: joinT("t2", "inner", "t.ts == t2.ts", `
    select { columns = { l = t.id, r = t2.id, ts = t.ts } }`)},
	{name: "join_decimal_key_right", hcl: joinT("t2", "right", "t.d2 == t2.d2", `
    select { columns = { l = t.id, r = t2.id, d2 = t2.d2 } }`)},
	{name: "join_empty_build_left", hcl: joinT("dim_empty", "left", "t.k == dim_empty.k", `
    select { columns = { id = id, k = t.k, name = name } }`)},
	{name: "join_empty_build_anti", hcl: joinT("dim_empty", "anti", "t.k == dim_empty.k", `
    select { columns = [id, k] }`)},
	{name: "join_empty_build_inner", hcl: joinT("dim_empty", "inner", "t.k == dim_empty.k", `
    select { columns = { id = id, name = name } }`)},
	{name: "join_empty_probe_right", hcl: `
product "q" {
  domain = domain.d
  input "t_empty" { from = source.t_empty }
  input "dim" { from = source.dim }
  transform "x" {
    from = input.t_empty
    join {
      with = input.dim
      type = "right"
      on   = t_empty.k == dim.k
    }
    select { columns = { id = id, tk = t_empty.k, dk = dim.k, name = name } }
  }
  output { path = "lake/q/" }
}
`},
	{name: "join_empty_probe_full", hcl: `
product "q" {
  domain = domain.d
  input "t_empty" { from = source.t_empty }
  input "dim" { from = source.dim }
  transform "x" {
    from = input.t_empty
    join {
      with = input.dim
      type = "full"
      on   = t_empty.g == dim.g
    }
    select { columns = { id = id, dg = dim.g, name = name } }
  }
  output { path = "lake/q/" }
}
`},
	{name: "join_then_aggregate", hcl: joinT("dim", "inner", "t.k == dim.k", `
    aggregate {
      group_by = [name]
      columns = {
        n  = count()
        s  = sum(i32)
        mw = max(w)
        cd = count_distinct(id)
      }
    }
    sort { by = [name] }`)},
	{name: "join_three_way", hcl: `
product "q" {
  domain = domain.d
  input "t" { from = source.t }
  input "dim" { from = source.dim }
  transform "x" {
    from = input.t
    join {
      with = input.dim
      type = "inner"
      on   = t.k == dim.k
    }
    join {
      with = input.dim
      as   = "e"
      type = "left"
      on   = t.nk == e.k && dim.active == e.active
    }
    select { columns = { id = id, n1 = dim.name, n2 = e.name, ek = e.k } }
  }
  output { path = "lake/q/" }
}
`},
	{name: "join_self_shared_transform", hcl: `
product "q" {
  domain = domain.d
  input "t" { from = source.t }
  transform "base" {
    from = input.t
    filter { where = nk < 30 }
    select { columns = [id, nk, g] }
  }
  transform "x" {
    from = transform.base
    join {
      with = transform.base
      as   = "o"
      type = "inner"
      on   = base.nk == o.nk && base.g == o.g
    }
    select { columns = { l = base.id, r = o.id, nk = base.nk } }
  }
  output {
    from = transform.x
    path = "lake/q/"
  }
}
`},
	{name: "join_big_skewed_probe", large: true, hcl: `
product "q" {
  domain = domain.d
  input "t" { from = source.t }
  input "big" { from = source.big }
  transform "x" {
    from = input.big
    join {
      with = input.t
      type = "inner"
      on   = big.zk == t.nk
    }
    aggregate {
      group_by = [nk]
      columns = {
        n  = count()
        sa = sum(amount)
        mi = min(t.id)
      }
    }
  }
  output { path = "lake/q/" }
}
`},
	{name: "join_big_left_high_cardinality", large: true, hcl: `
product "q" {
  domain = domain.d
  input "big" { from = source.big }
  input "bigdim" { from = source.bigdim }
  transform "x" {
    from = input.big
    join {
      with = input.bigdim
      type = "left"
      on   = big.hk == bigdim.hk
    }
    select { columns = { id = id, hk = big.hk, label = label, rank = rank } }
  }
  output { path = "lake/q/" }
}
`},
	{name: "join_big_full_high_cardinality", large: true, hcl: `
product "q" {
  domain = domain.d
  input "big" { from = source.big }
  input "bigdim" { from = source.bigdim }
  transform "x" {
    from = input.bigdim
    join {
      with = input.big
      type = "full"
      on   = bigdim.hk == big.hk
    }
    select { columns = { id = id, hk = bigdim.hk, bhk = big.hk, rank = rank } }
  }
  output { path = "lake/q/" }
}
`},

	// ---- sort, limit, distinct ---------------------------------------------------------
	{name: "sort_multi_key", hcl: onT(`
    sort { by = [k, desc(s), id] }
    select { columns = [id, k, s] }`)},
	{name: "sort_float_total_order", hcl: onT(`
    select { columns = [id, fx] }
    sort { by = [fx, id] }`)},
	{name: "sort_float_desc", hcl: onT(`
    select { columns = [id, fx, f] }
    sort { by = [desc(fx), desc(f), id] }`)},
	{name: "sort_every_type", hcl: onT(`
    sort { by = [desc(dt), ts, desc(d4), b, id] }`)},
	{name: "sort_strings", hcl: onT(`
    select { columns = [id, s, g] }
    sort { by = [s, desc(g), id] }`)},
	{name: "sort_stable_ties", hcl: onT(`
    select { columns = [id, b, nk] }
    sort { by = [b] }`)},
	{name: "sort_decimals_desc", hcl: onT(`
    select { columns = [id, d2, d4, x64] }
    sort { by = [desc(d2), x64, id] }`)},
	{name: "sort_nulls_first", hcl: onT(`
    select { columns = [id, k, s, f] }
    sort { by = [k, desc(s), f, id] }`), mutate: func(t *testing.T, p *ir.Product) {
		s := findSort(p.Output.Root)
		if s == nil {
			t.Fatal("no sort")
		}
		s.Keys[0].NullsFirst = true
		s.Keys[1].NullsFirst = true
	}},
	{name: "sort_expression_keys", hcl: onT(`
    select { columns = [id, s, i32, g] }
    sort { by = [length(s), desc(i32 % 10), lower(g), id] }`)},
	{name: "sort_big", large: true, hcl: on("big", `
    sort { by = [cat, desc(f), id] }`)},
	{name: "limit_offset", hcl: onT(`
    limit {
      count  = 10
      offset = 5
    }`)},
	{name: "limit_after_filter", hcl: onT(`
    filter { where = g == "a" }
    limit { count = 50 }`)},
	{name: "limit_beyond_end", hcl: onT(`
    limit {
      count  = 5
      offset = 5000
    }`)},
	{name: "limit_large_count", hcl: onT(`
    select { columns = [id, s] }
    limit {
      count  = 100000
      offset = 1199
    }`)},
	{name: "top_n", hcl: onT(`
    sort { by = [desc(i64), id] }
    limit {
      count  = 17
      offset = 3
    }`)},
	{name: "top_n_ties", hcl: onT(`
    select { columns = [id, k] }
    sort { by = [k] }
    limit { count = 30 }`)},
	{name: "top_n_big", large: true, hcl: on("big", `
    sort { by = [desc(amount), id] }
    limit { count = 100 }`)},
	{name: "top_n_shared_sort", hcl: `
product "q" {
  domain = domain.d
  input "t" { from = source.t }
  transform "sorted" {
    from = input.t
    select { columns = [id, i32, g] }
    sort { by = [i32, id] }
  }
  transform "top" {
    from = transform.sorted
    limit { count = 5 }
  }
  transform "x" {
    from = transform.top
    union { with = [transform.sorted] }
  }
  output {
    from = transform.x
    path = "lake/q/"
  }
}
`},
	{name: "distinct_keys", hcl: onT(`
    select { columns = [g, k, b] }
    distinct {}`)},
	{name: "distinct_floats", hcl: onT(`
    select { columns = [fx] }
    distinct {}`)},
	{name: "distinct_all_columns", hcl: onT(`
    distinct {}`)},
	{name: "distinct_big", large: true, hcl: on("big", `
    select { columns = [cat, zk] }
    distinct {}`)},

	// ---- union ---------------------------------------------------------------------
	{name: "union_all_reorder_widen", hcl: `
product "q" {
  domain = domain.d
  input "t" { from = source.t }
  input "t2" { from = source.t2 }
  transform "a" {
    from = input.t
    select { columns = { id = id, n = i32, d = d2, s = s, day = dt } }
  }
  transform "b" {
    from = input.t2
    select { columns = { day = ts, s = g, d = d4, n = i64, id = id } }
  }
  transform "x" {
    from = transform.a
    union { with = [transform.b] }
  }
  output {
    from = transform.x
    path = "lake/q/"
  }
}
`},
	{name: "union_distinct", hcl: `
product "q" {
  domain = domain.d
  input "t" { from = source.t }
  input "t2" { from = source.t2 }
  transform "a" {
    from = input.t
    select { columns = { k = k, g = g } }
  }
  transform "b" {
    from = input.t2
    select { columns = { g = g, k = nk } }
  }
  transform "x" {
    from = transform.a
    union {
      with     = [transform.b]
      distinct = true
    }
  }
  output {
    from = transform.x
    path = "lake/q/"
  }
}
`},
	{name: "union_with_empty_and_one", hcl: `
product "q" {
  domain = domain.d
  input "t" { from = source.t }
  input "t_one" { from = source.t_one }
  input "t_empty" { from = source.t_empty }
  transform "x" {
    from = input.t_empty
    union { with = [input.t_one, input.t, input.t_empty, input.t_one] }
  }
  output {
    from = transform.x
    path = "lake/q/"
  }
}
`},
	{name: "union_shared_transform", hcl: `
product "q" {
  domain = domain.d
  input "t" { from = source.t }
  transform "base" {
    from = input.t
    filter { where = nk < 10 }
    select { columns = [id, nk, s] }
  }
  transform "agg" {
    from = transform.base
    aggregate {
      group_by = [nk]
      columns = {
        id = min(id)
        s  = max(s)
      }
    }
  }
  transform "x" {
    from = transform.base
    union { with = [transform.agg, transform.base] }
    sort { by = [nk, id] }
  }
  output {
    from = transform.x
    path = "lake/q/"
  }
}
`},

	// ---- contracts and checks ---------------------------------------------------------------
	{name: "contract_widening", hcl: onT(`
    select { columns = { id = id, i = i32, dd = d2, day = dt, k = k } }`, `
  contract {
    column "i" { type = "int64" }
    column "dd" { type = "decimal(20,2)" }
    column "day" { type = "timestamp" }
    column "k" { type = "float64" }
  }`)},
	{name: "contract_narrowing_passes", hcl: onT(`
    aggregate {
      group_by = [k]
      columns = {
        total = sum(d2)
        n     = count()
      }
    }`, `
  contract {
    column "total" { type = "decimal(18,2)" }
    column "n" { type = "int64" }
  }`)},
	{name: "contract_not_null_passes", hcl: onT(`
    select { columns = { id = id, x = i32 == null ? 0 : i32, s = s } }`, `
  contract {
    column "x" {
      type     = "int32"
      nullable = false
    }
  }`)},
	{name: "contract_not_null_fails", hcl: onT(`
    select { columns = [id, s, g] }`, `
  contract {
    column "s" {
      type     = "string"
      nullable = false
    }
    column "g" {
      type     = "string"
      nullable = false
    }
  }`)},
	{name: "contract_mask_hash", hcl: onT(`
    select { columns = [id, s, ns, g] }`, `
  contract {
    column "s" {
      type = "string"
      mask = "hash"
    }
    column "ns" {
      type = "string"
      mask = "hash"
    }
    column "g" {
      type = "string"
      mask = "hash"
    }
  }`)},
	// Masks: nulls, empty and short strings, non-ASCII text; the masks
	// that read text also mask int, date, decimal and float columns (the
	// contract declares no type, so the computed one may be anything).
	{name: "contract_mask_redact", hcl: onT(`
    select { columns = [id, s, ns, g, i32, dt, d2, fx] }`, `
  contract {`+maskCols("redact", "string", "s", "ns", "g", "i32", "dt", "d2", "fx")+`
  }
  check "redacted" { assert = max(s) == "****" && count(s) < row_count() }`)},
	{name: "contract_mask_null", hcl: onT(`
    aggregate {
      group_by = [k, g]
      columns = {
        total = sum(d2)
        n     = count()
        s     = max(s)
      }
    }`, `
  contract {`+maskCols("null", "string", "g", "s")+maskCols("null", "int64", "n")+`
    column "total" {
      type     = "decimal(18,2)"
      mask     = "null"
      nullable = true
    }
  }
  check "all_null" { assert = count(g) == 0 && null_count(n) == row_count() && count(total) + count(s) == 0 }`)},
	{name: "contract_mask_null_widens", hcl: onT(`
    select { columns = [id, ns, i32, dt] }`, `
  contract {`+maskCols("null", "string", "ns")+maskCols("null", "int64", "i32")+maskCols("null", "timestamp", "dt")+`
  }`)},
	{name: "contract_mask_last4", hcl: onT(`
    select { columns = [id, s, ns, g, i64, ts, d4, f, fx] }`, `
  contract {`+maskCols("last4", "string", "s", "ns", "g", "i64", "ts", "d4", "f", "fx")+`
  }`)},
	// A masked column promised non-null keeps its implicit check, which
	// fails on s's nulls and passes on ns.
	{name: "contract_mask_not_null", hcl: onT(`
    select { columns = [id, s, ns] }`, `
  contract {
    column "s" {
      type     = "string"
      mask     = "last4"
      nullable = false
    }
    column "ns" {
      type     = "string"
      mask     = "email_domain"
      nullable = false
    }
  }`)},
	{name: "contract_mask_email_domain", hcl: onT(`
    select {
      columns = {
        id  = id
        e1  = "${s}@${g}"
        e2  = "${g}@${s}@x.org"
        e3  = concat(s, "@", ns)
        s   = s
        i32 = i32
      }
    }`, `
  contract {`+maskCols("email_domain", "string", "e1", "e2", "e3", "s", "i32")+`
  }
  check "kept_domain" { assert = min(e2) >= "***@" && max(e1) > "***" }`)},
	// The compiled masks over every type, raw (what the compiler never
	// writes: bool, timestamps, NaN and infinities hashed or cut).
	{name: "mask_redact_every_type", hcl: onT(`
    select { columns = [id, dt, d2, f, ts, b, d4, i32, fx, s] }`), mutate: maskEveryColumnWith(ir.FnMaskRedact)},
	{name: "mask_last4_every_type", hcl: onT(`
    select { columns = [id, dt, d2, f, ts, b, d4, i32, fx, s, g] }`), mutate: maskEveryColumnWith(ir.FnMaskLast4)},
	{name: "mask_email_domain_every_type", hcl: onT(`
    select { columns = [id, dt, d2, f, ts, b, d4, i32, fx, s, g] }`), mutate: maskEveryColumnWith(ir.FnMaskEmailDomain)},
	{name: "mask_null_every_type", hcl: onT(`
    select { columns = [id, dt, d2, f, ts, b, d4, i32, fx, s, g, ns] }`), mutate: maskEveryColumnWith(ir.FnMaskNull)},
	// mask_null discards its argument's value, not its errors.
	{name: "mask_null_keeps_errors", hcl: onT(`
    select {
      columns = {
        id = id
        n  = cast(s, "int64")
      }
    }`), mutate: maskEveryColumnWith(ir.FnMaskNull), wantErr: true},
	{name: "checks_every_kind", hcl: onT(`
    select { columns = [id, s, i32, dt, f, d2, b, k, fx, g] }`, `
  check "rows" { assert = row_count() > 0 }
  check "s_complete" { assert = null_count(s) == 0 }
  check "id_unique" { assert = count_distinct(id) == row_count() }
  check "sum_positive" { assert = sum(i32) > 0 }
  check "old_dates" { assert = min(dt) < "2000-01-01" }
  check "max_f" { assert = max(f) > 0 }
  check "avg_d2" {
    assert   = avg(d2) > 0
    severity = "warn"
  }
  check "some_b_null" { assert = count(b) < row_count() }
  check "max_s" { assert = max(s) == "x" }
  check "k_distinct" { assert = count_distinct(k) >= 10 && count_distinct(g) < 20 }
  check "nulls_k" { assert = null_count(k) * 20 > row_count() }`)},
	{name: "checks_over_empty_output", hcl: onT(`
    filter { where = id < 0 }
    select { columns = [id, s, i32] }`, `
  check "rows" { assert = row_count() == 0 }
  check "no_null" { assert = null_count(s) == 0 }
  check "min_null" { assert = min(i32) > 0 }
  check "count_zero" { assert = count(s) == 0 && count_distinct(id) == 0 }`)},
	{name: "checks_float_nan", hcl: onT(`
    select { columns = [id, fx] }`, `
  check "max_nan" { assert = max(fx) > 0 }
  check "min_inf" { assert = min(fx) < -1000000 }`)},

	// ---- product chains -----------------------------------------------------------------------
	{name: "chain_two_products", hcl: `
product "up" {
  domain = domain.d
  input "t" { from = source.t }
  transform "clean" {
    from = input.t
    filter { where = k != null && d2 > -5000000 }
    select { columns = { id = id, k = k, g = g, amt = d2 * 2 } }
  }
  output { path = "lake/up/" }
  contract {
    column "amt" { type = "decimal(20,2)" }
  }
}

product "q" {
  domain = domain.d
  input "up" { from = product.up }
  transform "x" {
    from = input.up
    aggregate {
      group_by = [g]
      columns = {
        total = sum(amt)
        n     = count()
        mk    = max(k)
      }
    }
    sort { by = [desc(n), g] }
  }
  output { path = "lake/q/" }
}
`},
	{name: "chain_three_products", hcl: `
product "up" {
  domain = domain.d
  input "t" { from = source.t }
  transform "clean" {
    from = input.t
    filter { where = nk < 50 }
    select { columns = { id = id, k = k, name = upper(s), day = dt } }
  }
  output { path = "lake/up/" }
}

product "mid" {
  domain = domain.d
  input "up" { from = product.up }
  input "dim" { from = source.dim }
  transform "j" {
    from = input.up
    join {
      with = input.dim
      type = "left"
      on   = up.k == dim.k
    }
    select { columns = { id = id, k = up.k, name = up.name, dname = dim.name, day = up.day } }
  }
  output { path = "lake/mid/" }
  contract {
    column "day" { type = "timestamp" }
  }
}

product "q" {
  domain = domain.d
  input "mid" { from = product.mid }
  input "up" { from = product.up }
  transform "x" {
    from = input.mid
    join {
      with = input.up
      type = "semi"
      on   = mid.id == up.id
    }
    sort { by = [day, id] }
    limit { count = 300 }
  }
  output { path = "lake/q/" }
}
`},

	// ---- failures --------------------------------------------------------------------------------
	{name: "error_int64_add_overflow", wantErr: true, hcl: on("edge", `
    select { columns = { y = x + 1 } }`)},
	{name: "error_int32_mul_overflow", wantErr: true, hcl: on("edge", `
    select { columns = { y = i * 2 } }`)},
	{name: "error_int32_negate_overflow", wantErr: true, hcl: on("edge", `
    select { columns = { y = -i } }`)},
	{name: "error_abs_overflow", wantErr: true, hcl: on("edge", `
    select { columns = { y = abs(x) } }`)},
	{name: "error_decimal_add_overflow", wantErr: true, hcl: on("edge", `
    select { columns = { y = d38 + d38 } }`)},
	{name: "error_decimal_mul_overflow", wantErr: true, hcl: on("edge", `
    select { columns = { y = d18 * d38 } }`)},
	{name: "error_cast_string_to_int", wantErr: true, hcl: on("bad", `
    select { columns = { y = cast(s, "int32") } }`)},
	{name: "error_cast_int64_to_int32", wantErr: true, hcl: on("edge", `
    select { columns = { y = cast(x, "int32") } }`)},
	{name: "error_cast_float_to_int", wantErr: true, hcl: on("edge", `
    select { columns = { y = cast(f, "int64") } }`)},
	{name: "error_contract_narrowing", wantErr: true, hcl: on("edge", `
    select { columns = { y = d38 } }`, `
  contract {
    column "y" { type = "decimal(18,4)" }
  }`)},
	{name: "error_sum_overflow", wantErr: true, hcl: onT(`
    aggregate { columns = { s = sum(x64) } }`)},
	{name: "error_substr_negative_length", wantErr: true, hcl: onT(`
    select { columns = { y = substr(s, 1, i32) } }`)},
	{name: "error_in_filter", wantErr: true, hcl: on("bad", `
    filter { where = cast(s, "int32") > 0 }`)},
	{name: "error_in_aggregate_argument", wantErr: true, hcl: on("bad", `
    aggregate { columns = { m = max(cast(s, "int64")) } }`)},
	{name: "error_in_sort_key", wantErr: true, hcl: on("bad", `
    sort { by = [cast(s, "int32")] }`)},
	{name: "error_in_join_probe", wantErr: true, hcl: joinT("bad", "inner", "t.nk == bad.n", `
    select { columns = { y = cast(bad.s, "int32") } }`)},
	{name: "no_error_branch_not_taken", hcl: on("bad", `
    select { columns = { id = id, y = n > 1 ? cast(s, "int32") : 0 } }`)},
	{name: "no_error_filtered_out", hcl: on("bad", `
    filter { where = id != 4 }
    select { columns = { id = id, y = cast(s, "int32") } }`)},
	{name: "no_error_and_short_circuit", hcl: on("bad", `
    filter { where = n > 1 && cast(s, "int32") < 0 }`)},
	{name: "no_error_coalesce_lazy", hcl: on("bad", `
    select { columns = { id = id, y = coalesce(n == 0 ? 1 : null, cast(s, "int32")) } }`)},

	// ---- extremes ------------------------------------------------------------------------------------
	{name: "extremes_sort", hcl: on("edge", `
    sort { by = [x, desc(d38)] }`)},
	{name: "extremes_sort_desc", hcl: on("edge", `
    sort { by = [desc(f), desc(i), s] }`)},
	{name: "extremes_min_max", hcl: on("edge", `
    aggregate {
      columns = {
        mnx  = min(x)
        mxx  = max(x)
        mni  = min(i)
        mxi  = max(i)
        mnd  = min(d18)
        mxd  = max(d38)
        mnf  = min(f)
        mxs  = max(s)
        cdx  = count_distinct(x)
        cdd  = count_distinct(d38)
        sd18 = sum(d18)
        s38  = sum(d38)
        mdt  = max(dt)
        mts  = min(ts)
      }
    }`)},
	{name: "extremes_compare_and_text", hcl: on("edge", `
    select {
      columns = {
        x   = x
        pos = x > 0
        mx  = x == 9223372036854775807
        mn  = x <= -9223372036854775807
        xs  = cast(x, "string")
        ds  = cast(d38, "string")
        d18 = cast(d18, "string")
        fs  = cast(f, "string")
        ts  = cast(ts, "string")
        dt  = cast(dt, "string")
        len = length(s)
        up  = upper(s)
        dy  = year(dt)
      }
    }`)},
	{name: "extremes_group_and_join", hcl: `
product "q" {
  domain = domain.d
  input "edge" { from = source.edge }
  input "t" { from = source.t }
  transform "x" {
    from = input.t
    join {
      with = input.edge
      type = "inner"
      on   = t.x64 == edge.x
    }
    aggregate {
      group_by = [x]
      columns = { n = count() }
    }
  }
  output { path = "lake/q/" }
}
`},

	// ---- more shapes: pruning to no columns, breakers feeding breakers ----------------------
	{name: "agg_count_only", hcl: onT(`
    aggregate { columns = { n = count() } }`)},
	{name: "select_constants_only", hcl: onT(`
    select { columns = { one = 1, txt = "x", day = cast("2024-02-29", "date") } }
    filter { where = one == 1 }`)},
	{name: "join_left_columns_only", hcl: joinT("dim", "inner", "t.k == dim.k", `
    select { columns = [id, s] }`)},
	{name: "join_right_columns_only", hcl: joinT("dim", "right", "t.g == dim.g", `
    select { columns = [name, w] }`)},
	{name: "join_count_only", hcl: joinT("dim", "full", "t.k == dim.k", `
    aggregate { columns = { n = count() } }`)},
	{name: "limit_as_build_side", hcl: `
product "q" {
  domain = domain.d
  input "t" { from = source.t }
  input "dim" { from = source.dim }
  transform "top" {
    from = input.dim
    sort { by = [desc(w), name] }
    limit {
      count  = 12
      offset = 2
    }
  }
  transform "x" {
    from = input.t
    join {
      with = transform.top
      type = "left"
      on   = t.k == top.k
    }
    select { columns = { id = id, name = name, w = w } }
  }
  output {
    from = transform.x
    path = "lake/q/"
  }
}
`},
	{name: "limit_then_aggregate", hcl: onT(`
    limit {
      count  = 500
      offset = 100
    }
    aggregate {
      group_by = [g]
      columns = {
        n = count()
        m = max(id)
      }
    }`)},
	{name: "aggregate_of_aggregate", hcl: onT(`
    aggregate {
      group_by = [k, g]
      columns = { n = count() }
    }
    aggregate {
      group_by = [n]
      columns = {
        groups = count()
        ks     = count_distinct(k)
      }
    }
    sort { by = [n] }`)},
	{name: "union_of_breakers_as_build", hcl: `
product "q" {
  domain = domain.d
  input "t" { from = source.t }
  input "dim" { from = source.dim }
  transform "a" {
    from = input.t
    aggregate {
      group_by = [k]
      columns = { n = count() }
    }
  }
  transform "b" {
    from = input.dim
    select { columns = { k = k, n = cast(w, "int64") } }
    distinct {}
  }
  transform "u" {
    from = transform.a
    union { with = [transform.b] }
  }
  transform "x" {
    from = input.t
    join {
      with = transform.u
      type = "inner"
      on   = t.k == u.k
    }
    select { columns = { id = id, n = n } }
  }
  output {
    from = transform.x
    path = "lake/q/"
  }
}
`},
	{name: "sort_empty", hcl: on("t_empty", `
    sort { by = [s, id] }`)},
	{name: "top_n_empty", hcl: on("t_empty", `
    sort { by = [desc(i32)] }
    limit { count = 3 }`)},
	{name: "distinct_empty", hcl: on("t_empty", `
    select { columns = [g, k] }
    distinct {}`)},
	{name: "distinct_one_row", hcl: on("t_one", `
    distinct {}`)},
	{name: "join_both_empty", hcl: `
product "q" {
  domain = domain.d
  input "t_empty" { from = source.t_empty }
  input "dim_empty" { from = source.dim_empty }
  transform "x" {
    from = input.t_empty
    join {
      with = input.dim_empty
      type = "full"
      on   = t_empty.k == dim_empty.k
    }
    select { columns = { id = id, name = name } }
  }
  output {
    from = transform.x
    path = "lake/q/"
  }
}
`},
	{name: "limit_one_row_offset", hcl: on("t_one", `
    limit {
      count  = 3
      offset = 1
    }`)},

	// ---- more expressions --------------------------------------------------------------------
	{name: "constants_folded", hcl: onT(`
    select {
      columns = {
        id  = id
        a   = 1 + 2 * 3 + i32
        b2  = cast("12", "int32") + k
        c   = substr("hello", 2, 3)
        dd  = upper("abc") == g
        e   = contains([1, 2], 2) && b
        f2  = "${"x"}${g}"
        h   = coalesce(null, s, "z")
        i   = 10 / 4
        j   = -7 % 3
        k2  = round(2.675, 2)
        l   = cast(1.5, "int32")
        m   = cast(-2.5, "int64")
        n   = date_trunc("month", cast("2024-02-29T10:00:00Z", "timestamp"))
      }
    }`)},
	{name: "no_error_constant_in_untaken_branch", hcl: on("bad", `
    select { columns = { id = id, y = n > 100 ? cast("x", "int32") : n } }`)},
	{name: "error_constant_cast", wantErr: true, hcl: on("bad", `
    select { columns = { id = id, y = cast("x", "int32") + n } }`)},
	{name: "extremes_modulo_division", hcl: on("edge", `
    select {
      columns = {
        x    = x
        xm1  = x % -1
        im1  = i % -1
        xx   = x % x
        xd   = x / -1
        id1  = i / -1
        d18m = d18 % 7
        d38m = d38 % -3
        fm   = f % 2
        fdiv = f / 0
      }
    }`)},
	{name: "extremes_dates", hcl: on("edge", `
    select {
      columns = {
        dt  = dt
        tw  = date_trunc("week", dt)
        tq  = date_trunc("quarter", ts)
        ty  = date_trunc("year", ts)
        td  = cast(ts, "date")
        tts = cast(dt, "timestamp")
        mo  = month(ts)
        dy  = day(dt)
        y   = year(ts)
      }
    }`)},
	{name: "contract_mask_cast_to_string", hcl: onT(`
    select {
      columns = {
        id = cast(id, "string")
        dt = cast(dt, "string")
        d2 = cast(d2, "string")
        f  = cast(f, "string")
        ts = cast(ts, "string")
      }
    }`, `
  contract {
    column "id" {
      type = "string"
      mask = "hash"
    }
    column "dt" {
      type = "string"
      mask = "hash"
    }
    column "d2" {
      type = "string"
      mask = "hash"
    }
    column "f" {
      type = "string"
      mask = "hash"
    }
    column "ts" {
      type = "string"
      mask = "hash"
    }
  }`)},
	// The compiler rejects mask = "hash" on a non-string column (it wants
	// type = "string", which the column does not widen to), but
	// ir.FnMaskHash hashes "the value's text": hash every column raw.
	{name: "mask_hash_every_type", hcl: onT(`
    select { columns = [id, dt, d2, f, ts, b, d4, i32, fx] }`), mutate: maskEveryColumn},
	{name: "chain_masked_upstream", hcl: `
product "up" {
  domain = domain.d
  input "t" { from = source.t }
  transform "clean" {
    from = input.t
    select { columns = [id, g, i32] }
  }
  output { path = "lake/up/" }
  contract {
    column "g" {
      type = "string"
      mask = "hash"
    }
  }
}

product "q" {
  domain = domain.d
  input "up" { from = product.up }
  transform "x" {
    from = input.up
    aggregate {
      group_by = [g]
      columns = {
        n = count()
        s = sum(i32)
      }
    }
    sort { by = [g] }
  }
  output { path = "lake/q/" }
}
`},
	{name: "chain_upstream_read_twice", hcl: `
product "up" {
  domain = domain.d
  input "t" { from = source.t }
  transform "top" {
    from = input.t
    select { columns = [id, k, g, d2] }
    sort { by = [desc(d2), id] }
    limit { count = 200 }
  }
  output { path = "lake/up/" }
}

product "q" {
  domain = domain.d
  input "a" { from = product.up }
  input "b" { from = product.up }
  transform "x" {
    from = input.a
    join {
      with = input.b
      type = "inner"
      on   = a.k == b.k
    }
    select { columns = { l = a.id, r = b.id, k = a.k, d = b.d2 } }
  }
  output { path = "lake/q/" }
}
`},
	{name: "cast_text_forms", hcl: on("texts", `
    filter { where = s != "pad" }
    select {
      columns = {
        s   = s
        i   = cast(i, "int64")
        f   = cast(f, "float64")
        d   = cast(d, "decimal(10,3)")
        dt  = cast(dt, "date")
        ts  = cast(ts, "timestamp")
        b   = cast(b, "bool")
      }
    }`)},

	{name: "expression_edges", hcl: onT(`
    select {
      columns = {
        id   = id
        sbig = substr(s, 3, 9223372036854775807)
        sfar = substr(s, 9223372036854775807)
        sneg = substr(s, -9223372036854775807, 5)
        rf15 = round(f, 15)
        rx10 = round(fx, 10)
        rd10 = round(d4, 10)
        ri2  = round(i32, 2)
        fd2  = cast(f, "decimal(10,2)")
        fd1  = cast(f, "decimal(12,1)")
        absz = abs(f * 0)
        mixd = d2 * f
        cmpd = d4 > f
      }
    }`)},
	{name: "error_cast_padded_int", wantErr: true, hcl: on("texts", `
    filter { where = s == "pad" }
    select { columns = { y = cast(i, "int32") } }`)},
	{name: "error_cast_padded_float", wantErr: true, hcl: on("texts", `
    filter { where = s == "pad" }
    select { columns = { y = cast(f, "float64") } }`)},
	{name: "error_cast_padded_decimal", wantErr: true, hcl: on("texts", `
    filter { where = s == "pad" }
    select { columns = { y = cast(d, "decimal(10,2)") } }`)},
	{name: "error_cast_padded_date", wantErr: true, hcl: on("texts", `
    filter { where = s == "pad" }
    select { columns = { y = cast(dt, "date") } }`)},
	{name: "error_cast_padded_bool", wantErr: true, hcl: on("texts", `
    filter { where = s == "pad" }
    select { columns = { y = cast(b, "bool") } }`)},
	{name: "error_cast_text_overflow", wantErr: true, hcl: on("texts", `
    filter { where = s == "max" }
    select { columns = { y = cast(i, "int32") } }`)},
	{name: "error_cast_text_too_many_digits", wantErr: true, hcl: on("texts", `
    filter { where = s == "max" }
    select { columns = { y = cast(d, "decimal(6,3)") } }`)},
	{name: "filter_constant_false", hcl: onT(`
    filter { where = 1 > 2 }`)},
	{name: "filter_constant_true", hcl: onT(`
    filter { where = 2 > 1 || s == "x" }
    select { columns = [id, s] }`)},
	{name: "filter_constant_null", hcl: onT(`
    filter { where = k > cast(null, "int32") || nk == 3 }
    select { columns = [id, nk] }`)},
	{name: "join_expression_keys", hcl: joinT("dim", "inner", "upper(t.g) == upper(dim.g) && t.k + 1 == dim.k", `
    select { columns = { id = id, g = t.g, dg = dim.g, k = t.k, dk = dim.k } }`)},
	{name: "select_aliases_one_column", hcl: onT(`
    select { columns = { a = g, b2 = g, c = s, k = k } }
    select { columns = { up = upper(a), b2 = b2, c = c, a = a, kk = k + k } }
    filter { where = b2 != "a" || kk > 2 }`)},
	{name: "checks_with_expressions", hcl: onT(`
    select { columns = [id, s, i32, g, d2] }`, `
  check "short" { assert = max(length(s)) < 100 }
  check "sum_twice" { assert = sum(i32 * 2) == 2 * sum(i32) }
  check "lower_distinct" { assert = count_distinct(lower(g)) < count_distinct(g) }
  check "dec" { assert = sum(d2) / count(d2) > -1000000 && avg(d2) < 1000000 }
  check "null_template" { assert = null_count("${g}${s}") > 0 }`)},
	{name: "error_in_check", wantErr: true, hcl: onT(`
    select { columns = [id, x64] }`, `
  check "sum" { assert = sum(x64) > 0 }`)},
	// ---- NaN in comparison kernels: floats compare with a total order
	// (NaN = NaN, above every number; -0 = 0), as sorts, joins and
	// aggregates do (join_float_key, checks_float_nan, agg_group_float_key).
	{name: "nan_filter", hcl: onT(`
    filter { where = fx > 0 }
    select { columns = [id, fx] }`)},
	{name: "nan_compare", hcl: onT(`
    select {
      columns = {
        id = id
        gt = fx > 0
        eq = fx == fx
        ne = fx != 0
        lt = fx < 1e308
        ge = fx >= f
        le = fx <= -1e308
        z  = fx == 0
      }
    }`)},
	{name: "nan_contains", hcl: onT(`
    select {
      columns = {
        id = id
        a  = contains([0, 1.5], fx)
        b2 = contains([-2.5, 3.25], fx)
      }
    }`)},
}

// maskCols returns contract column blocks giving each column the type
// typ and the mask.
func maskCols(mask, typ string, cols ...string) string {
	var b strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&b, "\n    column %q {\n      type = %q\n      mask = %q\n    }", c, typ, mask)
	}
	return b.String()
}

// maskEveryColumnWith wraps every column of the output's projection in
// the mask fn: mask_null keeps each column's type, the others yield
// strings.
func maskEveryColumnWith(fn ir.Func) func(t *testing.T, p *ir.Product) {
	return func(t *testing.T, p *ir.Product) {
		proj, ok := p.Output.Root.(*ir.Project)
		if !ok {
			t.Fatalf("the output is a %T, not a projection", p.Output.Root)
		}
		for i, e := range proj.Exprs {
			m := ir.Meta{T: types.StringType, Null: e.Nullable()}
			if fn == ir.FnMaskNull {
				m = ir.Meta{T: e.Type(), Null: true}
			}
			proj.Exprs[i] = &ir.Call{Meta: m, Fn: fn, Args: []ir.Expr{e}}
			proj.Out[i].Type, proj.Out[i].Nullable = m.T, m.Null
		}
	}
}

// maskEveryColumn wraps every column of the output's projection in
// mask_hash, as a contract with mask = "hash" on each would.
func maskEveryColumn(t *testing.T, p *ir.Product) {
	proj, ok := p.Output.Root.(*ir.Project)
	if !ok {
		t.Fatalf("the output is a %T, not a projection", p.Output.Root)
	}
	for i, e := range proj.Exprs {
		proj.Exprs[i] = &ir.Call{Meta: ir.Meta{T: types.StringType, Null: e.Nullable()}, Fn: ir.FnMaskHash, Args: []ir.Expr{e}}
		proj.Out[i].Type = types.StringType
	}
}
