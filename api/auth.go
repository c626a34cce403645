package api

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/shanxi-water/ledger/domain"
	"github.com/shanxi-water/ledger/domain/enforcement"
	"github.com/shanxi-water/ledger/domain/monitoring"
)

// Action is something a role may be allowed to do.
type Action string

// The actions. Reading never changes the ledger; no action deletes or edits
// an event.
const (
	Read            Action = "read"             // every query, export and the dashboard
	ImportSamples   Action = "samples.import"   // upload samples (stations: their own sections)
	CorrectSamples  Action = "samples.correct"  // correct or invalidate a sample (a station: of its own sections)
	WriteRegisters  Action = "registers.write"  // register sections, sources, points, bodies, units
	WriteTasks      Action = "tasks.write"      // task status changes
	WriteCards      Action = "cards.write"      // inspections and cards
	WriteAssessment Action = "assessment.write" // rules, runs, publication, consequences, accountability
	ManageTokens    Action = "tokens.manage"    // create tokens
)

// Allowed is the role × action matrix.
var Allowed = map[domain.Role][]Action{
	domain.Auditor:     {Read},
	domain.Assessment:  {Read, WriteAssessment, WriteTasks},
	domain.Enforcement: {Read, WriteCards},
	domain.Station:     {Read, ImportSamples, CorrectSamples},
	domain.Admin:       {Read, ImportSamples, CorrectSamples, WriteRegisters, WriteTasks, WriteCards, WriteAssessment, ManageTokens},
}

// Can reports whether role may do action.
func Can(role domain.Role, a Action) bool { return slices.Contains(Allowed[role], a) }

// Token is one bearer token's holder: a person (or station) and a role.
// Only the token's SHA-256 is kept.
type Token struct {
	SHA256   string                 `json:"sha256"`
	Person   string                 `json:"person"`
	Role     domain.Role            `json:"role"`
	Sections []monitoring.SectionID `json:"sections,omitempty"` // a station's own sections
	// Cities limits an enforcement token to the enterprises of these cities
	// (a city bureau's inspectors); none: every city's, and the province's
	// own lists.
	Cities []domain.CityID `json:"cities,omitempty"`
}

// sectionList is the token's sections as a sentence lists them.
func (t Token) sectionList() string {
	ids := make([]string, len(t.Sections))
	for i, id := range t.Sections {
		ids[i] = string(id)
	}
	return strings.Join(ids, ", ")
}

// actsFor refuses a change to a city's enforcement records (scope: a city,
// or the province's own) by a token limited to other cities.
func actsFor(r *http.Request, field string, scope domain.Scope) error {
	tok := holder(r)
	if len(tok.Cities) == 0 || slices.Contains(tok.Cities, domain.CityID(scope)) {
		return nil
	}
	what := "the province's own"
	if city, ok := domain.LookupCity(domain.CityID(scope)); ok {
		what = city.Name + " " + string(scope) + "'s"
	}
	return domain.Errorf(r.URL.Path, domain.Forbidden, field, "this token acts for %s only: %s enforcement records are another bureau's", tokenCities(tok), what)
}

// tokenCities names a token's cities: 太原 140100, 运城 140800.
func tokenCities(tok Token) string {
	names := make([]string, len(tok.Cities))
	for i, c := range tok.Cities {
		names[i] = string(c)
		if city, ok := domain.LookupCity(c); ok {
			names[i] = city.Name + " " + string(c)
		}
	}
	return strings.Join(names, ", ")
}

// codeCity is the Shanxi city whose administrative division a unified
// social credit code names (characters 3–8, GB 32100-2015): a division
// 14xxyy is in the city 14xx00. None for a code that is not valid, that
// is from outside Shanxi, or that names the province itself (140000).
func codeCity(code string) (domain.CityID, bool) {
	if len(code) < 8 || enforcement.USCC(code).Validate() != nil {
		return "", false
	}
	div := code[2:8]
	if !strings.HasPrefix(div, "14") {
		return "", false
	}
	c, ok := domain.LookupCity(domain.CityID(div[:4] + "00"))
	return c.ID, ok
}

