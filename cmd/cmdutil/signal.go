package cmdutil

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// SignalContext returns a copy of ctx (nil: Background) that ends at the
// first SIGINT or SIGTERM, for the commands that drain or report before
// they exit (serve, emulate, test). After that first signal the default
// behaviour returns, so a second Ctrl-C during a slow drain kills at once.
// Call stop when done, to stop catching the signals.
func SignalContext(ctx context.Context) (_ context.Context, stop context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	return ctx, stop
}
