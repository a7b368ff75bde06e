package parquet

import (
	"github.com/klauspost/compress/s2"
	"github.com/parquet-go/parquet-go/format"
)

// fastSnappy is the SNAPPY codec the writer uses. parquet-go's own
// compresses with s2's "better" mode, which spends about twice the CPU for
// a few percent of size; writing is the bottleneck of copying tables
// (ANCHORS.md q5), so the writer takes s2's default mode. Both produce
// standard Snappy blocks that any reader decodes.
type fastSnappy struct{}

func (fastSnappy) String() string { return "SNAPPY" }

func (fastSnappy) CompressionCodec() format.CompressionCodec { return format.Snappy }

func (fastSnappy) Encode(dst, src []byte) ([]byte, error) { return s2.EncodeSnappy(dst, src), nil }

func (fastSnappy) Decode(dst, src []byte) ([]byte, error) { return s2.Decode(dst, src) }
