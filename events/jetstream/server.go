package jetstream

import (
	"crypto/rand"
	"encoding/hex"
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
	// password is the ledger's own user's when the server listens for other
	// clients (see readerPermissions); "" when it listens on nothing.
	password string
}

// Users of an embedded server that listens for other clients: the ledger
// itself, with every right, and everyone else, who may only subscribe.
const (
	ledgerUser = "ledger"
	readerUser = "reader"
)

// readerPermissions are what a client of the embedded server's port (one
// following the log or the notifications) may do: subscribe to the log's
// subjects and the notifications, and nothing else. Above all it may not
// publish: a message on a ledger subject would be stored in the log as if
// the ledger had written it.
var readerPermissions = &server.Permissions{
	Publish:   &server.SubjectPermission{Deny: []string{">"}},
	Subscribe: &server.SubjectPermission{Allow: []string{"ledger.>", "notify.>", "_INBOX.>"}},
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
	var password string
	if listen != "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			lock.Close()
			return nil, fmt.Errorf("embedded nats-server: %w", err)
		}
		password = hex.EncodeToString(b)
		opts.Users = []*server.User{{Username: ledgerUser, Password: password}, {Username: readerUser, Permissions: readerPermissions}}
		opts.NoAuthUser = readerUser
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
	return &embedded{srv: srv, lock: lock, password: password}, nil
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
