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

// StopContexts are what the commands that place calls (call, campaign)
// do with Ctrl-C: the first SIGINT or SIGTERM ends Stop (place no more
// calls), the second ends Abort (give up on the requests in flight too).
// Abort is not ended by the first: abandoning a request on the wire
// leaves its call in doubt. stop ends Stop without a signal (a failure
// every later call would share). Call release when done.
func StopContexts(ctx context.Context) (stopCtx context.Context, stop context.CancelFunc, abortCtx context.Context, release func()) {
	stopCtx, stop = context.WithCancel(ctx)
	abortCtx, abort := context.WithCancel(context.WithoutCancel(ctx))
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for n := 0; ; n++ {
			select {
			case <-sigs:
			case <-abortCtx.Done():
				return
			}
			if n == 0 {
				stop()
			} else {
				abort()
				return
			}
		}
	}()
	return stopCtx, stop, abortCtx, func() {
		signal.Stop(sigs)
		stop()
		abort()
	}
}
