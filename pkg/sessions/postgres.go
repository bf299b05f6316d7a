package sessions

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ivrctl/ivrctl/pkg/redact"
)

// Postgres is the PostgreSQL store: one table, ivrctl_sessions, shared by
// every serve replica pointed at the database.
//
// Dedup: a unique key on (session_key, body_sha256) — the sessionId's exact
// bytes and the digest of the compacted body — so when two replicas get
// the same summary at once, one INSERT stores it and the other finds the
// conflict and reports a duplicate. A body that differs is another row:
// revisions are numbered by insertion order (id), computed when read.
//
// Durability: each Append is one autocommitted INSERT; it returns once
// PostgreSQL has committed it (synchronous_commit as the server has it).
//
// Bytes: the sessionId and the body are bytea, so invalid UTF-8 and NUL
// are kept exactly (text and jsonb refuse both).
type Postgres struct {
	pool     *pgxpool.Pool
	location string // the URL without its password
	password string // scrubbed from every error
}

// Timeouts: an unreachable database must be answered 503 well before 8x8
// gives up on the webhook, so 8x8 retries rather than counts a failure.
const (
	pgConnectTimeout = 3 * time.Second
	pgAppendTimeout  = 5 * time.Second
)

// schemaLock is the advisory lock replicas take while migrating, so that
// several starting at once do not race to create the table.
const schemaLock = 0x69767263746c // "ivrctl"

// migrations, in order; schema version n has run migrations[:n].
var migrations = []string{
	`CREATE TABLE ivrctl_sessions (
		id             bigserial   PRIMARY KEY,
		session_key    bytea       NOT NULL,
		body_sha256    bytea       NOT NULL,
		session_status text        NOT NULL DEFAULT '',
		received_at    timestamptz NOT NULL,
		event          bytea       NOT NULL,
		UNIQUE (session_key, body_sha256)
	);
	CREATE INDEX ivrctl_sessions_received_at ON ivrctl_sessions (received_at);
	CREATE INDEX ivrctl_sessions_status ON ivrctl_sessions (session_status);`,
}

// OpenPostgres connects to the database at rawURL and creates or migrates
// the schema.
func OpenPostgres(ctx context.Context, rawURL string) (*Postgres, error) {
	p := &Postgres{location: Redact(rawURL)}
	if u, err := url.Parse(rawURL); err == nil {
		p.password, _ = u.User.Password()
		if p.password == "" {
			p.password = u.Query().Get("password")
		}
	}
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sessions database %s: %w", p.location, p.scrub(err))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > pgConnectTimeout {
		cfg.ConnConfig.ConnectTimeout = pgConnectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("sessions database %s: %w", p.location, p.scrub(err))
	}
	p.pool = pool
	if err := p.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("sessions database %s: %w", p.location, p.scrub(err))
	}
	return p, nil
}

