package jetstream

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// embedded is an in-process nats-server holding the log in a data directory.
type embedded struct {
	srv  *server.Server
	lock *os.File
}

// ErrInUse is returned (wrapped) by Open when another process holds the
// data directory: a ledger server, most often.
var ErrInUse = errors.New("in use by another ledger process")

// startEmbedded starts a JetStream server storing in dir with fsync on every
// write. listen ("host:port") also opens a client port for other NATS
// clients; "" listens on nothing (in-process connections only).
func startEmbedded(dir, listen string) (*embedded, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	// One process at a time: two servers on one directory would corrupt it.
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("data directory %s: %w (%v)", dir, ErrInUse, err)
	}
	opts := &server.Options{
		ServerName:   "ledger",
		JetStream:    true,
		StoreDir:     dir,  // the server keeps its files in dir/jetstream
		SyncAlways:   true, // fsync every write: acknowledged means on disk
		SyncInterval: 2 * time.Minute,
		NoSigs:       true,
		NoLog:        true,
		DontListen:   listen == "",
		MaxPayload:   8 << 20,
	}
	if listen != "" {
		host, port, err := net.SplitHostPort(listen)
		if err != nil {
			lock.Close()
			return nil, fmt.Errorf("listen address %q: %w", listen, err)
		}
		opts.Host = host
		if opts.Port, err = strconv.Atoi(port); err != nil {
			lock.Close()
			return nil, fmt.Errorf("listen address %q: port: %w", listen, err)
		}
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("embedded nats-server: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		lock.Close()
		return nil, fmt.Errorf("embedded nats-server in %s did not become ready", dir)
	}
	return &embedded{srv: srv, lock: lock}, nil
}

func (e *embedded) shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
	e.lock.Close()
}

// ClientURL is the URL other NATS clients reach the embedded server on, or "".
func (e *embedded) clientURL() string {
	if e.srv.Addr() == nil {
		return ""
	}
	return e.srv.ClientURL()
}
