package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A cluster answers queries, and comes back after Stop and Start.
func TestCluster(t *testing.T) {
	c := New(t)
	ctx := context.Background()
	ping := func() error {
		conn, err := pgx.Connect(ctx, c.URL())
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		var n int
		return conn.QueryRow(ctx, "SELECT 1").Scan(&n)
	}
	if err := ping(); err != nil {
		t.Fatal(err)
	}
	c.Stop(t)
	if ping() == nil {
		t.Fatal("a stopped cluster answered")
	}
	c.Start(t)
	if err := ping(); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}
