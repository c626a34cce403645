package jetstream

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nats-io/nats.go"
)

// The embedded server's message block format (nats-server filestore): each
// record is a 22-byte header (length with a has-headers bit, sequence with
// erased/tombstone bits, timestamp, subject length), the subject, optionally
// a 4-byte header length and the headers, the body, and an 8-byte checksum.
const (
	recHdrSize   = 22
	recHashSize  = 8
	recHdrBit    = 1 << 31
	recErasedBit = 1 << 63
	recTombBit   = 1 << 62
	recMaxLen    = 64 << 20
)

type rawMsg struct {
	subject string
	header  nats.Header
	data    []byte
}

// readRaw finds message seq in the block files of stream under dir, without
// the server's checks: when the server refuses a message whose bytes were
// altered, this still tells which event it was. It is forensic only: what it
// returns is not trusted.
func readRaw(dir, stream string, seq uint64) (*rawMsg, error) {
	blocks, err := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", stream, "msgs", "*.blk"))
	if err != nil {
		return nil, err
	}
	for _, path := range blocks {
		buf, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if m, ok := findRecord(buf, seq); ok {
			return m, nil
		}
	}
	return nil, fmt.Errorf("message %d is not in the block files", seq)
}

func findRecord(buf []byte, seq uint64) (*rawMsg, bool) {
	le := binary.LittleEndian
	for i := 0; i+recHdrSize <= len(buf); {
		rl := le.Uint32(buf[i:])
		hasHeaders := rl&recHdrBit != 0
		rl &^= recHdrBit
		s := le.Uint64(buf[i+4:])
		slen := int(le.Uint16(buf[i+20:]))
		if rl < recHdrSize+recHashSize || rl > recMaxLen || i+int(rl) > len(buf) {
			return nil, false // the rest of the block is unreadable
		}
		if s&(recErasedBit|recTombBit) == 0 && s == seq {
			data := buf[i+recHdrSize : i+int(rl)-recHashSize]
			if slen > len(data) {
				return nil, false
			}
			m := &rawMsg{subject: string(data[:slen])}
			data = data[slen:]
			if hasHeaders {
				if len(data) < 4 {
					return nil, false
				}
				hl := int(le.Uint32(data))
				if 4+hl > len(data) {
					return nil, false
				}
				m.header, _ = nats.DecodeHeadersMsg(data[4 : 4+hl])
				data = data[4+hl:]
			}
			m.data = append([]byte(nil), data...)
			return m, true
		}
		i += int(rl)
	}
	return nil, false
}