// codeActsFor refuses, to a token limited to cities, an enterprise whose
// credit code was issued in another Shanxi city: registering it claims
// the code province-wide, and that city's bureau could then not register
// it. A code from outside Shanxi is not restricted. A permit number is
// looked at by the holder's code it begins with.
func codeActsFor(r *http.Request, reg enforcement.EnterpriseRegistered) error {
	tok := holder(r)
	if len(tok.Cities) == 0 {
		return nil
	}
	for _, c := range []struct{ field, code string }{{"uscc", string(reg.USCC)}, {"permit_no", reg.PermitNo[:min(len(reg.PermitNo), 18)]}} {
		city, ok := codeCity(c.code)
		if !ok || slices.Contains(tok.Cities, city) {
			continue
		}
		name, _ := domain.LookupCity(city)
		return domain.Errorf(r.URL.Path, domain.Forbidden, c.field, "%s was issued in %s %s (division code %s, characters 3–8): this token acts for %s only, and an enterprise of another bureau's city is that bureau's to register",
			c.code, name.Name, city, c.code[2:8], tokenCities(tok))
	}
	return nil
}

// Tokens is the token file. Several ledger processes may share one: each
// adds its tokens to the file as it stands (under a lock on path.lock), and
// reads it again when a token is not found and the file has changed.
type Tokens struct {
	mu       sync.RWMutex
	path     string
	tokens   []Token
	modified time.Time // the file's, when read
	checked  time.Time // when a missing token last had the file looked at
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "lgr_" + base64.RawURLEncoding.EncodeToString(b)
}

// OpenTokens reads the token file at path, creating it on first start with
// one administrator token, which it returns (the only time it is shown).
func OpenTokens(path string) (*Tokens, string, error) {
	t := &Tokens{path: path}
	unlock, err := t.lockFile()
	if err != nil {
		return nil, "", err
	}
	defer unlock()
	err = t.readLocked()
	if err == nil {
		return t, "", nil
	}
	if !os.IsNotExist(err) {
		return nil, "", err
	}
	secret, err := t.addLocked(Token{Person: "admin", Role: domain.Admin})
	return t, secret, err
}

// lockFile takes the lock that processes sharing the file take to change
// it.
func (t *Tokens) lockFile() (unlock func(), err error) {
	if t.path == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(filepath.Dir(t.path), 0o750); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(t.path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("token file %s: %w", t.path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("token file %s: %w", t.path, err)
	}
	return func() { f.Close() }, nil // closing releases the lock
}

// readLocked reads the file (t.mu held, or t not yet shared).
func (t *Tokens) readLocked() error {
	st, err := os.Stat(t.path)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(t.path)
	if err != nil {
		return err
	}
	var tokens []Token
	if err := json.Unmarshal(b, &tokens); err != nil {
		return fmt.Errorf("token file %s: %w", t.path, err)
	}
	t.tokens, t.modified = tokens, st.ModTime()
	return nil
}

// Add creates a token for a holder and returns its secret. An error names
// the field as a token request (and the token file) names it: person,
// role, sections, cities.
func (t *Tokens) Add(holder Token) (string, error) {
	if err := (domain.Actor{ID: holder.Person, Role: holder.Role}).Validate("tokens", "token"); err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			field := map[string]string{"token.id": "person", "token.role": "role"}[de.Field]
			return "", domain.E("tokens", de.Kind, cmp.Or(field, de.Field), de.Err)
		}
		return "", err
	}
	if holder.Role == domain.System {
		return "", domain.Errorf("tokens", domain.Invalid, "role", "system is the ledger's own role, not a person's")
	}
	if holder.Role == domain.Station && len(holder.Sections) == 0 {
		return "", domain.Errorf("tokens", domain.Invalid, "sections", "a station token names the sections it uploads for")
	}
	if len(holder.Sections) > 0 && holder.Role != domain.Station {
		return "", domain.Errorf("tokens", domain.Invalid, "sections", "only a station token names sections (those it uploads for)")
	}
	if len(holder.Cities) > 0 && holder.Role != domain.Enforcement {
		return "", domain.Errorf("tokens", domain.Invalid, "cities", "only an enforcement token is limited to cities (its holder's bureau)")
	}
	unlock, err := t.lockFile()
	if err != nil {
		return "", err
	}
	defer unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	// Another process may have added tokens since: add to the file as it is.
	if t.path != "" {
		if err := t.readLocked(); err != nil && !os.IsNotExist(err) {
			return "", err
		}
	}
	return t.addLocked(holder)
}

