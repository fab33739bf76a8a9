// go-tar-list prints how Go's archive/tar reads tar streams: the reader Docker,
// containerd and BuildKit unpack image layers with. It is the oracle of
// test/integration/tar-reader-differential.test.ts.
//
// Input (stdin): frames of an 8-byte big-endian length and that many bytes of
// tar. Output (stdout): one JSON line per frame, the entries in order with the
// bytes their reader yields, and how the stream ended ("" or the error).
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
)

type entry struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Linkname string `json:"linkname"`
	Size     int64  `json:"size"`
	Sha256   string `json:"sha256"`
}

type listing struct {
	Entries []entry `json:"entries"`
	Error   string  `json:"error"`
}

func list(data []byte) listing {
	out := listing{Entries: []entry{}}
	r := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			out.Error = err.Error()
			return out
		}
		sum := sha256.New()
		n, err := io.Copy(sum, r)
		if err != nil {
			out.Error = err.Error()
			return out
		}
		out.Entries = append(out.Entries, entry{
			Name:     h.Name,
			Type:     string([]byte{h.Typeflag}),
			Linkname: h.Linkname,
			Size:     n,
			Sha256:   hex.EncodeToString(sum.Sum(nil)),
		})
	}
}

func main() {
	in := bufio.NewReader(os.Stdin)
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	for {
		var size uint64
		if err := binary.Read(in, binary.BigEndian, &size); err != nil {
			return
		}
		data := make([]byte, size)
		if _, err := io.ReadFull(in, data); err != nil {
			os.Exit(2)
		}
		if err := enc.Encode(list(data)); err != nil {
			os.Exit(2)
		}
		if err := w.Flush(); err != nil {
			os.Exit(2)
		}
	}
}
