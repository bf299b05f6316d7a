// Package calls is the engine that places calls on 8x8 and waits for
// their outcomes; the commands only render what it emits.
//
// Two pieces:
//
//   - Runner places a list of Jobs at a bounded rate with bounded
//     concurrency and emits one Outcome per job on a channel, in
//     completion order. It sends each job at most once: the client
//     (pkg/voiceapi) retries only what 8x8 cannot have acted on, and a
//     job the Runner did not start when it was stopped is reported
//     Skipped, never sent later. A failure every later call would share
//     (a refused key, an unknown sub-account: ConfigFailure) halts it.
//   - Waiter runs the webhook server of `ivrctl serve` on a listener,
//     places one call, and reports that session's webhook events until
//     its session summary (VSS), a timeout, a stop or a broken listener.
//     Events of other sessions are answered by the server (it is a menu
//     server for anyone) and counted, not reported. The Inbox does the
//     matching by sessionId: it holds events until the call's answer
//     names the session, since 8x8 may post the first VCA before that
//     answer arrives.
//
// Both take two contexts: stopCtx ends the work (no new call starts,
// waiting ends: the first Ctrl-C) and abortCtx abandons what is in flight
// (the second). Nothing here prints or decides exit codes: `ivrctl call`
// renders Outcomes and Events as text or JSON lines, as the Stripe CLI's
// listen renders its engine's events.
package calls