func (p *Postgres) migrate(ctx context.Context) error {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(schemaLock)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS ivrctl_schema (version int NOT NULL)`); err != nil {
		return err
	}
	var v int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM ivrctl_schema`).Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this ivrctl knows (%d): upgrade ivrctl", v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		if _, err := tx.Exec(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrating the schema to version %d: %w", v+1, err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM ivrctl_schema; INSERT INTO ivrctl_schema VALUES (`+fmt.Sprint(v)+`)`); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Location returns the URL without its password.
func (p *Postgres) Location() string { return p.location }

// Close closes the pool.
func (p *Postgres) Close() error {
	p.pool.Close()
	return nil
}

// insertSQL stores a summary unless its exact body is there, and says how
// many bodies the session had before (its revision). The count runs on
// the statement's snapshot, so it does not see the row just inserted.
const insertSQL = `WITH ins AS (
	INSERT INTO ivrctl_sessions (session_key, body_sha256, session_status, received_at, event)
	VALUES ($1, $2, $3, $4, $5)
	ON CONFLICT (session_key, body_sha256) DO NOTHING
	RETURNING id
)
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM ivrctl_sessions WHERE session_key = $1)`

// Append inserts rec and returns once the insert is committed.
func (p *Postgres) Append(ctx context.Context, rec Record) (Outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, pgAppendTimeout)
	defer cancel()
	d := rec.digest()
	// Choice: NUL cannot be in a text column; a status is an 8x8 enum, so
	// one carrying NUL is stored with U+FFFD in its place.
	status := strings.ReplaceAll(rec.SessionStatus, "\x00", "\uFFFD")
	var inserted, before int64
	var err error
	for range 2 {
		err = p.pool.QueryRow(ctx, insertSQL, []byte(rec.Key()), d[:], status, rec.ReceivedAt, rec.Body()).Scan(&inserted, &before)
		// A connection the database dropped (a restart) fails the
		// first use; a fresh one may well work.
		if err == nil || !pgconn.SafeToRetry(err) {
			break
		}
	}
	if err != nil {
		return 0, p.fail(err)
	}
	switch {
	case inserted == 0:
		return Duplicate, nil
	case before > 0:
		return Revised, nil
	}
	return Stored, nil
}

// fail wraps err, scrubbed, in ErrUnavailable unless the database itself
// refused the statement for a reason a retry would not change.
func (p *Postgres) fail(err error) error {
	err = p.scrub(err)
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", "53", "57": // connection exception, insufficient resources, operator intervention
		default:
			return fmt.Errorf("sessions database %s: %w", p.location, err)
		}
	}
	return fmt.Errorf("sessions database %s: %w: %w", p.location, ErrUnavailable, err)
}

// scrub removes the password from an error's text (pgx redacts its own
// messages; this guards against any that do not).
func (p *Postgres) scrub(err error) error {
	if p.password == "" || !strings.Contains(err.Error(), p.password) {
		return err
	}
	return scrubbed{strings.ReplaceAll(err.Error(), p.password, redact.Password), err}
}

type scrubbed struct {
	msg string
	err error
}

func (s scrubbed) Error() string { return s.msg }
func (s scrubbed) Unwrap() error { return s.err }

const querySQL = `SELECT session_key, revision, session_status, received_at, event FROM (
	SELECT id, session_key, session_status, received_at, event,
		row_number() OVER w - 1 AS revision,
		count(*) OVER (PARTITION BY session_key) AS revisions,
		min(id) OVER (PARTITION BY session_key) AS first_id
	FROM ivrctl_sessions
	WHERE ($3::bytea IS NULL OR session_key = $3)
	WINDOW w AS (PARTITION BY session_key ORDER BY id)
) s
WHERE ($1 = '' OR session_status = $1)
  AND ($2::timestamptz IS NULL OR received_at >= $2)
  AND ($4 OR revision = revisions - 1)
ORDER BY first_id, id`

// Query reads the records q selects, each session's latest revision
// first-received order (every revision with q.AllRevisions).
func (p *Postgres) Query(ctx context.Context, q Query) ([]Record, error) {
	var since *time.Time
	if !q.Since.IsZero() {
		since = &q.Since
	}
	var key []byte
	if q.SessionID != "" {
		key = []byte(q.SessionID)
	}
	rows, err := p.pool.Query(ctx, querySQL, q.Status, since, key, q.AllRevisions)
	if err != nil {
		return nil, p.fail(err)
	}
	var recs []Record
	for rows.Next() {
		var (
			k, ev []byte
			rec   Record
			rev   int64
		)
		if err := rows.Scan(&k, &rev, &rec.SessionStatus, &rec.ReceivedAt, &ev); err != nil {
			rows.Close()
			return nil, p.fail(err)
		}
		rec.Revision = int(rev)
		rec.ReceivedAt = rec.ReceivedAt.UTC()
		rec.SessionID = strings.ToValidUTF8(string(k), "\uFFFD")
		if rec.SessionID != string(k) {
			rec.SessionIDBytes = k
		}
		if utf8.Valid(ev) {
			rec.Event = ev
		} else {
			rec.Event = []byte(strings.ToValidUTF8(string(ev), "\uFFFD"))
			rec.EventBytes = ev
		}
		recs = append(recs, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, p.fail(err)
	}
	return recs, nil
}