// addLocked adds a holder with a new secret and saves the file.
func (t *Tokens) addLocked(holder Token) (string, error) {
	secret := newSecret()
	holder.SHA256 = hashToken(secret)
	t.tokens = append(t.tokens, holder)
	if err := t.saveLocked(); err != nil {
		t.tokens = t.tokens[:len(t.tokens)-1]
		return "", err
	}
	return secret, nil
}

// MemoryTokens returns a token set kept in memory only (for running the API
// in process, e.g. from the command line on a local store).
func MemoryTokens() *Tokens { return &Tokens{} }

func (t *Tokens) saveLocked() error {
	if t.path == "" {
		return nil
	}
	b, err := json.MarshalIndent(t.tokens, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(t.path), 0o750); err != nil {
		return err
	}
	tmp := t.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil { // a token given out is on disk
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, t.path); err != nil {
		return err
	}
	if st, err := os.Stat(t.path); err == nil {
		t.modified = st.ModTime()
	}
	return nil
}

// Lookup finds the holder of a bearer token.
func (t *Tokens) Lookup(secret string) (Token, bool) {
	// Another process sharing the file may have added or revoked tokens:
	// look at the file again if it changed (once a second at most).
	t.mu.Lock()
	if t.path != "" && time.Since(t.checked) >= time.Second {
		t.checked = time.Now()
		if st, err := os.Stat(t.path); err == nil && !st.ModTime().Equal(t.modified) {
			_ = t.readLocked() // unreadable: the tokens known stay
		}
	}
	t.mu.Unlock()
	return t.find(hashToken(secret))
}

// Revoke removes every token of a person, here and in the file (other
// processes sharing it stop taking them within a second), and returns how
// many there were. The last administrator's cannot be revoked: no one
// could then make tokens.
func (t *Tokens) Revoke(person string) (int, error) {
	unlock, err := t.lockFile()
	if err != nil {
		return 0, err
	}
	defer unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.path != "" {
		if err := t.readLocked(); err != nil && !os.IsNotExist(err) {
			return 0, err
		}
	}
	kept := make([]Token, 0, len(t.tokens))
	admins := 0
	for _, tok := range t.tokens {
		if tok.Person != person {
			kept = append(kept, tok)
			if tok.Role == domain.Admin {
				admins++
			}
		}
	}
	n := len(t.tokens) - len(kept)
	switch {
	case n == 0:
		return 0, domain.Errorf("tokens", domain.NotFound, "person", "%q holds no token", person)
	case admins == 0:
		return 0, domain.Errorf("tokens", domain.Conflict, "person", "%q holds the last administrator token: make another administrator's first", person)
	}
	before := t.tokens
	t.tokens = kept
	if err := t.saveLocked(); err != nil {
		t.tokens = before
		return 0, err
	}
	return n, nil
}

func (t *Tokens) find(h string) (Token, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, tok := range t.tokens {
		if subtle.ConstantTimeCompare([]byte(tok.SHA256), []byte(h)) == 1 {
			return tok, true
		}
	}
	return Token{}, false
}

// authenticate finds the request's token holder: from the Authorization
// header, or, for a read (GET or HEAD), from the dashboard's sign-in
// cookie, so that a signed-in browser can download the exports its pages
// link to. Writes take the header only: a cookie is sent with requests
// other sites make.
func (t *Tokens) authenticate(r *http.Request) (Token, error) {
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if h == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		if c, err := r.Cookie(tokenCookie); err == nil {
			secret, ok = c.Value, true
		}
	}
	if !ok || secret == "" {
		return Token{}, domain.Errorf("auth", domain.Unauthenticated, "Authorization", "missing: send Authorization: Bearer <token>")
	}
	tok, found := t.Lookup(strings.TrimSpace(secret))
	if !found {
		return Token{}, domain.Errorf("auth", domain.Unauthenticated, "Authorization", "unknown token")
	}
	return tok, nil
}
